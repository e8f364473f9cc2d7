package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/monitoring"
	"github.com/cle2wa/audit-trail/constructs/trail"
	"github.com/cle2wa/audit-trail/internal/change"
	"github.com/cle2wa/audit-trail/internal/commands"
	"github.com/cle2wa/audit-trail/internal/review"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// inProcess serializes the synths that run in this process: jsii is not
// for concurrent use, and tests that run beside others (t.Parallel)
// synthesize too.
var inProcess sync.Mutex

// synthesizeHere synthesizes what build adds into dir, in this process,
// one synth at a time (inProcess).
func synthesizeHere(dir string, build func(app cdktf.App) error) error {
	inProcess.Lock()
	defer inProcess.Unlock()
	_, err := commands.Synthesize(dir, build)
	return err
}

// synthWith synthesizes the default settings changed by edit into a new
// directory. Settings synthesized before in this process are not
// synthesized again: their output is copied (tests change it).
func synthWith(t *testing.T, edit func(*settings.Settings)) string {
	t.Helper()
	s := settings.Defaults()
	if edit != nil {
		edit(&s)
	}
	key, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "cdktf.out")
	inProcessOutputs.Lock()
	defer inProcessOutputs.Unlock()
	if done, ok := inProcessOutputs.byKey[string(key)]; ok {
		copyTree(t, done, dir)
		return dir
	}
	if err := synthesizeHere(dir, func(app cdktf.App) error { return stacks.All(app, s) }); err != nil {
		t.Fatal(err)
	}
	done := filepath.Join(scratch, fmt.Sprintf("in-process-%d", len(inProcessOutputs.byKey)))
	copyTree(t, dir, done)
	inProcessOutputs.byKey[string(key)] = done
	return dir
}

// inProcessOutputs are copies of the outputs of synthWith, by the JSON of
// their settings.
var inProcessOutputs = struct {
	sync.Mutex
	byKey map[string]string
}{byKey: map[string]string{}}

// copyTree copies the directory from, and everything below it but
// Terraform's working files (.terraform, .terraform.lock.hcl), to to.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".terraform") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", from, err)
	}
}

// reviewOf runs `review -base base` with head as the output directory and
// returns the exit status and the comment.
func reviewOf(t *testing.T, base, head, overrides string) (int, string, string) {
	t.Helper()
	t.Setenv("CDKTF_OUTDIR", head)
	var stdout, stderr bytes.Buffer
	code := run([]string{"review", "-base", base, "-overrides", overrides}, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestReviewOfAChange(t *testing.T) {
	base := synthWith(t, func(s *settings.Settings) { s.AuditUsers = []string{"alice", "bob"} })
	noOverrides := filepath.Join(t.TempDir(), "none")
	cases := map[string]struct {
		edit     func(*settings.Settings)
		code     int
		want     []string
		dontWant []string
	}{
		"nothing changed": {func(s *settings.Settings) { s.AuditUsers = []string{"alice", "bob"} }, 0,
			[]string{"No change to the synthesized stacks."}, []string{"BLOCKING", "Irreversible or weakening"}},
		"an auditor added": {func(s *settings.Settings) { s.AuditUsers = []string{"alice", "bob", "carol"} }, 0, []string{
			"added `audit:aws_iam_user.audit_carol`",
			"changed `audit:aws_iam_group_membership.audit_group_membership`: users: [${aws_iam_user.audit_alice.name} ${aws_iam_user.audit_bob.name}] -> [${aws_iam_user.audit_alice.name} ${aws_iam_user.audit_bob.name} ${aws_iam_user.audit_carol.name}]",
			"changed audit:data.aws_iam_policy_document.audit_role_trust AuditUsersWithMFA:",
			"## People (1)\n\n- auditor `carol` added: a new IAM user without credentials",
			// Identity policies alone decide IAM calls.
			"5 call only what no policy of the stacks guards (IAM, CloudTrail, CloudWatch, Terraform's own): every deployer, and any administrator, applies them: ",
			"`audit:aws_iam_user.audit_carol`",
		}, []string{"BLOCKING", "audit_alice` "}},
		// Offboarding is routine: a reviewed change, not a loss of
		// evidence; the review says what the person loses.
		"an auditor removed": {func(s *settings.Settings) { s.AuditUsers = []string{"alice"} }, 0, []string{
			"removed `audit:aws_iam_user.audit_bob`",
			"- auditor `bob` removed: Terraform deletes the IAM user bob with its console password and MFA devices",
		}, []string{"BLOCKING"}},
		"an auditor renamed": {func(s *settings.Settings) { s.AuditUsers = []string{"alice", "robert"} }, 0, []string{
			"- if this renames bob to robert: each auditor's address comes from the name, so Terraform deletes the old user and creates the new one, and the person enrols again (password and MFA device)",
		}, []string{"BLOCKING"}},
		"the log bucket renamed": {func(s *settings.Settings) { s.AuditUsers = []string{"alice", "bob"}; s.Prefix = "acme" }, 1, []string{
			"- BLOCKING `audit:aws_s3_bucket.log_bucket`: changing bucket replaces aws_s3_bucket.log_bucket",
			"changed `audit:aws_s3_bucket.log_bucket`: bucket: cle2wa-s3-trail-master -> acme-s3-trail-master",
		}, nil},
		"retention changed": {func(s *settings.Settings) { s.AuditUsers = []string{"alice", "bob"}; s.Retention.ExpireDays = 3650 }, 0, []string{
			// A weakening choice comes first, under its own heading.
			"# Review of the change\n\n## Irreversible or weakening choices this change makes (1)\n\n- **weakening** `audit:aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle`: log files and digests are deleted 3650 days (10 years) after delivery, for good",
			"changed `audit:aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle`: rule.expiration: (none) -> [map[days:3650]]",
			// The deployed bucket policies deny these calls to all but the
			// operators: the deployer applies them, an administrator may not.
			"## Who can apply it (4)",
			"- `audit:aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle` (update): s3:PutLifecycleConfiguration on aws_s3_bucket.log_bucket; applies as the first deployer; break-glass the root user: applies; an administrator: refused, s3:PutLifecycleConfiguration denied: explicit deny by aws_s3_bucket_policy.log_bucket_policy DenyProtectionChangesButOperators",
			"- `audit:aws_s3_bucket_object_lock_configuration.log_bucket_object_lock` (update): s3:PutBucketObjectLockConfiguration on aws_s3_bucket.log_bucket; applies as the first deployer",
		}, []string{"BLOCKING"}},
		"Object Lock turned off": {func(s *settings.Settings) {
			s.AuditUsers = []string{"alice", "bob"}
			s.ObjectLock.Mode = settings.LockOff
		}, 0, []string{
			"## Irreversible or weakening choices this change makes (1)\n\n- **weakening** `audit:aws_s3_bucket.log_bucket`: no Object Lock on the log bucket",
			"removed `audit:aws_s3_bucket_object_lock_configuration.log_bucket_object_lock`",
			"- `audit:aws_s3_bucket_object_lock_configuration.log_bucket_object_lock` (delete): s3:PutBucketObjectLockConfiguration on aws_s3_bucket.log_bucket; applies as the first deployer",
		}, []string{"BLOCKING", "s3:PutBucketPolicy"}},
		// The lab's goal after a first deploy: the bucket policy changes
		// through its policy document, and the deployer applies it.
		"the organization trail turned on": {func(s *settings.Settings) { s.AuditUsers = []string{"alice", "bob"}; s.OrganizationTrail = true }, 0, []string{
			"- `audit:aws_s3_bucket_policy.log_bucket_policy` (update): s3:PutBucketPolicy on aws_s3_bucket.log_bucket; applies as the first deployer; break-glass the root user: applies; an administrator: refused, s3:PutBucketPolicy denied: explicit deny by aws_s3_bucket_policy.log_bucket_policy DenyProtectionChangesButOperators",
			"`audit:aws_cloudtrail.trail`",
		}, []string{"BLOCKING"}},
		"the log prefix changed": {func(s *settings.Settings) { s.AuditUsers = []string{"alice", "bob"}; s.LogPrefix = "org" }, 0, []string{
			"- `audit:aws_s3_bucket_policy.log_bucket_policy` (update): s3:PutBucketPolicy on aws_s3_bucket.log_bucket; applies as the first deployer",
		}, []string{"BLOCKING"}},
		// The first deployer cannot hand over to another in one change:
		// the new key policies would lock it out of PutKeyPolicy, and KMS
		// refuses that; the new deployer is not yet one.
		"deployers replaced in one step": {func(s *settings.Settings) {
			s.AuditUsers = []string{"alice", "bob"}
			s.Deployers = []string{"arn:aws:iam::111122223333:role/ci"}
		}, 1, []string{
			"- BLOCKING `audit:aws_kms_key.trail_key`: no deployer can apply it (the first deployer: KMS's lockout safety check: the new policy of aws_kms_key.trail_key does not let it make a later kms:PutKeyPolicy",
			"- `audit:aws_s3_bucket_policy.log_bucket_policy` (update): s3:PutBucketPolicy on aws_s3_bucket.log_bucket; applies as the first deployer",
		}, nil},
		"a break-glass role added": {func(s *settings.Settings) {
			s.AuditUsers = []string{"alice", "bob"}
			s.BreakGlassPrincipals = []string{"arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/break-glass"}
		}, 0, []string{
			"- `audit:aws_kms_key.trail_key` (update): kms:PutKeyPolicy on aws_kms_key.trail_key; applies as the first deployer; break-glass the root user: applies; an administrator: refused, kms:PutKeyPolicy denied: explicit deny by aws_kms_key.trail_key DenyPolicyChangesButOperators",
		}, []string{"BLOCKING"}},
		"monitoring turned off": {func(s *settings.Settings) { s.AuditUsers = []string{"alice", "bob"}; s.Monitoring = false }, 1, []string{
			"- **weakening** `audit:aws_cloudtrail.trail`: no monitoring: no copy of the events in CloudWatch Logs and no alarm",
			"- BLOCKING `audit:aws_cloudwatch_log_group.monitoring_log_group`: destroys audit evidence",
			"Security Hub CloudTrail.5 CloudTrail trails should be integrated with Amazon CloudWatch Logs: PASS -> FAIL",
			"removed audit:log_group_name (it breaks the stacks that read it)",
			// Without the alarms, what they watched is watched no more.
			"- `cloudtrail:PutEventSelectors`: alarmed -> unclassified",
		}, nil},
		"a COMPLIANCE lock for a century": {func(s *settings.Settings) {
			s.AuditUsers = []string{"alice", "bob"}
			s.ObjectLock = settings.ObjectLock{Mode: "COMPLIANCE", Days: 36500}
		}, 0, []string{
			"## Irreversible or weakening choices this change makes (1)\n\n- **irreversible** `audit:aws_s3_bucket.log_bucket`: Object Lock COMPLIANCE for 36500 days (100 years): every log file and digest written is locked that long, and nobody, the root user included, can delete it",
		}, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			head := synthWith(t, c.edit)
			code, comment, stderr := reviewOf(t, base, head, noOverrides)
			if code != c.code {
				t.Errorf("expected exit %d, found %d (%s)", c.code, code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(comment, w) {
					t.Errorf("expected the comment to contain %q, found:\n%s", w, comment)
				}
			}
			for _, w := range c.dontWant {
				if strings.Contains(comment, w) {
					t.Errorf("expected the comment not to contain %q, found:\n%s", w, comment)
				}
			}
		})
	}

	// A deliberate change of evidence passes with a reasoned override,
	// and shows it.
	head := synthWith(t, func(s *settings.Settings) { s.AuditUsers = []string{"alice", "bob"}; s.Prefix = "acme" })
	overrides := filepath.Join(t.TempDir(), "overrides")
	os.WriteFile(overrides, []byte("# the buckets move to the new naming scheme\naudit:aws_s3_bucket.log_bucket new bucket, old one kept read-only, ticket SEC-1234\naudit:aws_s3_bucket.access_log_bucket new bucket, old one kept read-only, ticket SEC-1234\nstate:aws_s3_bucket.state_bucket new bucket, state moved by init -migrate-state, SEC-1234\nstate:aws_s3_bucket.state_access_log_bucket new bucket, old one kept read-only, SEC-1234\n"), 0o644)
	code, comment, _ := reviewOf(t, base, head, overrides)
	if code != 0 || !strings.Contains(comment, "changed `audit:aws_s3_bucket.log_bucket` (override: new bucket, old one kept read-only, ticket SEC-1234)") {
		t.Errorf("expected the override to let the change pass and show, found exit %d:\n%s", code, comment)
	}
	os.WriteFile(overrides, []byte("audit:aws_s3_bucket.log_bucket because\n"), 0o644)
	if code, _, stderr := reviewOf(t, base, head, overrides); code != 1 || !strings.Contains(stderr, "reason of at least 20 characters") {
		t.Errorf("expected an override without a real reason refused, found exit %d: %s", code, stderr)
	}
}

// TestReviewOfAPlan checks the -plan flag's wiring: the plans in the
// comment, a destroyed auditor blocking, every unreadable plan named at
// once. The real provider's plans are read in plan_test.go.
func TestReviewOfAPlan(t *testing.T) {
	head := synthWith(t, func(s *settings.Settings) { s.AuditUsers = []string{"alice"} })
	t.Setenv("CDKTF_OUTDIR", head)
	dir := t.TempDir()
	write := func(name, content string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	// The shape `terraform show -json` gives resources whose
	// configuration is gone: an auditor (routine) and the log group
	// (evidence).
	// The plan was made as an administrator's role (its session context
	// read at plan time), who cannot delete a bucket policy.
	plan := write("audit.json", `{"format_version":"1.2",
		"prior_state":{"values":{"root_module":{"resources":[{"type":"aws_iam_session_context","name":"deployer_session","values":{"issuer_arn":"arn:aws:iam::111122223333:role/admin"}}]}}},
		"resource_changes":[
		{"address":"aws_iam_user.audit_alice","mode":"managed","type":"aws_iam_user","change":{"actions":["no-op"]}},
		{"address":"aws_iam_user.audit_bob","mode":"managed","type":"aws_iam_user","change":{"actions":["delete"]},"action_reason":"delete_because_no_resource_config"},
		{"address":"aws_cloudwatch_log_group.monitoring_log_group","mode":"managed","type":"aws_cloudwatch_log_group","change":{"actions":["delete"]},"action_reason":"delete_because_no_resource_config"},
		{"address":"aws_s3_bucket_policy.log_bucket_policy","mode":"managed","type":"aws_s3_bucket_policy","change":{"actions":["delete"]},"action_reason":"delete_because_no_resource_config"},
		{"address":"aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle","mode":"managed","type":"aws_s3_bucket_lifecycle_configuration","change":{"actions":["update"],"before":{"rule":[{"id":"a"}]},"after":{"rule":[{"id":"b"}]}}}]}`)
	var stdout, stderr bytes.Buffer
	code := run([]string{"review", "-plan", plan, "-overrides", filepath.Join(dir, "none")}, &stdout, &stderr)
	for _, want := range []string{
		"- BLOCKING `audit:aws_cloudwatch_log_group.monitoring_log_group`: the plan destroys aws_cloudwatch_log_group.monitoring_log_group: the evidence it holds is lost (to retire the stack, keep the evidence and remove it from the state: README, \"Retiring the stack\")",
		"  - destroy `audit:aws_iam_user.audit_bob`: delete_because_no_resource_config",
		"- `audit` (" + plan + "): Plan: 0 to add, 1 to change, 3 to destroy.",
		// Who can apply each planned change, decided with the deployed
		// policies: deleting a bucket policy is break-glass only.
		"- BLOCKING `audit:aws_s3_bucket_policy.log_bucket_policy`: no deployer can apply it (the first deployer: s3:DeleteBucketPolicy denied: explicit deny by aws_s3_bucket_policy.log_bucket_policy DenyEvidenceDestructionButBreakGlass)",
		"- `audit:aws_s3_bucket_policy.log_bucket_policy` (delete): s3:DeleteBucketPolicy on aws_s3_bucket.log_bucket; refused to every deployer: the first deployer: s3:DeleteBucketPolicy denied: explicit deny by aws_s3_bucket_policy.log_bucket_policy DenyEvidenceDestructionButBreakGlass; break-glass the root user: applies",
		"- `audit:aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle` (update): s3:PutLifecycleConfiguration on aws_s3_bucket.log_bucket; applies as the first deployer",
		"  - planned as arn:aws:iam::111122223333:role/admin, who cannot apply 2 of its changes (`aws_s3_bucket_policy.log_bucket_policy`, `aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle`: s3:DeleteBucketPolicy denied: explicit deny by aws_s3_bucket_policy.log_bucket_policy DenyEvidenceDestructionButBreakGlass): apply it as a deployer",
	} {
		if code != 1 || !strings.Contains(stdout.String(), want) {
			t.Errorf("expected exit 1 and %q, found exit %d:\n%s%s", want, code, stdout.String(), stderr.String())
		}
	}

	binary := write("plan.bin", "PK\x03\x04 a binary plan")
	foreign := write("other.json", `{"format_version":"1.2","resource_changes":[{"address":"aws_instance.web","mode":"managed","type":"aws_instance","change":{"actions":["create"]}}]}`)
	stdout.Reset()
	stderr.Reset()
	code = run([]string{"review", "-plan", binary, "-plan", foreign}, &stdout, &stderr)
	for _, want := range []string{
		"-plan " + binary + ": expected the output of `terraform show -json PLANFILE`",
		"-plan " + foreign + ": expected the plan of one synthesized stack",
	} {
		if code != 1 || !strings.Contains(stderr.String(), want) {
			t.Errorf("expected exit 1 and %q, found exit %d: %s", want, code, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("expected no comment when a plan cannot be read, found:\n%s", stdout.String())
	}
}

// manyAuditors are 32 auditors, about the most IAM's default
// trust-policy quota allows for names of this length.
func manyAuditors() []string {
	var users []string
	for i := 0; i < 32; i++ {
		users = append(users, fmt.Sprintf("auditor%02d", i))
	}
	return users
}

// TestReviewReportWithManyAuditors checks that REVIEW.md folds what grows
// with the auditors, with counts, at 32 of them (about the most IAM's
// default trust-policy quota allows for names of this length): the users' resource lines, the
// trust policy's list of users, the credentials alarm's filters, the passing evidence of IAM.5;
// the report stays under review.MaxBytes.
func TestReviewReportWithManyAuditors(t *testing.T) {
	dir := synthWith(t, func(s *settings.Settings) { s.AuditUsers = manyAuditors() })
	data, err := os.ReadFile(filepath.Join(dir, commands.ReviewFile))
	if err != nil {
		t.Fatal(err)
	}
	report := string(data)
	for _, want := range []string{
		// One line names every auditor's user.
		"- `aws_iam_user.audit_{X}` for {X} in `auditor00`, `auditor01`, ",
		"`auditor31`: name={X}\n",
		`user/auditor04\|… (32 in all)`,
		// The alarm's filters for every few auditors are one item.
		"AuditTrail/AuditUserCredentialChanges: `_1` to `_8` (8 filters), each: ",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("expected REVIEW.md to contain %q", want)
		}
	}
	if !regexp.MustCompile(`\| IAM\.5 \| MFA should be enabled [^\n]*every ` + "`aws_iam_user`" + ` \(32\): no access key`).MatchString(report) {
		t.Errorf("expected the IAM.5 row to fold its 32 users")
	}
	if len(data) >= review.MaxBytes {
		t.Errorf("expected REVIEW.md with 32 auditors under %d bytes, found %d", review.MaxBytes, len(data))
	}
	t.Logf("REVIEW.md with 32 auditors: %d bytes", len(data))
}

// TestReviewReportWithAlarmEmails checks that REVIEW.md folds the
// evidence of the monitoring once alarmEmails makes it pass: the CIS
// section 4 rows say their filter -> alarm -> topic chain once, {X} in the
// place of the name each row then gives, and an alarm and its filter are
// named as the alarms table names them (AT.3 too); with one address the
// report stays under review.MaxBytes.
func TestReviewReportWithAlarmEmails(t *testing.T) {
	roles := func(name string) []string {
		var out []string
		for i := 1; i <= 4; i++ {
			out = append(out, fmt.Sprintf("arn:aws:iam::111122223333:role/%s-%d", name, i))
		}
		return out
	}
	cases := map[string]struct {
		edit          func(*settings.Settings)
		subscriptions string
		// underMax: the report must stay under review.MaxBytes too (every
		// report must stay under review.CommentBytes).
		underMax bool
	}{
		"one alarm e-mail": {func(s *settings.Settings) { s.AlarmEmails = []string{"security@example.com"} }, "1 subscription", true},
		// A demanding configuration: 48.3 KB, over review.MaxBytes (the
		// budget of the default settings) even with the monitoring's
		// evidence folded, under review.CommentBytes (docs/review.md).
		"32 auditors, 4 deployers, 4 break-glass roles, 3 alarm e-mails": {func(s *settings.Settings) {
			s.AuditUsers, s.Deployers, s.BreakGlassPrincipals = manyAuditors(), roles("deployer"), roles("break-glass")
			s.AlarmEmails = []string{"security@example.com", "soc@example.com", "cloud-team@example.com"}
		}, "3 subscriptions", false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(synthWith(t, c.edit), commands.ReviewFile))
			if err != nil {
				t.Fatal(err)
			}
			report := string(data)
			controls, _, _ := strings.Cut(report, "## Who can do what")
			want := []string{
				"| **PASS** | with {X} = `unauthorized_api_calls`: audit:aws_sns_topic.monitoring_topic: " + c.subscriptions + "; audit:aws_cloudtrail.trail: `monitoring_alarm_{X}` -> aws_sns_topic.monitoring_topic |\n",
				"UpdateLoginProfile alarms: `monitoring_alarm_audit_user_credentials` (filter `_1`)",
				"An alarm in the evidence is named as its stack's alarms table names it",
			}
			for _, f := range monitoring.Families[1:] {
				want = append(want, fmt.Sprintf("| %s | %s | %s | ", f.Control, f.Control, f.Control), "| **PASS** | as above, with {X} = `"+strings.ReplaceAll(f.Name, "-", "_")+"` |\n")
			}
			for _, w := range want {
				if !strings.Contains(controls, w) {
					t.Errorf("expected the controls to contain %q", w)
				}
			}
			if strings.Contains(controls, "aws_cloudwatch_log_metric_filter.") {
				t.Errorf("expected the controls to name each filter as the alarms table does, found an address:\n%s", controls)
			}
			if c.underMax && len(data) >= review.MaxBytes {
				t.Errorf("expected REVIEW.md under %d bytes, found %d", review.MaxBytes, len(data))
			}
			if len(data) >= review.CommentBytes {
				t.Errorf("expected REVIEW.md under %d bytes to fit a pull-request comment, found %d", review.CommentBytes, len(data))
			}
			t.Logf("REVIEW.md: %d bytes", len(data))
		})
	}
}

// TestReviewOfTheObjectLockUpgrade: turning Object Lock on for a
// deployed bucket, whose policy denies that call to all but the
// operators: the review says the deployer applies it, and an
// administrator may not.
func TestReviewOfTheObjectLockUpgrade(t *testing.T) {
	base := synthWith(t, func(s *settings.Settings) { s.ObjectLock.Mode = settings.LockOff })
	head := synthWith(t, nil)
	code, comment, stderr := reviewOf(t, base, head, filepath.Join(t.TempDir(), "none"))
	if code != 0 {
		t.Fatalf("expected exit 0, found %d: %s", code, stderr)
	}
	for _, want := range []string{
		"- `audit:aws_s3_bucket_object_lock_configuration.log_bucket_object_lock` (create): s3:PutBucketObjectLockConfiguration on aws_s3_bucket.log_bucket; applies as the first deployer; break-glass the root user: applies; an administrator: refused",
		"added `audit:aws_s3_bucket_object_lock_configuration.log_bucket_object_lock`",
	} {
		if !strings.Contains(comment, want) {
			t.Errorf("expected the comment to contain %q, found:\n%s", want, comment)
		}
	}
}

// TestReviewOfTheDeployersUpgrade: a deployment of a release before
// deployers has one evidence Deny that spares the break-glass principals
// only; the review of the upgrade says that its first apply runs once as
// one of them, and does not block.
func TestReviewOfTheDeployersUpgrade(t *testing.T) {
	base, head := synthWith(t, nil), synthWith(t, nil)
	file := filepath.Join(base, "stacks", "audit", "cdk.tf.json")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for _, doc := range raw["data"].(map[string]any)["aws_iam_policy_document"].(map[string]any) {
		var kept []any
		for _, st := range doc.(map[string]any)["statement"].([]any) {
			s := st.(map[string]any)
			switch s["sid"] {
			case "DenyProtectionChangesButOperators", "DenyPolicyChangesButOperators":
				continue
			case "DenyEvidenceDestructionButBreakGlass":
				s["sid"] = "DenyEvidenceChangesButBreakGlass"
				s["actions"] = append(s["actions"].([]any), "s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration")
			}
			kept = append(kept, s)
		}
		doc.(map[string]any)["statement"] = kept
	}
	if data, err = json.Marshal(raw); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, comment, stderr := reviewOf(t, base, head, filepath.Join(t.TempDir(), "none"))
	if code != 0 {
		t.Fatalf("expected exit 0, found %d: %s\n%s", code, stderr, comment)
	}
	for _, want := range []string{
		"- `audit:aws_s3_bucket_policy.log_bucket_policy` (update): s3:PutBucketPolicy on aws_s3_bucket.log_bucket; refused to every deployer: the deployed policies name no deployer (a release before deployers): apply this change once as a break-glass principal, with \"deployers\" set (else that principal becomes the first deployer); break-glass the root user: applies; an administrator: refused, s3:PutBucketPolicy denied: explicit deny by aws_s3_bucket_policy.log_bucket_policy DenyEvidenceChangesButBreakGlass",
		"- `audit:aws_kms_key.trail_key` (update): kms:PutKeyPolicy on aws_kms_key.trail_key",
	} {
		if !strings.Contains(comment, want) {
			t.Errorf("expected the comment to contain %q, found:\n%s", want, comment)
		}
	}
}

// TestReviewOfADeployerHandover: a deployer hands over in two reviewed
// changes, each applied by a deployer: the new one is added (applied by
// the old), then the old one removed (applied by the new; the old is
// locked out by KMS's lockout safety check, and the review says so).
func TestReviewOfADeployerHandover(t *testing.T) {
	const old, next = "arn:aws:iam::111122223333:role/ci-old", "arn:aws:iam::111122223333:role/ci-new"
	steps := [][]string{{old}, {old, next}, {next}}
	dirs := make([]string, len(steps))
	for i, deployers := range steps {
		dirs[i] = synthWith(t, func(s *settings.Settings) { s.Deployers = deployers })
	}
	for i, want := range []string{
		"- `audit:aws_kms_key.trail_key` (update): kms:PutKeyPolicy on aws_kms_key.trail_key; applies as " + old + "; break-glass the root user: applies",
		"- `audit:aws_kms_key.trail_key` (update): kms:PutKeyPolicy on aws_kms_key.trail_key; applies as " + next + " (not as " + old + ": KMS's lockout safety check: the new policy of aws_kms_key.trail_key does not let it make a later kms:PutKeyPolicy",
	} {
		code, comment, stderr := reviewOf(t, dirs[i], dirs[i+1], filepath.Join(t.TempDir(), "none"))
		if code != 0 || !strings.Contains(comment, want) {
			t.Errorf("step %d: expected exit 0 and the comment to contain %q, found %d (%s):\n%s", i+1, want, code, stderr, comment)
		}
	}
}

// TestEveryResourceTypeHasProviderCalls: the review of who can apply a
// change knows what the provider calls for every resource type the
// stacks make, with every optional setting on.
func TestEveryResourceTypeHasProviderCalls(t *testing.T) {
	dir := synthWith(t, func(s *settings.Settings) {
		s.OrganizationTrail, s.Insights, s.DataEvents = true, true, trail.DataEventsReadWrite
		s.AlarmEmails = []string{"security@example.com"}
		s.State.Bucket = "cle2wa-s3-tfstate-master"
	})
	out, err := tfjson.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, d := range out.Stacks {
		for _, b := range d.AllResources() {
			if t, _, _ := strings.Cut(b.Address, "."); t != "data" {
				seen[t] = true
			}
		}
	}
	for typ := range seen {
		if _, ok := change.ProviderCalls[typ]; !ok {
			t.Errorf("%s: no row of change.ProviderCalls says what the provider calls for it", typ)
		}
	}
	if len(seen) < 20 {
		t.Errorf("expected the stacks' resource types, found %v", seen)
	}
}

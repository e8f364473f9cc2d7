package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
)

// synthWith synthesizes the default settings changed by edit into a new
// directory.
func synthWith(t *testing.T, edit func(*settings.Settings)) string {
	t.Helper()
	s := settings.Defaults()
	if edit != nil {
		edit(&s)
	}
	dir := filepath.Join(t.TempDir(), "cdktf.out")
	if _, err := synthesize(dir, func(app cdktf.App) error { return stacks.All(app, s) }); err != nil {
		t.Fatal(err)
	}
	return dir
}

// reviewOf runs `review -base base` with head as the output directory and
// returns the exit status and the comment.
func reviewOf(t *testing.T, base, head, overrides string) (int, string, string) {
	t.Helper()
	t.Setenv("CDKTF_OUTDIR", head)
	var stdout, stderr bytes.Buffer
	code := run([]string{"review", "-base", base, "-overrides", overrides}, nil, &stdout, &stderr)
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
			// break-glass principals.
			"## Applied only by a break-glass principal (4)",
			"- `audit:aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle` (changed): the deployed policy of aws_s3_bucket.log_bucket denies s3:PutLifecycleConfiguration to all but arn:${data.aws_partition.current_partition.partition}:iam::${data.aws_caller_identity.current_account.account_id}:root: apply as one of them",
			"- `audit:aws_s3_bucket_object_lock_configuration.log_bucket_object_lock` (changed): the deployed policy of aws_s3_bucket.log_bucket denies s3:PutBucketObjectLockConfiguration",
		}, []string{"BLOCKING"}},
		"Object Lock turned off": {func(s *settings.Settings) {
			s.AuditUsers = []string{"alice", "bob"}
			s.ObjectLock.Mode = settings.LockOff
		}, 0, []string{
			"## Irreversible or weakening choices this change makes (1)\n\n- **weakening** `audit:aws_s3_bucket.log_bucket`: no Object Lock on the log bucket",
			"removed `audit:aws_s3_bucket_object_lock_configuration.log_bucket_object_lock`",
			"## Applied only by a break-glass principal (1)",
			"- `audit:aws_s3_bucket_object_lock_configuration.log_bucket_object_lock` (removed): the deployed policy of aws_s3_bucket.log_bucket denies s3:PutBucketObjectLockConfiguration",
		}, []string{"BLOCKING", "s3:PutBucketPolicy"}},
		"monitoring turned off": {func(s *settings.Settings) { s.AuditUsers = []string{"alice", "bob"}; s.Monitoring = false }, 1, []string{
			"- **weakening** `audit:aws_cloudtrail.trail`: no monitoring: no copy of the events in CloudWatch Logs and no alarm",
			"- BLOCKING `audit:aws_cloudwatch_log_group.monitoring_log_group`: destroys audit evidence",
			"Security Hub CloudTrail.5 CloudTrail trails should be integrated with Amazon CloudWatch Logs: PASS -> FAIL",
			"removed audit:log_group_name (it breaks the stacks that read it)",
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
	plan := write("audit.json", `{"format_version":"1.2","resource_changes":[
		{"address":"aws_iam_user.audit_alice","mode":"managed","type":"aws_iam_user","change":{"actions":["no-op"]}},
		{"address":"aws_iam_user.audit_bob","mode":"managed","type":"aws_iam_user","change":{"actions":["delete"]},"action_reason":"delete_because_no_resource_config"},
		{"address":"aws_cloudwatch_log_group.monitoring_log_group","mode":"managed","type":"aws_cloudwatch_log_group","change":{"actions":["delete"]},"action_reason":"delete_because_no_resource_config"}]}`)
	var stdout, stderr bytes.Buffer
	code := run([]string{"review", "-plan", plan, "-overrides", filepath.Join(dir, "none")}, nil, &stdout, &stderr)
	for _, want := range []string{
		"- BLOCKING `audit:aws_cloudwatch_log_group.monitoring_log_group`: the plan destroys aws_cloudwatch_log_group.monitoring_log_group: the evidence it holds is lost",
		"  - destroy `audit:aws_iam_user.audit_bob`: delete_because_no_resource_config",
		"- `audit` (" + plan + "): Plan: 0 to add, 0 to change, 2 to destroy.",
	} {
		if code != 1 || !strings.Contains(stdout.String(), want) {
			t.Errorf("expected exit 1 and %q, found exit %d:\n%s%s", want, code, stdout.String(), stderr.String())
		}
	}

	binary := write("plan.bin", "PK\x03\x04 a binary plan")
	foreign := write("other.json", `{"format_version":"1.2","resource_changes":[{"address":"aws_instance.web","mode":"managed","type":"aws_instance","change":{"actions":["create"]}}]}`)
	stdout.Reset()
	stderr.Reset()
	code = run([]string{"review", "-plan", binary, "-plan", foreign}, nil, &stdout, &stderr)
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

// TestReviewReportWithManyAuditors checks that REVIEW.md folds what grows
// with the auditors, with counts, at 32 of them (about the most IAM's
// default trust-policy quota allows for names of this length): the users' resource lines, the
// trust policy's list of users, the passing evidence of IAM.5.
func TestReviewReportWithManyAuditors(t *testing.T) {
	var users []string
	for i := 0; i < 32; i++ {
		users = append(users, fmt.Sprintf("auditor%02d", i))
	}
	dir := synthWith(t, func(s *settings.Settings) { s.AuditUsers = users })
	data, err := os.ReadFile(filepath.Join(dir, ReviewFile))
	if err != nil {
		t.Fatal(err)
	}
	report := string(data)
	for _, want := range []string{
		"<details><summary>27 more <code>aws_iam_user</code> (32 in all)</summary>",
		`user/auditor04\|… (32 in all)`,
	} {
		if !strings.Contains(report, want) {
			t.Errorf("expected REVIEW.md to contain %q", want)
		}
	}
	if !regexp.MustCompile(`\| IAM\.5 \| MFA should be enabled [^\n]*… \(32 in all\) \|`).MatchString(report) {
		t.Errorf("expected the IAM.5 row to fold its 32 users")
	}
	t.Logf("REVIEW.md with 32 auditors: %d bytes", len(data))
}

// TestReviewOfTheObjectLockUpgrade: upgrading a deployment of the release
// before Object Lock adds the lock configuration to a bucket whose
// deployed policy already denies that call to all but the break-glass
// principals; the review says so, so that the apply runs as one of them.
func TestReviewOfTheObjectLockUpgrade(t *testing.T) {
	base := synthWith(t, func(s *settings.Settings) { s.ObjectLock.Mode = settings.LockOff })
	head := synthWith(t, nil)
	code, comment, stderr := reviewOf(t, base, head, filepath.Join(t.TempDir(), "none"))
	if code != 0 {
		t.Fatalf("expected exit 0, found %d: %s", code, stderr)
	}
	for _, want := range []string{
		"- `audit:aws_s3_bucket_object_lock_configuration.log_bucket_object_lock` (added): the deployed policy of aws_s3_bucket.log_bucket denies s3:PutBucketObjectLockConfiguration to all but arn:${data.aws_partition.current_partition.partition}:iam::${data.aws_caller_identity.current_account.account_id}:root: apply as one of them",
		"added `audit:aws_s3_bucket_object_lock_configuration.log_bucket_object_lock`",
	} {
		if !strings.Contains(comment, want) {
			t.Errorf("expected the comment to contain %q, found:\n%s", want, comment)
		}
	}
}

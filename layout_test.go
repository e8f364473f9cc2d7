package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/commands"
	"github.com/cle2wa/audit-trail/internal/review"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/tfjson"
	"github.com/cle2wa/audit-trail/internal/verify/verifytest"
)

// startFakeAccounts answers, on loopback, what planning the log-archive
// layout's stacks asks: IAM Identity Center's ListInstances (org's
// instances), STS AssumeRole (credentials whose key ID names the
// account of the role assumed), GetCallerIdentity for whichever
// credentials sign the request (the management account's user planner
// for the fake base credentials), the Organizations calls of
// startFakeAWS for org, and KMS DescribeKey of the trail key's alias
// (JSON 1.1, X-Amz-Target TrentService.DescribeKey). It records each
// AssumeRole's role ARN in assumed.
func startFakeAccounts(t *testing.T, org fakeOrganization, assumed *[]string) string {
	t.Helper()
	var mu sync.Mutex
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	signer := regexp.MustCompile(`Credential=([A-Z0-9]+)/`)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The account of the credentials that signed the request.
		account := "111122223333"
		if m := signer.FindStringSubmatch(r.Header.Get("Authorization")); m != nil && strings.HasPrefix(m[1], "ASIA") {
			account = strings.TrimPrefix(m[1], "ASIA")
		}
		switch target := r.Header.Get("X-Amz-Target"); {
		case strings.HasPrefix(target, "AWSOrganizationsV20161128."):
			organizations(w, strings.TrimPrefix(target, "AWSOrganizationsV20161128."), org)
			return
		case target == "SWBExternalService.ListInstances":
			var instances []map[string]string
			for _, i := range org.Instances {
				instances = append(instances, map[string]string{"InstanceArn": i, "IdentityStoreId": "d-1234567890", "Status": "ACTIVE"})
			}
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			json.NewEncoder(w).Encode(map[string]any{"Instances": instances})
			return
		case target == "TrentService.DescribeKey":
			var in struct{ KeyId string }
			json.NewDecoder(r.Body).Decode(&in)
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			owner, _, found := strings.Cut(in.KeyId, ":alias/")
			if !found {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"__type":"NotFoundException","Message":"only alias ARNs are served here"}`)
				return
			}
			keyARN := owner + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
			json.NewEncoder(w).Encode(map[string]any{"KeyMetadata": map[string]any{"Arn": keyARN, "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
				"KeyState": "Enabled", "Enabled": true, "KeyUsage": "ENCRYPT_DECRYPT", "KeySpec": "SYMMETRIC_DEFAULT", "KeyManager": "CUSTOMER", "Origin": "AWS_KMS"}})
			return
		}
		r.ParseForm()
		w.Header().Set("Content-Type", "text/xml")
		switch r.Form.Get("Action") {
		case "AssumeRole":
			role := r.Form.Get("RoleArn")
			mu.Lock()
			*assumed = append(*assumed, role)
			mu.Unlock()
			assumedAccount := strings.Split(role, ":")[4]
			fmt.Fprint(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>`+
				`<AccessKeyId>ASIA`+assumedAccount+`</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>`+
				`</Credentials><AssumedRoleUser><Arn>arn:aws:sts::`+assumedAccount+`:assumed-role/`+role[strings.LastIndex(role, "/")+1:]+`/audit-trail</Arn><AssumedRoleId>AROAEXAMPLE:audit-trail</AssumedRoleId></AssumedRoleUser>`+
				`</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`)
		case "GetCallerIdentity":
			caller := "arn:aws:iam::111122223333:user/planner"
			if account != "111122223333" {
				caller = "arn:aws:sts::" + account + ":assumed-role/" + settings.DefaultRoleName + "/audit-trail"
			}
			fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
				`<Arn>`+caller+`</Arn><UserId>AIDAEXAMPLE</UserId><Account>`+account+`</Account>`+
				`</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
		case "GetRole":
			name := r.Form.Get("RoleName")
			fmt.Fprint(w, `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role><Path>/</Path><RoleName>`+name+`</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::`+account+`:role/`+name+`</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role></GetRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetRoleResponse>`)
		default:
			http.Error(w, r.Form.Get("Action")+" is not served here", http.StatusBadRequest)
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestLayoutPlansWithTheRealProvider plans the log-archive layout's
// stacks, the trail key in the security and in the management account,
// with the real provider, offline (fake base credentials of the
// management account, the loopback of startFakeAccounts): the member
// accounts' stacks assume the layout's role in their account and work
// there, every stack reads the organization and the key as a member may,
// and every resource is to be created. The plan validates each stack with
// the provider's schema first, and shows no warning.
func TestLayoutPlansWithTheRealProvider(t *testing.T) {
	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	t.Parallel()
	outs := synthLayouts(t)
	org := fakeOrganization{ID: "o-exampleorgid", Management: "111122223333", Trusted: []string{stacks.CloudTrailPrincipal}}
	for keysIn, out := range outs {
		for _, c := range layoutStacks(keysIn) {
			t.Run("keys in "+keysIn+"/"+c.stack, func(t *testing.T) { planStack(t, tf, config, filepath.Join(out, "stacks", c.stack), org, c.account) })
		}
	}
}

// planStack plans the stack directory dir of the log-archive layout with
// the real provider (config) against startFakeAccounts for org, and
// requires every resource to be created and the provider to assume the
// layout's role in account (none for "", the management account).
func planStack(t *testing.T, tf, config, dir string, org fakeOrganization, account string) {
	t.Helper()
	var assumed []string
	terraform := layoutTerraform(t, tf, config, dir, org, &assumed)
	run := func(args ...string) string {
		got, err := terraform(args...)
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, got)
		}
		return got
	}
	run("init", "-input=false", "-no-color")
	// The plan validates the stack first, with the provider's schema,
	// and shows what validation warns of (a deprecated argument, or one
	// the newer provider reads differently).
	if out := run("plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.bin"); strings.Contains(out, "Warning:") {
		t.Errorf("expected the stack to plan without a warning, found:\n%s", out)
	}
	var p plan
	if err := json.Unmarshal([]byte(run("show", "-json", "plan.bin")), &p); err != nil {
		t.Fatal(err)
	}
	created := 0
	for _, rc := range p.ResourceChanges {
		if rc.Mode == "data" {
			continue
		}
		if !slices.Equal(rc.Change.Actions, []string{"create"}) {
			t.Errorf("%s: expected a create, found %v", rc.Address, rc.Change.Actions)
		}
		created++
	}
	if created == 0 {
		t.Error("expected resources to create, found none")
	}
	var want []string
	if account != "" {
		want = []string{"arn:aws:iam::" + account + ":role/" + settings.DefaultRoleName}
	}
	// The provider assumes the role once for each of its clients.
	if roles := slices.Compact(slices.Clone(assumed)); !slices.Equal(roles, want) {
		t.Errorf("expected the roles %v assumed, found %v", want, assumed)
	}
}

// layoutTerraform runs Terraform, with the real provider (config), in a
// copy of the stack directory dir of the log-archive layout, against
// startFakeAccounts for org (the roles assumed go to assumed); init has
// not run.
func layoutTerraform(t *testing.T, tf, config, dir string, org fakeOrganization, assumed *[]string) func(args ...string) (string, error) {
	t.Helper()
	endpoint := startFakeAccounts(t, org, assumed)
	work := copyDir(t, dir)
	// The fake credentials for each provider of the stack, the default
	// and any aliased one (Identity Center's region).
	var providers []map[string]any
	for _, alias := range providerAliases(t, dir) {
		override := map[string]any{"access_key": "test", "secret_key": "test", "skip_metadata_api_check": true}
		if alias != "" {
			override["alias"] = alias
		}
		providers = append(providers, override)
	}
	writeJSON(t, filepath.Join(work, "override.tf.json"), map[string]any{
		"terraform": map[string]any{"backend": map[string]any{"local": map[string]any{"path": "terraform.tfstate"}}},
		"provider":  map[string]any{"aws": providers},
	})
	env := append(toolEnv(t), "TF_CLI_CONFIG_FILE="+config, "AWS_EC2_METADATA_DISABLED=true", endpointEnv(endpoint))
	if len(providers) == 1 {
		env = append(env, reattached(t, endpoint))
	}
	return func(args ...string) (string, error) {
		cmd := exec.Command(tf, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = env
		got, err := cmd.CombinedOutput()
		return string(got), err
	}
}

// synthLayouts synthesizes the log-archive layout with the key in each
// account kind it may be in, and returns the output directory of each.
func synthLayouts(t *testing.T) map[string]string {
	t.Helper()
	outs := map[string]string{}
	for _, keysIn := range []string{settings.KeysInSecurity, settings.KeysInManagement} {
		outs[keysIn] = synthLayout(t, keysIn)
	}
	return outs
}

// layoutAccounts are the member accounts of the log-archive layout's
// tests: the management account is the example account the plans' fake
// STS answers for.
const (
	layoutLogArchive = "555566667777"
	layoutSecurity   = "444455556666"
)

// synthLayout synthesizes the project's cdktf.json in the log-archive
// layout, the trail key in keysIn (an organization trail, alarm e-mails
// on), by running the app as a user does, and returns its cdktf.out.
func synthLayout(t *testing.T, keysIn string) string {
	t.Helper()
	return synthLayoutAs(t, keysIn, func(context map[string]any) {
		context["alarmEmails"] = []string{"security@example.com"}
		context["accounts"] = map[string]string{"logArchive": layoutLogArchive, "security": layoutSecurity, "keysIn": keysIn}
	})
}

// synthLayoutAs synthesizes the project's cdktf.json with an
// organization trail and the settings edit makes, once a test process for
// each name (synthOnce), and returns its cdktf.out.
func synthLayoutAs(t *testing.T, name string, edit func(context map[string]any)) string {
	t.Helper()
	return synthOnce(t, "layout-"+name, func(context map[string]any) {
		context["organizationTrail"] = true
		edit(context)
	})
}

// loadLayouts are the syntheses of synthLayouts, each read anew.
func loadLayouts(t *testing.T) map[string]*tfjson.Synthesis {
	t.Helper()
	out := map[string]*tfjson.Synthesis{}
	for keysIn, dir := range synthLayouts(t) {
		synthesis, err := tfjson.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		out[keysIn] = synthesis
	}
	return out
}

// layoutStacks are the stacks of the log-archive layout with the keys in
// keysIn, in the order they are applied, each with the member account its
// provider assumes a role in ("" for the management account).
func layoutStacks(keysIn string) []struct{ stack, account string } {
	out := []struct{ stack, account string }{{stacks.SecurityName, layoutSecurity}}
	if keysIn == settings.KeysInManagement {
		out = append(out, struct{ stack, account string }{stacks.KeysName, ""})
	}
	return append(out, struct{ stack, account string }{stacks.LogArchiveName, layoutLogArchive}, struct{ stack, account string }{stacks.AuditName, ""})
}

// TestLayoutPassesTheChecks runs the checks of every synth on the
// log-archive layout's stacks, with the key in either account: the trail
// checks follow the trail to the log-archive account's bucket and to the
// key its alias names (nothing blocks), and say where they found them.
func TestLayoutPassesTheChecks(t *testing.T) {
	t.Parallel()
	for keysIn, synthesis := range loadLayouts(t) {
		t.Run("keys in "+keysIn, func(t *testing.T) {
			report := check.Run(synthesis)
			for _, r := range report.Blocking() {
				t.Errorf("expected nothing to block, found %s:%s %s: %s", r.Stack, r.Address, r.Check.ID, r.Evidence)
			}
			keys := stacks.SecurityName
			if keysIn == settings.KeysInManagement {
				keys = stacks.KeysName
			}
			want := map[string]string{
				"TRAIL-KMS":                "audit:aws_cloudtrail.trail SSE-KMS with the customer-managed key " + keys + ":aws_kms_key.trail_key",
				"TRAIL-BUCKET-KMS":         "logarchive:aws_s3_bucket.log_bucket SSE-KMS by default with the trail's key " + keys + ":aws_kms_key.trail_key",
				"TRAIL-BUCKET-OBJECT-LOCK": "logarchive:aws_s3_bucket.log_bucket Object Lock GOVERNANCE for 365 days",
				"TRAIL-BUCKET-PRIVATE":     "audit:aws_cloudtrail.trail logarchive:aws_s3_bucket.log_bucket: all public access blocked",
			}
			for _, r := range report.Results {
				if w, ok := want[r.Check.ID]; ok {
					if got := r.Stack + ":" + r.Address + " " + r.Evidence; !strings.HasPrefix(got, w) {
						t.Errorf("%s: expected %q, found %q", r.Check.ID, w, got)
					}
					delete(want, r.Check.ID)
				}
			}
			if len(want) > 0 {
				t.Errorf("expected results of %v", want)
			}
			// A choice is said where its resource is: an expiration of
			// the log-archive account's log bucket, in its stack.
			la := synthesis.Stack(stacks.LogArchiveName)
			if err := tfjson.Set(la.Raw(), map[string]any{"days": 3650.0}, "resource", "aws_s3_bucket_lifecycle_configuration", "log_bucket_lifecycle", "rule", 0, "expiration"); err != nil {
				t.Fatal(err)
			}
			choices := check.Choices(synthesis.Stacks)
			if len(choices) != 1 || choices[0].Stack != stacks.LogArchiveName || choices[0].Address != "aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle" {
				t.Errorf("expected the expiration said in the logarchive stack, found %v", choices)
			}
		})
	}
}

// layoutMatrix is who can do what in the log-archive layout, by persona
// (the columns of access.Columns), with the trail key in the security
// account: a change that widens access changes a cell here and in the
// layout's REVIEW.md. The management account's people may stop the trail
// and read its CloudWatch Logs copy (as in one account), and nothing of
// the evidence; each member account's operators may change its own
// resources' protection, and only its break-glass principals destroy.
var layoutMatrix = map[string][]string{
	"audit role (assumed with MFA)":                            {"yes", "no", "no", "no", "no", "no", "no", "no"},
	"audit group member, without the role":                     {"no", "no", "no", "no", "no", "no", "no", "yes"},
	"deployer (applies reviewed changes), management account":  {"no", "Logs decrypts as a service: yes; for the caller: no", "no", "no", "no", "no", "yes", "no"},
	"break-glass principal, management account":                {"no", "Logs decrypts as a service: yes; for the caller: no", "no", "no", "no", "no", "yes", "no"},
	"administrator (AdministratorAccess), management account":  {"no", "Logs decrypts as a service: yes; for the caller: no", "no", "no", "no", "no", "yes", "no"},
	"deployer (applies reviewed changes), log-archive account": {"no", "no", "no", "yes", "no", "no", "no", "no"},
	"break-glass principal, log-archive account":               {"no", "no", "yes", "yes", "no", "no", "no", "no"},
	"administrator (AdministratorAccess), log-archive account": {"no", "no", "no", "no", "no", "no", "no", "no"},
	"deployer (applies reviewed changes), security account":    {"no", "no", "no", "no", "yes", "no", "no", "no"},
	"break-glass principal, security account":                  {"no", "no", "no", "no", "yes", "yes", "no", "no"},
	"administrator (AdministratorAccess), security account":    {"no", "no", "no", "no", "no", "no", "no", "no"},
	"read-only user (ReadOnlyAccess), log-archive account":     {"no", "no", "no", "no", "no", "no", "no", "no"},
	"administrator of another account":                         {"no", "no", "no", "no", "no", "no", "no", "no"},
}

// TestLayoutAccess decides, with IAM's documented evaluation logic, every
// cross-service interaction of the log-archive layout across its stacks,
// each in the account of its resource: CloudTrail delivering the
// management and a member account's files to the log-archive account,
// another organization's trail refused, the audit role of the security
// account reading and decrypting across accounts, the administrators of
// the management and log-archive accounts refused reading and deleting,
// each account's deployer applying its changes. With the key in the
// management account, the key's operators are the management account's.
func TestLayoutAccess(t *testing.T) {
	t.Parallel()
	for keysIn, synthesis := range loadLayouts(t) {
		t.Run("keys in "+keysIn, func(t *testing.T) {
			m, ok := access.Find(synthesis.Stacks)
			if !ok {
				t.Fatal("expected the layout to have a trail")
			}
			if got, want := m.Accounts(), []string{access.Account, layoutLogArchive, layoutSecurity}; !slices.Equal(got, want) {
				t.Errorf("expected the model's accounts %v, found %v", want, got)
			}
			for _, bad := range m.Mismatches() {
				t.Error(bad)
			}
			applicable := m.Applicable()
			for _, name := range []string{
				"CloudTrail writes a log file", "CloudTrail writes a member account's log file (organization trail)",
				"another organization's trail writes under this organization's folder",
				"the audit role reads a log file in the log-archive account", "the audit role decrypts a log file through S3",
				"an administrator of the management account reads a log file", "an administrator of the management account deletes a log file version",
				"an administrator of the management account decrypts a log file", "an administrator of the log-archive account decrypts a log file",
				"a principal of another organization's account reads a log file",
				"the deployer changes the log bucket's policy", "the deployer changes the trail key's policy",
			} {
				if !slices.ContainsFunc(applicable, func(in access.Interaction) bool { return in.Name == name }) {
					t.Errorf("expected the row %q to apply to the layout", name)
				}
			}
			want := maps.Clone(layoutMatrix)
			if keysIn == settings.KeysInManagement {
				want["deployer (applies reviewed changes), management account"] = []string{"no", "Logs decrypts as a service: yes; for the caller: no", "no", "no", "yes", "no", "yes", "no"}
				want["break-glass principal, management account"] = []string{"no", "Logs decrypts as a service: yes; for the caller: no", "no", "no", "yes", "yes", "yes", "no"}
				want["deployer (applies reviewed changes), security account"] = []string{"no", "no", "no", "no", "no", "no", "no", "no"}
				want["break-glass principal, security account"] = []string{"no", "no", "no", "no", "no", "no", "no", "no"}
			}
			matrix := m.Matrix()
			for i, p := range m.Personas() {
				w, ok := want[p.Name]
				if !ok {
					continue
				}
				delete(want, p.Name)
				for j, c := range matrix[i] {
					if c.Text != w[j] {
						t.Errorf("%s / %s: expected %s, found %s (%s)", p.Name, access.Columns[j].Title, w[j], c.Text, c.Why)
					}
				}
			}
			for name := range want {
				t.Errorf("expected a persona %q in the matrix", name)
			}
		})
	}
}

// TestLayoutReview reads the layout's REVIEW.md: its access matrix names
// the accounts and has each account's personas, every interaction is
// decided as the layout needs, and the report fits a pull-request comment.
func TestLayoutReview(t *testing.T) {
	t.Parallel()
	for keysIn, out := range synthLayouts(t) {
		t.Run("keys in "+keysIn, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(out, commands.ReviewFile))
			if err != nil {
				t.Fatal(err)
			}
			report := string(data)
			for _, w := range []string{
				"in the accounts 111122223333 (management account), 555566667777 (log-archive account) and 444455556666 (security account), each stack in its own",
				"| administrator (AdministratorAccess), log-archive account | no | no | no | no | no | no | no | no |",
				"| deployer (applies reviewed changes), security account |",
				"cross-service interactions the stack relies on (or must refuse) are decided as it needs",
				"## Stack `logarchive`", "## Stack `security`",
			} {
				if !strings.Contains(report, w) {
					t.Errorf("expected REVIEW.md to contain %q", w)
				}
			}
			if len(data) >= review.CommentBytes {
				t.Errorf("expected REVIEW.md under %d bytes to fit a pull-request comment, found %d", review.CommentBytes, len(data))
			}
			t.Logf("REVIEW.md: %d bytes", len(data))
		})
	}
}

// fakeAWS is the environment in which the app's SDK calls the loopback
// endpoint with test credentials and none of the machine's configuration
// (cloudtest.Credentials, for a process of its own).
func fakeAWS(endpoint string) []string {
	return []string{"AWS_ENDPOINT_URL=" + endpoint, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_SESSION_TOKEN=",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PROFILE="}
}

// TestLayoutVerify runs `verify` on the log-archive layout, from the
// management account, against a fake of its three accounts where it is
// deployed and working (verifytest.Layout): verify assumes the layout's
// role in the log-archive and security accounts, checks each stack in
// its account (the key read through its alias across accounts, the
// policies with the organization and the management account resolved),
// the trail, and that neither the log-archive account's session nor the
// management account's caller can read the evidence; and each departure
// fails its check.
func TestLayoutVerify(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for keysIn, out := range synthLayouts(t) {
		synthesis, err := tfjson.Load(out)
		if err != nil {
			t.Fatal(err)
		}
		cases := map[string]struct {
			change func(map[string]*verifytest.Account)
			fail   []string
		}{
			"deployed and working": {func(map[string]*verifytest.Account) {}, nil},
			"the log bucket's policy widened in the log-archive account": {func(a map[string]*verifytest.Account) {
				a[layoutLogArchive].BucketPolicies["cle2wa-s3-trail-master"] = strings.Replace(a[layoutLogArchive].BucketPolicies["cle2wa-s3-trail-master"], `"Sid":"DenyOutsideTheOrganization"`, `"Sid":"Gone"`, 1)
			}, []string{"DRIFT-BUCKET-POLICY cle2wa-s3-trail-master"}},
			"the log-archive account's session reads the evidence": {func(a map[string]*verifytest.Account) {
				a[layoutLogArchive].Unreadable = false
			}, []string{"ACCESS-READ-EVIDENCE logarchive"}},
			"the management account reads the evidence": {func(a map[string]*verifytest.Account) {
				a[verifytest.Example].Refused = false
				a[verifytest.Example].LogFiles = a[layoutLogArchive].LogFiles
			}, []string{"ACCESS-READ-EVIDENCE management"}},
			"the audit role's read policy changed in the security account": {func(a map[string]*verifytest.Account) {
				a[layoutSecurity].IAM["GetRolePolicy read-cloudtrail-logs"] = strings.Replace(a[layoutSecurity].IAM["GetRolePolicy read-cloudtrail-logs"], "GetObject", "PutObject", 1)
			}, []string{"DRIFT-ROLE-POLICY role-audit/read-cloudtrail-logs"}},
		}
		for name, c := range cases {
			t.Run("keys in "+keysIn+"/"+name, func(t *testing.T) {
				accounts := verifytest.Layout(t, synthesis, layoutLogArchive, layoutSecurity, now)
				c.change(accounts)
				stdout := verifyLayoutFails(t, out, accounts, c.fail)
				for _, check := range []string{"ACCOUNT security", "ACCOUNT logarchive", "TRAIL-KMS", "TRAIL-SCOPE", "DRIFT-BUCKET-POLICY cle2wa-s3-trail-master", "DRIFT-KEY-POLICY alias/kms-trail-master", "ACCESS-READ-EVIDENCE logarchive", "ACCESS-READ-EVIDENCE management"} {
					if !strings.Contains(stdout, "\t"+check+"\t") {
						t.Errorf("expected a result of %s, found:\n%s", check, stdout)
					}
				}
			})
		}
	}
}

// verifyLayoutFails runs `verify` in the synthesis out against the
// accounts (verifytest.ServeLayout), requires exactly the checks fail to
// be the ones that do not pass, and returns its output.
func verifyLayoutFails(t *testing.T, out string, accounts map[string]*verifytest.Account, fail []string) string {
	t.Helper()
	code, stdout, stderr := runCommand(t, filepath.Dir(out), []string{"verify"}, fakeAWS(verifytest.ServeLayout(t, accounts))...)
	var failed []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if status, rest, ok := strings.Cut(line, "\t"); ok && status != "PASS" {
			check, _, _ := strings.Cut(rest, "\t")
			failed = append(failed, check)
		}
	}
	if !slices.Equal(failed, fail) {
		t.Errorf("expected the failures %v, found %v (exit %d)\n%s%s", fail, failed, code, stdout, stderr)
	}
	return stdout
}

// synthBesideControlTower synthesizes the log-archive layout beside AWS
// Control Tower, recording data events only: S3 object writes, no
// monitoring (settings.ControlTowerAddsDataEvents).
func synthBesideControlTower(t *testing.T) string {
	t.Helper()
	return synthLayoutAs(t, "control-tower", func(context map[string]any) {
		context["monitoring"], context["dataEvents"] = false, "WRITE"
		delete(context, "alarmEmails")
		context["accounts"] = map[string]string{"logArchive": layoutLogArchive, "security": layoutSecurity, "controlTower": settings.ControlTowerAddsDataEvents}
	})
}

// TestLayoutBesideControlTower: beside AWS Control Tower, the trail
// records data events only (no management event selector), the checks
// pass with that said (TRAIL-MANAGEMENT-EVENTS names Control Tower's
// trail, and the choice says where the management events go); the plan
// stops when Control Tower does not manage the organization (nothing
// would record them), and the default layout's plan stops when it does
// (its trail would record them a second time, unasked).
func TestLayoutBesideControlTower(t *testing.T) {
	t.Parallel()
	out := synthBesideControlTower(t)
	synthesis, err := tfjson.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	audit := synthesis.Stack(stacks.AuditName)
	trails := audit.Resources("aws_cloudtrail")
	if len(trails) != 1 {
		t.Fatalf("expected one trail, found %d", len(trails))
	}
	selectors, _ := trails[0].Attrs["advanced_event_selector"].([]any)
	if len(selectors) != 1 || !strings.Contains(fmt.Sprint(selectors), `AWS::S3::Object`) || strings.Contains(fmt.Sprint(selectors), "Management") {
		t.Errorf("expected one selector, of S3 object events, and none of management events, found %v", selectors)
	}
	report := check.Run(synthesis)
	for _, r := range report.Blocking() {
		t.Errorf("expected nothing to block, found %s:%s %s: %s", r.Stack, r.Address, r.Check.ID, r.Evidence)
	}
	found := false
	for _, r := range report.Results {
		if r.Check.ID == "TRAIL-MANAGEMENT-EVENTS" {
			found = r.Pass && strings.Contains(r.Evidence, "aws-controltower-BaselineCloudTrail records every management event")
		}
	}
	if !found {
		t.Error("expected TRAIL-MANAGEMENT-EVENTS to pass, naming Control Tower's trail")
	}
	if !slices.ContainsFunc(check.Choices(synthesis.Stacks), func(c check.Choice) bool {
		return c.Stack == stacks.AuditName && strings.Contains(c.What, "recorded by AWS Control Tower's trail")
	}) {
		t.Errorf("expected the choice of data events only said, found %v", check.Choices(synthesis.Stacks))
	}

	// Without monitoring, no row of the monitoring applies, and every
	// other row is decided as the layout needs.
	m, ok := access.Find(synthesis.Stacks)
	if !ok {
		t.Fatal("expected a trail")
	}
	for _, bad := range m.Mismatches() {
		t.Error(bad)
	}

	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	controlTower := fakeOrganization{ID: "o-exampleorgid", Management: "111122223333", Trusted: []string{stacks.CloudTrailPrincipal, "controltower.amazonaws.com"}}
	alone := fakeOrganization{ID: "o-exampleorgid", Management: "111122223333", Trusted: []string{stacks.CloudTrailPrincipal}}
	t.Run("beside Control Tower, data events only", func(t *testing.T) {
		planStack(t, tf, config, filepath.Join(out, "stacks", stacks.AuditName), controlTower, "")
	})
	for name, c := range map[string]struct {
		dir  string
		org  fakeOrganization
		want string
	}{
		"data events only, and no Control Tower": {filepath.Join(out, "stacks", stacks.AuditName), alone, "AWS Control Tower does not manage this organization"},
		"the default layout, and Control Tower":  {filepath.Join(synthLayout(t, settings.KeysInSecurity), "stacks", stacks.AuditName), controlTower, "AWS Control Tower manages this organization"},
	} {
		t.Run(name, func(t *testing.T) {
			terraform := layoutTerraform(t, tf, config, c.dir, c.org, new([]string))
			if got, err := terraform("init", "-input=false", "-no-color"); err != nil {
				t.Fatalf("terraform init: %v\n%s", err, got)
			}
			got, err := terraform("plan", "-input=false", "-no-color", "-lock=false", "-refresh=false")
			if err == nil || !strings.Contains(strings.Join(strings.Fields(got), " "), c.want) {
				t.Errorf("expected the plan to stop saying %q, found %v:\n%s", c.want, err, got)
			}
		})
	}
}

// TestLayoutWithAThousandAuditors: the log-archive layout's audit role
// trusts the auditors' path, so a thousand auditors synthesize (the trust
// policy, the role's read policy, the SCP and the credential watch do not
// grow with them), pass the checks, keep REVIEW.md within a pull-request
// comment, and the security account's stack plans with the real provider.
func TestLayoutWithAThousandAuditors(t *testing.T) {
	t.Parallel()
	out := synthLayoutAs(t, "thousand-auditors", func(context map[string]any) {
		var users []string
		for i := range 1000 {
			users = append(users, fmt.Sprintf("auditor-%04d", i))
		}
		context["auditUsers"] = users
		context["accounts"] = map[string]string{"logArchive": layoutLogArchive, "security": layoutSecurity}
	})
	synthesis, err := tfjson.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if users := synthesis.Stack(stacks.SecurityName).Resources("aws_iam_user"); len(users) != 1000 {
		t.Errorf("expected 1000 auditors, found %d", len(users))
	}
	for _, r := range check.Run(synthesis).Blocking() {
		t.Errorf("expected nothing to block, found %s:%s %s: %s", r.Stack, r.Address, r.Check.ID, r.Evidence)
	}
	data, err := os.ReadFile(filepath.Join(out, commands.ReviewFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) >= review.CommentBytes {
		t.Errorf("expected REVIEW.md under %d bytes, found %d", review.CommentBytes, len(data))
	}
	t.Logf("REVIEW.md with 1000 auditors: %d bytes", len(data))
	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	org := fakeOrganization{ID: "o-exampleorgid", Management: "111122223333", Trusted: []string{stacks.CloudTrailPrincipal}}
	planStack(t, tf, config, filepath.Join(out, "stacks", stacks.SecurityName), org, layoutSecurity)
}

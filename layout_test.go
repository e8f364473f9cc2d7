package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// TestLayoutValidatesWithTheRealProvider runs `terraform validate` with
// the real AWS provider's schema on the stacks of the log-archive layout,
// the trail key in the security and in the management account (issue #24; not reachable from cdktf.json yet): the providers
// that assume a role in the member accounts, the key read through its
// alias, the trail that delivers to another account's bucket.
func TestLayoutValidatesWithTheRealProvider(t *testing.T) {
	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	outs := synthLayouts(t)
	t.Parallel()
	for keysIn, out := range outs {
		for _, c := range layoutStacks(keysIn) {
			t.Run("keys in "+keysIn+"/"+c.stack, func(t *testing.T) { validateStack(t, tf, config, filepath.Join(out, "stacks", c.stack)) })
		}
	}
}

// startFakeAccounts answers, on loopback, what planning the log-archive
// layout's stacks asks: STS AssumeRole (credentials whose key ID names the
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
// and every resource is to be created.
func TestLayoutPlansWithTheRealProvider(t *testing.T) {
	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	outs := synthLayouts(t)
	t.Parallel()
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
	endpoint := startFakeAccounts(t, org, &assumed)
	work := copyDir(t, dir)
	writeJSON(t, filepath.Join(work, "override.tf.json"), map[string]any{
		"terraform": map[string]any{"backend": map[string]any{"local": map[string]any{"path": "terraform.tfstate"}}},
		"provider": map[string]any{"aws": map[string]any{
			"access_key": "test", "secret_key": "test", "skip_metadata_api_check": true,
			"endpoints": map[string]any{"sts": endpoint, "organizations": endpoint, "iam": endpoint, "kms": endpoint},
		}},
	})
	run := func(args ...string) string {
		cmd := exec.Command(tf, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = append(toolEnv(t), "TF_CLI_CONFIG_FILE="+config, "AWS_EC2_METADATA_DISABLED=true")
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, got)
		}
		return string(got)
	}
	run("init", "-input=false", "-no-color")
	run("plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.bin")
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

// synthLayouts synthesizes the log-archive layout with the key in each
// account kind it may be in, and returns the output directory of each.
// It runs before the test runs beside others (t.Parallel): it
// synthesizes in this process, and jsii is not for concurrent use.
func synthLayouts(t *testing.T) map[string]string {
	t.Helper()
	outs := map[string]string{}
	for _, keysIn := range []string{settings.KeysInSecurity, settings.KeysInManagement} {
		outs[keysIn] = synthLayout(t, keysIn)
	}
	return outs
}

// synthLayout synthesizes the log-archive layout's stacks with the trail
// key in keysIn (alarm e-mails on) into a new directory and returns it.
func synthLayout(t *testing.T, keysIn string) string {
	t.Helper()
	s := settings.Defaults()
	s.OrganizationTrail = true
	s.AlarmEmails = []string{"security@example.com"}
	s.Accounts = &settings.Accounts{LogArchive: "555566667777", Security: "444455556666", KeysIn: keysIn}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "cdktf.out")
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(out)})
	if _, err := stacks.NewManagement(app, s); err != nil {
		t.Fatal(err)
	}
	if _, err := stacks.NewLogArchive(app, s); err != nil {
		t.Fatal(err)
	}
	if _, err := stacks.NewSecurity(app, s); err != nil {
		t.Fatal(err)
	}
	if keysIn == settings.KeysInManagement {
		if _, err := stacks.NewKeys(app, s); err != nil {
			t.Fatal(err)
		}
	}
	app.Synth()
	return out
}

// layoutStacks are the stacks of the log-archive layout with the keys in
// keysIn, in the order they are applied, each with the member account its
// provider assumes a role in ("" for the management account).
func layoutStacks(keysIn string) []struct{ stack, account string } {
	out := []struct{ stack, account string }{{stacks.SecurityName, "444455556666"}}
	if keysIn == settings.KeysInManagement {
		out = append(out, struct{ stack, account string }{stacks.KeysName, ""})
	}
	return append(out, struct{ stack, account string }{stacks.LogArchiveName, "555566667777"}, struct{ stack, account string }{stacks.AuditName, ""})
}

// TestLayoutPassesTheChecks runs the checks of every synth on the
// log-archive layout's stacks, with the key in either account: the trail
// checks follow the trail to the log-archive account's bucket and to the
// key its alias names (nothing blocks), and say where they found them.
func TestLayoutPassesTheChecks(t *testing.T) {
	for keysIn, out := range synthLayouts(t) {
		t.Run("keys in "+keysIn, func(t *testing.T) {
			synthesis, err := tfjson.Load(out)
			if err != nil {
				t.Fatal(err)
			}
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
		})
	}
}

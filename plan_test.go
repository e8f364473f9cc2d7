package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/change"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// startSTS answers, on loopback, the one AWS call planning makes: STS
// GetCallerIdentity (for the aws_caller_identity data source).
func startSTS(t *testing.T) string {
	t.Helper()
	return startFakeAWS(t, fakeOrganization{})
}

// fakeOrganization is the organization the loopback answers for (none
// when ID is empty), and the account's IAM roles and caller.
type fakeOrganization struct {
	// Roles are the names of the IAM roles IAM ListRoles returns, each
	// with path "/".
	Roles []string
	// Caller is the ARN GetCallerIdentity returns; "" means the IAM user
	// planner.
	Caller         string
	ID, Management string
	// Trusted lists the service principals with trusted access.
	Trusted []string
	// Instances are the ARNs of the IAM Identity Center instances
	// ListInstances returns.
	Instances []string
}

// endpointEnv makes the loopback at endpoint the endpoint of every AWS
// service the provider calls (the SDK's AWS_ENDPOINT_URL,
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
// Not the provider's endpoints block: validating that block (a set of a
// few hundred attributes) costs the provider about two seconds of CPU on
// every plan, measured here, and the tests plan several dozen times.
func endpointEnv(endpoint string) string { return "AWS_ENDPOINT_URL=" + endpoint }

// startFakeAWS answers STS GetCallerIdentity (as account 111122223333) and,
// for org, the AWS Organizations calls the aws_organizations_organization
// data source makes, with the response shapes of the Organizations API
// Reference (DescribeOrganization, ListAccounts, ListRoots,
// ListAWSServiceAccessForOrganization; JSON 1.1, X-Amz-Target).
func startFakeAWS(t *testing.T, org fakeOrganization) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if target := r.Header.Get("X-Amz-Target"); strings.HasPrefix(target, "AWSOrganizationsV20161128.") {
			organizations(w, strings.TrimPrefix(target, "AWSOrganizationsV20161128."), org)
			return
		}
		r.ParseForm()
		w.Header().Set("Content-Type", "text/xml")
		role := func(name string) string {
			return `<Path>/</Path><RoleName>` + name + `</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::111122223333:role/` + name + `</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>`
		}
		switch r.Form.Get("Action") {
		case "GetCallerIdentity":
			caller := cmp.Or(org.Caller, "arn:aws:iam::111122223333:user/planner")
			fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
				`<Arn>`+caller+`</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account>`+
				`</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
		case "ListRoles":
			var members strings.Builder
			for _, name := range org.Roles {
				members.WriteString("<member>" + role(name) + "</member>")
			}
			fmt.Fprint(w, `<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult><IsTruncated>false</IsTruncated><Roles>`+members.String()+`</Roles></ListRolesResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListRolesResponse>`)
		case "GetRole":
			fmt.Fprint(w, `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role>`+role(r.Form.Get("RoleName"))+`</Role></GetRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetRoleResponse>`)
		default:
			http.Error(w, "only GetCallerIdentity, ListRoles and GetRole are served here", http.StatusBadRequest)
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// organizations answers one Organizations call for org.
func organizations(w http.ResponseWriter, call string, org fakeOrganization) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if org.ID == "" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"AWSOrganizationsNotInUseException","Message":"Your account is not a member of an organization."}`)
		return
	}
	account := func(id string) map[string]any {
		return map[string]any{"Id": id, "Arn": "arn:aws:organizations::" + org.Management + ":account/" + org.ID + "/" + id, "Email": id + "@example.com",
			"Name": "account " + id, "Status": "ACTIVE", "JoinedMethod": "CREATED", "JoinedTimestamp": 1481830215.45}
	}
	var body any
	switch call {
	case "DescribeOrganization":
		body = map[string]any{"Organization": map[string]any{"Id": org.ID, "Arn": "arn:aws:organizations::" + org.Management + ":organization/" + org.ID, "FeatureSet": "ALL",
			"MasterAccountArn": "arn:aws:organizations::" + org.Management + ":account/" + org.ID + "/" + org.Management, "MasterAccountId": org.Management, "MasterAccountEmail": "management@example.com"}}
	case "ListAccounts":
		body = map[string]any{"Accounts": []any{account(org.Management), account("777788889999")}}
	case "ListRoots":
		body = map[string]any{"Roots": []any{map[string]any{"Id": "r-examplerootid111", "Arn": "arn:aws:organizations::" + org.Management + ":root/" + org.ID + "/r-examplerootid111", "Name": "Root", "PolicyTypes": []any{}}}}
	case "ListAWSServiceAccessForOrganization":
		var enabled []any
		for _, p := range org.Trusted {
			enabled = append(enabled, map[string]any{"ServicePrincipal": p, "DateEnabled": 1481830215.45})
		}
		body = map[string]any{"EnabledServicePrincipals": enabled}
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"InvalidInputException","Message":"%s is not served here"}`, call)
		return
	}
	json.NewEncoder(w).Encode(body)
}

// plan is `terraform show -json` of a plan, as far as the tests read it.
type plan struct {
	ResourceChanges []struct {
		Address string `json:"address"`
		Mode    string `json:"mode"`
		Change  struct {
			Actions []string `json:"actions"`
		} `json:"change"`
	} `json:"resource_changes"`
	PlannedValues struct {
		RootModule struct {
			Resources []struct {
				Address string         `json:"address"`
				Values  map[string]any `json:"values"`
			} `json:"resources"`
		} `json:"root_module"`
	} `json:"planned_values"`
}

// plannedLater are the data sources each stack's first plan can read
// only at apply. Policies name roles and users by ARNs built from their
// names, so every policy document renders at plan time but the audit
// role's read policy, which names the trail key (a key's ARN holds an ID
// that AWS chooses when it creates the key), and, with the default
// deployer, the bucket and key policies: they name the first deployer as
// terraform_data.first_deployer records it, and Terraform reads a data
// source that refers to a resource it is about to create only at apply
// ("read_because_dependency_pending"), although the value is known. Only
// on the first apply: TestSecondApplyIsQuiet's last plans read them all
// at plan time. With deployers named, the first plan shows them too
// (TestFirstApplyNeedsAnOperator).
var plannedLater = map[string][]string{
	"audit": {
		"data.aws_iam_policy_document.access_log_bucket_policy", "data.aws_iam_policy_document.audit_role_read",
		"data.aws_iam_policy_document.log_bucket_policy", "data.aws_iam_policy_document.monitoring_logs_key_policy",
		"data.aws_iam_policy_document.monitoring_topic_key_policy", "data.aws_iam_policy_document.trail_key_policy",
	},
	"state": {"data.aws_iam_policy_document.state_access_log_bucket_policy", "data.aws_iam_policy_document.state_bucket_policy"},
}

// TestStacksPlanWithTheRealProvider plans every synthesized stack with the
// real AWS provider against an empty state, offline: fake credentials, a
// loopback STS, local state, all set in an override file written into a
// copy of the stack directory (never into cdktf.out). Every resource is to
// be created, nothing else.
func TestStacksPlanWithTheRealProvider(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	tf := terraformCLI(t)
	mirror := providerMirror(t)
	sts := startSTS(t)
	dir, _ := sharedDefault(t)
	config := mirrorConfig(t, mirror)
	// The audit state the exports stack reads, holding the audit stack's
	// outputs.
	auditStack := readJSON(t, filepath.Join(dir, "cdktf.out", "stacks", "audit", "cdk.tf.json"))
	auditState := filepath.Join(t.TempDir(), "audit.tfstate")
	outputs := fakeOutputs(auditStack)
	for _, o := range outputs {
		// A state records each output's type.
		o := o.(map[string]any)
		o["type"] = "string"
		if _, list := o["value"].([]string); list {
			o["type"] = []any{"list", "string"}
		}
	}
	writeJSON(t, auditState, map[string]any{"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "test", "outputs": outputs, "resources": []any{}})

	head, err := tfjson.Load(filepath.Join(dir, "cdktf.out"))
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"audit", "state", "exports"} {
		t.Run(stack, func(t *testing.T) {
			work := copyDir(t, filepath.Join(dir, "cdktf.out", "stacks", stack))
			override := map[string]any{
				"terraform": map[string]any{"backend": map[string]any{"local": map[string]any{"path": "terraform.tfstate"}}},
			}
			if stack != "exports" {
				override["provider"] = map[string]any{"aws": map[string]any{
					"access_key": "test", "secret_key": "test",
					"skip_credentials_validation": true, "skip_requesting_account_id": true, "skip_metadata_api_check": true,
				}}
			} else {
				remote := map[string]any{}
				for name := range readJSON(t, filepath.Join(work, "cdk.tf.json"))["data"].(map[string]any)["terraform_remote_state"].(map[string]any) {
					remote[name] = map[string]any{"config": map[string]any{"path": auditState}}
				}
				override["data"] = map[string]any{"terraform_remote_state": remote}
			}
			writeJSON(t, filepath.Join(work, "override.tf.json"), override)
			env := append(toolEnv(t), "TF_CLI_CONFIG_FILE="+config, "AWS_EC2_METADATA_DISABLED=true", endpointEnv(sts))
			if len(providerAliases(t, work)) == 1 {
				env = append(env, reattached(t, sts))
			}
			run := func(args ...string) string {
				cmd := exec.Command(tf, append([]string{"-chdir=" + work}, args...)...)
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}
			run("init", "-input=false", "-no-color")
			if out := run("plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin"); strings.Contains(out, "Warning:") {
				t.Errorf("expected the %s stack to plan without a warning, found:\n%s", stack, out)
			}
			shown := run("show", "-json", "plan.bin")
			var p plan
			if err := json.Unmarshal([]byte(shown), &p); err != nil {
				t.Fatal(err)
			}
			planFile := filepath.Join(work, "plan.json")
			if err := os.WriteFile(planFile, []byte(shown), 0o644); err != nil {
				t.Fatal(err)
			}
			resources := readJSON(t, filepath.Join(work, "cdk.tf.json"))["resource"]
			want := 0
			if m, ok := resources.(map[string]any); ok {
				for _, byName := range m {
					want += len(byName.(map[string]any))
				}
			}
			created := 0
			var deferred []string
			for _, rc := range p.ResourceChanges {
				if rc.Mode == "data" {
					// A data source read at apply: its result is "known
					// after apply" in the plan.
					deferred = append(deferred, rc.Address)
					continue
				}
				if len(rc.Change.Actions) != 1 || rc.Change.Actions[0] != "create" {
					t.Errorf("%s: expected only a create on an empty state, found %v", rc.Address, rc.Change.Actions)
				}
				created++
			}
			if created != want {
				t.Errorf("expected %d resources to create, found %d", want, created)
			}
			// The policy documents that name ARNs of resources created in
			// the same apply are known only after apply, so the plan does
			// not show them to a reviewer (the synthesized JSON and
			// REVIEW.md do). A change to this list shows here.
			slices.Sort(deferred)
			if wantDeferred := plannedLater[stack]; !slices.Equal(deferred, wantDeferred) {
				t.Errorf("expected the policy documents known only after apply to be %v, found %v", wantDeferred, deferred)
			}

			// The review reads the plan: its stack, Terraform's counts,
			// nothing replaced or destroyed.
			summary, err := change.ReadPlan(planFile, head)
			if err != nil {
				t.Fatal(err)
			}
			if summary.Stack != stack || summary.Add != want || summary.Change != 0 || summary.Destroy != 0 || len(summary.Changes) != 0 {
				t.Errorf("expected the review to read the plan of %s as %d to add and nothing else, found %s: %s %v", stack, want, summary.Stack, summary.Line(), summary.Changes)
			}
			if want > 0 && !strings.Contains(run("show", "-no-color", "plan.bin"), summary.Line()) {
				t.Errorf("expected Terraform to print the review's summary %q", summary.Line())
			}
			if stack == "audit" {
				planEvidenceLoss(t, run, planFile, head)
				planObjectLockUpgrade(t, run, work)
			}
		})
	}
}

// planObjectLockUpgrade plans the audit stack over the state the previous
// release left: a log bucket made without Object Lock (the provider reads
// object_lock_enabled = false from it). Object Lock must come by the
// separate configuration resource, the bucket changed in place, never
// replaced: aws_s3_bucket's object_lock_enabled forces a new bucket.
func planObjectLockUpgrade(t *testing.T, run func(...string) string, work string) {
	t.Helper()
	bucket := readJSON(t, filepath.Join(work, "cdk.tf.json"))["resource"].(map[string]any)["aws_s3_bucket"].(map[string]any)["log_bucket"].(map[string]any)["bucket"]
	state := map[string]any{"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "upgrade", "outputs": map[string]any{}, "resources": []any{
		map[string]any{"mode": "managed", "type": "aws_s3_bucket", "name": "log_bucket", "provider": `provider["registry.terraform.io/hashicorp/aws"]`, "instances": []any{
			map[string]any{"schema_version": 0, "attributes": map[string]any{"id": bucket, "bucket": bucket, "force_destroy": false, "object_lock_enabled": false}},
		}},
	}}
	writeJSON(t, filepath.Join(work, "terraform.tfstate"), state)
	run("plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=upgrade.bin")
	var p plan
	if err := json.Unmarshal([]byte(run("show", "-json", "upgrade.bin")), &p); err != nil {
		t.Fatal(err)
	}
	actions := map[string][]string{}
	for _, rc := range p.ResourceChanges {
		actions[rc.Address] = rc.Change.Actions
	}
	if a := actions["aws_s3_bucket.log_bucket"]; len(a) != 1 || (a[0] != "no-op" && a[0] != "update") {
		t.Errorf("expected the log bucket of the previous release kept (no-op or update in place), found %v", a)
	}
	if a := actions["aws_s3_bucket_object_lock_configuration.log_bucket_object_lock"]; !slices.Equal(a, []string{"create"}) {
		t.Errorf("expected Object Lock to come by its own configuration resource, found %v", a)
	}
}

// planEvidenceLoss plans the audit stack over a state that holds the trail
// under another name and an auditor the settings no longer list, without
// refreshing (nothing here serves CloudTrail or IAM), and checks that the
// review reads both as evidence lost: the trail replaced because of its
// name, the user destroyed because its configuration is gone.
func planEvidenceLoss(t *testing.T, run func(...string) string, planFile string, head *tfjson.Synthesis) {
	t.Helper()
	provider := `provider["registry.terraform.io/hashicorp/aws"]`
	state := map[string]any{"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "test", "outputs": map[string]any{}, "resources": []any{
		map[string]any{"mode": "managed", "type": "aws_cloudtrail", "name": "trail", "provider": provider, "instances": []any{
			// The trail resource's schema is at version 1 in this provider.
			map[string]any{"schema_version": 1, "attributes": map[string]any{"id": "old-trail", "name": "old-trail"}},
		}},
		map[string]any{"mode": "managed", "type": "aws_iam_user", "name": "audit_bob", "provider": provider, "instances": []any{
			map[string]any{"schema_version": 0, "attributes": map[string]any{"id": "bob", "name": "bob"}},
		}},
	}}
	writeJSON(t, filepath.Join(filepath.Dir(planFile), "terraform.tfstate"), state)
	run("plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=loss.bin")
	lossFile := filepath.Join(filepath.Dir(planFile), "loss.json")
	if err := os.WriteFile(lossFile, []byte(run("show", "-json", "loss.bin")), 0o644); err != nil {
		t.Fatal(err)
	}
	summary, err := change.ReadPlan(lossFile, head)
	if err != nil {
		t.Fatal(err)
	}
	report := change.Compare(head, head, nil, summary)
	var comment strings.Builder
	if err := report.Markdown(&comment); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"- BLOCKING `audit:aws_cloudtrail.trail`: the plan replaces aws_cloudtrail.trail (forced by name; replace_because_cannot_update): the evidence it holds is lost",
		// An auditor's user is not evidence: its deletion is listed, and
		// does not block.
		"  - destroy `audit:aws_iam_user.audit_bob`: delete_because_no_resource_config",
		fmt.Sprintf("- `audit` (%s): %s", lossFile, summary.Line()),
	} {
		if !strings.Contains(comment.String(), want) {
			t.Errorf("expected the comment to contain %q, found:\n%s", want, comment.String())
		}
	}
	if summary.Destroy != 2 || len(report.Blocking()) != 1 {
		t.Errorf("expected 2 to destroy (the trail replaced, the user deleted) and 1 blocking change, found %s and %d", summary.Line(), len(report.Blocking()))
	}
	if !strings.Contains(run("show", "-no-color", "loss.bin"), summary.Line()) {
		t.Errorf("expected Terraform to print the review's summary %q", summary.Line())
	}
}

// TestOrganizationTrailPlansWithTheRealProvider plans the audit stack of an
// organization trail with the real provider, offline: the organization
// comes from Organizations at plan time (a loopback answers with the API
// Reference's shapes). In the management account of an organization that
// trusts CloudTrail, every resource is to be created; a trail of one
// account becomes an organization trail in place; outside the management
// account, without trusted access, or outside any organization the plan
// stops and says what to do.
func TestOrganizationTrailPlansWithTheRealProvider(t *testing.T) {
	t.Parallel()
	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	out := synthWith(t, func(s *settings.Settings) { s.OrganizationTrail = true })
	trusting := fakeOrganization{ID: "o-exampleorgid", Management: "111122223333", Trusted: []string{"cloudtrail.amazonaws.com", "sso.amazonaws.com"}}
	planOrg := func(t *testing.T, org fakeOrganization, state map[string]any) (map[string][]string, string, error) {
		return planAudit(t, tf, config, out, org, state)
	}

	t.Run("management account", func(t *testing.T) {
		actions, o, err := planOrg(t, trusting, nil)
		if err != nil {
			t.Fatalf("expected the plan to succeed: %v\n%s", err, o)
		}
		for address, a := range actions {
			if !slices.Equal(a, []string{"create"}) {
				t.Errorf("%s: expected a create, found %v", address, a)
			}
		}
	})
	t.Run("a trail of one account becomes an organization trail in place", func(t *testing.T) {
		state := map[string]any{"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "org", "outputs": map[string]any{}, "resources": []any{
			map[string]any{"mode": "managed", "type": "aws_cloudtrail", "name": "trail", "provider": `provider["registry.terraform.io/hashicorp/aws"]`, "instances": []any{
				map[string]any{"schema_version": 1, "attributes": map[string]any{"id": "trail-master", "name": "trail-master", "is_organization_trail": false, "is_multi_region_trail": true, "include_global_service_events": true, "enable_log_file_validation": true, "enable_logging": true}},
			}},
			// The first deployer: the loopback's caller.
			map[string]any{"mode": "managed", "type": "terraform_data", "name": "first_deployer", "provider": `provider["terraform.io/builtin/terraform"]`, "instances": []any{
				map[string]any{"schema_version": 0, "attributes": map[string]any{"id": "first", "input": map[string]any{"value": "arn:aws:iam::111122223333:user/planner", "type": "string"},
					"output": map[string]any{"value": "arn:aws:iam::111122223333:user/planner", "type": "string"}, "triggers_replace": nil}},
			}},
			// The one-account log bucket and its policy, deployed.
			map[string]any{"mode": "managed", "type": "aws_s3_bucket", "name": "log_bucket", "provider": `provider["registry.terraform.io/hashicorp/aws"]`, "instances": []any{
				map[string]any{"schema_version": 0, "attributes": map[string]any{"id": "cle2wa-s3-trail-master", "bucket": "cle2wa-s3-trail-master", "arn": "arn:aws:s3:::cle2wa-s3-trail-master", "force_destroy": false, "object_lock_enabled": false}},
			}},
			map[string]any{"mode": "managed", "type": "aws_s3_bucket_policy", "name": "log_bucket_policy", "provider": `provider["registry.terraform.io/hashicorp/aws"]`, "instances": []any{
				map[string]any{"schema_version": 0, "attributes": map[string]any{"id": "cle2wa-s3-trail-master", "bucket": "cle2wa-s3-trail-master", "policy": `{"Version":"2012-10-17","Statement":[]}`}},
			}},
		}}
		actions, shown, err := planOrg(t, trusting, state)
		if err != nil {
			t.Fatalf("expected the plan to succeed: %v\n%s", err, shown)
		}
		if a := actions["aws_cloudtrail.trail"]; !slices.Equal(a, []string{"update"}) {
			t.Errorf("expected the trail updated in place, found %v", a)
		}
		if a := actions["aws_s3_bucket_policy.log_bucket_policy"]; !slices.Equal(a, []string{"update"}) {
			t.Errorf("expected the bucket policy updated in place, found %v", a)
		}
		// The review of that plan, against the deployed one-account
		// synthesis, names the deployer who applies the policy change.
		planFile := filepath.Join(t.TempDir(), "org.json")
		if err := os.WriteFile(planFile, []byte(shown), 0o644); err != nil {
			t.Fatal(err)
		}
		head, err := tfjson.Load(out)
		if err != nil {
			t.Fatal(err)
		}
		// The deployed synthesis: the reviewed default one.
		base, err := tfjson.Load(filepath.Join("testdata", "golden"))
		if err != nil {
			t.Fatal(err)
		}
		summary, err := change.ReadPlan(planFile, head)
		if err != nil {
			t.Fatal(err)
		}
		var comment strings.Builder
		report := change.Compare(base, head, nil, summary)
		if err := report.Markdown(&comment); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"- `audit:aws_s3_bucket_policy.log_bucket_policy` (update): s3:PutBucketPolicy on aws_s3_bucket.log_bucket; applies as the first deployer; break-glass the root user: applies; an administrator: refused",
			"`audit:aws_cloudtrail.trail`",
			// The plan's caller is the first deployer the state records.
			"  - planned as arn:aws:iam::111122223333:user/planner, who can apply every change a policy of the stacks guards",
		} {
			if !strings.Contains(comment.String(), want) {
				t.Errorf("expected the review to contain %q, found:\n%s", want, comment.String())
			}
		}
		if b := report.Blocking(); len(b) != 0 {
			t.Errorf("expected nothing blocking, found %v", b)
		}
	})
	for name, c := range map[string]struct {
		org  fakeOrganization
		want string
	}{
		"a member account":       {fakeOrganization{ID: "o-exampleorgid", Management: "999999999999", Trusted: []string{"cloudtrail.amazonaws.com"}}, "this account is not the organization's management account"},
		"without trusted access": {fakeOrganization{ID: "o-exampleorgid", Management: "111122223333", Trusted: []string{"sso.amazonaws.com"}}, "aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com"},
		// The provider reads AWSOrganizationsNotInUseException as "not
		// found", before any postcondition can speak: the README says
		// what this message means.
		"outside an organization": {fakeOrganization{}, "reading Organizations Organization: couldn't find resource"},
	} {
		t.Run(name, func(t *testing.T) {
			_, o, err := planOrg(t, c.org, nil)
			if err == nil || !strings.Contains(strings.Join(strings.Fields(o), " "), c.want) {
				t.Errorf("expected the plan to stop saying %q, found %v:\n%s", c.want, err, o)
			}
		})
	}
}

// offline copies the stack directory dir and writes into the copy the
// override that runs it offline: local state, fake credentials, and the
// loopback answering STS, Organizations and IAM as org says. It returns
// the copy and how to run Terraform there.
func offline(t *testing.T, tf, config, dir string, org fakeOrganization) (string, func(...string) (string, error)) {
	t.Helper()
	work := copyDir(t, dir)
	endpoint := startFakeAWS(t, org)
	writeJSON(t, filepath.Join(work, "override.tf.json"), map[string]any{
		"terraform": map[string]any{"backend": map[string]any{"local": map[string]any{"path": "terraform.tfstate"}}},
		"provider": map[string]any{"aws": map[string]any{
			"access_key": "test", "secret_key": "test",
			"skip_credentials_validation": true, "skip_requesting_account_id": true, "skip_metadata_api_check": true,
		}},
	})
	env := append(toolEnv(t), "TF_CLI_CONFIG_FILE="+config, "AWS_EC2_METADATA_DISABLED=true", endpointEnv(endpoint))
	if len(providerAliases(t, work)) == 1 {
		env = append(env, reattached(t, endpoint))
	}
	return work, func(args ...string) (string, error) {
		cmd := exec.Command(tf, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = env
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
}

// planAudit plans the audit stack of the synthesis out with the real
// provider over state (nil: none), the loopback answering STS and
// Organizations as org says, and returns each planned resource's actions,
// or the output of a failed plan.
func planAudit(t *testing.T, tf, config, out string, org fakeOrganization, state map[string]any) (map[string][]string, string, error) {
	t.Helper()
	work, run := offline(t, tf, config, filepath.Join(out, "stacks", "audit"), org)
	if state != nil {
		writeJSON(t, filepath.Join(work, "terraform.tfstate"), state)
	}
	if o, err := run("init", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, o)
	}
	if o, err := run("plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.bin"); err != nil {
		return nil, o, err
	}
	shown, err := run("show", "-json", "plan.bin")
	var p plan
	if err == nil {
		err = json.Unmarshal([]byte(shown), &p)
	}
	actions := map[string][]string{}
	for _, rc := range p.ResourceChanges {
		if rc.Mode != "data" {
			actions[rc.Address] = rc.Change.Actions
		}
	}
	return actions, shown, err
}

// TestOperatorsAccountIsCheckedAtPlan: break-glass principals or
// deployers of another account than the one deployed to stop the plan,
// before anything changes, with the settings and both accounts named;
// principals of the account deployed to (the loopback's 111122223333)
// plan.
func TestOperatorsAccountIsCheckedAtPlan(t *testing.T) {
	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	cases := map[string]struct {
		breakGlass, deployer, want string
		out                        string
	}{
		"of the account deployed to":          {breakGlass: "arn:aws:iam::111122223333:role/break-glass", deployer: "arn:aws:iam::111122223333:role/deploy"},
		"break-glass of another account only": {breakGlass: "arn:aws:iam::444455556666:role/break-glass", want: "breakGlassPrincipals and deployers are principals of the account 444455556666, but these credentials deploy to another account (111122223333)"},
		"deployers of another account only":   {deployer: "arn:aws:iam::444455556666:role/deploy", want: "breakGlassPrincipals and deployers are principals of the account 444455556666, but these credentials deploy to another account (111122223333)"},
	}
	// The synths run in this process, where the jsii kernel takes one
	// synth at a time, before the plans run beside the other tests.
	for name, c := range cases {
		c.out = synthWith(t, func(s *settings.Settings) {
			if c.breakGlass != "" {
				s.BreakGlassPrincipals = []string{c.breakGlass}
			}
			if c.deployer != "" {
				s.Deployers = []string{c.deployer}
			}
		})
		cases[name] = c
	}
	t.Parallel()
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			// A later plan: the stack's role exists.
			_, o, err := planAudit(t, tf, config, c.out, fakeOrganization{Roles: []string{"role-audit"}}, nil)
			switch flat := strings.Join(strings.Fields(o), " "); {
			case c.want == "" && err != nil:
				t.Errorf("expected the plan to succeed, found %v:\n%s", err, o)
			case c.want != "" && (err == nil || !strings.Contains(flat, c.want)):
				t.Errorf("expected the plan to stop saying %q, found %v:\n%s", c.want, err, o)
			}
		})
	}
}

// TestFirstApplyNeedsAnOperator: with the deployers named, a first apply
// (no role-audit yet) by someone who is neither a deployer nor
// break-glass stops at plan, before KMS would refuse to create the keys
// half-way through the apply; the deployer's role session plans (the
// session is mapped to its role), and so does anyone once the stack is
// deployed (a read-only plan of a later change).
func TestFirstApplyNeedsAnOperator(t *testing.T) {
	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	// It synthesizes in this process, where the jsii kernel takes one
	// synth at a time, before it runs beside the other tests.
	out := synthWith(t, func(s *settings.Settings) { s.Deployers = []string{"arn:aws:iam::111122223333:role/deploy"} })
	t.Parallel()
	for name, c := range map[string]struct {
		aws  fakeOrganization
		want string
	}{
		"a first apply by another":           {fakeOrganization{}, "The first apply must run as a deployer or a break-glass principal (arn:aws:iam::111122223333:role/deploy, arn:aws:iam::111122223333:root), but these credentials are arn:aws:iam::111122223333:user/planner"},
		"a first apply by the deployer":      {fakeOrganization{Caller: "arn:aws:sts::111122223333:assumed-role/deploy/ci-run-1"}, ""},
		"a later plan by a read-only reader": {fakeOrganization{Roles: []string{"role-audit"}}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, o, err := planAudit(t, tf, config, out, c.aws, nil)
			switch flat := strings.Join(strings.Fields(o), " "); {
			case c.want == "" && err != nil:
				t.Errorf("expected the plan to succeed, found %v:\n%s", err, o)
			case c.want != "" && (err == nil || !strings.Contains(flat, c.want)):
				t.Errorf("expected the plan to stop saying %q, found %v:\n%s", c.want, err, o)
			case c.want == "":
				// With the deployers named, the first plan shows every
				// bucket and key policy (see plannedLater).
				var p plan
				if err := json.Unmarshal([]byte(o), &p); err != nil {
					t.Fatal(err)
				}
				var deferred []string
				for _, rc := range p.ResourceChanges {
					if rc.Mode == "data" {
						deferred = append(deferred, rc.Address)
					}
				}
				if want := []string{"data.aws_iam_policy_document.audit_role_read"}; !slices.Equal(deferred, want) {
					t.Errorf("expected only %v read at apply, found %v", want, deferred)
				}
			}
		})
	}
}

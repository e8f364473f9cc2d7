package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/auditstate"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// exportedFrom maps each exported value to the audit expression it
// re-exports, as fakeOutputs names it.
var exportedFrom = map[string]string{
	auditstate.OutputTrailARN:            "fake:aws_cloudtrail.trail.arn",
	auditstate.OutputTrailName:           "fake:aws_cloudtrail.trail.name",
	auditstate.OutputLogBucketName:       "fake:aws_s3_bucket.log_bucket.bucket",
	auditstate.OutputLogBucketARN:        "fake:aws_s3_bucket.log_bucket.arn",
	auditstate.OutputAccessLogBucketName: "fake:aws_s3_bucket.access_log_bucket.bucket",
	auditstate.OutputKMSKeyARN:           "fake:aws_kms_key.trail_key.arn",
	auditstate.OutputKMSKeyAlias:         "fake:aws_kms_alias.trail_key_alias.name",
	auditstate.OutputAuditGroupName:      "fake:aws_iam_group.audit_group.name",
	auditstate.OutputAuditRoleARN:        "fake:aws_iam_role.audit_role.arn",
	auditstate.OutputLogGroupName:        "fake:aws_cloudwatch_log_group.monitoring_log_group.name",
	auditstate.OutputAlarmTopicARN:       "fake:aws_sns_topic.monitoring_topic.arn",
	auditstate.OutputAccountID:           "fake:data.aws_caller_identity.current_account.account_id",
	auditstate.OutputLogFilesURI:         "s3://fake:aws_s3_bucket.log_bucket.bucket/AWSLogs/fake:data.aws_caller_identity.current_account.account_id/CloudTrail/",
}

// checkExports compares `terraform output -json` of an exports stack with
// the values the fake audit state holds.
func checkExports(t *testing.T, outputJSON string) {
	t.Helper()
	var outputs map[string]struct {
		Value     any  `json:"value"`
		Sensitive bool `json:"sensitive"`
	}
	if err := json.Unmarshal([]byte(outputJSON), &outputs); err != nil {
		t.Fatalf("terraform output -json: %v\n%s", err, outputJSON)
	}
	for name, want := range exportedFrom {
		if got := outputs[name].Value; got != want {
			t.Errorf("exports output %s: expected %q, found %v", name, want, got)
		}
		if outputs[name].Sensitive {
			t.Errorf("exports output %s: expected a readable value, found it marked sensitive", name)
		}
	}
	users, _ := outputs[auditstate.OutputAuditUserNames].Value.([]any)
	if len(users) != 1 || users[0] != "fake:aws_iam_user.audit_user-audit.name" {
		t.Errorf("exports output audit_user_names: expected [fake:aws_iam_user.audit_user-audit.name], found %v", users)
	}
}

// withContext returns the repository's cdktf.json with extra context.
func withContext(t *testing.T, extra map[string]any) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(repoCdktfJSON(t)), &doc); err != nil {
		t.Fatal(err)
	}
	ctx := doc["context"].(map[string]any)
	for k, v := range extra {
		ctx[k] = v
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	return string(b)
}

func synthProject(t *testing.T, cdktfJSON string) string {
	t.Helper()
	dir := project(t, cdktfJSON)
	if code, stdout, stderr := runApp(t, dir); code != 0 {
		t.Fatalf("synth failed with %d\n%s\n%s", code, stdout, stderr)
	}
	return dir
}

// TestS3StateWithRealTerraform writes a state carrying the audit stack's
// real output names through the synthesized S3 backend (lock file and
// all), then applies the synthesized exports stack, which reads it through
// its terraform_remote_state.
func TestS3StateWithRealTerraform(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	tf := terraformCLI(t)
	const bucket = "cle2wa-s3-tfstate-master"
	s3 := startFakeS3(t, bucket)
	dir := synthProject(t, withContext(t, map[string]any{"stateBucket": bucket}))
	stacks := filepath.Join(dir, "cdktf.out", "stacks")
	audit := readJSON(t, filepath.Join(stacks, "audit", "cdk.tf.json"))

	backend, _ := tfjson.Get(audit, "terraform", "backend", "s3").(map[string]any)
	if backend == nil {
		t.Fatalf("expected an S3 backend in the audit stack, found %v", tfjson.Get(audit, "terraform"))
	}
	key, _ := backend["key"].(string)
	if key != "cle2wa/master/audit.tfstate" || backend["use_lockfile"] != true || backend["encrypt"] != true {
		t.Fatalf("expected key cle2wa/master/audit.tfstate with encrypt and use_lockfile, found %v", backend)
	}

	// A stand-in for the audit stack: its real backend block (plus the test
	// endpoint) and outputs of its real names; no AWS provider is needed.
	standIn := filepath.Join(t.TempDir(), "audit")
	writeJSON(t, filepath.Join(standIn, "main.tf.json"), map[string]any{
		"terraform": map[string]any{"backend": map[string]any{"s3": merge(backend, s3.testEndpoint())}},
		"output":    fakeOutputs(audit),
	})
	mustTF(t, tf, standIn, "init", "-no-color")

	// A lock held by someone else stops the apply: the lock file is used.
	s3.object(t, "PUT", bucket, key+".tflock", `{"ID":"held-by-the-test","Operation":"OperationTypeApply","Who":"test"}`)
	out, err := tfRun(t, tf, standIn, "apply", "-auto-approve", "-no-color", "-lock-timeout=0s")
	if err == nil || !strings.Contains(out, "Error acquiring the state lock") || !strings.Contains(out, "held-by-the-test") {
		t.Fatalf("expected the apply to stop on the held lock, found (err %v):\n%s", err, out)
	}
	if slices.Contains(s3.keys(t, bucket), key) {
		t.Fatalf("expected no state written while the lock was held, found %s", key)
	}
	s3.object(t, "DELETE", bucket, key+".tflock", "")

	mustTF(t, tf, standIn, "apply", "-auto-approve", "-no-color", "-lock-timeout=0s")
	keys := s3.keys(t, bucket)
	if !slices.Contains(keys, key) || slices.Contains(keys, key+".tflock") {
		t.Fatalf("expected %s written and its lock released, found objects %v", key, keys)
	}
	var state struct {
		Outputs map[string]struct{ Value any } `json:"outputs"`
	}
	if err := json.Unmarshal(s3.object(t, "GET", bucket, key, ""), &state); err != nil {
		t.Fatal(err)
	}
	if state.Outputs[auditstate.OutputTrailARN].Value != "fake:aws_cloudtrail.trail.arn" {
		t.Fatalf("expected the state to carry trail_arn, found %v", state.Outputs)
	}

	// The synthesized exports stack reads it, with only the test endpoint
	// added to its backend and its terraform_remote_state.
	exports := readJSON(t, filepath.Join(stacks, "exports", "cdk.tf.json"))
	eb := tfjson.Get(exports, "terraform", "backend", "s3").(map[string]any)
	exports["terraform"].(map[string]any)["backend"] = map[string]any{"s3": merge(eb, s3.testEndpoint())}
	remote := tfjson.Get(exports, "data", "terraform_remote_state").(map[string]any)
	for name, r := range remote {
		r := r.(map[string]any)
		if r["backend"] != "s3" || tfjson.Get(r, "config", "key") != key || tfjson.Get(r, "config", "bucket") != bucket {
			t.Fatalf("expected remote state %s to read s3://%s/%s, found %v", name, bucket, key, r)
		}
		r["config"] = merge(r["config"].(map[string]any), s3.testEndpoint())
	}
	consumer := filepath.Join(t.TempDir(), "exports")
	writeJSON(t, filepath.Join(consumer, "main.tf.json"), exports)
	mustTF(t, tf, consumer, "init", "-no-color")
	mustTF(t, tf, consumer, "apply", "-auto-approve", "-no-color")
	checkExports(t, mustTF(t, tf, consumer, "output", "-json"))
	exportsKey := "cle2wa/master/exports.tfstate"
	if keys := s3.keys(t, bucket); !slices.Contains(keys, exportsKey) || slices.Contains(keys, exportsKey+".tflock") {
		t.Errorf("expected %s written and its lock released, found %v", exportsKey, keys)
	}
	// What the README says of the exports state: besides its outputs, it
	// holds the terraform_remote_state data source with every output of
	// the audit stack and the backend configuration used to read it.
	exportsState := string(s3.object(t, "GET", bucket, exportsKey, ""))
	for _, want := range []string{`"type": "terraform_remote_state"`, `"log_group_read_scp"`, `"bucket": "` + bucket + `"`} {
		if !strings.Contains(exportsState, want) {
			t.Errorf("expected the exports state to hold %s, as the README says", want)
		}
	}

	// Another cdktf Go app reads the exports state with package auditstate.
	reader := filepath.Join(t.TempDir(), "reader")
	if err := synthesizeHere(reader, func(app cdktf.App) error {
		stack := cdktf.NewTerraformStack(app, jsii.String("reader"))
		audit, err := auditstate.NewS3(stack, "audit_trail", auditstate.S3{Bucket: bucket, Key: exportsKey, Region: "us-east-1"})
		if err != nil {
			return err
		}
		cdktf.NewTerraformOutput(stack, jsii.String("trail"), &cdktf.TerraformOutputConfig{Value: audit.TrailARN()})
		cdktf.NewTerraformOutput(stack, jsii.String("role"), &cdktf.TerraformOutputConfig{Value: audit.AuditRoleARN()})
		cdktf.NewTerraformOutput(stack, jsii.String("users"), &cdktf.TerraformOutputConfig{Value: audit.AuditUserNames()})
		return nil
	}); err != nil {
		t.Fatalf("synthesizing a reader app: %v", err)
	}
	readerStack := readJSON(t, filepath.Join(reader, "stacks", "reader", "cdk.tf.json"))
	for _, r := range tfjson.Get(readerStack, "data", "terraform_remote_state").(map[string]any) {
		r := r.(map[string]any)
		r["config"] = merge(r["config"].(map[string]any), s3.testEndpoint())
	}
	delete(readerStack["terraform"].(map[string]any), "backend")
	readerDir := filepath.Join(t.TempDir(), "reader")
	writeJSON(t, filepath.Join(readerDir, "main.tf.json"), readerStack)
	mustTF(t, tf, readerDir, "init", "-no-color")
	mustTF(t, tf, readerDir, "apply", "-auto-approve", "-no-color")
	var got map[string]struct{ Value any }
	json.Unmarshal([]byte(mustTF(t, tf, readerDir, "output", "-json")), &got)
	if got["trail"].Value != "fake:aws_cloudtrail.trail.arn" || got["role"].Value != "fake:aws_iam_role.audit_role.arn" {
		t.Errorf("expected the reader to see the exported trail and role ARNs, found %v", got)
	}
	if users, _ := got["users"].Value.([]any); len(users) != 1 || users[0] != "fake:aws_iam_user.audit_user-audit.name" {
		t.Errorf("expected the reader to see the audit user names, found %v", got["users"].Value)
	}
}

// TestLocalStateChain applies the synthesized exports stack where cdktf
// puts it, reading a local audit state at the project root through the
// relative paths of the default backend, and checks that a new synth keeps
// both the state files and Terraform's working files.
func TestLocalStateChain(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	tf := terraformCLI(t)
	dir := synthProject(t, repoCdktfJSON(t))
	stacks := filepath.Join(dir, "cdktf.out", "stacks")
	audit := readJSON(t, filepath.Join(stacks, "audit", "cdk.tf.json"))

	// The stand-in sits as deep as a stack directory, so the audit stack's
	// own relative backend path puts the state where the audit stack would.
	standIn := filepath.Join(dir, "standin", "stacks", "audit")
	writeJSON(t, filepath.Join(standIn, "main.tf.json"), map[string]any{
		"terraform": map[string]any{"backend": tfjson.Get(audit, "terraform", "backend")},
		"output":    fakeOutputs(audit),
	})
	mustTF(t, tf, standIn, "init", "-no-color")
	mustTF(t, tf, standIn, "apply", "-auto-approve", "-no-color")
	if _, err := os.Stat(filepath.Join(dir, "terraform.audit.tfstate")); err != nil {
		t.Fatalf("expected the audit state at the project root: %v", err)
	}

	exports := filepath.Join(stacks, "exports")
	mustTF(t, tf, exports, "init", "-no-color")
	mustTF(t, tf, exports, "apply", "-auto-approve", "-no-color")
	checkExports(t, mustTF(t, tf, exports, "output", "-json"))
	state, err := os.ReadFile(filepath.Join(dir, "terraform.exports.tfstate"))
	if err != nil {
		t.Fatalf("expected the exports state at the project root: %v", err)
	}

	if code, _, stderr := runApp(t, dir); code != 0 {
		t.Fatalf("second synth failed: %s", stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "terraform.exports.tfstate")); string(after) != string(state) {
		t.Errorf("expected a new synth to leave the state file alone")
	}
	if _, err := os.Stat(filepath.Join(exports, ".terraform")); err != nil {
		t.Errorf("expected a new synth to keep the stack's .terraform directory: %v", err)
	}
	// Still initialized: the outputs read again without a new init.
	checkExports(t, mustTF(t, tf, exports, "output", "-json"))
}

// TestBootstrapMigration follows the README: deploy the state stack with
// local state, set stateBucket, synthesize again and migrate the state
// into the bucket with terraform init -migrate-state.
func TestBootstrapMigration(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	tf := terraformCLI(t)
	const bucket = "cle2wa-s3-tfstate-master"
	s3 := startFakeS3(t, bucket)
	dir := synthProject(t, repoCdktfJSON(t))
	local := readJSON(t, filepath.Join(dir, "cdktf.out", "stacks", "state", "cdk.tf.json"))

	// The state stack needs the AWS provider; a stand-in with its real
	// backend blocks and outputs takes its place, as deep as a stack dir.
	standIn := filepath.Join(dir, "standin", "stacks", "state")
	writeJSON(t, filepath.Join(standIn, "main.tf.json"), map[string]any{
		"terraform": map[string]any{"backend": tfjson.Get(local, "terraform", "backend")},
		"output":    fakeOutputs(local),
	})
	mustTF(t, tf, standIn, "init", "-no-color")
	mustTF(t, tf, standIn, "apply", "-auto-approve", "-no-color")

	if err := os.WriteFile(filepath.Join(dir, "cdktf.json"), []byte(withContext(t, map[string]any{"stateBucket": bucket})), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runApp(t, dir); code != 0 {
		t.Fatalf("synth with stateBucket failed: %s", stderr)
	}
	remote := readJSON(t, filepath.Join(dir, "cdktf.out", "stacks", "state", "cdk.tf.json"))
	backend := tfjson.Get(remote, "terraform", "backend", "s3").(map[string]any)
	writeJSON(t, filepath.Join(standIn, "main.tf.json"), map[string]any{
		"terraform": map[string]any{"backend": map[string]any{"s3": merge(backend, s3.testEndpoint())}},
		"output":    fakeOutputs(remote),
	})
	mustTF(t, tf, standIn, "init", "-migrate-state", "-force-copy", "-no-color")

	key := "cle2wa/master/state.tfstate"
	var state struct {
		Outputs map[string]struct{ Value any } `json:"outputs"`
	}
	if err := json.Unmarshal(s3.object(t, "GET", bucket, key, ""), &state); err != nil {
		t.Fatalf("expected the migrated state at %s: %v", key, err)
	}
	if state.Outputs["state_bucket_name"].Value != "fake:aws_s3_bucket.state_bucket.bucket" {
		t.Errorf("expected the migrated state to carry the state stack's outputs, found %v", state.Outputs)
	}
	if out := mustTF(t, tf, standIn, "plan", "-no-color", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Errorf("expected no changes after the migration, found:\n%s", out)
	}
}

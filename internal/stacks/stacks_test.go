package stacks_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/auditstate"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
)

// synthAll synthesizes every stack of the app for s, as the app does, and
// returns each stack's parsed cdk.tf.json by name.
func synthAll(t *testing.T, s settings.Settings) map[string]*tfjson {
	t.Helper()
	app := cdktf.Testing_App(nil)
	if err := stacks.All(app, s); err != nil {
		t.Fatalf("stacks.All: %v", err)
	}
	app.Synth()
	out := map[string]*tfjson{}
	dirs, err := os.ReadDir(filepath.Join(*app.Outdir(), "stacks"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(*app.Outdir(), "stacks", d.Name(), "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("stack %s: %v", d.Name(), err)
		}
		out[d.Name()] = &tfjson{t: t, doc: doc}
	}
	return out
}

func stackNames(m map[string]*tfjson) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func withState(change func(*settings.State)) settings.Settings {
	s := settings.Defaults()
	change(&s.State)
	return s
}

func TestBackends(t *testing.T) {
	const kms = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
	cases := map[string]struct {
		settings settings.Settings
		stacks   []string
		want     func(stack string) map[string]any
	}{
		"local state at the project root": {
			settings.Defaults(), []string{"audit", "exports", "state"},
			func(stack string) map[string]any {
				return map[string]any{"local": map[string]any{"path": "../../../terraform." + stack + ".tfstate"}}
			},
		},
		"S3 with native locking": {
			withState(func(st *settings.State) { st.Bucket = "acme-tfstate" }), []string{"audit", "exports", "state"},
			func(stack string) map[string]any {
				return map[string]any{"s3": map[string]any{"bucket": "acme-tfstate", "key": "cle2wa/master/" + stack + ".tfstate", "region": "us-east-1", "encrypt": true, "use_lockfile": true}}
			},
		},
		"S3 with key, region and KMS key": {
			withState(func(st *settings.State) {
				st.Bucket, st.Key, st.Region, st.KMSKeyID = "acme-tfstate", "platform/audit-trail", "eu-west-1", kms
			}), []string{"audit", "exports", "state"},
			func(stack string) map[string]any {
				return map[string]any{"s3": map[string]any{"bucket": "acme-tfstate", "key": "platform/audit-trail/" + stack + ".tfstate", "region": "eu-west-1", "encrypt": true, "use_lockfile": true, "kms_key_id": kms}}
			},
		},
		"HCP Terraform": {
			withState(func(st *settings.State) { st.TFCOrganization, st.TFCWorkspace = "acme", "audit-trail" }), []string{"audit", "exports"},
			func(stack string) map[string]any {
				return map[string]any{"cloud": map[string]any{"organization": "acme", "workspaces": map[string]any{"name": "audit-trail-" + stack}}}
			},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			all := synthAll(t, c.settings)
			expect(t, "stacks", stackNames(all), c.stacks)
			for stack, j := range all {
				got := dig(j.doc, "terraform", "backend")
				if cloud := dig(j.doc, "terraform", "cloud"); cloud != nil {
					// HCP Terraform is a block of its own, beside any backend.
					if got != nil {
						t.Errorf("%s: expected no backend beside the cloud block, found %v", stack, got)
					}
					got = map[string]any{"cloud": cloud}
				}
				expect(t, stack+" backend", got, c.want(stack))
				if b, ok := dig(got, "s3").(map[string]any); ok {
					if _, dynamo := b["dynamodb_table"]; dynamo {
						t.Errorf("%s: expected S3-native locking without a DynamoDB table, found %v", stack, b)
					}
				}
			}
		})
	}
}

func TestStateStack(t *testing.T) {
	cases := map[string]struct {
		settings     settings.Settings
		bucket, sse  string
		kms          any
		providerZone string
	}{
		"default name, SSE-S3": {settings.Defaults(), "cle2wa-s3-tfstate-master", "AES256", nil, "us-east-1"},
		"named bucket, KMS, own region": {
			withState(func(st *settings.State) {
				st.Bucket, st.Region, st.KMSKeyID = "acme-tfstate", "eu-west-1", "arn:aws:kms:eu-west-1:123456789012:alias/tfstate"
			}),
			"acme-tfstate", "aws:kms", "arn:aws:kms:eu-west-1:123456789012:alias/tfstate", "eu-west-1",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			j := synthAll(t, c.settings)["state"]
			b := "state_bucket"
			bucket := j.resource("aws_s3_bucket", b)
			expect(t, "state bucket name", bucket["bucket"], c.bucket)
			expect(t, "force_destroy", bucket["force_destroy"], false)
			expect(t, "prevent_destroy", dig(bucket, "lifecycle", "prevent_destroy"), true)
			expect(t, "versioning", first(j.resource("aws_s3_bucket_versioning", b+"_versioning")["versioning_configuration"])["status"], "Enabled")
			sse := first(first(j.resource("aws_s3_bucket_server_side_encryption_configuration", b+"_encryption")["rule"])["apply_server_side_encryption_by_default"])
			expect(t, "encryption", sse["sse_algorithm"], c.sse)
			expect(t, "encryption key", sse["kms_master_key_id"], c.kms)
			pab := j.resource("aws_s3_bucket_public_access_block", b+"_public_access")
			for _, flag := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
				expect(t, flag, pab[flag], true)
			}
			expect(t, "ownership", first(j.resource("aws_s3_bucket_ownership_controls", b+"_ownership")["rule"])["object_ownership"], "BucketOwnerEnforced")
			tls := j.statement(b+"_policy", "DenyInsecureTransport")
			expect(t, "TLS-only", condition(tls, "Bool", "aws:SecureTransport"), []string{"false"})
			expect(t, "provider region", first(dig(j.doc, "provider", "aws"))["region"], c.providerZone)
			for _, o := range []string{"state_bucket_name", "state_bucket_arn", "state_bucket_region"} {
				if dig(j.doc, "output", o) == nil {
					t.Errorf("expected output %s, found none", o)
				}
			}
			if j.has("resource", "aws_cloudtrail") || j.has("resource", "aws_kms_key") || j.has("resource", "aws_iam_role") {
				t.Errorf("expected the state stack to hold the state bucket and its access logs only")
			}
			logging := j.resource("aws_s3_bucket_logging", b+"_access_logging")
			expect(t, "state bucket access logging target", logging["target_bucket"], "${aws_s3_bucket.state_access_log_bucket.id}")
			expect(t, "state bucket access logging prefix", logging["target_prefix"], c.bucket+"/")
			expect(t, "state access-log bucket name", j.resource("aws_s3_bucket", "state_access_log_bucket")["bucket"], "cle2wa-s3-tfstate-log-master")
			grant := j.statement("state_access_log_bucket_policy", "S3ServerAccessLogsWrite")
			expect(t, "state access-log grant source", condition(grant, "ArnLike", "aws:SourceArn"), []string{"arn:" + partition + ":s3:::" + c.bucket})
		})
	}
}

// TestExportsReadTheAuditStack follows each exported value back to the
// audit resource attribute it comes from, through the remote state.
func TestExportsReadTheAuditStack(t *testing.T) {
	for name, s := range map[string]settings.Settings{
		"local": settings.Defaults(),
		"S3":    withState(func(st *settings.State) { st.Bucket = "acme-tfstate" }),
	} {
		t.Run(name, func(t *testing.T) {
			all := synthAll(t, s)
			audit, exports := all["audit"], all["exports"]
			if exports.has("provider", "aws") || exports.has("resource", "aws_s3_bucket") {
				t.Errorf("expected the exports stack to have no provider or resources")
			}
			remote, _ := dig(exports.doc, "data", "terraform_remote_state").(map[string]any)
			if len(remote) != 1 {
				t.Fatalf("expected one terraform_remote_state, found %v", remote)
			}
			var ref string
			for r, v := range remote {
				ref = "data.terraform_remote_state." + r + ".outputs."
				backend := dig(audit.doc, "terraform", "backend").(map[string]any)
				for kind, cfg := range backend {
					expect(t, "remote state backend", dig(v, "backend"), kind)
					for k, want := range cfg.(map[string]any) {
						if k == "use_lockfile" {
							continue
						}
						expect(t, "remote state config "+k, dig(v, "config", k), want)
					}
				}
			}
			want := map[string]string{
				auditstate.OutputTrailARN:            "aws_cloudtrail.trail.arn",
				auditstate.OutputTrailName:           "aws_cloudtrail.trail.name",
				auditstate.OutputLogBucketName:       "aws_s3_bucket.log_bucket.bucket",
				auditstate.OutputLogBucketARN:        "aws_s3_bucket.log_bucket.arn",
				auditstate.OutputAccessLogBucketName: "aws_s3_bucket.access_log_bucket.bucket",
				auditstate.OutputKMSKeyARN:           "aws_kms_key.trail_key.arn",
				auditstate.OutputKMSKeyAlias:         "aws_kms_alias.trail_key_alias.name",
				auditstate.OutputAuditGroupName:      "aws_iam_group.audit_group.name",
				auditstate.OutputAuditRoleARN:        "aws_iam_role.audit_role.arn",
				auditstate.OutputLogGroupName:        "aws_cloudwatch_log_group.monitoring_log_group.name",
				auditstate.OutputAlarmTopicARN:       "aws_sns_topic.monitoring_topic.arn",
				auditstate.OutputAccountID:           "data.aws_caller_identity.current_account.account_id",
			}
			// source resolves an exported expression to the audit
			// attribute, or to the list of them, that the audit stack's
			// output of the same name holds.
			source := func(expr string) string {
				inner := strings.TrimSuffix(strings.TrimPrefix(expr, "${"+ref), "}")
				o, _ := dig(audit.doc, "output", inner).(map[string]any)
				v, _ := o["value"].(string)
				if list, ok := o["value"].([]any); ok && len(list) == 1 {
					v, _ = list[0].(string)
				}
				return strings.TrimSuffix(strings.TrimPrefix(v, "${"), "}")
			}
			for name, attr := range want {
				v, _ := dig(exports.doc, "output", name, "value").(string)
				expect(t, "exported "+name+" comes from", source(v), attr)
			}
			users, _ := dig(exports.doc, "output", auditstate.OutputAuditUserNames, "value").(string)
			if source(users) != "aws_iam_user.audit_user-audit.name" {
				t.Errorf("expected audit_user_names from the audit stack's list of aws_iam_user.audit_user-audit.name, found %v", users)
			}
			uri, _ := dig(exports.doc, "output", auditstate.OutputLogFilesURI, "value").(string)
			if !strings.HasPrefix(uri, "s3://${"+ref) || !strings.HasSuffix(uri, "}/CloudTrail/") || !strings.Contains(uri, "}/AWSLogs/${"+ref) {
				t.Errorf("expected log_files_uri s3://<bucket>/AWSLogs/<account>/CloudTrail/, found %q", uri)
			}
		})
	}
}

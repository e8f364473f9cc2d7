package review

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

const goldenOut = "../../testdata/golden"

func goldenStacks(t *testing.T) []Stack {
	t.Helper()
	stacks, err := Load(goldenOut)
	if err != nil {
		t.Fatal(err)
	}
	return stacks
}

// put sets the value at path (objects; an int indexes a list) in raw.
func put(t *testing.T, raw map[string]any, value any, path ...any) {
	t.Helper()
	var cur any = raw
	for i, p := range path {
		last := i == len(path)-1
		switch k := p.(type) {
		case string:
			m := cur.(map[string]any)
			if last {
				if value == nil {
					delete(m, k)
				} else {
					m[k] = value
				}
				return
			}
			cur = m[k]
		case int:
			l := cur.([]any)
			if last {
				l[k] = value
				return
			}
			cur = l[k]
		}
	}
}

func doc(stacks []Stack, name string) *tfjson.Doc {
	for _, s := range stacks {
		if s.Doc.Stack == name {
			return s.Doc
		}
	}
	return nil
}

// expected is what the default stacks meet, with the evidence for the
// controls they do not meet yet.
var expected = map[string]Status{
	"1.15": Pass, "2.1.1": Pass, "2.1.4": Pass, "3.1": Pass, "3.2": Pass, "3.4": Pass, "3.5": Pass, "3.6": Pass,
	"4.1": Pass, "4.2": Pass, "4.3": Pass, "4.4": Pass, "4.5": Pass, "4.6": Pass, "4.7": Pass, "4.8": Pass,
	"4.9": Pass, "4.10": Pass, "4.11": Pass, "4.12": Pass, "4.13": Pass, "4.14": Pass, "4.15": Pass,
	"CloudTrail.1": Pass, "CloudTrail.2": Pass, "CloudTrail.4": Pass, "CloudTrail.5": Pass,
	"CloudTrail.6": Pass, "CloudTrail.7": Pass,
	"S3.1": Fail, // account-level setting, not managed here
	"S3.5": Pass, "S3.8": Pass,
	"S3.9":  Fail, // the access-log and state buckets do not log their own access
	"S3.14": Pass, "KMS.4": Pass, "IAM.2": Pass, "IAM.5": Pass,
}

var sectionFourIDs = []string{"4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11", "4.12", "4.13", "4.14", "4.15"}

func TestControlsOnTheDefaultStacks(t *testing.T) {
	docs := Docs(goldenStacks(t))
	for _, c := range Controls {
		want, ok := expected[c.ID]
		if !ok {
			t.Errorf("control %s has no expected status in this test", c.ID)
			continue
		}
		if r := c.Evaluate(docs); r.Status != want || r.Evidence == "" {
			t.Errorf("%s %s: expected %s with evidence, found %s (%s)", c.Framework, c.ID, want, r.Status, r.Evidence)
		}
	}
}

func TestFlippedPropertiesFailTheirControls(t *testing.T) {
	cases := map[string]struct {
		stack    string
		flip     func(t *testing.T, raw map[string]any)
		controls []string
		evidence string
	}{
		"single-region trail": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, false, "resource", "aws_cloudtrail", "trail", "is_multi_region_trail")
		}, []string{"3.1", "CloudTrail.1"}, "every region"},
		"write-only events": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, "WriteOnly", "resource", "aws_cloudtrail", "trail", "event_selector", 0, "read_write_type")
		}, []string{"3.1", "CloudTrail.1"}, "read and write"},
		"no log file validation": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, false, "resource", "aws_cloudtrail", "trail", "enable_log_file_validation")
		}, []string{"3.2", "CloudTrail.4"}, "validate"},
		"no access logging on the trail bucket": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, nil, "resource", "aws_s3_bucket_logging")
		}, []string{"3.4", "CloudTrail.7", "S3.9"}, "aws_s3_bucket.log_bucket"},
		"no KMS key on the trail": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, nil, "resource", "aws_cloudtrail", "trail", "kms_key_id")
		}, []string{"3.5", "CloudTrail.2"}, "kms_key_id"},
		"AWS managed key on the trail": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, "${data.aws_kms_alias.s3.target_key_arn}", "resource", "aws_cloudtrail", "trail", "kms_key_id")
		}, []string{"3.5", "CloudTrail.2"}, "not a customer-managed key"},
		"key rotation off": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, false, "resource", "aws_kms_key", "trail_key", "enable_key_rotation")
		}, []string{"3.6", "KMS.4"}, "rotate"},
		"HTTP allowed on the state bucket": {"state", func(t *testing.T, r map[string]any) {
			put(t, r, []any{"true"}, "data", "aws_iam_policy_document", "state_bucket_policy", "statement", 0, "condition", 0, "values")
		}, []string{"2.1.1", "S3.5"}, "state:aws_s3_bucket.state_bucket"},
		"public access allowed on the log bucket": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, false, "resource", "aws_s3_bucket_public_access_block", "log_bucket_public_access", "block_public_policy")
		}, []string{"2.1.4", "S3.8", "CloudTrail.6"}, "log_bucket"},
		"log bucket readable by everyone": {"audit", func(t *testing.T, r map[string]any) {
			doc := r["data"].(map[string]any)["aws_iam_policy_document"].(map[string]any)["log_bucket_policy"].(map[string]any)
			doc["statement"] = append(doc["statement"].([]any), map[string]any{
				"sid": "Open", "effect": "Allow", "actions": []any{"s3:GetObject"}, "resources": []any{"*"},
				"principals": []any{map[string]any{"type": "*", "identifiers": []any{"*"}}},
			})
		}, []string{"CloudTrail.6"}, `statement "Open" allows everyone`},
		"versioning suspended": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, "Suspended", "resource", "aws_s3_bucket_versioning", "access_log_bucket_versioning", "versioning_configuration", "status")
		}, []string{"S3.14"}, "access_log_bucket"},
		"policy attached to a user": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, map[string]any{"x": map[string]any{"user": "${aws_iam_user.audit_user_0.name}", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}, "resource", "aws_iam_user_policy_attachment")
		}, []string{"1.15", "IAM.2"}, "aws_iam_user_policy_attachment.x"},
		"user outside the group": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, []any{}, "resource", "aws_iam_group_membership", "audit_group_membership", "users")
		}, []string{"1.15", "IAM.5"}, "audit_user_0"},
		"console password in state": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, map[string]any{"p": map[string]any{"user": "${aws_iam_user.audit_user_0.name}"}}, "resource", "aws_iam_user_login_profile")
		}, []string{"IAM.5"}, "aws_iam_user_login_profile.p"},
		"no MFA enforcement": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, []any{"true"}, "data", "aws_iam_policy_document", "audit_group_policy", "statement", 2, "condition", 0, "values")
		}, []string{"IAM.5"}, "does not deny actions without MFA"},
		"no trail at all": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, nil, "resource", "aws_cloudtrail")
		}, append([]string{"3.1", "3.2", "3.4", "3.5", "CloudTrail.1", "CloudTrail.2", "CloudTrail.4", "CloudTrail.5", "CloudTrail.6", "CloudTrail.7"}, sectionFourIDs...), "no aws_cloudtrail"},
		"no CloudWatch Logs delivery": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, nil, "resource", "aws_cloudtrail", "trail", "cloud_watch_logs_group_arn")
		}, append([]string{"CloudTrail.5"}, sectionFourIDs...), "CloudWatch Logs"},
		"root usage pattern weakened": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, `{ $.userIdentity.type = "Root" }`, "resource", "aws_cloudwatch_log_metric_filter", "monitoring_filter_root_account_usage", "pattern")
		}, []string{"4.3"}, "no metric filter with the CIS 4.3 pattern"},
		"alarm without a topic": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, []any{}, "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_vpc_changes", "alarm_actions")
		}, []string{"4.14"}, "aws_cloudwatch_metric_alarm.monitoring_alarm_vpc_changes notifies no SNS topic"},
		"alarm on another metric": {"audit", func(t *testing.T, r map[string]any) {
			put(t, r, "SomethingElse", "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_iam_policy_changes", "metric_name")
		}, []string{"4.4"}, "monitoring_filter_iam_policy_changes has no alarm"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			stacks := goldenStacks(t)
			c.flip(t, doc(stacks, c.stack).Raw())
			docs := Docs(stacks)
			for _, ctl := range Controls {
				r := ctl.Evaluate(docs)
				flipped := false
				for _, id := range c.controls {
					flipped = flipped || id == ctl.ID
				}
				switch {
				case flipped && (r.Status != Fail || !strings.Contains(r.Evidence, c.evidence)):
					t.Errorf("%s: expected FAIL naming %q, found %s (%s)", ctl.ID, c.evidence, r.Status, r.Evidence)
				case !flipped && r.Status != expected[ctl.ID]:
					t.Errorf("%s: expected it to stay %s, found %s (%s)", ctl.ID, expected[ctl.ID], r.Status, r.Evidence)
				}
			}
		})
	}
}

func TestReport(t *testing.T) {
	stacks := goldenStacks(t)
	stacks[0].Annotations = append(stacks[0].Annotations, Annotation{Path: "audit/access_log_bucket/Default", Level: "INFO", Message: "suppressed BUCKET-VERSIONING: the test says so, for a reason long enough"})
	scans := []Scan{{Scanner: "trivy config", Findings: []ScanFinding{
		{ID: "AVD-AWS-0089", Severity: "LOW", Title: "Bucket has logging disabled", Resource: "aws_s3_bucket.access_log_bucket", Target: "audit", Ignored: "it is the target of access logs"},
		{ID: "AVD-AWS-0132", Severity: "HIGH", Title: "Bucket does not encrypt data with a customer managed key", Resource: "aws_s3_bucket.access_log_bucket", Target: "audit"},
		{ID: "AVD-AWS-0132", Severity: "HIGH", Title: "Bucket does not encrypt data with a customer managed key", Resource: "aws_s3_bucket.state_bucket", Target: "state"},
	}}}
	var b bytes.Buffer
	if err := Write(&b, stacks, scans); err != nil {
		t.Fatal(err)
	}
	report := b.String()
	if b.Len() >= MaxBytes {
		t.Errorf("expected the report under %d bytes for a PR comment, found %d", MaxBytes, b.Len())
	}
	for _, want := range []string{
		"| CIS | 3.1 | CloudTrail is enabled in all regions | **PASS** |",
		"| Security Hub | CloudTrail.5 | CloudTrail trails are integrated with CloudWatch Logs | **PASS** |",
		"| CIS | 4.3 | Metric filter and alarm: Use of the \"root\" account | **PASS** |",
		"- `aws_cloudtrail.trail`: ",
		"is_multi_region_trail=true",
		"`DenyDecryptToAllOthers` Deny *: * to kms:Decrypt, kms:ReEncryptFrom on * if ArnNotEquals aws:PrincipalArn ${aws_iam_role.audit_role.arn} and Bool aws:PrincipalIsAWSService false",
		"## Stack `state`",
		"Reads `data.terraform_remote_state.cross-stack-reference-input-audit`: local (path=../../../terraform.audit.tfstate)",
		"- `audit/access_log_bucket/Default` BUCKET-VERSIONING: the test says so",
		"trivy config: 3 findings, 2 of them unexplained.",
		"| AVD-AWS-0132 | HIGH | audit aws_s3_bucket.access_log_bucket, state aws_s3_bucket.state_bucket |",
		"| AVD-AWS-0089 | LOW | audit aws_s3_bucket.access_log_bucket | Bucket has logging disabled | it is the target of access logs |",
		"**none: fix it or explain it**",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("expected the report to contain %q", want)
		}
	}
	if strings.Contains(report, "/work/") || strings.Contains(report, os.TempDir()) {
		t.Errorf("expected no host paths in the report")
	}
}

func TestParseIgnores(t *testing.T) {
	good := "# The access-log bucket is the target of server access logs;\n# logging its own access would loop.\nAVD-AWS-0089\n\n# reason two\nAVD-AWS-0132 exp:2027-01-01\n"
	ig, err := ParseIgnores(".trivyignore", []byte(good))
	if err != nil {
		t.Fatalf("expected a valid file, found %v", err)
	}
	if ig.explain("AWS-0089") != "The access-log bucket is the target of server access logs; logging its own access would loop." || ig.explain("AVD-AWS-0132") != "reason two" {
		t.Errorf("expected each ID with its reason, found %v", ig)
	}
	_, err = ParseIgnores(".trivyignore", []byte("# reason\nAVD-AWS-0001\n\nAVD-AWS-0002\n"))
	if err == nil || !strings.Contains(err.Error(), ".trivyignore:4: AVD-AWS-0002 is ignored without a reason") {
		t.Errorf("expected an entry without a reason to be refused with its line, found %v", err)
	}
}

func TestCommittedTrivyIgnoreExplainsEveryEntry(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".trivyignore"))
	if err != nil {
		t.Skipf("no .trivyignore: %v", err)
	}
	if _, err := ParseIgnores(".trivyignore", data); err != nil {
		t.Error(err)
	}
}

func TestLoadScans(t *testing.T) {
	dir := t.TempDir()
	trivy := filepath.Join(dir, "trivy.json")
	tfsec := filepath.Join(dir, "tfsec.json")
	ignore := filepath.Join(dir, ".trivyignore")
	os.WriteFile(trivy, []byte(`{"Results": [{"Target": "audit"}, {"Target": "audit/cdk.tf.json", "Misconfigurations": [
		{"ID": "AWS-0089", "Title": "S3 Bucket Logging", "Severity": "LOW", "Status": "FAIL", "CauseMetadata": {"Resource": "aws_s3_bucket.access_log_bucket"}},
		{"ID": "AWS-0086", "Title": "passed", "Severity": "HIGH", "Status": "PASS", "CauseMetadata": {"Resource": "aws_s3_bucket.log_bucket"}}]}]}`), 0o644)
	os.WriteFile(tfsec, []byte(`{"results": [{"rule_id": "AVD-AWS-0162", "long_id": "aws-cloudtrail-ensure-cloudwatch-integration", "rule_description": "CloudWatch", "severity": "LOW", "resource": "aws_cloudtrail.trail", "location": {"filename": "/home/ci/project/cdktf.out/stacks/audit/cdk.tf.json"}}]}`), 0o644)
	os.WriteFile(ignore, []byte("# the target of access logs\nAVD-AWS-0089\n"), 0o644)
	scans, err := LoadScans([]string{trivy}, []string{tfsec}, ignore)
	if err != nil {
		t.Fatal(err)
	}
	want := []Scan{
		{Scanner: "trivy config", Findings: []ScanFinding{{ID: "AWS-0089", Severity: "LOW", Title: "S3 Bucket Logging", Resource: "aws_s3_bucket.access_log_bucket", Target: "audit", Ignored: "the target of access logs"}}},
		{Scanner: "tfsec", Findings: []ScanFinding{{ID: "AVD-AWS-0162", Severity: "LOW", Title: "CloudWatch", Resource: "aws_cloudtrail.trail", Target: "audit"}}},
	}
	if fmt.Sprint(scans) != fmt.Sprint(want) {
		t.Errorf("expected %+v, found %+v", want, scans)
	}
}

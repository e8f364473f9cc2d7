package guard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// golden parses a stack of the reviewed default synth.
func golden(t *testing.T, stack string) *tfjson.Doc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "golden", "stacks", stack, "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tfjson.Parse(stack, b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// set replaces the value at path (through objects; an int segment indexes
// a list), creating nothing: a missing path fails the test.
func set(t *testing.T, root map[string]any, value any, path ...any) {
	t.Helper()
	var cur any = root
	for i, p := range path {
		last := i == len(path)-1
		switch key := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("path %v: %v is not an object", path[:i+1], cur)
			}
			if last {
				if value == nil {
					delete(m, key)
				} else {
					m[key] = value
				}
				return
			}
			cur = m[key]
		case int:
			l, ok := cur.([]any)
			if !ok || key >= len(l) {
				t.Fatalf("path %v: no element %d", path[:i+1], key)
			}
			if last {
				l[key] = value
				return
			}
			cur = l[key]
		}
	}
}

const keyPolicy = "aws_iam_policy_document"

func TestRulesPassOnTheStacks(t *testing.T) {
	for _, stack := range []string{"audit", "state", "exports"} {
		if f := Check(golden(t, stack)); len(f) != 0 {
			t.Errorf("expected the %s stack to pass every rule, found %v", stack, f)
		}
	}
}

func TestEachRuleCatchesItsBreach(t *testing.T) {
	cases := map[string]struct {
		breach  func(t *testing.T, r map[string]any)
		address string
		message string
	}{
		"TRAIL-MULTI-REGION": {func(t *testing.T, r map[string]any) {
			set(t, r, false, "resource", "aws_cloudtrail", "trail", "is_multi_region_trail")
		}, "aws_cloudtrail.trail", "every region"},
		"TRAIL-GLOBAL-EVENTS": {func(t *testing.T, r map[string]any) {
			set(t, r, nil, "resource", "aws_cloudtrail", "trail", "include_global_service_events")
		}, "aws_cloudtrail.trail", "global service events"},
		"TRAIL-LOG-VALIDATION": {func(t *testing.T, r map[string]any) {
			set(t, r, "false", "resource", "aws_cloudtrail", "trail", "enable_log_file_validation")
		}, "aws_cloudtrail.trail", "validate its log files"},
		"TRAIL-LOGGING": {func(t *testing.T, r map[string]any) {
			set(t, r, false, "resource", "aws_cloudtrail", "trail", "enable_logging")
		}, "aws_cloudtrail.trail", "must be logging"},
		"TRAIL-KMS": {func(t *testing.T, r map[string]any) {
			set(t, r, nil, "resource", "aws_cloudtrail", "trail", "kms_key_id")
		}, "aws_cloudtrail.trail", "KMS key"},
		"TRAIL-MANAGEMENT-EVENTS": {func(t *testing.T, r map[string]any) {
			set(t, r, "WriteOnly", "resource", "aws_cloudtrail", "trail", "event_selector", 0, "read_write_type")
		}, "aws_cloudtrail.trail", "read and write management events"},
		"TRAIL-ORDERED": {func(t *testing.T, r map[string]any) {
			set(t, r, []any{"aws_kms_key.trail_key", "aws_iam_role_policy.monitoring_role_policy"}, "resource", "aws_cloudtrail", "trail", "depends_on")
		}, "aws_cloudtrail.trail", "depend on aws_s3_bucket_policy.log_bucket_policy"},
		"TRAIL-BUCKET-KMS": {func(t *testing.T, r map[string]any) {
			set(t, r, "AES256", "resource", "aws_s3_bucket_server_side_encryption_configuration", "log_bucket_encryption", "rule", 0, "apply_server_side_encryption_by_default", "sse_algorithm")
		}, "aws_s3_bucket.log_bucket", "with the trail's key aws_kms_key.trail_key"},
		"TRAIL-BUCKET-LOGGING": {func(t *testing.T, r map[string]any) {
			set(t, r, nil, "resource", "aws_s3_bucket_logging")
		}, "aws_s3_bucket.log_bucket", "log every access"},
		"BUCKET-TLS-ONLY": {func(t *testing.T, r map[string]any) {
			set(t, r, []any{"true"}, "data", keyPolicy, "log_bucket_policy", "statement", 0, "condition", 0, "values")
		}, "aws_s3_bucket.log_bucket", "aws:SecureTransport"},
		"BUCKET-PUBLIC-ACCESS": {func(t *testing.T, r map[string]any) {
			set(t, r, false, "resource", "aws_s3_bucket_public_access_block", "access_log_bucket_public_access", "restrict_public_buckets")
		}, "aws_s3_bucket.access_log_bucket", "all four flags"},
		"BUCKET-VERSIONING": {func(t *testing.T, r map[string]any) {
			set(t, r, "Suspended", "resource", "aws_s3_bucket_versioning", "log_bucket_versioning", "versioning_configuration", "status")
		}, "aws_s3_bucket.log_bucket", "versioned"},
		"BUCKET-ENCRYPTION": {func(t *testing.T, r map[string]any) {
			set(t, r, nil, "resource", "aws_s3_bucket_server_side_encryption_configuration", "access_log_bucket_encryption")
		}, "aws_s3_bucket.access_log_bucket", "default encryption"},
		"BUCKET-PROTECTED": {func(t *testing.T, r map[string]any) {
			set(t, r, true, "resource", "aws_s3_bucket", "log_bucket", "force_destroy")
		}, "aws_s3_bucket.log_bucket", "force_destroy must be false"},
		"BUCKET-SOURCE-ARN": {func(t *testing.T, r map[string]any) {
			set(t, r, []any{map[string]any{"test": "StringEquals", "variable": "s3:x-amz-acl", "values": []any{"bucket-owner-full-control"}}},
				"data", keyPolicy, "log_bucket_policy", "statement", 2, "condition")
		}, "aws_s3_bucket.log_bucket", `"CloudTrailWrite" grants an AWS service without aws:SourceArn`},
		"BUCKET-RETENTION": {func(t *testing.T, r map[string]any) {
			set(t, r, []any{map[string]any{"days": 90.0}}, "resource", "aws_s3_bucket_lifecycle_configuration", "log_bucket_lifecycle", "rule", 0, "expiration")
		}, "aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle", "after 90 days"},
		"KEY-ROTATION": {func(t *testing.T, r map[string]any) {
			set(t, r, false, "resource", "aws_kms_key", "trail_key", "enable_key_rotation")
		}, "aws_kms_key.trail_key", "must rotate"},
		"KEY-PROTECTED": {func(t *testing.T, r map[string]any) {
			set(t, r, 7.0, "resource", "aws_kms_key", "trail_key", "deletion_window_in_days")
		}, "aws_kms_key.trail_key", "deletion_window_in_days is 7"},
		"KEY-NO-DECRYPT-FOR-ALL": {func(t *testing.T, r map[string]any) {
			set(t, r, []any{"kms:*"}, "data", keyPolicy, "trail_key_policy", "statement", 0, "actions")
		}, "aws_kms_key.trail_key", `"AccountAdministersKeyWithoutUse" lets the whole account decrypt`},
		"KEY-SOURCE-ARN": {func(t *testing.T, r map[string]any) {
			set(t, r, nil, "data", keyPolicy, "trail_key_policy", "statement", 2, "condition")
		}, "aws_kms_key.trail_key", `"CloudTrailDescribesKey" grants an AWS service without aws:SourceArn, aws:SourceAccount or an encryption context`},
		"IAM-NO-CREDENTIALS": {func(t *testing.T, r map[string]any) {
			set(t, r, map[string]any{"key": map[string]any{"user": "${aws_iam_user.audit_user_0.name}"}}, "resource", "aws_iam_access_key")
		}, "aws_iam_access_key.key", "secret into Terraform state"},
		"IAM-NO-USER-POLICIES": {func(t *testing.T, r map[string]any) {
			set(t, r, map[string]any{"direct": map[string]any{"user": "user-audit", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}}, "resource", "aws_iam_user_policy_attachment")
		}, "aws_iam_user_policy_attachment.direct", "give them to a group"},
		"IAM-ROLE-MFA": {func(t *testing.T, r map[string]any) {
			set(t, r, []any{map[string]any{"test": "ArnEquals", "variable": "aws:PrincipalArn", "values": []any{"x"}}},
				"data", keyPolicy, "audit_role_trust", "statement", 0, "condition")
		}, "aws_iam_role.audit_role", "without MFA"},
		"LOGS-KMS": {func(t *testing.T, r map[string]any) {
			set(t, r, nil, "resource", "aws_cloudwatch_log_group", "monitoring_log_group", "kms_key_id")
		}, "aws_cloudwatch_log_group.monitoring_log_group", "customer-managed key"},
		"LOGS-RETENTION": {func(t *testing.T, r map[string]any) {
			set(t, r, 90.0, "resource", "aws_cloudwatch_log_group", "monitoring_log_group", "retention_in_days")
		}, "aws_cloudwatch_log_group.monitoring_log_group", "retention_in_days is 90"},
		"TOPIC-KMS": {func(t *testing.T, r map[string]any) {
			set(t, r, "alias/aws/sns", "resource", "aws_sns_topic", "monitoring_topic", "kms_master_key_id")
		}, "aws_sns_topic.monitoring_topic", "customer-managed key"},
		"ALARM-ACTIONS": {func(t *testing.T, r map[string]any) {
			set(t, r, false, "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_root_account_usage", "actions_enabled")
		}, "aws_cloudwatch_metric_alarm.monitoring_alarm_root_account_usage", "notify someone"},
		"IAM-GROUP-MFA": {func(t *testing.T, r map[string]any) {
			set(t, r, []any{"true"}, "data", keyPolicy, "audit_group_policy", "statement", 2, "condition", 0, "values")
		}, "aws_iam_group.audit_group", "deny all but MFA enrolment"},
	}
	for _, rule := range Rules {
		c, ok := cases[rule.ID]
		if !ok {
			t.Errorf("rule %s has no failing case in this test", rule.ID)
			continue
		}
		t.Run(rule.ID, func(t *testing.T) {
			d := golden(t, "audit")
			c.breach(t, d.Raw())
			findings := rule.Check(d)
			if len(findings) == 0 {
				t.Fatalf("expected %s to catch the breach, found nothing", rule.ID)
			}
			f := findings[0]
			if f.Address != c.address || !strings.Contains(f.Message, c.message) || f.Rule != rule.ID {
				t.Errorf("expected %s at %s saying %q, found %+v", rule.ID, c.address, c.message, f)
			}
			if f.Path == f.Address && strings.HasPrefix(f.Address, "aws_") && f.Address != "aws_iam_access_key.key" && f.Address != "aws_iam_user_policy_attachment.direct" {
				t.Errorf("expected the finding to carry the construct path, found %q", f.Path)
			}
			// Every other rule still passes: each breach trips one rule only.
			for _, other := range Rules {
				if other.ID != rule.ID {
					if extra := other.Check(d); len(extra) != 0 {
						t.Errorf("breaking %s also broke %s: %v", rule.ID, other.ID, extra)
					}
				}
			}
		})
	}
}

func TestTrailWaitsForItsCloudWatchRole(t *testing.T) {
	d := golden(t, "audit")
	deps := tfjson.Strings(d.Raw()["resource"].(map[string]any)["aws_cloudtrail"].(map[string]any)["trail"].(map[string]any)["depends_on"])
	var kept []any
	for _, dep := range deps {
		if dep != "aws_iam_role_policy.monitoring_role_policy" {
			kept = append(kept, dep)
		}
	}
	set(t, d.Raw(), kept, "resource", "aws_cloudtrail", "trail", "depends_on")
	for _, r := range Rules {
		if r.ID != "TRAIL-ORDERED" {
			continue
		}
		f := r.Check(d)
		if len(f) != 1 || !strings.Contains(f[0].Message, "depend on aws_iam_role_policy.monitoring_role_policy") {
			t.Errorf("expected TRAIL-ORDERED to ask for the CloudWatch Logs role policy, found %v", f)
		}
	}
}

func TestSuppressionCovers(t *testing.T) {
	s := Suppression{Path: "audit/log_bucket", Rule: "BUCKET-VERSIONING", Reason: "a reason"}
	cases := map[string]struct {
		f    Finding
		want bool
	}{
		"the construct itself":    {Finding{Rule: "BUCKET-VERSIONING", Path: "audit/log_bucket"}, true},
		"a construct inside":      {Finding{Rule: "BUCKET-VERSIONING", Path: "audit/log_bucket/Default"}, true},
		"a sibling with a prefix": {Finding{Rule: "BUCKET-VERSIONING", Path: "audit/log_bucket_other/Default"}, false},
		"another rule":            {Finding{Rule: "BUCKET-TLS-ONLY", Path: "audit/log_bucket/Default"}, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := s.Covers(c.f); got != c.want {
				t.Errorf("expected Covers=%v for %+v, found %v", c.want, c.f, got)
			}
		})
	}
	parsed, ok := ParseSuppression("audit/trail", SuppressedPrefix+"TRAIL-MULTI-REGION: why: it matters")
	if !ok || parsed != (Suppression{Path: "audit/trail", Rule: "TRAIL-MULTI-REGION", Reason: "why: it matters"}) {
		t.Errorf("expected the annotation parsed, found %+v %v", parsed, ok)
	}
	if _, ok := ParseSuppression("audit/trail", "some other note"); ok {
		t.Errorf("expected another annotation not to parse as a suppression")
	}
}

package check

import (
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// expected is what the default stacks meet.
var expected = map[string]Status{
	"1.15": Pass, "2.1.1": Pass, "2.1.4": Pass, "3.1": Pass, "3.2": Pass, "3.4": Pass, "3.5": Pass, "3.6": Pass,
	// Section 4 fails until someone is subscribed to the alarm topic
	// (alarmEmails is empty by default): the benchmark's audit procedure
	// asks for an active subscription.
	"4.1": Fail, "4.2": Fail, "4.3": Fail, "4.4": Fail, "4.5": Fail, "4.6": Fail, "4.7": Fail, "4.8": Fail,
	"4.9": Fail, "4.10": Fail, "4.11": Fail, "4.12": Fail, "4.13": Fail, "4.14": Fail, "4.15": Fail,
	"CloudTrail.1": Pass, "CloudTrail.2": Pass, "CloudTrail.4": Pass, "CloudTrail.5": Pass,
	"CloudTrail.6": Pass, "CloudTrail.7": Pass,
	"S3.1": Fail, // account-level setting, not managed here
	"S3.5": Pass, "S3.8": Pass,
	"S3.9":  Fail, // the access-log buckets do not log their own access
	"S3.14": Pass, "KMS.4": Pass, "IAM.2": Pass, "IAM.5": Pass,
	"v1.4.0 3.3": Pass, "v1.4.0 3.4": Pass,
	"AT.1": Pass, "AT.2": Pass,
	"AT.3": Fail, // as section 4: alarms that notify no one
	"AT.4": Fail, // a trail of this account only, by default
}

var sectionFourIDs = []string{"4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11", "4.12", "4.13", "4.14", "4.15"}

func TestControlsOnTheDefaultStacks(t *testing.T) {
	r := Run(golden(t))
	for _, c := range Controls {
		want, ok := expected[c.ID]
		if !ok {
			t.Errorf("control %s has no expected status in this test", c.ID)
			continue
		}
		if v := r.Control(c); v.Status != want || v.Evidence == "" {
			t.Errorf("%s %s: expected %s with evidence, found %s (%s)", c.Framework, c.ID, want, v.Status, v.Evidence)
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
			set(t, r, false, "resource", "aws_cloudtrail", "trail", "is_multi_region_trail")
		}, []string{"3.1", "CloudTrail.1"}, "every region"},
		"write-only events": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, "WriteOnly", "resource", "aws_cloudtrail", "trail", "event_selector", 0, "read_write_type")
		}, []string{"3.1", "CloudTrail.1"}, "read and write"},
		"no log file validation": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, false, "resource", "aws_cloudtrail", "trail", "enable_log_file_validation")
		}, []string{"3.2", "CloudTrail.4"}, "validate"},
		"no access logging on the trail bucket": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, nil, "resource", "aws_s3_bucket_logging")
		}, []string{"3.4", "CloudTrail.7", "S3.9"}, "aws_s3_bucket.log_bucket"},
		"no KMS key on the trail": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, nil, "resource", "aws_cloudtrail", "trail", "kms_key_id")
		}, []string{"3.5", "CloudTrail.2"}, "kms_key_id"},
		"AWS managed key on the trail": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, "${data.aws_kms_alias.s3.target_key_arn}", "resource", "aws_cloudtrail", "trail", "kms_key_id")
		}, []string{"3.5", "CloudTrail.2"}, "not a customer-managed key"},
		"key rotation off": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, false, "resource", "aws_kms_key", "trail_key", "enable_key_rotation")
		}, []string{"3.6", "KMS.4"}, "rotate"},
		"HTTP allowed on the state bucket": {"state", func(t *testing.T, r map[string]any) {
			set(t, r, []any{"true"}, "data", "aws_iam_policy_document", "state_bucket_policy", "statement", 0, "condition", 0, "values")
		}, []string{"2.1.1", "S3.5"}, "state:aws_s3_bucket.state_bucket"},
		"public access allowed on the log bucket": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, false, "resource", "aws_s3_bucket_public_access_block", "log_bucket_public_access", "block_public_policy")
		}, []string{"2.1.4", "S3.8", "CloudTrail.6", "v1.4.0 3.3"}, "log_bucket"},
		"log bucket readable by everyone": {"audit", func(t *testing.T, r map[string]any) {
			p := r["data"].(map[string]any)["aws_iam_policy_document"].(map[string]any)["log_bucket_policy"].(map[string]any)
			p["statement"] = append(p["statement"].([]any), map[string]any{
				"sid": "Open", "effect": "Allow", "actions": []any{"s3:GetObject"}, "resources": []any{"*"},
				"principals": []any{map[string]any{"type": "*", "identifiers": []any{"*"}}},
			})
		}, []string{"CloudTrail.6", "v1.4.0 3.3"}, `statement "Open" allows everyone`},
		"versioning suspended": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, "Suspended", "resource", "aws_s3_bucket_versioning", "access_log_bucket_versioning", "versioning_configuration", "status")
		}, []string{"S3.14"}, "access_log_bucket"},
		"policy attached to a user": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, map[string]any{"x": map[string]any{"user": "${aws_iam_user.audit_user-audit.name}", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}, "resource", "aws_iam_user_policy_attachment")
		}, []string{"1.15", "IAM.2"}, "aws_iam_user_policy_attachment.x"},
		"user outside the group": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, []any{}, "resource", "aws_iam_group_membership", "audit_group_membership", "users")
		}, []string{"1.15", "IAM.5"}, "audit_user-audit"},
		"console password in state": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, map[string]any{"p": map[string]any{"user": "${aws_iam_user.audit_user-audit.name}"}}, "resource", "aws_iam_user_login_profile")
		}, []string{"IAM.5"}, "aws_iam_user_login_profile.p"},
		"no MFA enforcement": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, []any{"true"}, "data", "aws_iam_policy_document", "audit_group_policy", "statement", 6, "condition", 0, "values")
		}, []string{"IAM.5"}, "does not deny actions without MFA"},
		"no trail at all": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, nil, "resource", "aws_cloudtrail")
		}, append([]string{"3.1", "3.2", "3.4", "3.5", "CloudTrail.1", "CloudTrail.2", "CloudTrail.4", "CloudTrail.5", "CloudTrail.6", "CloudTrail.7", "v1.4.0 3.3", "v1.4.0 3.4", "AT.1", "AT.3"}, sectionFourIDs...), "no aws_cloudtrail"},
		"no CloudWatch Logs delivery": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, nil, "resource", "aws_cloudtrail", "trail", "cloud_watch_logs_group_arn")
		}, append([]string{"CloudTrail.5", "v1.4.0 3.4", "AT.3"}, sectionFourIDs...), "CloudWatch Logs"},
		"no Object Lock": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, nil, "resource", "aws_s3_bucket_object_lock_configuration")
		}, []string{"AT.1"}, "no Object Lock"},
		"Object Lock on the access-log bucket": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, true, "resource", "aws_s3_bucket", "access_log_bucket", "object_lock_enabled")
		}, []string{"3.4", "CloudTrail.7"}, "has Object Lock"},
		"evidence deny spares everyone": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, nil, "data", "aws_iam_policy_document", "log_bucket_policy", "statement", 1, "condition")
		}, []string{"AT.2"}, "log_bucket"},
		"an alarm that never fires": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, 1e9, "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_iam_policy_changes", "threshold")
		}, []string{"4.4"}, "does not fire on one event"},
		"a watch alarm that never fires": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, 1e9, "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_audit_user_credentials", "threshold")
		}, []string{"AT.3"}, "matches UpdateLoginProfile"},
		"key policy changes unwatched": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, `{ $.eventSource = "kms.amazonaws.com" && $.eventName = "Decrypt" }`, "resource", "aws_cloudwatch_log_metric_filter", "monitoring_filter_key_policy_changes_1", "pattern")
		}, []string{"AT.3"}, "matches PutKeyPolicy"},
		"root usage pattern weakened": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, `{ $.userIdentity.type = "Root" }`, "resource", "aws_cloudwatch_log_metric_filter", "monitoring_filter_root_account_usage", "pattern")
		}, []string{"4.3"}, "no metric filter with the CIS 4.3 pattern"},
		"alarm without a topic": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, []any{}, "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_vpc_changes", "alarm_actions")
		}, []string{"4.14"}, "aws_cloudwatch_metric_alarm.monitoring_alarm_vpc_changes notifies no SNS topic"},
		"alarm on another metric": {"audit", func(t *testing.T, r map[string]any) {
			set(t, r, "SomethingElse", "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_iam_policy_changes", "metric_name")
		}, []string{"4.4"}, "monitoring_filter_iam_policy_changes has no alarm"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out := golden(t)
			c.flip(t, out.Stack(c.stack).Raw())
			r := Run(out)
			for _, ctl := range Controls {
				v := r.Control(ctl)
				flipped := slices.Contains(c.controls, ctl.ID)
				switch {
				case flipped && (v.Status != Fail || !strings.Contains(v.Evidence, c.evidence)):
					t.Errorf("%s: expected FAIL naming %q, found %s (%s)", ctl.ID, c.evidence, v.Status, v.Evidence)
				case !flipped && v.Status != expected[ctl.ID]:
					t.Errorf("%s: expected it to stay %s, found %s (%s)", ctl.ID, expected[ctl.ID], v.Status, v.Evidence)
				}
			}
		})
	}
}

func TestControlWithoutSubjectsDoesNotApply(t *testing.T) {
	out := golden(t)
	out.Stacks = []*tfjson.Doc{out.Stack("exports")}
	r := Run(out)
	if v := r.Control(HubIAM2); v.Status != NotApplicable || !strings.Contains(v.Evidence, "no aws_iam_user in the stacks") {
		t.Errorf("expected IAM.2 NOT APPLICABLE without users, found %v", v)
	}
	if v := r.Control(CIS31); v.Status != Fail || !strings.Contains(v.Evidence, noTrail) {
		t.Errorf("expected CIS 3.1 to FAIL without a trail, found %v", v)
	}
}

func TestSubscriberMakesSectionFourPass(t *testing.T) {
	out := golden(t)
	set(t, out.Stack("audit").Raw(), map[string]any{"someone": map[string]any{
		"topic_arn": "${aws_sns_topic.monitoring_topic.arn}", "protocol": "email", "endpoint": "security@example.com",
	}}, "resource", "aws_sns_topic_subscription")
	r := Run(out)
	for _, c := range Section4 {
		if v := r.Control(c); v.Status != Pass {
			t.Errorf("CIS %s: expected PASS with a subscriber, found %s (%s)", c.ID, v.Status, v.Evidence)
		}
	}
	if v := r.Control(BeyondTakeover); v.Status != Pass {
		t.Errorf("AT.3: expected PASS with a subscriber, found %s (%s)", v.Status, v.Evidence)
	}
	if a := r.Advised(); len(a) != 0 {
		t.Errorf("expected no advice with a subscriber, found %v", a)
	}
}

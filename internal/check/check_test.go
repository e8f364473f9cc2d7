package check

import (
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// golden loads the reviewed default synth.
func golden(t *testing.T) *tfjson.Synthesis {
	t.Helper()
	out, err := tfjson.Load("../../testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// set changes the parsed stack; a path that does not exist fails the test.
func set(t *testing.T, raw map[string]any, value any, path ...any) {
	t.Helper()
	if err := tfjson.Set(raw, value, path...); err != nil {
		t.Fatal(err)
	}
}

const doc = "aws_iam_policy_document"

// expectedFailures are the checks that fail on the default stacks, none
// of them blocking: the access-log buckets do not log their own access,
// and nobody is subscribed to the alarm topic until alarmEmails is set.
var expectedFailures = map[string][]string{
	"BUCKET-ACCESS-LOGGING": {"audit:aws_s3_bucket.access_log_bucket", "state:aws_s3_bucket.state_access_log_bucket"},
	"ALARM-SUBSCRIBERS":     {"audit:aws_sns_topic.monitoring_topic"},
	// The default trail records its own account (organizationTrail off).
	"TRAIL-ORGANIZATION": {"audit:aws_cloudtrail.trail"},
}

func TestPackOnTheDefaultStacks(t *testing.T) {
	r := Run(golden(t))
	if b := r.Blocking(); len(b) != 0 {
		t.Errorf("expected no blocking failure on the default stacks, found %v", b)
	}
	got := map[string][]string{}
	for _, f := range r.Failures() {
		got[f.Check.ID] = append(got[f.Check.ID], f.Located())
	}
	for id, want := range expectedFailures {
		if !slices.Equal(got[id], want) {
			t.Errorf("%s: expected failures at %v, found %v", id, want, got[id])
		}
	}
	for id, at := range got {
		if _, ok := expectedFailures[id]; !ok {
			t.Errorf("%s: expected it to pass, found failures at %v", id, at)
		}
	}
	for _, c := range Pack {
		for _, res := range r.Of(c) {
			if res.Evidence == "" || res.Path == "" || res.Address == "" {
				t.Errorf("%s: expected every result to carry its address, construct path and evidence, found %+v", c.ID, res)
			}
		}
	}
}

func TestPackIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Pack {
		if seen[c.ID] {
			t.Errorf("check id %s is used twice", c.ID)
		}
		seen[c.ID] = true
		if c.Description == "" || c.Subject == "" || c.run == nil {
			t.Errorf("%s: expected a description, a subject and a function", c.ID)
		}
	}
	for _, ctl := range Controls {
		if len(ctl.Checks()) == 0 {
			t.Errorf("%s %s: expected at least one check to evidence it", ctl.Framework, ctl.ID)
		}
	}
}

// breaches break one invariant of the default stacks each: the check
// named must fail at address saying message; the checks in also may fail
// with it (they judge the same fact from another side); every other
// check must still pass.
var breaches = map[string]struct {
	stack, address, message string
	breach                  func(t *testing.T, r map[string]any)
	also                    []string
}{
	"TRAIL-MULTI-REGION": {"audit", "aws_cloudtrail.trail", "every region", func(t *testing.T, r map[string]any) {
		set(t, r, false, "resource", "aws_cloudtrail", "trail", "is_multi_region_trail")
	}, nil},
	"TRAIL-GLOBAL-EVENTS": {"audit", "aws_cloudtrail.trail", "global service events", func(t *testing.T, r map[string]any) {
		set(t, r, nil, "resource", "aws_cloudtrail", "trail", "include_global_service_events")
	}, nil},
	"TRAIL-LOG-VALIDATION": {"audit", "aws_cloudtrail.trail", "validate its log files", func(t *testing.T, r map[string]any) {
		set(t, r, "false", "resource", "aws_cloudtrail", "trail", "enable_log_file_validation")
	}, nil},
	"TRAIL-LOGGING": {"audit", "aws_cloudtrail.trail", "must be logging", func(t *testing.T, r map[string]any) {
		set(t, r, false, "resource", "aws_cloudtrail", "trail", "enable_logging")
	}, nil},
	"TRAIL-KMS": {"audit", "aws_cloudtrail.trail", "not a customer-managed key of the stack", func(t *testing.T, r map[string]any) {
		set(t, r, "${data.aws_kms_alias.s3.target_key_arn}", "resource", "aws_cloudtrail", "trail", "kms_key_id")
	}, []string{"TRAIL-BUCKET-KMS"}},
	"TRAIL-MANAGEMENT-EVENTS": {"audit", "aws_cloudtrail.trail", "read and write management events", func(t *testing.T, r map[string]any) {
		set(t, r, "WriteOnly", "resource", "aws_cloudtrail", "trail", "event_selector", 0, "read_write_type")
	}, nil},
	"TRAIL-DATA-EVENTS-NO-LOOP": {"audit", "aws_cloudtrail.trail", "include the bucket cle2wa-s3-accesslog-master it delivers to", func(t *testing.T, r map[string]any) {
		// The log bucket left out, its access-log bucket not.
		set(t, r, nil, "resource", "aws_cloudtrail", "trail", "event_selector")
		set(t, r, []any{
			map[string]any{"field_selector": []any{map[string]any{"field": "eventCategory", "equals": []any{"Management"}}}},
			map[string]any{"field_selector": []any{
				map[string]any{"field": "eventCategory", "equals": []any{"Data"}},
				map[string]any{"field": "resources.type", "equals": []any{"AWS::S3::Object"}},
				map[string]any{"field": "resources.ARN", "not_starts_with": []any{"arn:aws:s3:::cle2wa-s3-trail-master/"}},
			}},
		}, "resource", "aws_cloudtrail", "trail", "advanced_event_selector")
	}, nil},
	"TRAIL-ORDERED": {"audit", "aws_cloudtrail.trail", "depend on aws_s3_bucket_policy.log_bucket_policy", func(t *testing.T, r map[string]any) {
		set(t, r, []any{"aws_kms_key.trail_key", "aws_iam_role_policy.monitoring_role_policy"}, "resource", "aws_cloudtrail", "trail", "depends_on")
	}, nil},
	"TRAIL-BUCKET-KMS": {"audit", "aws_s3_bucket.log_bucket", "with the trail's key aws_kms_key.trail_key", func(t *testing.T, r map[string]any) {
		set(t, r, "AES256", "resource", "aws_s3_bucket_server_side_encryption_configuration", "log_bucket_encryption", "rule", 0, "apply_server_side_encryption_by_default", "sse_algorithm")
	}, nil},
	"TRAIL-BUCKET-LOGGING": {"audit", "aws_s3_bucket.log_bucket", "log every access", func(t *testing.T, r map[string]any) {
		set(t, r, nil, "resource", "aws_s3_bucket_logging")
	}, []string{"BUCKET-ACCESS-LOGGING"}},
	"TRAIL-BUCKET-PRIVATE": {"audit", "aws_cloudtrail.trail", `statement "Open" allows everyone`, func(t *testing.T, r map[string]any) {
		p := r["data"].(map[string]any)[doc].(map[string]any)["log_bucket_policy"].(map[string]any)
		p["statement"] = append(p["statement"].([]any), map[string]any{
			"sid": "Open", "effect": "Allow", "actions": []any{"s3:GetObject"}, "resources": []any{"*"},
			"principals": []any{map[string]any{"type": "*", "identifiers": []any{"*"}}},
		})
	}, nil},
	"BUCKET-TLS-ONLY": {"audit", "aws_s3_bucket.log_bucket", "aws:SecureTransport", func(t *testing.T, r map[string]any) {
		set(t, r, []any{"true"}, "data", doc, "log_bucket_policy", "statement", 0, "condition", 0, "values")
	}, nil},
	"BUCKET-EVIDENCE-DENY": {"audit", "aws_s3_bucket.log_bucket", "must deny s3:DeleteObjectVersion", func(t *testing.T, r map[string]any) {
		set(t, r, []any{"s3:PutBucketPolicy"}, "data", doc, "log_bucket_policy", "statement", 1, "actions")
	}, nil},
	"BUCKET-PUBLIC-ACCESS": {"audit", "aws_s3_bucket.access_log_bucket", "all four flags", func(t *testing.T, r map[string]any) {
		set(t, r, false, "resource", "aws_s3_bucket_public_access_block", "access_log_bucket_public_access", "restrict_public_buckets")
	}, nil},
	"BUCKET-VERSIONING": {"audit", "aws_s3_bucket.log_bucket", "versioned", func(t *testing.T, r map[string]any) {
		set(t, r, "Suspended", "resource", "aws_s3_bucket_versioning", "log_bucket_versioning", "versioning_configuration", "status")
	}, nil},
	"BUCKET-ENCRYPTION": {"audit", "aws_s3_bucket.access_log_bucket", "default encryption", func(t *testing.T, r map[string]any) {
		set(t, r, nil, "resource", "aws_s3_bucket_server_side_encryption_configuration", "access_log_bucket_encryption")
	}, nil},
	"BUCKET-PROTECTED": {"audit", "aws_s3_bucket.log_bucket", "force_destroy must be false", func(t *testing.T, r map[string]any) {
		set(t, r, true, "resource", "aws_s3_bucket", "log_bucket", "force_destroy")
	}, nil},
	"BUCKET-SOURCE-ARN": {"audit", "aws_s3_bucket.log_bucket", `"CloudTrailWrite" grants an AWS service without aws:SourceArn`, func(t *testing.T, r map[string]any) {
		set(t, r, []any{map[string]any{"test": "StringEquals", "variable": "s3:x-amz-acl", "values": []any{"bucket-owner-full-control"}}},
			"data", doc, "log_bucket_policy", "statement", 4, "condition")
	}, nil},
	"BUCKET-LOGGING-ORDERED": {"audit", "aws_s3_bucket_logging.log_bucket_access_logging", "must depend on aws_s3_bucket_policy.access_log_bucket_policy", func(t *testing.T, r map[string]any) {
		set(t, r, nil, "resource", "aws_s3_bucket_logging", "log_bucket_access_logging", "depends_on")
	}, nil},
	"BUCKET-RETENTION": {"audit", "aws_s3_bucket_lifecycle_configuration.log_bucket_lifecycle", "after 90 days", func(t *testing.T, r map[string]any) {
		set(t, r, []any{map[string]any{"days": 90.0}}, "resource", "aws_s3_bucket_lifecycle_configuration", "log_bucket_lifecycle", "rule", 0, "expiration")
	}, nil},
	"BUCKET-ACCESS-LOGGING": {"state", "aws_s3_bucket.state_bucket", "no server access logging", func(t *testing.T, r map[string]any) {
		set(t, r, nil, "resource", "aws_s3_bucket_logging")
	}, nil},
	"KEY-ROTATION": {"audit", "aws_kms_key.trail_key", "must rotate", func(t *testing.T, r map[string]any) {
		set(t, r, false, "resource", "aws_kms_key", "trail_key", "enable_key_rotation")
	}, nil},
	"KEY-PROTECTED": {"audit", "aws_kms_key.trail_key", "deletion_window_in_days is 7", func(t *testing.T, r map[string]any) {
		set(t, r, 7.0, "resource", "aws_kms_key", "trail_key", "deletion_window_in_days")
	}, nil},
	"KEY-NO-DECRYPT-FOR-ALL": {"audit", "aws_kms_key.trail_key", `"AccountAdministersKeyWithoutUse" lets the whole account decrypt`, func(t *testing.T, r map[string]any) {
		set(t, r, []any{"kms:*"}, "data", doc, "trail_key_policy", "statement", 0, "actions")
	}, nil},
	"KEY-SOURCE-ARN": {"audit", "aws_kms_key.trail_key", `"CloudTrailDescribesKey" grants an AWS service without aws:SourceArn, aws:SourceAccount or an encryption context`, func(t *testing.T, r map[string]any) {
		set(t, r, nil, "data", doc, "trail_key_policy", "statement", 2, "condition")
	}, nil},
	"IAM-NO-CREDENTIALS": {"audit", "aws_iam_access_key.key", "secret into Terraform state", func(t *testing.T, r map[string]any) {
		set(t, r, map[string]any{"key": map[string]any{"user": "${aws_iam_user.audit_user-audit.name}"}}, "resource", "aws_iam_access_key")
	}, nil},
	"IAM-NO-USER-POLICIES": {"audit", "aws_iam_user_policy_attachment.direct", "give them to a group", func(t *testing.T, r map[string]any) {
		set(t, r, map[string]any{"direct": map[string]any{"user": "user-audit", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}}, "resource", "aws_iam_user_policy_attachment")
	}, nil},
	"IAM-USER-IN-GROUP": {"audit", "aws_iam_user.audit_user-audit", "in no group", func(t *testing.T, r map[string]any) {
		set(t, r, []any{}, "resource", "aws_iam_group_membership", "audit_group_membership", "users")
	}, []string{"IAM-USER-MFA"}},
	"IAM-USER-MFA": {"audit", "aws_iam_user.audit_user-audit", "does not deny actions without MFA", func(t *testing.T, r map[string]any) {
		set(t, r, []any{"true"}, "data", doc, "audit_group_policy", "statement", 6, "condition", 0, "values")
	}, nil},
	"IAM-ROLE-MFA": {"audit", "aws_iam_role.audit_role", "without MFA", func(t *testing.T, r map[string]any) {
		set(t, r, []any{map[string]any{"test": "ArnEquals", "variable": "aws:PrincipalArn", "values": []any{"x"}}},
			"data", doc, "audit_role_trust", "statement", 0, "condition")
	}, nil},
	"LOGS-KMS": {"audit", "aws_cloudwatch_log_group.monitoring_log_group", "customer-managed key", func(t *testing.T, r map[string]any) {
		set(t, r, nil, "resource", "aws_cloudwatch_log_group", "monitoring_log_group", "kms_key_id")
	}, nil},
	"LOGS-RETENTION": {"audit", "aws_cloudwatch_log_group.monitoring_log_group", "retention_in_days is 90", func(t *testing.T, r map[string]any) {
		set(t, r, 90.0, "resource", "aws_cloudwatch_log_group", "monitoring_log_group", "retention_in_days")
	}, nil},
	"TOPIC-KMS": {"audit", "aws_sns_topic.monitoring_topic", "customer-managed key", func(t *testing.T, r map[string]any) {
		set(t, r, "alias/aws/sns", "resource", "aws_sns_topic", "monitoring_topic", "kms_master_key_id")
	}, nil},
	"ALARM-ACTIONS": {"audit", "aws_cloudwatch_metric_alarm.monitoring_alarm_root_account_usage", "notify someone", func(t *testing.T, r map[string]any) {
		set(t, r, false, "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_root_account_usage", "actions_enabled")
	}, nil},
	"TRAIL-CLOUDWATCH": {"audit", "aws_cloudtrail.trail", "CloudWatch Logs", func(t *testing.T, r map[string]any) {
		set(t, r, nil, "resource", "aws_cloudtrail", "trail", "cloud_watch_logs_group_arn")
	}, append(watchIDs(), "WATCH-TAKEOVER")},
	"TRAIL-BUCKET-OBJECT-LOCK": {"audit", "aws_s3_bucket.log_bucket", "no Object Lock default retention", func(t *testing.T, r map[string]any) {
		set(t, r, nil, "resource", "aws_s3_bucket_object_lock_configuration")
	}, nil},
	"LOG-TARGET-NO-OBJECT-LOCK": {"audit", "aws_s3_bucket_logging.log_bucket_access_logging", "aws_s3_bucket.access_log_bucket has Object Lock", func(t *testing.T, r map[string]any) {
		set(t, r, true, "resource", "aws_s3_bucket", "access_log_bucket", "object_lock_enabled")
	}, nil},
	"TRAIL-ORGANIZATION": {"audit", "aws_cloudtrail.trail", "records this account only", func(t *testing.T, r map[string]any) {}, nil},
	// An organization trail without the organization's folder in its
	// bucket policy: CreateTrail would fail.
	"TRAIL-ORGANIZATION-DELIVERY": {"audit", "aws_cloudtrail.trail", "must let CloudTrail put objects in AWSLogs/${data.aws_organizations_organization.organization.id}/*", func(t *testing.T, r map[string]any) {
		set(t, r, true, "resource", "aws_cloudtrail", "trail", "is_organization_trail")
		set(t, r, map[string]any{"organization": map[string]any{}}, "data", "aws_organizations_organization")
	}, []string{"TRAIL-ORGANIZATION"}},
	// A filter that no longer names the auditor leaves a password reset
	// unwatched.
	"WATCH-TAKEOVER": {"audit", "aws_iam_user.audit_user-audit", "matches UpdateLoginProfile", func(t *testing.T, r map[string]any) {
		set(t, r, `{ ($.eventSource = "iam.amazonaws.com") && ($.requestParameters.userName = "someone-else") }`, "resource", "aws_cloudwatch_log_metric_filter", "monitoring_filter_audit_user_credentials_1", "pattern")
	}, nil},
	// The default stacks have no subscriber: the breach is the default.
	"ALARM-SUBSCRIBERS": {"audit", "aws_sns_topic.monitoring_topic", "nobody is subscribed", func(t *testing.T, r map[string]any) {}, nil},
	"ACCOUNT-PUBLIC-ACCESS": {"audit", "aws_s3_account_public_access_block.account", "not all four flags", func(t *testing.T, r map[string]any) {
		set(t, r, map[string]any{"account": map[string]any{"block_public_acls": true}}, "resource", "aws_s3_account_public_access_block")
	}, nil},
	"WATCH-CIS-4.3": {"audit", "aws_cloudtrail.trail", "no metric filter with the CIS 4.3 pattern", func(t *testing.T, r map[string]any) {
		set(t, r, `{ $.userIdentity.type = "Root" }`, "resource", "aws_cloudwatch_log_metric_filter", "monitoring_filter_root_account_usage", "pattern")
	}, nil},
	"WATCH-CIS-4.14": {"audit", "aws_cloudtrail.trail", "aws_cloudwatch_metric_alarm.monitoring_alarm_vpc_changes notifies no SNS topic", func(t *testing.T, r map[string]any) {
		set(t, r, []any{}, "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_vpc_changes", "alarm_actions")
	}, []string{"ALARM-ACTIONS"}},
	"WATCH-CIS-4.4": {"audit", "aws_cloudtrail.trail", "monitoring_filter_iam_policy_changes has no alarm", func(t *testing.T, r map[string]any) {
		set(t, r, "SomethingElse", "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_iam_policy_changes", "metric_name")
	}, nil},
}

func watchIDs() []string {
	var out []string
	for _, c := range Pack {
		if strings.HasPrefix(c.ID, "WATCH-CIS-") {
			out = append(out, c.ID)
		}
	}
	return out
}

func TestEachCheckCatchesItsBreach(t *testing.T) {
	for _, c := range Pack {
		b, ok := breaches[c.ID]
		if !ok {
			if !strings.HasPrefix(c.ID, "WATCH-CIS-") {
				t.Errorf("check %s has no breach in this test", c.ID)
			}
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			out := golden(t)
			b.breach(t, out.Stack(b.stack).Raw())
			r := Run(out)
			failed := false
			for _, f := range r.Failures() {
				switch {
				case f.Check == c && f.Located() != b.stack+":"+b.address && slices.Contains(expectedFailures[c.ID], f.Located()):
					// A failure of this check on the default stacks, not the breach.
				case f.Check == c:
					failed = true
					if f.Address != b.address || f.Stack != b.stack || !strings.Contains(f.Evidence, b.message) {
						t.Errorf("expected %s at %s:%s saying %q, found %v at %s", c.ID, b.stack, b.address, b.message, f, f.Located())
					}
					if f.Blocks() != c.Blocking {
						t.Errorf("expected Blocks() = %v for %s, found %v", c.Blocking, c.ID, f.Blocks())
					}
				case slices.Contains(b.also, f.Check.ID), slices.Contains(expectedFailures[f.Check.ID], f.Located()):
				default:
					t.Errorf("breaking %s also broke %s: %v", c.ID, f.Check.ID, f)
				}
			}
			if !failed {
				t.Errorf("expected %s to catch the breach, found no failure", c.ID)
			}
		})
	}
}

func TestTrailWaitsForItsCloudWatchRole(t *testing.T) {
	out := golden(t)
	raw := out.Stack("audit").Raw()
	var kept []any
	for _, dep := range tfjson.Strings(tfjson.Get(raw, "resource", "aws_cloudtrail", "trail", "depends_on")) {
		if dep != "aws_iam_role_policy.monitoring_role_policy" {
			kept = append(kept, dep)
		}
	}
	set(t, raw, kept, "resource", "aws_cloudtrail", "trail", "depends_on")
	c, _ := ByID("TRAIL-ORDERED")
	f := Run(out).Of(c)
	if len(f) != 1 || f[0].Pass || !strings.Contains(f[0].Evidence, "depend on aws_iam_role_policy.monitoring_role_policy") {
		t.Errorf("expected TRAIL-ORDERED to ask for the CloudWatch Logs role policy, found %v", f)
	}
}

func TestSuppression(t *testing.T) {
	versioning, _ := ByID("BUCKET-VERSIONING")
	tls, _ := ByID("BUCKET-TLS-ONLY")
	s := Suppression{Path: "audit/log_bucket", Check: "BUCKET-VERSIONING", Reason: "a reason"}
	cases := map[string]struct {
		r    Result
		want bool
	}{
		"the construct itself":    {Result{Check: versioning, Path: "audit/log_bucket"}, true},
		"a construct inside":      {Result{Check: versioning, Path: "audit/log_bucket/Default"}, true},
		"a sibling with a prefix": {Result{Check: versioning, Path: "audit/log_bucket_other/Default"}, false},
		"another check":           {Result{Check: tls, Path: "audit/log_bucket/Default"}, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := s.Covers(c.r); got != c.want {
				t.Errorf("expected Covers=%v for %+v, found %v", c.want, c.r, got)
			}
		})
	}

	out := golden(t)
	set(t, out.Stack("audit").Raw(), "Suspended", "resource", "aws_s3_bucket_versioning", "log_bucket_versioning", "versioning_configuration", "status")
	out.Annotations = append(out.Annotations,
		tfjson.Annotation{Stack: "audit", Path: "audit/log_bucket", Level: "INFO", Message: suppressedPrefix + "BUCKET-VERSIONING: why: it matters"},
		tfjson.Annotation{Stack: "audit", Path: "audit/trail", Level: "INFO", Message: "some other note"})
	r := Run(out)
	if got := r.Suppressions; len(got) != 1 || got[0] != (Suppression{Path: "audit/log_bucket", Check: "BUCKET-VERSIONING", Reason: "why: it matters"}) {
		t.Errorf("expected the one suppression read from its annotation, found %+v", got)
	}
	if b := r.Blocking(); len(b) != 0 {
		t.Errorf("expected the suppressed failure not to block, found %v", b)
	}
	if v := r.Control(HubS314); v.Status != Fail {
		t.Errorf("expected S3.14 to FAIL all the same (a suppression explains, it does not comply), found %v", v)
	}
}

func TestFailedErrorNamesEachProblem(t *testing.T) {
	out := golden(t)
	set(t, out.Stack("audit").Raw(), false, "resource", "aws_cloudtrail", "trail", "is_multi_region_trail")
	out.Annotations = append(out.Annotations, tfjson.Annotation{Stack: "audit", Path: "audit/trail", Level: "ERROR", Message: "recorded by cdktf"})
	if errs := out.Errors(); len(errs) != 1 {
		t.Fatalf("expected one error annotation, found %v", errs)
	}
	err := &FailedError{Results: Run(out).Blocking(), Annotations: out.Errors()}
	for _, want := range []string{"  [audit/trail] recorded by cdktf", "  [audit/trail] TRAIL-MULTI-REGION: the trail must record every region"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("expected %q in %q", want, err.Error())
		}
	}
}

// TestAlarmWatchesItsOwnFilter checks that an alarm counts for a CIS
// family only when it names that family's filter metric, by value or by
// reference: a reference to another filter's metric does not.
func TestAlarmWatchesItsOwnFilter(t *testing.T) {
	out := golden(t)
	raw := out.Stack("audit").Raw()
	set(t, raw, "${aws_cloudwatch_log_metric_filter.monitoring_filter_cloudtrail_changes.metric_transformation[0].name}",
		"resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_iam_policy_changes", "metric_name")
	c, _ := ByID("WATCH-CIS-4.4")
	f := Run(out).Of(c)
	if len(f) != 1 || f[0].Pass || !strings.Contains(f[0].Evidence, "monitoring_filter_iam_policy_changes has no alarm") {
		t.Errorf("expected WATCH-CIS-4.4 to fail on an alarm watching another filter's metric, found %v", f)
	}
	set(t, raw, "IAMPolicyChanges", "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_iam_policy_changes", "metric_name")
	set(t, raw, "CISBenchmark", "resource", "aws_cloudwatch_metric_alarm", "monitoring_alarm_iam_policy_changes", "namespace")
	if f := Run(out).Of(c); len(f) != 1 || !f[0].Pass {
		t.Errorf("expected WATCH-CIS-4.4 to pass on an alarm naming the filter's metric by value, found %v", f)
	}
}

// TestManagementEventsUnderAdvancedSelectors checks TRAIL-MANAGEMENT-EVENTS
// on a trail with advanced event selectors (the dataEvents setting): a
// selector of eventCategory Equals Management alone passes; one narrowed
// to write events does not.
func TestManagementEventsUnderAdvancedSelectors(t *testing.T) {
	c, _ := ByID("TRAIL-MANAGEMENT-EVENTS")
	selector := func(fields ...any) []any {
		return []any{
			map[string]any{"name": "management", "field_selector": fields},
			map[string]any{"name": "data", "field_selector": []any{map[string]any{"field": "eventCategory", "equals": []any{"Data"}}}},
		}
	}
	for name, tc := range map[string]struct {
		selectors []any
		pass      bool
	}{
		"all management events": {selector(map[string]any{"field": "eventCategory", "equals": []any{"Management"}}), true},
		"write management events only": {selector(
			map[string]any{"field": "eventCategory", "equals": []any{"Management"}},
			map[string]any{"field": "readOnly", "equals": []any{"false"}}), false},
	} {
		out := golden(t)
		raw := out.Stack("audit").Raw()
		set(t, raw, nil, "resource", "aws_cloudtrail", "trail", "event_selector")
		set(t, raw, tc.selectors, "resource", "aws_cloudtrail", "trail", "advanced_event_selector")
		if f := Run(out).Of(c); len(f) != 1 || f[0].Pass != tc.pass {
			t.Errorf("%s: expected pass %v, found %v", name, tc.pass, f)
		}
	}
}

// TestDataEventsLoopUnderBasicSelectors checks TRAIL-DATA-EVENTS-NO-LOOP on
// basic event selectors, which cannot leave a bucket out: S3 object
// events on all buckets fail, on another bucket only pass.
func TestDataEventsLoopUnderBasicSelectors(t *testing.T) {
	c, _ := ByID("TRAIL-DATA-EVENTS-NO-LOOP")
	for value, pass := range map[string]bool{
		"arn:aws:s3":                   false,
		"arn:aws:s3:::":                false,
		"arn:aws:s3:::another-bucket/": true,
	} {
		out := golden(t)
		raw := out.Stack("audit").Raw()
		set(t, raw, []any{map[string]any{"read_write_type": "All", "include_management_events": true,
			"data_resource": []any{map[string]any{"type": "AWS::S3::Object", "values": []any{value}}}}},
			"resource", "aws_cloudtrail", "trail", "event_selector")
		if f := Run(out).Of(c); len(f) != 1 || f[0].Pass != pass {
			t.Errorf("%s: expected pass %v, found %v", value, pass, f)
		}
	}
}

// TestChoices: the default stacks make no irreversible or weakening
// choice; each one, put into the JSON, is found on its resource.
func TestChoices(t *testing.T) {
	if c := Choices(golden(t).Stacks); len(c) != 0 {
		t.Errorf("expected no choice on the default stacks, found %v", c)
	}
	cases := map[string]struct {
		edit func(t *testing.T, raw map[string]any)
		want string
	}{
		"COMPLIANCE for 400 days": {func(t *testing.T, raw map[string]any) {
			set(t, raw, "COMPLIANCE", "resource", "aws_s3_bucket_object_lock_configuration", "log_bucket_object_lock", "rule", "default_retention", "mode")
			set(t, raw, float64(400), "resource", "aws_s3_bucket_object_lock_configuration", "log_bucket_object_lock", "rule", "default_retention", "days")
		}, "irreversible (audit:aws_s3_bucket.log_bucket): Object Lock COMPLIANCE for 400 days (about 1.1 years)"},
		"no Object Lock": {func(t *testing.T, raw map[string]any) {
			delete(raw["resource"].(map[string]any), "aws_s3_bucket_object_lock_configuration")
		}, "weakening (audit:aws_s3_bucket.log_bucket): no Object Lock on the log bucket"},
		"no CloudWatch Logs": {func(t *testing.T, raw map[string]any) {
			delete(raw["resource"].(map[string]any)["aws_cloudtrail"].(map[string]any)["trail"].(map[string]any), "cloud_watch_logs_group_arn")
		}, "weakening (audit:aws_cloudtrail.trail): no monitoring"},
		"a break-glass role": {func(t *testing.T, raw map[string]any) {
			for _, s := range raw["data"].(map[string]any)[doc].(map[string]any)["log_bucket_policy"].(map[string]any)["statement"].([]any) {
				if st := s.(map[string]any); st["sid"] == "DenyEvidenceDestructionButBreakGlass" {
					c := st["condition"].([]any)[0].(map[string]any)
					c["values"] = append(c["values"].([]any), "arn:aws:iam::111122223333:role/deploy")
				}
			}
		}, "break-glass principals besides the root user (arn:aws:iam::111122223333:role/deploy)"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out := golden(t)
			c.edit(t, out.Stack("audit").Raw())
			found := Choices(out.Stacks)
			if len(found) != 1 || !strings.Contains(found[0].String(), c.want) {
				t.Errorf("expected one choice containing %q, found %v", c.want, found)
			}
		})
	}
}

// TestKeyProtectedNeedsTheDeny: a key whose policy lets anyone with IAM
// rights disable it or schedule its deletion fails KEY-PROTECTED.
func TestKeyProtectedNeedsTheDeny(t *testing.T) {
	out := golden(t)
	raw := out.Stack("audit").Raw()
	statements := tfjson.Get(raw, "data", doc, "monitoring_topic_key_policy", "statement").([]any)
	n := len(statements)
	set(t, raw, append(slices.Clone(statements[:n-2]), statements[n-1]), "data", doc, "monitoring_topic_key_policy", "statement")
	for _, f := range Run(out).Failures() {
		if f.Check.ID == "KEY-PROTECTED" {
			if f.Address != "aws_kms_key.monitoring_topic_key" || !strings.Contains(f.Evidence, "must deny kms:DisableKey and kms:ScheduleKeyDeletion") || strings.Contains(f.Evidence, "kms:PutKeyPolicy") || !f.Blocks() {
				t.Errorf("expected a blocking failure of the topic key for its Deny of disabling and deletion alone, found %v", f)
			}
			return
		}
	}
	t.Error("expected KEY-PROTECTED to fail without the Deny")
}

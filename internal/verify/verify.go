// Package verify checks, in the account, that the deployed trail is what
// the synthesized audit stack says and that it works: it exists, logs
// every region with the stack's key and selectors, and delivers without
// errors. Each check gives one result, PASS or FAIL with its evidence, and
// an AWS error fails that check only.
//
// Sources: CloudTrail API Reference, GetTrail, GetTrailStatus (the
// Latest*Error fields: "Displays any Amazon S3 error that CloudTrail
// encountered when attempting to deliver log files to the designated
// bucket" and its kin) and GetEventSelectors,
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html;
// digest files every hour, empty ones too ("CloudTrail digest file
// structure"),
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html.
package verify

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Result is one check's outcome.
type Result struct {
	Check string `json:"check"`
	Pass  bool   `json:"pass"`
	// Error marks a check that could not be made (its AWS call was
	// denied, throttled or unanswered): no verdict on the account.
	Error    bool   `json:"error,omitempty"`
	Evidence string `json:"evidence"`
}

// Status is PASS, FAIL or ERROR.
func (r Result) Status() string {
	switch {
	case r.Pass:
		return "PASS"
	case r.Error:
		return "ERROR"
	}
	return "FAIL"
}

// Clients are the AWS clients verify calls.
type Clients struct {
	CloudTrail CloudTrailAPI
	KMS        KMSAPI
	S3         S3API
	IAM        IAMAPI
	SNS        SNSAPI
	// CloudWatch reads the alarms, Logs the log group and its filters.
	CloudWatch CloudWatchAPI
	Logs       LogsAPI
	// SSOAdmin reads IAM Identity Center's permission sets, in its
	// region; nil when the stacks have none.
	SSOAdmin SSOAdminAPI
}

// Options tune the checks.
type Options struct {
	// MaxDigestAge is the longest time since the last digest delivery
	// that passes: CloudTrail delivers one every hour.
	MaxDigestAge time.Duration
	// Now is the time of the checks.
	Now time.Time
}

// Trail runs the checks of the audit stack's trail (the synthesized JSON
// in audit) in the account.
func Trail(ctx context.Context, c Clients, audit *tfjson.Doc, o Options) []Result {
	trails := audit.Resources("aws_cloudtrail")
	if len(trails) == 0 {
		return []Result{{Check: "TRAIL-EXISTS", Evidence: "the synthesized audit stack has no trail"}}
	}
	want := trails[0]
	name, _ := want.Attrs["name"].(string)
	got, err := c.CloudTrail.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: &name})
	if err != nil {
		return []Result{callFailed("TRAIL-EXISTS", "cloudtrail:GetTrail", "trail "+name, err)}
	}
	t := got.Trail
	out := []Result{{Check: "TRAIL-EXISTS", Pass: true, Evidence: aws.ToString(t.TrailARN)}}
	// A multi-Region trail answers GetTrail in every Region; its home
	// Region is where it was created ("HomeRegion",
	// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html).
	out = append(out, Result{Check: "TRAIL-REGION", Pass: aws.ToString(t.HomeRegion) == Region(audit),
		Evidence: fmt.Sprintf("home region %s (synthesized: %s)", cmp.Or(aws.ToString(t.HomeRegion), "none"), Region(audit))})
	flag := func(check, attr string, live *bool, what string) {
		wantOn := want.Attrs[attr] == true
		on := aws.ToBool(live)
		out = append(out, Result{Check: check, Pass: on == wantOn, Evidence: fmt.Sprintf("%s: %v (synthesized: %v)", what, on, wantOn)})
	}
	flag("TRAIL-MULTI-REGION", "is_multi_region_trail", t.IsMultiRegionTrail, "multi-region")
	flag("TRAIL-GLOBAL-EVENTS", "include_global_service_events", t.IncludeGlobalServiceEvents, "global service events")
	flag("TRAIL-LOG-VALIDATION", "enable_log_file_validation", t.LogFileValidationEnabled, "log file validation")
	// Not TRAIL-ORGANIZATION: that check says whether the trail records
	// the organization (it fails for a trail of one account); this one
	// whether it records what the synthesis says.
	flag("TRAIL-SCOPE", "is_organization_trail", t.IsOrganizationTrail, "organization trail")

	bucket := value(audit, want.Attrs["s3_bucket_name"], "bucket")
	out = append(out, Result{Check: "TRAIL-BUCKET", Pass: aws.ToString(t.S3BucketName) == bucket && aws.ToString(t.S3KeyPrefix) == str(want.Attrs["s3_key_prefix"]),
		Evidence: fmt.Sprintf("s3://%s/%s (synthesized: s3://%s/%s)", aws.ToString(t.S3BucketName), aws.ToString(t.S3KeyPrefix), bucket, str(want.Attrs["s3_key_prefix"]))})
	out = append(out, keyCheck(ctx, c, audit, want, aws.ToString(t.KmsKeyId)))
	if group, ok := want.Attrs["cloud_watch_logs_group_arn"].(string); ok {
		name := value(audit, strings.TrimSuffix(group, ":*"), "name")
		role := value(audit, want.Attrs["cloud_watch_logs_role_arn"], "name")
		live, liveRole := aws.ToString(t.CloudWatchLogsLogGroupArn), aws.ToString(t.CloudWatchLogsRoleArn)
		out = append(out, Result{Check: "TRAIL-CLOUDWATCH", Pass: strings.Contains(live, ":log-group:"+name+":") && strings.HasSuffix(liveRole, ":role/"+role),
			Evidence: fmt.Sprintf("delivers to %s as %s (synthesized: log group %s, role %s)", cmp.Or(live, "no log group"), cmp.Or(liveRole, "no role"), name, role)})
	} else {
		live := aws.ToString(t.CloudWatchLogsLogGroupArn)
		out = append(out, Result{Check: "TRAIL-CLOUDWATCH", Pass: live == "", Evidence: fmt.Sprintf("delivers to %s (synthesized: no log group)", cmp.Or(live, "no log group"))})
	}
	// CloudTrail's notice of each delivered file goes to an SNS topic
	// only when the synthesis names one.
	topic := str(want.Attrs["sns_topic_name"])
	liveTopic := aws.ToString(t.SnsTopicARN)
	out = append(out, Result{Check: "TRAIL-NOTIFICATIONS", Pass: (liveTopic == "" && topic == "") || (topic != "" && strings.HasSuffix(liveTopic, ":"+topic)),
		Evidence: fmt.Sprintf("file delivery notices to %s (synthesized: %s)", cmp.Or(liveTopic, "no topic"), cmp.Or(topic, "no topic"))})
	out = append(out, status(ctx, c, audit, name, o)...)
	// The selectors name the stack's resources in the trail's account.
	home, _, _ := arn.ParseTrail(aws.ToString(t.TrailARN))
	out = append(out, selectors(ctx, c, name, want, audit.Resolver(home, nil)))
	return out
}

// Region is the region the audit stack's provider deploys to: every
// resource of the stack is in it.
func Region(audit *tfjson.Doc) string {
	return str(tfjson.Get(audit.Raw()["provider"], "aws", "region"))
}

// keyCheck compares the trail's key with the stack's key, found by its
// alias (KMS DescribeKey accepts "alias/<name>"), or with the key a data
// source of the stack reads (the log-archive layout's key of another
// account, by its alias ARN).
func keyCheck(ctx context.Context, c Clients, audit *tfjson.Doc, want tfjson.Block, live string) Result {
	r := Result{Check: "TRAIL-KMS"}
	key, _, ok := tfjson.Ref(want.Attrs["kms_key_id"])
	var alias string
	if b, found := audit.Find(key); ok && found && strings.HasPrefix(key, "data.aws_kms_key.") {
		alias = str(b.Attrs["key_id"])
	} else if aliases := audit.Referring("aws_kms_alias", "target_key_id", key); ok && len(aliases) > 0 {
		alias = str(aliases[0].Attrs["name"])
	}
	if alias == "" {
		r.Evidence = "the synthesized trail names no key of the stack with an alias"
		return r
	}
	d, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &alias})
	if err != nil {
		return callFailed(r.Check, "kms:DescribeKey", alias, err)
	}
	arn := aws.ToString(d.KeyMetadata.Arn)
	r.Pass = live == arn
	r.Evidence = fmt.Sprintf("encrypts with %s (%s is %s)", cmp.Or(live, "no key"), alias, arn)
	return r
}

// status checks that the trail logs and delivers: logging on, no
// delivery error, and a digest within o.MaxDigestAge (or the trail started
// logging more recently than that).
func status(ctx context.Context, c Clients, audit *tfjson.Doc, name string, o Options) []Result {
	s, err := c.CloudTrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: &name})
	if err != nil {
		return []Result{callFailed("TRAIL-LOGGING", "cloudtrail:GetTrailStatus", "trail "+name, err)}
	}
	out := []Result{{Check: "TRAIL-LOGGING", Pass: aws.ToBool(s.IsLogging), Evidence: logging(s)}}
	for _, e := range []struct {
		check string
		err   *string
	}{
		{"DELIVERY-S3", s.LatestDeliveryError},
		{"DELIVERY-DIGEST", s.LatestDigestDeliveryError},
		{"DELIVERY-CLOUDWATCH", s.LatestCloudWatchLogsDeliveryError},
		{"DELIVERY-NOTIFICATION", s.LatestNotificationError},
	} {
		r := Result{Check: e.check, Pass: aws.ToString(e.err) == "", Evidence: "no error"}
		if !r.Pass {
			r.Evidence = "latest error: " + aws.ToString(e.err)
			if relied := reliedOn(audit, e.check); len(relied) > 0 {
				r.Evidence += "; this delivery rests on " + strings.Join(relied, ", ") + " (their conditions: docs/service-conditions.md)"
			}
		}
		out = append(out, r)
	}
	recent := Result{Check: "DELIVERY-RECENT"}
	switch last, started := s.LatestDigestDeliveryTime, s.StartLoggingTime; {
	case last != nil && o.Now.Sub(*last) <= o.MaxDigestAge:
		recent.Pass, recent.Evidence = true, fmt.Sprintf("last digest %s ago (at most %s)", o.Now.Sub(*last).Round(time.Minute), o.MaxDigestAge)
	case started != nil && o.Now.Sub(*started) <= o.MaxDigestAge:
		recent.Pass, recent.Evidence = true, fmt.Sprintf("logging started %s ago: the first digest comes within the hour", o.Now.Sub(*started).Round(time.Minute))
	case last == nil:
		recent.Evidence = "no digest delivered yet"
	default:
		recent.Evidence = fmt.Sprintf("last digest %s ago, more than %s: CloudTrail delivers one every hour", o.Now.Sub(*last).Round(time.Minute), o.MaxDigestAge)
	}
	return append(out, recent)
}

// logging says since when the trail logs, or when it stopped.
func logging(s *cloudtrail.GetTrailStatusOutput) string {
	if aws.ToBool(s.IsLogging) {
		if s.StartLoggingTime != nil {
			return "logging since " + s.StartLoggingTime.UTC().Format(time.RFC3339)
		}
		return "logging"
	}
	if s.StopLoggingTime != nil {
		return "logging stopped at " + s.StopLoggingTime.UTC().Format(time.RFC3339)
	}
	return "not logging"
}

// selectors compares the trail's event selectors with the synthesized
// ones, each selector whole: a basic one by its read/write type,
// management events, excluded event sources and data resources; an
// advanced one by its name and every operator of every field. An event
// source excluded from management events (kms.amazonaws.com, say) hides
// those events from the trail, so it must count.
func selectors(ctx context.Context, c Clients, name string, want tfjson.Block, refs *tfjson.Resolver) Result {
	r := Result{Check: "TRAIL-SELECTORS"}
	got, err := c.CloudTrail.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: &name})
	if err != nil {
		return callFailed(r.Check, "cloudtrail:GetEventSelectors", "trail "+name, err)
	}
	var live, synthesized []string
	for _, s := range got.EventSelectors {
		var data []string
		for _, d := range s.DataResources {
			data = append(data, aws.ToString(d.Type)+" "+fmt.Sprint(sorted(d.Values)))
		}
		live = append(live, basic(string(s.ReadWriteType), aws.ToBool(s.IncludeManagementEvents), s.ExcludeManagementEventSources, data))
	}
	for _, s := range got.AdvancedEventSelectors {
		var fields []string
		for _, f := range s.FieldSelectors {
			fields = append(fields, field(aws.ToString(f.Field), f.Equals, f.NotEquals, f.StartsWith, f.NotStartsWith, f.EndsWith, f.NotEndsWith))
		}
		live = append(live, advanced(aws.ToString(s.Name), fields))
	}
	for _, s := range list(want.Attrs["event_selector"]) {
		var data []string
		for _, d := range list(tfjson.Get(s, "data_resource")) {
			data = append(data, str(tfjson.Get(d, "type"))+" "+fmt.Sprint(sorted(refs.All(tfjson.Strings(tfjson.Get(d, "values"))))))
		}
		synthesized = append(synthesized, basic(str(tfjson.Get(s, "read_write_type")), tfjson.Get(s, "include_management_events") == true,
			tfjson.Strings(tfjson.Get(s, "exclude_management_event_sources")), data))
	}
	for _, s := range list(want.Attrs["advanced_event_selector"]) {
		var fields []string
		for _, f := range list(tfjson.Get(s, "field_selector")) {
			values := func(attr string) []string { return refs.All(tfjson.Strings(tfjson.Get(f, attr))) }
			fields = append(fields, field(str(tfjson.Get(f, "field")), values("equals"), values("not_equals"), values("starts_with"),
				values("not_starts_with"), values("ends_with"), values("not_ends_with")))
		}
		synthesized = append(synthesized, advanced(str(tfjson.Get(s, "name")), fields))
	}
	slices.Sort(live)
	slices.Sort(synthesized)
	r.Pass = slices.Equal(live, synthesized)
	r.Evidence = strings.Join(live, "; ")
	if !r.Pass {
		r.Evidence = fmt.Sprintf("%s; synthesized: %s", cmp.Or(r.Evidence, "none"), strings.Join(synthesized, "; "))
	}
	return r
}

// basic is a basic event selector as text.
func basic(readWrite string, management bool, excluded, data []string) string {
	s := fmt.Sprintf("basic %s management=%v", readWrite, management)
	if len(excluded) > 0 {
		s += fmt.Sprintf(" excluding %v", sorted(excluded))
	}
	if len(data) > 0 {
		s += fmt.Sprintf(" data %v", sorted(data))
	}
	return s
}

// advanced is an advanced event selector as text: its name and its
// fields in a stable order.
func advanced(name string, fields []string) string {
	return fmt.Sprintf("advanced %q {%s}", name, strings.Join(sorted(fields), ", "))
}

// field is one advanced field selector as text, every operator that has
// values.
func field(name string, equals, notEquals, startsWith, notStartsWith, endsWith, notEndsWith []string) string {
	s := name
	for _, op := range []struct {
		name   string
		values []string
	}{{"equals", equals}, {"not-equals", notEquals}, {"starts-with", startsWith}, {"not-starts-with", notStartsWith}, {"ends-with", endsWith}, {"not-ends-with", notEndsWith}} {
		if len(op.values) > 0 {
			s += fmt.Sprintf(" %s %v", op.name, sorted(op.values))
		}
	}
	return s
}

// sorted is a sorted copy of values.
func sorted(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return out
}

// str reads an optional string attribute.
func str(v any) string {
	s, _ := v.(string)
	return s
}

// value resolves a reference to a literal attribute of the stack
// ("${aws_s3_bucket.log_bucket.id}" to its bucket name), or returns the
// value as it is.
func value(d *tfjson.Doc, v any, attr string) string {
	addr, _, ok := tfjson.Ref(v)
	if !ok {
		return str(v)
	}
	b, found := d.Find(addr)
	if !found {
		return str(v)
	}
	return str(b.Attrs[attr])
}

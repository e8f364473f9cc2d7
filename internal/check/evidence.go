package check

import (
	"fmt"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/internal/events"
	"github.com/cle2wa/audit-trail/internal/filterpattern"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// The checks of what no benchmark asks: evidence under Object Lock, and
// alarms on the changes that would erase it or take over an auditor.
var evidenceChecks = []*Check{
	{ID: "TRAIL-BUCKET-OBJECT-LOCK", Description: fmt.Sprintf("the trail's bucket locks every new log file and digest for at least %d days (S3 Object Lock)", logbucket.MinLockDays),
		Controls: []*Control{BeyondObjectLock}, Subject: "aws_cloudtrail", Missing: noTrail, run: trailBucketLock},
	{ID: "LOG-TARGET-NO-OBJECT-LOCK", Description: "no target of S3 server access logs has Object Lock, which stops their delivery", Blocking: true,
		Controls: []*Control{CIS34, HubCloudTrail7}, Subject: "aws_s3_bucket_logging", run: logTargetNoLock},
	{ID: "WATCH-TAKEOVER", Description: "an alarm on a topic fires when someone changes a key's policy, grants or alias, a role's trust or permissions, an auditor's credentials, the audit group, an evidence bucket's lifecycle, versioning, lock, replication or logging, or the monitoring's log group, alarms or topic",
		Controls: []*Control{BeyondTakeover}, Subject: "aws_cloudtrail", Missing: noTrail, run: watchTakeover},
}

// lock returns the Object Lock default retention of a bucket: its mode
// and days (years counted as 365 days), or ok false without one.
func lock(d *tfjson.Doc, bucket tfjson.Block) (mode string, days int, ok bool) {
	for _, l := range companions(d, "aws_s3_bucket_object_lock_configuration", bucket) {
		retention := tfjson.Get(l.Attrs, "rule", "default_retention")
		mode, _ = tfjson.Get(retention, "mode").(string)
		d, _ := tfjson.Get(retention, "days").(float64)
		y, _ := tfjson.Get(retention, "years").(float64)
		return mode, int(d) + 365*int(y), mode != ""
	}
	return "", 0, false
}

func trailBucketLock(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
		bd, bucket, ok := trailBucket(d, t)
		if !ok {
			return fail(t, "its bucket is not in the synthesis, so its Object Lock cannot be checked")
		}
		mode, days, locked := lock(bd, bucket)
		switch {
		case !locked:
			return located(bd, fail(bucket, `the trail's bucket has no Object Lock default retention: only its bucket policy stands between a break-glass principal and the log versions (set "objectLock")`))
		case days < logbucket.MinLockDays:
			return located(bd, fail(bucket, fmt.Sprintf("the trail's bucket locks new versions for %d days, less than %d", days, logbucket.MinLockDays)))
		}
		return located(bd, judge(bucket, nil, fmt.Sprintf("Object Lock %s for %d days", mode, days)))
	})
}

// logTargetNoLock: "S3 buckets with Object Lock can't be used as
// destination buckets for server access logs"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html).
func logTargetNoLock(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket_logging", func(l tfjson.Block) Result {
		target, ok := d.Target(l, "target_bucket")
		if !ok {
			return judge(l, nil, fmt.Sprintf("logs to %v, outside the stack", l.Attrs["target_bucket"]))
		}
		if _, _, locked := lock(d, target); locked || isTrue(target.Attrs["object_lock_enabled"]) {
			return fail(l, "its target "+target.Address+" has Object Lock: S3 does not deliver server access logs to it")
		}
		return judge(l, nil, "its target "+target.Address+" has no Object Lock")
	})
}

// probe is a documented CloudTrail event set to change one resource of
// the stack, made by an administrator's role session (the identity of the
// CloudTrail guide's example), and what the change is.
type probe struct {
	resource tfjson.Block
	what     string
	event    events.Sample
}

// probes are the changes to watch, one per protected resource of d, with
// names and ARNs as the synthesized JSON writes them (a key's ARN is the
// reference a pattern writes too).
func probes(d *tfjson.Doc) []probe {
	admin := events.Load("identity-AssumedRole")
	iam := events.Load("iam-AddUserToGroup").Identity(admin)
	var out []probe
	for _, k := range d.Resources("aws_kms_key") {
		out = append(out, probe{k, "PutKeyPolicy", events.Load("kms-PutKeyPolicy").Identity(admin).With(map[string]any{"resources.0.ARN": "${" + k.Address + ".arn}"})})
	}
	for _, a := range d.Resources("aws_kms_alias") {
		if name, _ := a.Attrs["name"].(string); name != "" {
			out = append(out, probe{a, "UpdateAlias", events.Load("kms-UpdateAlias").Identity(admin).With(map[string]any{"requestParameters.aliasName": name})})
		}
	}
	named := func(typ, event, param string, set map[string]any) {
		for _, b := range d.Resources(typ) {
			name, _ := b.Attrs["name"].(string)
			if typ == "aws_s3_bucket" {
				name, _ = b.Attrs["bucket"].(string)
			}
			if name == "" {
				continue
			}
			params := map[string]any{param: name}
			for k, v := range set {
				params[k] = v
			}
			sample := iam
			if typ == "aws_s3_bucket" {
				sample = events.Load("s3-GetBucketVersioning").Identity(admin)
			}
			out = append(out, probe{b, event, sample.With(map[string]any{"eventName": event, "requestParameters": params})})
		}
	}
	named("aws_iam_role", "UpdateAssumeRolePolicy", "roleName", nil)
	named("aws_iam_user", "UpdateLoginProfile", "userName", nil)
	named("aws_iam_group", "AddUserToGroup", "groupName", map[string]any{"userName": "intruder"})
	named("aws_s3_bucket", "PutBucketVersioning", "bucketName", nil)
	// The monitoring itself: CloudTrail records the calls of every
	// service with the same envelope, so the documented S3 sample carries
	// them, with their own source and parameters.
	call := func(b tfjson.Block, source, event string, params map[string]any) {
		out = append(out, probe{b, event, events.Load("s3-GetBucketVersioning").Identity(admin).With(map[string]any{"eventSource": source, "eventName": event, "requestParameters": params})})
	}
	for _, g := range d.Resources("aws_cloudwatch_log_group") {
		call(g, "logs.amazonaws.com", "DeleteMetricFilter", map[string]any{"logGroupName": g.Attrs["name"], "filterName": "any"})
	}
	for _, a := range d.Resources("aws_cloudwatch_metric_alarm") {
		call(a, "monitoring.amazonaws.com", "DeleteAlarms", map[string]any{"alarmNames": []any{"unrelated", a.Attrs["alarm_name"]}})
	}
	for _, tp := range d.Resources("aws_sns_topic") {
		call(tp, "sns.amazonaws.com", "SetTopicAttributes", map[string]any{"topicArn": "${" + tp.Address + ".arn}", "attributeName": "Policy"})
	}
	return out
}

// watchTakeover judges, for each trail that delivers to a log group, each
// protected resource: some metric filter on the group matches the change
// (under every reading of what the filter-pattern guide leaves open) and
// counts into a metric that an alarm on an SNS topic watches.
func watchTakeover(d *tfjson.Doc) []Result {
	var out []Result
	for _, t := range d.Resources("aws_cloudtrail") {
		group, ok := trailGroup(t)
		if !ok {
			out = append(out, fail(t, "the trail does not deliver to CloudWatch Logs (monitoring is off): nothing watches for takeover"))
			continue
		}
		watched := Watches{alarmedFilters(d, group)}
		for _, p := range probes(d) {
			by := watched.AlarmedBy(p.event)
			if by == "" {
				out = append(out, fail(p.resource, fmt.Sprintf("no alarmed metric filter on %s matches %s on it", group, p.what)))
				continue
			}
			out = append(out, judge(p.resource, nil, p.what+" alarms: "+by))
		}
	}
	return out
}

// trailGroup is the address of the log group trail t delivers to.
func trailGroup(t tfjson.Block) (string, bool) {
	groupARN, _ := t.Attrs["cloud_watch_logs_group_arn"].(string)
	group, _, ok := tfjson.Ref(strings.TrimSuffix(groupARN, ":*"))
	return group, ok
}

// Watches are the alarmed metric filters of the log groups d's trails
// deliver to, found once to judge many events.
type Watches struct{ filters []alarmedFilter }

// WatchesOf finds the alarmed metric filters of d's trails: filters of
// the trail's log group whose metric an alarm with an SNS topic watches.
func WatchesOf(d *tfjson.Doc) Watches {
	var w Watches
	for _, t := range d.Resources("aws_cloudtrail") {
		if group, ok := trailGroup(t); ok {
			w.filters = append(w.filters, alarmedFilters(d, group)...)
		}
	}
	return w
}

// AlarmedBy names the metric filter and alarm that would raise an alarm
// on the event e ("<filter> -> <alarm>"): the first filter that matches
// e under every reading of the filter-pattern guide; "" when none would.
func (w Watches) AlarmedBy(e events.Sample) string {
	event, err := filterpattern.Decode(e.JSON())
	if err != nil {
		return ""
	}
	for _, f := range w.filters {
		if matchesAlways(f.pattern, event) {
			return f.filter.Address + " -> " + f.alarm.Address
		}
	}
	return ""
}

// alarmedFilter is a metric filter of a log group whose metric an alarm
// with an SNS topic among its actions watches.
type alarmedFilter struct {
	filter, alarm tfjson.Block
	pattern       *filterpattern.Pattern
}

func alarmedFilters(d *tfjson.Doc, group string) []alarmedFilter {
	var out []alarmedFilter
	for _, filter := range d.Resources("aws_cloudwatch_log_metric_filter") {
		if g, _, _ := tfjson.Ref(filter.Attrs["log_group_name"]); g != group {
			continue
		}
		p, err := filterpattern.Parse(fmt.Sprint(filter.Attrs["pattern"]))
		if err != nil {
			continue
		}
		for _, a := range alarmsOf(d, filter) {
			if a.topic != "" && a.quiet == "" {
				out = append(out, alarmedFilter{filter, a.alarm, p})
			}
		}
	}
	return out
}

// matchesAlways reports whether p matches e under every reading.
func matchesAlways(p *filterpattern.Pattern, e filterpattern.Event) bool {
	for _, o := range filterpattern.Readings {
		if !p.MatchEvent(e, o) {
			return false
		}
	}
	return true
}

package verify

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// attribute is one compared attribute of a resource: its name in the
// synthesized JSON, and its live and synthesized values as text ("" for
// none).
type attribute struct{ name, live, synthesized string }

// attributes is the check of a resource's attributes: PASS naming them,
// or FAIL naming each one that differs, with its synthesized and live
// value.
func attributes(check string, attrs []attribute) Result {
	var diff, names []string
	for _, a := range attrs {
		names = append(names, a.name)
		if a.live != a.synthesized {
			diff = append(diff, fmt.Sprintf("%s: live %s, synthesized %s", a.name, cmp.Or(a.live, "none"), cmp.Or(a.synthesized, "none")))
		}
	}
	if len(diff) > 0 {
		return Result{Check: check, Evidence: strings.Join(diff, "; ")}
	}
	if len(names) > 4 {
		return Result{Check: check, Pass: true, Evidence: fmt.Sprintf("%d attributes as synthesized (%s, ...)", len(names), strings.Join(names[:3], ", "))}
	}
	return Result{Check: check, Pass: true, Evidence: "as synthesized: " + strings.Join(names, ", ")}
}

// number is a synthesized number as text ("" when absent).
func number(v any) string {
	f, ok := v.(float64)
	if !ok {
		return ""
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// int32Text is a live number as text ("" when absent).
func int32Text(v *int32) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(int(*v))
}

// joined is a list as sorted text.
func joined(values []string) string {
	return strings.Join(sorted(values), ", ")
}

// Monitoring compares the trail's log group (its key and retention), its
// metric filters (pattern and metric), its subscription filters (only
// the synthesized ones: none), the alarms (every attribute, their
// actions the alarm topic) and the alarm topic (its key, display name,
// policy and subscriptions) with the synthesized stack.
func Monitoring(ctx context.Context, c Clients, audit *tfjson.Doc, refs *tfjson.Resolver) []Result {
	var out []Result
	for _, g := range audit.Resources("aws_cloudwatch_log_group") {
		out = append(out, logGroup(ctx, c, audit, g, refs)...)
	}
	out = append(out, alarms(ctx, c, audit, refs)...)
	for _, t := range audit.Resources("aws_sns_topic") {
		out = append(out, topic(ctx, c, audit, t, refs)...)
	}
	return out
}

// logGroup compares a log group, its metric filters and its
// subscription filters. A subscription filter streams every event of the
// group to another destination (a Kinesis stream, a Lambda function,
// another account), "Real-time processing of log data with
// subscriptions",
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html:
// any that the stack does not synthesize fails.
func logGroup(ctx context.Context, c Clients, audit *tfjson.Doc, g tfjson.Block, refs *tfjson.Resolver) []Result {
	name := str(g.Attrs["name"])
	check := "LOG-GROUP " + name
	var found *logtypes.LogGroup
	in := &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &name}
	for p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c.Logs, in); p.HasMorePages() && found == nil; {
		page, err := p.NextPage(ctx)
		if err != nil {
			return []Result{callFailed(check, "logs:DescribeLogGroups", "log group "+name, err)}
		}
		for i, l := range page.LogGroups {
			if aws.ToString(l.LogGroupName) == name {
				found = &page.LogGroups[i]
			}
		}
	}
	if found == nil {
		return []Result{{Check: check, Evidence: "missing: DescribeLogGroups does not find it (synthesized: log group " + name + ")"}}
	}
	// Without a retention the events never expire (PutRetentionPolicy,
	// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
	retention := func(days string) string { return cmp.Or(days, "never expire") }
	out := []Result{attributes(check, []attribute{
		{"kms_key_id", aws.ToString(found.KmsKeyId), refs.Resolve(str(g.Attrs["kms_key_id"]))},
		{"retention_in_days", retention(int32Text(found.RetentionInDays)), retention(number(g.Attrs["retention_in_days"]))},
	})}

	filters := map[string]logtypes.MetricFilter{}
	for p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(c.Logs, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: &name}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return append(out, callFailed("LOG-METRIC-FILTERS "+name, "logs:DescribeMetricFilters", "log group "+name, err))
		}
		for _, f := range page.MetricFilters {
			filters[aws.ToString(f.FilterName)] = f
		}
	}
	for _, f := range audit.Referring("aws_cloudwatch_log_metric_filter", "log_group_name", g.Address) {
		out = append(out, metricFilter(f, filters, refs))
	}

	var live, synthesized []string
	for p := cloudwatchlogs.NewDescribeSubscriptionFiltersPaginator(c.Logs, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: &name}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return append(out, callFailed("LOG-SUBSCRIPTION-FILTERS "+name, "logs:DescribeSubscriptionFilters", "log group "+name, err))
		}
		for _, f := range page.SubscriptionFilters {
			live = append(live, aws.ToString(f.FilterName)+" to "+aws.ToString(f.DestinationArn))
		}
	}
	for _, f := range audit.Referring("aws_cloudwatch_log_subscription_filter", "log_group_name", g.Address) {
		synthesized = append(synthesized, str(f.Attrs["name"])+" to "+refs.Resolve(str(f.Attrs["destination_arn"])))
	}
	return append(out, sameSet("LOG-SUBSCRIPTION-FILTERS "+name, "subscription filters", live, synthesized))
}

// metricFilter compares a synthesized metric filter with the live
// filters of its log group, by name: its pattern, with the references it
// holds (the ARNs of the keys it watches) resolved in the account, and its
// one metric transformation (PutMetricFilter takes exactly one,
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html).
func metricFilter(f tfjson.Block, filters map[string]logtypes.MetricFilter, refs *tfjson.Resolver) Result {
	name := str(f.Attrs["name"])
	check := "LOG-METRIC-FILTER " + name
	pattern := refs.Resolve(str(f.Attrs["pattern"]))
	l, ok := filters[name]
	if !ok {
		return Result{Check: check, Evidence: "missing: the log group has no metric filter of that name (synthesized: " + pattern + ")"}
	}
	var t logtypes.MetricTransformation
	if len(l.MetricTransformations) > 0 {
		t = l.MetricTransformations[0]
	}
	want := func(attr string) any { return tfjson.Get(f.Attrs, "metric_transformation", attr) }
	defaultValue := ""
	if t.DefaultValue != nil {
		defaultValue = strconv.FormatFloat(*t.DefaultValue, 'g', -1, 64)
	}
	var dimensions, wantDimensions []string
	for k, v := range t.Dimensions {
		dimensions = append(dimensions, k+"="+v)
	}
	if m, ok := want("dimensions").(map[string]any); ok {
		for k, v := range m {
			wantDimensions = append(wantDimensions, k+"="+str(v))
		}
	}
	return attributes(check, []attribute{
		{"pattern", aws.ToString(l.FilterPattern), pattern},
		{"metric_transformation.name", aws.ToString(t.MetricName), str(want("name"))},
		{"metric_transformation.namespace", aws.ToString(t.MetricNamespace), str(want("namespace"))},
		{"metric_transformation.value", aws.ToString(t.MetricValue), str(want("value"))},
		{"metric_transformation.default_value", defaultValue, str(want("default_value"))},
		{"metric_transformation.unit", strings.TrimPrefix(string(t.Unit), "None"), strings.TrimPrefix(str(want("unit")), "None")},
		{"metric_transformation.dimensions", joined(dimensions), joined(wantDimensions)},
	})
}

// alarms compares every synthesized metric alarm, by name, with
// DescribeAlarms (up to 100 names a call, "AlarmNames",
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html).
// An alarm that does not fire (actions disabled, another action, a
// changed pattern's metric) is how a watch goes blind.
func alarms(ctx context.Context, c Clients, audit *tfjson.Doc, refs *tfjson.Resolver) []Result {
	synthesized := audit.Resources("aws_cloudwatch_metric_alarm")
	var names []string
	for _, a := range synthesized {
		names = append(names, str(a.Attrs["alarm_name"]))
	}
	live := map[string]cwtypes.MetricAlarm{}
	for chunk := range slices.Chunk(names, 100) {
		in := &cloudwatch.DescribeAlarmsInput{AlarmNames: chunk, AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}}
		for p := cloudwatch.NewDescribeAlarmsPaginator(c.CloudWatch, in); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				var out []Result
				for _, n := range names {
					out = append(out, callFailed("ALARM "+n, "cloudwatch:DescribeAlarms", "alarm "+n, err))
				}
				return out
			}
			for _, a := range page.MetricAlarms {
				live[aws.ToString(a.AlarmName)] = a
			}
		}
	}
	var out []Result
	for _, a := range synthesized {
		out = append(out, alarm(a, live, refs))
	}
	return out
}

// alarm compares one synthesized alarm with its live self. Where the
// synthesis leaves an attribute out, CloudWatch's default applies:
// actions enabled, missing data treated as "missing" (PutMetricAlarm,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
func alarm(a tfjson.Block, live map[string]cwtypes.MetricAlarm, refs *tfjson.Resolver) Result {
	name := str(a.Attrs["alarm_name"])
	check := "ALARM " + name
	l, ok := live[name]
	if !ok {
		return Result{Check: check, Evidence: "missing: DescribeAlarms does not find it (synthesized: " + str(a.Attrs["alarm_description"]) + ")"}
	}
	enabled := "true"
	if v, ok := a.Attrs["actions_enabled"].(bool); ok {
		enabled = strconv.FormatBool(v)
	}
	actions := func(attr string) string { return joined(refs.All(tfjson.Strings(a.Attrs[attr]))) }
	var dimensions, wantDimensions []string
	for _, d := range l.Dimensions {
		dimensions = append(dimensions, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	if m, ok := a.Attrs["dimensions"].(map[string]any); ok {
		for k, v := range m {
			wantDimensions = append(wantDimensions, k+"="+refs.Resolve(str(v)))
		}
	}
	threshold := ""
	if l.Threshold != nil {
		threshold = strconv.FormatFloat(*l.Threshold, 'g', -1, 64)
	}
	return attributes(check, []attribute{
		{"actions_enabled", strconv.FormatBool(aws.ToBool(l.ActionsEnabled)), enabled},
		{"alarm_actions", joined(l.AlarmActions), actions("alarm_actions")},
		{"ok_actions", joined(l.OKActions), actions("ok_actions")},
		{"insufficient_data_actions", joined(l.InsufficientDataActions), actions("insufficient_data_actions")},
		{"alarm_description", aws.ToString(l.AlarmDescription), str(a.Attrs["alarm_description"])},
		{"metric_name", aws.ToString(l.MetricName), refs.Resolve(str(a.Attrs["metric_name"]))},
		{"namespace", aws.ToString(l.Namespace), refs.Resolve(str(a.Attrs["namespace"]))},
		{"dimensions", joined(dimensions), joined(wantDimensions)},
		{"statistic", string(l.Statistic), str(a.Attrs["statistic"])},
		{"period", int32Text(l.Period), number(a.Attrs["period"])},
		{"evaluation_periods", int32Text(l.EvaluationPeriods), number(a.Attrs["evaluation_periods"])},
		{"datapoints_to_alarm", int32Text(l.DatapointsToAlarm), number(a.Attrs["datapoints_to_alarm"])},
		{"threshold", threshold, number(a.Attrs["threshold"])},
		{"comparison_operator", string(l.ComparisonOperator), str(a.Attrs["comparison_operator"])},
		{"treat_missing_data", cmp.Or(aws.ToString(l.TreatMissingData), "missing"), cmp.Or(str(a.Attrs["treat_missing_data"]), "missing")},
	})
}

// topic compares an SNS topic's attributes (GetTopicAttributes: its key,
// KmsMasterKeyId, and display name; its policy against the synthesized
// aws_sns_topic_policy) and its subscriptions (ListSubscriptionsByTopic:
// only the synthesized ones, by protocol and endpoint; a subscription
// still pending confirmation counts, it has its endpoint,
// https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html).
func topic(ctx context.Context, c Clients, audit *tfjson.Doc, t tfjson.Block, refs *tfjson.Resolver) []Result {
	arn := refs.Resolve("${" + t.Address + ".arn}")
	got, err := c.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
	if err != nil {
		out := []Result{callFailed("TOPIC "+arn, "sns:GetTopicAttributes", "topic "+arn, err)}
		for range audit.Referring("aws_sns_topic_policy", "arn", t.Address) {
			out = append(out, callFailed("DRIFT-TOPIC-POLICY "+arn, "sns:GetTopicAttributes", "topic "+arn, err))
		}
		return out
	}
	out := []Result{attributes("TOPIC "+arn, []attribute{
		{"kms_master_key_id", got.Attributes["KmsMasterKeyId"], refs.Resolve(str(t.Attrs["kms_master_key_id"]))},
		{"display_name", got.Attributes["DisplayName"], str(t.Attrs["display_name"])},
	})}
	for _, p := range audit.Referring("aws_sns_topic_policy", "arn", t.Address) {
		out = append(out, compare("DRIFT-TOPIC-POLICY "+arn, got.Attributes["Policy"], refs, p.Attrs["policy"]))
	}
	var live, synthesized []string
	for p := sns.NewListSubscriptionsByTopicPaginator(c.SNS, &sns.ListSubscriptionsByTopicInput{TopicArn: &arn}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return append(out, callFailed("TOPIC-SUBSCRIPTIONS "+arn, "sns:ListSubscriptionsByTopic", "topic "+arn, err))
		}
		for _, s := range page.Subscriptions {
			live = append(live, aws.ToString(s.Protocol)+" "+aws.ToString(s.Endpoint))
		}
	}
	for _, s := range audit.Referring("aws_sns_topic_subscription", "topic_arn", t.Address) {
		synthesized = append(synthesized, str(s.Attrs["protocol"])+" "+refs.Resolve(str(s.Attrs["endpoint"])))
	}
	return append(out, sameSet("TOPIC-SUBSCRIPTIONS "+arn, "subscriptions", live, synthesized))
}

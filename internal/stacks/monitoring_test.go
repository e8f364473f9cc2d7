package stacks_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/constructs/tfname"
	"github.com/cle2wa/audit-trail/internal/events"
	"github.com/cle2wa/audit-trail/internal/filterpattern"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// cisEvents are, for each CIS section 4 control, what its published filter
// pattern must match: the event names (and other terms) it lists.
var cisEvents = map[string]struct {
	filter string
	terms  []string
}{
	"4.1":  {"unauthorized_api_calls", []string{`$.errorCode = "*UnauthorizedOperation"`, `$.errorCode = "AccessDenied*"`}},
	"4.2":  {"console_signin_without_mfa", []string{`$.eventName = "ConsoleLogin"`, `$.additionalEventData.MFAUsed != "Yes"`}},
	"4.3":  {"root_account_usage", []string{`$.userIdentity.type = "Root"`, `$.userIdentity.invokedBy NOT EXISTS`, `$.eventType != "AwsServiceEvent"`}},
	"4.4":  {"iam_policy_changes", []string{"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"}},
	"4.5":  {"cloudtrail_changes", []string{"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"}},
	"4.6":  {"console_authentication_failures", []string{"ConsoleLogin", `$.errorMessage = "Failed authentication"`}},
	"4.7":  {"cmk_disable_or_deletion", []string{"kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"}},
	"4.8":  {"s3_bucket_policy_changes", []string{"s3.amazonaws.com", "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"}},
	"4.9":  {"config_changes", []string{"config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"}},
	"4.10": {"security_group_changes", []string{"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"}},
	"4.11": {"nacl_changes", []string{"CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"}},
	"4.12": {"network_gateway_changes", []string{"CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"}},
	"4.13": {"route_table_changes", []string{"ec2.amazonaws.com", "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"}},
	"4.14": {"vpc_changes", []string{"CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"}},
	"4.15": {"organizations_changes", []string{"organizations.amazonaws.com", "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit"}},
}

const (
	logGroupARN = "arn:" + partition + ":logs:us-east-1:" + account + ":log-group:cloudtrail/trail-master"
	topicRef    = "${aws_sns_topic.monitoring_topic.arn}"
)

func TestMetricFiltersAndAlarms(t *testing.T) {
	_, j := synth(t, settings.Defaults())
	filters := named(j, "aws_cloudwatch_log_metric_filter", "cis-")
	alarms := named(j, "aws_cloudwatch_metric_alarm", "cis-")
	if len(filters) != len(cisEvents) || len(alarms) != len(cisEvents) {
		t.Fatalf("expected %d filters and alarms, one per CIS section 4 control, found %d and %d", len(cisEvents), len(filters), len(alarms))
	}
	for control, c := range cisEvents {
		filter := j.resource("aws_cloudwatch_log_metric_filter", "monitoring_filter_"+c.filter)
		pattern, _ := filter["pattern"].(string)
		for _, term := range c.terms {
			if !strings.Contains(pattern, term) {
				t.Errorf("CIS %s: expected the filter pattern to contain %q, found %s", control, term, pattern)
			}
		}
		if !strings.HasPrefix(pattern, "{") || !strings.HasSuffix(pattern, "}") || strings.Contains(pattern, "${") {
			t.Errorf("CIS %s: expected a JSON filter pattern without Terraform interpolation, found %s", control, pattern)
		}
		expect(t, control+" filter name", filter["name"], "cis-"+control+"-"+strings.ReplaceAll(c.filter, "_", "-"))
		expect(t, control+" filter log group", filter["log_group_name"], "${aws_cloudwatch_log_group.monitoring_log_group.name}")
		transform := first(filter["metric_transformation"])
		expect(t, control+" metric value", transform["value"], "1")
		expect(t, control+" metric namespace", transform["namespace"], "CISBenchmark")

		alarm := j.resource("aws_cloudwatch_metric_alarm", "monitoring_alarm_"+c.filter)
		// The alarm names its filter's metric by reference: Terraform
		// creates the filter first, and the metric is the filter's.
		filterRef := "${aws_cloudwatch_log_metric_filter.monitoring_filter_" + c.filter + ".metric_transformation[0]."
		expect(t, control+" alarm metric", alarm["metric_name"], filterRef+"name}")
		expect(t, control+" alarm namespace", alarm["namespace"], filterRef+"namespace}")
		expect(t, control+" alarm statistic", alarm["statistic"], "Sum")
		expect(t, control+" alarm period", alarm["period"], 300.0)
		expect(t, control+" alarm evaluation periods", alarm["evaluation_periods"], 1.0)
		expect(t, control+" alarm threshold", alarm["threshold"], 1.0)
		expect(t, control+" alarm comparison", alarm["comparison_operator"], "GreaterThanOrEqualToThreshold")
		expect(t, control+" alarm missing data", alarm["treat_missing_data"], "notBreaching")
		expect(t, control+" alarm actions", alarm["alarm_actions"], []any{topicRef})
		expect(t, control+" alarm enabled", alarm["actions_enabled"], true)
	}
	metrics := map[any]bool{}
	for _, f := range filters {
		metrics[first(f["metric_transformation"])["name"]] = true
	}
	if len(metrics) != len(cisEvents) {
		t.Errorf("expected a metric of its own for each filter, found %d metrics", len(metrics))
	}
}

// named returns the resources of a type whose name (or alarm_name)
// starts with prefix, by address.
func named(j *tfjson, typ, prefix string) map[string]map[string]any {
	all, _ := dig(j.doc, "resource", typ).(map[string]any)
	out := map[string]map[string]any{}
	for addr, r := range all {
		m := r.(map[string]any)
		n, _ := m["name"].(string)
		if a, ok := m["alarm_name"].(string); ok {
			n = a
		}
		if strings.HasPrefix(n, prefix) {
			out[addr] = m
		}
	}
	return out
}

func TestLogGroupAndDelivery(t *testing.T) {
	_, j := synth(t, settings.Defaults())
	group := j.resource("aws_cloudwatch_log_group", "monitoring_log_group")
	expect(t, "log group name", group["name"], "cloudtrail/trail-master")
	expect(t, "log group retention", group["retention_in_days"], 365.0)
	expect(t, "log group key", group["kms_key_id"], "${aws_kms_key.monitoring_logs_key.arn}")
	expect(t, "log group prevent_destroy", dig(group, "lifecycle", "prevent_destroy"), true)

	key := j.resource("aws_kms_key", "monitoring_logs_key")
	expect(t, "logs key rotation", key["enable_key_rotation"], true)
	use := j.statement("monitoring_logs_key_policy", "CloudWatchLogsUseKeyForTheTrailGroup")
	expect(t, "logs key principal", principals(use), map[string][]string{"Service": {"logs.us-east-1.amazonaws.com"}})
	expect(t, "logs key bound to the log group", condition(use, "ArnEquals", "kms:EncryptionContext:aws:logs:arn"), []string{logGroupARN})
	// The caller model: CloudWatch Logs calls KMS on behalf of its caller
	// (kms:ViaService), https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html.
	throughLogs := []string{"logs.us-east-1.amazonaws.com"}
	for _, c := range []struct {
		sid       string
		principal string
		actions   []string
	}{
		{"AccountEncryptsThroughLogsForTheTrailGroup", "arn:" + partition + ":iam::" + account + ":root", []string{"kms:Encrypt*", "kms:GenerateDataKey*"}},
		{"WriterRoleWritesThroughLogs", writerARN, []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"}},
		{"AuditRoleReadsThroughLogs", roleARN, []string{"kms:Decrypt"}},
	} {
		st := j.statement("monitoring_logs_key_policy", c.sid)
		expect(t, c.sid+" principal", principals(st), map[string][]string{"AWS": {c.principal}})
		expect(t, c.sid+" actions", strs(st["actions"]), c.actions)
		expect(t, c.sid+" through Logs only", condition(st, "StringEquals", "kms:ViaService"), throughLogs)
		expect(t, c.sid+" for this log group only", condition(st, "ArnEquals", "kms:EncryptionContext:aws:logs:arn"), []string{logGroupARN})
	}
	deny := j.statement("monitoring_logs_key_policy", "DenyDecryptToAllOthers")
	expect(t, "logs key deny spares the writer and audit roles", condition(deny, "ArnNotEquals", "aws:PrincipalArn"), []string{writerARN, roleARN})
	// The key waits for the roles its policy names: KMS refuses a policy
	// naming a principal that does not exist.
	expect(t, "logs key after the roles", j.resource("aws_kms_key", "monitoring_logs_key")["depends_on"], []any{"aws_iam_role.monitoring_role", "aws_iam_role.audit_role"})
	expect(t, "logs key deny spares AWS services", condition(deny, "Bool", "aws:PrincipalIsAWSService"), []string{"false"})

	role := j.resource("aws_iam_role", "monitoring_role")
	expect(t, "writer role name", role["name"], "role-trail-logs")
	// No aws:SourceArn or aws:SourceAccount: "The role policy doesn't
	// support the use of aws:SourceArn and aws:SourceAccount."
	// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
	trust := j.statement("monitoring_role_trust", "CloudTrailAssumesRole")
	expect(t, "writer trust principal", principals(trust), map[string][]string{"Service": {"cloudtrail.amazonaws.com"}})
	expect(t, "writer trust conditions", trust["condition"], nil)
	// Streams are named <account>_CloudTrail_<source region>:
	// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-log-group-log-stream-naming-for-cloudtrail.html
	write := j.statement("monitoring_role_policy", "WriteTheTrailLogStreamsOnly")
	expect(t, "writer actions", strs(write["actions"]), []string{"logs:CreateLogStream", "logs:PutLogEvents"})
	expect(t, "writer resources", strs(write["resources"]), []string{logGroupARN + ":log-stream:" + account + "_CloudTrail_*"})

	trail := j.resource("aws_cloudtrail", "trail")
	expect(t, "trail log group", trail["cloud_watch_logs_group_arn"], "${aws_cloudwatch_log_group.monitoring_log_group.arn}:*")
	expect(t, "trail writer role", trail["cloud_watch_logs_role_arn"], "${aws_iam_role.monitoring_role.arn}")
	if !slices.Contains(strs(trail["depends_on"]), "aws_iam_role_policy.monitoring_role_policy") {
		t.Errorf("expected the trail ordered after the writer role's policy, found %v", trail["depends_on"])
	}
}

func TestAlarmTopic(t *testing.T) {
	s := settings.Defaults()
	s.AlarmEmails = []string{"security@example.com", "oncall@example.org"}
	_, j := synth(t, s)
	topic := j.resource("aws_sns_topic", "monitoring_topic")
	expect(t, "topic name", topic["name"], "topic-audit-alarms")
	expect(t, "topic key", topic["kms_master_key_id"], "${aws_kms_key.monitoring_topic_key.arn}")
	expect(t, "topic policy", j.resource("aws_sns_topic_policy", "monitoring_topic_policy")["policy"], "${data.aws_iam_policy_document.monitoring_topic_policy.json}")
	publish := j.statement("monitoring_topic_policy", "CloudWatchAlarmsOfThisAccountPublish")
	expect(t, "publisher", principals(publish), map[string][]string{"Service": {"cloudwatch.amazonaws.com"}})
	expect(t, "publish action", strs(publish["actions"]), []string{"sns:Publish"})
	expect(t, "publish source", condition(publish, "ArnLike", "aws:SourceArn"), []string{"arn:" + partition + ":cloudwatch:us-east-1:" + account + ":alarm:*"})
	expect(t, "publish account", condition(publish, "StringEquals", "aws:SourceAccount"), []string{account})
	tls := j.statement("monitoring_topic_policy", "DenyInsecureTransport")
	expect(t, "topic TLS only", condition(tls, "Bool", "aws:SecureTransport"), []string{"false"})
	use := j.statement("monitoring_topic_key_policy", "CloudWatchAlarmsOfThisAccountUseKey")
	expect(t, "topic key user", principals(use), map[string][]string{"Service": {"cloudwatch.amazonaws.com"}})
	// IfExists: no AWS page says CloudWatch sends these keys to KMS,
	// https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
	expect(t, "topic key account", condition(use, "StringEqualsIfExists", "aws:SourceAccount"), []string{account})
	expect(t, "topic key source", condition(use, "ArnLikeIfExists", "aws:SourceArn"), []string{"arn:" + partition + ":cloudwatch:us-east-1:" + account + ":alarm:*"})
	for _, e := range s.AlarmEmails {
		sub := j.resource("aws_sns_topic_subscription", "monitoring_email_"+tfname.Key(e))
		expect(t, "subscription protocol", sub["protocol"], "email")
		expect(t, "subscription endpoint", sub["endpoint"], e)
		expect(t, "subscription topic", sub["topic_arn"], topicRef)
	}
}

func TestLogGroupReadsAreClosed(t *testing.T) {
	_, j := synth(t, settings.Defaults())
	deny := j.statement("deny_log_reads", "DenyReadingTheTrailLogGroup")
	expect(t, "deny effect", deny["effect"], "Deny")
	for _, a := range []string{"logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:StartLiveTail"} {
		if !slices.Contains(strs(deny["actions"]), a) {
			t.Errorf("expected the deny policy to cover %s, found %v", a, deny["actions"])
		}
	}
	expect(t, "deny resources", strs(deny["resources"]), []string{logGroupARN, logGroupARN + ":*"})
	policy := j.resource("aws_iam_policy", "deny_log_reads")
	expect(t, "deny policy name", policy["name"], "policy-deny-trail-log-reads")
	attachments, _ := dig(j.doc, "resource", "aws_iam_group_policy_attachment").(map[string]any)
	attached := false
	for _, a := range attachments {
		a := a.(map[string]any)
		attached = attached || a["group"] == "${aws_iam_group.audit_group.name}" && a["policy_arn"] == "${aws_iam_policy.deny_log_reads.arn}"
	}
	if !attached {
		t.Errorf("expected the deny policy attached to the audit group, found %v", attachments)
	}
	scp := j.statement("log_group_read_scp", "DenyReadingTheTrailLogGroupButTheAuditRole")
	expect(t, "SCP spares the audit role", condition(scp, "ArnNotEquals", "aws:PrincipalArn"), []string{roleARN})
	expect(t, "SCP output", dig(j.doc, "output", "log_group_read_scp", "value"), "${data.aws_iam_policy_document.log_group_read_scp.json}")
	read := j.statement("audit_role_read", "ReadTrailLogGroup")
	expect(t, "audit role reads the group", strs(read["resources"]), []string{logGroupARN, logGroupARN + ":*"})
	for _, o := range []string{"log_group_name", "alarm_topic_arn"} {
		if dig(j.doc, "output", o, "description") == nil {
			t.Errorf("expected the output %s with a description", o)
		}
	}
}

func TestMonitoringOff(t *testing.T) {
	s := settings.Defaults()
	s.Monitoring = false
	_, j := synth(t, s)
	for _, typ := range []string{"aws_cloudwatch_log_group", "aws_cloudwatch_log_metric_filter", "aws_cloudwatch_metric_alarm", "aws_sns_topic", "aws_iam_policy"} {
		if j.has("resource", typ) {
			t.Errorf("expected no %s with monitoring off", typ)
		}
	}
	trail := j.resource("aws_cloudtrail", "trail")
	if trail["cloud_watch_logs_group_arn"] != nil || trail["cloud_watch_logs_role_arn"] != nil {
		t.Errorf("expected the trail to deliver to S3 only, found %v", trail)
	}
	if dig(j.doc, "output", "log_group_name") != nil || dig(j.doc, "output", "alarm_topic_arn") != nil {
		t.Errorf("expected no monitoring outputs with monitoring off")
	}
}

// TestWatches: the synthesized watches, with Terraform's references
// resolved as they would be at apply, match takeover and evidence events
// (AWS's documented samples set to the stack's resources) on every
// protected resource, and each counts into a metric that an alarm on the
// topic watches.
func TestWatches(t *testing.T) {
	s := settings.Defaults()
	s.AuditUsers = []string{"user-audit", "alice"}
	_, j := synth(t, s)
	keys := map[string]string{}
	for _, k := range []string{"trail_key", "monitoring_logs_key", "monitoring_topic_key"} {
		keys["${aws_kms_key."+k+".arn}"] = fmt.Sprintf("arn:aws:kms:us-east-1:123456789012:key/%s-0000-0000-0000-000000000000", strings.Repeat(string(rune('a'+len(keys))), 8))
	}
	topicARN := "arn:aws:sns:us-east-1:123456789012:topic-audit-alarms"
	refs := maps.Clone(keys)
	refs["${aws_sns_topic.monitoring_topic.arn}"] = topicARN
	type filter struct {
		pattern *filterpattern.Pattern
		metric  any
	}
	var filters []filter
	for addr, f := range named(j, "aws_cloudwatch_log_metric_filter", "watch-") {
		text, _ := f["pattern"].(string)
		for ref, arn := range refs {
			text = strings.ReplaceAll(text, ref, arn)
		}
		if strings.Contains(text, "${") {
			t.Errorf("%s: expected only key and topic ARNs as references, found %s", addr, text)
		}
		p, err := filterpattern.Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		expect(t, addr+" log group", f["log_group_name"], "${aws_cloudwatch_log_group.monitoring_log_group.name}")
		filters = append(filters, filter{p, first(f["metric_transformation"])["name"]})
	}
	alarmed := map[any]bool{}
	for addr, a := range named(j, "aws_cloudwatch_metric_alarm", "watch-") {
		expect(t, addr+" actions", a["alarm_actions"], []any{topicRef})
		ref, _ := a["metric_name"].(string)
		if a["alarm_name"] == "watch-trail-heartbeat" {
			// No filter: CloudWatch Logs' own count of the group's events,
			// and no datapoint at all breaches.
			expect(t, addr+" metric", []any{a["namespace"], ref, a["dimensions"], a["comparison_operator"], a["threshold"], a["treat_missing_data"]},
				[]any{"AWS/Logs", "IncomingLogEvents", map[string]any{"LogGroupName": "${aws_cloudwatch_log_group.monitoring_log_group.name}"}, "LessThanThreshold", 1.0, "breaching"})
			expect(t, addr+" window", []any{a["period"], a["evaluation_periods"], a["datapoints_to_alarm"]}, []any{3600.0, 6.0, 6.0})
			expect(t, addr+" ok actions", a["ok_actions"], []any{topicRef})
			continue
		}
		filterAddr := strings.TrimSuffix(strings.TrimPrefix(ref, "${aws_cloudwatch_log_metric_filter."), ".metric_transformation[0].name}")
		alarmed[first(j.resource("aws_cloudwatch_log_metric_filter", filterAddr)["metric_transformation"])["name"]] = true
	}
	if len(alarmed) != 8 {
		t.Errorf("expected 8 watch alarms on 8 metrics, found %v", alarmed)
	}
	caught := func(e events.Sample) bool {
		for _, f := range filters {
			for _, o := range filterpattern.Readings {
				if m, _ := f.pattern.Match(e.JSON(), o); m && alarmed[f.metric] {
					return true
				}
			}
		}
		return false
	}
	admin := events.Load("identity-AssumedRole")
	iam := events.Load("iam-AddUserToGroup").Identity(admin)
	for _, arn := range keys {
		if e := events.Load("kms-PutKeyPolicy").With(map[string]any{"resources.0.ARN": arn}); !caught(e) {
			t.Errorf("PutKeyPolicy on %s: expected an alarm", arn)
		}
	}
	for _, role := range []string{"role-audit", "role-trail-logs"} {
		if !caught(iam.With(map[string]any{"eventName": "UpdateAssumeRolePolicy", "requestParameters": map[string]any{"roleName": role}})) {
			t.Errorf("UpdateAssumeRolePolicy on %s: expected an alarm", role)
		}
	}
	for _, u := range s.AuditUsers {
		if !caught(iam.With(map[string]any{"eventName": "UpdateLoginProfile", "requestParameters": map[string]any{"userName": u}})) {
			t.Errorf("UpdateLoginProfile on %s by an administrator: expected an alarm", u)
		}
	}
	if !caught(iam.With(map[string]any{"requestParameters.groupName": "group-audit"})) {
		t.Error("AddUserToGroup on group-audit: expected an alarm")
	}
	n := s.Names()
	for _, b := range []string{n.LogBucket, n.AccessLogBucket, n.StateBucket, n.StateAccessLogBucket} {
		if !caught(events.Load("s3-GetBucketVersioning").With(map[string]any{"eventName": "PutBucketVersioning", "requestParameters.bucketName": b})) {
			t.Errorf("PutBucketVersioning on %s: expected an alarm", b)
		}
	}
	// The monitoring itself, by the same envelope with each service's
	// own source and parameters.
	call := func(source, event string, params map[string]any) events.Sample {
		return events.Load("s3-GetBucketVersioning").Identity(admin).With(map[string]any{"eventSource": source, "eventName": event, "requestParameters": params})
	}
	for what, e := range map[string]events.Sample{
		"a metric filter deleted":     call("logs.amazonaws.com", "DeleteMetricFilter", map[string]any{"logGroupName": "cloudtrail/trail-master", "filterName": "cis-4.3-root-account-usage"}),
		"the log group deleted":       call("logs.amazonaws.com", "DeleteLogGroup", map[string]any{"logGroupName": "cloudtrail/trail-master"}),
		"alarms deleted among others": call("monitoring.amazonaws.com", "DeleteAlarms", map[string]any{"alarmNames": []any{"someone-elses", "watch-audit-user-credentials"}}),
		"alarm actions disabled":      call("monitoring.amazonaws.com", "DisableAlarmActions", map[string]any{"alarmNames": []any{"cis-4.5-cloudtrail-changes"}}),
		"an alarm changed":            call("monitoring.amazonaws.com", "PutMetricAlarm", map[string]any{"alarmName": "cis-4.3-root-account-usage", "threshold": 1e9}),
		"the topic's policy changed":  call("sns.amazonaws.com", "SetTopicAttributes", map[string]any{"topicArn": topicARN, "attributeName": "Policy"}),
		"a subscriber unsubscribed":   call("sns.amazonaws.com", "Unsubscribe", map[string]any{"subscriptionArn": topicARN + ":0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"}),
		// What an outside review found no alarm for.
		"a subscription's filter policy set": call("sns.amazonaws.com", "SetSubscriptionAttributes", map[string]any{"subscriptionArn": topicARN + ":0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", "attributeName": "FilterPolicy"}),
		"a log stream deleted":               call("logs.amazonaws.com", "DeleteLogStream", map[string]any{"logGroupName": "cloudtrail/trail-master", "logStreamName": "111122223333_CloudTrail_us-east-1"}),
		"the log group exported":             call("logs.amazonaws.com", "CreateExportTask", map[string]any{"logGroupName": "cloudtrail/trail-master", "destination": "someone-elses-bucket"}),
		"an account subscription policy":     call("logs.amazonaws.com", "PutAccountPolicy", map[string]any{"policyName": "copy-everything", "policyType": "SUBSCRIPTION_FILTER_POLICY"}),
		"a trail's event selectors changed":  call("cloudtrail.amazonaws.com", "PutEventSelectors", map[string]any{"trailName": "trail-master", "eventSelectors": []any{map[string]any{"readWriteType": "ReadOnly"}}}),
		"a trail's Insights selectors":       call("cloudtrail.amazonaws.com", "PutInsightSelectors", map[string]any{"trailName": "arn:aws:cloudtrail:us-east-1:111122223333:trail/trail-master"}),
	} {
		if !caught(e) {
			t.Errorf("%s: expected an alarm", what)
		}
	}
	if caught(call("logs.amazonaws.com", "DeleteMetricFilter", map[string]any{"logGroupName": "another-group", "filterName": "x"})) ||
		caught(call("monitoring.amazonaws.com", "DeleteAlarms", map[string]any{"alarmNames": []any{"someone-elses"}})) {
		t.Error("changes to another log group's filters or another alarm: expected no alarm")
	}
	if caught(iam.With(map[string]any{"eventName": "UpdateLoginProfile", "requestParameters": map[string]any{"userName": "carol"}})) {
		t.Error("UpdateLoginProfile on a user who is not an auditor: expected no alarm")
	}
}

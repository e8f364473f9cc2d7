// Package monitoring watches the trail: CloudTrail also delivers to a
// CloudWatch Logs log group encrypted with a key of its own, a metric
// filter and an alarm watch each CIS AWS Foundations Benchmark section 4
// event family, and the alarms notify an SNS topic encrypted with another
// key, which only this account's CloudWatch alarms may publish to.
//
// The log group is a second copy of the events, and CloudWatch Logs
// decrypts it for any caller allowed to read the group. DenyReads and
// ReadSCP close that path: an IAM policy for identities (attached to the
// audit group) and a service control policy for the whole account, each
// denying reads of the group to everyone but the audit role.
package monitoring

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/block"
	"github.com/cle2wa/audit-trail/constructs/cmk"
	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/retention"
	"github.com/cle2wa/audit-trail/constructs/tfaws"
	"github.com/cle2wa/audit-trail/constructs/tfname"
)

// periods are the retention periods, in days, that CloudWatch Logs
// accepts (PutRetentionPolicy).
var periods = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// RetentionDays are the retention periods CloudWatch Logs accepts that
// keep events at least retention.MinDays; 0 keeps them forever.
var RetentionDays = longEnough()

func longEnough() []int {
	out := []int{0}
	for _, p := range periods {
		if p >= retention.MinDays {
			out = append(out, p)
		}
	}
	return out
}

// ReadActions are the CloudWatch Logs actions that read a log group's
// events, decrypted by the service for the caller, or copy them out of
// it, in clear, to a place of the caller's choosing: an export to an S3
// bucket (CreateExportTask) and a subscription filter that streams every
// new event to a Kinesis stream, Firehose, Lambda function or another
// account's destination (PutSubscriptionFilter), and the integrations
// that hand the group's events to S3 Tables, a dataset or a processing
// pipeline (IntegrateWithS3Table, IntegrateWithDataset,
// ProcessWithPipeline). Each is authorized on
// the log group (the Service Authorization Reference's log-group
// resource type for each,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
var ReadActions = []string{
	"logs:CreateExportTask",
	"logs:FilterLogEvents",
	"logs:GetLogEvents",
	"logs:GetLogRecord",
	"logs:GetQueryResults",
	"logs:IntegrateWithDataset",
	"logs:IntegrateWithS3Table",
	"logs:ProcessWithPipeline",
	"logs:PutSubscriptionFilter",
	"logs:StartLiveTail",
	"logs:StartQuery",
	"logs:Unmask",
}

// Config describes the monitoring of one trail.
type Config struct {
	// Env is required: partition, account and home region.
	Env arn.Env
	// TrailName is required: the trail that delivers to the log group.
	TrailName string
	// LogGroupName is required: the CloudWatch Logs log group.
	LogGroupName string
	// RetentionDays is optional: one of RetentionDays. Default 0 keeps
	// the events forever; settings pass 365.
	RetentionDays int
	// RoleName is required: the role CloudTrail assumes to write.
	RoleName string
	// LogsKeyAlias and TopicKeyAlias are required: the aliases of the keys
	// of the log group and of the topic.
	LogsKeyAlias, TopicKeyAlias string
	// TopicName is required: the SNS topic of the alarms.
	TopicName string
	// Emails is optional: addresses subscribed to the topic (each must
	// confirm the subscription). Default: none.
	Emails []string
	// Reader is optional: the ARN of the one principal (the audit role)
	// that may read the log group. Default "": nobody reads it, and it
	// feeds the alarms only (the log-archive layout, whose readers are in
	// another account: CloudWatch Logs reads are the account's own).
	Reader string
	// ReaderRole is optional: the address of the resource Reader names,
	// which the log group's key waits for (KMS refuses a key policy that
	// names a principal that does not exist). Default: none.
	ReaderRole string
	// Protected is required: the stack's resources that the watches
	// guard (Watches). New adds the keys and the role it creates.
	Protected Protected
	// OrganizationID is optional: the ID of the organization whose
	// accounts the trail records (an organization trail), whose streams
	// the writer role may then write too. Default (""): this account's
	// streams only.
	OrganizationID string
	// Operators is required: who may change the policies of the log
	// group's and the topic's keys, and who may disable or delete them
	// (cmk.Config.Operators). A disabled topic key would silence the
	// alarm that reports it.
	Operators policy.Operators
}

var (
	logGroupName = regexp.MustCompile(`^[A-Za-z0-9_./#-]{1,512}$`)
	snsName      = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// ValidateEmails reports every address that is not a plain e-mail
// address, and every one listed twice, each at its index.
func ValidateEmails(emails []string) error {
	var errs []error
	seen := map[string]bool{}
	for i, e := range emails {
		at := fmt.Sprintf("[%d]", i)
		a, err := mail.ParseAddress(e)
		if err != nil || a.Address != e || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") {
			errs = append(errs, field.Invalid(at, e, "is not an e-mail address such as security@example.com"))
		}
		if seen[strings.ToLower(e)] {
			errs = append(errs, field.Invalid(at, e, "is listed twice"))
		}
		seen[strings.ToLower(e)] = true
	}
	return errors.Join(errs...)
}

// ValidateRetention reports a retention CloudWatch Logs does not accept,
// or one shorter than a year.
func ValidateRetention(days int) error {
	if !slices.Contains(RetentionDays, days) {
		return field.Invalid("", days, "is not a CloudWatch Logs retention of a year or more: use 0 (keep forever) or one of %v days", RetentionDays[1:])
	}
	return nil
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.Env.Partition == "" || c.Env.Account == "" || c.Env.Region == "" {
		errs = append(errs, field.Required("Env", "the partition, account and region"))
	}
	for _, r := range []struct {
		path, what string
		empty      bool
	}{
		{"TrailName", "the trail that delivers to the log group", c.TrailName == ""},
		{"RoleName", "the name of the role CloudTrail assumes", c.RoleName == ""},
		{"LogsKeyAlias", "the alias of the log group's key", c.LogsKeyAlias == ""},
		{"TopicKeyAlias", "the alias of the topic's key", c.TopicKeyAlias == ""},
	} {
		if r.empty {
			errs = append(errs, field.Required(r.path, r.what))
		}
	}
	errs = append(errs, field.Under("Operators", c.Operators.Validate()))
	if !logGroupName.MatchString(c.LogGroupName) {
		errs = append(errs, field.Invalid("LogGroupName", c.LogGroupName, "must be 1 to 512 letters, digits and _-./#"))
	}
	if !snsName.MatchString(c.TopicName) {
		errs = append(errs, field.Invalid("TopicName", c.TopicName, "must be 1 to 256 letters, digits, hyphens or underscores"))
	}
	errs = append(errs, field.Under("RetentionDays", ValidateRetention(c.RetentionDays)), field.Under("Emails", ValidateEmails(c.Emails)))
	return errors.Join(errs...)
}

// Monitoring is the log group, its writer role, the alarms and the topic.
type Monitoring struct {
	// LogGroup is the address of the aws_cloudwatch_log_group.
	LogGroup string
	// Role is the address of the role CloudTrail assumes to write to the
	// log group, and RolePolicy of its permission: the trail must depend
	// on it.
	Role, RolePolicy string
	// Topic is the address of the aws_sns_topic of the alarms.
	Topic string
	// LogGroupARN is the log group's ARN, predicted from its name.
	LogGroupARN string
	// KeyARNs are the ARNs of its keys (the log group's and the topic's).
	KeyARNs []string
	// AlarmARNs match its alarms, by their name prefixes (AlarmPrefixes).
	AlarmARNs []string
}

// AlarmPrefixes begin the name of every alarm New adds: "cis-" for the
// CIS families, "watch-" for the watches and the heartbeat.
var AlarmPrefixes = []string{"cis-", "watch-"}

// New validates cfg and adds the monitoring to scope. Terraform addresses
// begin with <id>_.
func New(scope constructs.Construct, id string, cfg Config) (*Monitoring, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	blocks := block.In(c)
	env := cfg.Env
	logGroupARN := env.LogGroup(cfg.LogGroupName)

	// The role CloudTrail assumes to deliver events. Its trust policy has
	// no aws:SourceArn or aws:SourceAccount condition: CloudTrail does not
	// send them when it assumes this role, so such a condition would make
	// CreateTrail fail (InvalidCloudWatchLogsRoleArnException). The
	// CloudTrail User Guide, "Role policy document for CloudTrail to use
	// CloudWatch Logs for monitoring": "Confused deputy prevention is not
	// applicable to the role policy for CloudWatch Logs monitoring. The
	// role policy doesn't support the use of aws:SourceArn and
	// aws:SourceAccount."
	// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
	trust, err := policy.New(blocks, "role_trust", tfname.Part(id, "role_trust"), policy.Document{Statements: []policy.Statement{{
		Sid:        "CloudTrailAssumesRole",
		Effect:     policy.Allow,
		Principals: []policy.Principal{{Type: policy.PrincipalService, Identifiers: []string{arn.CloudTrail}}},
		Actions:    []string{"sts:AssumeRole"},
	}}})
	if err != nil {
		return nil, err
	}
	role := blocks.Resource("role", tfname.Part(id, "role"), tfaws.IAMRole{
		Name:             cfg.RoleName,
		Path:             "/",
		Description:      "Assumed by CloudTrail to deliver the events of " + cfg.TrailName + " to " + cfg.LogGroupName,
		AssumeRolePolicy: trust.JSON(),
	})
	// The key policy names the roles by ARNs built from their names, so
	// that it renders at plan time; the key waits for them to exist.
	writerARN := env.Role(cfg.RoleName)
	after := []string{role}
	if cfg.ReaderRole != "" {
		after = append(after, cfg.ReaderRole)
	}
	// What the role may do instead is narrow: create streams and put
	// events in this log group's CloudTrail streams only. CloudTrail names
	// them <account>_CloudTrail_<source region> ("CloudWatch log group and
	// log stream naming for CloudTrail",
	// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-log-group-log-stream-naming-for-cloudtrail.html);
	// a multi-region trail delivers every region's events to the home
	// region's group, so the region is a wildcard.
	streams := []string{StreamPrefix(env, logGroupARN) + "*"}
	if cfg.OrganizationID != "" {
		// An organization trail also writes the streams of the other
		// accounts, which the guide's organization variant of this policy
		// names <organization ID>_* ("Role policy document for CloudTrail
		// to use CloudWatch Logs for monitoring", above; the naming page
		// does not describe them).
		streams = append(streams, logGroupARN+":log-stream:"+cfg.OrganizationID+"_*")
	}
	write, err := policy.New(blocks, "role_policy_document", tfname.Part(id, "role_policy"), policy.Document{Statements: []policy.Statement{{
		Sid:       "WriteTheTrailLogStreamsOnly",
		Effect:    policy.Allow,
		Actions:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resources: streams,
	}}})
	if err != nil {
		return nil, err
	}
	rolePolicy := blocks.Resource("role_policy", tfname.Part(id, "role_policy"), tfaws.IAMRolePolicy{
		Name:   "write-trail-log-group",
		Role:   block.Ref(role, "name"),
		Policy: write.JSON(),
	})

	logsKey, err := cmk.New(c, id+"_logs_key", cmk.Config{
		Alias:       cfg.LogsKeyAlias,
		Description: "Encrypts the CloudWatch Logs copy of the events of " + cfg.TrailName,
		Env:         env,
		Grants:      LogsKeyGrants(env, logGroupARN, writerARN, cfg.Reader),
		// Through CloudWatch Logs on their own behalf, the writer role and
		// the audit role decrypt; the key's Deny stops every other
		// principal that is not an AWS service.
		Decryptors: nonEmpty(writerARN, cfg.Reader),
		After:      after,
		Operators:  cfg.Operators,
	})
	if err != nil {
		return nil, err
	}
	// RetentionInDays 0 is left out: the events are kept forever.
	logGroup := blocks.Resource("log_group", tfname.Part(id, "log_group"), tfaws.CloudWatchLogGroup{
		Name:            cfg.LogGroupName,
		KMSKeyID:        logsKey.ARN(),
		RetentionInDays: cfg.RetentionDays,
		Lifecycle:       block.Lifecycle{PreventDestroy: true},
	})

	// CloudWatch publishes an alarm's notification with the alarm as
	// aws:SourceArn and with aws:SourceAccount: the SNS Developer Guide,
	// "Example cases for Amazon SNS access control", restricts a topic to
	// an account's alarms with ArnLike aws:SourceArn
	// "arn:aws:cloudwatch:<region>:<account>:alarm:*" and names Amazon
	// CloudWatch among the services that support aws:SourceAccount when
	// they publish
	// (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html);
	// AWS's knowledge center article "Why didn't I receive an SNS
	// notification for my CloudWatch alarm trigger?" restricts the topic
	// policy with aws:SourceArn too
	// (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).
	// The topic policy requires both.
	alarmSource := env.AnyAlarm()
	fromAlarms := []policy.Condition{
		{Test: "ArnLike", Variable: policy.SourceArn, Values: []string{alarmSource}},
		{Test: "StringEquals", Variable: policy.SourceAccount, Values: []string{env.Account}},
	}
	// No AWS page says that CloudWatch's own KMS calls for an encrypted
	// topic carry those keys (the SNS guide's key policy for CloudWatch,
	// "Configure AWS KMS permissions for AWS services",
	// https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html,
	// has no condition). The key grant therefore holds whether they are
	// present or not (IfExists), and still refuses another account's or
	// another source's value when they are; the topic policy above is what
	// stops anyone else's alarms from publishing.
	fromAlarmsIfPresent := []policy.Condition{
		{Test: "ArnLikeIfExists", Variable: policy.SourceArn, Values: []string{alarmSource}},
		{Test: "StringEqualsIfExists", Variable: policy.SourceAccount, Values: []string{env.Account}},
	}
	cloudwatch := []policy.Principal{{Type: policy.PrincipalService, Identifiers: []string{arn.CloudWatch}}}
	topicKey, err := cmk.New(c, id+"_topic_key", cmk.Config{
		Alias:       cfg.TopicKeyAlias,
		Description: "Encrypts the alarm notifications of " + cfg.TrailName,
		Env:         env,
		Grants: []policy.Statement{{
			Sid:        "CloudWatchAlarmsOfThisAccountUseKey",
			Effect:     policy.Allow,
			Principals: cloudwatch,
			Actions:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resources:  []string{"*"},
			Conditions: fromAlarmsIfPresent,
		}},
		Operators: cfg.Operators,
	})
	if err != nil {
		return nil, err
	}
	topic := blocks.Resource("topic", tfname.Part(id, "topic"), tfaws.SNSTopic{
		Name:           cfg.TopicName,
		DisplayName:    "Alarms on the events of " + cfg.TrailName,
		KMSMasterKeyID: topicKey.ARN(),
	})
	logGroupName, topicRef := block.Ref(logGroup, "name"), block.Ref(topic, "arn")
	topicARN := env.Topic(cfg.TopicName)
	topicDoc, err := policy.New(blocks, "topic_policy_document", tfname.Part(id, "topic_policy"), policy.Document{Statements: []policy.Statement{
		{
			Sid:        "DenyInsecureTransport",
			Effect:     policy.Deny,
			Principals: []policy.Principal{{Type: policy.PrincipalAny, Identifiers: []string{"*"}}},
			Actions:    []string{"sns:Publish"},
			Resources:  []string{topicARN},
			Conditions: []policy.Condition{{Test: "Bool", Variable: policy.SecureTransport, Values: []string{"false"}}},
		},
		{
			Sid:        "CloudWatchAlarmsOfThisAccountPublish",
			Effect:     policy.Allow,
			Principals: cloudwatch,
			Actions:    []string{"sns:Publish"},
			Resources:  []string{topicARN},
			Conditions: fromAlarms,
		},
	}})
	if err != nil {
		return nil, err
	}
	blocks.Resource("topic_policy", tfname.Part(id, "topic_policy"), tfaws.SNSTopicPolicy{ARN: topicRef, Policy: topicDoc.JSON()})
	for i, e := range cfg.Emails {
		// Keyed by the address, so that removing one subscription removes
		// that one only; moved from the position-keyed address of earlier
		// releases, for one release.
		key := tfname.Key(e)
		sub := blocks.Resource("email_"+key, tfname.Part(id, "email_"+key), tfaws.SNSTopicSubscription{TopicARN: topicRef, Protocol: "email", Endpoint: e})
		blocks.Moved("aws_sns_topic_subscription."+tfname.Part(id, fmt.Sprintf("email_%d", i)), sub)
	}

	// Each filter counts matching events into a metric; each alarm fires
	// on one such event in five minutes and notifies the topic.
	newFilter := func(slug, filterName, pattern, metric, namespace string) string {
		return blocks.Resource("filter_"+slug, tfname.Part(id, "filter_"+slug), tfaws.CloudWatchLogMetricFilter{
			Name:                 filterName,
			LogGroupName:         logGroupName,
			Pattern:              pattern,
			MetricTransformation: tfaws.MetricTransformation{Name: metric, Namespace: namespace, Value: "1"},
		})
	}
	// filter is the address of the filter whose metric the alarm watches.
	newAlarm := func(slug, alarmName, description string, filter string) {
		blocks.Resource("alarm_"+slug, tfname.Part(id, "alarm_"+slug), tfaws.CloudWatchMetricAlarm{
			AlarmName:        alarmName,
			AlarmDescription: description + ", seen in the events of " + cfg.TrailName,
			// The filter's metric by reference: the alarm follows the
			// filter, and scanners (KICS) see which filter it watches.
			Namespace:          block.Ref(filter, "metric_transformation[0].namespace"),
			MetricName:         block.Ref(filter, "metric_transformation[0].name"),
			Statistic:          "Sum",
			Period:             300,
			EvaluationPeriods:  1,
			Threshold:          1,
			ComparisonOperator: "GreaterThanOrEqualToThreshold",
			TreatMissingData:   "notBreaching",
			ActionsEnabled:     true,
			AlarmActions:       []string{topicRef},
		})
	}
	for _, f := range Families {
		slug := strings.ReplaceAll(f.Name, "-", "_")
		filter := newFilter(slug, "cis-"+f.Control+"-"+f.Name, f.Pattern, f.Metric, Namespace)
		newAlarm(slug, "cis-"+f.Control+"-"+f.Name, fmt.Sprintf("CIS %s: %s", f.Control, f.Title), filter)
	}

	guarded := cfg.Protected
	guarded.Keys = append(slices.Clone(guarded.Keys), logsKey.ARN(), topicKey.ARN())
	guarded.Aliases = append(slices.Clone(guarded.Aliases), cfg.LogsKeyAlias, cfg.TopicKeyAlias)
	guarded.Roles = append(slices.Clone(guarded.Roles), cfg.RoleName)
	guarded.LogGroup, guarded.Topic, guarded.AlarmPrefixes = cfg.LogGroupName, topicRef, AlarmPrefixes
	watches, err := Watches(guarded)
	if err != nil {
		return nil, field.Under("Protected", err)
	}
	for _, w := range watches {
		slug := strings.ReplaceAll(w.Name, "-", "_")
		var first string
		for i, p := range w.Patterns {
			filter := newFilter(fmt.Sprintf("%s_%d", slug, i+1), fmt.Sprintf("watch-%s-%d", w.Name, i+1), p, w.Metric, WatchNamespace)
			if i == 0 {
				first = filter
			}
		}
		// Every filter of the watch counts into the first one's metric.
		newAlarm(slug, "watch-"+w.Name, w.Title, first)
	}
	if err := fitFilters(watches); err != nil {
		return nil, err
	}
	blocks.Resource("alarm_heartbeat", tfname.Part(id, "alarm_heartbeat"), tfaws.CloudWatchMetricAlarm{
		AlarmName:          "watch-trail-heartbeat",
		AlarmDescription:   fmt.Sprintf("No event of %s reached its log group for %d hours: the trail, or its copy to CloudWatch Logs, stopped delivering", cfg.TrailName, HeartbeatHours),
		Namespace:          "AWS/Logs",
		MetricName:         "IncomingLogEvents",
		Dimensions:         map[string]string{"LogGroupName": logGroupName},
		Statistic:          "Sum",
		Period:             3600,
		EvaluationPeriods:  HeartbeatHours,
		DatapointsToAlarm:  HeartbeatHours,
		Threshold:          1,
		ComparisonOperator: "LessThanThreshold",
		// No datapoint at all is what a silent trail looks like.
		TreatMissingData: "breaching",
		ActionsEnabled:   true,
		AlarmActions:     []string{topicRef},
		OkActions:        []string{topicRef},
	})
	var alarmARNs []string
	for _, p := range AlarmPrefixes {
		alarmARNs = append(alarmARNs, cfg.Env.Alarms(p))
	}
	return &Monitoring{LogGroup: logGroup, Role: role, RolePolicy: rolePolicy, Topic: topic, LogGroupARN: logGroupARN,
		KeyARNs: []string{logsKey.ARN(), topicKey.ARN()}, AlarmARNs: alarmARNs}, nil
}

// HeartbeatHours is how long the log group may receive no event before
// the heartbeat alarm fires. CloudWatch Logs counts each log group's
// incoming events (IncomingLogEvents in AWS/Logs, by LogGroupName,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html);
// the trail records every read and write management event of every
// region, AWS services' calls in the account included, and CloudTrail's
// own calls to the trail key for the files it delivers are events too,
// so six hours without one means the delivery stopped, not the account.
// Shorter would page a quiet sandbox at night; longer would leave a day
// unrecorded before anyone knows.
const HeartbeatHours = 6

// MaxFiltersPerLogGroup is CloudWatch Logs' quota of metric filters on
// one log group ("Metric filters: 100 per log group",
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html).
const MaxFiltersPerLogGroup = 100

// fitFilters refuses watches that, with the CIS families, need more
// metric filters than one log group may have.
func fitFilters(watches []Watch) error {
	n := len(Families)
	for _, w := range watches {
		n += len(w.Patterns)
	}
	if n > MaxFiltersPerLogGroup {
		return field.Invalid("Protected", fmt.Sprintf("%d metric filters", n), "are more than the %d CloudWatch Logs allows on one log group", MaxFiltersPerLogGroup)
	}
	return nil
}

// StreamPrefix is the start of the ARN of every log stream CloudTrail
// creates in the log group: <account>_CloudTrail_<source region>.
func StreamPrefix(env arn.Env, logGroupARN string) string {
	return logGroupARN + ":log-stream:" + env.Account + "_CloudTrail_"
}

// LogsKeyGrants are the statements of the log group's key. CloudWatch Logs
// documents two ways it calls KMS, and the key works under both
// ("Encrypt log data in CloudWatch Logs using AWS KMS",
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html):
//   - as its service principal logs.<region>.amazonaws.com, with the
//     encryption context aws:logs:arn set to the log group's ARN (the
//     page's key policy example);
//   - on behalf of the caller: "CloudWatch Logs now supports
//     kms:ViaService which allows logs to make AWS KMS calls on your
//     behalf." Then the caller is the principal: whoever creates the log
//     group (an administrator, through the account's IAM policies) may
//     encrypt, never decrypt; the writer role writes (AWS's managed policy
//     CloudWatchLogsAPIKeyAccess gives callers of PutLogEvents
//     kms:GenerateDataKey and kms:Decrypt through Logs,
//     https://docs.aws.amazon.com/aws-managed-policy/latest/reference/CloudWatchLogsAPIKeyAccess.html);
//     the reader (the audit role) decrypts to read. Every such grant is
//     bound to this log group by the encryption context and to Logs by
//     kms:ViaService.
//
// The service principal's statement is the page's example: its actions
// under ArnEquals on aws:logs:arn, the one key the page shows Logs sending;
// it says nothing of aws:SourceArn or aws:SourceAccount, so none is
// required. KMS sets no encryption context on DescribeKey, so that
// statement's kms:Describe* never matches, in AWS's example as here.
func LogsKeyGrants(env arn.Env, logGroupARN, writerARN, readerARN string) []policy.Statement {
	thisGroup := policy.Condition{Test: "ArnEquals", Variable: policy.LogGroupContext, Values: []string{logGroupARN}}
	throughLogs := policy.Condition{Test: "StringEquals", Variable: policy.ViaService, Values: []string{env.Logs()}}
	statements := []policy.Statement{
		{
			Sid:        "CloudWatchLogsUseKeyForTheTrailGroup",
			Effect:     policy.Allow,
			Principals: []policy.Principal{{Type: policy.PrincipalService, Identifiers: []string{env.Logs()}}},
			Actions:    []string{"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{thisGroup},
		},
		{
			Sid:        "AccountEncryptsThroughLogsForTheTrailGroup",
			Effect:     policy.Allow,
			Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: []string{env.Root()}}},
			Actions:    []string{"kms:Encrypt*", "kms:GenerateDataKey*"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{throughLogs, thisGroup},
		},
		{
			Sid:        "WriterRoleWritesThroughLogs",
			Effect:     policy.Allow,
			Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: []string{writerARN}}},
			Actions:    []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{throughLogs, thisGroup},
		},
		{
			Sid:        "AuditRoleReadsThroughLogs",
			Effect:     policy.Allow,
			Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: []string{readerARN}}},
			Actions:    []string{"kms:Decrypt"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{throughLogs, thisGroup},
		},
		{
			Sid:        "WriterAndAuditRolesDescribeKeyThroughLogs",
			Effect:     policy.Allow,
			Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: nonEmpty(writerARN, readerARN)}},
			Actions:    []string{"kms:DescribeKey"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{throughLogs},
		},
	}
	if readerARN == "" {
		// Nobody reads the log group (Config.Reader): no reader's grant.
		return slices.DeleteFunc(statements, func(s policy.Statement) bool { return s.Sid == "AuditRoleReadsThroughLogs" })
	}
	return statements
}

// nonEmpty are the values that are not "".
func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// DenyReads is the identity policy that denies reading the trail's log
// group; attached to a group or role, its members must use the audit
// role instead.
//
// Logs Insights results are fetched by query id (logs:GetQueryResults),
// and ReadOnlyAccess allows logs:Get* and logs:Describe*, so anyone
// read-only could list the audit role's recent queries
// (logs:DescribeQueries) and fetch their results. The Service
// Authorization Reference has listed GetQueryResults both without a
// resource type (authorized against "*") and with the log-group type
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html),
// so the Deny holds under both: on the log group with the other reads,
// and on "*" in a statement of its own.
func DenyReads(logGroupARN string) policy.Document {
	return policy.Document{Statements: []policy.Statement{
		{
			Sid:       "DenyReadingTheTrailLogGroup",
			Effect:    policy.Deny,
			Actions:   ReadActions,
			Resources: []string{logGroupARN, logGroupARN + ":*"},
		},
		{
			Sid:       "DenyLogsInsightsResultsByQueryId",
			Effect:    policy.Deny,
			Actions:   []string{"logs:DescribeQueries", "logs:GetQueryResults"},
			Resources: []string{"*"},
		},
	}}
}

// ReadSCP is a service control policy for AWS Organizations that denies
// reading the trail's log group to every principal of the account but the
// reader (the audit role). SCPs do not apply to the management account.
// It denies logs:GetQueryResults on the log group only, which holds where
// the action is authorized per log group; denying it on "*" would stop
// every Logs Insights query of the account, so where it is authorized
// against "*" the query results of the audit role remain readable by id
// (stated in the README as a residual risk).
func ReadSCP(logGroupARN string, reader *string) policy.Document {
	return policy.Document{Statements: []policy.Statement{{
		Sid:        "DenyReadingTheTrailLogGroupButTheAuditRole",
		Effect:     policy.Deny,
		Actions:    ReadActions,
		Resources:  []string{logGroupARN, logGroupARN + ":*"},
		Conditions: []policy.Condition{{Test: "ArnNotEquals", Variable: policy.PrincipalArn, Values: []string{*reader}}},
	}}}
}

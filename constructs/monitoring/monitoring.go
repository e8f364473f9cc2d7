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
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchlogmetricfilter"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/cmk"
	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/retention"
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
// events, decrypted by the service for the caller.
var ReadActions = []string{
	"logs:FilterLogEvents",
	"logs:GetLogEvents",
	"logs:GetLogRecord",
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
	// Reader is required: the ARN of the one principal (the audit role)
	// that may read the log group.
	Reader *string
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
	if c.Env.Partition == nil || c.Env.AccountID == nil || c.Env.Region == "" {
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
		{"Reader", "the ARN of the one role that reads the log group", c.Reader == nil},
	} {
		if r.empty {
			errs = append(errs, field.Required(r.path, r.what))
		}
	}
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
	// LogGroup is the aws_cloudwatch_log_group.
	LogGroup cloudwatchloggroup.CloudwatchLogGroup
	// Role is the role CloudTrail assumes to write to the log group, and
	// RolePolicy its permission: the trail must depend on it.
	Role       iamrole.IamRole
	RolePolicy iamrolepolicy.IamRolePolicy
	// Topic is the aws_sns_topic of the alarms.
	Topic snstopic.SnsTopic
	// LogGroupARN is the log group's ARN, predicted from its name.
	LogGroupARN string
}

// New validates cfg and adds the monitoring to scope. Terraform addresses
// begin with <id>_.
func New(scope constructs.Construct, id string, cfg Config) (*Monitoring, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	name := func(part string) *string { return jsii.String(id + "_" + part) }
	env := cfg.Env
	logGroupARN := env.LogGroup(cfg.LogGroupName)
	trailARN := env.Trail(cfg.TrailName)

	logsKey, err := cmk.New(c, id+"_logs_key", cmk.Config{
		Alias:       cfg.LogsKeyAlias,
		Description: "Encrypts the CloudWatch Logs copy of the events of " + cfg.TrailName,
		Env:         env,
		Grants: []policy.Statement{{
			Sid:        "CloudWatchLogsUseKeyForTheTrailGroup",
			Effect:     policy.Allow,
			Principals: []policy.Principal{{Type: policy.PrincipalService, Identifiers: []string{env.Logs()}}},
			Actions:    []string{"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{{Test: "ArnEquals", Variable: policy.LogGroupContext, Values: []string{logGroupARN}}},
		}},
	})
	if err != nil {
		return nil, err
	}
	logGroup := cloudwatchloggroup.NewCloudwatchLogGroup(c, jsii.String("log_group"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String(cfg.LogGroupName),
		KmsKeyId:        logsKey.Key.Arn(),
		RetentionInDays: retentionInDays(cfg.RetentionDays),
		Lifecycle:       &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)},
	})
	logGroup.OverrideLogicalId(name("log_group"))

	trust, err := policy.New(c, "role_trust", policy.Document{Statements: []policy.Statement{{
		Sid:        "CloudTrailForThisTrail",
		Effect:     policy.Allow,
		Principals: []policy.Principal{{Type: policy.PrincipalService, Identifiers: []string{arn.CloudTrail}}},
		Actions:    []string{"sts:AssumeRole"},
		Conditions: []policy.Condition{{Test: "StringEquals", Variable: policy.SourceArn, Values: []string{trailARN}}},
	}}})
	if err != nil {
		return nil, err
	}
	trust.OverrideLogicalId(name("role_trust"))
	role := iamrole.NewIamRole(c, jsii.String("role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(cfg.RoleName),
		Path:             jsii.String("/"),
		Description:      jsii.String("Assumed by CloudTrail to deliver the events of " + cfg.TrailName + " to " + cfg.LogGroupName),
		AssumeRolePolicy: trust.Json(),
	})
	role.OverrideLogicalId(name("role"))
	write, err := policy.New(c, "role_policy_document", policy.Document{Statements: []policy.Statement{{
		Sid:       "WriteTheTrailLogGroupOnly",
		Effect:    policy.Allow,
		Actions:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resources: []string{logGroupARN + ":log-stream:*"},
	}}})
	if err != nil {
		return nil, err
	}
	write.OverrideLogicalId(name("role_policy"))
	rolePolicy := iamrolepolicy.NewIamRolePolicy(c, jsii.String("role_policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String("write-trail-log-group"),
		Role:   role.Name(),
		Policy: write.Json(),
	})
	rolePolicy.OverrideLogicalId(name("role_policy"))

	alarmSource := env.AnyAlarm()
	fromAlarms := []policy.Condition{
		{Test: "ArnLike", Variable: policy.SourceArn, Values: []string{alarmSource}},
		{Test: "StringEquals", Variable: policy.SourceAccount, Values: []string{*env.AccountID}},
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
			Conditions: fromAlarms,
		}},
	})
	if err != nil {
		return nil, err
	}
	topic := snstopic.NewSnsTopic(c, jsii.String("topic"), &snstopic.SnsTopicConfig{
		Name:           jsii.String(cfg.TopicName),
		DisplayName:    jsii.String("Alarms on the events of " + cfg.TrailName),
		KmsMasterKeyId: topicKey.Key.Arn(),
	})
	topic.OverrideLogicalId(name("topic"))
	topicARN := env.Topic(cfg.TopicName)
	topicDoc, err := policy.New(c, "topic_policy_document", policy.Document{Statements: []policy.Statement{
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
	topicDoc.OverrideLogicalId(name("topic_policy"))
	topicPolicy := snstopicpolicy.NewSnsTopicPolicy(c, jsii.String("topic_policy"), &snstopicpolicy.SnsTopicPolicyConfig{
		Arn:    topic.Arn(),
		Policy: topicDoc.Json(),
	})
	topicPolicy.OverrideLogicalId(name("topic_policy"))
	for i, e := range cfg.Emails {
		// Keyed by the address, so that removing one subscription removes
		// that one only; moved from the position-keyed address of earlier
		// releases, for one release.
		key := tfname.Key(e)
		sub := snstopicsubscription.NewSnsTopicSubscription(c, jsii.String("email_"+key), &snstopicsubscription.SnsTopicSubscriptionConfig{
			TopicArn: topic.Arn(),
			Protocol: jsii.String("email"),
			Endpoint: jsii.String(e),
		})
		sub.OverrideLogicalId(name("email_" + key))
		sub.MoveFromId(jsii.String("aws_sns_topic_subscription." + *name(fmt.Sprintf("email_%d", i))))
	}

	for _, f := range Families {
		slug := strings.ReplaceAll(f.Name, "-", "_")
		filter := cloudwatchlogmetricfilter.NewCloudwatchLogMetricFilter(c, jsii.String("filter_"+slug), &cloudwatchlogmetricfilter.CloudwatchLogMetricFilterConfig{
			Name:         jsii.String("cis-" + f.Control + "-" + f.Name),
			LogGroupName: logGroup.Name(),
			Pattern:      jsii.String(f.Pattern),
			MetricTransformation: &cloudwatchlogmetricfilter.CloudwatchLogMetricFilterMetricTransformation{
				Name:      jsii.String(f.Metric),
				Namespace: jsii.String(Namespace),
				Value:     jsii.String("1"),
			},
		})
		filter.OverrideLogicalId(name("filter_" + slug))
		alarm := cloudwatchmetricalarm.NewCloudwatchMetricAlarm(c, jsii.String("alarm_"+slug), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
			AlarmName:          jsii.String("cis-" + f.Control + "-" + f.Name),
			AlarmDescription:   jsii.String(fmt.Sprintf("CIS %s: %s, seen in the events of %s", f.Control, f.Title, cfg.TrailName)),
			Namespace:          jsii.String(Namespace),
			MetricName:         jsii.String(f.Metric),
			Statistic:          jsii.String("Sum"),
			Period:             jsii.Number(300),
			EvaluationPeriods:  jsii.Number(1),
			Threshold:          jsii.Number(1),
			ComparisonOperator: jsii.String("GreaterThanOrEqualToThreshold"),
			TreatMissingData:   jsii.String("notBreaching"),
			ActionsEnabled:     jsii.Bool(true),
			AlarmActions:       &[]*string{topic.Arn()},
			DependsOn:          &[]cdktf.ITerraformDependable{filter},
		})
		alarm.OverrideLogicalId(name("alarm_" + slug))
	}
	return &Monitoring{LogGroup: logGroup, Role: role, RolePolicy: rolePolicy, Topic: topic, LogGroupARN: logGroupARN}, nil
}

// retentionInDays is the log group's retention_in_days: unset keeps forever.
func retentionInDays(days int) *float64 {
	if days == 0 {
		return nil
	}
	return jsii.Number(days)
}

// DenyReads is the identity policy that denies reading the trail's log
// group; attached to a group or role, its members must use the audit
// role instead.
func DenyReads(logGroupARN string) policy.Document {
	return policy.Document{Statements: []policy.Statement{{
		Sid:       "DenyReadingTheTrailLogGroup",
		Effect:    policy.Deny,
		Actions:   ReadActions,
		Resources: []string{logGroupARN, logGroupARN + ":*"},
	}}}
}

// ReadSCP is a service control policy for AWS Organizations that denies
// reading the trail's log group to every principal of the account but the
// reader (the audit role). SCPs do not apply to the management account.
func ReadSCP(logGroupARN string, reader *string) policy.Document {
	return policy.Document{Statements: []policy.Statement{{
		Sid:        "DenyReadingTheTrailLogGroupButTheAuditRole",
		Effect:     policy.Deny,
		Actions:    ReadActions,
		Resources:  []string{logGroupARN, logGroupARN + ":*"},
		Conditions: []policy.Condition{{Test: "ArnNotEquals", Variable: policy.PrincipalArn, Values: []string{*reader}}},
	}}}
}

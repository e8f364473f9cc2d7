// Package tfaws holds the arguments of the AWS provider's resources and
// data sources that the constructs write (package block), as the provider
// names them: one struct per Terraform type, with only the arguments the
// constructs set. Optional arguments carry omitempty; an argument that
// must be written even when empty (a lifecycle filter's prefix "") does
// not.
//
// The real provider validates every synthesized stack in the tests
// (terraform validate and plan), so a misspelled argument fails there.
package tfaws

import "github.com/cle2wa/audit-trail/constructs/block"

// KMSKey is aws_kms_key.
type KMSKey struct {
	CustomerMasterKeySpec string          `json:"customer_master_key_spec"`
	DeletionWindowInDays  int             `json:"deletion_window_in_days"`
	DependsOn             []string        `json:"depends_on,omitempty"`
	Description           string          `json:"description"`
	EnableKeyRotation     bool            `json:"enable_key_rotation"`
	IsEnabled             bool            `json:"is_enabled"`
	KeyUsage              string          `json:"key_usage"`
	Lifecycle             block.Lifecycle `json:"lifecycle"`
	MultiRegion           bool            `json:"multi_region"`
	Policy                string          `json:"policy"`
}

// KMSAlias is aws_kms_alias.
type KMSAlias struct {
	Name        string `json:"name"`
	TargetKeyID string `json:"target_key_id"`
}

// CloudWatchLogMetricFilter is aws_cloudwatch_log_metric_filter.
type CloudWatchLogMetricFilter struct {
	LogGroupName         string               `json:"log_group_name"`
	MetricTransformation MetricTransformation `json:"metric_transformation"`
	Name                 string               `json:"name"`
	Pattern              string               `json:"pattern"`
}

// MetricTransformation is a metric filter's metric_transformation.
type MetricTransformation struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Value     string `json:"value"`
}

// CloudWatchMetricAlarm is aws_cloudwatch_metric_alarm.
type CloudWatchMetricAlarm struct {
	ActionsEnabled     bool              `json:"actions_enabled"`
	AlarmActions       []string          `json:"alarm_actions"`
	AlarmDescription   string            `json:"alarm_description"`
	AlarmName          string            `json:"alarm_name"`
	ComparisonOperator string            `json:"comparison_operator"`
	DatapointsToAlarm  int               `json:"datapoints_to_alarm,omitempty"`
	Dimensions         map[string]string `json:"dimensions,omitempty"`
	EvaluationPeriods  int               `json:"evaluation_periods"`
	MetricName         string            `json:"metric_name"`
	Namespace          string            `json:"namespace"`
	OkActions          []string          `json:"ok_actions,omitempty"`
	Period             int               `json:"period"`
	Statistic          string            `json:"statistic"`
	Threshold          float64           `json:"threshold"`
	TreatMissingData   string            `json:"treat_missing_data"`
}

// IAMGroup is aws_iam_group.
type IAMGroup struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

// IAMGroupPolicyAttachment is aws_iam_group_policy_attachment.
type IAMGroupPolicyAttachment struct {
	Group     string `json:"group"`
	PolicyARN string `json:"policy_arn"`
}

// IAMGroupPolicy is aws_iam_group_policy.
type IAMGroupPolicy struct {
	Group  string `json:"group"`
	Name   string `json:"name"`
	Policy string `json:"policy"`
}

// IAMGroupMembership is aws_iam_group_membership.
type IAMGroupMembership struct {
	Group string   `json:"group"`
	Name  string   `json:"name"`
	Users []string `json:"users"`
}

// IAMUser is aws_iam_user.
type IAMUser struct {
	ForceDestroy bool   `json:"force_destroy"`
	Name         string `json:"name"`
	Path         string `json:"path"`
}

// IAMRole is aws_iam_role.
type IAMRole struct {
	AssumeRolePolicy    string `json:"assume_role_policy"`
	Description         string `json:"description"`
	ForceDetachPolicies *bool  `json:"force_detach_policies,omitempty"`
	MaxSessionDuration  int    `json:"max_session_duration,omitempty"`
	Name                string `json:"name"`
	Path                string `json:"path"`
}

// IAMRolePolicy is aws_iam_role_policy.
type IAMRolePolicy struct {
	Name   string `json:"name"`
	Policy string `json:"policy"`
	Role   string `json:"role"`
}

// IAMPolicy is aws_iam_policy.
type IAMPolicy struct {
	Description string `json:"description"`
	Name        string `json:"name"`
	Path        string `json:"path"`
	Policy      string `json:"policy"`
}

func (KMSKey) Type() string                    { return "aws_kms_key" }
func (KMSAlias) Type() string                  { return "aws_kms_alias" }
func (CloudWatchLogMetricFilter) Type() string { return "aws_cloudwatch_log_metric_filter" }
func (CloudWatchMetricAlarm) Type() string     { return "aws_cloudwatch_metric_alarm" }
func (IAMGroup) Type() string                  { return "aws_iam_group" }
func (IAMGroupPolicyAttachment) Type() string  { return "aws_iam_group_policy_attachment" }
func (IAMGroupPolicy) Type() string            { return "aws_iam_group_policy" }
func (IAMGroupMembership) Type() string        { return "aws_iam_group_membership" }
func (IAMUser) Type() string                   { return "aws_iam_user" }
func (IAMRole) Type() string                   { return "aws_iam_role" }
func (IAMRolePolicy) Type() string             { return "aws_iam_role_policy" }
func (IAMPolicy) Type() string                 { return "aws_iam_policy" }

// CloudWatchLogGroup is aws_cloudwatch_log_group.
type CloudWatchLogGroup struct {
	KMSKeyID        string          `json:"kms_key_id"`
	Lifecycle       block.Lifecycle `json:"lifecycle"`
	Name            string          `json:"name"`
	RetentionInDays int             `json:"retention_in_days,omitempty"`
}

// SNSTopic is aws_sns_topic.
type SNSTopic struct {
	DisplayName    string `json:"display_name"`
	KMSMasterKeyID string `json:"kms_master_key_id"`
	Name           string `json:"name"`
}

// SNSTopicPolicy is aws_sns_topic_policy.
type SNSTopicPolicy struct {
	ARN    string `json:"arn"`
	Policy string `json:"policy"`
}

// SNSTopicSubscription is aws_sns_topic_subscription.
type SNSTopicSubscription struct {
	Endpoint string `json:"endpoint"`
	Protocol string `json:"protocol"`
	TopicARN string `json:"topic_arn"`
}

func (CloudWatchLogGroup) Type() string   { return "aws_cloudwatch_log_group" }
func (SNSTopic) Type() string             { return "aws_sns_topic" }
func (SNSTopicPolicy) Type() string       { return "aws_sns_topic_policy" }
func (SNSTopicSubscription) Type() string { return "aws_sns_topic_subscription" }

// CloudTrail is aws_cloudtrail.
type CloudTrail struct {
	AdvancedEventSelector      []AdvancedEventSelector `json:"advanced_event_selector,omitempty"`
	CloudWatchLogsGroupARN     string                  `json:"cloud_watch_logs_group_arn,omitempty"`
	CloudWatchLogsRoleARN      string                  `json:"cloud_watch_logs_role_arn,omitempty"`
	DependsOn                  []string                `json:"depends_on,omitempty"`
	EnableLogFileValidation    bool                    `json:"enable_log_file_validation"`
	EnableLogging              bool                    `json:"enable_logging"`
	EventSelector              []EventSelector         `json:"event_selector,omitempty"`
	IncludeGlobalServiceEvents bool                    `json:"include_global_service_events"`
	InsightSelector            []InsightSelector       `json:"insight_selector,omitempty"`
	IsMultiRegionTrail         bool                    `json:"is_multi_region_trail"`
	IsOrganizationTrail        bool                    `json:"is_organization_trail"`
	KMSKeyID                   string                  `json:"kms_key_id"`
	Name                       string                  `json:"name"`
	S3BucketName               string                  `json:"s3_bucket_name"`
	S3KeyPrefix                string                  `json:"s3_key_prefix,omitempty"`
}

// EventSelector is a trail's event_selector.
type EventSelector struct {
	IncludeManagementEvents bool   `json:"include_management_events"`
	ReadWriteType           string `json:"read_write_type"`
}

// AdvancedEventSelector is a trail's advanced_event_selector.
type AdvancedEventSelector struct {
	FieldSelector []FieldSelector `json:"field_selector"`
	Name          string          `json:"name"`
}

// FieldSelector is an advanced event selector's field_selector.
type FieldSelector struct {
	Equals        []string `json:"equals,omitempty"`
	Field         string   `json:"field"`
	NotStartsWith []string `json:"not_starts_with,omitempty"`
}

// InsightSelector is a trail's insight_selector.
type InsightSelector struct {
	InsightType string `json:"insight_type"`
}

func (CloudTrail) Type() string { return "aws_cloudtrail" }

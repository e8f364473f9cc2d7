package verify

// Compared names, for each resource type the stacks synthesize and each
// attribute they set, the check that compares it with the account. A
// test walks every resource of the golden audit stack and fails on an
// attribute found in neither Compared nor Unread, and on a check named
// here that verify does not report.
var Compared = map[string]map[string]string{
	"aws_cloudtrail": {
		"name": "TRAIL-EXISTS", "is_multi_region_trail": "TRAIL-MULTI-REGION", "include_global_service_events": "TRAIL-GLOBAL-EVENTS",
		"enable_log_file_validation": "TRAIL-LOG-VALIDATION", "is_organization_trail": "TRAIL-SCOPE", "s3_bucket_name": "TRAIL-BUCKET",
		"s3_key_prefix": "TRAIL-BUCKET", "kms_key_id": "TRAIL-KMS", "cloud_watch_logs_group_arn": "TRAIL-CLOUDWATCH", "cloud_watch_logs_role_arn": "TRAIL-CLOUDWATCH",
		"sns_topic_name": "TRAIL-NOTIFICATIONS", "enable_logging": "TRAIL-LOGGING", "event_selector": "TRAIL-SELECTORS", "advanced_event_selector": "TRAIL-SELECTORS",
	},
	"aws_cloudwatch_log_group":         {"name": "LOG-GROUP", "kms_key_id": "LOG-GROUP", "retention_in_days": "LOG-GROUP"},
	"aws_cloudwatch_log_metric_filter": {"name": "LOG-METRIC-FILTER", "log_group_name": "LOG-METRIC-FILTER", "pattern": "LOG-METRIC-FILTER", "metric_transformation": "LOG-METRIC-FILTER"},
	"aws_cloudwatch_metric_alarm": {
		"alarm_name": "ALARM", "actions_enabled": "ALARM", "alarm_actions": "ALARM", "ok_actions": "ALARM", "insufficient_data_actions": "ALARM",
		"alarm_description": "ALARM", "metric_name": "ALARM", "namespace": "ALARM", "dimensions": "ALARM", "statistic": "ALARM", "period": "ALARM",
		"evaluation_periods": "ALARM", "datapoints_to_alarm": "ALARM", "threshold": "ALARM", "comparison_operator": "ALARM", "treat_missing_data": "ALARM",
	},
	"aws_iam_group":                   {"name": "IAM-GROUP", "path": "IAM-GROUP"},
	"aws_iam_group_membership":        {"group": "DRIFT-GROUP-MEMBERS", "users": "DRIFT-GROUP-MEMBERS"},
	"aws_iam_group_policy":            {"name": "DRIFT-GROUP-POLICIES", "group": "DRIFT-GROUP-POLICY", "policy": "DRIFT-GROUP-POLICY"},
	"aws_iam_group_policy_attachment": {"group": "DRIFT-GROUP-ATTACHMENTS", "policy_arn": "DRIFT-GROUP-ATTACHMENTS"},
	"aws_iam_policy":                  {"name": "DRIFT-MANAGED-POLICY", "policy": "DRIFT-MANAGED-POLICY", "description": "IAM-POLICY", "path": "IAM-POLICY"},
	"aws_iam_role": {
		"name": "DRIFT-ROLE-TRUST", "assume_role_policy": "DRIFT-ROLE-TRUST", "max_session_duration": "IAM-ROLE", "description": "IAM-ROLE", "path": "IAM-ROLE",
	},
	"aws_iam_role_policy": {"name": "DRIFT-ROLE-POLICIES", "role": "DRIFT-ROLE-POLICY", "policy": "DRIFT-ROLE-POLICY"},
	"aws_iam_user":        {"name": "IAM-USER", "path": "IAM-USER"},
	"aws_kms_alias":       {"name": "KEY-STATE"},
	"aws_kms_key": {
		"policy": "DRIFT-KEY-POLICY", "enable_key_rotation": "KEY-ROTATION", "is_enabled": "KEY-STATE", "description": "KEY-SETTINGS",
		"customer_master_key_spec": "KEY-SETTINGS", "key_usage": "KEY-SETTINGS", "multi_region": "KEY-SETTINGS",
	},
	"aws_s3_bucket":                                      {"bucket": "BUCKET-REGION"},
	"aws_s3_bucket_lifecycle_configuration":              {"bucket": "BUCKET-LIFECYCLE", "rule": "BUCKET-LIFECYCLE"},
	"aws_s3_bucket_logging":                              {"bucket": "BUCKET-LOGGING", "target_bucket": "BUCKET-LOGGING", "target_prefix": "BUCKET-LOGGING"},
	"aws_s3_bucket_object_lock_configuration":            {"bucket": "BUCKET-OBJECT-LOCK", "object_lock_enabled": "BUCKET-OBJECT-LOCK", "rule": "BUCKET-OBJECT-LOCK"},
	"aws_s3_bucket_ownership_controls":                   {"bucket": "BUCKET-OWNERSHIP", "rule": "BUCKET-OWNERSHIP"},
	"aws_s3_bucket_policy":                               {"bucket": "DRIFT-BUCKET-POLICY", "policy": "DRIFT-BUCKET-POLICY"},
	"aws_s3_bucket_request_payment_configuration":        {"bucket": "BUCKET-REQUEST-PAYMENT", "payer": "BUCKET-REQUEST-PAYMENT"},
	"aws_s3_bucket_server_side_encryption_configuration": {"bucket": "BUCKET-ENCRYPTION", "rule": "BUCKET-ENCRYPTION"},
	"aws_s3_bucket_versioning":                           {"bucket": "BUCKET-VERSIONING", "versioning_configuration": "BUCKET-VERSIONING"},
	"aws_s3_bucket_public_access_block": {
		"bucket": "BUCKET-PUBLIC-ACCESS", "block_public_acls": "BUCKET-PUBLIC-ACCESS", "block_public_policy": "BUCKET-PUBLIC-ACCESS",
		"ignore_public_acls": "BUCKET-PUBLIC-ACCESS", "restrict_public_buckets": "BUCKET-PUBLIC-ACCESS",
	},
	"aws_sns_topic":              {"name": "TOPIC", "kms_master_key_id": "TOPIC", "display_name": "TOPIC"},
	"aws_sns_topic_policy":       {"arn": "DRIFT-TOPIC-POLICY", "policy": "DRIFT-TOPIC-POLICY"},
	"aws_sns_topic_subscription": {"topic_arn": "TOPIC-SUBSCRIPTIONS", "protocol": "TOPIC-SUBSCRIPTIONS", "endpoint": "TOPIC-SUBSCRIPTIONS"},
}

// SameFact names each check id that both package check (on the
// synthesis) and verify (on the account) report, with the one fact both
// assert: an id means one fact everywhere. Verify's comparisons of a
// setting the synthesis hard-wires to the secure value assert the same
// fact as the check of that value.
var SameFact = map[string]string{
	"BUCKET-ENCRYPTION":    "the buckets encrypt by default, as the stack sets it",
	"BUCKET-PUBLIC-ACCESS": "the buckets block every kind of public access",
	"BUCKET-VERSIONING":    "the buckets are versioned",
	"KEY-ROTATION":         "the stack's keys rotate",
	"TRAIL-CLOUDWATCH":     "the trail delivers a copy of its events to the stack's log group",
	"TRAIL-GLOBAL-EVENTS":  "the trail records global service events",
	"TRAIL-KMS":            "the trail encrypts its log files with the stack's key",
	"TRAIL-LOG-VALIDATION": "the trail validates its log files",
	"TRAIL-LOGGING":        "the trail is logging",
	"TRAIL-MULTI-REGION":   "the trail records every region",
}

// Unread names the attributes that verify does not compare, each with
// the reviewed reason why it cannot be read back from the account. Keep
// it small: an attribute AWS reports belongs in Compared.
var Unread = map[string]map[string]string{
	"aws_s3_bucket":            {"force_destroy": terraformOnly},
	"aws_iam_user":             {"force_destroy": terraformOnly},
	"aws_iam_role":             {"force_detach_policies": terraformOnly},
	"aws_iam_group_membership": {"name": "the name of Terraform's membership resource, which is no object in IAM"},
	"terraform_data":           {"input": "Terraform's own data in the state (the first deployer), no object in the account"},
	"aws_kms_key": {"deletion_window_in_days": "KMS reports a waiting period only once deletion is scheduled (PendingDeletionWindowInDays, " +
		"https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html), and KEY-STATE fails then"},
	"aws_kms_alias": {"target_key_id": "the alias is how verify finds each key, whose ID is known only after the deploy: which key it names " +
		"is seen through the trail's, buckets' and log group's key ARNs (TRAIL-KMS, BUCKET-ENCRYPTION, LOG-GROUP, TOPIC), not by itself (docs/commands.md, verify)"},
}

// terraformOnly is the reason for an attribute that only tells Terraform
// how to delete: AWS has no such setting to read.
const terraformOnly = "tells Terraform how to delete the resource; AWS has no such setting"

// Meta are the keys of a synthesized resource that are Terraform's own
// (metadata and meta-arguments), not attributes of an AWS resource.
var Meta = []string{"//", "depends_on", "lifecycle", "provider", "count", "for_each"}

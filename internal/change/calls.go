package change

import "strings"

// ProviderModule is the AWS provider's source the calls below are read
// from: the module scripts/build-provider builds, whose files
// internal/service/<service>/<file> each table row names.
const ProviderModule = "github.com/hashicorp/terraform-provider-aws@v1.60.1-0.20260602190131-5f2286d6d836"

// Call is one API operation the provider calls, and the IAM action that
// authorizes it (AWS's Service Authorization Reference lists, for each
// action, the operations it covers: for S3,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
type Call struct {
	// API is the operation as the AWS SDK names it.
	API string
	// Action is the IAM action; "" means the service's prefix and API.
	Action string
}

// IAMAction is the action that authorizes c in service svc ("s3").
func (c Call) IAMAction(svc string) string {
	if c.Action != "" {
		return c.Action
	}
	return svc + ":" + c.API
}

// Calls are what the provider calls to create, update and delete one
// resource type, and which resource's policy guards them.
type Calls struct {
	// Source is the provider file, under internal/service/.
	Source string
	// Create, Update and Delete are the operations of each change. An
	// update calls Update unless ByAttribute names the changed argument.
	Create, Update, Delete []Call
	// ByAttribute are an update's operations by changed argument.
	ByAttribute map[string][]Call
	// On is the argument that refers to the resource whose policy guards
	// the calls (a bucket, key or topic), "" for the resource itself, or
	// "-" for none: the caller's identity policies alone decide.
	On string
}

// Service is the IAM service prefix of the calls: the provider's
// directory of Source, which is named so for every type here.
func (c Calls) Service() string {
	svc, _, _ := strings.Cut(c.Source, "/")
	return svc
}

func calls(apis ...string) []Call {
	out := make([]Call, 0, len(apis))
	for _, a := range apis {
		api, action, _ := strings.Cut(a, "=")
		out = append(out, Call{API: api, Action: action})
	}
	return out
}

// ProviderCalls are the calls of every resource type the stacks make, as
// the provider's source makes them (ProviderModule). An S3 operation's
// IAM action is given where its name differs ("API=action"): deleting a
// lifecycle, a public access block, an encryption or ownership
// configuration is authorized by the Put action, and the provider
// "deletes" an Object Lock configuration, versioning or a topic policy by
// putting one without a rule, Suspended, or the default policy.
var ProviderCalls = map[string]Calls{
	"aws_s3_bucket": {Source: "s3/bucket.go", On: "",
		Create: calls("CreateBucket"), Update: calls("PutBucketTagging"), Delete: calls("DeleteBucket")},
	"aws_s3_bucket_policy": {Source: "s3/bucket_policy.go", On: "bucket",
		Create: calls("PutBucketPolicy"), Update: calls("PutBucketPolicy"), Delete: calls("DeleteBucketPolicy")},
	"aws_s3_bucket_lifecycle_configuration": {Source: "s3/bucket_lifecycle_configuration.go", On: "bucket",
		Create: calls("PutBucketLifecycleConfiguration=s3:PutLifecycleConfiguration"), Update: calls("PutBucketLifecycleConfiguration=s3:PutLifecycleConfiguration"), Delete: calls("DeleteBucketLifecycle=s3:PutLifecycleConfiguration")},
	"aws_s3_bucket_object_lock_configuration": {Source: "s3/bucket_object_lock_configuration.go", On: "bucket",
		Create: calls("PutObjectLockConfiguration=s3:PutBucketObjectLockConfiguration"), Update: calls("PutObjectLockConfiguration=s3:PutBucketObjectLockConfiguration"), Delete: calls("PutObjectLockConfiguration=s3:PutBucketObjectLockConfiguration")},
	"aws_s3_bucket_versioning": {Source: "s3/bucket_versioning.go", On: "bucket",
		Create: calls("PutBucketVersioning"), Update: calls("PutBucketVersioning"), Delete: calls("PutBucketVersioning")},
	"aws_s3_bucket_logging": {Source: "s3/bucket_logging.go", On: "bucket",
		Create: calls("PutBucketLogging"), Update: calls("PutBucketLogging"), Delete: calls("PutBucketLogging")},
	"aws_s3_bucket_public_access_block": {Source: "s3/bucket_public_access_block.go", On: "bucket",
		Create: calls("PutPublicAccessBlock=s3:PutBucketPublicAccessBlock"), Update: calls("PutPublicAccessBlock=s3:PutBucketPublicAccessBlock"), Delete: calls("DeletePublicAccessBlock=s3:PutBucketPublicAccessBlock")},
	"aws_s3_bucket_server_side_encryption_configuration": {Source: "s3/bucket_server_side_encryption_configuration.go", On: "bucket",
		Create: calls("PutBucketEncryption=s3:PutEncryptionConfiguration"), Update: calls("PutBucketEncryption=s3:PutEncryptionConfiguration"), Delete: calls("DeleteBucketEncryption=s3:PutEncryptionConfiguration")},
	"aws_s3_bucket_ownership_controls": {Source: "s3/bucket_ownership_controls.go", On: "bucket",
		Create: calls("PutBucketOwnershipControls"), Update: calls("PutBucketOwnershipControls"), Delete: calls("DeleteBucketOwnershipControls=s3:PutBucketOwnershipControls")},
	"aws_s3_bucket_request_payment_configuration": {Source: "s3/bucket_request_payment_configuration.go", On: "bucket",
		Create: calls("PutBucketRequestPayment"), Update: calls("PutBucketRequestPayment"), Delete: calls("PutBucketRequestPayment")},
	// CreateKey also passes KMS's lockout safety check, as PutKeyPolicy
	// does: see lockout.
	"aws_kms_key": {Source: "kms/key.go", On: "",
		Create: calls("CreateKey"), Delete: calls("ScheduleKeyDeletion"),
		ByAttribute: map[string][]Call{
			"policy":              calls("PutKeyPolicy"),
			"description":         calls("UpdateKeyDescription"),
			"enable_key_rotation": calls("EnableKeyRotation", "DisableKeyRotation"),
			"is_enabled":          calls("EnableKey", "DisableKey"),
		}},
	"aws_kms_alias": {Source: "kms/alias.go", On: "target_key_id",
		Create: calls("CreateAlias"), Update: calls("UpdateAlias"), Delete: calls("DeleteAlias")},
	"aws_sns_topic": {Source: "sns/topic.go", On: "",
		Create: calls("CreateTopic"), Update: calls("SetTopicAttributes"), Delete: calls("DeleteTopic")},
	"aws_sns_topic_policy": {Source: "sns/topic_policy.go", On: "arn",
		Create: calls("SetTopicAttributes"), Update: calls("SetTopicAttributes"), Delete: calls("SetTopicAttributes")},
	"aws_sns_topic_subscription": {Source: "sns/topic_subscription.go", On: "topic_arn",
		Create: calls("Subscribe"), Update: calls("SetSubscriptionAttributes"), Delete: calls("Unsubscribe")},
	"aws_cloudtrail": {Source: "cloudtrail/trail.go", On: "-",
		Create: calls("CreateTrail", "PutEventSelectors", "StartLogging"), Update: calls("UpdateTrail", "PutEventSelectors", "PutInsightSelectors"), Delete: calls("DeleteTrail")},
	"aws_cloudwatch_log_group": {Source: "logs/group.go", On: "-",
		Create: calls("CreateLogGroup", "PutRetentionPolicy"), Update: calls("PutRetentionPolicy", "AssociateKmsKey"), Delete: calls("DeleteLogGroup")},
	"aws_cloudwatch_log_metric_filter": {Source: "logs/metric_filter.go", On: "-",
		Create: calls("PutMetricFilter"), Update: calls("PutMetricFilter"), Delete: calls("DeleteMetricFilter")},
	"aws_cloudwatch_metric_alarm": {Source: "cloudwatch/metric_alarm.go", On: "-",
		Create: calls("PutMetricAlarm"), Update: calls("PutMetricAlarm"), Delete: calls("DeleteAlarms")},
	"aws_iam_user": {Source: "iam/user.go", On: "-",
		Create: calls("CreateUser"), Update: calls("UpdateUser"), Delete: calls("DeleteUser")},
	"aws_iam_group": {Source: "iam/group.go", On: "-",
		Create: calls("CreateGroup"), Update: calls("UpdateGroup"), Delete: calls("DeleteGroup")},
	"aws_iam_group_membership": {Source: "iam/group_membership.go", On: "-",
		Create: calls("AddUserToGroup"), Update: calls("AddUserToGroup", "RemoveUserFromGroup"), Delete: calls("RemoveUserFromGroup")},
	"aws_iam_group_policy": {Source: "iam/group_policy.go", On: "-",
		Create: calls("PutGroupPolicy"), Update: calls("PutGroupPolicy"), Delete: calls("DeleteGroupPolicy")},
	"aws_iam_group_policy_attachment": {Source: "iam/group_policy_attachment.go", On: "-",
		Create: calls("AttachGroupPolicy"), Update: calls("AttachGroupPolicy"), Delete: calls("DetachGroupPolicy")},
	"aws_iam_policy": {Source: "iam/policy.go", On: "-",
		Create: calls("CreatePolicy"), Update: calls("CreatePolicyVersion"), Delete: calls("DeletePolicy")},
	"aws_iam_role": {Source: "iam/role.go", On: "-",
		Create: calls("CreateRole"), Update: calls("UpdateAssumeRolePolicy"), Delete: calls("DeleteRole")},
	"aws_iam_role_policy": {Source: "iam/role_policy.go", On: "-",
		Create: calls("PutRolePolicy"), Update: calls("PutRolePolicy"), Delete: calls("DeleteRolePolicy")},
	// Terraform's own: no AWS call.
	"terraform_data": {Source: "", On: "-"},
}

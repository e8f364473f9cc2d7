// Package auditstate is the audit trail's contract with other Terraform
// stacks: the names of the outputs it publishes, and typed accessors that
// let another cdktf Go app read them from Terraform state.
//
//	audit, err := auditstate.NewS3(stack, "audit_trail", auditstate.S3{
//		Bucket: "cle2wa-s3-tfstate-master",
//		Key:    "cle2wa/master/exports.tfstate",
//		Region: "us-east-1",
//	})
//	... audit.TrailARN() ...
package auditstate

import (
	"errors"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/field"
)

// The names of the outputs that the audit and exports stacks publish.
const (
	OutputTrailARN            = "trail_arn"
	OutputTrailName           = "trail_name"
	OutputLogBucketName       = "log_bucket_name"
	OutputLogBucketARN        = "log_bucket_arn"
	OutputAccessLogBucketName = "access_log_bucket_name"
	OutputKMSKeyARN           = "kms_key_arn"
	OutputKMSKeyAlias         = "kms_key_alias"
	OutputAuditGroupName      = "audit_group_name"
	OutputAuditRoleARN        = "audit_role_arn"
	OutputAuditUserNames      = "audit_user_names"
	OutputAccountID           = "account_id"
	// OutputLogGroupName and OutputAlarmTopicARN are published when
	// monitoring is on (the default).
	OutputLogGroupName  = "log_group_name"
	OutputAlarmTopicARN = "alarm_topic_arn"
	// OutputOrganizationID is published when the trail is an organization
	// trail.
	OutputOrganizationID = "organization_id"
	// OutputLogFilesURI is published by the exports stack only.
	OutputLogFilesURI = "log_files_uri"
)

// S3 locates a state object in an S3 bucket.
type S3 struct {
	// Bucket is required: the state bucket.
	Bucket string
	// Key is required: the state object's key, for example
	// <stateKey>/exports.tfstate.
	Key string
	// Region is required: the bucket's region.
	Region string
}

// Validate reports every missing field at once.
func (s S3) Validate() error {
	var errs []error
	for _, f := range []struct{ name, value, what string }{{"Bucket", s.Bucket, "the state bucket"}, {"Key", s.Key, "the state object's key"}, {"Region", s.Region, "the bucket's region"}} {
		if f.value == "" {
			errs = append(errs, field.Required(f.name, f.what))
		}
	}
	if strings.HasPrefix(s.Key, "/") || strings.Contains(s.Key, "//") {
		errs = append(errs, field.Invalid("Key", s.Key, `must not begin with "/" or contain "//"`))
	}
	return errors.Join(errs...)
}

// Outputs reads the audit trail's outputs from a state.
type Outputs struct {
	// State is the terraform_remote_state data source.
	State cdktf.TerraformRemoteState
}

// NewS3 adds a terraform_remote_state data source for the state in S3.
func NewS3(scope constructs.Construct, id string, cfg S3) (*Outputs, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	state := cdktf.NewDataTerraformRemoteStateS3(scope, jsii.String(id), &cdktf.DataTerraformRemoteStateS3Config{
		Bucket: jsii.String(cfg.Bucket),
		Key:    jsii.String(cfg.Key),
		Region: jsii.String(cfg.Region),
	})
	return &Outputs{State: state}, nil
}

// NewLocal adds a terraform_remote_state data source for a local state
// file; a relative path is relative to the reading stack's directory.
func NewLocal(scope constructs.Construct, id, path string) (*Outputs, error) {
	if path == "" {
		return nil, field.Required("path", "the path of the local state")
	}
	state := cdktf.NewDataTerraformRemoteStateLocal(scope, jsii.String(id), &cdktf.DataTerraformRemoteStateLocalConfig{
		Path: jsii.String(path),
	})
	return &Outputs{State: state}, nil
}

func (o *Outputs) get(name string) *string { return o.State.GetString(jsii.String(name)) }

// TrailARN is the ARN of the CloudTrail trail.
func (o *Outputs) TrailARN() *string { return o.get(OutputTrailARN) }

// TrailName is the name of the CloudTrail trail.
func (o *Outputs) TrailName() *string { return o.get(OutputTrailName) }

// LogBucketName is the name of the bucket of the log files.
func (o *Outputs) LogBucketName() *string { return o.get(OutputLogBucketName) }

// LogBucketARN is the ARN of the bucket of the log files.
func (o *Outputs) LogBucketARN() *string { return o.get(OutputLogBucketARN) }

// AccessLogBucketName is the name of the bucket of the server access logs.
func (o *Outputs) AccessLogBucketName() *string { return o.get(OutputAccessLogBucketName) }

// KMSKeyARN is the ARN of the key that encrypts the log files.
func (o *Outputs) KMSKeyARN() *string { return o.get(OutputKMSKeyARN) }

// KMSKeyAlias is the alias of the key that encrypts the log files.
func (o *Outputs) KMSKeyAlias() *string { return o.get(OutputKMSKeyAlias) }

// AuditGroupName is the name of the IAM group of auditors.
func (o *Outputs) AuditGroupName() *string { return o.get(OutputAuditGroupName) }

// AuditRoleARN is the ARN of the role that reads and decrypts the logs.
func (o *Outputs) AuditRoleARN() *string { return o.get(OutputAuditRoleARN) }

// AuditUserNames are the names of the IAM users in the audit group.
func (o *Outputs) AuditUserNames() *[]*string {
	return o.State.GetList(jsii.String(OutputAuditUserNames))
}

// AccountID is the ID of the AWS account of the trail.
func (o *Outputs) AccountID() *string { return o.get(OutputAccountID) }

// LogGroupName is the CloudWatch Logs log group with a copy of the events
// (when monitoring is on).
func (o *Outputs) LogGroupName() *string { return o.get(OutputLogGroupName) }

// AlarmTopicARN is the SNS topic the CIS alarms notify (when monitoring is
// on).
func (o *Outputs) AlarmTopicARN() *string { return o.get(OutputAlarmTopicARN) }

// OrganizationID is the ID of the organization whose accounts the trail
// records (published with an organization trail only).
func (o *Outputs) OrganizationID() *string { return o.get(OutputOrganizationID) }

package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// StateName is the bootstrap stack's name.
const StateName = "state"

// NewState adds, for settings that All has validated, the bootstrap stack "state" to app: the S3
// bucket that holds the Terraform state of every stack once stateBucket is
// set. It is deployed first, with local state, and is never a log bucket.
// The bucket is hardened like the log buckets (versioned, encrypted, all
// public access blocked, owner enforced, TLS only, protected from
// destruction), keeps every version of every state object, and logs every
// access to a bucket of its own: who read the state is on record.
func NewState(app constructs.Construct, s settings.Settings) (cdktf.TerraformStack, error) {
	names := s.Names()
	stack := cdktf.NewTerraformStack(app, jsii.String(StateName))
	Configure(stack, StateName, s)
	env, ops, _ := newProvider(stack, names.StateRegion, s)

	pair, err := logbucket.NewPair(stack, "state_bucket", "state_access_log_bucket", logbucket.PairConfig{
		Env:       env,
		Bucket:    logbucket.Config{Name: names.StateBucket, KMSKeyARN: s.State.KMSKeyID, Operators: ops},
		AccessLog: logbucket.Config{Name: names.StateAccessLogBucket, Retention: s.Retention, Operators: ops},
	})
	if err != nil {
		return nil, err
	}
	bucket := pair.Bucket
	for _, o := range []struct {
		name, description string
		value             *string
	}{
		{"state_bucket_name", "Name of the S3 bucket for Terraform state: set it as stateBucket in cdktf.json", jsii.String(bucket.Ref("bucket"))},
		{"state_bucket_arn", "ARN of the S3 bucket for Terraform state", jsii.String(bucket.Ref("arn"))},
		{"state_bucket_region", "Region of the S3 bucket for Terraform state", jsii.String(bucket.Ref("region"))},
	} {
		cdktf.NewTerraformOutput(stack, jsii.String(o.name), &cdktf.TerraformOutputConfig{
			Value:       o.value,
			Description: jsii.String(o.description),
		})
	}
	return stack, nil
}

// Package auditstack assembles the audit trail stack from the settings:
// the access-log bucket, the log bucket, the trail key, the audit
// identities and the trail, with the provider, the backend and the stack
// outputs that other stacks consume.
package auditstack

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawscalleridentity"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawspartition"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/auditors"
	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/constructs/trail"
	"github.com/cle2wa/audit-trail/constructs/trailkey"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// Name is the stack's name: its directory is cdktf.out/stacks/<Name>.
const Name = "audit"

// StatePath is the local backend's state file, relative to the stack's
// directory cdktf.out/stacks/<Name>: the project root, outside cdktf.out,
// where a new synth cannot delete it.
const StatePath = "../../../terraform." + Name + ".tfstate"

// New validates s and adds the audit stack to app.
func New(app constructs.Construct, s settings.Settings) (cdktf.TerraformStack, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	names := s.Names()
	stack := cdktf.NewTerraformStack(app, jsii.String(Name))
	cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: jsii.String(StatePath)})

	tags := make(map[string]*string, len(s.Tags))
	for k, v := range s.Tags {
		tags[k] = jsii.String(v)
	}
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{
		Region:      jsii.String(s.Region),
		DefaultTags: &[]*provider.AwsProviderDefaultTags{{Tags: &tags}},
	})

	env := arn.Env{
		Partition: dataawspartition.NewDataAwsPartition(stack, jsii.String("current_partition"), nil).Partition(),
		AccountID: dataawscalleridentity.NewDataAwsCallerIdentity(stack, jsii.String("current_account"), nil).AccountId(),
		Region:    s.Region,
	}

	accessLogBucketARN := env.Bucket(names.AccessLogBucket)
	logBucketARN := env.Bucket(names.LogBucket)
	accessLogPrefix := names.LogBucket + "/"

	accessLogs, err := logbucket.New(stack, "access_log_bucket", logbucket.Config{
		Name:      names.AccessLogBucket,
		ARN:       accessLogBucketARN,
		Retention: s.Retention,
		Grants:    logbucket.AccessLogGrants(accessLogBucketARN, accessLogPrefix, logBucketARN, *env.AccountID),
	})
	if err != nil {
		return nil, err
	}

	audit, err := auditors.New(stack, "audit", auditors.Config{
		GroupName: names.Group,
		RoleName:  names.Role,
		UserNames: s.AuditUsers,
		Env:       env,
	})
	if err != nil {
		return nil, err
	}

	key, err := trailkey.New(stack, "trail_key", trailkey.Config{
		Alias:        names.KeyAlias,
		Env:          env,
		TrailName:    names.Trail,
		DecryptorARN: audit.Role.Arn(),
	})
	if err != nil {
		return nil, err
	}

	logs, err := logbucket.New(stack, "log_bucket", logbucket.Config{
		Name:       names.LogBucket,
		ARN:        logBucketARN,
		KMSKeyARN:  key.Key.Arn(),
		AccessLogs: &logbucket.AccessLogs{Bucket: accessLogs.Bucket.Id(), Prefix: accessLogPrefix},
		Retention:  s.Retention,
		Grants:     trail.BucketGrants(env, names.Trail, s.LogPrefix, logBucketARN),
	})
	if err != nil {
		return nil, err
	}

	if _, err := auditors.NewReadPolicy(stack, "audit_role_read", auditors.ReadConfig{
		Role:       audit.Role,
		BucketARNs: []string{logBucketARN, accessLogBucketARN},
		KeyARN:     key.Key.Arn(),
	}); err != nil {
		return nil, err
	}

	t, err := trail.New(stack, "trail", trail.Config{
		Name:      names.Trail,
		Env:       env,
		Bucket:    logs,
		Key:       key,
		KeyPrefix: s.LogPrefix,
	})
	if err != nil {
		return nil, err
	}

	userNames := make([]*string, 0, len(audit.Users))
	for _, u := range audit.Users {
		userNames = append(userNames, u.Name())
	}
	outputs := []struct {
		name, description string
		value             interface{}
	}{
		{"trail_arn", "ARN of the CloudTrail trail", t.Arn()},
		{"trail_name", "Name of the CloudTrail trail", t.Name()},
		{"log_bucket_name", "Name of the S3 bucket that receives the CloudTrail log files", logs.Bucket.Bucket()},
		{"log_bucket_arn", "ARN of the S3 bucket that receives the CloudTrail log files", logs.Bucket.Arn()},
		{"access_log_bucket_name", "Name of the S3 bucket that receives the log bucket's server access logs", accessLogs.Bucket.Bucket()},
		{"kms_key_arn", "ARN of the KMS key that encrypts the CloudTrail log files", key.Key.Arn()},
		{"kms_key_alias", "Alias of the KMS key that encrypts the CloudTrail log files", key.Alias.Name()},
		{"audit_group_name", "Name of the IAM group of auditors", audit.Group.Name()},
		{"audit_role_arn", "ARN of the IAM role that reads and decrypts the log files (MFA required)", audit.Role.Arn()},
		{"audit_user_names", "Names of the IAM users in the audit group", &userNames},
	}
	for _, o := range outputs {
		cdktf.NewTerraformOutput(stack, jsii.String(o.name), &cdktf.TerraformOutputConfig{
			Value:       o.value,
			Description: jsii.String(o.description),
		})
	}
	return stack, nil
}

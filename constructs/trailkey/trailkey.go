// Package trailkey is the customer-managed KMS key that encrypts CloudTrail
// log files, with a key policy that lets exactly one principal, the audit
// role, decrypt them.
//
// The key policy never grants kms:* to the account: the account (and so
// IAM administrators) may administer the key but not use it to decrypt,
// and an explicit Deny refuses kms:Decrypt and kms:ReEncryptFrom to every
// principal other than the audit role and AWS services, whatever IAM
// policies, grants or later statements may allow.
package trailkey

import (
	"errors"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/cmk"
	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/policy"
)

// Config describes the trail key.
type Config struct {
	// Alias is required: the alias name, beginning with "alias/".
	Alias string
	// Env is required: partition, account and home region of the key.
	Env arn.Env
	// TrailName is required: the name of the one trail that may use the key.
	TrailName string
	// TrailEnv is optional: the partition, account and home region of the
	// trail, when the key is in another account (an organization's
	// security account). Default (zero): Env, the key beside the trail.
	TrailEnv arn.Env
	// Describers is optional: the accounts (as their root ARNs) whose
	// stacks read the key's ARN through its alias ARN (kms:DescribeKey),
	// when the key is in another account than the trail's and the
	// buckets'. Default: none.
	Describers []string
	// DecryptorARN is required: the ARN of the one principal (the audit
	// role) allowed to decrypt log files.
	DecryptorARN string
	// Decryptor is optional: the address of the resource DecryptorARN
	// names, which the key waits for. Default: "", for a principal that
	// exists already.
	Decryptor string
	// Operators is required: who may change the key policy, and who may
	// disable or delete the key (cmk.Config.Operators).
	Operators policy.Operators
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.TrailName == "" {
		errs = append(errs, field.Required("TrailName", "the name of the trail the key encrypts for"))
	}
	if c.DecryptorARN == "" {
		errs = append(errs, field.Required("DecryptorARN", "the ARN of the one principal that decrypts"))
	}
	if c.Env.Partition == "" || c.Env.Account == "" || c.Env.Region == "" {
		errs = append(errs, field.Required("Env", "the partition, account and region"))
	}
	if t := c.TrailEnv; t != (arn.Env{}) && (t.Partition != c.Env.Partition || t.Region != c.Env.Region || t.Account == "") {
		// CloudTrail: "Choose a KMS key that is in the same Region as the
		// S3 bucket that receives your log files"
		// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail-update-trail.html).
		errs = append(errs, field.Invalid("TrailEnv", t, "must name an account in the key's partition and region (%s, %s)", c.Env.Partition, c.Env.Region))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return c.keyConfig().Validate()
}

// keyConfig is the cmk configuration of the trail key.
func (c Config) keyConfig() cmk.Config {
	return cmk.Config{
		Alias:       c.Alias,
		Description: "Encrypts the CloudTrail log files of " + c.TrailName,
		Env:         c.Env,
		Grants:      grants(c),
		Decryptors:  []string{c.DecryptorARN},
		After:       nonNil(c.Decryptor),
		Operators:   c.Operators,
	}
}

// New validates cfg and adds the key, its policy and its alias to scope.
// The key has the Terraform address aws_kms_key.<id>.
func New(scope constructs.Construct, id string, cfg Config) (*cmk.Key, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cmk.New(scope, id, cfg.keyConfig())
}

// Policy is the key policy, statement by statement.
func Policy(cfg Config) policy.Document { return cmk.Policy(cfg.keyConfig()) }

// grants are what CloudTrail and the audit role may do with the key.
//
// Each condition on CloudTrail's calls is one the CloudTrail User Guide,
// "Configure AWS KMS key policies for CloudTrail"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html),
// shows on that very call, or one that holds whether CloudTrail sends its
// key or not (internal/access decides both requests; its ServiceCoverage
// fails a condition that is neither).
func grants(cfg Config) []policy.Statement {
	trailEnv := cfg.Env
	if cfg.TrailEnv != (arn.Env{}) {
		trailEnv = cfg.TrailEnv
	}
	trailARN := trailEnv.Trail(cfg.TrailName)
	cloudtrail := []policy.Principal{{Type: policy.PrincipalService, Identifiers: []string{arn.CloudTrail}}}
	fromTrail := policy.Condition{Test: "StringEquals", Variable: policy.SourceArn, Values: []string{trailARN}}
	statements := []policy.Statement{
		{
			// The page's "Granting encrypt permissions for trails"
			// statement: the encryption context and aws:SourceArn.
			Sid:        "CloudTrailEncryptsLogs",
			Effect:     policy.Allow,
			Principals: cloudtrail,
			Actions:    []string{"kms:GenerateDataKey*"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{
				{Test: "StringLike", Variable: policy.TrailContext, Values: []string{trailEnv.AnyTrail()}},
				fromTrail,
			},
		},
		{
			// The page's "Enable CloudTrail to describe KMS key
			// properties" statement, with aws:SourceArn.
			Sid:        "CloudTrailDescribesKey",
			Effect:     policy.Allow,
			Principals: cloudtrail,
			Actions:    []string{"kms:DescribeKey"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{fromTrail},
		},
		{
			// "If you are using an existing S3 bucket with an S3 Bucket
			// Key, kms:Decrypt permissions are required to create or
			// update a trail with SSE-KMS encryption enabled" (same
			// page). Its example for this decrypt ("Allow CloudTrail to
			// decrypt a trail") has no condition, and no page shows
			// CloudTrail sending aws:SourceArn or aws:SourceAccount on it:
			// a plain StringEquals would refuse CreateTrail
			// (InsufficientEncryptionPolicyException) if it does not. So
			// the keys are tested only when present (IfExists): absent,
			// CloudTrail may decrypt; present, they must name this trail
			// and this account (the page: aws:SourceAccount "is the
			// account ID of the trail owner, or for organization trails,
			// the management account ID"), so another account's trail is
			// refused whenever CloudTrail says whose call it is.
			Sid:        "CloudTrailUsesBucketKey",
			Effect:     policy.Allow,
			Principals: cloudtrail,
			Actions:    []string{"kms:Decrypt"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{
				{Test: "StringEqualsIfExists", Variable: policy.SourceArn, Values: []string{trailARN}},
				{Test: "StringEqualsIfExists", Variable: policy.SourceAccount, Values: []string{trailEnv.Account}},
			},
		},
		{
			Sid:        "AuditRoleDecryptsLogs",
			Effect:     policy.Allow,
			Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: []string{cfg.DecryptorARN}}},
			Actions:    []string{"kms:Decrypt"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{
				{Test: "Null", Variable: policy.TrailContext, Values: []string{"false"}},
			},
		},
	}
	if len(cfg.Describers) > 0 {
		// Across accounts, the key policy must allow DescribeKey and the
		// caller's IAM policy too ("Allowing users in other accounts to
		// use a KMS key",
		// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html):
		// naming the accounts leaves the rest to their IAM policies. The
		// key's metadata only; no use of the key.
		statements = append(statements, policy.Statement{
			Sid:        "OrganizationStacksDescribeKey",
			Effect:     policy.Allow,
			Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: cfg.Describers}},
			Actions:    []string{"kms:DescribeKey"},
			Resources:  []string{"*"},
		})
	}
	return statements
}

func nonNil(address string) []string {
	if address == "" {
		return nil
	}
	return []string{address}
}

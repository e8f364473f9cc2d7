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
	"fmt"
	"regexp"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/policy"
)

// DeletionWindowDays is the waiting period before AWS deletes the key once
// deletion is scheduled: the longest AWS allows, to give the most time to
// notice and cancel.
const DeletionWindowDays = 30

// AdminActions are what the account may do to the key through IAM: manage
// it, never use it. kms:CreateGrant is left out (no wildcard here matches
// it), so no grant can hand out decryption either.
var AdminActions = []string{
	"kms:CancelKeyDeletion",
	"kms:CreateAlias",
	"kms:Delete*",
	"kms:Describe*",
	"kms:Disable*",
	"kms:Enable*",
	"kms:Get*",
	"kms:List*",
	"kms:Put*",
	"kms:Revoke*",
	"kms:RotateKeyOnDemand",
	"kms:ScheduleKeyDeletion",
	"kms:TagResource",
	"kms:UntagResource",
	"kms:Update*",
}

// Config describes the trail key.
type Config struct {
	// Alias is required: the alias name, beginning with "alias/".
	Alias string
	// Env is required: partition, account and home region.
	Env arn.Env
	// TrailName is required: the name of the one trail that may use the key.
	TrailName string
	// DecryptorARN is required: the ARN of the one principal (the audit
	// role) allowed to decrypt log files.
	DecryptorARN *string
}

var aliasPattern = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if !aliasPattern.MatchString(c.Alias) {
		errs = append(errs, fmt.Errorf("key alias %q: must be \"alias/\" followed by 1 to 250 letters, digits, slashes, underscores or hyphens", c.Alias))
	} else if len(c.Alias) >= len("alias/aws/") && c.Alias[:len("alias/aws/")] == "alias/aws/" {
		errs = append(errs, fmt.Errorf("key alias %q: the prefix alias/aws/ is reserved for AWS managed keys", c.Alias))
	}
	if c.Env.Partition == nil || c.Env.AccountID == nil || c.Env.Region == "" {
		errs = append(errs, errors.New("key: partition, account and region are required"))
	}
	if c.TrailName == "" {
		errs = append(errs, errors.New("key: the trail name is required"))
	}
	if c.DecryptorARN == nil {
		errs = append(errs, errors.New("key: the decrypting principal's ARN is required"))
	}
	return errors.Join(errs...)
}

// Key is the trail key and its alias.
type Key struct {
	// Construct is the scope that holds the resources.
	Construct constructs.Construct
	// Key is the aws_kms_key; its policy is part of the resource, so a
	// dependency on Key is a dependency on the policy.
	Key kmskey.KmsKey
	// Alias is the aws_kms_alias.
	Alias kmsalias.KmsAlias
}

// New validates cfg and adds the key, its policy and its alias to scope.
// The key has the Terraform address aws_kms_key.<id>.
func New(scope constructs.Construct, id string, cfg Config) (*Key, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	doc, err := policy.New(c, "policy_document", Policy(cfg))
	if err != nil {
		return nil, err
	}
	doc.OverrideLogicalId(jsii.String(id + "_policy"))

	key := kmskey.NewKmsKey(c, jsii.String("Default"), &kmskey.KmsKeyConfig{
		Description:           jsii.String("Encrypts the CloudTrail log files of " + cfg.TrailName),
		KeyUsage:              jsii.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: jsii.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:     jsii.Bool(true),
		DeletionWindowInDays:  jsii.Number(DeletionWindowDays),
		IsEnabled:             jsii.Bool(true),
		MultiRegion:           jsii.Bool(false),
		Policy:                doc.Json(),
		Lifecycle:             &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)},
	})
	key.OverrideLogicalId(jsii.String(id))

	alias := kmsalias.NewKmsAlias(c, jsii.String("alias"), &kmsalias.KmsAliasConfig{
		Name:        jsii.String(cfg.Alias),
		TargetKeyId: key.KeyId(),
	})
	alias.OverrideLogicalId(jsii.String(id + "_alias"))
	return &Key{Construct: c, Key: key, Alias: alias}, nil
}

// Policy is the key policy, statement by statement.
func Policy(cfg Config) policy.Document {
	trailARN := cfg.Env.Trail(cfg.TrailName)
	cloudtrail := []policy.Principal{{Type: policy.PrincipalService, Identifiers: []string{"cloudtrail.amazonaws.com"}}}
	fromTrail := policy.Condition{Test: "StringEquals", Variable: "aws:SourceArn", Values: []string{trailARN}}
	return policy.Document{Statements: []policy.Statement{
		{
			Sid:        "AccountAdministersKeyWithoutUse",
			Effect:     policy.Allow,
			Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: []string{cfg.Env.Root()}}},
			Actions:    AdminActions,
			Resources:  []string{"*"},
		},
		{
			Sid:        "CloudTrailEncryptsLogs",
			Effect:     policy.Allow,
			Principals: cloudtrail,
			Actions:    []string{"kms:GenerateDataKey*"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{
				{Test: "StringLike", Variable: "kms:EncryptionContext:aws:cloudtrail:arn", Values: []string{cfg.Env.AnyTrail()}},
				fromTrail,
			},
		},
		{
			Sid:        "CloudTrailDescribesKey",
			Effect:     policy.Allow,
			Principals: cloudtrail,
			Actions:    []string{"kms:DescribeKey"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{fromTrail},
		},
		{
			// With an S3 Bucket Key on the log bucket, CloudTrail needs
			// kms:Decrypt to create or update the trail.
			Sid:        "CloudTrailUsesBucketKey",
			Effect:     policy.Allow,
			Principals: cloudtrail,
			Actions:    []string{"kms:Decrypt"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{fromTrail},
		},
		{
			Sid:        "AuditRoleDecryptsLogs",
			Effect:     policy.Allow,
			Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: []string{*cfg.DecryptorARN}}},
			Actions:    []string{"kms:Decrypt"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{
				{Test: "Null", Variable: "kms:EncryptionContext:aws:cloudtrail:arn", Values: []string{"false"}},
			},
		},
		{
			Sid:        "DenyDecryptToAllOthers",
			Effect:     policy.Deny,
			Principals: []policy.Principal{{Type: policy.PrincipalAny, Identifiers: []string{"*"}}},
			Actions:    []string{"kms:Decrypt", "kms:ReEncryptFrom"},
			Resources:  []string{"*"},
			Conditions: []policy.Condition{
				{Test: "ArnNotEquals", Variable: "aws:PrincipalArn", Values: []string{*cfg.DecryptorARN}},
				{Test: "Bool", Variable: "aws:PrincipalIsAWSService", Values: []string{"false"}},
			},
		},
	}}
}

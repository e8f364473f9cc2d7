// Package cmk is a customer-managed KMS key built the one way this project
// builds keys: symmetric, rotating, a 30-day deletion window, protected
// from Terraform destroy, with an alias, and a key policy that lets the
// account administer the key but never use it. The policy then grants each
// use to the service or principal that needs it, and two explicit Denies
// close what IAM policies, grants or later statements could open: kms:Decrypt
// and kms:ReEncryptFrom to every principal other than the named decryptors
// and AWS services, disabling the key or scheduling its deletion to every
// principal other than the break-glass ones, and changing the key policy
// to every principal other than the deployers and break-glass ones. A disabled or deleted
// key makes everything it encrypted unreadable, COMPLIANCE-locked log
// files included: "When a KMS key is deleted, all data that was encrypted
// under the KMS key is unrecoverable" (KMS API Reference,
// ScheduleKeyDeletion).
package cmk

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/block"
	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/tfaws"
	"github.com/cle2wa/audit-trail/constructs/tfname"
)

// DeletionWindowDays is the waiting period before AWS deletes a key once
// deletion is scheduled: the longest AWS allows, to give the most time to
// notice and cancel.
const DeletionWindowDays = 30

// AdminActions are what the account may do to a key through IAM: manage
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

// Config describes one key.
type Config struct {
	// Alias is required: the alias name, beginning with "alias/".
	Alias string
	// Description is required: what the key encrypts.
	Description string
	// Env is required: partition, account and home region.
	Env arn.Env
	// Grants is required: the statements that let the key's users use it.
	Grants []policy.Statement
	// Decryptors is optional: the ARNs of the principals, besides AWS
	// services, that the Deny of decryption spares. Default: none.
	Decryptors []string
	// After is optional: the addresses of the resources the key policy
	// names, which must exist before the key (KMS refuses a key policy
	// that names a principal that does not exist). Default: none.
	After []string
	// Operators is required: the break-glass principals, who alone may
	// disable the key or schedule its deletion, and the deployers, who
	// with them alone may change the key policy; nobody else may,
	// administrators included.
	Operators policy.Operators
}

var aliasPattern = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if !aliasPattern.MatchString(c.Alias) {
		errs = append(errs, field.Invalid("Alias", c.Alias, `must be "alias/" followed by 1 to 250 letters, digits, slashes, underscores or hyphens`))
	} else if strings.HasPrefix(c.Alias, "alias/aws/") {
		errs = append(errs, field.Invalid("Alias", c.Alias, "uses the prefix alias/aws/, reserved for AWS managed keys"))
	}
	if c.Description == "" {
		errs = append(errs, field.Required("Description", "what the key is for"))
	}
	if c.Env.Partition == "" || c.Env.Account == "" || c.Env.Region == "" {
		errs = append(errs, field.Required("Env", "the partition, account and region"))
	}
	if len(c.Grants) == 0 {
		errs = append(errs, field.Required("Grants", "at least one grant: a key nobody may use is a mistake"))
	}
	for i, d := range c.Decryptors {
		if d == "" {
			errs = append(errs, field.Required(fmt.Sprintf("Decryptors[%d]", i), "the decryptor's ARN"))
		}
	}
	errs = append(errs, field.Under("Operators", c.Operators.Validate()))
	return errors.Join(errs...)
}

// Key is a key and its alias.
type Key struct {
	// Address is the aws_kms_key's; its policy is part of the resource,
	// so a dependency on the key is a dependency on the policy.
	Address string
	// Alias is the aws_kms_alias's address.
	Alias string
}

// ARN is the reference to the key's ARN.
func (k *Key) ARN() string { return block.Ref(k.Address, "arn") }

// AliasName is the reference to the alias's name.
func (k *Key) AliasName() string { return block.Ref(k.Alias, "name") }

// New validates cfg and adds the key, its policy (an aws_iam_policy_document
// named <id>_policy) and its alias (<id>_alias) to scope. The key has the
// Terraform address aws_kms_key.<id>.
func New(scope constructs.Construct, id string, cfg Config) (*Key, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	blocks := block.In(c)
	doc, err := policy.New(blocks, "policy_document", tfname.Part(id, "policy"), Policy(cfg))
	if err != nil {
		return nil, err
	}
	key := blocks.Resource("Default", id, tfaws.KMSKey{
		Description:           cfg.Description,
		KeyUsage:              "ENCRYPT_DECRYPT",
		CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
		EnableKeyRotation:     true,
		DeletionWindowInDays:  DeletionWindowDays,
		IsEnabled:             true,
		MultiRegion:           false,
		Policy:                doc.JSON(),
		Lifecycle:             block.Lifecycle{PreventDestroy: true},
		DependsOn:             cfg.After,
	})
	alias := blocks.Resource("alias", tfname.Part(id, "alias"), tfaws.KMSAlias{
		Name:        cfg.Alias,
		TargetKeyID: block.Ref(key, "key_id"),
	})
	return &Key{Address: key, Alias: alias}, nil
}

// DestroyActions are what makes a key, and all it encrypted, unusable:
// only break-glass principals may call them.
var DestroyActions = []string{"kms:DisableKey", "kms:ScheduleKeyDeletion"}

// ProtectionActions change the key policy: only deployers and break-glass
// principals may. KMS's lockout safety check ("The key policy must allow
// the calling principal to make a subsequent PutKeyPolicy request",
// https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html,
// and the same for the policy of CreateKey) holds for them and for no one
// else: so the first apply, and every apply that changes a key policy,
// must run as a deployer or a break-glass principal, and a deployer that
// a change removes cannot apply that change (add the new one first).
var ProtectionActions = []string{"kms:PutKeyPolicy"}

// The Sids of the statements that protect the key.
const (
	SidDenyDestroy         = "DenyDisableOrDeleteButBreakGlass"
	SidDenyPolicyChanges   = "DenyPolicyChangesButOperators"
	SidAccountAdministers  = "AccountAdministersKeyWithoutUse"
	SidDenyDecryptToOthers = "DenyDecryptToAllOthers"
)

// Policy is the key policy: administration by the account, the grants,
// the Deny of decryption to everyone else, the Deny of disabling or
// deleting the key to all but the break-glass principals, and the Deny of
// changing the key policy to all but the operators.
func Policy(cfg Config) policy.Document {
	admin := policy.Statement{
		Sid:        SidAccountAdministers,
		Effect:     policy.Allow,
		Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: []string{cfg.Env.Root()}}},
		Actions:    AdminActions,
		Resources:  []string{"*"},
	}
	deny := policy.Statement{
		Sid:        SidDenyDecryptToOthers,
		Effect:     policy.Deny,
		Principals: []policy.Principal{{Type: policy.PrincipalAny, Identifiers: []string{"*"}}},
		Actions:    []string{"kms:Decrypt", "kms:ReEncryptFrom"},
		Resources:  []string{"*"},
	}
	if len(cfg.Decryptors) > 0 {
		deny.Conditions = append(deny.Conditions, policy.Condition{Test: "ArnNotEquals", Variable: policy.PrincipalArn, Values: cfg.Decryptors})
	}
	deny.Conditions = append(deny.Conditions, policy.Condition{Test: "Bool", Variable: policy.PrincipalIsAWSService, Values: []string{"false"}})
	// An explicit Deny in a key policy binds every principal, "including
	// the account root user", whatever IAM allows
	// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
	keep := policy.DenyBut(SidDenyDestroy, DestroyActions, []string{"*"}, cfg.Operators.BreakGlass)
	change := policy.DenyBut(SidDenyPolicyChanges, ProtectionActions, []string{"*"}, cfg.Operators.MayProtect())
	statements := append([]policy.Statement{admin}, cfg.Grants...)
	return policy.Document{Statements: append(statements, deny, keep, change)}
}

// Package identitycenter gives the audit role to people of IAM Identity
// Center, beside or instead of IAM users: a permission set that may assume
// the audit role and read the account's configuration (ReadOnlyAccess),
// assigned to Identity Center groups and users in the account where the
// audit role is.
//
// Assigning a permission set to an account makes an IAM role there, on a
// reserved path and with a name that ends in a suffix AWS chooses
// (RolePatterns); the audit role trusts the roles of this permission set
// by that path and prefix (auditors.Config.PermissionSet), so the key and
// bucket policies keep naming the one reader, the audit role.
//
// Whoever administers Identity Center decides who gets the permission
// set: the management account's administrators, and a delegated
// administrator for accounts other than the management account
// (docs/design.md, "Auditors at scale").
package identitycenter

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

// SessionDuration is how long a permission set session lasts: one hour,
// the audit role's own limit (auditors.SessionSeconds), which a chained
// session cannot pass anyway ("Role chaining limits your AWS CLI or AWS
// API role session to a maximum of one hour",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html).
const SessionDuration = "PT1H"

// ReadOnlyPolicy is the AWS managed policy the permission set is given,
// as the audit group is.
const ReadOnlyPolicy = "ReadOnlyAccess"

// MaxPrincipals bounds the groups and users the permission set is
// assigned to: one assignment each, and an organization gives auditors by
// group.
const MaxPrincipals = 100

// Config describes the permission set and its assignments.
type Config struct {
	// InstanceARN is required: the Identity Center instance
	// (arn:aws:sso:::instance/ssoins-...).
	InstanceARN string
	// PermissionSet is required: the permission set's name.
	PermissionSet string
	// Groups and Users are the Identity Store IDs of the groups and users
	// the permission set is assigned to: at least one in all.
	Groups, Users []string
	// Account is required: the account the permission set is assigned
	// in, the audit role's.
	Account string
	// AuditRoleARN is required: the role the permission set may assume.
	AuditRoleARN string
	// Env is required: the partition, for the managed policy's ARN.
	Env arn.Env
	// Deny are statements the permission set's inline policy adds: what
	// its roles must not do beside ReadOnlyPolicy (such as reading a copy
	// of the events that only the audit role reads).
	Deny []policy.Statement
	// Region is required: Identity Center's primary region, where its
	// permission sets and assignments are written ("Only the primary
	// Region supports ... account assignments and permission sets",
	// https://docs.aws.amazon.com/singlesignon/latest/userguide/api-support-in-additional-regions.html).
	Region string
	// Provider is optional: the provider configured for Region
	// ("aws.<alias>"), when it is not the stack's default provider's.
	Provider string
}

// The formats of Identity Center's names and IDs, as its API Reference
// gives them (InstanceArn, PermissionSet Name, and the PrincipalId of
// CreateAccountAssignment,
// https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateAccountAssignment.html).
var (
	instanceARN   = regexp.MustCompile(`^arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)
	permissionSet = regexp.MustCompile(`^[\w+=,.@-]{1,32}$`)
	principalID   = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
	accountID     = regexp.MustCompile(`^[0-9]{12}$`)
)

// ValidateSource reports every problem of the settings of an Identity
// Center source (the instance, the permission set's name, the groups and
// users), each at its path.
func ValidateSource(instance, name string, groups, users []string) error {
	var errs []error
	if !instanceARN.MatchString(instance) {
		errs = append(errs, field.Invalid("instanceArn", instance, "is not an IAM Identity Center instance ARN (arn:aws:sso:::instance/ssoins-<16 characters>; the console's Settings page shows it)"))
	}
	if !permissionSet.MatchString(name) {
		errs = append(errs, field.Invalid("permissionSet", name, `is not a permission set name: 1 to 32 letters, digits or _+=,.@- characters`))
	}
	if len(groups)+len(users) == 0 {
		errs = append(errs, field.Required("groups", "at least one group or user to assign the permission set to"))
	}
	if n := len(groups) + len(users); n > MaxPrincipals {
		errs = append(errs, field.Invalid("groups", fmt.Sprintf("%d groups and users", n), "are more than %d assignments: give the auditors by group", MaxPrincipals))
	}
	seen := map[string]string{}
	for _, list := range []struct {
		key string
		ids []string
	}{{"groups", groups}, {"users", users}} {
		for i, id := range list.ids {
			at := fmt.Sprintf("%s[%d]", list.key, i)
			if !principalID.MatchString(id) {
				errs = append(errs, field.Invalid(at, id, "is not an Identity Store ID (a UUID, or 10 hex digits, a hyphen and a UUID; the group's or user's page in the console shows it)"))
			}
			if first, ok := seen[strings.ToLower(id)]; ok {
				errs = append(errs, field.Invalid(at, id, "is %s too", first))
			}
			seen[strings.ToLower(id)] = at
		}
	}
	return errors.Join(errs...)
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	errs := []error{ValidateSource(c.InstanceARN, c.PermissionSet, c.Groups, c.Users)}
	if !accountID.MatchString(c.Account) && !strings.Contains(c.Account, "${") {
		errs = append(errs, field.Invalid("Account", c.Account, "is not an AWS account ID (12 digits)"))
	}
	if c.AuditRoleARN == "" || c.Env.Partition == "" || c.Region == "" {
		errs = append(errs, field.Required("AuditRoleARN", "the audit role, the partition and Identity Center's region"))
	}
	return errors.Join(errs...)
}

// ReservedPath is the IAM path of the roles Identity Center makes for
// permission sets, after "role/": "arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<permission set>_<suffix>"
// (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html).
const ReservedPath = "aws-reserved/sso.amazonaws.com/"

// RolePatterns are the ARN patterns (for ArnLike on aws:PrincipalArn) of
// the roles of the permission set name in env's account: without and
// with the region segment the path may have. The suffix is AWS's and
// changes when the permission set is assigned again after all its
// assignments were removed, so policies match it by pattern.
func RolePatterns(env arn.Env, name string) []string {
	role := RoleName(name)
	return []string{env.Role(ReservedPath + role), env.Role(ReservedPath + "*/" + role)}
}

// RoleName is the pattern of the names of the roles of the permission
// set name: AWSReservedSSO_<name>_<suffix>.
func RoleName(name string) string { return "AWSReservedSSO_" + name + "_*" }

// reservedRole matches RolePatterns' patterns, whatever the partition and
// account (Terraform references allowed).
var reservedRole = regexp.MustCompile(`:role/aws-reserved/sso\.amazonaws\.com/(\*/)?AWSReservedSSO_[\w+=,.@-]{1,32}_\*$`)

// IsPermissionSetRoles reports whether every pattern is one of
// RolePatterns': roles that Identity Center alone makes (in a member
// account with ReservedForIdentityCenter attached; watched elsewhere),
// whose sessions start at its sign-in.
func IsPermissionSetRoles(patterns []string) bool {
	for _, p := range patterns {
		if !reservedRole.MatchString(p) {
			return false
		}
	}
	return len(patterns) > 0
}

// ReservedForIdentityCenter are the statements of a member account's
// service control policy that keep to Identity Center what the audit
// role's trust rests on: the roles on its reserved path (made, or their
// trust and permissions changed: policy.RoleChanges), and the SAML
// providers those roles trust (AWSSSO_*). AWS documents neither as
// refused to a customer: IAM's console refuses to modify the roles, and
// a DeleteSAMLProvider of Identity Center's provider by an IAM user has
// been recorded. Identity Center makes both in a member account through
// its service-linked role AWSServiceRoleForSSO ("allows IAM Identity
// Center to complete the following on roles on the path
// '/aws-reserved/sso.amazonaws.com/' and with the name prefix
// 'AWSReservedSSO_': iam:AttachRolePolicy, iam:CreateRole, iam:DeleteRole,
// ... iam:PutRolePolicy", and CreateSAMLProvider,
// UpdateSAMLProvider and DeleteSAMLProvider "on SAML providers with name
// prefix as 'AWSSSO_'",
// https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html),
// which no SCP binds ("SCPs do not affect any service-linked role",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html):
// the Denies bind everyone else, the account's operators and root too.
func ReservedForIdentityCenter(env arn.Env) []policy.Statement {
	return []policy.Statement{
		{
			Sid:       "DenyRolesOnIdentityCentersPath",
			Effect:    policy.Deny,
			Actions:   append([]string{"iam:CreateRole"}, policy.RoleChanges...),
			Resources: []string{env.Role(ReservedPath + "*")},
		},
		{
			Sid:       "DenyIdentityCentersSAMLProviders",
			Effect:    policy.Deny,
			Actions:   []string{"iam:CreateSAMLProvider", "iam:DeleteSAMLProvider", "iam:UpdateSAMLProvider"},
			Resources: []string{env.SAMLProvider("AWSSSO_*")},
		},
	}
}

// InlinePolicy is the permission set's own policy: assume the audit role,
// nothing else beside ReadOnlyPolicy, and the statements deny. There is
// no MFA condition: "aws:MultiFactorAuthPresent" is not present in a
// federated session (Identity Center's sign-in decides MFA).
func InlinePolicy(auditRoleARN string, deny ...policy.Statement) policy.Document {
	return policy.Document{Statements: append([]policy.Statement{{
		Sid:       "AssumeAuditRole",
		Effect:    policy.Allow,
		Actions:   []string{"sts:AssumeRole"},
		Resources: []string{auditRoleARN},
	}}, deny...)}
}

// Reads are the IAM Identity Center actions `verify` makes to compare the
// permission set with the synthesis: its name among the instance's, its
// settings, policies and assignments; each reads, none changes
// ("Actions, resources, and condition keys for AWS IAM Identity Center",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiamidentitycenter.html).
var Reads = []string{
	"sso:DescribePermissionSet", "sso:GetInlinePolicyForPermissionSet", "sso:ListAccountAssignments",
	"sso:ListCustomerManagedPolicyReferencesInPermissionSet", "sso:ListManagedPoliciesInPermissionSet", "sso:ListPermissionSets",
}

// IdentityCenter is the permission set and its assignments.
type IdentityCenter struct {
	// PermissionSet is the address of the aws_ssoadmin_permission_set.
	PermissionSet string
}

// New validates cfg and adds the permission set, its policies and its
// assignments to scope, with a data source whose postcondition stops the
// plan when the instance is not one this account administers. Terraform
// addresses are <id>_permission_set, <id>_inline_policy,
// <id>_read_only, <id>_instances and <id>_<kind>_<key> for each
// assignment (kind group or user, key tfname.Key of the ID).
func New(scope constructs.Construct, id string, cfg Config) (*IdentityCenter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	blocks := block.In(c)
	instance := cfg.InstanceARN

	instances := blocks.Data("instances", tfname.Part(id, "instances"), tfaws.DataSSOAdminInstances{
		Provider: cfg.Provider,
		Lifecycle: &block.Lifecycle{Postcondition: []block.Condition{{
			Condition:    fmt.Sprintf("${contains(self.arns, %q)}", cfg.InstanceARN),
			ErrorMessage: fmt.Sprintf("identityCenter.instanceArn %q is not the IAM Identity Center instance of this account in %s: permission sets are made in the organization's management account (or its delegated administrator for Identity Center), in Identity Center's primary region (identityCenter.region)", cfg.InstanceARN, cfg.Region),
		}}},
	})

	set := blocks.Resource("permission_set", tfname.Part(id, "permission_set"), tfaws.SSOAdminPermissionSet{
		Provider:        cfg.Provider,
		InstanceARN:     instance,
		Name:            cfg.PermissionSet,
		Description:     "Auditors: assume the audit role, which reads and decrypts the CloudTrail log files",
		SessionDuration: SessionDuration,
		DependsOn:       []string{instances},
	})
	setARN := block.Ref(set, "arn")

	doc, err := policy.New(blocks, "inline_document", tfname.Part(id, "inline_policy"), InlinePolicy(cfg.AuditRoleARN, cfg.Deny...))
	if err != nil {
		return nil, err
	}
	inline := blocks.Resource("inline_policy", tfname.Part(id, "inline_policy"), tfaws.SSOAdminPermissionSetInlinePolicy{
		Provider:         cfg.Provider,
		InstanceARN:      instance,
		PermissionSetARN: setARN,
		InlinePolicy:     doc.JSON(),
	})
	readOnly := blocks.Resource("read_only", tfname.Part(id, "read_only"), tfaws.SSOAdminManagedPolicyAttachment{
		Provider:         cfg.Provider,
		InstanceARN:      instance,
		PermissionSetARN: setARN,
		ManagedPolicyARN: cfg.Env.ManagedPolicy(ReadOnlyPolicy),
	})

	// An assignment provisions the permission set with the policies it
	// has then: made after them, the role has them from the start.
	policies := []string{inline, readOnly}
	for _, p := range []struct {
		kind string
		ids  []string
	}{{"GROUP", cfg.Groups}, {"USER", cfg.Users}} {
		for _, principal := range p.ids {
			name := tfname.Part(id, strings.ToLower(p.kind)+"_"+tfname.Key(principal))
			blocks.Resource(name, name, tfaws.SSOAdminAccountAssignment{
				Provider:         cfg.Provider,
				InstanceARN:      instance,
				PermissionSetARN: setARN,
				PrincipalID:      principal,
				PrincipalType:    p.kind,
				TargetID:         cfg.Account,
				TargetType:       "AWS_ACCOUNT",
				DependsOn:        policies,
			})
		}
	}
	return &IdentityCenter{PermissionSet: set}, nil
}

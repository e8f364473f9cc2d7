// Package auditors is the audit function of the account: an IAM group with
// read-only access, the people in it, and the one role that can read and
// decrypt the CloudTrail log files.
//
// An IAM group cannot be named in a key policy, so decryption is given to
// a role: the group's members may assume it, only with MFA, and the role's
// trust policy admits no one else, not even administrators with
// sts:AssumeRole on every resource. Users are created without passwords or
// access keys, so nothing secret lands in Terraform state; each person
// enrols their own password and MFA device.
package auditors

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/block"
	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/identitycenter"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/tfaws"
	"github.com/cle2wa/audit-trail/constructs/tfname"
)

// ReadOnlyPolicy is the AWS managed policy the group is given.
const ReadOnlyPolicy = "ReadOnlyAccess"

// SessionSeconds is the longest an audit role session lasts: one hour.
const SessionSeconds = 3600

// Config describes the audit identities.
type Config struct {
	// GroupName is required: the IAM group (IAM group name rules).
	GroupName string
	// RoleName is required: the audit role (IAM role name rules).
	RoleName string
	// UserNames are the IAM users, each created in the group; the role
	// admits these users, with MFA. Required unless PermissionSet is set.
	UserNames []string
	// PermissionSet is optional: the name of the IAM Identity Center
	// permission set whose roles in the account may assume the role too
	// (identitycenter.RolePatterns). Default "": none.
	PermissionSet string
	// Env is required: partition, account and home region.
	Env arn.Env
	// Path is optional: the IAM path of the users, such as "/auditors/".
	// Default ("" or "/"): the root path, and a trust policy that names
	// each user (at most as many as MaxTrustPolicyLength takes). On a path
	// of its own the trust policy admits every user on it, whatever their
	// number: who may make users there must then be bound (SCP, for a
	// member account).
	Path string
}

// path is the users' IAM path, "/" by default.
func (c Config) path() string {
	if c.Path == "" {
		return "/"
	}
	return c.Path
}

// UserARN is the ARN of the user named name on path ("" or "/": the
// root) in env: the path is part of a user's ARN
// ("arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/JaneDoe",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html).
func UserARN(env arn.Env, path, name string) string {
	return env.User(strings.TrimPrefix(path, "/") + name)
}

// iamPath is an IAM path: "/" or /segment/.../ of IAM name characters.
var iamPath = regexp.MustCompile(`^/([A-Za-z0-9+=,.@_-]+/)*$`)

var (
	iamName = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]+$`)
)

// ValidateName reports why name is not a valid IAM name of the given kind
// ("user", "group" or "role") and length limit, or nil: a *field.Error
// without a path, for the caller to root.
func ValidateName(kind, name string, max int) error {
	if name == "" || len(name) > max || !iamName.MatchString(name) {
		return field.Invalid("", name, "is not a valid IAM %s name: it must be 1 to %d letters, digits or +=,.@_- characters", kind, max)
	}
	return nil
}

// ValidateUserNames reports every problem of a list of audit users: none,
// an invalid name, two names for the same user, or more than the audit
// role's trust policy takes when it names each user (beside the
// permission set permissionSet, if not "").
func ValidateUserNames(names []string, permissionSet string) error {
	return errors.Join(ValidateUsers(names), ValidateTrust(names, permissionSet))
}

// ValidateTrust reports a list of users that makes a trust policy naming
// each (and trusting the permission set permissionSet, if not "") longer
// than IAM's default quota.
func ValidateTrust(names []string, permissionSet string) error {
	if n := TrustPolicyLength(names, permissionSet); n > MaxTrustPolicyLength {
		return field.Invalid("", fmt.Sprintf("%d users", len(names)), "make the audit role's trust policy up to %d characters long, over IAM's default quota of %d for a role trust policy (%s): use fewer or shorter names, raise the quota with Service Quotas first, or keep the auditors in a security account (the setting accounts), whose audit role trusts their path whatever their number", n, MaxTrustPolicyLength, quotasURL)
	}
	return nil
}

// ValidateUsers reports every problem of a list of audit users but their
// number: none, an invalid name, or two names for the same user.
func ValidateUsers(names []string) error {
	var errs []error
	if len(names) == 0 {
		errs = append(errs, field.Required("", "at least one audit user"))
	}
	seen := map[string]string{}
	for i, u := range names {
		at := fmt.Sprintf("[%d]", i)
		errs = append(errs, field.Under(at, ValidateName("user", u, 64)))
		// IAM names are unique without regard to case.
		if first, ok := seen[strings.ToLower(u)]; ok {
			errs = append(errs, field.Invalid(at, u, "is the same IAM user as %q (IAM names ignore case)", first))
		}
		seen[strings.ToLower(u)] = u
	}
	return errors.Join(errs...)
}

// MaxTrustPolicyLength is IAM's default quota for the length of a role
// trust policy, in characters without white space ("Role trust policy
// length", quotasURL).
const MaxTrustPolicyLength = 2048

const quotasURL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"

// Room is how many more users, with names of nameLength characters, the
// audit role's trust policy takes beside names (and the permission set
// permissionSet, if not "") before it passes MaxTrustPolicyLength: the
// exact count, from the policy's length.
func Room(names []string, nameLength int, permissionSet string) int {
	more := slices.Clone(names)
	for n := 0; ; n++ {
		// Distinct names of exactly nameLength characters: n in base 36,
		// padded with underscores.
		name := strconv.FormatInt(int64(n), 36)
		if len(name) > nameLength {
			return n
		}
		more = append(more, strings.Repeat("_", nameLength-len(name))+name)
		if TrustPolicyLength(more, permissionSet) > MaxTrustPolicyLength {
			return n
		}
	}
}

// TrustPolicyLength is the longest the audit role's trust policy can be
// for these user names on the root path and the permission set
// permissionSet ("": none), in any partition and account: its IAM JSON
// with the longest partition name and a 12-digit account.
func TrustPolicyLength(names []string, permissionSet string) int {
	partition, account := "aws-us-gov", "123456789012"
	env := arn.Env{Partition: partition, Account: account}
	arns := make([]string, 0, len(names))
	for _, n := range names {
		arns = append(arns, env.User(n))
	}
	return len(Config{Env: env, PermissionSet: permissionSet}.trustPolicy(arns).JSON())
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	errs := []error{
		field.Under("GroupName", ValidateName("group", c.GroupName, 128)),
		field.Under("RoleName", ValidateName("role", c.RoleName, 64)),
	}
	if c.PermissionSet == "" || len(c.UserNames) > 0 {
		errs = append(errs, field.Under("UserNames", ValidateUsers(c.UserNames)))
	}
	if c.path() == "/" {
		errs = append(errs, field.Under("UserNames", ValidateTrust(c.UserNames, c.PermissionSet)))
	}
	if !iamPath.MatchString(c.path()) || len(c.path()) > 512 {
		errs = append(errs, field.Invalid("Path", c.Path, "is not an IAM path: / or /segment/.../ of letters, digits and +=,.@_- (at most 512 characters)"))
	}
	if c.Env.Partition == "" || c.Env.Account == "" {
		errs = append(errs, field.Required("Env", "the partition and account"))
	}
	return errors.Join(errs...)
}

// Auditors are the audit group, role and users.
type Auditors struct {
	// Construct is the scope that holds the resources.
	Construct constructs.Construct
	// Group, Role and Users are the addresses of the aws_iam_group, the
	// aws_iam_role and the aws_iam_users.
	Group, Role string
	Users       []string
	// RoleARN is the role's ARN built from its name: policies that name
	// the role by it render at plan time, where a reference to the
	// resource would be known only after apply.
	RoleARN string
}

// New validates cfg and adds the identities to scope. Terraform addresses
// are <id>_group, <id>_role and, for each user, <id>_<key> where key is
// tfname.Key of the user name: removing a user removes that user only,
// whatever the order of UserNames.
func New(scope constructs.Construct, id string, cfg Config) (*Auditors, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	blocks := block.In(c)

	group := blocks.Resource("group", tfname.Part(id, "group"), tfaws.IAMGroup{Name: cfg.GroupName, Path: "/"})
	groupName := block.Ref(group, "name")
	blocks.Resource("read_only", tfname.Part(id, "group_read_only"), tfaws.IAMGroupPolicyAttachment{
		Group:     groupName,
		PolicyARN: cfg.Env.ManagedPolicy(ReadOnlyPolicy),
	})

	users := make([]string, 0, len(cfg.UserNames))
	userARNs := make([]string, 0, len(cfg.UserNames))
	userNames := make([]string, 0, len(cfg.UserNames))
	for i, u := range cfg.UserNames {
		key := tfname.Key(u)
		// Removing an auditor deletes the user with the password and MFA
		// device the person enrolled: IAM refuses to delete a user who
		// still has them ("you must delete the items attached to the user
		// manually, or the deletion fails",
		// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html),
		// and the provider deletes them only with force_destroy.
		user := blocks.Resource("user_"+key, tfname.Part(id, key), tfaws.IAMUser{Name: u, Path: cfg.path(), ForceDestroy: true})
		// Releases before user addresses were keyed by name addressed the
		// n-th user as <id>_user_<n>: move that state here, for one
		// release. It holds when auditUsers is unchanged since the last
		// apply; Terraform ignores a move whose source is not in the state.
		blocks.Moved("aws_iam_user."+tfname.Part(id, fmt.Sprintf("user_%d", i)), user)
		users = append(users, user)
		// Built from the name, so that the trust policy renders at plan
		// time; IAM does not require the users of a condition to exist.
		userARNs = append(userARNs, UserARN(cfg.Env, cfg.Path, u))
		userNames = append(userNames, block.Ref(user, "name"))
	}

	trust, err := policy.New(blocks, "trust_document", tfname.Part(id, "role_trust"), cfg.trustPolicy(userARNs))
	if err != nil {
		return nil, err
	}
	forceDetach := false
	role := blocks.Resource("role", tfname.Part(id, "role"), tfaws.IAMRole{
		Name:                cfg.RoleName,
		Path:                "/",
		Description:         cfg.description(),
		AssumeRolePolicy:    trust.JSON(),
		MaxSessionDuration:  SessionSeconds,
		ForceDetachPolicies: &forceDetach,
	})

	roleARN := cfg.Env.Role(cfg.RoleName)
	groupDoc, err := policy.New(blocks, "group_document", tfname.Part(id, "group_policy"), GroupPolicy(cfg.Env, roleARN, cfg.path()))
	if err != nil {
		return nil, err
	}
	blocks.Resource("group_policy", tfname.Part(id, "group_policy"), tfaws.IAMGroupPolicy{
		Name:   "assume-audit-role-with-mfa",
		Group:  groupName,
		Policy: groupDoc.JSON(),
	})

	// A group without users has no membership (an empty one is not
	// valid): auditors of Identity Center only.
	if len(userNames) > 0 {
		blocks.Resource("membership", tfname.Part(id, "group_membership"), tfaws.IAMGroupMembership{
			Name:  cfg.GroupName + "-members",
			Group: groupName,
			Users: userNames,
		})
	}

	return &Auditors{Construct: c, Group: group, Role: role, Users: users, RoleARN: roleARN}, nil
}

// trustPolicy is the role's trust policy: the users (named, or on their
// path), with MFA, and the permission set's roles.
func (c Config) trustPolicy(userARNs []string) policy.Document {
	var doc policy.Document
	switch {
	case len(userARNs) == 0:
	case c.path() != "/":
		doc = PathTrustPolicy(c.Env, c.path())
	default:
		doc = TrustPolicy(c.Env, userARNs)
	}
	if c.PermissionSet != "" {
		doc.Statements = append(doc.Statements, PermissionSetTrust(c.Env, c.PermissionSet))
	}
	return doc
}

// description is the role's description: who assumes it.
func (c Config) description() string {
	var who []string
	if len(c.UserNames) > 0 {
		who = append(who, "members of "+c.GroupName+" with MFA")
	}
	if c.PermissionSet != "" {
		who = append(who, "IAM Identity Center permission set "+c.PermissionSet)
	}
	return "Reads and decrypts the CloudTrail log files; assumed by " + strings.Join(who, " and ")
}

// PermissionSetTrust lets the roles of the IAM Identity Center permission
// set name in the account assume the role: matched by aws:PrincipalArn
// on the reserved path and the name's prefix, which survive the suffix
// AWS changes ("Referencing permission sets in resource policies",
// identitycenter.RolePatterns). There is no MFA condition: the key "is
// not present for federated identities"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent);
// Identity Center's sign-in decides MFA.
func PermissionSetTrust(env arn.Env, name string) policy.Statement {
	return policy.Statement{
		Sid:        "IdentityCenterPermissionSet",
		Effect:     policy.Allow,
		Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: []string{env.Root()}}},
		Actions:    []string{"sts:AssumeRole"},
		Conditions: []policy.Condition{{Test: "ArnLike", Variable: policy.PrincipalArn, Values: identitycenter.RolePatterns(env, name)}},
	}
}

// mfaPresent is the condition that the caller signed in with MFA.
var mfaPresent = policy.Condition{Test: "Bool", Variable: policy.MultiFactorAuthPresent, Values: []string{"true"}}

// TrustPolicy lets the listed users, and nobody else, assume the role, and
// only with MFA. The principal is the account and the users are matched by
// aws:PrincipalArn, so the policy stays valid when a user is recreated.
func TrustPolicy(env arn.Env, userARNs []string) policy.Document {
	return trust(env, policy.Condition{Test: "ArnEquals", Variable: policy.PrincipalArn, Values: userARNs})
}

// PathTrustPolicy lets every user on path, and nobody else, assume the
// role, and only with MFA: aws:PrincipalArn is the user's ARN, path
// included, so the trust does not grow with the users. Whoever may make
// or move a user onto the path may make an auditor: SCP binds that in a
// member account.
func PathTrustPolicy(env arn.Env, path string) policy.Document {
	return trust(env, policy.Condition{Test: "ArnLike", Variable: policy.PrincipalArn, Values: []string{UserARN(env, path, "*")}})
}

// trust lets the account's principals that meet who assume the role,
// with MFA.
func trust(env arn.Env, who policy.Condition) policy.Document {
	return policy.Document{Statements: []policy.Statement{{
		Sid:        "AuditUsersWithMFA",
		Effect:     policy.Allow,
		Principals: []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: []string{env.Root()}}},
		Actions:    []string{"sts:AssumeRole"},
		Conditions: []policy.Condition{who, mfaPresent},
	}}}
}

// ownPassword are the IAM actions a member takes on their own user to set
// the password an administrator gave them once, at first sign-in, before
// any MFA device is enrolled.
var ownPassword = []string{"iam:ChangePassword", "iam:GetLoginProfile", "iam:GetUser"}

// ownMFA are the IAM actions a member takes on their own user to enrol,
// list and resynchronise an MFA device, as in the IAM User Guide's example
// "Allows MFA-authenticated IAM users to manage their own MFA device"
// (statement AllowUserToManageTheirOwnMFA).
var ownMFA = []string{"iam:EnableMFADevice", "iam:GetMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"}

// beforeMFA are the actions not denied to a member who has not signed in
// with MFA: the example's list (create, enable, list and resynchronise a
// device, list users and devices), the first password change, and
// sts:GetSessionToken to start an MFA session from the command line.
// Deactivating a device is not among them: it needs MFA.
var beforeMFA = []string{
	"iam:ChangePassword",
	"iam:CreateVirtualMFADevice",
	"iam:EnableMFADevice",
	"iam:GetAccountPasswordPolicy",
	"iam:GetLoginProfile",
	"iam:GetUser",
	"iam:ListMFADevices",
	"iam:ListUsers",
	"iam:ListVirtualMFADevices",
	"iam:ResyncMFADevice",
	"sts:GetSessionToken",
}

// MFASelfManageURL is the IAM User Guide example the MFA statements follow.
const MFASelfManageURL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html"

// GroupPolicy lets members (users on path) assume the audit role with MFA, set their own
// password, manage their own MFA device as the IAM User Guide's example
// does (MFASelfManageURL: a virtual device of any name, since the console
// lets the user name it; deactivation only with MFA), and denies
// everything else until they have signed in with MFA.
func GroupPolicy(env arn.Env, roleARN, path string) policy.Document {
	// arn.OwnName is the data source's spelling of ${aws:username}.
	ownUser := UserARN(env, path, arn.OwnName)
	return policy.Document{Statements: []policy.Statement{
		{
			Sid:        "AssumeAuditRoleWithMFA",
			Effect:     policy.Allow,
			Actions:    []string{"sts:AssumeRole"},
			Resources:  []string{roleARN},
			Conditions: []policy.Condition{mfaPresent},
		},
		{
			Sid:       "SetOwnPassword",
			Effect:    policy.Allow,
			Actions:   ownPassword,
			Resources: []string{ownUser},
		},
		{
			Sid:       "ListUsersAndVirtualMFADevices",
			Effect:    policy.Allow,
			Actions:   []string{"iam:ListUsers", "iam:ListVirtualMFADevices"},
			Resources: []string{"*"},
		},
		{
			Sid:       "CreateVirtualMFADevice",
			Effect:    policy.Allow,
			Actions:   []string{"iam:CreateVirtualMFADevice"},
			Resources: []string{env.MFA("*")},
		},
		{
			Sid:       "ManageOwnMFADevice",
			Effect:    policy.Allow,
			Actions:   ownMFA,
			Resources: []string{ownUser},
		},
		{
			Sid:        "DeactivateOwnMFADeviceOnlyWithMFA",
			Effect:     policy.Allow,
			Actions:    []string{"iam:DeactivateMFADevice"},
			Resources:  []string{ownUser},
			Conditions: []policy.Condition{mfaPresent},
		},
		{
			Sid:        "DenyAllButCredentialsWithoutMFA",
			Effect:     policy.Deny,
			NotActions: beforeMFA,
			Resources:  []string{"*"},
			Conditions: []policy.Condition{{Test: "BoolIfExists", Variable: policy.MultiFactorAuthPresent, Values: []string{"false"}}},
		},
	}}
}

// ReadConfig describes what the audit role may read.
type ReadConfig struct {
	// Role is required: the address of the audit role.
	Role string
	// BucketARNs is required: the buckets whose objects the role may read.
	BucketARNs []string
	// KeyARN is required: the trail key the role may decrypt with.
	KeyARN string
	// LogGroupARN is optional: a CloudWatch Logs copy of the events the
	// role may read. Default "": none.
	LogGroupARN string
	// Configuration is optional: the stack's resources whose
	// configuration the role may read, so that `verify` can compare them
	// with the synthesis (the buckets' are always readable).
	Configuration Configuration
}

// Configuration lists the resources whose configuration (policies,
// settings, members) the audit role may read, and nothing more: no
// action here changes anything or reads evidence.
type Configuration struct {
	// KeyARNs: each key's policy and metadata.
	KeyARNs []string
	// RoleARNs: each role's trust policy, inline and attached policies.
	RoleARNs []string
	// GroupARNs: each group's members, inline and attached policies.
	GroupARNs []string
	// UserARNs: the policies attached to or inside each user (the stack
	// gives users none).
	UserARNs []string
	// PolicyARNs: each customer managed policy's default version.
	PolicyARNs []string
	// Organization: the organization's ID, for an organization trail,
	// whose files and policies name it (DescribeOrganization "can be
	// called from any account in the organization",
	// https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html).
	Organization bool
	// IdentityCenter: the auditors' IAM Identity Center permission sets
	// (identitycenter.Reads), when the stack makes them.
	IdentityCenter bool
	// TopicARNs: each SNS topic's attributes (its policy and key) and
	// subscriptions.
	TopicARNs []string
	// AlarmARNs: the CloudWatch alarms (patterns of their names).
	AlarmARNs []string
	// LogGroupARNs: each log group's metric and subscription filters; any
	// given lets the role list the account's log groups (their key and
	// retention).
	LogGroupARNs []string
}

// bucketConfiguration are the reads of a bucket's settings that `verify`
// compares: each S3 API's IAM action (Amazon S3 API Reference, "Actions,
// resources, and condition keys for Amazon S3").
// The exports (inventory, analytics, notifications) and the payer are
// read too, each action on the bucket resource type
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
var bucketConfiguration = []string{
	"s3:GetAnalyticsConfiguration", "s3:GetBucketLogging", "s3:GetBucketNotification", "s3:GetBucketObjectLockConfiguration",
	"s3:GetBucketOwnershipControls", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketRequestPayment",
	"s3:GetBucketVersioning", "s3:GetEncryptionConfiguration", "s3:GetInventoryConfiguration", "s3:GetLifecycleConfiguration",
	"s3:GetReplicationConfiguration",
}

// What the audit role may do with the log buckets and their objects.
var (
	listActions = []string{"s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketVersions"}
	readActions = []string{"s3:GetObject", "s3:GetObjectVersion"}
)

// BucketGrants are the statements a log bucket of another account (an
// organization's log archive) adds to its policy so that the audit role
// roleARN may list and read it: across accounts, the bucket policy and
// the role's own policy (NewReadPolicy) must both allow a read ("the user
// will still need permission from the parent account",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example2.html).
func BucketGrants(roleARN, bucketARN string) []policy.Statement {
	role := []policy.Principal{{Type: policy.PrincipalAWS, Identifiers: []string{roleARN}}}
	return []policy.Statement{
		{Sid: "AuditRoleLists", Effect: policy.Allow, Principals: role, Actions: listActions, Resources: []string{bucketARN}},
		{Sid: "AuditRoleReads", Effect: policy.Allow, Principals: role, Actions: readActions, Resources: []string{bucketARN + "/*"}},
	}
}

// NewReadPolicy adds the audit role's permissions: read the log buckets,
// decrypt with the trail key, read CloudTrail's own configuration and
// event history, and read the configuration of the stack's resources that
// `verify` compares with the synthesis. It is separate from New because the key policy names the
// role and this policy names the key.
func NewReadPolicy(scope constructs.Construct, id string, cfg ReadConfig) (string, error) {
	if cfg.Role == "" || len(cfg.BucketARNs) == 0 || cfg.KeyARN == "" {
		return "", field.Required("ReadConfig", "the role, at least one bucket and the key")
	}
	objects := make([]string, 0, len(cfg.BucketARNs))
	for _, b := range cfg.BucketARNs {
		objects = append(objects, b+"/*")
	}
	statements := []policy.Statement{
		{
			Sid:       "ListLogBuckets",
			Effect:    policy.Allow,
			Actions:   listActions,
			Resources: cfg.BucketARNs,
		},
		{
			Sid:       "ReadLogObjects",
			Effect:    policy.Allow,
			Actions:   readActions,
			Resources: objects,
		},
		{
			Sid:       "DecryptLogs",
			Effect:    policy.Allow,
			Actions:   []string{"kms:Decrypt", "kms:DescribeKey"},
			Resources: []string{cfg.KeyARN},
		},
		{
			Sid:       "ReadCloudTrail",
			Effect:    policy.Allow,
			Actions:   []string{"cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*", "cloudtrail:LookupEvents"},
			Resources: []string{"*"},
		},
		{
			// validate-logs requires digests of every enabled region (a
			// multi-region trail logs them all). ListRegions' resource
			// types are both optional: "*" (Service Authorization
			// Reference, AWS Account Management,
			// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsaccountmanagement.html).
			Sid:       "ListEnabledRegions",
			Effect:    policy.Allow,
			Actions:   []string{"account:ListRegions"},
			Resources: []string{"*"},
		},
	}
	statements = append(statements, cfg.Configuration.statements(cfg.BucketARNs, cfg.KeyARN)...)
	if cfg.LogGroupARN != "" {
		statements = append(statements, policy.Statement{
			Sid:       "ReadTrailLogGroup",
			Effect:    policy.Allow,
			Actions:   []string{"logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents", "logs:GetLogRecord", "logs:StartLiveTail", "logs:StartQuery"},
			Resources: []string{cfg.LogGroupARN, cfg.LogGroupARN + ":*"},
		}, policy.Statement{
			Sid:       "ReadQueryResults",
			Effect:    policy.Allow,
			Actions:   []string{"logs:GetQueryResults", "logs:StopQuery"},
			Resources: []string{"*"},
		})
	}
	blocks := block.In(scope)
	doc, err := policy.New(blocks, id+"_document", id, policy.Document{Statements: statements})
	if err != nil {
		return "", err
	}
	return blocks.Resource(id, id, tfaws.IAMRolePolicy{
		Name:   "read-cloudtrail-logs",
		Role:   block.Ref(cfg.Role, "name"),
		Policy: doc.JSON(),
	}), nil
}

// statements are the reads of the configuration of the buckets, the trail
// key and c's resources.
func (c Configuration) statements(bucketARNs []string, trailKeyARN string) []policy.Statement {
	out := []policy.Statement{
		{
			Sid:       "ReadBucketConfiguration",
			Effect:    policy.Allow,
			Actions:   bucketConfiguration,
			Resources: bucketARNs,
		},
		{
			Sid:       "ReadKeyPolicies",
			Effect:    policy.Allow,
			Actions:   []string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus"},
			Resources: append([]string{trailKeyARN}, c.KeyARNs...),
		},
	}
	for _, read := range []struct {
		sid       string
		actions   []string
		resources []string
	}{
		{"ReadRolePolicies", []string{"iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies"}, c.RoleARNs},
		{"ReadGroupPolicies", []string{"iam:GetGroup", "iam:GetGroupPolicy", "iam:ListAttachedGroupPolicies", "iam:ListGroupPolicies"}, c.GroupARNs},
		{"ReadUserPolicies", []string{"iam:GetUser", "iam:ListAttachedUserPolicies", "iam:ListGroupsForUser", "iam:ListUserPolicies"}, c.UserARNs},
		{"ReadManagedPolicies", []string{"iam:GetPolicy", "iam:GetPolicyVersion"}, c.PolicyARNs},
		{"ReadTopicPolicy", []string{"sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"}, c.TopicARNs},
		// DescribeAlarms on the alarm resource type, DescribeMetricFilters
		// and DescribeSubscriptionFilters on the log-group one
		// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html,
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
		{"ReadAlarms", []string{"cloudwatch:DescribeAlarms"}, c.AlarmARNs},
		{"ReadLogFilters", []string{"logs:DescribeMetricFilters", "logs:DescribeSubscriptionFilters"}, c.LogGroupARNs},
	} {
		if len(read.resources) > 0 {
			out = append(out, policy.Statement{Sid: read.sid, Effect: policy.Allow, Actions: read.actions, Resources: read.resources})
		}
	}
	if len(c.LogGroupARNs) > 0 {
		// DescribeLogGroups has no resource type: "*" is its only
		// resource (Service Authorization Reference, Amazon CloudWatch
		// Logs,
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
		out = append(out, policy.Statement{Sid: "ListLogGroups", Effect: policy.Allow, Actions: []string{"logs:DescribeLogGroups"}, Resources: []string{"*"}})
	}
	if c.IdentityCenter {
		// Identity Center's reads take the instance, the permission set
		// and the account as resources; "*" covers them, and no read
		// changes anything.
		out = append(out, policy.Statement{Sid: "ReadPermissionSets", Effect: policy.Allow, Actions: identitycenter.Reads, Resources: []string{"*"}})
	}
	if c.Organization {
		// DescribeOrganization and ListAccounts (validate-logs requires
		// digests of every member account) have no resource type: "*" is
		// their only resource (Service Authorization Reference, AWS
		// Organizations,
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html).
		out = append(out, policy.Statement{Sid: "ReadOrganization", Effect: policy.Allow, Actions: []string{"organizations:DescribeOrganization", "organizations:ListAccounts"}, Resources: []string{"*"}})
	}
	return out
}

// The IAM actions that take over an auditor's user (takeover: a password,
// an access key or another credential made for them, a policy attached
// to them, a rename), or change the audit group (groupChanges): each an
// action of the Service Authorization Reference on the user or group
// resource
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
// An auditor's own password change (iam:ChangePassword) and MFA device
// are not among them; the audit role's changes are policy.RoleChanges.
var (
	takeover = []string{"iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreateServiceSpecificCredential", "iam:CreateUser",
		"iam:PutUserPermissionsBoundary", "iam:PutUserPolicy", "iam:UpdateLoginProfile", "iam:UpdateUser", "iam:UploadSSHPublicKey",
		"iam:UploadSigningCertificate"}
	groupChanges = []string{"iam:AddUserToGroup", "iam:AttachGroupPolicy", "iam:DeleteGroupPolicy", "iam:DetachGroupPolicy",
		"iam:PutGroupPolicy", "iam:UpdateGroup"}
)

// MaxSCPLength is the most characters a service control policy may have
// ("Maximum size of a policy document: 5,120 characters",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
const MaxSCPLength = 5120

// SCP is a service control policy for the account that holds the audit
// identities in an organization's member account (the log-archive
// layout's security account): it denies changing the audit role, making
// or taking over an auditor's user (users: their ARNs, or the pattern of
// their path, which CreateUser and a move by UpdateUser are authorized
// on: "the requester must have appropriate permissions on both the source
// object and the target object",
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateUser.html)
// and changing the audit group to every principal of the account but
// spared (its deployers and break-glass principals),
// administrators and the root user included, which no IAM policy of the
// account can ("SCPs affect all users and roles in attached accounts,
// including the root user",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
// Onboarding an auditor (their first password or access key) is then the
// operators' task. SCPs do not bind the management account: in one
// account, the watches alarm on these changes instead.
func SCP(roleARN, groupARN string, users, spared []string) policy.Document {
	but := []policy.Condition{{Test: "ArnNotEquals", Variable: policy.PrincipalArn, Values: spared}}
	return policy.Document{Statements: []policy.Statement{
		{Sid: "DenyAuditRoleChangesButOperators", Effect: policy.Deny, Actions: policy.RoleChanges, Resources: []string{roleARN}, Conditions: but},
		{Sid: "DenyAuditorTakeoverButOperators", Effect: policy.Deny, Actions: takeover, Resources: users, Conditions: but},
		{Sid: "DenyAuditGroupChangesButOperators", Effect: policy.Deny, Actions: groupChanges, Resources: []string{groupARN}, Conditions: but},
	}}
}

package tfaws

import "github.com/cle2wa/audit-trail/constructs/block"

// The provider: its source and version as the stacks require them, and
// its configuration.
const (
	ProviderSource  = "aws"
	ProviderVersion = "5.88.0"
)

// Provider is the AWS provider's configuration.
type Provider struct {
	Alias             string        `json:"alias,omitempty"`
	AllowedAccountIDs []string      `json:"allowed_account_ids,omitempty"`
	AssumeRole        []AssumeRole  `json:"assume_role,omitempty"`
	DefaultTags       []DefaultTags `json:"default_tags"`
	Region            string        `json:"region"`
}

// AssumeRole is the provider's assume_role.
type AssumeRole struct {
	RoleARN     string `json:"role_arn"`
	SessionName string `json:"session_name"`
}

// DefaultTags is the provider's default_tags.
type DefaultTags struct {
	Tags map[string]string `json:"tags"`
}

func (Provider) Type() string { return "aws" }

// DataCallerIdentity is the aws_caller_identity data source.
type DataCallerIdentity struct {
	Lifecycle *block.Lifecycle `json:"lifecycle,omitempty"`
}

// DataPartition is the aws_partition data source.
type DataPartition struct{}

// DataIAMSessionContext is the aws_iam_session_context data source.
type DataIAMSessionContext struct {
	ARN       string           `json:"arn"`
	Lifecycle *block.Lifecycle `json:"lifecycle,omitempty"`
}

// DataIAMRoles is the aws_iam_roles data source.
type DataIAMRoles struct {
	NameRegex string `json:"name_regex"`
}

// DataIAMPolicyDocument is the aws_iam_policy_document data source.
type DataIAMPolicyDocument struct {
	Statement []PolicyStatement `json:"statement"`
	Version   string            `json:"version"`
}

// PolicyStatement is a policy document's statement.
type PolicyStatement struct {
	Actions    []string           `json:"actions,omitempty"`
	Condition  []PolicyCondition  `json:"condition,omitempty"`
	Effect     string             `json:"effect"`
	NotActions []string           `json:"not_actions,omitempty"`
	Principals []PolicyPrincipals `json:"principals,omitempty"`
	Resources  []string           `json:"resources,omitempty"`
	Sid        string             `json:"sid"`
}

// PolicyPrincipals are a statement's principals of one type.
type PolicyPrincipals struct {
	Identifiers []string `json:"identifiers"`
	Type        string   `json:"type"`
}

// PolicyCondition is a statement's condition.
type PolicyCondition struct {
	Test     string   `json:"test"`
	Values   []string `json:"values"`
	Variable string   `json:"variable"`
}

// DataKMSKey is the aws_kms_key data source.
type DataKMSKey struct {
	KeyID string `json:"key_id"`
}

// DataOrganizationsOrganization is the aws_organizations_organization
// data source.
type DataOrganizationsOrganization struct {
	Lifecycle *block.Lifecycle `json:"lifecycle,omitempty"`
}

// DataSSOAdminInstances is the aws_ssoadmin_instances data source.
type DataSSOAdminInstances struct {
	Lifecycle *block.Lifecycle `json:"lifecycle,omitempty"`
	Provider  string           `json:"provider,omitempty"`
}

func (DataCallerIdentity) Type() string            { return "aws_caller_identity" }
func (DataPartition) Type() string                 { return "aws_partition" }
func (DataIAMSessionContext) Type() string         { return "aws_iam_session_context" }
func (DataIAMRoles) Type() string                  { return "aws_iam_roles" }
func (DataIAMPolicyDocument) Type() string         { return "aws_iam_policy_document" }
func (DataKMSKey) Type() string                    { return "aws_kms_key" }
func (DataOrganizationsOrganization) Type() string { return "aws_organizations_organization" }
func (DataSSOAdminInstances) Type() string         { return "aws_ssoadmin_instances" }

// SSOAdminPermissionSet is aws_ssoadmin_permission_set.
type SSOAdminPermissionSet struct {
	DependsOn       []string `json:"depends_on,omitempty"`
	Description     string   `json:"description"`
	InstanceARN     string   `json:"instance_arn"`
	Name            string   `json:"name"`
	Provider        string   `json:"provider,omitempty"`
	SessionDuration string   `json:"session_duration"`
}

// SSOAdminPermissionSetInlinePolicy is
// aws_ssoadmin_permission_set_inline_policy.
type SSOAdminPermissionSetInlinePolicy struct {
	InlinePolicy     string `json:"inline_policy"`
	InstanceARN      string `json:"instance_arn"`
	PermissionSetARN string `json:"permission_set_arn"`
	Provider         string `json:"provider,omitempty"`
}

// SSOAdminManagedPolicyAttachment is
// aws_ssoadmin_managed_policy_attachment.
type SSOAdminManagedPolicyAttachment struct {
	InstanceARN      string `json:"instance_arn"`
	ManagedPolicyARN string `json:"managed_policy_arn"`
	PermissionSetARN string `json:"permission_set_arn"`
	Provider         string `json:"provider,omitempty"`
}

// SSOAdminAccountAssignment is aws_ssoadmin_account_assignment.
type SSOAdminAccountAssignment struct {
	DependsOn        []string `json:"depends_on,omitempty"`
	InstanceARN      string   `json:"instance_arn"`
	PermissionSetARN string   `json:"permission_set_arn"`
	PrincipalID      string   `json:"principal_id"`
	PrincipalType    string   `json:"principal_type"`
	Provider         string   `json:"provider,omitempty"`
	TargetID         string   `json:"target_id"`
	TargetType       string   `json:"target_type"`
}

func (SSOAdminPermissionSet) Type() string { return "aws_ssoadmin_permission_set" }
func (SSOAdminPermissionSetInlinePolicy) Type() string {
	return "aws_ssoadmin_permission_set_inline_policy"
}
func (SSOAdminManagedPolicyAttachment) Type() string { return "aws_ssoadmin_managed_policy_attachment" }
func (SSOAdminAccountAssignment) Type() string       { return "aws_ssoadmin_account_assignment" }

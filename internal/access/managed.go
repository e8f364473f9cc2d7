package access

import "github.com/cle2wa/audit-trail/internal/iameval"

// ManagedPolicies are the AWS managed policies the model knows, reduced to
// the services the stacks touch. AdministratorAccess allows everything
// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html);
// ReadOnlyAccess allows, among much else, these reads
// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html).
var ManagedPolicies = map[string]iameval.Policy{
	"AdministratorAccess": {Name: "AdministratorAccess", Statements: []iameval.Statement{{
		Sid: "All", Effect: iameval.Allow, Actions: []string{"*"}, Resources: []string{"*"},
	}}},
	"ReadOnlyAccess": {Name: "ReadOnlyAccess", Statements: []iameval.Statement{{
		Sid: "Reads", Effect: iameval.Allow, Resources: []string{"*"},
		Actions: []string{
			"cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*", "cloudtrail:LookupEvents",
			"iam:Get*", "iam:List*", "kms:Describe*", "kms:Get*", "kms:List*",
			"logs:Describe*", "logs:FilterLogEvents", "logs:Get*", "logs:List*", "logs:StartQuery", "logs:StopQuery",
			"s3:Get*", "s3:List*", "sns:Get*", "sns:List*",
		},
	}}},
}

package access

import (
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/internal/iameval"
)

// Operator is a principal whose right to apply a change the review of a
// change decides: each deployer and break-glass principal the stack's
// bucket policies name, and an administrator, each with
// AdministratorAccess in the model's account.
type Operator struct {
	// Role is "deployer", "break-glass" or "administrator".
	Role string
	// Name is the principal for a reader.
	Name   string
	Caller iameval.Caller
}

// The roles of Operators.
const (
	RoleDeployer      = "deployer"
	RoleBreakGlass    = "break-glass"
	RoleAdministrator = "administrator"
)

// Operators are the stack's deployers and break-glass principals, as the
// first bucket policy that spares them names them (resolved), and an
// administrator of the account. A principal the settings name keeps its
// ARN, and is taken to be of the model's account: the plan stops when it
// is not of the account deployed to (stacks.operatorsAccount).
func (m *Model) Operators() []Operator {
	admin := ManagedPolicies["AdministratorAccess"]
	op := func(role, arn string) Operator {
		name := arn
		switch arn {
		case FirstDeployer:
			name = "the first deployer"
		case example.Root():
			name = "the root user"
		}
		return Operator{Role: role, Name: name, Caller: iameval.Caller{ARN: arn, Account: Account, Identity: []iameval.Policy{admin}}}
	}
	breakGlass := m.spared(logbucket.SidDenyDestruction)
	var out []Operator
	for _, p := range m.spared(logbucket.SidDenyProtectionChanges) {
		if !slices.Contains(breakGlass, p) {
			out = append(out, op(RoleDeployer, p))
		}
	}
	for _, p := range breakGlass {
		out = append(out, op(RoleBreakGlass, p))
	}
	return append(out, Operator{Role: RoleAdministrator, Name: "an administrator", Caller: administrator()})
}

// Apply decides action, called by c, on the resource at address: the
// stack's S3 bucket, KMS key or SNS topic there, under its resource
// policy; its log group under c's identity policies on the group's ARN;
// any other address, or one the stack does not have, under c's identity
// policies alone, on "*".
func (m *Model) Apply(c iameval.Caller, action, address string) iameval.Decision {
	_, exists := m.doc.Find(address)
	var r iameval.Request
	switch {
	case exists && strings.HasPrefix(address, "aws_s3_bucket."):
		r = m.s3(c, action, address, "", signedIn)
	case exists && strings.HasPrefix(address, "aws_kms_key."):
		r = m.kms(c, action, address, signedIn)
	case exists && strings.HasPrefix(address, "aws_cloudwatch_log_group."):
		// No resource policy: the caller's identity policies, on the
		// group's ARN.
		r = identityOnly(c, action, m.Env.LogGroup(m.Attr(address, "name")), signedIn)
	case exists && strings.HasPrefix(address, "aws_sns_topic."):
		r = iameval.Request{Caller: c, Action: action, Resource: m.ref(address, "arn"), Context: signedIn, ResourceAccount: Account, Kind: iameval.Union, ResourcePolicy: m.TopicPolicy(address)}
	default:
		r = identityOnly(c, action, "*", signedIn)
	}
	return iameval.Evaluate(r)
}

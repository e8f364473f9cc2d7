package access

import (
	"slices"
	"strings"

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

// Operators are the trail's stack's deployers and break-glass principals
// (operators), and an administrator of its account.
func (m *Model) Operators() []Operator { return m.operators(m.stack) }

// operators are the deployers and break-glass principals of s, as the
// first policy of s that spares them names them (spared, resolved), and
// an administrator of its account. A principal the settings name keeps
// its ARN, and is taken to be of the stack's account: the plan stops when
// it is not of the account deployed to (stacks.operatorsAccount).
func (m *Model) operators(s *stack) []Operator {
	account := s.Env.Account
	op := func(role, principal string) Operator {
		name := principal
		switch principal {
		case envOf(account).Role("first-deployer"):
			name = "the first deployer"
		case envOf(account).Root():
			name = "the root user"
		}
		return Operator{Role: role, Name: name, Caller: iameval.Caller{ARN: principal, Account: account, Identity: []iameval.Policy{ManagedPolicies["AdministratorAccess"]}}}
	}
	breakGlass := m.spared(s, sparingBreakGlass)
	var out []Operator
	for _, p := range m.spared(s, sparingOperators) {
		if !slices.Contains(breakGlass, p) {
			out = append(out, op(RoleDeployer, p))
		}
	}
	for _, p := range breakGlass {
		out = append(out, op(RoleBreakGlass, p))
	}
	return append(out, Operator{Role: RoleAdministrator, Name: "an administrator", Caller: administratorOf(account)})
}

// Apply decides action, called by c, on the resource at address: the
// stack's S3 bucket, KMS key or SNS topic there, under its resource
// policy; its log group under c's identity policies on the group's ARN;
// any other address, or one the stack does not have, under c's identity
// policies alone, on "*".
func (m *Model) Apply(c iameval.Caller, action, address string) iameval.Decision {
	_, _, exists := m.find(address)
	var r iameval.Request
	switch {
	case exists && strings.HasPrefix(address, "aws_s3_bucket."):
		r = m.s3(c, action, address, "", signedIn)
	case exists && strings.HasPrefix(address, "aws_kms_key."):
		r = m.kms(c, action, address, signedIn)
	case exists && strings.HasPrefix(address, "aws_cloudwatch_log_group."):
		// No resource policy: the caller's identity policies, on the
		// group's ARN.
		r = m.identityOnly(c, action, m.Env.LogGroup(m.Attr(address, "name")), signedIn)
	case exists && strings.HasPrefix(address, "aws_sns_topic."):
		r = m.sns(c, action, address, signedIn)
	default:
		r = m.identityOnly(c, action, "*", signedIn)
	}
	return iameval.Evaluate(r)
}

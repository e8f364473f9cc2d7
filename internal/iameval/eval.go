// Package iameval decides AWS requests against IAM policies the way AWS
// documents its policy evaluation logic, for what these stacks use: it is
// how the tests and the review report prove who can do what, instead of
// believing it.
//
// Sources (IAM User Guide):
//   - "Policy evaluation logic" and "Determining whether a request is
//     allowed or denied within an account":
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//     An explicit Deny in any policy wins; otherwise, within one account,
//     an Allow in an identity-based or a resource-based policy allows,
//     except where the service requires the resource policy to allow
//     (below); with no Allow the request is implicitly denied.
//   - Cross-account requests need an Allow in both the identity policy
//     of the caller's account and the resource policy:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
//   - Role trust policies: a role can be assumed only if its trust policy
//     allows the caller; when it names the account (root) rather than the
//     caller, the caller's identity policy must allow sts:AssumeRole too:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_compare-resource-policies.html
//   - KMS: "Unless the key policy explicitly allows it, you cannot use
//     IAM policies to allow access to a KMS key"; a key policy that
//     allows the account (root) delegates to IAM policies:
//     https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
//   - Conditions, operators, IfExists, missing keys, multivalued keys and
//     policy variables: reference_policies_elements_condition_operators.html,
//     reference_policies_condition-single-vs-multi-valued-context-keys.html,
//     reference_policies_variables.html in the same guide.
//
// Service control policies: their denies (Caller.SCPs). Not modelled:
// RCPs, permissions boundaries, session policies,
// ACLs, VPC endpoint policies, and resource-based policies of services
// other than S3, KMS, SNS and IAM roles. Every caller of the matrix states
// what it assumes.
package iameval

import (
	"fmt"
	"strings"
)

// Effect is Allow or Deny.
type Effect string

// The effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Statement is one policy statement with concrete values (no Terraform
// references left).
type Statement struct {
	Sid    string
	Effect Effect
	// Principals and NotPrincipals map a principal type (AWS, Service, *)
	// to identifiers; both empty in identity policies.
	Principals, NotPrincipals map[string][]string
	Actions, NotActions       []string
	Resources, NotResources   []string
	Conditions                []Condition
}

// Condition is one condition: operator, key and values.
type Condition struct {
	Operator, Key string
	Values        []string
}

// Policy is a named policy document.
type Policy struct {
	// Name says where the policy comes from, for the reasons of a
	// decision.
	Name       string
	Statements []Statement
}

// Caller is who makes a request.
type Caller struct {
	// ARN is the principal's ARN: an IAM user, or the role of a role
	// session (what aws:PrincipalArn holds); "" for anonymous and for a
	// service principal.
	ARN string
	// Service is the service principal, such as cloudtrail.amazonaws.com,
	// when an AWS service calls with its own credentials.
	Service string
	// Account is the caller's account ("" for a service principal or
	// anonymous).
	Account string
	// Username is aws:username, for IAM users.
	Username string
	// Organization is aws:PrincipalOrgID: the organization of the
	// caller's account, "" outside any ("included in the request context
	// only if the principal is a member of an organization",
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid).
	Organization string
	// Identity are the caller's identity-based policies.
	Identity []Policy
	// SCPs are the service control policies of the caller's account, a
	// member account of an organization (none for the management
	// account: "SCPs don't affect users or roles in the management
	// account",
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
	// Their denies are evaluated; their allows are taken as
	// FullAWSAccess, the SCP every account has unless replaced.
	SCPs []Policy
}

// Anonymous reports whether the caller is unauthenticated.
func (c Caller) Anonymous() bool { return c.ARN == "" && c.Service == "" }

// Kind is how a service combines identity and resource policies.
type Kind int

// The kinds of resource policy.
const (
	// Union: within one account an Allow in either policy allows (S3
	// bucket policies, SNS topic policies).
	Union Kind = iota
	// KeyPolicy: the KMS key policy must allow the caller, or allow the
	// account and leave the rest to the identity policy.
	KeyPolicy
	// TrustPolicy: a role's trust policy must allow the caller, or allow
	// the account and leave the rest to the identity policy.
	TrustPolicy
	// IdentityOnly: no resource policy exists (IAM, CloudTrail, Logs
	// here).
	IdentityOnly
)

// Request is one API call.
type Request struct {
	Caller   Caller
	Action   string
	Resource string
	// Context holds the request's condition keys (lower-cased names) and
	// their values. aws:PrincipalArn, aws:PrincipalAccount,
	// aws:PrincipalIsAWSService and aws:username are added from Caller.
	Context map[string][]string
	// ResourceAccount is the account that owns the resource.
	ResourceAccount string
	// Kind and ResourcePolicy say how the resource's own policy takes part.
	Kind           Kind
	ResourcePolicy *Policy
}

// Decision is the outcome of a request and the statements behind it.
type Decision struct {
	Allowed bool
	// Reason names the deciding statement(s), or why nothing allowed.
	Reason string
	// By are the statements that allowed an allowed request (those whose
	// Allow decided it); empty for a denied one.
	By []Ref
}

// Ref names one statement of one policy.
type Ref struct {
	// Policy is the policy's Name, Sid the statement's.
	Policy, Sid string
}

func (r Ref) String() string { return r.Policy + " " + r.Sid }

func (d Decision) String() string {
	if d.Allowed {
		return "allowed: " + d.Reason
	}
	return "denied: " + d.Reason
}

// Evaluate decides the request.
func Evaluate(r Request) Decision {
	ctx := r.context()
	// An explicit deny in a service control policy of the caller's
	// account denies whatever the other policies say; SCPs do not apply
	// to service principals.
	if r.Caller.Service == "" {
		for _, p := range r.Caller.SCPs {
			for _, s := range p.Statements {
				if s.Effect == Deny && s.matches(r, ctx, false) {
					return Decision{Reason: "explicit deny by the service control policy " + p.Name + " " + s.Sid}
				}
			}
		}
	}
	var identityAllow, resourceAllow []Ref
	resourceAllowsAccount := false
	for _, p := range r.Caller.Identity {
		for _, s := range p.Statements {
			if !s.matches(r, ctx, false) {
				continue
			}
			if s.Effect == Deny {
				return Decision{Reason: "explicit deny by " + p.Name + " " + s.Sid}
			}
			identityAllow = append(identityAllow, Ref{p.Name, s.Sid})
		}
	}
	if r.ResourcePolicy != nil {
		for _, s := range r.ResourcePolicy.Statements {
			if !s.matches(r, ctx, true) {
				continue
			}
			if s.Effect == Deny {
				return Decision{Reason: "explicit deny by " + r.ResourcePolicy.Name + " " + s.Sid}
			}
			if s.namesCaller(r.Caller, ctx) {
				resourceAllow = append(resourceAllow, Ref{r.ResourcePolicy.Name, s.Sid})
			} else {
				resourceAllowsAccount = true
			}
		}
	}
	if r.Caller.Service != "" || r.Caller.Anonymous() {
		// Services with their own credentials and anonymous callers have
		// no identity policies: only a resource policy can allow them.
		return decide(resourceAllow, "no resource policy statement allows "+r.Caller.describe())
	}
	crossAccount := r.ResourceAccount != "" && r.ResourceAccount != r.Caller.Account
	switch {
	case crossAccount:
		// The resource policy must allow the caller, or the caller's
		// account, which leaves the rest to that account's IAM policies.
		if len(resourceAllow) == 0 && !resourceAllowsAccount {
			return Decision{Reason: "cross-account: the resource policy does not allow " + r.Caller.describe()}
		}
		return decide(identityAllow, "cross-account: no identity policy allows it")
	case r.Kind == KeyPolicy || r.Kind == TrustPolicy:
		if len(resourceAllow) > 0 {
			return decide(resourceAllow, "")
		}
		if resourceAllowsAccount {
			return decide(identityAllow, "the resource policy delegates to IAM and no identity policy allows it")
		}
		return Decision{Reason: "the " + kindName(r.Kind) + " does not allow " + r.Caller.describe()}
	}
	return decide(append(identityAllow, resourceAllow...), "no identity or resource policy allows it")
}

func decide(allows []Ref, otherwise string) Decision {
	if len(allows) == 0 {
		return Decision{Reason: otherwise}
	}
	names := make([]string, len(allows))
	for i, a := range allows {
		names[i] = a.String()
	}
	return Decision{Allowed: true, Reason: strings.Join(names, ", "), By: allows}
}

func kindName(k Kind) string {
	if k == KeyPolicy {
		return "key policy"
	}
	return "trust policy"
}

func (c Caller) describe() string {
	switch {
	case c.Service != "":
		return c.Service
	case c.Anonymous():
		return "an anonymous caller"
	}
	return c.ARN
}

// context is the request context with the keys derived from the caller,
// keys lower-cased (condition key names are case-insensitive).
func (r Request) context() map[string][]string {
	ctx := map[string][]string{}
	for k, v := range r.Context {
		ctx[strings.ToLower(k)] = v
	}
	if r.Caller.ARN != "" {
		ctx["aws:principalarn"] = []string{r.Caller.ARN}
		ctx["aws:principalaccount"] = []string{r.Caller.Account}
	}
	if r.Caller.Username != "" {
		ctx["aws:username"] = []string{r.Caller.Username}
	}
	if r.Caller.Organization != "" && r.Caller.ARN != "" {
		ctx["aws:principalorgid"] = []string{r.Caller.Organization}
	}
	if _, set := ctx["aws:principalisawsservice"]; !set {
		ctx["aws:principalisawsservice"] = []string{fmt.Sprint(r.Caller.Service != "")}
	}
	return ctx
}

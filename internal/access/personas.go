package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/cmk"
	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/internal/iameval"
)

// Persona is a caller of the access matrix.
type Persona struct {
	Name   string
	Caller iameval.Caller
	// Person is true for people (their requests carry MFA and TLS).
	Person bool
	// Federated is true for people signed in elsewhere (IAM Identity
	// Center): their requests carry TLS and no MFA key, which "is not
	// present for federated identities"
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent).
	Federated bool
}

// Personas are the rows of the access matrix: the audit role, a member of
// the audit group without it; in each of the model's accounts a deployer
// and a break-glass principal (each with AdministratorAccess), an
// administrator and a read-only user; the services, anonymous, and an
// administrator of another account. In the log-archive layout, the name
// of a persona of an account says which account.
func (m *Model) Personas() []Persona {
	member := m.member()
	role, federated := m.permissionSetRole()
	out := []Persona{{Name: "audit role (assumed with MFA)", Caller: m.auditRole(), Person: true}}
	if member.ARN == "" && federated {
		out[0] = Persona{Name: "audit role (assumed from Identity Center)", Caller: m.auditRole(), Person: true, Federated: true}
	}
	if member.ARN != "" {
		out = append(out, Persona{Name: "audit group member, without the role", Caller: member, Person: true})
	}
	if federated {
		out = append(out, Persona{Name: "Identity Center auditor (permission set role), without the audit role", Caller: role, Person: true, Federated: true})
	}
	for _, a := range m.Accounts() {
		in := ""
		if m.Layout() {
			in = ", " + m.Label(a)
		}
		s := m.inAccount(a)
		out = append(out,
			Persona{Name: pDeployer + in, Caller: m.firstOperator(s, RoleDeployer)},
			Persona{Name: pBreakGlass + in, Caller: m.firstOperator(s, RoleBreakGlass), Person: true},
			Persona{Name: pAdmin + in, Caller: administratorOf(a), Person: true},
			Persona{Name: "read-only user (ReadOnlyAccess)" + in, Caller: iameval.Caller{ARN: envOf(a).User("reader"), Account: a, Username: "reader", Identity: []iameval.Policy{ManagedPolicies["ReadOnlyAccess"]}}, Person: true},
		)
	}
	return append(out,
		Persona{Name: "CloudTrail", Caller: service("cloudtrail.amazonaws.com")},
		Persona{Name: "CloudWatch Logs", Caller: service(m.Env.Logs())},
		Persona{Name: "anonymous"},
		Persona{Name: pOther, Caller: administratorOf(m.other), Person: true},
	)
}

// permissionSetRole is a role of the auditors' IAM Identity Center
// permission set in the audit role's account (on Identity Center's
// reserved path, with a suffix as AWS makes them), with the permission
// set's inline policy and the AWS managed policies it attaches; false
// without a permission set.
func (m *Model) permissionSetRole() (iameval.Caller, bool) {
	for _, ps := range m.resources("aws_ssoadmin_permission_set") {
		account := m.of(auditRole).Env.Account
		c := iameval.Caller{Account: account,
			ARN: envOf(account).Role("aws-reserved/sso.amazonaws.com/AWSReservedSSO_" + ps.stack.Attr(ps.Address, "name") + "_1234567890abcdef")}
		for _, b := range ps.stack.doc.Referring("aws_ssoadmin_permission_set_inline_policy", "permission_set_arn", ps.Address) {
			if p := ps.stack.policy(m.name(ps.stack, b.Address), b.Attrs["inline_policy"]); p != nil {
				c.Identity = append(c.Identity, *p)
			}
		}
		for _, b := range ps.stack.doc.Referring("aws_ssoadmin_managed_policy_attachment", "permission_set_arn", ps.Address) {
			arn := ps.stack.Resolve(fmt.Sprint(b.Attrs["managed_policy_arn"]))
			if p, ok := ManagedPolicies[arn[strings.LastIndex(arn, "/")+1:]]; ok {
				c.Identity = append(c.Identity, p)
			}
		}
		return c, true
	}
	return iameval.Caller{}, false
}

// Label names the account for a reader by what it holds: the management
// account (the trail's), the log-archive account (the log bucket's), the
// security account (the audit role's).
func (m *Model) Label(account string) string {
	switch account {
	case m.Env.Account:
		return "management account"
	case m.of(logBucket).Env.Account:
		return "log-archive account"
	case m.of(auditRole).Env.Account:
		return "security account"
	}
	return "account " + account
}

// inAccount is the model's first stack in account.
func (m *Model) inAccount(account string) *stack {
	for _, s := range m.stacks {
		if s.Env.Account == account {
			return s
		}
	}
	return m.stack
}

// envOf is account, for ARNs without a region (IAM's).
func envOf(account string) arn.Env { return arn.Env{Partition: partition, Account: account} }

// auditRole is the audit role, as a session assumed with MFA.
func (m *Model) auditRole() iameval.Caller {
	return iameval.Caller{ARN: m.ref(auditRole, "arn"), Account: m.of(auditRole).Env.Account, Identity: m.RolePolicies(auditRole)}
}

// member is the first audit user, with the audit group's policies.
func (m *Model) member() iameval.Caller {
	c := iameval.Caller{Account: m.of(auditGroup).Env.Account}
	for _, u := range m.resources("aws_iam_user") {
		if g, ok := m.GroupOf(u.Address); ok && g == auditGroup {
			c.ARN, c.Username = m.ref(u.Address, "arn"), m.Attr(u.Address, "name")
			c.Identity = m.GroupPolicies(g)
			break
		}
	}
	return c
}

// admin is an administrator of the account that holds the resource at
// address.
func (m *Model) admin(address string) iameval.Caller {
	return administratorOf(m.of(address).Env.Account)
}

// deployer is the first deployer of the stack that holds the resource at
// address.
func (m *Model) deployer(address string) iameval.Caller {
	return m.firstOperator(m.of(address), RoleDeployer)
}

// breakGlass is the first break-glass principal of the stack that holds
// the resource at address.
func (m *Model) breakGlass(address string) iameval.Caller {
	return m.firstOperator(m.of(address), RoleBreakGlass)
}

// outsider is an administrator of an account outside the model's.
func (m *Model) outsider() iameval.Caller { return administratorOf(m.other) }

// firstOperator is the caller of the first operator of role in s (the
// deployers setting's first principal, or the model's example of the
// principal that made the first apply; the first break-glass principal),
// or an administrator without an ARN when the stack names none.
func (m *Model) firstOperator(s *stack, role string) iameval.Caller {
	for _, o := range m.operators(s) {
		if o.Role == role {
			return o.Caller
		}
	}
	return iameval.Caller{Account: s.Env.Account, Identity: []iameval.Policy{ManagedPolicies["AdministratorAccess"]}}
}

// legacyEvidenceSid is the one evidence Deny of the releases before
// deployers, which spared the break-glass principals only: a deployment
// of such a release names no deployer.
const legacyEvidenceSid = "DenyEvidenceChangesButBreakGlass"

// The statements that spare the operators: the evidence Denies of a
// bucket policy and of a key policy, by the operators they spare.
var (
	sparingBreakGlass = []string{logbucket.SidDenyDestruction, legacyEvidenceSid, cmk.SidDenyDestroy}
	sparingOperators  = []string{logbucket.SidDenyProtectionChanges, cmk.SidDenyPolicyChanges}
)

// spared are the principals that the first of the statements sids of the
// policies of s spares (its ArnNotEquals aws:PrincipalArn values),
// resolved: of the log bucket's policy or another bucket's; in a stack
// without bucket policies (the management and security accounts of the
// log-archive layout), of a key's.
func (m *Model) spared(s *stack, sids []string) []string {
	var policies []*iameval.Policy
	if m.of(logBucket) == s {
		policies = append(policies, m.BucketPolicy(logBucket))
	}
	for _, b := range s.doc.Resources("aws_s3_bucket") {
		policies = append(policies, m.BucketPolicy(b.Address))
	}
	if !slices.ContainsFunc(policies, func(p *iameval.Policy) bool { return p != nil }) {
		for _, k := range s.doc.Resources("aws_kms_key") {
			policies = append(policies, m.KeyPolicy(k.Address))
		}
	}
	for _, p := range policies {
		if v := sparedBy(p, sids); v != nil {
			return v
		}
	}
	return nil
}

// sparedBy are the principals the first of the statements sids of p
// spares, or nil.
func sparedBy(p *iameval.Policy, sids []string) []string {
	if p == nil {
		return nil
	}
	for _, st := range p.Statements {
		if !slices.Contains(sids, st.Sid) {
			continue
		}
		for _, c := range st.Conditions {
			if c.Operator == "ArnNotEquals" && c.Key == "aws:PrincipalArn" {
				return c.Values
			}
		}
	}
	return nil
}

// AdministratorOf is a user with AdministratorAccess of the account that
// holds the resource at address (the trail's, for an address the model
// does not have).
func (m *Model) AdministratorOf(address string) iameval.Caller { return m.admin(address) }

// administratorOf is a user of account with AdministratorAccess.
func administratorOf(account string) iameval.Caller {
	return iameval.Caller{ARN: envOf(account).User("admin"), Account: account, Username: "admin", Identity: []iameval.Policy{ManagedPolicies["AdministratorAccess"]}}
}

// rootOf is the root user of account, with every permission.
func rootOf(account string) iameval.Caller {
	return iameval.Caller{ARN: envOf(account).Root(), Account: account, Identity: []iameval.Policy{ManagedPolicies["AdministratorAccess"]}}
}

package access

import (
	"slices"

	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/internal/iameval"
)

// Persona is a caller of the access matrix.
type Persona struct {
	Name   string
	Caller iameval.Caller
	// Person is true for people (their requests carry MFA and TLS).
	Person bool
}

// Personas are the rows of the access matrix: the audit role, a member of
// the audit group without it, a deployer and a break-glass principal
// (each with AdministratorAccess), an administrator, a read-only user, the
// services, anonymous, and an administrator of another account.
func (m *Model) Personas() []Persona {
	admin := ManagedPolicies["AdministratorAccess"]
	member := iameval.Caller{Account: Account}
	for _, u := range m.doc.Resources("aws_iam_user") {
		if g, ok := m.GroupOf(u.Address); ok && g == auditGroup {
			member.ARN, member.Username = m.ref(u.Address, "arn"), m.Attr(u.Address, "name")
			member.Identity = m.GroupPolicies(g)
			break
		}
	}
	return []Persona{
		{"audit role (assumed with MFA)", iameval.Caller{ARN: m.ref(auditRole, "arn"), Account: Account, Identity: m.RolePolicies(auditRole)}, true},
		{"audit group member, without the role", member, true},
		{pDeployer, m.firstOperator(RoleDeployer), false},
		{pBreakGlass, m.firstOperator(RoleBreakGlass), true},
		{pAdmin, administrator(), true},
		{"read-only user (ReadOnlyAccess)", iameval.Caller{ARN: example.User("reader"), Account: Account, Username: "reader", Identity: []iameval.Policy{ManagedPolicies["ReadOnlyAccess"]}}, true},
		{"CloudTrail", iameval.Caller{Service: "cloudtrail.amazonaws.com"}, false},
		{"CloudWatch Logs", iameval.Caller{Service: m.Env.Logs()}, false},
		{"anonymous", iameval.Caller{}, false},
		{"administrator of another account", iameval.Caller{ARN: another.User("admin"), Account: OtherAccount, Username: "admin", Identity: []iameval.Policy{admin}}, true},
	}
}

// firstOperator is the caller of the first operator of role (the
// deployers setting's first principal, or the model's example of the
// principal that made the first apply; the first break-glass principal),
// or an administrator without an ARN when the stack names none.
func (m *Model) firstOperator(role string) iameval.Caller {
	for _, o := range m.Operators() {
		if o.Role == role {
			return o.Caller
		}
	}
	return iameval.Caller{Account: Account, Identity: []iameval.Policy{ManagedPolicies["AdministratorAccess"]}}
}

// legacyEvidenceSid is the one evidence Deny of the releases before
// deployers, which spared the break-glass principals only: a deployment
// of such a release names no deployer.
const legacyEvidenceSid = "DenyEvidenceChangesButBreakGlass"

// spared are the principals the statement sid of the stack's bucket
// policies spares (its ArnNotEquals aws:PrincipalArn values), resolved:
// the log bucket's, or the first bucket's that has one.
func (m *Model) spared(sid string) []string {
	sids := []string{sid}
	if sid == logbucket.SidDenyDestruction {
		sids = append(sids, legacyEvidenceSid)
	}
	buckets := []string{logBucket}
	for _, b := range m.doc.Resources("aws_s3_bucket") {
		buckets = append(buckets, b.Address)
	}
	for _, b := range buckets {
		p := m.BucketPolicy(b)
		if p == nil {
			continue
		}
		for _, s := range p.Statements {
			if !slices.Contains(sids, s.Sid) {
				continue
			}
			for _, c := range s.Conditions {
				if c.Operator == "ArnNotEquals" && c.Key == "aws:PrincipalArn" {
					return c.Values
				}
			}
		}
	}
	return nil
}

// Administrator is a user of the account with AdministratorAccess.
func Administrator() iameval.Caller { return administrator() }

// administrator is a user of the account with AdministratorAccess.
func administrator() iameval.Caller {
	return iameval.Caller{ARN: example.User("admin"), Account: Account, Username: "admin", Identity: []iameval.Policy{ManagedPolicies["AdministratorAccess"]}}
}

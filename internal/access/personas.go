package access

import (
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
// the audit group without it, an administrator, a read-only user, the
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
		{"administrator (AdministratorAccess)", iameval.Caller{ARN: "arn:aws:iam::" + Account + ":user/admin", Account: Account, Username: "admin", Identity: []iameval.Policy{admin}}, true},
		{"read-only user (ReadOnlyAccess)", iameval.Caller{ARN: "arn:aws:iam::" + Account + ":user/reader", Account: Account, Username: "reader", Identity: []iameval.Policy{ManagedPolicies["ReadOnlyAccess"]}}, true},
		{"CloudTrail", iameval.Caller{Service: "cloudtrail.amazonaws.com"}, false},
		{"CloudWatch Logs", iameval.Caller{Service: "logs." + m.Region + ".amazonaws.com"}, false},
		{"anonymous", iameval.Caller{}, false},
		{"administrator of another account", iameval.Caller{ARN: "arn:aws:iam::" + OtherAccount + ":user/admin", Account: OtherAccount, Username: "admin", Identity: []iameval.Policy{admin}}, true},
	}
}

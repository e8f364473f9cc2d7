package identitycenter

import (
	"testing"

	"github.com/cle2wa/audit-trail/constructs/arn"
)

// TestIsPermissionSetRoles: the patterns of one permission set's roles are
// recognized, in any partition and account (references too); a pattern
// that admits any permission set, any role, a user or a role off the
// reserved path is not, so the MFA check's exception for Identity
// Center stays that narrow.
func TestIsPermissionSetRoles(t *testing.T) {
	for _, env := range []arn.Env{{Partition: "aws", Account: "123456789012"}, {Partition: "${data.aws_partition.p.partition}", Account: "${data.aws_caller_identity.c.account_id}"}} {
		if p := RolePatterns(env, "AuditReader"); !IsPermissionSetRoles(p) {
			t.Errorf("expected %v recognized", p)
		}
	}
	env := arn.Env{Partition: "aws", Account: "123456789012"}
	for _, p := range [][]string{
		nil,
		{env.Role(ReservedPath + "*")},
		{env.Role(ReservedPath + "AWSReservedSSO_*")},
		{env.Role("*")},
		{env.Role("AWSReservedSSO_AuditReader_*")},
		{env.User("auditors/*")},
		append(RolePatterns(env, "AuditReader"), env.Role("admin")),
	} {
		if IsPermissionSetRoles(p) {
			t.Errorf("expected %v not recognized as one permission set's roles", p)
		}
	}
}

package settings

import (
	"slices"
	"strings"
	"testing"
)

// TestIdentityCenterFromCdktfJSON: the setting identityCenter is read
// from cdktf.json, with IAM users optional beside it; every problem of
// it (an unknown key, a wrong type, an instance ARN, a name, an ID of
// the Identity Store, none to assign, a duplicate, another partition) is
// named at once, at its path.
func TestIdentityCenterFromCdktfJSON(t *testing.T) {
	const valid = `"identityCenter": {"instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef", "permissionSet": "AuditReader", "groups": ["a1b2c3d4-5678-90ab-cdef-111122223333"], "users": ["9067a1b2c3-a1b2c3d4-5678-90ab-cdef-444455556666"]}`
	s, err := Parse([]byte(`{"organizationTrail": true, "auditUsers": [], `+valid+`}`), "test")
	if err != nil {
		t.Fatalf("expected Identity Center alone to be valid, found %v", err)
	}
	if ic := s.IdentityCenter; ic == nil || ic.PermissionSet != "AuditReader" || !slices.Equal(ic.Users, []string{"9067a1b2c3-a1b2c3d4-5678-90ab-cdef-444455556666"}) || s.PermissionSet() != "AuditReader" {
		t.Errorf("expected the setting read, found %+v", s.IdentityCenter)
	}
	if _, err := Parse([]byte(`{"organizationTrail": true, "auditUsers": ["alice"], `+valid+`}`), "test"); err != nil {
		t.Errorf("expected IAM users beside Identity Center (a migration) to be valid, found %v", err)
	}
	for context, want := range map[string][]string{
		`{"auditUsers": []}`: {`auditUsers: is required: at least one audit user`},
		`{"identityCenter": {"instanceArn": "ssoins-1234567890abcdef", "permissionSet": "Audit Reader", "group": ["x"], "users": "abc"}}`: {
			`identityCenter.group: "[\"x\"]" is not a key of identityCenter`, `identityCenter.users`},
		`{"identityCenter": {"instanceArn": "ssoins-1234567890abcdef", "permissionSet": "Audit Reader", "groups": ["x", "a1b2c3d4-5678-90ab-cdef-111122223333", "A1B2C3D4-5678-90ab-cdef-111122223333"]}}`: {
			`identityCenter.instanceArn: "ssoins-1234567890abcdef" is not an IAM Identity Center instance ARN`,
			`identityCenter.permissionSet: "Audit Reader" is not a permission set name`,
			`identityCenter.groups[0]: "x" is not an Identity Store ID`,
			`identityCenter.groups[2]: "A1B2C3D4-5678-90ab-cdef-111122223333" is groups[1] too`},
		`{"identityCenter": {"instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef", "permissionSet": "AuditReader"}}`: {
			`identityCenter.groups: is required: at least one group or user to assign the permission set to`},
		`{"region": "us-gov-west-1", "identityCenter": {"instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef", "permissionSet": "AuditReader", "groups": ["a1b2c3d4-5678-90ab-cdef-111122223333"]}}`: {
			`identityCenter.instanceArn: "arn:aws:sso:::instance/ssoins-1234567890abcdef" is in partition "aws", the region's is "aws-us-gov"`},
		`{"identityCenter": null}`: {`identityCenter: expected an object`},
		`{"identityCenter": {"instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef", "permissionSet": "AuditReader", "groups": ["a1b2c3d4-5678-90ab-cdef-111122223333"], "region": "us-gov-west-1"}}`: {
			`identityCenter.region: "us-gov-west-1" is not a region of the partition "aws"`,
			`organizationTrail: false with identityCenter: Identity Center's delegated administrator changes who reads from its own account`},
	} {
		_, err := Parse([]byte(context), "test")
		for _, w := range want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: expected an error containing %q, found %v", context, w, err)
			}
		}
	}
}

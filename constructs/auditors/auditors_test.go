package auditors

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/identitycenter"
)

func TestValidateUserNames(t *testing.T) {
	cases := map[string]struct {
		names []string
		want  string // "" for valid
	}{
		"one user":         {[]string{"user-audit"}, ""},
		"email-like names": {[]string{"alice@example.com", "bob.smith"}, ""},
		"none":             {nil, "is required: at least one audit user"},
		"space":            {[]string{"bob smith"}, `[0]: "bob smith" is not a valid IAM user name: it must be 1 to 64`},
		"slash":            {[]string{"ops/bob"}, `[0]: "ops/bob" is not a valid IAM user name`},
		"too long":         {[]string{strings.Repeat("u", 65)}, "must be 1 to 64"},
		"empty name":       {[]string{""}, `[0]: "" is not a valid IAM user name`},
		"same user twice":  {[]string{"Alice", "alice"}, `[1]: "alice" is the same IAM user as "Alice"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := ValidateUserNames(c.names, "")
			switch {
			case c.want == "" && err != nil:
				t.Errorf("expected %v to be valid, found %v", c.names, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("expected an error for %v containing %q, found %v", c.names, c.want, err)
			}
		})
	}
}

func TestValidateGroupAndRoleLimits(t *testing.T) {
	if err := ValidateName("group", strings.Repeat("g", 128), 128); err != nil {
		t.Errorf("expected a 128-character group name to be valid, found %v", err)
	}
	if err := ValidateName("role", strings.Repeat("r", 65), 64); err == nil || !strings.Contains(err.Error(), "IAM role name") {
		t.Errorf("expected a 65-character role name to be rejected naming the role, found %v", err)
	}
}

func TestTrustPolicyQuota(t *testing.T) {
	many := func(n int, name string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%02d", name, i)
		}
		return out
	}
	if n := TrustPolicyLength(many(30, "auditor"), ""); n > MaxTrustPolicyLength {
		t.Errorf("expected 30 short names to fit, found %d characters", n)
	}
	err := ValidateUserNames(many(60, "auditor"), "")
	for _, want := range []string{"60 users", "over IAM's default quota of 2048 for a role trust policy", "reference_iam-quotas.html"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("expected the error to say %q, found %v", want, err)
		}
	}
	// The bound is an upper bound of what IAM counts: the JSON holds
	// every user's ARN and nothing is white space.
	one := TrustPolicyLength([]string{"x"}, "")
	two := TrustPolicyLength([]string{"x", "y"}, "")
	if two-one != len(`,"arn:aws-us-gov:iam::123456789012:user/y"`) {
		t.Errorf("expected each user to add its quoted ARN and a comma, found %d", two-one)
	}
}

// TestSCPFitsItsQuota: with as many auditors as the audit role's trust
// policy takes (names of 10 and of 64 characters), the longest partition
// and an account, the SCP stays within MaxSCPLength.
func TestSCPFitsItsQuota(t *testing.T) {
	env := arn.Env{Partition: "aws-us-gov", Account: "123456789012"}
	for _, length := range []int{10, 64} {
		var names, users []string
		for i := range Room(nil, length, "") {
			name := fmt.Sprintf("%0*d", length, i)
			names = append(names, name)
			users = append(users, env.User(name))
		}
		spared := []string{env.Role("first-deployer-of-the-security-account"), env.Root()}
		n := len(SCP(env.Role("role-audit"), env.Group("group-audit"), users, spared).JSON())
		if n > MaxSCPLength {
			t.Errorf("%d auditors of %d characters: expected the SCP within %d characters, found %d", len(names), length, MaxSCPLength, n)
		}
		t.Logf("%d auditors of %d characters: SCP of %d characters", len(names), length, n)
	}
}

// TestSCPWithIdentityCenterFitsItsQuota: the security account's SCP, the
// auditors on their path, with the statements that keep Identity
// Center's roles and SAML providers to it, in the longest partition,
// stays within MaxSCPLength.
func TestSCPWithIdentityCenterFitsItsQuota(t *testing.T) {
	env := arn.Env{Partition: "aws-us-gov", Account: "123456789012"}
	spared := []string{env.Role("first-deployer-of-the-security-account"), env.Root()}
	scp := SCP(env.Role("role-audit"), env.Group("group-audit"), []string{UserARN(env, "/auditors/", "*")}, spared)
	scp.Statements = append(scp.Statements, identitycenter.ReservedForIdentityCenter(env)...)
	if n := len(scp.JSON()); n > MaxSCPLength {
		t.Errorf("expected the SCP within %d characters, found %d", MaxSCPLength, n)
	} else {
		t.Logf("SCP of %d characters", n)
	}
}

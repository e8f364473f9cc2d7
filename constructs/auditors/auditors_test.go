package auditors

import (
	"strings"
	"testing"
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
			err := ValidateUserNames(c.names)
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

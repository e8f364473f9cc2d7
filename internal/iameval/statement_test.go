package iameval

import (
	"strings"
	"testing"
)

// TestStatementText: every element of a statement is said, the negated
// ones as "all but", lists joined as the caller asks.
func TestStatementText(t *testing.T) {
	cases := map[string]struct {
		s                Statement
		what, conditions string
	}{
		"principals, actions, resources and conditions": {
			Statement{Effect: Deny, Principals: map[string][]string{"*": {"*"}, "AWS": {"a", "b"}}, Actions: []string{"s3:*"}, Resources: []string{"arn:aws:s3:::b", "arn:aws:s3:::b/*"},
				Conditions: []Condition{{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"false"}}, {Operator: "ArnNotEquals", Key: "aws:PrincipalArn", Values: []string{"a", "b"}}}},
			"Deny *: *; AWS: a, b to s3:* on arn:aws:s3:::b, arn:aws:s3:::b/*", " if Bool aws:SecureTransport false and ArnNotEquals aws:PrincipalArn a|b",
		},
		"the negated elements": {
			Statement{Effect: Allow, NotPrincipals: map[string][]string{"AWS": {"r"}}, NotActions: []string{"iam:ChangePassword"}, NotResources: []string{"x"}},
			"Allow all but AWS: r to all but iam:ChangePassword on all but x", "",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			what, conditions := c.s.Text(strings.Join)
			if what != c.what || conditions != c.conditions {
				t.Errorf("expected %q and %q, found %q and %q", c.what, c.conditions, what, conditions)
			}
		})
	}
}

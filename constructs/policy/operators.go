package policy

import (
	"errors"
	"slices"

	"github.com/cle2wa/audit-trail/constructs/field"
)

// Operators are the principals that the stacks' evidence protections
// spare, in two tiers (the README's "Operating it"):
//
//   - Deployers apply reviewed changes: they may change what protects
//     the evidence (bucket policies, lifecycle, versioning, Object Lock
//     configuration, key policies), and nothing that destroys it.
//   - BreakGlass principals, for emergencies, may also do what destroys
//     evidence: delete object versions, bypass governance retention,
//     disable or delete keys.
//
// Everyone else, administrators included, may do neither. Each value is
// an ARN (or a token for one) that an aws:PrincipalArn condition
// compares with ArnNotEquals.
type Operators struct {
	// Deployers is required: at least one principal.
	Deployers []string
	// BreakGlass is required: at least one principal.
	BreakGlass []string
}

// Validate reports every problem of the operators at once.
func (o Operators) Validate() error {
	var errs []error
	if len(o.Deployers) == 0 {
		errs = append(errs, field.Required("Deployers", "at least one principal that may apply changes to the evidence's protection"))
	}
	if len(o.BreakGlass) == 0 {
		errs = append(errs, field.Required("BreakGlass", "at least one principal that may still do what destroys evidence"))
	}
	return errors.Join(errs...)
}

// MayProtect are the principals that may change the protection: the
// deployers and the break-glass principals, without repeats.
func (o Operators) MayProtect() []string {
	out := slices.Clone(o.Deployers)
	for _, b := range o.BreakGlass {
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// DenyBut is a statement that denies actions on resources to every
// principal whose aws:PrincipalArn is not one of spared.
// aws:PrincipalArn is present in every request of an authenticated
// principal, and is the root user's ARN (arn:...:root) for the root user
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
func DenyBut(sid string, actions, resources, spared []string) Statement {
	return Statement{
		Sid:        sid,
		Effect:     Deny,
		Principals: []Principal{{Type: PrincipalAny, Identifiers: []string{"*"}}},
		Actions:    actions,
		Resources:  resources,
		Conditions: []Condition{{Test: "ArnNotEquals", Variable: PrincipalArn, Values: spared}},
	}
}

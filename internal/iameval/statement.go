package iameval

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Allows reports whether the statement's actions cover action, wildcards
// included (IAM matches actions without regard to case), whatever its
// effect and conditions: a reading of the policy, not an evaluation.
func (s Statement) Allows(action string) bool {
	action = strings.ToLower(action)
	covers := func(patterns []string) bool {
		for _, p := range patterns {
			if glob(strings.ToLower(p), action) {
				return true
			}
		}
		return false
	}
	if len(s.NotActions) > 0 {
		return !covers(s.NotActions)
	}
	return covers(s.Actions)
}

// Condition returns the values of the statement's condition with the
// operator on key, or nil.
func (s Statement) Condition(operator, key string) []string {
	for _, c := range s.Conditions {
		if strings.EqualFold(c.Operator, operator) && strings.EqualFold(c.Key, key) {
			return c.Values
		}
	}
	return nil
}

// HasConditionOn reports whether any condition of the statement tests
// key, with whatever operator.
func (s Statement) HasConditionOn(key string) bool {
	for _, c := range s.Conditions {
		if strings.EqualFold(c.Key, key) {
			return true
		}
	}
	return false
}

// Text is the statement in words, for people: what it allows or denies,
// to whom, on what ("Deny *: * to s3:* on arn:aws:s3:::b"), and its
// conditions (" if Bool aws:SecureTransport false and ...", or "").
// list writes a list of principals, resources or condition values with
// a separator (strings.Join, or a join that folds long lists).
func (s Statement) Text(list func(values []string, sep string) string) (what, conditions string) {
	who := func(principals map[string][]string) string {
		var out []string
		for _, t := range slices.Sorted(maps.Keys(principals)) {
			out = append(out, t+": "+list(principals[t], ", "))
		}
		return strings.Join(out, "; ")
	}
	what = string(s.Effect)
	if len(s.Principals) > 0 {
		what += " " + who(s.Principals)
	}
	if len(s.NotPrincipals) > 0 {
		what += " all but " + who(s.NotPrincipals)
	}
	if len(s.Actions) > 0 {
		what += " to " + strings.Join(s.Actions, ", ")
	}
	if len(s.NotActions) > 0 {
		what += " to all but " + strings.Join(s.NotActions, ", ")
	}
	if len(s.Resources) > 0 {
		what += " on " + list(s.Resources, ", ")
	}
	if len(s.NotResources) > 0 {
		what += " on all but " + list(s.NotResources, ", ")
	}
	for i, c := range s.Conditions {
		if i == 0 {
			conditions += " if "
		} else {
			conditions += " and "
		}
		conditions += fmt.Sprintf("%s %s %s", c.Operator, c.Key, list(c.Values, "|"))
	}
	return what, conditions
}

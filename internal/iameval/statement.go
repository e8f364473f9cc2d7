package iameval

import "strings"

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

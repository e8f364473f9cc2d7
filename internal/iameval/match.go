package iameval

import (
	"regexp"
	"strconv"
	"strings"
)

// matches reports whether the statement applies to the request: its
// principal (in a resource policy), action, resource and conditions.
func (s Statement) matches(r Request, ctx map[string][]string, resourcePolicy bool) bool {
	if resourcePolicy {
		switch {
		case len(s.Principals) > 0 && !principalMatches(s.Principals, r.Caller):
			return false
		case len(s.NotPrincipals) > 0 && principalMatches(s.NotPrincipals, r.Caller):
			return false
		case len(s.Principals) == 0 && len(s.NotPrincipals) == 0:
			return false // a resource policy statement without a principal applies to nobody
		}
	}
	if len(s.Actions) > 0 && !anyMatch(s.Actions, r.Action, true, ctx) || len(s.NotActions) > 0 && anyMatch(s.NotActions, r.Action, true, ctx) {
		return false
	}
	if len(s.Resources) > 0 && !anyMatch(s.Resources, r.Resource, false, ctx) || len(s.NotResources) > 0 && anyMatch(s.NotResources, r.Resource, false, ctx) {
		return false
	}
	for _, c := range s.Conditions {
		if !c.holds(ctx) {
			return false
		}
	}
	return true
}

// namesCaller reports whether a matching resource policy statement names
// the caller itself (or everyone), rather than the caller's account,
// which only delegates the decision to the account's IAM policies.
func (s Statement) namesCaller(c Caller, ctx map[string][]string) bool {
	if len(s.Principals) == 0 {
		return true // NotPrincipal: everyone but those named
	}
	for typ, ids := range s.Principals {
		for _, id := range ids {
			switch {
			case typ == "*" || id == "*":
				return true
			case typ == "Service" && id == c.Service:
				return true
			case typ == "AWS" && c.ARN != "" && id == c.ARN:
				return true
			}
		}
	}
	return false
}

// principalMatches reports whether principals include the caller: "*",
// the caller's service, its ARN, or its account (as the root ARN or the
// account id).
func principalMatches(principals map[string][]string, c Caller) bool {
	for typ, ids := range principals {
		for _, id := range ids {
			switch {
			case typ == "*" || typ == "AWS" && id == "*":
				return true
			case typ == "Service":
				if id == c.Service && c.Service != "" {
					return true
				}
			case typ == "AWS":
				if c.ARN != "" && (id == c.ARN || id == c.Account || strings.HasSuffix(id, ":"+c.Account+":root") && strings.HasPrefix(id, "arn:")) {
					return true
				}
			}
		}
	}
	return false
}

// anyMatch reports whether value matches any of the patterns, after policy
// variables are substituted; actions match without regard to case.
func anyMatch(patterns []string, value string, foldCase bool, ctx map[string][]string) bool {
	for _, p := range patterns {
		p = substitute(p, ctx)
		if foldCase {
			if glob(strings.ToLower(p), strings.ToLower(value)) {
				return true
			}
		} else if glob(p, value) {
			return true
		}
	}
	return false
}

var variable = regexp.MustCompile(`[$&]\{([^}]+)\}`)

// substitute replaces policy variables (${aws:username}; the
// aws_iam_policy_document data source writes them &{...}) with their
// values from the request context. A variable without a value leaves a
// string that matches nothing.
func substitute(s string, ctx map[string][]string) string {
	return variable.ReplaceAllStringFunc(s, func(m string) string {
		name := strings.ToLower(m[2 : len(m)-1])
		switch name {
		case "*", "?", "$":
			return name // ${*}, ${?}, ${$}: the literal character
		}
		if v := ctx[name]; len(v) == 1 {
			return v[0]
		}
		return "\x00unset:" + name
	})
}

// glob matches * (any run) and ? (one character).
func glob(pattern, value string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == value
	}
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(value)
}

// holds evaluates one condition against the request context.
func (c Condition) holds(ctx map[string][]string) bool {
	op := c.Operator
	anyValue, allValues := strings.HasPrefix(op, "ForAnyValue:"), strings.HasPrefix(op, "ForAllValues:")
	op = strings.TrimPrefix(strings.TrimPrefix(op, "ForAnyValue:"), "ForAllValues:")
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	values := make([]string, len(c.Values))
	for i, v := range c.Values {
		values[i] = substitute(v, ctx)
	}
	got, present := ctx[strings.ToLower(c.Key)]
	if op == "Null" {
		absent := !present || len(got) == 0
		return len(values) > 0 && strings.EqualFold(values[0], "true") == absent
	}
	negated := strings.Contains(op, "Not")
	if !present || len(got) == 0 {
		switch {
		case ifExists, allValues:
			return true
		case anyValue:
			return false
		}
		// "If the key that you specify in a policy condition is not
		// present in the request context, the values do not match and
		// the condition is false", except for the negated operators,
		// where it is true.
		return negated
	}
	one := func(v string) bool { return compare(op, v, values) }
	switch {
	case allValues:
		for _, v := range got {
			if !one(v) {
				return false
			}
		}
		return true
	default:
		for _, v := range got {
			if one(v) {
				return true
			}
		}
		return false
	}
}

// compare applies a base operator to one context value and the policy's
// values (any of which may match; the negated operators hold when none
// does).
func compare(op, v string, values []string) bool {
	positive := strings.Replace(op, "Not", "", 1)
	match := false
	for _, want := range values {
		switch positive {
		case "StringEquals":
			match = v == want
		case "StringEqualsIgnoreCase":
			match = strings.EqualFold(v, want)
		case "StringLike", "ArnLike", "ArnEquals":
			// ArnEquals and ArnLike both take wildcards in any of the
			// ARN's components.
			match = glob(want, v)
		case "Bool":
			match = strings.EqualFold(v, want)
		case "NumericEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals":
			a, errA := strconv.ParseFloat(v, 64)
			b, errB := strconv.ParseFloat(want, 64)
			if errA != nil || errB != nil {
				continue
			}
			match = map[string]bool{"NumericEquals": a == b, "NumericLessThan": a < b, "NumericLessThanEquals": a <= b, "NumericGreaterThan": a > b, "NumericGreaterThanEquals": a >= b}[positive]
		default:
			return false // an operator this package does not know never matches
		}
		if match {
			break
		}
	}
	if op != positive {
		return !match
	}
	return match
}

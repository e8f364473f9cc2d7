package verify

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/cle2wa/audit-trail/internal/iameval"
)

// Canonical is s in a canonical form: lists sorted and without
// duplicates, condition keys in lower case, one condition per operator
// and key, in order. Two policies that differ only in statement order,
// JSON formatting, or a single value written as a list are equal in this
// form.
func Canonical(s iameval.Statement) iameval.Statement {
	principals := func(in map[string][]string) map[string][]string {
		if len(in) == 0 {
			return nil
		}
		out := map[string][]string{}
		for k, v := range in {
			out[k] = sortedSet(v)
		}
		return out
	}
	c := iameval.Statement{Sid: s.Sid, Effect: s.Effect,
		Principals: principals(s.Principals), NotPrincipals: principals(s.NotPrincipals),
		Actions: sortedSet(s.Actions), NotActions: sortedSet(s.NotActions),
		Resources: sortedSet(s.Resources), NotResources: sortedSet(s.NotResources)}
	merged := map[string][]string{}
	for _, cond := range s.Conditions {
		k := conditionKey(cond)
		merged[k] = append(merged[k], cond.Values...)
	}
	for _, k := range slices.Sorted(maps.Keys(merged)) {
		operator, key, _ := strings.Cut(k, " ")
		c.Conditions = append(c.Conditions, iameval.Condition{Operator: operator, Key: key, Values: sortedSet(merged[k])})
	}
	return c
}

// conditionKey is the operator and the lower-cased key of a condition:
// condition keys are not case-sensitive.
func conditionKey(c iameval.Condition) string { return c.Operator + " " + strings.ToLower(c.Key) }

// Line is a canonical statement on one line, as JSON, its conditions as
// "<operator> <key>": values.
func Line(s iameval.Statement) string {
	view := struct {
		Sid, Effect               string
		Principals, NotPrincipals map[string][]string
		Actions, NotActions       []string
		Resources, NotResources   []string
		Conditions                map[string][]string
	}{Sid: s.Sid, Effect: string(s.Effect), Principals: s.Principals, NotPrincipals: s.NotPrincipals,
		Actions: s.Actions, NotActions: s.NotActions, Resources: s.Resources, NotResources: s.NotResources}
	for _, c := range s.Conditions {
		if view.Conditions == nil {
			view.Conditions = map[string][]string{}
		}
		view.Conditions[conditionKey(c)] = c.Values
	}
	b, _ := json.Marshal(view)
	return string(b)
}

func sortedSet(values []string) []string {
	if len(values) == 0 {
		return nil
	}
	out := slices.Clone(values)
	sort.Strings(out)
	return slices.Compact(out)
}

// policyVersion is the policy language version every synthesized
// document declares; the older 2008-10-17 reads policy variables as
// literal text ("IAM JSON policy elements: Version",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
const policyVersion = "2012-10-17"

// Version is the Version of a live policy document ("" when it has none).
func Version(text string) string {
	var doc struct{ Version string }
	json.Unmarshal([]byte(text), &doc)
	return doc.Version
}

// ParsePolicy reads a live policy document (as S3, KMS, SNS or IAM return
// it) into canonical statements.
func ParsePolicy(text string) ([]iameval.Statement, error) {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("not a policy document: %w", err)
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(doc.Statement, &raw); err != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			return nil, fmt.Errorf("no statements: %w", err)
		}
		raw = []map[string]json.RawMessage{one}
	}
	out := make([]iameval.Statement, 0, len(raw))
	for _, r := range raw {
		s := iameval.Statement{Sid: rawString(r["Sid"]), Effect: iameval.Effect(rawString(r["Effect"])),
			Actions: stringOrList(r["Action"]), NotActions: stringOrList(r["NotAction"]),
			Resources: stringOrList(r["Resource"]), NotResources: stringOrList(r["NotResource"]),
			Principals: principal(r["Principal"]), NotPrincipals: principal(r["NotPrincipal"])}
		var conditions map[string]map[string]json.RawMessage
		if len(r["Condition"]) > 0 {
			if err := json.Unmarshal(r["Condition"], &conditions); err != nil {
				return nil, fmt.Errorf("statement %q: condition: %w", s.Sid, err)
			}
		}
		for op, keys := range conditions {
			for key, values := range keys {
				s.Conditions = append(s.Conditions, iameval.Condition{Operator: op, Key: key, Values: stringOrList(values)})
			}
		}
		out = append(out, Canonical(s))
	}
	return out, nil
}

func rawString(r json.RawMessage) string {
	var s string
	json.Unmarshal(r, &s)
	return s
}

// stringOrList reads a policy value written as a string or a list (of
// strings or, for condition values, booleans and numbers).
func stringOrList(r json.RawMessage) []string {
	if len(r) == 0 {
		return nil
	}
	var list []any
	if err := json.Unmarshal(r, &list); err != nil {
		var one any
		json.Unmarshal(r, &one)
		list = []any{one}
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// principal reads "Principal": "*" or {"AWS": ..., "Service": ...}; "*"
// is the principal type "*" of a Terraform policy document.
func principal(r json.RawMessage) map[string][]string {
	if len(r) == 0 {
		return nil
	}
	var star string
	if json.Unmarshal(r, &star) == nil {
		return map[string][]string{star: {star}}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(r, &m) != nil {
		return nil
	}
	out := map[string][]string{}
	for k, v := range m {
		out[k] = stringOrList(v)
	}
	return out
}

// Diff compares the live statements with the synthesized ones, by Sid,
// and says what differs, one line per statement; none when they are
// equal. Statements are kept as lists, not one per Sid: S3 accepts two
// statements with one Sid, and a second one must not hide behind the
// first.
func Diff(live, synthesized []iameval.Statement) []string {
	key := func(s iameval.Statement) string { return cmp.Or(s.Sid, "(no Sid) "+Line(s)) }
	group := func(list []iameval.Statement) map[string][]iameval.Statement {
		m := map[string][]iameval.Statement{}
		for _, s := range list {
			m[key(s)] = append(m[key(s)], s)
		}
		return m
	}
	l, w := group(live), group(synthesized)
	var out []string
	for k, want := range w {
		got := l[k]
		if len(got) == 1 && len(want) == 1 {
			if Line(got[0]) != Line(want[0]) {
				out = append(out, fmt.Sprintf("changed %s: %s", k, fields(got[0], want[0])))
			}
			continue
		}
		missing, added := unmatched(want, got), unmatched(got, want)
		for _, s := range missing {
			out = append(out, "missing: "+Line(s))
		}
		for _, s := range added {
			out = append(out, fmt.Sprintf("added (%d statements with Sid %s): %s", len(got), k, Line(s)))
		}
	}
	for k, got := range l {
		if _, ok := w[k]; !ok {
			for _, s := range got {
				out = append(out, "added: "+Line(s))
			}
		}
	}
	sort.Strings(out)
	return out
}

// unmatched are the statements of a that are not in b, each statement of
// b matching at most one of a.
func unmatched(a, b []iameval.Statement) []iameval.Statement {
	left := make([]string, len(b))
	for i, s := range b {
		left[i] = Line(s)
	}
	var out []iameval.Statement
	for _, s := range a {
		if i := slices.Index(left, Line(s)); i >= 0 {
			left = slices.Delete(left, i, i+1)
			continue
		}
		out = append(out, s)
	}
	return out
}

// fields says which fields of a statement differ: "Actions: live [...],
// synthesized [...]".
func fields(live, synthesized iameval.Statement) string {
	var a, b map[string]json.RawMessage
	json.Unmarshal([]byte(Line(live)), &a)
	json.Unmarshal([]byte(Line(synthesized)), &b)
	var out []string
	for _, k := range []string{"Effect", "Principals", "NotPrincipals", "Actions", "NotActions", "Resources", "NotResources", "Conditions"} {
		if string(a[k]) != string(b[k]) {
			out = append(out, fmt.Sprintf("%s: live %s, synthesized %s", k, a[k], b[k]))
		}
	}
	return strings.Join(out, ", ")
}

package verify

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Statement is a policy statement in a canonical form: lists sorted and
// without duplicates, condition keys in lower case, one condition per
// operator and key. Two policies that differ only in statement order,
// JSON formatting, or a single value written as a list are equal.
type Statement struct {
	Sid, Effect               string
	Principals, NotPrincipals map[string][]string
	Actions, NotActions       []string
	Resources, NotResources   []string
	Conditions                map[string][]string // "<operator> <key>" -> values
}

// String is the statement on one line.
func (s Statement) String() string {
	b, _ := json.Marshal(s)
	return string(b)
}

func canonical(values []string) []string {
	if len(values) == 0 {
		return nil
	}
	out := slices.Clone(values)
	sort.Strings(out)
	return slices.Compact(out)
}

// FromSynthesized is a synthesized statement in canonical form, its
// references replaced by resolve.
func FromSynthesized(s tfjson.Statement, resolve func(string) string) Statement {
	all := func(v []string) []string { return canonical(resolveAll(v, resolve)) }
	pr := func(in map[string][]string) map[string][]string {
		if len(in) == 0 {
			return nil
		}
		out := map[string][]string{}
		for k, v := range in {
			out[k] = all(v)
		}
		return out
	}
	c := Statement{Sid: s.Sid, Effect: cmp.Or(s.Effect, "Allow"), Principals: pr(s.Principals), NotPrincipals: pr(s.NotPrincipals),
		Actions: all(s.Actions), NotActions: all(s.NotActions), Resources: all(s.Resources), NotResources: all(s.NotResources)}
	for _, cond := range s.Conditions {
		if c.Conditions == nil {
			c.Conditions = map[string][]string{}
		}
		k := cond.Test + " " + strings.ToLower(cond.Variable)
		c.Conditions[k] = canonical(append(c.Conditions[k], all(cond.Values)...))
	}
	return c
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
func ParsePolicy(text string) ([]Statement, error) {
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
	out := make([]Statement, 0, len(raw))
	for _, r := range raw {
		s := Statement{Sid: str(rawString(r["Sid"])), Effect: rawString(r["Effect"]),
			Actions: canonical(stringOrList(r["Action"])), NotActions: canonical(stringOrList(r["NotAction"])),
			Resources: canonical(stringOrList(r["Resource"])), NotResources: canonical(stringOrList(r["NotResource"])),
			Principals: principal(r["Principal"]), NotPrincipals: principal(r["NotPrincipal"])}
		var conditions map[string]map[string]json.RawMessage
		if len(r["Condition"]) > 0 {
			if err := json.Unmarshal(r["Condition"], &conditions); err != nil {
				return nil, fmt.Errorf("statement %q: condition: %w", s.Sid, err)
			}
		}
		for op, keys := range conditions {
			for key, values := range keys {
				if s.Conditions == nil {
					s.Conditions = map[string][]string{}
				}
				k := op + " " + strings.ToLower(key)
				s.Conditions[k] = canonical(append(s.Conditions[k], stringOrList(values)...))
			}
		}
		out = append(out, s)
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
		out[k] = canonical(stringOrList(v))
	}
	return out
}

// Diff compares the live statements with the synthesized ones, by Sid,
// and says what differs, one line per statement; none when they are
// equal. Statements are kept as lists, not one per Sid: S3 accepts two
// statements with one Sid, and a second one must not hide behind the
// first.
func Diff(live, synthesized []Statement) []string {
	key := func(s Statement) string { return cmp.Or(s.Sid, "(no Sid) "+s.String()) }
	group := func(list []Statement) map[string][]Statement {
		m := map[string][]Statement{}
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
			if got[0].String() != want[0].String() {
				out = append(out, fmt.Sprintf("changed %s: %s", k, fields(got[0], want[0])))
			}
			continue
		}
		missing, added := unmatched(want, got), unmatched(got, want)
		for _, s := range missing {
			out = append(out, "missing: "+s.String())
		}
		for _, s := range added {
			out = append(out, fmt.Sprintf("added (%d statements with Sid %s): %s", len(got), k, s))
		}
	}
	for k, got := range l {
		if _, ok := w[k]; !ok {
			for _, s := range got {
				out = append(out, "added: "+s.String())
			}
		}
	}
	sort.Strings(out)
	return out
}

// unmatched are the statements of a that are not in b, each statement of
// b matching at most one of a.
func unmatched(a, b []Statement) []Statement {
	left := make([]string, len(b))
	for i, s := range b {
		left[i] = s.String()
	}
	var out []Statement
	for _, s := range a {
		if i := slices.Index(left, s.String()); i >= 0 {
			left = slices.Delete(left, i, i+1)
			continue
		}
		out = append(out, s)
	}
	return out
}

// fields says which fields of a statement differ: "Actions: live [...],
// synthesized [...]".
func fields(live, synthesized Statement) string {
	var a, b map[string]json.RawMessage
	json.Unmarshal([]byte(live.String()), &a)
	json.Unmarshal([]byte(synthesized.String()), &b)
	var out []string
	for _, k := range []string{"Effect", "Principals", "NotPrincipals", "Actions", "NotActions", "Resources", "NotResources", "Conditions"} {
		if string(a[k]) != string(b[k]) {
			out = append(out, fmt.Sprintf("%s: live %s, synthesized %s", k, a[k], b[k]))
		}
	}
	return strings.Join(out, ", ")
}

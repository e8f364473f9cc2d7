// Package filterpattern evaluates CloudWatch Logs filter patterns for
// JSON log events, the way the CloudWatch Logs User Guide documents them,
// for what the metric filters of these stacks use: it is how the tests
// prove that an alarm's pattern matches the documented CloudTrail events
// it is meant for and no others, instead of believing it.
//
// Source: CloudWatch Logs User Guide, "Filter pattern syntax for metric
// filters, subscription filters, filter log events, and Live Tail", the
// section "Using filter patterns to match terms in JSON log events":
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
//   - A pattern is enclosed in braces; a selector starts with "$." and
//     names a property, "[n]" an array element.
//   - Strings are compared with = and !=, quoted or unquoted; a "*" at
//     the start or the end of a value matches any text there ("*Event
//     will match PutEvent and GetEvent. Event* will match EventId and
//     EventName. Ev*ent will only match the actual string Ev*ent", in the
//     guide's earlier wording). Filter patterns are case sensitive.
//   - Numbers are compared with =, !=, <, >, <= and >=.
//   - "IS NULL", "NOT EXISTS", "IS TRUE" and "IS FALSE".
//   - Expressions combine with && and ||, grouped by parentheses, in "the
//     following standard order of operations: () > && > ||".
//   - A selector that names an array or an object matches nothing, with =
//     or != ("both {$.users = 1} and {$.users != 1} will fail to match a
//     log event where users is an array", earlier wording).
//
// Where the guide does not say what happens (a != on a property the event
// lacks), Match takes the reading in Options, so that a test can require a
// pattern to work under every reading.
package filterpattern

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxLength is the longest pattern CloudWatch Logs accepts
// (PutMetricFilter, filterPattern: "Length Constraints: Minimum length of
// 0. Maximum length of 1024."):
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html
const MaxLength = 1024

// Options are the readings of what the guide leaves open.
type Options struct {
	// MissingNotEqual is whether "$.x != v" matches an event without x.
	MissingNotEqual bool
}

// Readings are every combination of Options.
var Readings = []Options{{MissingNotEqual: false}, {MissingNotEqual: true}}

// Pattern is a parsed JSON filter pattern.
type Pattern struct {
	text string
	root node
}

// String is the pattern's text.
func (p *Pattern) String() string { return p.text }

// Match reports whether the JSON log event matches p under o.
func (p *Pattern) Match(event []byte, o Options) (bool, error) {
	e, err := Decode(event)
	if err != nil {
		return false, err
	}
	return p.MatchEvent(e, o), nil
}

// Event is a JSON log event decoded once, to be matched by many
// patterns.
type Event struct{ value any }

// Decode decodes a JSON log event, its numbers kept as written.
func Decode(event []byte) (Event, error) {
	var v any
	d := json.NewDecoder(strings.NewReader(string(event)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return Event{}, fmt.Errorf("the event is not JSON: %w", err)
	}
	return Event{v}, nil
}

// MatchEvent reports whether the decoded event e matches p under o.
func (p *Pattern) MatchEvent(e Event, o Options) bool { return p.root.eval(e.value, o) }

type node interface {
	eval(event any, o Options) bool
}

type and struct{ left, right node }
type or struct{ left, right node }

func (n and) eval(e any, o Options) bool { return n.left.eval(e, o) && n.right.eval(e, o) }
func (n or) eval(e any, o Options) bool  { return n.left.eval(e, o) || n.right.eval(e, o) }

// step is one step of a selector: a property name or an array index.
type step struct {
	name  string
	index int // -1 for a property, anyElement for [*]
}

// anyElement is the index of "[*]": "You can use the JSON wildcard to
// select any array element" (the guide; at most one per selector and
// three per pattern).
const anyElement = -2

type selector []step

// lookup returns the value at s, and whether the event has it; for a
// selector with [*], the first element that has it.
func (s selector) lookup(e any) (any, bool) {
	all := s.values(e)
	if len(all) == 0 {
		return nil, false
	}
	return all[0], true
}

// values returns every value at s: one at most, or one per element that
// [*] selects.
func (s selector) values(v any) []any {
	if len(s) == 0 {
		return []any{v}
	}
	st := s[0]
	if st.index == anyElement {
		a, _ := v.([]any)
		var out []any
		for _, e := range a {
			out = append(out, s[1:].values(e)...)
		}
		return out
	}
	if st.index >= 0 {
		a, ok := v.([]any)
		if !ok || st.index >= len(a) {
			return nil
		}
		return s[1:].values(a[st.index])
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	next, ok := m[st.name]
	if !ok {
		return nil
	}
	return s[1:].values(next)
}

// wild reports whether s has a [*] step.
func (s selector) wild() bool {
	return slices.ContainsFunc(s, func(st step) bool { return st.index == anyElement })
}

// comparison is "selector op value".
type comparison struct {
	sel   selector
	op    string
	value string
	quote bool
}

func (c comparison) eval(e any, o Options) bool {
	if c.sel.wild() {
		// Any selected element (Parse allows = only here).
		for _, v := range c.sel.values(e) {
			if c.compare(v) {
				return true
			}
		}
		return false
	}
	v, ok := c.sel.lookup(e)
	if !ok {
		return c.op == "!=" && o.MissingNotEqual
	}
	return c.compare(v)
}

// compare applies the comparison to a value the event has.
func (c comparison) compare(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	switch c.op {
	case "=", "!=":
		// "{ $.latency = * }" matches any value of the property, a
		// number too (the guide's example for publishing it).
		eq := c.value == "*" && !c.quote
		switch x := v.(type) {
		case string:
			eq = glob(c.value, x)
		case json.Number:
			eq = eq || numEqual(x, c.value)
		case bool:
			eq = !c.quote && c.value == strconv.FormatBool(x)
		}
		return eq == (c.op == "=")
	}
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	a, err1 := n.Float64()
	b, err2 := strconv.ParseFloat(c.value, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	switch c.op {
	case "<":
		return a < b
	case ">":
		return a > b
	case "<=":
		return a <= b
	case ">=":
		return a >= b
	}
	return false
}

func numEqual(n json.Number, value string) bool {
	a, err1 := n.Float64()
	b, err2 := strconv.ParseFloat(value, 64)
	return err1 == nil && err2 == nil && a == b
}

// glob matches s against pattern, where a "*" at either end matches any
// text there and one inside is itself; the comparison is case-sensitive.
func glob(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	head, tail := strings.HasPrefix(pattern, "*"), strings.HasSuffix(pattern, "*")
	core := strings.TrimSuffix(strings.TrimPrefix(pattern, "*"), "*")
	switch {
	case head && tail:
		return strings.Contains(s, core)
	case head:
		return strings.HasSuffix(s, core)
	case tail:
		return strings.HasPrefix(s, core)
	}
	return s == pattern
}

// test is "selector IS NULL", "NOT EXISTS", "IS TRUE" or "IS FALSE".
type test struct {
	sel selector
	is  string
}

func (t test) eval(e any, _ Options) bool {
	v, ok := t.sel.lookup(e)
	switch t.is {
	case "NOT EXISTS":
		return !ok
	case "IS NULL":
		return ok && v == nil
	case "IS TRUE":
		return ok && v == true
	case "IS FALSE":
		return ok && v == false
	}
	return false
}

// Package tfjson reads synthesized Terraform JSON (cdk.tf.json): resources
// by address, the references between them, and the statements of
// aws_iam_policy_document data sources. The guard rules and the review
// report judge the stacks by what this package reads, which is exactly
// what Terraform will be given.
package tfjson

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/cle2wa/audit-trail/internal/iameval"
)

// Doc is one synthesized stack.
type Doc struct {
	// Stack is the stack's name.
	Stack string
	raw   map[string]any
	// synthesis is the synthesis the stack is part of (Synthesis.Link),
	// or nil for a stack read alone.
	synthesis *Synthesis
}

// Parse reads the cdk.tf.json of the stack named stack.
func Parse(stack string, data []byte) (*Doc, error) {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("stack %s: %w", stack, err)
	}
	return &Doc{Stack: stack, raw: raw}, nil
}

// Raw is the parsed document, for changes in tests.
func (d *Doc) Raw() map[string]any { return d.raw }

// Block is one resource or data source.
type Block struct {
	// Address is the Terraform address: type.name, or data.type.name.
	Address string
	// Type and Name are the parts of the address.
	Type, Name string
	// Attrs are the block's arguments as synthesized.
	Attrs map[string]any
}

// Path is the construct path that cdktf recorded for the block, or its
// address when the metadata was stripped.
func (b Block) Path() string {
	if p, ok := Get(b.Attrs, "//", "metadata", "path").(string); ok {
		return p
	}
	return b.Address
}

func (d *Doc) blocks(kind, typ string) []Block {
	m, _ := Get(d.raw, kind, typ).(map[string]any)
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	prefix := typ + "."
	if kind == "data" {
		prefix = "data." + prefix
	}
	out := make([]Block, 0, len(names))
	for _, n := range names {
		attrs, _ := m[n].(map[string]any)
		out = append(out, Block{Address: prefix + n, Type: typ, Name: n, Attrs: attrs})
	}
	return out
}

// Resources returns the resources of type typ, sorted by name.
func (d *Doc) Resources(typ string) []Block { return d.blocks("resource", typ) }

// DataSources returns the data sources of type typ, sorted by name.
func (d *Doc) DataSources(typ string) []Block { return d.blocks("data", typ) }

// AllResources returns every resource, sorted by address.
func (d *Doc) AllResources() []Block { return d.all("resource") }

// AllDataSources returns every data source, sorted by address.
func (d *Doc) AllDataSources() []Block { return d.all("data") }

func (d *Doc) all(kind string) []Block {
	m, _ := d.raw[kind].(map[string]any)
	types := make([]string, 0, len(m))
	for t := range m {
		types = append(types, t)
	}
	sort.Strings(types)
	var out []Block
	for _, t := range types {
		out = append(out, d.blocks(kind, t)...)
	}
	return out
}

// Output is one stack output.
type Output struct {
	Name, Description string
	Value             any
	Sensitive         bool
}

// CrossStack reports whether the output is one cdktf adds to pass a value
// to another stack of the app (named cross-stack-output-<address>), not
// one the stack declares for its users.
func (o Output) CrossStack() bool { return strings.HasPrefix(o.Name, "cross-stack-output-") }

// Outputs returns the stack's outputs, sorted by name.
func (d *Doc) Outputs() []Output {
	m, _ := d.raw["output"].(map[string]any)
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []Output
	for _, n := range names {
		o, _ := m[n].(map[string]any)
		desc, _ := o["description"].(string)
		sensitive, _ := o["sensitive"].(bool)
		out = append(out, Output{Name: n, Description: desc, Value: o["value"], Sensitive: sensitive})
	}
	return out
}

// Backend returns the kind and settings of the stack's state backend
// ("cloud" for HCP Terraform), or "" when there is none.
func (d *Doc) Backend() (string, map[string]any) {
	if cloud, ok := Get(d.raw, "terraform", "cloud").(map[string]any); ok {
		return "cloud", cloud
	}
	backends, _ := Get(d.raw, "terraform", "backend").(map[string]any)
	for kind, cfg := range backends {
		m, _ := cfg.(map[string]any)
		return kind, m
	}
	return "", nil
}

// referenceSyntax is a Terraform reference as cdktf writes it: the
// address, and the attribute with its nested path
// ("${aws_cloudwatch_log_metric_filter.x.metric_transformation[0].name}").
const referenceSyntax = `\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z0-9_]+(?:\[0\]\.[a-z0-9_]+)*)\}`

var (
	// refPattern is a value that is one reference.
	refPattern = regexp.MustCompile(`^` + referenceSyntax + `$`)
	// reference is a reference inside a string.
	reference = regexp.MustCompile(referenceSyntax)
)

// Ref splits a whole-value reference such as "${aws_s3_bucket.logs.id}"
// into the address and the attribute (a path for a nested one:
// "metric_transformation[0].name"); ok is false for anything else.
func Ref(v any) (address, attribute string, ok bool) {
	s, isString := v.(string)
	if !isString {
		return "", "", false
	}
	m := refPattern.FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// Find returns the resource or data source at address.
func (d *Doc) Find(address string) (Block, bool) {
	kind, rest := "resource", address
	if strings.HasPrefix(address, "data.") {
		kind, rest = "data", strings.TrimPrefix(address, "data.")
	}
	typ, name, ok := strings.Cut(rest, ".")
	if !ok {
		return Block{}, false
	}
	attrs, found := Get(d.raw, kind, typ, name).(map[string]any)
	if !found {
		return Block{}, false
	}
	return Block{Address: address, Type: typ, Name: name, Attrs: attrs}, true
}

// Target returns the resource or data source that b's argument attr
// refers to, when the stack has it.
func (d *Doc) Target(b Block, attr string) (Block, bool) {
	address, _, ok := Ref(b.Attrs[attr])
	if !ok {
		return Block{}, false
	}
	return d.Find(address)
}

// Referring returns the resources of type typ whose argument attr refers to
// the resource at address (by any attribute, such as id or bucket).
func (d *Doc) Referring(typ, attr, address string) []Block {
	var out []Block
	for _, b := range d.Resources(typ) {
		if target, _, ok := Ref(b.Attrs[attr]); ok && target == address {
			out = append(out, b)
		}
	}
	return out
}

// Policy returns the statements of the aws_iam_policy_document that value
// refers to ("${data.aws_iam_policy_document.x.json}").
func (d *Doc) Policy(value any) ([]iameval.Statement, bool) {
	address, attr, ok := Ref(value)
	if !ok || attr != "json" || !strings.HasPrefix(address, "data.aws_iam_policy_document.") {
		return nil, false
	}
	b, ok := d.Find(address)
	if !ok {
		return nil, false
	}
	return Statements(b), true
}

// Statements returns the statements of a policy document data source, as
// written (references unresolved: see Resolver).
func Statements(b Block) []iameval.Statement {
	list, _ := b.Attrs["statement"].([]any)
	out := make([]iameval.Statement, 0, len(list))
	for _, item := range list {
		m, _ := item.(map[string]any)
		s := iameval.Statement{
			Sid:           str(m["sid"]),
			Effect:        iameval.Effect(str(m["effect"])),
			Principals:    map[string][]string{},
			NotPrincipals: map[string][]string{},
			Actions:       Strings(m["actions"]),
			NotActions:    Strings(m["not_actions"]),
			Resources:     Strings(m["resources"]),
			NotResources:  Strings(m["not_resources"]),
		}
		if s.Effect == "" {
			s.Effect = iameval.Allow
		}
		for key, into := range map[string]map[string][]string{"principals": s.Principals, "not_principals": s.NotPrincipals} {
			ps, _ := m[key].([]any)
			for _, p := range ps {
				pm, _ := p.(map[string]any)
				into[str(pm["type"])] = append(into[str(pm["type"])], Strings(pm["identifiers"])...)
			}
		}
		cs, _ := m["condition"].([]any)
		for _, c := range cs {
			cm, _ := c.(map[string]any)
			s.Conditions = append(s.Conditions, iameval.Condition{Operator: str(cm["test"]), Key: str(cm["variable"]), Values: Strings(cm["values"])})
		}
		out = append(out, s)
	}
	return out
}

// Get follows path through nested objects; a list on the way is entered
// at its first element (Terraform JSON writes a single block as a list).
func Get(v any, path ...string) any {
	for _, p := range path {
		if l, ok := v.([]any); ok {
			if len(l) == 0 {
				return nil
			}
			v = l[0]
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// Copy is a deep copy of decoded JSON v, each string in it replaced by
// each(string) when each is not nil.
func Copy(v any, each func(string) string) any {
	switch x := v.(type) {
	case string:
		if each != nil {
			return each(x)
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Copy(e, each)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Copy(e, each)
		}
		return out
	}
	return v
}

// Strings returns a list of strings, or nil.
func Strings(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// Set replaces the value at path in a parsed document, for tests that
// change synthesized JSON: a string segment names an object member, an
// int indexes a list. A nil value deletes the member. It creates nothing
// but the last member: a path that does not exist is an error.
func Set(root map[string]any, value any, path ...any) error {
	var cur any = root
	for i, p := range path {
		last := i == len(path)-1
		switch key := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return fmt.Errorf("path %v: %v is not an object", path[:i+1], cur)
			}
			if !last {
				cur = m[key]
				continue
			}
			if value == nil {
				delete(m, key)
			} else {
				m[key] = value
			}
		case int:
			l, ok := cur.([]any)
			if !ok || key < 0 || key >= len(l) {
				return fmt.Errorf("path %v: no element %d", path[:i+1], key)
			}
			if !last {
				cur = l[key]
				continue
			}
			l[key] = value
		default:
			return fmt.Errorf("path %v: segment %v is neither a string nor an int", path[:i+1], p)
		}
	}
	return nil
}

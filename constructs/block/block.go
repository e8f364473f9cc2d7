// Package block writes a stack's Terraform providers, resources, data
// sources and moved blocks from Go values, handed to cdktf once per stack.
//
// A resource made with a provider binding is a jsii object: its creation,
// every nested block of its configuration, its logical-ID override and
// every attribute read back are calls into the jsii kernel, about a
// millisecond each, and the kernel loads one provider module per resource
// type. A resource written here is a typed Go struct whose JSON field names
// are the provider's argument names; the stack's blocks reach the kernel
// as one element (a cdktf TerraformElement whose ToTerraform the kernel
// calls back at synth), rendered exactly as cdktf renders a binding's
// resource, with the same "//" metadata (issue #26, docs/performance.md).
//
// References to a block are written in Go too (Ref), and a binding's
// resource may refer to a block the same way.
package block

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Arguments are a resource's or a data source's arguments: a struct whose
// JSON field names are the Terraform provider's argument names (with
// omitempty where an argument is optional), and its Terraform type.
type Arguments interface {
	// Type is the Terraform type, such as "aws_s3_bucket".
	Type() string
}

// Lifecycle is Terraform's lifecycle meta-argument.
type Lifecycle struct {
	IgnoreChanges  []string    `json:"ignore_changes,omitempty"`
	Postcondition  []Condition `json:"postcondition,omitempty"`
	PreventDestroy bool        `json:"prevent_destroy,omitempty"`
}

// Condition is a postcondition: a Terraform expression that must hold
// after the block is read or applied, or the plan stops with the message.
type Condition struct {
	Condition    string `json:"condition"`
	ErrorMessage string `json:"error_message"`
}

// elementID is the construct id of a stack's element in the construct
// tree; no construct of ours uses it.
const elementID = "go_blocks"

// Scope is where a construct writes its blocks: its stack's element and
// the construct's path in the tree, which the "//" metadata records.
type Scope struct {
	element *element
	path    string
}

// elements are the stacks' elements: the jsii runtime gives back the same
// Go value for the same stack, so a stack is found without asking the
// kernel for its children.
var elements = struct {
	sync.Mutex
	of map[cdktf.TerraformStack]*element
}{of: map[cdktf.TerraformStack]*element{}}

// In is the scope of the construct c: three kernel calls (its stack and
// its path), once per construct.
func In(c constructs.Construct) Scope {
	stack := cdktf.TerraformStack_Of(c)
	elements.Lock()
	defer elements.Unlock()
	e, ok := elements.of[stack]
	if !ok {
		e = &element{blocks: map[key]map[string]any{}, providers: map[string][]any{}, required: map[string]any{}}
		cdktf.NewTerraformElement_Override(e, stack, jsii.String(elementID), nil)
		elements.of[stack] = e
	}
	return Scope{element: e, path: *c.Node().Path()}
}

// Resource adds the resource args named name (its Terraform address is
// "<type>.<name>"), as the construct id id of s would, and returns its
// address. A name used twice in a stack is a programming error: it
// panics, as cdktf does for a construct id used twice.
func (s Scope) Resource(id, name string, args Arguments) string {
	return s.add("resource", id, name, args)
}

// Data adds the data source args named name and returns its address,
// "data.<type>.<name>".
func (s Scope) Data(id, name string, args Arguments) string {
	return "data." + s.add("data", id, name, args)
}

func (s Scope) add(kind, id, name string, args Arguments) string {
	attrs := values(args)
	attrs["//"] = map[string]any{"metadata": map[string]any{"path": s.path + "/" + id, "uniqueId": name}}
	k := key{kind, args.Type()}
	if s.element.blocks[k] == nil {
		s.element.blocks[k] = map[string]any{}
	}
	if _, taken := s.element.blocks[k][name]; taken {
		panic(fmt.Sprintf("block: %s %s.%s is written twice", kind, k.typ, name))
	}
	s.element.blocks[k][name] = attrs
	return k.typ + "." + name
}

// Provider adds a configuration of the provider config.Type() ("aws"),
// of source and version: the first one the stack adds is its default,
// later ones have an alias.
func (s Scope) Provider(source, version string, config Arguments) {
	name := config.Type()
	s.element.providers[name] = append(s.element.providers[name], values(config))
	s.element.required[name] = map[string]any{"source": source, "version": version}
}

// Moved records that the resource now at the address to was at from, as
// a moved block of the stack.
func (s Scope) Moved(from, to string) {
	s.element.moved = append(s.element.moved, map[string]any{"from": from, "to": to})
}

// Replace sets the arguments of the block at address (as Resource or Data
// returned it), for a block that grows as constructs add to it (a
// resource policy); its metadata stays.
func (s Scope) Replace(address string, args Arguments) {
	k, rest := key{"resource", args.Type()}, address
	if after, ok := strings.CutPrefix(address, "data."); ok {
		k.kind, rest = "data", after
	}
	name, _ := strings.CutPrefix(rest, k.typ+".")
	old, ok := s.element.blocks[k][name].(map[string]any)
	if !ok {
		panic("block: no block " + address + " of type " + k.typ + " to replace")
	}
	attrs := values(args)
	attrs["//"] = old["//"]
	s.element.blocks[k][name] = attrs
}

// values is args as the generic JSON the kernel receives.
func values(args Arguments) map[string]any {
	data, err := json.Marshal(args)
	if err != nil {
		panic(fmt.Sprintf("block: %T does not marshal: %v", args, err))
	}
	var attrs map[string]any
	if err := json.Unmarshal(data, &attrs); err != nil {
		panic(fmt.Sprintf("block: %T is not a JSON object: %v", args, err))
	}
	return attrs
}

// Expression is the expression of the whole reference ref, without its
// "${" and "}", to use inside another expression: the expression of
// "${data.aws_caller_identity.current_account.account_id}" is
// data.aws_caller_identity.current_account.account_id. Anything else is
// returned as it is.
func Expression(ref string) string {
	if inner, ok := strings.CutPrefix(ref, "${"); ok && strings.HasSuffix(inner, "}") && !strings.Contains(inner, "${") {
		return strings.TrimSuffix(inner, "}")
	}
	return ref
}

// Ref is the Terraform reference to the attribute attr of the block at
// address: "${address.attr}".
func Ref(address, attr string) string { return "${" + address + "." + attr + "}" }

// key is a block's kind ("resource" or "data") and Terraform type.
type key struct{ kind, typ string }

// element is a stack's blocks written in Go, as one cdktf element.
type element struct {
	cdktf.TerraformElement
	// blocks are each block's attributes, by kind and type, then name.
	blocks map[key]map[string]any
	// moved are the moved blocks, in the order they were recorded.
	moved []any
	// providers are the provider configurations by provider name, and
	// required their source and version.
	providers map[string][]any
	required  map[string]any
}

// ToTerraform is what the kernel merges into the stack's JSON at synth:
// {"resource": {type: {name: attributes}}, "data": ..., "moved": [...],
// "provider": {name: [configurations]}, "terraform": {"required_providers": ...}}.
func (e *element) ToTerraform() interface{} {
	out := map[string]any{}
	for k, named := range e.blocks {
		kind, _ := out[k.kind].(map[string]any)
		if kind == nil {
			kind = map[string]any{}
			out[k.kind] = kind
		}
		kind[k.typ] = named
	}
	if len(e.moved) > 0 {
		out["moved"] = e.moved
	}
	if len(e.providers) > 0 {
		providers := map[string]any{}
		for name, configs := range e.providers {
			providers[name] = configs
		}
		out["provider"] = providers
		out["terraform"] = map[string]any{"required_providers": e.required}
	}
	return out
}

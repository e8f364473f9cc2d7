package guard

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// suppressionType is the construct metadata type of a suppression.
const suppressionType = "audit-trail/guard-suppression"

// MinReasonLength is the shortest reason a suppression accepts.
const MinReasonLength = 20

// Suppress silences rule for the resources inside scope, for reason. The
// review report lists every suppression with its reason.
func Suppress(scope constructs.IConstruct, rule, reason string) error {
	known := slices.ContainsFunc(Rules, func(r Rule) bool { return r.ID == rule })
	var errs []error
	if !known {
		errs = append(errs, fmt.Errorf("suppression at %s: unknown rule %q", *scope.Node().Path(), rule))
	}
	if len(strings.TrimSpace(reason)) < MinReasonLength {
		errs = append(errs, fmt.Errorf("suppression of %s at %s: the reason %q is too short; say why the rule does not apply (at least %d characters)", rule, *scope.Node().Path(), reason, MinReasonLength))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	scope.Node().AddMetadata(jsii.String(suppressionType), jsii.String(rule+": "+strings.TrimSpace(reason)), nil)
	// The manifest keeps the annotation, so the review report can list the
	// suppression with its reason.
	cdktf.Annotations_Of(scope).AddInfo(jsii.String(SuppressedPrefix + rule + ": " + strings.TrimSpace(reason)))
	return nil
}

// SuppressedPrefix starts the info annotation of a suppression.
const SuppressedPrefix = "suppressed "

// Suppression is a rule silenced at a construct path, with its reason.
type Suppression struct{ Path, Rule, Reason string }

// ParseSuppression reads a suppression from the info annotation the
// aspect wrote at path.
func ParseSuppression(path, message string) (Suppression, bool) {
	rest, ok := strings.CutPrefix(message, SuppressedPrefix)
	if !ok {
		return Suppression{}, false
	}
	rule, reason, ok := strings.Cut(rest, ": ")
	return Suppression{Path: path, Rule: rule, Reason: reason}, ok
}

// Covers reports whether s silences f: the same rule, at f's construct or
// one that holds it.
func (s Suppression) Covers(f Finding) bool {
	return s.Rule == f.Rule && (f.Path == s.Path || strings.HasPrefix(f.Path, s.Path+"/"))
}

// Broken returns the findings that no suppression covers.
func Broken(findings []Finding, suppressions []Suppression) []Finding {
	var out []Finding
	for _, f := range findings {
		if !slices.ContainsFunc(suppressions, func(s Suppression) bool { return s.Covers(f) }) {
			out = append(out, f)
		}
	}
	return out
}

// Apply adds the rule pack, as an aspect, to every stack of app. At synth
// it checks each stack's resolved JSON and annotates each offending
// resource with an error ("RULE-ID: message"), which fails the synth,
// unless Suppress silenced the rule there.
func Apply(app cdktf.App) {
	for _, child := range *app.Node().Children() {
		if stack, ok := child.(cdktf.TerraformStack); ok {
			cdktf.Aspects_Of(stack).Add(&aspect{stack: stack})
		}
	}
}

// aspect checks one stack, once, on the first node it visits.
type aspect struct {
	stack           cdktf.TerraformStack
	checked, inside bool
}

func (a *aspect) Visit(node constructs.IConstruct) {
	if a.checked || a.inside {
		return
	}
	// Testing_Synth is cdktf's public way to get a stack's resolved JSON
	// before it is written; it visits the aspects again, hence inside.
	a.inside = true
	raw := cdktf.Testing_Synth(a.stack, jsii.Bool(false))
	a.inside, a.checked = false, true

	name := *a.stack.Node().Id()
	doc, err := tfjson.Parse(name, []byte(*raw))
	if err != nil {
		cdktf.Annotations_Of(a.stack).AddError(jsii.String("GUARD: " + err.Error()))
		return
	}
	findings := Check(doc)
	if len(findings) == 0 {
		return
	}
	nodes := addresses(a.stack)
	for _, f := range findings {
		target, ok := nodes[f.Address]
		if !ok {
			target = a.stack
		}
		if suppressed(target, f.Rule) {
			continue
		}
		cdktf.Annotations_Of(target).AddError(jsii.String(f.Rule + ": " + f.Message))
	}
}

// addresses maps the Terraform address of every resource and data source
// of stack to its construct.
func addresses(stack cdktf.TerraformStack) map[string]constructs.IConstruct {
	out := map[string]constructs.IConstruct{}
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		switch e := c.(type) {
		case cdktf.TerraformResource:
			out[*e.TerraformResourceType()+"."+*e.FriendlyUniqueId()] = c
		case cdktf.TerraformDataSource:
			out["data."+*e.TerraformResourceType()+"."+*e.FriendlyUniqueId()] = c
		}
	}
	return out
}

// suppressed reports whether rule is suppressed at node or a scope above it.
func suppressed(node constructs.IConstruct, rule string) bool {
	for _, scope := range *node.Node().Scopes() {
		for _, m := range *scope.Node().Metadata() {
			if s, ok := m.Data.(string); ok && *m.Type == suppressionType && strings.HasPrefix(s, rule+": ") {
				return true
			}
		}
	}
	return false
}

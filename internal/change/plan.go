package change

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/input"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Plan is one stack's Terraform plan, summarised the way Terraform prints
// it ("Plan: X to add, Y to change, Z to destroy"), with the resources it
// replaces or destroys.
type Plan struct {
	Stack, File          string
	Add, Change, Destroy int
	// Changes are the replacements and deletions; Kind is "replace" or
	// "destroy", Attributes the paths that force a replacement and
	// Terraform's reason for the action.
	Changes []Resource
	// calls are every create, update and delete of the plan, for the
	// review of who can apply them.
	calls []change
	// Caller is the IAM principal the plan was made as (the role of a
	// role session), as the stack's aws_iam_session_context read it at
	// plan time; "" when the plan does not say.
	Caller string
	// Verdict says whether Caller can apply the plan's guarded changes
	// (Compare decides it).
	Verdict string
	// caller is Caller as the model of the stack names it: the first
	// deployer when the plan's state records it so, the account's root
	// user in the model's account.
	caller string
}

// planJSON is the part of `terraform show -json PLANFILE` read here; the
// format is documented at
// https://developer.hashicorp.com/terraform/internals/json-format
// ("Plan Representation" and "Change Representation").
type planJSON struct {
	FormatVersion   string `json:"format_version"`
	ResourceChanges []struct {
		Address string `json:"address"`
		Mode    string `json:"mode"`
		Type    string `json:"type"`
		Change  struct {
			Actions []string `json:"actions"`
			// Before and After are the resource's values; an update's
			// changed arguments are the keys whose values differ.
			Before map[string]any `json:"before"`
			After  map[string]any `json:"after"`
			// ReplacePaths are the paths into the resource whose change
			// makes the action a replacement.
			ReplacePaths [][]any `json:"replace_paths"`
		} `json:"change"`
		ActionReason string `json:"action_reason"`
	} `json:"resource_changes"`
	OutputChanges map[string]any `json:"output_changes"`
	// PriorState holds what the plan read: data sources among them.
	PriorState struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type   string         `json:"type"`
					Name   string         `json:"name"`
					Values map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	} `json:"prior_state"`
}

// caller is the principal the plan was made as, from the stack's
// aws_iam_session_context, and as the access model names it: the first
// deployer when it is the one terraform_data.first_deployer recorded,
// the model's root user when it is the root user of the account planned.
func (p planJSON) caller() (actual, modelled string) {
	var first, account string
	for _, r := range p.PriorState.Values.RootModule.Resources {
		switch r.Type {
		case "aws_iam_session_context":
			actual, _ = r.Values["issuer_arn"].(string)
		case "aws_caller_identity":
			account, _ = r.Values["account_id"].(string)
		case "terraform_data":
			if r.Name == "first_deployer" {
				if v, ok := r.Values["input"].(map[string]any); ok {
					first, _ = v["value"].(string)
				} else {
					first, _ = r.Values["input"].(string)
				}
			}
		}
	}
	switch {
	case actual == "":
		return "", ""
	case actual == first:
		return actual, access.FirstDeployer
	case account != "" && strings.HasSuffix(actual, ":iam::"+account+":root"):
		return actual, access.Root()
	}
	return actual, actual
}

// ReadPlan reads a `terraform show -json` plan and names its stack: the
// stack of head whose resources and outputs the plan's resources and
// outputs belong to.
func ReadPlan(path string, head *tfjson.Synthesis) (Plan, error) {
	data, err := input.JSONFile(path, input.ReportBytes)
	if err != nil {
		return Plan{}, fmt.Errorf("-plan %s: %w", path, err)
	}
	var p planJSON
	if err := json.Unmarshal(data, &p); err != nil || p.FormatVersion == "" {
		return Plan{}, fmt.Errorf("-plan %s: expected the output of `terraform show -json PLANFILE`, found something else (%v)", path, err)
	}
	stack, err := stackOf(p, head)
	if err != nil {
		return Plan{}, fmt.Errorf("-plan %s: %w", path, err)
	}
	out := Plan{Stack: stack, File: path}
	out.Caller, out.caller = p.caller()
	for _, rc := range p.ResourceChanges {
		if rc.Mode != "managed" {
			continue
		}
		a := rc.Change.Actions
		c := Resource{Stack: stack, Address: rc.Address}
		_, evidence := Evidence[rc.Type]
		switch {
		case slices.Contains(a, "create") && slices.Contains(a, "delete"):
			out.Add++
			out.Destroy++
			c.Kind = "replace"
			var forcing []string
			for _, p := range rc.Change.ReplacePaths {
				forcing = append(forcing, pathString(p))
			}
			if len(forcing) > 0 {
				c.Attributes = []string{"forced by " + strings.Join(forcing, ", ")}
			}
			if rc.ActionReason != "" {
				c.Attributes = append(c.Attributes, rc.ActionReason)
			}
			if evidence {
				c.Blocking = fmt.Sprintf("the plan replaces %s (%s): the evidence it holds is lost", rc.Address, strings.Join(c.Attributes, "; "))
			}
		case slices.Equal(a, []string{"create"}):
			out.Add++
		case slices.Equal(a, []string{"update"}):
			out.Change++
		case slices.Equal(a, []string{"delete"}):
			out.Destroy++
			c.Kind = "destroy"
			if rc.ActionReason != "" {
				c.Attributes = []string{rc.ActionReason}
			}
			if evidence {
				c.Blocking = "the plan destroys " + rc.Address + ": the evidence it holds is lost (to retire the stack, keep the evidence and remove it from the state: README, \"Retiring the stack\")"
			}
		}
		if c.Kind != "" {
			out.Changes = append(out.Changes, c)
		}
		for _, kind := range []string{"delete", "create", "update"} {
			if !slices.Contains(a, kind) {
				continue
			}
			call := change{stack: stack, address: rc.Address, kind: kind}
			if kind == "update" {
				call.attrs = changedArguments(tfjson.Block{Attrs: rc.Change.Before}, tfjson.Block{Attrs: rc.Change.After})
			}
			out.calls = append(out.calls, call)
		}
	}
	return out, nil
}

// stackOf names the stack of head that holds most of the plan's resources
// and outputs.
func stackOf(p planJSON, head *tfjson.Synthesis) (string, error) {
	best, bestCount, tie := "", 0, false
	for _, d := range head.Stacks {
		resources := blocks(d)
		outputs := map[string]bool{}
		for _, o := range d.Outputs() {
			outputs[o.Name] = true
		}
		n := 0
		for _, rc := range p.ResourceChanges {
			if _, ok := resources[rc.Address]; ok && rc.Mode == "managed" {
				n++
			}
		}
		for name := range p.OutputChanges {
			if outputs[name] {
				n++
			}
		}
		switch {
		case n > bestCount:
			best, bestCount, tie = d.Stack, n, false
		case n == bestCount && n > 0:
			tie = true
		}
	}
	if bestCount == 0 || tie {
		return "", fmt.Errorf("expected the plan of one synthesized stack, found none whose resources and outputs it shares")
	}
	return best, nil
}

// pathString writes a replace path as Terraform addresses it: bucket,
// rule[0].expiration.
func pathString(p []any) string {
	var b strings.Builder
	for _, step := range p {
		switch s := step.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteString(".")
			}
			b.WriteString(s)
		default:
			fmt.Fprintf(&b, "[%v]", s)
		}
	}
	return b.String()
}

// Line is the plan's summary line, as Terraform prints it when a resource
// changes (it prints no such line otherwise).
func (p Plan) Line() string {
	if p.Add+p.Change+p.Destroy == 0 {
		return "No resource changes."
	}
	return fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy.", p.Add, p.Change, p.Destroy)
}

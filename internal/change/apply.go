package change

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Apply is who can apply one resource change: the calls the provider
// makes for it, decided with the deployed (base) policies for each
// deployer, each break-glass principal and an administrator.
type Apply struct {
	Stack, Address string
	// Kind is "create", "update" or "delete".
	Kind string
	// Calls are "<action> on <address>", one per call a policy of the
	// stacks guards; identity-only calls are not listed.
	Calls []string
	// Appliers are the deployers that can apply the change.
	Appliers []string
	// Others are the break-glass principals and the administrator, each
	// with "applies" or the refusal.
	Others []string
	// Refusal is why the first deployer cannot apply it, "" when one can.
	Refusal string
	// Blocking says why no deployer can apply it; "" when one can.
	Blocking string
	// Override is the reason a committed override gives.
	Override string
}

// change is one resource change to decide: its address, kind and the
// arguments an update changes.
type change struct {
	stack, address, kind string
	attrs                []string
}

// decideApply decides who can apply each change with base's policies
// (and head's, for KMS's lockout safety check), and adds the result:
// the changes a guarded call makes, one Apply each, and those that call
// only what no policy of the stacks guards, in Unguarded.
func (r *Report) decideApply(base, head *tfjson.Doc, changes []change) {
	if base == nil || head == nil || len(changes) == 0 {
		return
	}
	was, is := access.New(base), access.New(head)
	before, after := blocks(base), blocks(head)
	operators := was.Operators()
	deployers := slices.ContainsFunc(operators, func(o access.Operator) bool { return o.Role == access.RoleDeployer })
	for _, c := range changes {
		if slices.ContainsFunc(r.Apply, func(a Apply) bool { return a.Stack == c.stack && a.Address == c.address && a.Kind == c.kind }) {
			continue // in the synthesis and in a plan
		}
		g, known := guardedCalls(c, before, after)
		switch {
		case !known:
			r.Unguarded = append(r.Unguarded, fmt.Sprintf("`%s:%s` (%s): no row of change.ProviderCalls says what the provider calls", c.stack, c.address, c.kind))
			continue
		case len(g.ops) == 0:
			continue
		case g.target == "":
			r.Unguarded = append(r.Unguarded, fmt.Sprintf("`%s:%s`", c.stack, c.address))
			continue
		}
		a := Apply{Stack: c.stack, Address: c.address, Kind: c.kind}
		for _, op := range g.ops {
			a.Calls = append(a.Calls, op.IAMAction(g.svc)+" on "+g.target)
		}
		for _, o := range operators {
			refusal := refused(was, is, o, g.svc, g.ops, g.on, g.target)
			switch {
			case o.Role == access.RoleDeployer && refusal == "":
				a.Appliers = append(a.Appliers, o.Name)
			case o.Role == access.RoleDeployer:
				if a.Refusal == "" {
					a.Refusal = o.Name + ": " + refusal
				}
			case refusal == "":
				a.Others = append(a.Others, who(o)+": applies")
			default:
				a.Others = append(a.Others, who(o)+": refused, "+refusal)
			}
		}
		switch {
		case !deployers:
			a.Refusal = "the deployed policies name no deployer (a release before deployers): apply this change once as a break-glass principal, with \"deployers\" set (else that principal becomes the first deployer)"
		case len(a.Appliers) == 0:
			a.Blocking = "no deployer can apply it (" + a.Refusal + ")"
		}
		r.Apply = append(r.Apply, a)
	}
}

// guardedCall is what a change calls, and on which resource's policy.
type guardedCall struct {
	ops []Call
	svc string
	// target is the resource whose policy guards the calls, "" for none;
	// on is the one whose deployed policy decides them: target, but for
	// the creation of target itself, which no policy guards yet ("").
	target, on string
}

// guardedCalls is what the change c calls, with the blocks of base
// (before) and head (after); known is false for a resource type without
// a row in ProviderCalls.
func guardedCalls(c change, before, after map[string]tfjson.Block) (g guardedCall, known bool) {
	rows, known := ProviderCalls[typeOf(c.address)]
	if !known {
		return g, false
	}
	block, ok := after[c.address]
	if c.kind == "delete" || !ok {
		block = before[c.address]
	}
	switch c.kind {
	case "create":
		g.ops = rows.Create
	case "delete":
		g.ops = rows.Delete
	default:
		g.ops = updateCalls(rows, c.attrs)
	}
	g.svc, g.target = rows.Service(), guarded(rows, c.address, block)
	// A resource being created has no policy yet: its own creation is
	// decided by the caller's identity policies (and, for a key, by KMS's
	// lockout check of its new policy).
	if g.on = g.target; c.kind == "create" && rows.On == "" {
		g.on = ""
	}
	return g, true
}

// callerVerdict says whether the principal a plan was made as can apply
// its guarded changes, decided as for a deployer with AdministratorAccess
// (its own identity policies are not known here): "" when the plan names
// no caller.
func callerVerdict(base, head *tfjson.Doc, p Plan) string {
	if p.Caller == "" || base == nil || head == nil {
		return ""
	}
	was, is := access.New(base), access.New(head)
	before, after := blocks(base), blocks(head)
	caller := access.Operator{Role: "caller", Name: p.Caller, Caller: iameval.Caller{ARN: p.caller, Account: access.Account, Identity: []iameval.Policy{access.ManagedPolicies["AdministratorAccess"]}}}
	var refusedTo []string
	first := ""
	for _, c := range p.calls {
		g, known := guardedCalls(c, before, after)
		if !known || len(g.ops) == 0 || g.target == "" {
			continue
		}
		if why := refused(was, is, caller, g.svc, g.ops, g.on, g.target); why != "" {
			refusedTo = append(refusedTo, "`"+c.address+"`")
			if first == "" {
				first = why
			}
		}
	}
	if len(refusedTo) == 0 {
		return "planned as " + p.Caller + ", who can apply every change a policy of the stacks guards"
	}
	return fmt.Sprintf("planned as %s, who cannot apply %d of its changes (%s: %s): apply it as a deployer", p.Caller, len(refusedTo), strings.Join(refusedTo, ", "), first)
}

// who names an operator that is not a deployer for a reader.
func who(o access.Operator) string {
	if o.Role == access.RoleBreakGlass {
		return "break-glass " + o.Name
	}
	return o.Name
}

// updateCalls are the calls of an update of attrs.
func updateCalls(rows Calls, attrs []string) []Call {
	if rows.ByAttribute == nil {
		return rows.Update
	}
	var out []Call
	for _, a := range attrs {
		out = append(out, rows.ByAttribute[a]...)
	}
	return out
}

// guarded is the address of the resource whose policy guards the calls
// of a change of the resource block at address, or "" when none does.
func guarded(rows Calls, address string, block tfjson.Block) string {
	switch rows.On {
	case "-":
		return ""
	case "":
		return address
	}
	ref, _, ok := tfjson.Ref(block.Attrs[rows.On])
	if !ok {
		return ""
	}
	if t := typeOf(ref); t != "aws_s3_bucket" && t != "aws_kms_key" && t != "aws_sns_topic" {
		return ""
	}
	return ref
}

// refused is why operator o cannot make the calls ops on the resource
// at on ("" for none) under the deployed policies (was), or under KMS's
// lockout safety check with the new policy of the key at target (is);
// "" when it can.
func refused(was, is *access.Model, o access.Operator, svc string, ops []Call, on, target string) string {
	for _, op := range ops {
		action := op.IAMAction(svc)
		if d := was.Apply(o.Caller, action, on); !d.Allowed {
			return action + " " + d.String()
		}
		// "The key policy must allow the calling principal to make a
		// subsequent PutKeyPolicy request" (KMS API Reference,
		// PutKeyPolicy and CreateKey).
		if action == "kms:PutKeyPolicy" || action == "kms:CreateKey" {
			if d := is.Apply(o.Caller, "kms:PutKeyPolicy", target); !d.Allowed {
				return "KMS's lockout safety check: the new policy of " + target + " does not let it make a later kms:PutKeyPolicy (" + d.String() + ")"
			}
		}
	}
	return ""
}

// synthChanges are the resource changes between base and head of stack,
// as calls: resources added, removed and changed (beyond Terraform's
// meta-arguments), and resources whose policy document changed.
func synthChanges(stack string, base, head *tfjson.Doc, resources []Resource) []change {
	was, is := blocks(base), blocks(head)
	var out []change
	seen := map[string]int{}
	for _, c := range resources {
		if c.Stack != stack || c.Kind == "moved" {
			continue
		}
		switch c.Kind {
		case "added":
			out = append(out, change{stack: stack, address: c.Address, kind: "create"})
		case "removed":
			out = append(out, change{stack: stack, address: c.Address, kind: "delete"})
		case "changed":
			attrs := changedArguments(was[c.Address], is[c.Address])
			if len(attrs) == 0 {
				continue // Terraform's meta-arguments call no API
			}
			seen[c.Address] = len(out)
			out = append(out, change{stack: stack, address: c.Address, kind: "update", attrs: attrs})
		}
	}
	// A policy document is a data source: its change reaches AWS through
	// the resource whose argument refers to it.
	for _, doc := range changedDocuments(base, head) {
		for _, b := range head.AllResources() {
			for _, attr := range slices.Sorted(maps.Keys(b.Attrs)) {
				if ref, _, ok := tfjson.Ref(b.Attrs[attr]); !ok || ref != doc {
					continue
				}
				if _, deployed := was[b.Address]; !deployed {
					continue // created anyway
				}
				if i, ok := seen[b.Address]; ok {
					if !slices.Contains(out[i].attrs, attr) {
						out[i].attrs = append(out[i].attrs, attr)
					}
					continue
				}
				seen[b.Address] = len(out)
				out = append(out, change{stack: stack, address: b.Address, kind: "update", attrs: []string{attr}})
			}
		}
	}
	return out
}

// changedDocuments are the addresses of the policy documents head has
// with other statements than base.
func changedDocuments(base, head *tfjson.Doc) []string {
	statements := func(d *tfjson.Doc) map[string][]iameval.Statement {
		out := map[string][]iameval.Statement{}
		if d != nil {
			for _, b := range d.DataSources("aws_iam_policy_document") {
				out[b.Address] = tfjson.Statements(b)
			}
		}
		return out
	}
	was, is := statements(base), statements(head)
	var out []string
	for _, a := range keys(is) {
		if b, ok := was[a]; ok && !reflect.DeepEqual(b, is[a]) {
			out = append(out, a)
		}
	}
	return out
}

// line is the change for the review: the calls, who applies it, who is
// refused and why.
func (a Apply) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "`%s:%s` (%s): %s", a.Stack, a.Address, a.Kind, strings.Join(a.Calls, ", "))
	if len(a.Appliers) > 0 {
		b.WriteString("; applies as " + strings.Join(a.Appliers, ", "))
		if a.Refusal != "" {
			b.WriteString(" (not as " + a.Refusal + ")")
		}
	} else {
		b.WriteString("; refused to every deployer: " + a.Refusal)
	}
	if a.Override != "" {
		b.WriteString(" (override: " + a.Override + ")")
	}
	if len(a.Others) > 0 {
		b.WriteString("; " + strings.Join(a.Others, "; "))
	}
	return b.String()
}

// changedArguments are the arguments, meta-arguments aside, whose value
// differs between two versions of a resource.
func changedArguments(a, b tfjson.Block) []string {
	var out []string
	for _, k := range keys(a.Attrs, b.Attrs) {
		if k != "depends_on" && k != "lifecycle" && k != "//" && !reflect.DeepEqual(a.Attrs[k], b.Attrs[k]) {
			out = append(out, k)
		}
	}
	return out
}

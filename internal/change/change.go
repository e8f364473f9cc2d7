// Package change compares two synthesized outputs (a pull request's and
// its base's) the way a reviewer reads an infrastructure change: resources
// added, removed and changed with their attribute differences, policy
// statements compared by Sid, controls and access-matrix cells whose
// value changed, outputs added or removed; it summarises the stacks'
// Terraform plans; and it blocks, with the reason, every change (in the
// synth or in a plan) that would destroy or replace audit evidence,
// unless a committed override names the resource with a reason.
package change

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/coverage"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Evidence are the resource types that hold or protect audit evidence,
// with the arguments whose change makes Terraform replace the resource.
// An auditor's IAM user is not evidence: CloudTrail keeps what the user
// did after the user is gone, and adding or removing an auditor is a
// routine, reviewed change (Report.People says what it means for the
// person).
var Evidence = map[string][]string{
	"aws_s3_bucket":            {"bucket", "object_lock_enabled"},
	"aws_kms_key":              {"customer_master_key_spec", "key_usage", "multi_region"},
	"aws_cloudtrail":           {"name"},
	"aws_cloudwatch_log_group": {"name"},
}

// Resource is one resource's change.
type Resource struct {
	Stack, Address, Path string
	// Kind is "added", "removed", "moved" or "changed".
	Kind string
	// Attributes are the differences of a changed resource, one line each.
	Attributes []string
	// Blocking says why the change destroys or replaces evidence; "" when
	// it does not.
	Blocking string
	// Override is the reason a committed override gives for a blocking
	// change.
	Override string
}

// Blocks reports whether the change stops the review.
func (r Resource) Blocks() bool { return r.Blocking != "" && r.Override == "" }

// Report is the comparison of two outputs.
type Report struct {
	Resources []Resource
	// Statements are policy statement changes, one line each.
	Statements []string
	// Controls are the controls whose status changed.
	Controls []string
	// Access are the access matrix cells that changed.
	Access []string
	// Outputs are outputs added or removed.
	Outputs []string
	// Plans are the stacks' Terraform plans, when given.
	Plans []Plan
	// Apply are who can apply each change a policy of the stacks guards.
	Apply []Apply
	// Unguarded are the changes that call only what no policy of the
	// stacks guards: whoever has the IAM permissions applies them.
	Unguarded []string
	// Choices are the irreversible and weakening choices head makes that
	// base did not.
	Choices []check.Choice
	// People are the auditors added and removed, one line each, with
	// what the change means for the person.
	People []string
	// Coverage are the actions of the coverage table whose class the
	// change moves ("denied", "alarmed", "harmless", "unclassified").
	Coverage []string
}

// Blocking returns the changes that stop the review.
func (r *Report) Blocking() []Resource {
	var out []Resource
	all := slices.Clone(r.Resources)
	for _, p := range r.Plans {
		all = append(all, p.Changes...)
	}
	for _, a := range r.Apply {
		all = append(all, Resource{Stack: a.Stack, Address: a.Address, Kind: a.Kind, Blocking: a.Blocking, Override: a.Override})
	}
	for _, c := range all {
		if c.Blocks() {
			out = append(out, c)
		}
	}
	return out
}

// Compare compares head with base, and adds the plans; overrides maps
// "stack:address" to the reason a deliberate evidence-destroying change
// is allowed.
func Compare(base, head *tfjson.Synthesis, overrides map[string]string, plans ...Plan) *Report {
	r := &Report{Plans: plans}
	names := map[string]bool{}
	for _, d := range append(slices.Clone(base.Stacks), head.Stacks...) {
		names[d.Stack] = true
	}
	stacks := make([]string, 0, len(names))
	for n := range names {
		stacks = append(stacks, n)
	}
	sort.Strings(stacks)
	for _, s := range stacks {
		b, h := base.Stack(s), head.Stack(s)
		r.compareResources(s, b, h)
		r.comparePolicies(s, b, h)
		r.compareOutputs(s, b, h)
		r.decideApply(b, h, synthChanges(s, b, h, r.Resources))
		r.comparePeople(b, h)
		r.compareAssignments(b, h)
	}
	override := func(changes []Resource) {
		for i := range changes {
			if c := &changes[i]; c.Blocking != "" {
				c.Override = overrides[c.Stack+":"+c.Address]
			}
		}
	}
	for i, p := range r.Plans {
		r.decideApply(base.Stack(p.Stack), head.Stack(p.Stack), p.calls)
		r.Plans[i].Verdict = callerVerdict(base.Stack(p.Stack), head.Stack(p.Stack), p)
	}
	override(r.Resources)
	for _, p := range r.Plans {
		override(p.Changes)
	}
	for i := range r.Apply {
		if a := &r.Apply[i]; a.Blocking != "" {
			a.Override = overrides[a.Stack+":"+a.Address]
		}
	}
	r.compareControls(base, head)
	r.compareAccess(base, head)
	r.compareCoverage(base, head)
	before := map[string]bool{}
	for _, c := range check.Choices(base.Stacks) {
		before[c.String()] = true
	}
	for _, c := range check.Choices(head.Stacks) {
		if !before[c.String()] {
			r.Choices = append(r.Choices, c)
		}
	}
	return r
}

func blocks(d *tfjson.Doc) map[string]tfjson.Block {
	out := map[string]tfjson.Block{}
	if d == nil {
		return out
	}
	for _, b := range d.AllResources() {
		out[b.Address] = b
	}
	return out
}

// moves returns head's moved blocks, from the old address to the new.
func moves(d *tfjson.Doc) map[string]string {
	out := map[string]string{}
	if d == nil {
		return out
	}
	list, _ := d.Raw()["moved"].([]any)
	for _, m := range list {
		mm, _ := m.(map[string]any)
		from, _ := mm["from"].(string)
		to, _ := mm["to"].(string)
		out[from] = to
	}
	return out
}

func (r *Report) compareResources(stack string, base, head *tfjson.Doc) {
	was, is, moved := blocks(base), blocks(head), moves(head)
	for _, a := range keys(was, is) {
		b, inBase := was[a]
		h, inHead := is[a]
		_, evidence := Evidence[typeOf(a)]
		switch {
		case inBase && !inHead:
			c := Resource{Stack: stack, Address: a, Path: b.Path(), Kind: "removed"}
			if to, ok := moved[a]; ok {
				if _, there := is[to]; there {
					c.Kind, c.Attributes = "moved", []string{"to " + to}
					r.Resources = append(r.Resources, c)
					continue
				}
			}
			if evidence {
				c.Blocking = "destroys audit evidence: Terraform deletes " + a
			}
			r.Resources = append(r.Resources, c)
		case !inBase && inHead:
			if from, isTarget := movedTo(moved, a); isTarget {
				if _, wasThere := was[from]; wasThere {
					continue // reported as the move
				}
			}
			r.Resources = append(r.Resources, Resource{Stack: stack, Address: a, Path: h.Path(), Kind: "added"})
		default:
			diffs := attributeDiffs("", b.Attrs, h.Attrs)
			if len(diffs) == 0 {
				continue
			}
			c := Resource{Stack: stack, Address: a, Path: h.Path(), Kind: "changed", Attributes: diffs}
			for _, attr := range Evidence[typeOf(a)] {
				if !reflect.DeepEqual(b.Attrs[attr], h.Attrs[attr]) {
					c.Blocking = fmt.Sprintf("changing %s replaces %s: the evidence it holds is lost", attr, a)
				}
			}
			r.Resources = append(r.Resources, c)
		}
	}
}

func movedTo(moved map[string]string, to string) (string, bool) {
	for from, t := range moved {
		if t == to {
			return from, true
		}
	}
	return "", false
}

func typeOf(address string) string {
	t, _, _ := strings.Cut(address, ".")
	return t
}

// attributeDiffs lists the differences of two blocks' arguments, one
// "path: before -> after" line each; cdktf's "//" metadata is ignored.
func attributeDiffs(prefix string, before, after map[string]any) []string {
	var out []string
	for _, k := range keys(before, after) {
		if k == "//" {
			continue
		}
		b, a := before[k], after[k]
		if reflect.DeepEqual(b, a) {
			continue
		}
		bm, bok := single(b)
		am, aok := single(a)
		if bok && aok {
			out = append(out, attributeDiffs(prefix+k+".", bm, am)...)
			continue
		}
		out = append(out, fmt.Sprintf("%s%s: %s -> %s", prefix, k, show(b), show(a)))
	}
	return out
}

// single unwraps an object, or a list holding one object (Terraform JSON
// writes a nested block so).
func single(v any) (map[string]any, bool) {
	if l, ok := v.([]any); ok && len(l) == 1 {
		v = l[0]
	}
	m, ok := v.(map[string]any)
	return m, ok
}

func show(v any) string {
	if v == nil {
		return "(none)"
	}
	s := fmt.Sprint(v)
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

func (r *Report) comparePolicies(stack string, base, head *tfjson.Doc) {
	docs := func(d *tfjson.Doc) map[string]map[string]iameval.Statement {
		out := map[string]map[string]iameval.Statement{}
		if d == nil {
			return out
		}
		for _, b := range d.DataSources("aws_iam_policy_document") {
			m := map[string]iameval.Statement{}
			for _, s := range tfjson.Statements(b) {
				m[s.Sid] = s
			}
			out[b.Address] = m
		}
		return out
	}
	was, is := docs(base), docs(head)
	for _, n := range keys(was, is) {
		b, h := was[n], is[n]
		for _, sid := range keys(b, h) {
			bs, inBase := b[sid]
			hs, inHead := h[sid]
			at := fmt.Sprintf("%s:%s %s", stack, n, sid)
			switch {
			case !inBase:
				r.Statements = append(r.Statements, "added "+at+": "+statementLine(hs))
			case !inHead:
				r.Statements = append(r.Statements, "removed "+at+": "+statementLine(bs))
			case !reflect.DeepEqual(bs, hs):
				r.Statements = append(r.Statements, "changed "+at+": "+statementLine(bs)+" -> "+statementLine(hs))
			}
		}
	}
}

// statementLine is a statement on one line: effect, principals, actions,
// resources, conditions.
func statementLine(s iameval.Statement) string {
	what, conditions := s.Text(strings.Join)
	return what + conditions
}

func (r *Report) compareOutputs(stack string, base, head *tfjson.Doc) {
	names := func(d *tfjson.Doc) []string {
		var out []string
		if d == nil {
			return out
		}
		for _, o := range d.Outputs() {
			if !o.CrossStack() {
				out = append(out, o.Name)
			}
		}
		return out
	}
	was, is := names(base), names(head)
	for _, n := range was {
		if !slices.Contains(is, n) {
			r.Outputs = append(r.Outputs, fmt.Sprintf("removed %s:%s (it breaks the stacks that read it)", stack, n))
		}
	}
	for _, n := range is {
		if !slices.Contains(was, n) {
			r.Outputs = append(r.Outputs, fmt.Sprintf("added %s:%s", stack, n))
		}
	}
}

func (r *Report) compareControls(base, head *tfjson.Synthesis) {
	b, h := check.Run(base), check.Run(head)
	for _, c := range check.Controls {
		bv, hv := b.Control(c), h.Control(c)
		if bv.Status != hv.Status {
			r.Controls = append(r.Controls, fmt.Sprintf("%s %s %s: %s -> %s (%s)", c.Framework, c.ID, c.Title, bv.Status, hv.Status, hv.Evidence))
		}
	}
}

func (r *Report) compareAccess(base, head *tfjson.Synthesis) {
	bm, bok := access.Find(base.Stacks)
	hm, hok := access.Find(head.Stacks)
	if !bok || !hok {
		return
	}
	was, is := bm.Matrix(), hm.Matrix()
	personas := hm.Personas()
	for i := range is {
		for j := range is[i] {
			if i < len(was) && j < len(was[i]) && was[i][j].Text != is[i][j].Text {
				r.Access = append(r.Access, fmt.Sprintf("%s / %s: %s -> %s", personas[i].Name, access.Columns[j].Title, was[i][j].Text, is[i][j].Text))
			}
		}
	}
}

// compareCoverage lists each action of the coverage table whose class
// differs between base and head.
func (r *Report) compareCoverage(base, head *tfjson.Synthesis) {
	c, err := coverage.Load()
	if err != nil {
		return
	}
	classes := func(o *tfjson.Synthesis) map[string]string {
		out := map[string]string{}
		for _, d := range o.Stacks {
			if len(d.Resources("aws_cloudtrail")) == 0 {
				continue
			}
			for _, row := range coverage.Classify(c, d) {
				out[row.Action] = row.Class
			}
		}
		return out
	}
	was, is := classes(base), classes(head)
	for _, a := range keys(was, is) {
		if was[a] != is[a] {
			r.Coverage = append(r.Coverage, fmt.Sprintf("`%s`: %s -> %s", a, cmp.Or(was[a], "(none)"), cmp.Or(is[a], "(none)")))
		}
	}
}

// keys returns the keys of the maps, each once, sorted.
func keys[V any](maps ...map[string]V) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// comparePeople says what adding and removing auditors (the IAM users of
// a stack, by name) means for the people. Each auditor's Terraform
// address comes from the name, so a rename is a removal and an addition:
// the provider could rename a user in place (iam:UpdateUser), but
// Terraform deletes the old user and creates a new one.
func (r *Report) comparePeople(base, head *tfjson.Doc) {
	names := func(d *tfjson.Doc) map[string]bool {
		out := map[string]bool{}
		if d != nil {
			for _, u := range d.Resources("aws_iam_user") {
				if n, ok := u.Attrs["name"].(string); ok {
					out[n] = true
				}
			}
		}
		return out
	}
	removed, added := difference(names(base), names(head))
	const removal = "Terraform deletes the IAM user with its console password and MFA devices (the stack gives users no access keys); no new audit role session once the change is applied (one already started lasts up to an hour), and what they did stays in the trail"
	const addition = "a new IAM user without credentials, who sets a password and an MFA device before assuming the audit role"
	if len(removed)+len(added) > maxPeople {
		// Many auditors at once: a line for each kind, not for each person.
		if len(removed) > 0 {
			r.People = append(r.People, fmt.Sprintf("%d auditors removed (%s): for each, %s", len(removed), someNames(removed), removal))
		}
		if len(added) > 0 {
			r.People = append(r.People, fmt.Sprintf("%d auditors added (%s): for each, %s", len(added), someNames(added), addition))
		}
	} else {
		for _, n := range removed {
			r.People = append(r.People, fmt.Sprintf("auditor `%s` removed: %s", n, strings.Replace(removal, "the IAM user", "the IAM user "+n, 1)))
		}
		for _, n := range added {
			r.People = append(r.People, fmt.Sprintf("auditor `%s` added: %s", n, addition))
		}
	}
	if len(removed) > 0 && len(added) > 0 {
		r.People = append(r.People, fmt.Sprintf("if this renames %s to %s: each auditor's address comes from the name, so Terraform deletes the old user and creates the new one, and the person enrols again (password and MFA device)",
			someNames(removed), someNames(added)))
	}
}

// compareAssignments says what adding and removing an IAM Identity
// Center assignment of the auditors' permission set (a group or a user of
// the Identity Store, in an account) means for the people: a group's
// members, now and later, become auditors.
func (r *Report) compareAssignments(base, head *tfjson.Doc) {
	assignments := func(d *tfjson.Doc) map[string]bool {
		out := map[string]bool{}
		if d != nil {
			for _, a := range d.Resources("aws_ssoadmin_account_assignment") {
				kind, _ := a.Attrs["principal_type"].(string)
				id, _ := a.Attrs["principal_id"].(string)
				out[strings.ToLower(kind)+" `"+id+"`"] = true
			}
		}
		return out
	}
	removed, added := difference(assignments(base), assignments(head))
	const removal = "no new session from the permission set once the change is applied (sessions already started last up to an hour, and the audit role's sessions chained from them up to an hour more; whoever is in another assigned group keeps access); what they did stays in the trail"
	const group = "every member of the group, now and later, may assume the audit role: whoever manages the group's members (Identity Center's administrators, or the external identity provider) decides who reads the evidence"
	const user = "the user may assume the audit role"
	const signIn = ", after Identity Center's sign-in (its MFA settings)"
	if len(removed)+len(added) > maxPeople {
		if len(removed) > 0 {
			r.People = append(r.People, fmt.Sprintf("%d Identity Center groups and users lose the auditors' permission set (%s): %s", len(removed), someNames(removed), removal))
		}
		if len(added) > 0 {
			r.People = append(r.People, fmt.Sprintf("%d Identity Center groups and users get the auditors' permission set (%s): for a group, %s; for a user, %s%s", len(added), someNames(added), group, user, signIn))
		}
		return
	}
	for _, n := range removed {
		r.People = append(r.People, fmt.Sprintf("Identity Center %s loses the auditors' permission set: %s", n, removal))
	}
	for _, n := range added {
		what := user
		if strings.HasPrefix(n, "group") {
			what = group
		}
		r.People = append(r.People, fmt.Sprintf("Identity Center %s gets the auditors' permission set: %s%s", n, what, signIn))
	}
}

// difference are the keys of was that is lacks (removed) and of is that
// was lacks (added), each sorted.
func difference(was, is map[string]bool) (removed, added []string) {
	for _, n := range keys(was, is) {
		switch {
		case was[n] && !is[n]:
			removed = append(removed, n)
		case is[n] && !was[n]:
			added = append(added, n)
		}
	}
	return removed, added
}

// maxPeople is how many auditors added and removed the review names one
// line each; beyond, a line for each kind of change names some of them.
const maxPeople = 20

// someNames are names, the first maxListed and the last when there are
// more, with their count.
func someNames(names []string) string {
	if len(names) <= maxListed+1 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … %s, %d in all", strings.Join(names[:maxListed], ", "), names[len(names)-1], len(names))
}

// Package check is the app's one checking capability: a pack of small,
// pure checks that run once on the synthesized output (every stack's
// cdk.tf.json and the manifest), after the synth and before the output
// replaces the previous one.
//
// Each check has an id, says whether a failure blocks the synth, names
// the benchmark controls it evidences (typed references to Controls), and
// returns one result per resource it judges, passing or failing, with the
// evidence. The synth fails on the blocking failures that no reasoned
// suppression covers; the review report renders the same results and
// computes every control's status from them. The checks are
// cross-resource (a trail, its bucket, the bucket's policy, the key), so
// they read whole stacks, not single constructs.
package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Check is one invariant of the stacks.
type Check struct {
	// ID names the check in messages, suppressions and the report.
	ID string
	// Description says what the check requires.
	Description string
	// Blocking is true when a failure (unless suppressed) fails the synth.
	Blocking bool
	// Controls are the benchmark controls the check evidences.
	Controls []*Control
	// Subject is the resource type the check judges, for the report.
	Subject string
	// Missing, when set, is why a control evidenced by this check fails
	// when no stack has a Subject at all; otherwise such a check does not
	// apply.
	Missing string
	// Advice, when set, says how to make a failing result pass; the synth
	// prints it with the failure, so a report-only failure that needs the
	// user's action is not missed.
	Advice string
	// run judges one stack.
	run func(d *tfjson.Doc) []Result
}

// Result is a check's verdict on one resource.
type Result struct {
	// Check is the check that judged.
	Check *Check
	// Stack is the stack's name.
	Stack string
	// Address is the Terraform address of the resource judged.
	Address string
	// Path is its construct path (from cdktf's "//" metadata).
	Path string
	// Pass is the verdict.
	Pass bool
	// Evidence says what was found, lower-case: what holds when the
	// result passes, what is wrong when it fails.
	Evidence string
	// Suppression is the reasoned suppression that covers a failure, or
	// nil.
	Suppression *Suppression
}

func (r Result) String() string { return fmt.Sprintf("[%s] %s: %s", r.Path, r.Check.ID, r.Evidence) }

// Located is the resource's address prefixed by its stack.
func (r Result) Located() string { return r.Stack + ":" + r.Address }

// Blocks reports whether the result fails the synth.
func (r Result) Blocks() bool { return !r.Pass && r.Check.Blocking && r.Suppression == nil }

// Apply runs the check on one stack.
func (c *Check) Apply(d *tfjson.Doc) []Result {
	out := c.run(d)
	for i := range out {
		out[i].Check = c
		if out[i].Stack == "" {
			out[i].Stack = d.Stack
		}
	}
	return out
}

// judge is the result for block: it passes with evidence when there are
// no problems, and fails with the problems otherwise.
func judge(b tfjson.Block, problems []string, evidence string) Result {
	if len(problems) == 0 {
		return Result{Address: b.Address, Path: b.Path(), Pass: true, Evidence: evidence}
	}
	return fail(b, problems...)
}

// fail is a failing result for block.
func fail(b tfjson.Block, problems ...string) Result {
	return Result{Address: b.Address, Path: b.Path(), Evidence: strings.Join(problems, "; ")}
}

// Report is every check's results on one synthesized output.
type Report struct {
	// Results are in pack order, then by stack and address.
	Results []Result
	// Suppressions are every suppression recorded in the output.
	Suppressions []Suppression
	// Stacks are the stacks checked.
	Stacks []*tfjson.Doc
}

// Run runs the pack on the output and applies its suppressions.
func Run(out *tfjson.Synthesis) *Report {
	out.Link()
	r := &Report{Suppressions: Suppressions(out), Stacks: out.Stacks}
	for _, c := range Pack {
		for _, d := range out.Stacks {
			for _, res := range c.Apply(d) {
				if !res.Pass {
					for i, s := range r.Suppressions {
						if s.Covers(res) {
							res.Suppression = &r.Suppressions[i]
							break
						}
					}
				}
				r.Results = append(r.Results, res)
			}
		}
	}
	return r
}

// Advised returns the failures, not suppressed, of the checks that give
// advice.
func (r *Report) Advised() []Result {
	return r.filter(func(res Result) bool { return !res.Pass && res.Suppression == nil && res.Check.Advice != "" })
}

// Blocking returns the failures that fail the synth.
func (r *Report) Blocking() []Result { return r.filter(Result.Blocks) }

// Failures returns every failure that no suppression covers, blocking or
// not.
func (r *Report) Failures() []Result {
	return r.filter(func(res Result) bool { return !res.Pass && res.Suppression == nil })
}

// Of returns the results of check c.
func (r *Report) Of(c *Check) []Result {
	return r.filter(func(res Result) bool { return res.Check == c })
}

func (r *Report) filter(keep func(Result) bool) []Result {
	var out []Result
	for _, res := range r.Results {
		if keep(res) {
			out = append(out, res)
		}
	}
	return out
}

// ByID returns the check of the pack with id.
func ByID(id string) (*Check, bool) {
	i := slices.IndexFunc(Pack, func(c *Check) bool { return c.ID == id })
	if i < 0 {
		return nil, false
	}
	return Pack[i], true
}

// FailedError is a synth refused by the checks, or by errors cdktf
// recorded: every blocking failure and error annotation, one a line,
// each naming the construct.
type FailedError struct {
	Results     []Result
	Annotations []tfjson.Annotation
}

func (e *FailedError) Error() string {
	var lines []string
	for _, a := range e.Annotations {
		lines = append(lines, "  "+a.String())
	}
	for _, r := range e.Results {
		lines = append(lines, "  "+r.String())
	}
	return strings.Join(lines, "\n")
}

// Gate loads the output in dir, runs the pack on it and returns its
// report, or a *FailedError when cdktf recorded errors or a blocking check
// failed.
func Gate(dir string) (*Report, error) {
	out, err := tfjson.Load(dir)
	if err != nil {
		return nil, err
	}
	if errs := out.Errors(); len(errs) > 0 {
		return nil, &FailedError{Annotations: errs}
	}
	report := Run(out)
	if blocking := report.Blocking(); len(blocking) > 0 {
		return report, &FailedError{Results: blocking}
	}
	return report, nil
}

package commands

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cle2wa/audit-trail/internal/change"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/cli"
	"github.com/cle2wa/audit-trail/internal/review"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Review prints the review report of the last synth, with the results
// of the scanners given by flags.
func Review(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("review", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var trivy, tfsec, kics []string
	// A file flag checks its file as it is parsed, so an error names the
	// flag and the value.
	file := func(into *[]string) func(string) error {
		return func(f string) error {
			if _, err := os.Stat(f); err != nil {
				return err
			}
			*into = append(*into, f)
			return nil
		}
	}
	flags.Func("trivy", "a `file` of trivy config JSON results (trivy config -f json) to include; repeatable", file(&trivy))
	flags.Func("tfsec", "a `file` of tfsec JSON results (tfsec -f json) to include; repeatable", file(&tfsec))
	flags.Func("kics", "a `file` of KICS JSON results (kics scan --report-formats json) to include; repeatable", file(&kics))
	trivyIgnore := flags.String("trivyignore", ".trivyignore", "the committed explanations of trivy's and tfsec's findings")
	kicsIgnore := flags.String("kicsignore", ".kicsignore", "the committed explanations of KICS's findings, by query ID")
	base := flags.String("base", "", "a `dir`ectory of another synthesis (the base branch's): print the pull-request comment comparing with it instead of the report (with who can apply each change), and exit 1 if a change destroys or replaces evidence or no deployer can apply it")
	overrides := flags.String("overrides", change.OverridesFile, "with -base: the committed `file` of reasoned overrides for deliberate evidence-destroying changes")
	var plans []string
	flags.Func("plan", "a `file` of a stack's plan (terraform show -json PLANFILE) to summarise in the comparison, blocking evidence it replaces or destroys; repeatable, implies -base (the current synthesis when -base is not given)", func(f string) error {
		plans = append(plans, f)
		return nil
	})
	flags.Usage = cli.Review.Usage(flags)
	if code, ok := parseFlags(flags, args); !ok {
		return code
	}
	if !noArguments("review", flags, stderr) {
		return 2
	}
	synthesized, err := tfjson.Load(OutputDir())
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	if *base != "" || len(plans) > 0 {
		return reviewChange(*base, *overrides, plans, synthesized, stdout, stderr)
	}
	scans, err := review.LoadScans(review.Inputs{Trivy: trivy, Tfsec: tfsec, KICS: kics, TrivyIgnore: *trivyIgnore, KICSIgnore: *kicsIgnore})
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	if err := review.Write(stdout, check.Run(synthesized), scans); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	return 0
}

// reviewChange prints the comparison of the current synthesis with the one
// in baseDir (itself when baseDir is ""), with the plan files, and returns
// 1 if a change destroys or replaces evidence without a reasoned override.
func reviewChange(baseDir, overridesFile string, planFiles []string, head *tfjson.Synthesis, stdout, stderr io.Writer) int {
	var problems []error
	base := head
	if baseDir != "" {
		var err error
		if base, err = tfjson.Load(baseDir); err != nil {
			problems = append(problems, fmt.Errorf("review -base %s: %w", baseDir, err))
		}
	}
	var plans []change.Plan
	for _, f := range planFiles {
		p, err := change.ReadPlan(f, head)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		plans = append(plans, p)
	}
	overrides, err := change.LoadOverrides(overridesFile)
	if err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "error: %v\n", errors.Join(problems...))
		return 1
	}
	report := change.Compare(base, head, overrides, plans...)
	if err := report.Markdown(stdout); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	if blocking := report.Blocking(); len(blocking) > 0 {
		fmt.Fprintf(stderr, "error: %d change(s) destroy or replace audit evidence (see the comment above)\n", len(blocking))
		return 1
	}
	return 0
}

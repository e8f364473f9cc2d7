// Command audit-trail synthesizes the audit-grade CloudTrail stacks into
// cdktf.out/stacks/: "audit" (the trail, its buckets, key and auditors),
// "state" (the bucket for remote state) and "exports" (the audit stack's
// values for other stacks), from the settings in cdktf.json, and writes
// the review report cdktf.out/REVIEW.md. Run it with `go run .` or
// `cdktf synth`; `go run . review` prints the report of the last synth.
package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/auditors"
	"github.com/cle2wa/audit-trail/internal/change"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/cli"
	"github.com/cle2wa/audit-trail/internal/jsiicache"
	"github.com/cle2wa/audit-trail/internal/outdir"
	"github.com/cle2wa/audit-trail/internal/review"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
)

// defaultOutdir is where `go run .` writes; the cdktf CLI sets CDKTF_OUTDIR.
const defaultOutdir = "cdktf.out"

// ReviewFile is the report every synth writes into the output directory.
const ReviewFile = "REVIEW.md"

// helpText is the one-page command reference, the file help.
//
//go:embed help
var helpText string

func main() {
	args := os.Args[1:]
	var cache *jsiicache.Session
	if len(args) == 0 {
		// Only the synth loads jsii: it runs with the project's own
		// package cache, where the provider loads lazily.
		cache = jsiicache.Start(os.Stderr)
	}
	code := run(args, cache, os.Stdout, os.Stderr)
	jsii.Close()
	os.Exit(code)
}

// noArguments says whether the command got flags only; if not, it names
// the first argument on stderr (flag parsing stops at it, so the flags
// after it were not read).
func noArguments(command string, flags *flag.FlagSet, stderr io.Writer) bool {
	if flags.NArg() == 0 {
		return true
	}
	fmt.Fprintf(stderr, "error: %s takes no arguments, only flags; found %q (flags after it are not read; see `go run . %s -h`)\n", command, flags.Arg(0), command)
	return false
}

// parseFlags parses a command's flags. ok is false when the command must
// stop with exit status code: 0 after -h printed the flags, 2 for a bad
// flag (the flag package has printed the problem and the flags).
func parseFlags(flags *flag.FlagSet, args []string) (code int, ok bool) {
	switch err := flags.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		return 0, false
	case err != nil:
		return 2, false
	}
	return 0, true
}

// outdirEnv is the variable in which the cdktf CLI names the output
// directory.
const outdirEnv = "CDKTF_OUTDIR"

// outputDir is the synthesis output directory: CDKTF_OUTDIR, else
// cdktf.out. Whatever it names, a synth replaces it only if it is new,
// empty or an earlier output (package outdir).
func outputDir() string {
	if env := os.Getenv(outdirEnv); env != "" {
		return env
	}
	return defaultOutdir
}

// runners are the commands' code by name; cli.Commands describes them.
var runners = map[string]func(args []string, stdout, stderr io.Writer) int{
	cli.Review.Name:       runReview,
	cli.ValidateLogs.Name: runValidateLogs,
	cli.Verify.Name:       runVerify,
}

// run runs the command line args and returns the exit status. Problems go
// to stderr; a failed synth leaves the previous output untouched. cache
// is the synth's jsii package cache session, or nil.
func run(args []string, cache *jsiicache.Session, stdout, stderr io.Writer) int {
	if len(args) > 0 && slices.Contains([]string{"help", "-h", "-help", "--help"}, args[0]) {
		fmt.Fprint(stdout, helpText)
		return 0
	}
	if len(args) > 0 {
		if runner, ok := runners[args[0]]; ok {
			return runner(args[1:], stdout, stderr)
		}
		fmt.Fprintf(stderr, "error: unknown command %q; run without arguments to synthesize, or one of %s (`help` is the command reference)\n", strings.Join(args, " "), strings.Join(cli.Names(), ", "))
		return 2
	}
	s, err := settings.Load("cdktf.json")
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	dir := outputDir()
	if cache.Cold() {
		fmt.Fprintf(stderr, "note: first synth with the package cache %s: the jsii runtime unpacks cdktf and the AWS provider (about 250 MB) into it first, which takes a minute or two; later synths take about a second\n", cache.Root())
	}
	report, err := synthesize(dir, func(app cdktf.App) error { return stacks.All(app, s) })
	var kernel *outdir.PanicError
	cache.Finish(err != nil, errors.As(err, &kernel))
	if err != nil {
		fmt.Fprintf(stderr, "error: synthesis failed, %s is unchanged:\n%v\n", dir, err)
		return 1
	}
	from := ""
	if dir != defaultOutdir {
		from = " (the directory " + outdirEnv + " names)"
	}
	fmt.Fprintf(stdout, "synthesized the stacks %s into %s/stacks/%s; review: %s\n", strings.Join(stacks.Names(s), ", "), dir, from, filepath.Join(dir, ReviewFile))
	longest := 0
	for _, u := range s.AuditUsers {
		longest = max(longest, len(u))
	}
	fmt.Fprintf(stdout, "auditors: %d; the audit role's trust policy has room for %d more with names of up to %d characters (IAM's default quota of %d characters for a role's trust policy)\n",
		len(s.AuditUsers), auditors.Room(s.AuditUsers, longest), longest, auditors.MaxTrustPolicyLength)
	for _, f := range report.Advised() {
		fmt.Fprintf(stdout, "note: %s; to fix it: %s\n", f, f.Check.Advice)
	}
	for _, c := range check.Choices(report.Stacks) {
		fmt.Fprintf(stderr, "warning: %s choice: %s; %s\n", c.Kind, c.What, c.Undo)
	}
	return 0
}

// synthesize adds the stacks to a new app with build, synthesizes them
// into a staging directory, runs the checks (package check) on the result
// and writes the review report. dir is replaced only if all of that
// succeeds: a construct error, a blocking check failure, an error cdktf
// recorded or a jsii kernel panic (an *outdir.PanicError) leaves it as it
// was.
func synthesize(dir string, build func(app cdktf.App) error) (*check.Report, error) {
	var report *check.Report
	err := outdir.Replace(dir, func(staging string) error {
		app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(staging)})
		if err := build(app); err != nil {
			return err
		}
		app.Synth()
		var err error
		if report, err = check.Gate(staging); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(staging, ReviewFile))
		if err != nil {
			return err
		}
		defer f.Close()
		return review.Write(f, report, nil)
	})
	return report, err
}

// runReview prints the review report of the last synth, with the results
// of the scanners given by flags.
func runReview(args []string, stdout, stderr io.Writer) int {
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
	synthesized, err := check.Load(outputDir())
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
func reviewChange(baseDir, overridesFile string, planFiles []string, head *check.Output, stdout, stderr io.Writer) int {
	var problems []error
	base := head
	if baseDir != "" {
		var err error
		if base, err = check.Load(baseDir); err != nil {
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

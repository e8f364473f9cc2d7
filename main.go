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
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/auditors"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/cli"
	"github.com/cle2wa/audit-trail/internal/commands"
	"github.com/cle2wa/audit-trail/internal/jsiicache"
	"github.com/cle2wa/audit-trail/internal/outdir"
	"github.com/cle2wa/audit-trail/internal/review"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
)

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

// runners are the commands' code by name; cli.Commands describes them.
var runners = map[string]func(args []string, stdout, stderr io.Writer) int{
	cli.Review.Name:       commands.Review,
	cli.ValidateLogs.Name: commands.ValidateLogs,
	cli.Verify.Name:       commands.Verify,
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
	dir := commands.OutputDir()
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
	if dir != commands.DefaultOutdir {
		from = " (the directory " + commands.OutdirEnv + " names)"
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

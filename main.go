// Command audit-trail synthesizes the audit-grade CloudTrail stacks into
// cdktf.out/stacks/: "audit" (the trail, its buckets, key and auditors),
// "state" (the bucket for remote state) and "exports" (the audit stack's
// values for other stacks), from the settings in cdktf.json, and writes
// the review report cdktf.out/REVIEW.md. Run it with `go run .` or
// `cdktf synth`; `go run . review` prints the report of the last synth.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/guard"
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

func main() {
	// The jsii kernel's environment is fixed when the Go packages
	// initialize, before main: run again with the project's own package
	// cache, where the provider loads lazily (package jsiicache).
	if env := jsiicache.ExecEnv(); env != nil {
		reexec(env)
	}
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	jsii.Close()
	os.Exit(code)
}

// reexec runs the same program again in env and never returns: it
// replaces the process where the system can (see exec_*.go).
func reexec(env []string) {
	exe, err := os.Executable()
	if err == nil {
		jsii.Close()
		err = execSelf(exe, os.Args, env)
	}
	fmt.Fprintf(os.Stderr, "error: running the app again with its package cache: %v (set %s=off to skip that step)\n", err, jsiicache.OffEnv)
	os.Exit(1)
}

// outputDir is the synthesis output directory.
func outputDir() string {
	if env := os.Getenv("CDKTF_OUTDIR"); env != "" {
		return env
	}
	return defaultOutdir
}

// run runs the command line args and returns the exit status. Problems go
// to stderr; a failed synth leaves the previous output untouched.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "review" {
		return runReview(args[1:], stdout, stderr)
	}
	if len(args) > 0 {
		fmt.Fprintf(stderr, "error: unknown command %q; run without arguments to synthesize, or `review` to print the review report\n", strings.Join(args, " "))
		return 2
	}
	s, err := settings.Load("cdktf.json")
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	dir := outputDir()
	root, ownCache := jsiicache.Owned()
	lazy := ownCache && os.Getenv(jsiicache.OffEnv) != "off"
	if err := synthesize(dir, func(app cdktf.App) error { return stacks.All(app, s) }); err != nil {
		var kernel *outdir.PanicError
		if errors.As(err, &kernel) && lazy && !stackError(err) && jsiicache.Restore(root) {
			// The jsii kernel failed, and the lazy provider index may be at
			// fault: run again with the usual one.
			fmt.Fprintf(stderr, "note: the synth failed with the lazy provider index; running again without it\n")
			reexec(append(os.Environ(), jsiicache.OffEnv+"=off", jsiicache.FallbackEnv+"=1"))
		}
		fmt.Fprintf(stderr, "error: synthesis failed, %s is unchanged:\n%v\n", dir, err)
		return 1
	}
	switch {
	case lazy:
		// Errors only cost speed: the next synth loads the provider eagerly.
		jsiicache.Patch(root)
	case ownCache && os.Getenv(jsiicache.FallbackEnv) == "1":
		// The usual index worked where the lazy one failed: keep to it.
		jsiicache.Disable(root, "a synth failed with the lazy provider index and succeeded without it")
	}
	fmt.Fprintf(stdout, "synthesized the stacks %s into %s/stacks/; review: %s\n", strings.Join(stacks.Names(s), ", "), dir, filepath.Join(dir, ReviewFile))
	return 0
}

// stackError reports whether a synth failed on the stacks themselves (a
// failed validation or a broken guard rule), not in the jsii kernel.
func stackError(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Validation failed with the following errors") || strings.Contains(msg, "Encountered Annotations with level")
}

// synthesize adds the stacks to a new app with build, checks them with
// the guard rules, synthesizes them into dir and writes the review report.
// dir is replaced only if all of that succeeds: a construct error, a
// broken guard rule, a failed synth-time validation or a jsii error leaves
// it as it was.
func synthesize(dir string, build func(app cdktf.App) error) error {
	return outdir.Replace(dir, func(staging string) error {
		app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(staging)})
		if err := build(app); err != nil {
			return err
		}
		guard.Apply(app)
		app.Synth()
		synthesized, err := review.Load(staging)
		if err != nil {
			return err
		}
		// The cdktf CLI sets CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS, so
		// errors (broken guard rules among them) may only be recorded: they
		// fail the synth all the same.
		if broken := review.Errors(synthesized); len(broken) > 0 {
			var lines []string
			for _, a := range broken {
				lines = append(lines, "  "+a.String())
			}
			return errors.New(strings.Join(lines, "\n"))
		}
		f, err := os.Create(filepath.Join(staging, ReviewFile))
		if err != nil {
			return err
		}
		defer f.Close()
		return review.Write(f, synthesized, nil)
	})
}

// runReview prints the review report of the last synth, with the results
// of the scanners given by flags.
func runReview(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("review", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var trivy, tfsec []string
	flags.Func("trivy", "a `file` of trivy config JSON results (trivy config -f json) to include; repeatable", func(f string) error { trivy = append(trivy, f); return nil })
	flags.Func("tfsec", "a `file` of tfsec JSON results (tfsec -f json) to include; repeatable", func(f string) error { tfsec = append(tfsec, f); return nil })
	trivyIgnore := flags.String("trivyignore", ".trivyignore", "the committed list of ignored findings, with reasons")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	synthesized, err := review.Load(outputDir())
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	scans, err := review.LoadScans(trivy, tfsec, *trivyIgnore)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	if err := review.Write(stdout, synthesized, scans); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	return 0
}

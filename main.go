// Command audit-trail synthesizes the audit-grade CloudTrail stacks into
// cdktf.out/stacks/: "audit" (the trail, its buckets, key and auditors),
// "state" (the bucket for remote state) and "exports" (the audit stack's
// values for other stacks), from the settings in cdktf.json. Run it with
// `go run .` or `cdktf synth`.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/outdir"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
)

// defaultOutdir is where `go run .` writes; the cdktf CLI sets CDKTF_OUTDIR.
const defaultOutdir = "cdktf.out"

func main() {
	code := run(os.Stdout, os.Stderr)
	jsii.Close()
	os.Exit(code)
}

// run synthesizes the app and returns the exit status. Problems go to
// stderr; a failed run leaves the previous output untouched.
func run(stdout, stderr io.Writer) int {
	s, err := settings.Load("cdktf.json")
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	dir := defaultOutdir
	if env := os.Getenv("CDKTF_OUTDIR"); env != "" {
		dir = env
	}
	err = synthesize(dir, func(app cdktf.App) error { return stacks.All(app, s) })
	if err != nil {
		fmt.Fprintf(stderr, "error: synthesis failed, %s is unchanged:\n%v\n", dir, err)
		return 1
	}
	fmt.Fprintf(stdout, "synthesized the stacks %s into %s/stacks/\n", strings.Join(stacks.Names(s), ", "), dir)
	return 0
}

// synthesize adds the stacks to a new app with build and synthesizes it
// into dir. dir is replaced only if both succeed; a construct error, a
// failed synth-time validation or a jsii error leaves it as it was.
func synthesize(dir string, build func(app cdktf.App) error) error {
	return outdir.Replace(dir, func(staging string) error {
		app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(staging)})
		if err := build(app); err != nil {
			return err
		}
		app.Synth()
		return nil
	})
}

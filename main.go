// Command audit-trail synthesizes the audit-grade CloudTrail stack: a
// Terraform JSON configuration in cdktf.out/stacks/audit, built from the
// settings in cdktf.json. Run it with `go run .` or `cdktf synth`.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/auditstack"
	"github.com/cle2wa/audit-trail/internal/outdir"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// defaultOutdir is where `go run .` writes; the cdktf CLI sets CDKTF_OUTDIR.
const defaultOutdir = "cdktf.out"

func main() {
	os.Exit(run(os.Stdout, os.Stderr))
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
	err = outdir.Replace(dir, func(staging string) error {
		defer jsii.Close()
		app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(staging)})
		if _, err := auditstack.New(app, s); err != nil {
			return err
		}
		app.Synth()
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "error: synthesis failed, %s is unchanged:\n%v\n", dir, err)
		return 1
	}
	fmt.Fprintf(stdout, "synthesized stack %q into %s/stacks/%s\n", auditstack.Name, dir, auditstack.Name)
	return 0
}

// Command audit-trail synthesizes the audit-grade CloudTrail stacks into
// cdktf.out/stacks/: "audit" (the trail, its buckets, key and auditors),
// "state" (the bucket for remote state) and "exports" (the audit stack's
// values for other stacks), from the settings in cdktf.json, and writes
// the review report cdktf.out/REVIEW.md. Run it with `go run .` or
// `cdktf synth`; `go run . review` prints the report of the last synth.
package main

import (
	_ "embed"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aws/jsii-runtime-go"

	"github.com/cle2wa/audit-trail/internal/cli"
	"github.com/cle2wa/audit-trail/internal/commands"
	"github.com/cle2wa/audit-trail/internal/kernelenv"
)

// helpText is the one-page command reference, the file help.
//
//go:embed help
var helpText string

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		// Only the synth loads jsii.
		kernelenv.Start(os.Stderr)
	}
	code := run(args, os.Stdout, os.Stderr)
	jsii.Close()
	os.Exit(code)
}

// runners are the commands' code by name; cli.Commands describes them.
var runners = map[string]func(args []string, stdout, stderr io.Writer) int{
	cli.Review.Name:       commands.Review,
	cli.ValidateLogs.Name: commands.ValidateLogs,
	cli.Verify.Name:       commands.Verify,
}

// run runs the command line args and returns the exit status: the
// command reference, a command, or (without arguments) the synth.
func run(args []string, stdout, stderr io.Writer) int {
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
	return commands.Synth(stdout, stderr)
}

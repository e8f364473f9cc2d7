// Package commands holds the code of the app's commands: the synth (Synth,
// the default), review, validate-logs and verify. Package main only
// dispatches to them; internal/cli describes them (usage, flags, exit
// statuses) for every -h, the help page and the README.
package commands

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cle2wa/audit-trail/internal/cloud"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// DefaultOutdir is where `go run .` writes; the cdktf CLI sets CDKTF_OUTDIR.
const DefaultOutdir = "cdktf.out"

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

// OutdirEnv is the variable in which the cdktf CLI names the output
// directory.
const OutdirEnv = "CDKTF_OUTDIR"

// OutputDir is the synthesis output directory: CDKTF_OUTDIR, else
// cdktf.out. Whatever it names, a synth replaces it only if it is new,
// empty or an earlier output (package outdir).
func OutputDir() string {
	if env := os.Getenv(OutdirEnv); env != "" {
		return env
	}
	return DefaultOutdir
}

// loadSettings reads the settings, or says on stderr why it cannot.
func loadSettings(stderr io.Writer) (settings.Settings, bool) {
	s, err := settings.Load("cdktf.json")
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return s, false
	}
	return s, true
}

// connect makes the AWS clients for the stack's region with the caller's
// credentials, or says on stderr why it cannot.
func connect(s settings.Settings, stderr io.Writer) (*cloud.Clients, bool) {
	clients, err := cloud.New(context.Background(), s.Region, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\nRun it as the audit role: docs/commands.md, \"Running as the audit role\".\n", err)
		return nil, false
	}
	return clients, true
}

// Package cli is the one table of the app's commands: each command's
// name, purpose, usage, what it does and its exit statuses. Each
// command's -h is made from it, and the help page and the README's
// command reference are tested against it (as Go's cmd/go tests its own
// documentation), so that the four descriptions of a command cannot drift
// apart.
package cli

import (
	"flag"
	"fmt"
	"strings"
)

// Exit is an exit status and what it means.
type Exit struct {
	Code    int
	Meaning string
}

// Command is one command of the app.
type Command struct {
	// Name is the first argument that runs it ("" for the synth).
	Name string
	// Synopsis is its usage after "go run .".
	Synopsis string
	// Purpose is one line of what it is for.
	Purpose string
	// About is what -h says it does.
	About string
	// Exits are its exit statuses, 0 first.
	Exits []Exit
}

// cannotStart is the exit status of a command that cannot start.
var cannotStart = Exit{2, "it cannot start: bad flags or arguments, settings, or no AWS credentials"}

// The commands.
var (
	Synth = Command{
		Synopsis: "",
		Purpose:  "synthesize the stacks into cdktf.out/ and write REVIEW.md (no AWS account needed)",
		About: `Synthesizes the stacks audit, state and exports from the settings in cdktf.json into
cdktf.out/stacks/, runs the checks on the result, and writes the review report
cdktf.out/REVIEW.md. A failed synthesis leaves the previous output as it was.`,
		Exits: []Exit{
			{0, "the stacks are synthesized"},
			{1, "the settings are invalid, a blocking check fails, or the synthesis fails (the previous output is unchanged)"},
			{2, "an unknown command"},
		},
	}
	Review = Command{
		Name:     "review",
		Synopsis: "review [-trivy F] [-tfsec F] [-kics F] [-base DIR] [-plan F]",
		Purpose:  "print the review report of the last synth, or with -base the pull-request comment",
		About: `Prints the review report of the last synthesis (cdktf.out): controls, checks, every
resource and policy statement, the access matrix, the coverage of the actions, with
the scanners' results given by -trivy, -tfsec and -kics and their committed
explanations. With -base DIR (or -plan), prints instead the pull-request comment:
what changed against another synthesis and who can apply each change.`,
		Exits: []Exit{
			{0, "the report or comment is printed"},
			{1, "a file cannot be read, or a change destroys or replaces evidence, or no deployer can apply it, without a reasoned override"},
			{2, "bad flags or arguments"},
		},
	}
	ValidateLogs = Command{
		Name:     "validate-logs",
		Synopsis: "validate-logs -start TIME [-end TIME] [flags]",
		Purpose:  "validate the digests and log files of a range, as aws cloudtrail validate-logs does and more",
		About: `Validates the trail's digest files and every log file they list, between -start and
-end, as aws cloudtrail validate-logs does, and also each digest's link to the one
before it, the digests of every enabled region and member account, the buckets the
trail delivered to before, and that nothing else is in the digest tree. One line per
invalid or missing file or foreign object, then a summary; progress on stderr. With
-json, one JSON object a line and the result last; -merge FILE... sums such results
of shards (of regions, accounts) into one verdict. Run it as the audit role.`,
		Exits: []Exit{
			{0, "everything in the range is valid"},
			{1, "a file is invalid or missing, a foreign object is in the digest tree, the digests do not cover the range, or nothing was found"},
			{3, "the validation could not run (an AWS error: no verdict on the evidence)"},
			cannotStart,
		},
	}
	Verify = Command{
		Name:     "verify",
		Synopsis: "verify [-json] [-max-digest-age 2h] [-role NAME]",
		Purpose:  "check the deployed trail against the last synthesis, attribute by attribute",
		About: `Checks the deployed trail against the last synthesis (cdktf.out), as the caller
(run it as the audit role): every attribute the audit stack sets, the trail's logging
and delivery, drift of every policy, and who can read the evidence. One line per
check: PASS, FAIL, or ERROR when the check could not be made (the line names the
missing permission). With accounts (the log-archive layout), run it from the
management account: it assumes -role (default accounts.roleName) in the log-archive
and security accounts and checks each account's stacks there.`,
		Exits: []Exit{
			{0, "every check passes"},
			{1, "a check fails"},
			{3, "none fails, but a check could not be made (no verdict)"},
			{2, "it cannot start: no synthesis, settings that differ from it, bad flags, or no AWS credentials"},
		},
	}
	Help = Command{
		Name:     "help",
		Synopsis: "help",
		Purpose:  "print the command reference",
		Exits:    []Exit{{0, "printed"}},
	}
)

// Commands are the commands in the order the help page gives them.
var Commands = []Command{Help, Synth, Review, ValidateLogs, Verify}

// Names are the names of the commands that take one, for messages.
func Names() []string {
	var out []string
	for _, c := range Commands {
		if c.Name != "" {
			out = append(out, c.Name)
		}
	}
	return out
}

// Usage is the command's -h text: its usage line, what it does, its exit
// statuses and its flags.
func (c Command) Usage(flags *flag.FlagSet) func() {
	return func() {
		w := flags.Output()
		fmt.Fprintf(w, "Usage: go run . %s\n\n%s\n\nExit status:\n", c.Synopsis, c.About)
		for _, e := range c.Exits {
			fmt.Fprintf(w, "  %d  %s\n", e.Code, e.Meaning)
		}
		fmt.Fprintln(w, "\nFlags:")
		flags.PrintDefaults()
	}
}

// FlagNames reads the flag names from a -h text (the lines PrintDefaults
// writes, "  -name ...").
func FlagNames(usage string) []string {
	var out []string
	for _, line := range strings.Split(usage, "\n") {
		if rest, ok := strings.CutPrefix(line, "  -"); ok {
			out = append(out, strings.Fields(rest)[0])
		}
	}
	return out
}

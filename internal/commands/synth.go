package commands

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/auditors"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/outdir"
	"github.com/cle2wa/audit-trail/internal/review"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
)

// ReviewFile is the report every synth writes into the output directory.
const ReviewFile = "REVIEW.md"

// Synth synthesizes the stacks of cdktf.json's settings into the output
// directory, and says what it wrote, how much room the auditors have and
// what the checks advise. Problems go to stderr; a failed synth leaves
// the previous output untouched.
func Synth(stdout, stderr io.Writer) int {
	s, err := settings.Load("cdktf.json")
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	dir := OutputDir()
	report, err := Synthesize(dir, func(app cdktf.App) error { return stacks.All(app, s) })
	if err != nil {
		fmt.Fprintf(stderr, "error: synthesis failed, %s is unchanged:\n%v\n", dir, err)
		return 1
	}
	from := ""
	if dir != DefaultOutdir {
		from = " (the directory " + OutdirEnv + " names)"
	}
	fmt.Fprintf(stdout, "synthesized the stacks %s into %s/stacks/%s; review: %s\n", strings.Join(stacks.Names(s), ", "), dir, from, filepath.Join(dir, ReviewFile))
	longest := 0
	for _, u := range s.AuditUsers {
		longest = max(longest, len(u))
	}
	users := fmt.Sprintf("%d IAM users", len(s.AuditUsers))
	if len(s.AuditUsers) == 1 {
		users = "1 IAM user"
	}
	switch {
	case s.Accounts != nil:
		fmt.Fprintf(stdout, "auditors: %s, on the security account's path %s, which the audit role trusts whatever their number\n", users, stacks.AuditorsPath)
	case len(s.AuditUsers) > 0:
		fmt.Fprintf(stdout, "auditors: %s; the audit role's trust policy has room for %d more with names of up to %d characters (IAM's default quota of %d characters for a role's trust policy)\n",
			users, auditors.Room(s.AuditUsers, longest, s.PermissionSet()), longest, auditors.MaxTrustPolicyLength)
	}
	if ic := s.IdentityCenter; ic != nil {
		fmt.Fprintf(stdout, "auditors: IAM Identity Center's permission set %s, assigned to %d of the Identity Store's groups and users; Identity Center's sign-in settings decide MFA\n", ic.PermissionSet, len(ic.Groups)+len(ic.Users))
	}
	for _, f := range report.Advised() {
		fmt.Fprintf(stdout, "note: %s; to fix it: %s\n", f, f.Check.Advice)
	}
	for _, c := range check.Choices(report.Stacks) {
		fmt.Fprintf(stderr, "warning: %s choice: %s; %s\n", c.Kind, c.What, c.Undo)
	}
	return 0
}

// Synthesize adds the stacks to a new app with build, synthesizes them
// into a staging directory, runs the checks (package check) on the result
// and writes the review report. dir is replaced only if all of that
// succeeds: a construct error, a blocking check failure, an error cdktf
// recorded or a jsii kernel panic (an *outdir.PanicError) leaves it as it
// was.
func Synthesize(dir string, build func(app cdktf.App) error) (*check.Report, error) {
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

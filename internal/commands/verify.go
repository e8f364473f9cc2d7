package commands

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/auditors"
	"github.com/cle2wa/audit-trail/internal/cli"
	"github.com/cle2wa/audit-trail/internal/cloud"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/tfjson"
	"github.com/cle2wa/audit-trail/internal/verify"
)

// sameSettings says whether the settings name the trail and region of the
// synthesis verify compares with: verify reads the names from the
// settings and the expectations from the synthesis.
func sameSettings(audit *tfjson.Doc, s settings.Settings) error {
	var trail string
	if trails := audit.Resources("aws_cloudtrail"); len(trails) > 0 {
		trail, _ = trails[0].Attrs["name"].(string)
	}
	region := verify.Region(audit)
	if trail != s.Names().Trail || region != s.Region {
		return fmt.Errorf("%s was synthesized for trail %q in %s, and cdktf.json now says %q in %s: run `go run .` first", OutputDir(), trail, region, s.Names().Trail, s.Region)
	}
	return nil
}

// MaxDigestAge is the longest -max-digest-age verify accepts.
const MaxDigestAge = 24 * time.Hour

// Verify checks the deployed trail against the last synthesis: one
// line per check, PASS, FAIL or ERROR (not checked) with its evidence,
// and who ran them. Exit 0 when every check passes, 1 when one fails, 3
// when none fails but one could not be made, 2 when verify cannot start.
func Verify(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("verify", flag.ContinueOnError)
	flags.SetOutput(stderr)
	asJSON := flags.Bool("json", false, "print the results as JSON")
	maxAge := flags.Duration("max-digest-age", 2*time.Hour, "the longest `duration` (such as 2h or 90m) since the last digest delivery that passes; CloudTrail delivers one every hour")
	role := flags.String("role", "", "with accounts (the log-archive layout): the `name` of the role verify assumes in the log-archive and security accounts (default: accounts.roleName)")
	flags.Usage = cli.Verify.Usage(flags)
	if code, ok := parseFlags(flags, args); !ok {
		return code
	}
	if !noArguments("verify", flags, stderr) {
		return 2
	}
	if *maxAge <= 0 || *maxAge > MaxDigestAge {
		fmt.Fprintf(stderr, "error: -max-digest-age %s must be more than 0 and at most %s, such as 2h: CloudTrail delivers a digest every hour, so a longer age would pass a trail that stopped delivering days ago\n", *maxAge, MaxDigestAge)
		return 2
	}
	out, err := tfjson.Load(OutputDir())
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 2
	}
	if out.Stack(stacks.AuditName) == nil {
		fmt.Fprintf(stderr, "error: %s has no audit stack (run `go run .` first)\n", OutputDir())
		return 2
	}
	s, ok := loadSettings(stderr)
	if !ok {
		return 2
	}
	if err := sameSettings(out.Stack(stacks.AuditName), s); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 2
	}
	if *role != "" {
		// Every problem of -role at once.
		bad := false
		if err := auditors.ValidateName("role", *role, 64); err != nil {
			fmt.Fprintf(stderr, "error: -role: %v\n", err)
			bad = true
		}
		if s.Accounts == nil {
			fmt.Fprintf(stderr, "error: -role %q is for the log-archive layout (the setting accounts), and cdktf.json has none\n", *role)
			bad = true
		}
		if bad {
			return 2
		}
	}
	clients, ok := connect(s, stderr)
	if !ok {
		return 2
	}
	ctx := context.Background()
	if s.Accounts != nil {
		return verifyLayout(ctx, clients, out, s, cmp.Or(*role, s.Accounts.Role()), verify.Options{MaxDigestAge: *maxAge, Now: time.Now()}, *asJSON, stdout, stderr)
	}
	caller := "unknown (sts:GetCallerIdentity failed)"
	identity, idErr := clients.Identity(ctx)
	if idErr == nil {
		caller = identity.ARN
	}
	c := verifyClients(clients, s)
	audit := out.Stack(stacks.AuditName)
	results := verify.Trail(ctx, c, audit, verify.Options{MaxDigestAge: *maxAge, Now: time.Now()})
	if idErr != nil {
		results = append(results, verify.Result{Check: "DRIFT", Error: true, Evidence: fmt.Sprintf("could not check: the account is unknown (sts:GetCallerIdentity: %v), so the policies cannot be compared", idErr)})
	} else {
		account := verify.Account{Env: arn.Env{Partition: identity.Partition, Account: identity.Account, Region: s.Region}}
		if s.OrganizationTrail {
			// The organization trail's policies name the organization.
			if account.Organization, err = clients.Organization(ctx); err != nil {
				results = append(results, verify.Result{Check: "ORGANIZATION", Error: true,
					Evidence: fmt.Sprintf("could not check: organizations:DescribeOrganization: %v; the statements that name the organization cannot match", err)})
			}
		}
		results = append(results, verify.Drift(ctx, c, audit, account)...)
		names := s.Names()
		results = append(results, verify.Access(ctx, c, verify.Reader{
			CallerARN: identity.ARN, AuditRole: names.Role, Bucket: names.LogBucket, Prefix: s.LogPrefix,
			Env: account.Env, Now: time.Now(),
		}))
	}
	return write(verify.Report{Caller: caller, Against: OutputDir(), Results: results}, *asJSON, stdout, stderr)
}

// write prints the report, as JSON or as text, and returns its exit
// status.
func write(report verify.Report, asJSON bool, stdout, stderr io.Writer) int {
	if asJSON {
		if err := report.JSON(stdout); err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
		}
	} else {
		report.Text(stdout)
	}
	return report.Exit()
}

// verifyClients are verify's clients of c, with IAM Identity Center's in
// its region when the settings s give auditors of Identity Center.
func verifyClients(c *cloud.Clients, s settings.Settings) verify.Clients {
	out := verify.Clients{CloudTrail: c.CloudTrail, KMS: c.KMS, S3: c.S3, IAM: c.IAM, SNS: c.SNS, CloudWatch: c.CloudWatch, Logs: c.Logs}
	if ic := s.IdentityCenter; ic != nil {
		out.SSOAdmin = c.SSOAdmin(ic.RegionOr(s.Region))
	}
	return out
}

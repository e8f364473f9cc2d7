package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/verify"
)

// runVerify checks the deployed trail against the last synthesis: one
// line per check, PASS, FAIL or ERROR (not checked) with its evidence,
// and who ran them. Exit 0 when every check passes, 1 when one fails, 3
// when none fails but one could not be made, 2 when verify cannot start.
func runVerify(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("verify", flag.ContinueOnError)
	flags.SetOutput(stderr)
	asJSON := flags.Bool("json", false, "print the results as JSON")
	maxAge := flags.Duration("max-digest-age", 2*time.Hour, "the longest `time` since the last digest delivery that passes (CloudTrail delivers one every hour)")
	if code, ok := parseFlags(flags, args); !ok {
		return code
	}
	if extra := flags.Args(); len(extra) > 0 {
		fmt.Fprintf(stderr, "error: verify takes flags only, not %q\n", strings.Join(extra, " "))
		return 2
	}
	out, err := check.Load(outputDir())
	if err != nil || out.Stack(stacks.AuditName) == nil {
		fmt.Fprintf(stderr, "error: no synthesized audit stack in %s (run `go run .` first): %v\n", outputDir(), err)
		return 2
	}
	s, clients, ok := connect(stderr)
	if !ok {
		return 2
	}
	ctx := context.Background()
	caller := "unknown (sts:GetCallerIdentity failed)"
	identity, idErr := clients.Identity(ctx)
	if idErr == nil {
		caller = identity.ARN
	}
	c := verify.Clients{CloudTrail: clients.CloudTrail, KMS: clients.KMS, S3: clients.S3, IAM: clients.IAM, SNS: clients.SNS}
	audit := out.Stack(stacks.AuditName)
	results := verify.Trail(ctx, c, audit, verify.Options{MaxDigestAge: *maxAge, Now: time.Now()})
	if idErr != nil {
		results = append(results, verify.Result{Check: "DRIFT", Error: true, Evidence: fmt.Sprintf("could not check: the account is unknown (sts:GetCallerIdentity: %v), so the policies cannot be compared", idErr)})
	} else {
		results = append(results, verify.Drift(ctx, c, audit, verify.Account{Partition: identity.Partition, ID: identity.Account, Region: s.Region})...)
		names := s.Names()
		results = append(results, verify.Access(ctx, c, verify.Reader{
			CallerARN: identity.ARN, AuditRole: names.Role, Bucket: names.LogBucket, Prefix: s.LogPrefix,
			Account: identity.Account, Region: s.Region, Now: time.Now(),
		}))
	}
	failed, unchecked := 0, 0
	for _, r := range results {
		switch r.Status() {
		case "FAIL":
			failed++
		case "ERROR":
			unchecked++
		}
	}
	if *asJSON {
		json.NewEncoder(stdout).Encode(map[string]any{"caller": caller, "results": results, "failed": failed, "errors": unchecked})
	} else {
		fmt.Fprintf(stdout, "Checks of the deployed trail against %s, as %s\n\n", outputDir(), caller)
		for _, r := range results {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", r.Status(), r.Check, r.Evidence)
		}
		fmt.Fprintf(stdout, "\n%d checks, %d failed, %d could not be made\n", len(results), failed, unchecked)
	}
	switch {
	case failed > 0:
		return 1
	case unchecked > 0:
		return 3
	}
	return 0
}

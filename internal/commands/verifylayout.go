package commands

import (
	"context"
	"fmt"
	"io"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/internal/cloud"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/tfjson"
	"github.com/cle2wa/audit-trail/internal/verify"
)

// VerifySession is the session name of verify's sessions in the member
// accounts: CloudTrail records it with each of their calls.
const VerifySession = "audit-trail-verify"

// verifyLayout checks the log-archive layout (settings.Accounts): run
// from the organization's management account, it assumes role in the
// log-archive and security accounts, and checks each account's stacks in
// their account (drift of every attribute and policy, with the
// organization's ID and management account), the trail in the management
// account, and who can read the evidence: the log-archive account's
// session and the management account's caller must both be refused.
func verifyLayout(ctx context.Context, base *cloud.Clients, out *tfjson.Synthesis, s settings.Settings, role string, o verify.Options, asJSON bool, stdout, stderr io.Writer) int {
	identity, err := base.Identity(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "error: sts:GetCallerIdentity: %v\n", err)
		return 2
	}
	organization, management, err := base.Membership(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "error: organizations:DescribeOrganization: %v\nRun verify with credentials of the organization's management account: docs/log-archive.md.\n", err)
		return 2
	}
	if management != identity.Account {
		fmt.Fprintf(stderr, "error: the caller %s is of account %s, not of the organization's management account %s, where the trail is: run verify with credentials of the management account (docs/log-archive.md)\n", identity.ARN, identity.Account, management)
		return 2
	}
	env := func(account string) arn.Env {
		return arn.Env{Partition: identity.Partition, Account: account, Region: s.Region}
	}
	account := func(a string) verify.Account {
		return verify.Account{Env: env(a), Organization: organization, Management: management}
	}
	var results []verify.Result
	// Each member account's clients, as role there; its stacks' checks
	// need them.
	members := map[string]*cloud.Clients{}
	for _, m := range []struct{ stack, account string }{{stacks.SecurityName, s.Accounts.Security}, {stacks.LogArchiveName, s.Accounts.LogArchive}} {
		roleARN := env(m.account).Role(role)
		c, err := base.Assume(ctx, roleARN, VerifySession)
		check := "ACCOUNT " + m.stack
		if err != nil {
			results = append(results, verify.Result{Check: check, Error: true, Evidence: fmt.Sprintf("could not check the %s stack's account %s: %v", m.stack, m.account, err)})
			continue
		}
		who, err := c.Identity(ctx)
		switch {
		case err != nil:
			results = append(results, verify.Result{Check: check, Error: true, Evidence: fmt.Sprintf("could not check: sts:GetCallerIdentity as %s: %v", roleARN, err)})
		case who.Account != m.account:
			results = append(results, verify.Result{Check: check, Evidence: fmt.Sprintf("%s is a session of account %s, not of %s, which the settings name", who.ARN, who.Account, m.account)})
		default:
			members[m.account] = c
			results = append(results, verify.Result{Check: check, Pass: true, Evidence: fmt.Sprintf("the %s stack's account %s, as %s", m.stack, m.account, who.ARN)})
		}
	}
	sdk := func(c *cloud.Clients) verify.Clients { return verifyClients(c, s) }
	audit := out.Stack(stacks.AuditName)
	results = append(results, verify.Trail(ctx, sdk(base), audit, o)...)
	for _, name := range stacks.Names(s) {
		d := out.Stack(name)
		if d == nil || len(d.AllResources()) == 0 || name == stacks.StateName {
			continue
		}
		a, c := identity.Account, base
		switch name {
		case stacks.SecurityName:
			a = s.Accounts.Security
		case stacks.LogArchiveName:
			a = s.Accounts.LogArchive
		}
		if a != identity.Account {
			if c = members[a]; c == nil {
				continue // its ACCOUNT result says why
			}
		}
		results = append(results, verify.Drift(ctx, sdk(c), d, account(a))...)
	}
	// Who can read the evidence: nobody the checks run as. The log
	// archive's session lists and reads (an administrator of the account
	// the evidence is in); the management account's caller reads what it
	// lists (an administrator of the organization).
	names := s.Names()
	if la := members[s.Accounts.LogArchive]; la != nil {
		reader := verify.Reader{AuditRole: names.Role, AuditAccount: s.Accounts.Security, Bucket: names.LogBucket, Prefix: s.LogPrefix, Now: o.Now}
		if who, err := la.Identity(ctx); err == nil {
			r := reader
			r.CallerARN, r.Env, r.Check = who.ARN, env(s.Accounts.LogArchive), "ACCESS-READ-EVIDENCE "+stacks.LogArchiveName
			results = append(results, verify.Access(ctx, sdk(la), r))
		}
		r := reader
		r.CallerARN, r.Env, r.Check, r.Lister = identity.ARN, env(identity.Account), "ACCESS-READ-EVIDENCE management", la.S3
		results = append(results, verify.Access(ctx, sdk(base), r))
	}
	return write(verify.Report{Caller: identity.ARN, Against: OutputDir(), Results: results}, asJSON, stdout, stderr)
}

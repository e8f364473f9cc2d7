package commands

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	awsarn "github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/constructs/trail"
	"github.com/cle2wa/audit-trail/internal/cli"
	"github.com/cle2wa/audit-trail/internal/cloud"
	"github.com/cle2wa/audit-trail/internal/input"
	"github.com/cle2wa/audit-trail/internal/integrity"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// ValidateLogs validates the digest chain and every log file of a time
// range, region by region, as `aws cloudtrail validate-logs` does, and
// prints one line per invalid or missing file and a summary. Exit 0 only
// when everything in the range is valid; 1 when something is not (or
// nothing was found to validate); 3 when validation could not run (an AWS
// error such as access denied: no verdict on the evidence); 2 when it
// cannot start (bad flags or settings, no credentials).
func ValidateLogs(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("validate-logs", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var start, end time.Time
	timeFlag := func(into *time.Time) func(string) error {
		return func(v string) error {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return fmt.Errorf("%q is not an RFC 3339 time such as 2026-11-29T00:00:00Z", v)
			}
			*into = t
			return nil
		}
	}
	flags.Func("start", "the `time` (RFC 3339) from which to validate; required", timeFlag(&start))
	flags.Func("end", "the `time` (RFC 3339) up to which to validate; default: now", timeFlag(&end))
	bucket := flags.String("bucket", "", "the log `bucket`; default: the log bucket the settings name")
	prefix := flags.String("prefix", "", "the log files' key `prefix`; default: logPrefix of the settings")
	arn := flags.String("trail-arn", "", "the trail's `ARN`; default: the settings' trail in the caller's account (with accounts: in the organization's management account)")
	organization := flags.String("organization", "", "for an organization trail, the organization `ID` (o-...)")
	var accounts []string
	flags.Func("account", "an `account` whose files to validate; repeatable; default: the trail's (an organization trail: every account)", func(v string) error {
		accounts = append(accounts, v)
		return nil
	})
	var regions []string
	flags.Func("region", "a source `region` to validate; repeatable; default: every enabled region and every region with digests", func(v string) error {
		regions = append(regions, v)
		return nil
	})
	verbose := flags.Bool("v", false, "also print every valid file")
	asJSON := flags.Bool("json", false, "print one JSON object a line: each problem, then the result (shards' results merge with -merge)")
	merge := flags.Bool("merge", false, "sum the -json outputs of shards, the `files` given as arguments, into one verdict")
	flags.Usage = cli.ValidateLogs.Usage(flags)
	if code, ok := parseFlags(flags, args); !ok {
		return code
	}
	if *merge {
		return mergeShards(flags.Args(), stdout, stderr)
	}
	if !noArguments("validate-logs", flags, stderr) {
		return 2
	}
	if problems := checkValidateLogsFlags(&start, &end, time.Now().UTC(), *bucket, *prefix, *arn, *organization, accounts, regions); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "error: %s\n", p)
		}
		return 2
	}
	s, ok := loadSettings(stderr)
	if !ok {
		return 2
	}
	clients, ok := connect(s, stderr)
	if !ok {
		return 2
	}
	ctx := context.Background()
	if *arn == "" {
		caller, err := clients.Identity(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "error: who is calling (sts:GetCallerIdentity): %v\n", err)
			return 3
		}
		owner := caller.Account
		if s.Accounts != nil {
			// The log-archive layout: the audit role is the security
			// account's, the trail the management account's, which
			// DescribeOrganization names to any account of the
			// organization.
			if _, owner, err = clients.Membership(ctx); err != nil {
				fmt.Fprintf(stderr, "error: the trail is the organization's management account's, which could not be read (organizations:DescribeOrganization): %v; give -trail-arn (the exports stack's output trail_arn)\n", err)
				return 3
			}
		}
		*arn = awsarn.Env{Partition: caller.Partition, Account: owner, Region: s.Region}.Trail(s.Names().Trail)
	}
	home, trailName, ok := awsarn.ParseTrail(*arn)
	if !ok {
		fmt.Fprintf(stderr, "error: -trail-arn %q is not a trail ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>)\n", *arn)
		return 2
	}
	cfg := integrity.Config{
		Bucket: *bucket, Prefix: *prefix, Organization: *organization, Accounts: accounts,
		Trail: trailName, HomeRegion: home.Region, Regions: regions, Start: start, End: end,
	}
	if cfg.Bucket == "" {
		cfg.Bucket = s.Names().LogBucket
		if cfg.Prefix == "" {
			cfg.Prefix = s.LogPrefix
		}
	}
	if s.OrganizationTrail && cfg.Organization == "" {
		// An organization trail's files are under the organization's
		// folder: AWSLogs/<organization ID>/<account ID>/.
		org, err := clients.Organization(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "error: the trail is an organization trail, and its organization could not be read (organizations:DescribeOrganization): %v; give -organization <o-...> (the stack's output organization_id)\n", err)
			return 3
		}
		cfg.Organization = org
	}
	if cfg.Organization == "" && len(cfg.Accounts) == 0 {
		cfg.Accounts = []string{home.Account}
	}
	warnings := expect(ctx, clients, *arn, &cfg)
	var rep integrity.Reporter = &cliReporter{out: stdout, progress: stderr, verbose: *verbose}
	if *asJSON {
		rep = &jsonReporter{out: json.NewEncoder(stdout), verbose: *verbose}
	} else {
		fmt.Fprintf(stdout, "Validating log files for trail %s between %s and %s\n\n", *arn, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
		for _, w := range warnings {
			fmt.Fprintf(stdout, "NOTE: %s\n", w)
		}
	}
	// The heap stays far below this; the Go runtime collects harder
	// before it reaches it, so the peak does not wander up to twice
	// the live heap (GOMEMLIMIT overrides it).
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(memoryLimit))
	}
	sum, err := integrity.Validate(ctx, cfg, cloud.Store{Client: clients.S3}, cloud.Keys{Client: clients.CloudTrail}, rep)
	if err != nil {
		fmt.Fprintf(stderr, "error: validation stopped, no verdict on the evidence: %v\n", err)
		return 3
	}
	code := 0
	if !sum.Valid() {
		code = 1
	}
	if *asJSON {
		json.NewEncoder(stdout).Encode(shardResult{Trail: *arn, Start: start.UTC(), End: end.UTC(), Summary: sum, Notes: warnings, Exit: code})
	} else {
		writeSummary(stdout, start, end, sum)
	}
	return code
}

// memoryLimit is validate-logs' soft memory limit: one digest of at most
// integrity.MaxInflated is read at a time, and log files are streamed.
const memoryLimit = 160 << 20

// expect sets the regions and accounts that must have digests in the
// range, as far as the caller may read them: a multi-region trail logs
// "all AWS Regions that are enabled in your account", a single-region
// trail its home region, an organization trail every account of the
// organization from when it joined. It returns a note for each that
// could not be read.
func expect(ctx context.Context, clients *cloud.Clients, arn string, cfg *integrity.Config) []string {
	var notes []string
	cfg.KnownRegion = settings.KnownRegion
	if len(cfg.Regions) == 0 {
		// A trail that cannot be read (deleted since, or the caller may
		// not) is taken as this project makes it: multi-region.
		multiRegion, err := clients.MultiRegion(ctx, arn)
		if err != nil {
			notes = append(notes, fmt.Sprintf("the trail could not be read (cloudtrail:GetTrail: %v): taken as a multi-region trail", err))
			multiRegion = true
		}
		regions, byDefault, err := clients.Regions(ctx)
		switch {
		case !multiRegion:
			cfg.ExpectRegions = []string{cfg.HomeRegion}
		case err != nil:
			notes = append(notes, fmt.Sprintf("the account's enabled regions could not be read (account:ListRegions: %v): only %s must have digests, so a region whose digests were all deleted is not noticed; give -region for each region to require", err, cfg.HomeRegion))
			cfg.ExpectRegions = []string{cfg.HomeRegion}
		case cfg.Organization != "":
			// The member accounts' opt-in regions are theirs to enable:
			// the regions every account has are required.
			cfg.ExpectRegions = byDefault
		default:
			cfg.ExpectRegions = regions
		}
		if err == nil {
			cfg.KnownRegion = func(r string) bool { return slices.Contains(regions, r) || settings.KnownRegion(r) }
		}
	}
	if cfg.Organization != "" && len(cfg.Accounts) == 0 {
		accounts, err := clients.Accounts(ctx, cfg.End)
		if err != nil {
			notes = append(notes, fmt.Sprintf("the organization's accounts could not be read (organizations:ListAccounts: %v): only the accounts with folders are validated, so an account whose digests were all deleted is not noticed; give -account for each account to require", err))
		} else {
			cfg.ExpectAccounts, cfg.Joined = slices.Sorted(maps.Keys(accounts)), accounts
		}
	}
	return notes
}

// shardResult is the last line of validate-logs -json: what one run (a
// shard of regions and accounts) checked. Shards' results merge with
// validate-logs -merge.
type shardResult struct {
	Trail   string            `json:"trail"`
	Start   time.Time         `json:"start"`
	End     time.Time         `json:"end"`
	Summary integrity.Summary `json:"summary"`
	Notes   []string          `json:"notes,omitempty"`
	Exit    int               `json:"exit"`
}

// maxShards bounds -merge's arguments, and maxResultLine a line of a
// shard's output.
const (
	maxShards     = 10000
	maxResultLine = 4 << 20
)

// mergeShards reads the -json outputs of validate-logs shards (one JSON
// object a line, the last the shard's result), checks that they are of
// one trail and range, and prints their sum. Exit 0 when every shard was
// valid, 1 when one was not, 3 when one has no result (it stopped), 2 for
// a file that cannot be read or shards of different trails or ranges.
func mergeShards(paths []string, stdout, stderr io.Writer) int {
	if len(paths) == 0 || len(paths) > maxShards {
		fmt.Fprintf(stderr, "error: -merge takes 1 to %d files, the -json outputs of validate-logs; found %d\n", maxShards, len(paths))
		return 2
	}
	var first *shardResult
	var total integrity.Summary
	// Every file is read, and every problem said, before the exit.
	code := 0
	for _, path := range paths {
		r, err := lastResult(path)
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "error: %s: %v\n", path, err)
			if errors.Is(err, errNoResult) {
				if code == 0 {
					code = 3
				}
			} else {
				code = 2
			}
			continue
		case first == nil:
			first = r
		case r.Trail != first.Trail || !r.Start.Equal(first.Start) || !r.End.Equal(first.End):
			fmt.Fprintf(stderr, "error: %s is of %s from %s to %s, and the first shard of %s from %s to %s: merge shards of one trail and range\n",
				path, r.Trail, r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339), first.Trail, first.Start.Format(time.RFC3339), first.End.Format(time.RFC3339))
			code = 2
			continue
		}
		total = total.Add(r.Summary)
	}
	if code != 0 {
		return code // 2: a file that cannot be read or is of another range; 3: a shard stopped
	}
	fmt.Fprintf(stdout, "Merged %d shard(s) of trail %s\n", len(paths), first.Trail)
	writeSummary(stdout, first.Start, first.End, total)
	if !total.Valid() {
		return 1
	}
	return 0
}

// errNoResult is a shard's output without its result line.
var errNoResult = errors.New("no result line: the shard stopped before its verdict (exit status 3), so it proves nothing")

// lastResult reads a shard's output line by line and returns its last
// line, the result.
func lastResult(path string) (*shardResult, error) {
	f, err := input.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	lines.Buffer(make([]byte, 64<<10), maxResultLine)
	var last []byte
	for lines.Scan() {
		last = append(last[:0], lines.Bytes()...)
	}
	if err := lines.Err(); err != nil {
		return nil, err
	}
	var r shardResult
	if err := json.Unmarshal(last, &r); err != nil || r.Trail == "" {
		return nil, errNoResult
	}
	return &r, nil
}

// jsonReporter writes one JSON object a line: each problem, gap and
// (with -v) valid file.
type jsonReporter struct {
	out     *json.Encoder
	verbose bool
}

func (r *jsonReporter) Invalid(p integrity.Problem) {
	r.out.Encode(map[string]any{"kind": p.Kind, "location": "s3://" + p.Bucket + "/" + p.Key, "reason": p.Reason, "beyondTheAWSCLI": p.Beyond})
}

func (r *jsonReporter) Valid(kind, bucket, key string) {
	if r.verbose {
		r.out.Encode(map[string]any{"kind": kind, "location": "s3://" + bucket + "/" + key, "valid": true})
	}
}

func (r *jsonReporter) Gap(region, from, to string) {
	r.out.Encode(map[string]any{"gap": map[string]string{"region": region, "from": from, "to": to}})
}

func (r *jsonReporter) Progress(string, time.Time) {}

// Bounds of validate-logs' flags.
var (
	// CloudTrailLaunch is the day CloudTrail launched: no log file is
	// older.
	CloudTrailLaunch = time.Date(2013, 11, 13, 0, 0, 0, 0, time.UTC)
	// organizationID and accountID are the formats of Organizations'
	// IDs (API Reference, Organization: ^o-[a-z0-9]{10,32}$) and of an
	// account ID.
	organizationID = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	accountID      = regexp.MustCompile(`^[0-9]{12}$`)
)

// checkValidateLogsFlags checks every flag of validate-logs before any AWS
// call and returns every problem, each naming the flag and the value;
// it sets end to now when it is not given.
func checkValidateLogsFlags(start, end *time.Time, now time.Time, bucket, prefix, arn, organization string, accounts, regions []string) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	switch {
	case start.IsZero():
		add("-start is required, for example -start %s", now.Add(-24*time.Hour).Format("2006-01-02T15:04:05Z"))
	case start.Before(CloudTrailLaunch):
		add("-start %s is before CloudTrail existed (%s)", start.Format(time.RFC3339), CloudTrailLaunch.Format("2006-01-02"))
	case !start.Before(now):
		add("-start %s is in the future (-end defaults to now)", start.Format(time.RFC3339))
	}
	if end.IsZero() {
		*end = now
	} else if end.After(now.Add(time.Hour)) {
		add("-end %s is in the future: no digest covers it yet", end.Format(time.RFC3339))
	}
	if !start.IsZero() && start.After(*end) {
		add("-start %s must not be after -end %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	if bucket != "" {
		if err := logbucket.ValidateName(bucket); err != nil {
			add("-bucket %q is not an S3 bucket name: %v", bucket, err)
		}
	}
	if err := trail.ValidateKeyPrefix(prefix); err != nil {
		add("-prefix %v", err)
	}
	if arn != "" {
		if env, name, ok := awsarn.ParseTrail(arn); !ok {
			add("-trail-arn %q is not a trail ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>)", arn)
		} else if !settings.KnownRegion(env.Region) || settings.PartitionOf(env.Region) != env.Partition || trail.ValidateName(name) != nil {
			add("-trail-arn %q names no trail that can exist: its partition, region and name must be a known region's and a trail name", arn)
		}
	}
	if organization != "" && !organizationID.MatchString(organization) {
		add("-organization %q is not an organization ID (o- and 10 to 32 lower-case letters or digits)", organization)
	}
	for _, account := range accounts {
		if !accountID.MatchString(account) {
			add("-account %q is not an account ID (12 digits)", account)
		}
	}
	for _, r := range regions {
		if !settings.KnownRegion(r) {
			add("-region %q is not an AWS region the pinned provider knows (such as us-east-1)", r)
		}
	}
	return problems
}

// cliReporter prints the results as the AWS CLI does: a line per invalid
// file (and, with -v, per valid one), tab-separated; progress goes to
// another stream.
type cliReporter struct {
	out, progress io.Writer
	verbose       bool
	// lastDay is the day last reported of each account and region
	// (several are validated at once).
	lastDay map[string]string
}

func (r *cliReporter) Invalid(p integrity.Problem) {
	line := p.String()
	if p.Beyond {
		line += " (not checked by aws cloudtrail validate-logs)"
	}
	fmt.Fprintln(r.out, line)
}

func (r *cliReporter) Valid(kind, bucket, key string) {
	if r.verbose {
		fmt.Fprintf(r.out, "%s\ts3://%s/%s\tvalid\n", kind, bucket, key)
	}
}

func (r *cliReporter) Gap(region, from, to string) {
	fmt.Fprintf(r.out, "No log files were delivered by CloudTrail between %s and %s (%s: a new chain of digests started, as after logging was stopped)\n", from, to, region)
}

// Progress prints one line per region and day reached.
func (r *cliReporter) Progress(region string, end time.Time) {
	day := end.UTC().Format("2006-01-02")
	if r.lastDay == nil {
		r.lastDay = map[string]string{}
	}
	if r.lastDay[region] != day {
		r.lastDay[region] = day
		fmt.Fprintf(r.progress, "validating %s %s\n", region, day)
	}
}

// writeSummary prints what was checked and what was valid.
func writeSummary(w io.Writer, start, end time.Time, sum integrity.Summary) {
	fmt.Fprintf(w, "\nResults requested for %s to %s\n", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	if sum.Digests == 0 {
		fmt.Fprintln(w, "No digests found: nothing proves the range (check -bucket, -prefix, -region, -account and -organization)")
		return
	}
	if sum.FoundStart != "" {
		fmt.Fprintf(w, "Results found for %s to %s in %s:\n", sum.FoundStart, sum.FoundEnd, strings.Join(sum.Regions, ", "))
	}
	ratio := func(valid, invalid int, name string) {
		total := valid + invalid
		fmt.Fprintf(w, "\n%d/%d %s files valid", valid, total, name)
		if invalid > 0 {
			fmt.Fprintf(w, ", %d/%d %s files INVALID", invalid, total, name)
		}
	}
	ratio(sum.ValidDigests, sum.DigestErrors, "digest")
	ratio(sum.ValidLogFiles, sum.LogErrors, "log")
	fmt.Fprintln(w)
	for _, gap := range sum.Incomplete {
		fmt.Fprintf(w, "INCOMPLETE: %s\n", gap)
	}
	if sum.Foreign > 0 {
		fmt.Fprintf(w, "%d foreign object(s) or folder(s) in the digest tree: CloudTrail did not write them\n", sum.Foreign)
	}
	if sum.OtherTrails > 0 {
		fmt.Fprintf(w, "%d digest(s) of other trails in the same folders, not validated\n", sum.OtherTrails)
	}
	if sum.Gaps > 0 {
		fmt.Fprintf(w, "%d new chain(s) started in the range (logging or validation was off for a while)\n", sum.Gaps)
	}
	if sum.BeyondTheAWSCLI > 0 {
		fmt.Fprintf(w, "%d problem(s) that aws cloudtrail validate-logs does not check for\n", sum.BeyondTheAWSCLI)
	}
}

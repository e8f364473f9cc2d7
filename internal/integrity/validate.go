package integrity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cle2wa/audit-trail/internal/layout"
)

// ErrNotFound is what a Store returns (wrapped) for a key that is not in
// the bucket.
var ErrNotFound = errors.New("not found")

// Store reads a bucket: S3, or a test's stand-in.
type Store interface {
	// Folders returns the names of the folders directly under prefix
	// (which ends in "/").
	Folders(ctx context.Context, bucket, prefix string) ([]string, error)
	// Keys calls fn with each key under prefix that sorts after
	// startAfter, in order, until fn returns false.
	Keys(ctx context.Context, bucket, prefix, startAfter string, fn func(key string) bool) error
	// Open returns an object's body and its user metadata, by lower-case
	// name without "x-amz-meta-".
	Open(ctx context.Context, bucket, key string) (io.ReadCloser, map[string]string, error)
}

// Versions is what a Store of a versioned bucket can also do: list the
// noncurrent versions of a key and open one. The log bucket is versioned
// and under Object Lock, so what an attacker overwrote or deleted is
// still there as a noncurrent version; validation names it.
type Versions interface {
	// Versions lists the noncurrent versions and delete markers of key,
	// newest first (at most a few hundred).
	Versions(ctx context.Context, bucket, key string) ([]Version, error)
	// OpenVersion opens one version of key.
	OpenVersion(ctx context.Context, bucket, key, version string) (io.ReadCloser, map[string]string, error)
}

// Version is a noncurrent version of a key, or a delete marker.
type Version struct {
	ID           string
	DeleteMarker bool
}

// Keys returns the public keys CloudTrail signed a region's digests with
// in a time range (ListPublicKeys in that region).
type Keys interface {
	PublicKeys(ctx context.Context, region string, start, end time.Time) ([]PublicKey, error)
}

// Config is what to validate.
type Config struct {
	// Bucket and Prefix locate the log files; Organization is the
	// organization's ID for an organization trail, "" otherwise.
	Bucket, Prefix, Organization string
	// Accounts are the accounts whose files are validated; empty (an
	// organization trail only): every account folder under the
	// organization's, and ExpectAccounts.
	Accounts []string
	// Trail and HomeRegion name the trail whose digests count.
	Trail, HomeRegion string
	// Regions are the source regions to validate; empty: every region
	// with digests, and ExpectRegions.
	Regions []string
	// ExpectRegions and ExpectAccounts are the regions and accounts that
	// must have digests in the range, whether or not the bucket has
	// their folders (a multi-region trail logs every enabled region; an
	// organization trail every member account): a folder deleted whole
	// is reported INCOMPLETE, not skipped.
	ExpectRegions, ExpectAccounts []string
	// Joined is when each account joined the organization: its digests
	// are required from then (or Start, whichever is later).
	Joined map[string]time.Time
	// KnownRegion tells a region's folder from a foreign one; nil: a
	// name of a region's shape.
	KnownRegion func(string) bool
	// Start and End are the range: digests that end in [Start, End + 1h]
	// (log files delivered late go into the next hour's digest). Start
	// may equal End: the digests around that instant.
	Start, End time.Time
	// Workers is how many objects are read at once; 0: DefaultWorkers.
	Workers int
	// Now is the time of the validation; zero: the clock's. A range that
	// ended more than DeliveryDelay before it must have the digest that
	// covers its end.
	Now time.Time
}

// DeliveryDelay is how long after the end of its hour a digest may still
// be on its way: CloudTrail delivers a digest every hour, so a digest that
// ends after the end of a range older than this is missing when it is
// not there, and a range that ends closer to now may lack its last one.
const DeliveryDelay = 2 * time.Hour

// DefaultWorkers is how many objects Validate reads at once: S3 answers
// each GET in tens of milliseconds, so the time is spent waiting, not
// computing.
const DefaultWorkers = 32

// The kinds of file a Problem names.
const (
	DigestFile    = "Digest file"
	LogFileKind   = "Log file"
	ForeignObject = "Foreign object"
)

// Problem is a file that is not valid, and why.
type Problem struct {
	// Kind is DigestFile, LogFileKind or ForeignObject (an object in the
	// digest tree that is no digest of a trail: CloudTrail did not write
	// it there).
	Kind string
	// Bucket and Key locate the file.
	Bucket, Key string
	// Reason says what is wrong.
	Reason string
	// Beyond is true for what only this implementation checks (Debian's
	// AWS CLI 2.9.19 does not).
	Beyond bool
}

// String is the problem as the AWS CLI prints it:
// "<kind>\ts3://<bucket>/<key>\tINVALID: <reason>" (UNEXPECTED for a
// foreign object).
func (p Problem) String() string {
	verdict := "INVALID"
	if p.Kind == ForeignObject {
		verdict = "UNEXPECTED"
	}
	return fmt.Sprintf("%s\ts3://%s/%s\t%s: %s", p.Kind, p.Bucket, p.Key, verdict, p.Reason)
}

// Reporter receives the results as they come, one call at a time.
type Reporter interface {
	// Invalid reports a file that is not valid, or a foreign object.
	Invalid(Problem)
	// Valid reports a file that is (DigestFile or LogFileKind).
	Valid(kind, bucket, key string)
	// Gap reports a time in which CloudTrail delivered no digest: a new
	// chain started.
	Gap(region string, from, to string)
	// Progress reports a digest reached in an account and region.
	Progress(region string, end time.Time)
}

// Summary counts what was checked.
type Summary struct {
	// Regions are the source regions validated.
	Regions []string `json:"regions"`
	// Digests and LogFiles count the files checked (a digest that the
	// chain names but the bucket lacks included), and Valid* those valid;
	// *Errors count the others.
	Digests       int `json:"digests"`
	ValidDigests  int `json:"validDigests"`
	DigestErrors  int `json:"digestErrors"`
	LogFiles      int `json:"logFiles"`
	ValidLogFiles int `json:"validLogFiles"`
	LogErrors     int `json:"logErrors"`
	// Backfill counts the backfill digests among Digests.
	Backfill int `json:"backfill"`
	// Gaps counts the new chains that started after an earlier one.
	Gaps int `json:"gaps"`
	// Foreign counts the foreign objects and folders in the digest tree;
	// OtherTrails the digests of other trails there (not validated).
	Foreign     int `json:"foreign"`
	OtherTrails int `json:"otherTrails"`
	// FoundStart and FoundEnd are the range the valid digests cover.
	FoundStart string `json:"foundStart,omitempty"`
	FoundEnd   string `json:"foundEnd,omitempty"`
	// BeyondTheAWSCLI counts the problems the AWS CLI does not look for.
	BeyondTheAWSCLI int `json:"beyondTheAWSCLI"`
	// Incomplete says, per account and region, where the digests do not
	// cover the range.
	Incomplete []string `json:"incomplete,omitempty"`
}

// Valid reports whether everything checked is valid, and something was.
func (s Summary) Valid() bool {
	return s.DigestErrors == 0 && s.LogErrors == 0 && s.Foreign == 0 && len(s.Incomplete) == 0 && s.Digests > 0
}

// Add is the sum of two shards' summaries (of other regions or
// accounts of the same trail and range).
func (s Summary) Add(o Summary) Summary {
	s.Regions = union(s.Regions, o.Regions)
	s.Digests += o.Digests
	s.ValidDigests += o.ValidDigests
	s.DigestErrors += o.DigestErrors
	s.LogFiles += o.LogFiles
	s.ValidLogFiles += o.ValidLogFiles
	s.LogErrors += o.LogErrors
	s.Backfill += o.Backfill
	s.Gaps += o.Gaps
	s.Foreign += o.Foreign
	s.OtherTrails += o.OtherTrails
	if o.FoundStart != "" && (s.FoundStart == "" || o.FoundStart < s.FoundStart) {
		s.FoundStart = o.FoundStart
	}
	if o.FoundEnd > s.FoundEnd {
		s.FoundEnd = o.FoundEnd
	}
	s.BeyondTheAWSCLI += o.BeyondTheAWSCLI
	s.Incomplete = append(slices.Clone(s.Incomplete), o.Incomplete...)
	sort.Strings(s.Incomplete)
	return s
}

// Validate checks every digest of the trail in the range, account by
// account, region by region (several at a time), and every log file each
// digest lists (DefaultWorkers at a time). It stops with an error when it
// cannot read what it must (a listing, the public keys, an object for
// another reason than that it is not there, such as access denied or an
// expired session): that is no verdict on the evidence. Every file's
// problem goes to rep, one call at a time.
func Validate(ctx context.Context, cfg Config, store Store, keys Keys, rep Reporter) (Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	v := &validator{ctx: ctx, cancel: cancel, cfg: cfg, store: store, keys: keys, rep: rep}
	workers := cfg.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	v.jobs = make(chan LogFile, 4*workers)
	var readers sync.WaitGroup
	for range workers {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for f := range v.jobs {
				if !v.failed() {
					v.log(f)
				}
			}
		}()
	}
	walks := v.plan()
	// A few regions at a time: each walks its digests in order.
	limit := make(chan struct{}, regionsAtOnce)
	var regions sync.WaitGroup
	for _, w := range walks {
		regions.Add(1)
		limit <- struct{}{}
		go func() {
			defer regions.Done()
			defer func() { <-limit }()
			if !v.failed() {
				w.run()
			}
		}()
	}
	regions.Wait()
	close(v.jobs)
	readers.Wait()
	v.sum.Regions = slices.Compact(sorted(v.sum.Regions))
	sort.Strings(v.sum.Incomplete)
	return v.sum, v.err
}

// regionsAtOnce is how many account and region chains are walked at once.
const regionsAtOnce = 8

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}

// validator is one run of Validate.
type validator struct {
	ctx    context.Context
	cancel context.CancelFunc
	cfg    Config
	store  Store
	keys   Keys
	jobs   chan LogFile
	// reading is held while a digest is read.
	reading sync.Mutex
	// mu guards what follows: the reporter, the summary and the error.
	mu  sync.Mutex
	rep Reporter
	sum Summary
	// err is the error that stops the run.
	err error
}

// plan lists the chains to walk: each account's (the organization's
// folders and expected accounts, or the ones given) regions (the folders
// and expected regions, or the ones given). Foreign folders are
// reported on the way.
func (v *validator) plan() []*walk {
	cfg := v.cfg
	root := location{bucket: cfg.Bucket, prefix: cfg.Prefix, organization: cfg.Organization}
	accounts := cfg.Accounts
	if len(accounts) == 0 {
		folder := root.base()
		found, err := v.store.Folders(v.ctx, cfg.Bucket, folder)
		if err != nil {
			v.fatal(fmt.Errorf("listing the accounts of s3://%s/%s: %w", cfg.Bucket, folder, err))
			return nil
		}
		for _, name := range found {
			if accountFolder.MatchString(name) {
				accounts = append(accounts, name)
			} else {
				v.foreign(cfg.Bucket, folder+name+"/", "a folder that is not an account's, under the organization's")
			}
		}
		accounts = union(accounts, cfg.ExpectAccounts)
	}
	known := cfg.KnownRegion
	if known == nil {
		known = regionShape.MatchString
	}
	var walks []*walk
	for _, account := range accounts {
		regions := cfg.Regions
		if len(regions) == 0 {
			folder := layout.DigestFolder(cfg.Prefix, cfg.Organization, account, "")
			found, err := v.store.Folders(v.ctx, cfg.Bucket, folder)
			if err != nil {
				v.fatal(fmt.Errorf("listing the digest folders of s3://%s/%s: %w", cfg.Bucket, folder, err))
				return nil
			}
			for _, name := range found {
				if known(name) {
					regions = append(regions, name)
				} else {
					v.foreign(cfg.Bucket, folder+name+"/", "a folder that is not a region's, in the digest tree")
				}
			}
			regions = union(regions, cfg.ExpectRegions)
		}
		from := cfg.Start
		if joined := cfg.Joined[account]; joined.After(from) && joined.Before(cfg.End) {
			from = joined
		}
		for _, region := range regions {
			v.sum.Regions = append(v.sum.Regions, region)
			required := expected(cfg.Accounts, cfg.ExpectAccounts, account) && expected(cfg.Regions, cfg.ExpectRegions, region)
			walks = append(walks, &walk{v: v, loc: root, account: account, region: region, from: from, to: cfg.End, required: required})
		}
	}
	return walks
}

var (
	accountFolder = regexp.MustCompile(`^[0-9]{12}$`)
	regionShape   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
)

// expected reports whether the digests of name (a region or an account)
// must cover the range: it was given, or it is expected, or nothing is
// known of what to expect.
func expected(given, expect []string, name string) bool {
	return len(given) > 0 || len(expect) == 0 || slices.Contains(expect, name)
}

// union is a and the elements of b that a lacks, sorted.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return sorted(out)
}

// failed reports whether the run has stopped.
func (v *validator) failed() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err != nil
}

// fatal stops the run for an error that says nothing about the evidence.
func (v *validator) fatal(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.err == nil {
		v.err = err
		v.cancel()
	}
}

// locked runs fn with the summary and reporter to itself.
func (v *validator) locked(fn func(sum *Summary, rep Reporter)) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fn(&v.sum, v.rep)
}

// foreign reports an object or folder CloudTrail did not write.
func (v *validator) foreign(bucket, key, reason string) {
	v.locked(func(sum *Summary, rep Reporter) {
		sum.Foreign++
		sum.BeyondTheAWSCLI++
		rep.Invalid(Problem{Kind: ForeignObject, Bucket: bucket, Key: key, Reason: reason, Beyond: true})
	})
}

// incomplete records a part of the range no digest covers.
func (v *validator) incomplete(beyond bool, format string, args ...any) {
	v.locked(func(sum *Summary, _ Reporter) {
		if beyond {
			sum.BeyondTheAWSCLI++
		}
		sum.Incomplete = append(sum.Incomplete, fmt.Sprintf(format, args...))
	})
}

// location is where a trail delivered its files: a bucket, a prefix and
// the organization's folder. The trail's history can change it.
type location struct{ bucket, prefix, organization string }

// base is the folder of the location's accounts: [prefix/]AWSLogs/[organization/].
func (l location) base() string {
	if l.organization == "" {
		return layout.Root(l.prefix)
	}
	return layout.Owner(l.prefix, l.organization)
}

// link is what the chain needs to remember of a digest.
type link struct {
	bucket, key, hash, signature string
	start, end                   time.Time
	// prevBucket and prevKey are the predecessor it names; starting is
	// true when it names none.
	prevBucket, prevKey string
	prevHash, prevSig   *string
	starting            bool
	// valid is true when its signature holds at its own location.
	valid bool
}

// maxHops bounds how many earlier locations of a trail are followed.
const maxHops = 8

// walk is the digest chain of one account and region at one location,
// between from and to.
type walk struct {
	v               *validator
	loc             location
	account, region string
	from, to        time.Time
	hops            int
	// required is true when the digests must cover the range: the
	// region and account are expected (or given, or nothing is known of
	// what to expect). A folder of a region since disabled, or of an
	// account that left the organization, is validated, not required.
	required bool
	keys     map[string]PublicKey
	lastGood *link
	pending  map[string]bool
	first    *link
	newest   time.Time
}

// where names the walk in messages.
func (w *walk) where() string {
	s := w.account + " " + w.region
	if w.hops > 0 {
		s += fmt.Sprintf(" (at s3://%s/%s, where the trail delivered before)", w.loc.bucket, layout.DigestFolder(w.loc.prefix, w.loc.organization, w.account, w.region))
	}
	return s
}

// run walks the chain and says where it does not cover [from, to].
func (w *walk) run() {
	v := w.v
	if w.keys == nil {
		// Keys signed a little after the range too, for a key rotated
		// just after its end.
		public, err := v.keys.PublicKeys(v.ctx, w.region, w.from, w.to.Add(2*time.Hour))
		if err != nil {
			v.fatal(fmt.Errorf("reading the CloudTrail public keys of %s: %w", w.region, err))
			return
		}
		w.keys = map[string]PublicKey{}
		for _, k := range public {
			w.keys[k.Fingerprint] = k
		}
	}
	w.pending = map[string]bool{}
	folder := layout.DigestFolder(w.loc.prefix, w.loc.organization, w.account, w.region)
	// The day folders sort by date: start from the day of the start.
	startAfter := folder + w.from.UTC().Format("2006/01/02")
	last := w.to.Add(time.Hour)
	lastDay := folder + last.UTC().Format("2006/01/02") + "/~"
	listErr := v.store.Keys(v.ctx, w.loc.bucket, folder, startAfter, func(key string) bool {
		if key > lastDay {
			return false
		}
		name, ok := layout.ParseDigestKey(strings.TrimPrefix(key, folder))
		switch {
		case !ok || name.Account != w.account || name.Region != w.region:
			v.foreign(w.loc.bucket, key, "not the name of a digest file of this folder's account and region")
			return true
		case name.Trail != v.cfg.Trail || name.Home != v.cfg.HomeRegion:
			v.locked(func(sum *Summary, _ Reporter) { sum.OtherTrails++ })
			return true
		case name.End.Before(w.from.Truncate(time.Second)) || name.End.After(last):
			return true
		}
		v.locked(func(_ *Summary, rep Reporter) { rep.Progress(w.account+" "+w.region, name.End) })
		// A backfill digest is outside the hourly chain: it is checked on
		// its own.
		l := w.digest(key, name.Backfill)
		if !name.Backfill {
			// The newest digest counts for the coverage of the range
			// even when invalid: that is reported on its own.
			w.newest = name.End
			w.step(key, l)
		}
		return !v.failed()
	})
	if listErr != nil {
		v.fatal(fmt.Errorf("listing s3://%s/%s: %w", w.loc.bucket, folder, listErr))
	}
	if v.failed() {
		return
	}
	w.finish()
}

// finish says where the chain does not cover the range. CloudTrail
// delivers a digest every hour, empty ones too ("CloudTrail digest file
// structure"), so the digests of a range that ends in the past reach
// its last hour, and begin at its start (the AWS CLI looks at neither:
// deleting the newest digests, or every digest of a region, passes it).
func (w *walk) finish() {
	if !w.required {
		return
	}
	now := w.v.cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	switch {
	case w.newest.IsZero():
		w.v.incomplete(true, "%s: no digest of the trail in the range", w.where())
	case w.hops > 0:
		// Where the trail delivered before: its last digest is the one
		// the first digest after the move names, checked there.
	case now.Sub(w.to) > DeliveryDelay && w.newest.Before(w.to):
		// The digest that covers the end of the range has had time to
		// arrive: it must be there.
		w.v.incomplete(true, "%s: the newest digest ends at %s, before the end of the range (%s): later digests are missing, or logging was stopped", w.where(), stamp(w.newest), stamp(w.to))
	case w.to.Sub(w.newest) > DeliveryDelay:
		w.v.incomplete(true, "%s: the newest digest ends at %s, more than %s before the end of the range (%s): later digests are missing, or logging was stopped", w.where(), stamp(w.newest), DeliveryDelay, stamp(w.to))
	}
	if w.first != nil && w.first.starting && w.first.start.After(w.from) {
		w.v.incomplete(true, "%s: no digest covers %s to %s: the first digest of the range starts a new chain (logging or validation was off before it, or the digests before it were deleted)", w.where(), stamp(w.from), stamp(w.first.start))
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// digest validates one digest at its own location, and queues its log
// files; it returns what the chain needs (nil when it is not there).
func (w *walk) digest(key string, backfill bool) *link {
	v := w.v
	v.locked(func(sum *Summary, _ Reporter) {
		sum.Digests++
		if backfill {
			sum.Backfill++
		}
	})
	invalid := func(reason string, beyond bool) { v.invalidDigest(w.loc.bucket, key, reason, beyond) }
	body, meta, err := v.store.Open(v.ctx, w.loc.bucket, key)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			v.fatal(fmt.Errorf("reading s3://%s/%s: %w", w.loc.bucket, key, err))
			return nil
		}
		invalid("not found", false)
		return nil
	}
	// The log files are kept while they are few; past that the digest is
	// read a second time to list them, so memory stays bounded.
	var files []LogFile
	overflow := false
	v.reading.Lock() // one digest at a time: the bound of memory
	d, hash, err := ReadDigest(body, func(f LogFile) {
		switch {
		case overflow:
		case len(files) < keptLogFiles:
			files = append(files, f)
		default:
			files, overflow = nil, true
		}
	})
	v.reading.Unlock()
	body.Close()
	this := &link{bucket: w.loc.bucket, key: key, hash: hash, signature: meta["signature"]}
	if err != nil {
		if fe, transfer := contentError(err); transfer {
			v.fatal(fmt.Errorf("reading s3://%s/%s: %w", w.loc.bucket, key, err))
		} else {
			invalid(fe.Reason, fe.Beyond)
		}
		return this
	}
	start, errStart := time.Parse(time.RFC3339, d.DigestStartTime)
	end, errEnd := time.Parse(time.RFC3339, d.DigestEndTime)
	if errStart != nil || errEnd != nil {
		invalid("invalid format", false)
		return this
	}
	this.start, this.end = start, end
	this.starting = d.PreviousDigestS3Object == nil
	if !this.starting {
		this.prevBucket, this.prevKey = w.loc.bucket, *d.PreviousDigestS3Object
		if d.PreviousDigestS3Bucket != nil {
			this.prevBucket = *d.PreviousDigestS3Bucket
		}
		this.prevHash, this.prevSig = d.PreviousDigestHashValue, d.PreviousDigestSignature
	}
	if _, ok := meta["signature-algorithm"]; !ok || meta["signature"] == "" {
		invalid("signature verification failed", false)
		return this
	}
	if d.DigestS3Bucket != w.loc.bucket || d.DigestS3Object != key {
		invalid("has been moved from its original location", false)
		return this
	}
	k, ok := w.keys[d.DigestPublicKeyFingerprint]
	if !ok {
		invalid(fmt.Sprintf("public key not found in region %s for fingerprint %s", w.region, d.DigestPublicKeyFingerprint), false)
		return this
	}
	pub, err := k.RSA()
	if err != nil {
		invalid("Unable to load PKCS #1 key with fingerprint "+d.DigestPublicKeyFingerprint, false)
		return this
	}
	if err := d.Verify(hash, meta["signature"], pub); err != nil {
		invalid("signature verification failed", false)
		return this
	}
	this.valid = true
	if backfill {
		v.validDigest(w.loc.bucket, key, this.start, this.end)
	}
	// The digest's own signature holds: its list of log files can be
	// trusted, whatever its place in the chain.
	if !overflow {
		for _, f := range files {
			v.queue(f)
		}
		return this
	}
	body, _, err = v.store.Open(v.ctx, w.loc.bucket, key)
	if err != nil {
		v.fatal(fmt.Errorf("reading s3://%s/%s again: %w", w.loc.bucket, key, err))
		return this
	}
	defer body.Close()
	v.reading.Lock()
	defer v.reading.Unlock()
	if _, again, err := ReadDigest(body, v.queue); err != nil || again != hash {
		// Overwritten between the two reads: what was listed is not what
		// was signed.
		invalid("changed while it was being read", true)
		this.valid = false
	}
	return this
}

// keptLogFiles is how many log files of a digest are kept in memory
// (about 300 bytes each); a digest that lists more is read twice. A
// variable for the tests only.
var keptLogFiles = 20000

// queue hands a log file to the readers.
func (v *validator) queue(f LogFile) {
	select {
	case v.jobs <- f:
	case <-v.ctx.Done():
	}
}

func (v *validator) invalidDigest(bucket, key, reason string, beyond bool) {
	v.locked(func(sum *Summary, rep Reporter) {
		sum.DigestErrors++
		if beyond {
			sum.BeyondTheAWSCLI++
		}
		rep.Invalid(Problem{Kind: DigestFile, Bucket: bucket, Key: key, Reason: reason, Beyond: beyond})
	})
}

// validDigest counts a valid digest and the time it covers.
func (v *validator) validDigest(bucket, key string, start, end time.Time) {
	v.locked(func(sum *Summary, rep Reporter) {
		sum.ValidDigests++
		rep.Valid(DigestFile, bucket, key)
		if sum.FoundEnd == "" || stamp(end) > sum.FoundEnd {
			sum.FoundEnd = stamp(end)
		}
		if sum.FoundStart == "" || stamp(start) < sum.FoundStart {
			sum.FoundStart = stamp(start)
		}
	})
}

// missing reports a digest that the chain names and the bucket lacks.
func (v *validator) missing(bucket, key string) {
	v.locked(func(sum *Summary, rep Reporter) {
		sum.Digests++
		sum.DigestErrors++
		rep.Invalid(Problem{Kind: DigestFile, Bucket: bucket, Key: key, Reason: "not found"})
	})
}

// step puts the digest at key (l, nil when it is not there) in the
// chain: it must name the digest before it, with its hash and signature;
// a starting digest after others is a gap. The first digest of the walk
// names a predecessor that must exist when it falls in the range, and
// that is followed to where the trail delivered before when it lies
// elsewhere.
func (w *walk) step(key string, l *link) {
	v := w.v
	if l == nil || !l.valid {
		// Reported already; a digest naming it as its predecessor does
		// not report it again.
		w.pending[key] = true
		return
	}
	invalid := func(reason string, beyond bool) { v.invalidDigest(l.bucket, l.key, reason, beyond) }
	ok := true
	switch {
	case l.starting:
		if w.lastGood != nil || len(w.pending) > 0 {
			from := "the digests reported above"
			if w.lastGood != nil {
				from = stamp(w.lastGood.end)
			}
			v.locked(func(sum *Summary, rep Reporter) {
				sum.Gaps++
				rep.Gap(w.region, from, stamp(l.start))
			})
			if w.required {
				w.v.incomplete(true, "%s: no digest covers %s to %s: a new chain of digests starts there (logging or validation was off, or the digests before it were deleted)", w.where(), from, stamp(l.start))
			}
		}
	case w.lastGood == nil && len(w.pending) == 0:
		ok = w.previousOfFirst(l, invalid)
	case w.lastGood != nil && l.prevBucket == w.lastGood.bucket && l.prevKey == w.lastGood.key:
		ok = sameDigest(l, w.lastGood, invalid)
	case l.prevBucket == w.loc.bucket && w.pending[l.prevKey]:
		// Its predecessor is reported already.
	case l.prevBucket == w.loc.bucket && l.prevKey < l.key && (w.lastGood == nil || l.prevKey > w.lastGood.key) && !v.exists(l.prevBucket, l.prevKey):
		if !v.failed() {
			v.missing(l.prevBucket, l.prevKey) // between the digest before and this one: deleted
		}
	default:
		before := "none"
		if w.lastGood != nil {
			before = "s3://" + w.lastGood.bucket + "/" + w.lastGood.key
		}
		invalid(fmt.Sprintf("its previous digest is s3://%s/%s, not %s, the digest before it: the chain is broken", l.prevBucket, l.prevKey, before), true)
		ok = false
	}
	if w.first == nil && w.lastGood == nil && len(w.pending) == 0 {
		w.first = l
	}
	if ok {
		v.validDigest(l.bucket, l.key, l.start, l.end)
	}
	w.lastGood, w.pending = l, map[string]bool{}
}

// sameDigest checks that l names prev's hash and signature.
func sameDigest(l, prev *link, invalid func(string, bool)) bool {
	if !prev.valid {
		return true
	}
	if l.prevHash == nil || *l.prevHash != prev.hash {
		invalid("its previousDigestHashValue is not the SHA-256 of s3://"+prev.bucket+"/"+prev.key, true)
		return false
	}
	if l.prevSig == nil || !strings.EqualFold(*l.prevSig, prev.signature) {
		invalid("its previousDigestSignature is not the signature of s3://"+prev.bucket+"/"+prev.key, true)
		return false
	}
	return true
}

// previousOfFirst checks the predecessor of the walk's first digest. In
// the same folder it must exist when it ends in the range (the AWS CLI,
// which follows it, reports it too). In another bucket or prefix (the
// trail's bucket or prefix changed, and "previousDigestS3Bucket" names
// "the Amazon S3 bucket to which the previous digest file was
// delivered"), the older part of the range is validated there, and its
// last digest must be the one named.
func (w *walk) previousOfFirst(l *link, invalid func(string, bool)) bool {
	v := w.v
	inRange := !l.start.Before(w.from)
	name, parsed := layout.ParseDigestPath(l.prevKey)
	loc := location{bucket: l.prevBucket, prefix: name.Prefix, organization: name.Organization}
	if !parsed || name.Account != w.account || name.Region != w.region {
		invalid(fmt.Sprintf("its previous digest s3://%s/%s is not a digest of the same account and region", l.prevBucket, l.prevKey), true)
		return false
	}
	if loc == w.loc {
		if inRange && !v.exists(l.prevBucket, l.prevKey) && !v.failed() {
			v.missing(l.prevBucket, l.prevKey)
		}
		return true
	}
	if !inRange {
		return true
	}
	if w.hops >= maxHops {
		v.incomplete(true, "%s: the trail moved more than %d times before %s; the older part of the range is not validated", w.where(), maxHops, stamp(l.start))
		return true
	}
	older := &walk{v: v, loc: loc, account: w.account, region: w.region, from: w.from, to: l.start, hops: w.hops + 1, keys: w.keys, required: w.required}
	older.run()
	switch {
	case v.failed():
		return true
	case older.lastGood == nil || older.lastGood.key != l.prevKey || older.lastGood.bucket != l.prevBucket:
		if !v.exists(l.prevBucket, l.prevKey) {
			if !v.failed() {
				v.missing(l.prevBucket, l.prevKey)
			}
			return true
		}
		before := "none"
		if older.lastGood != nil {
			before = "s3://" + older.lastGood.bucket + "/" + older.lastGood.key
		}
		invalid(fmt.Sprintf("its previous digest is s3://%s/%s, not %s, the last digest there: the chain is broken", l.prevBucket, l.prevKey, before), true)
		return false
	}
	return sameDigest(l, older.lastGood, invalid)
}

// exists reports whether the object is there (an error other than "not
// found" stops the run).
func (v *validator) exists(bucket, key string) bool {
	body, _, err := v.store.Open(v.ctx, bucket, key)
	if err == nil {
		body.Close()
		return true
	}
	if !errors.Is(err, ErrNotFound) {
		v.fatal(fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err))
	}
	return false
}

// maxVersions bounds how many noncurrent versions of a log file are
// read in search of the one its digest lists.
const maxVersions = 16

// intactVersion looks, in a versioned bucket, for a noncurrent version
// of a log file that is missing or changed and whose content has the
// hash its digest lists: the evidence is still there, and the
// investigator learns where. It returns "" when there is none, or the
// versions cannot be listed (that is no verdict: the file is invalid
// either way).
func (v *validator) intactVersion(f LogFile) string {
	versioned, ok := v.store.(Versions)
	if !ok {
		return ""
	}
	versions, err := versioned.Versions(v.ctx, f.S3Bucket, f.S3Object)
	if err != nil {
		return ""
	}
	for i, ver := range versions {
		if i == maxVersions {
			break
		}
		if ver.DeleteMarker {
			continue
		}
		body, _, err := versioned.OpenVersion(v.ctx, f.S3Bucket, f.S3Object, ver.ID)
		if err != nil {
			continue
		}
		got, err := HashInflated(body)
		body.Close()
		if err == nil && got == f.HashValue {
			return fmt.Sprintf(" (version %s, noncurrent, is intact: the file was deleted or overwritten after delivery)", ver.ID)
		}
	}
	return ""
}

// log checks one log file against the hash its digest lists.
func (v *validator) log(f LogFile) {
	invalid := func(reason string, beyond bool) {
		v.locked(func(sum *Summary, rep Reporter) {
			sum.LogFiles++
			sum.LogErrors++
			if beyond {
				sum.BeyondTheAWSCLI++
			}
			rep.Invalid(Problem{Kind: LogFileKind, Bucket: f.S3Bucket, Key: f.S3Object, Reason: reason, Beyond: beyond})
		})
	}
	body, _, err := v.store.Open(v.ctx, f.S3Bucket, f.S3Object)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			v.fatal(fmt.Errorf("reading s3://%s/%s: %w", f.S3Bucket, f.S3Object, err))
			return
		}
		invalid("not found"+v.intactVersion(f), false)
		return
	}
	defer body.Close()
	got, err := HashInflated(body)
	fe, transfer := contentError(err)
	switch {
	case transfer:
		v.fatal(fmt.Errorf("reading s3://%s/%s: %w", f.S3Bucket, f.S3Object, err))
	case err != nil:
		invalid(fe.Reason+v.intactVersion(f), fe.Beyond)
	case got != f.HashValue:
		invalid("hash value doesn't match"+v.intactVersion(f), false)
	default:
		v.locked(func(sum *Summary, rep Reporter) {
			sum.LogFiles++
			sum.ValidLogFiles++
			rep.Valid(LogFileKind, f.S3Bucket, f.S3Object)
		})
	}
}

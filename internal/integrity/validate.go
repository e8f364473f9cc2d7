package integrity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"
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
	// Account is the account whose files are validated.
	Account string
	// Trail and HomeRegion name the trail whose digests count.
	Trail, HomeRegion string
	// Regions are the source regions to validate; empty: every region
	// with digests.
	Regions []string
	// Start and End are the range: digests that end in [Start, End + 1h]
	// (log files delivered late go into the next hour's digest).
	Start, End time.Time
}

// Problem is a file that is not valid, and why.
type Problem struct {
	// Kind is "Digest file" or "Log file".
	Kind string
	// Bucket and Key locate the file.
	Bucket, Key string
	// Reason says what is wrong.
	Reason string
	// Beyond is true for what only this implementation checks (the AWS CLI
	// does not compare a digest's previous-digest fields with the previous
	// digest).
	Beyond bool
}

// String is the problem as the AWS CLI prints it:
// "<kind>\ts3://<bucket>/<key>\tINVALID: <reason>".
func (p Problem) String() string {
	return fmt.Sprintf("%s\ts3://%s/%s\tINVALID: %s", p.Kind, p.Bucket, p.Key, p.Reason)
}

// Reporter receives the results as they come.
type Reporter interface {
	// Invalid reports a file that is not valid.
	Invalid(Problem)
	// Valid reports a file that is ("Digest file" or "Log file").
	Valid(kind, bucket, key string)
	// Gap reports a time in which CloudTrail delivered no digest because
	// validation or logging was off: a new chain started.
	Gap(region string, from, to string)
	// Progress reports a digest reached in a region.
	Progress(region string, end time.Time)
}

// Summary counts what was checked.
type Summary struct {
	// Regions are the source regions validated.
	Regions []string
	// Digests and LogFiles count the files checked (a digest that the
	// chain names but the bucket lacks included), and Valid* those valid;
	// *Errors count the others.
	Digests, ValidDigests, DigestErrors int
	LogFiles, ValidLogFiles, LogErrors  int
	// Backfill counts the backfill digests among Digests.
	Backfill int
	// Gaps counts the new chains that started after an earlier one.
	Gaps int
	// FoundStart and FoundEnd are the range the valid digests cover.
	FoundStart, FoundEnd string
	// BeyondTheAWSCLI counts the problems the AWS CLI does not look for.
	BeyondTheAWSCLI int
	// Incomplete says, per account and region, where the digests do not
	// cover the range.
	Incomplete []string
}

// Valid reports whether everything checked is valid, and something was.
func (s Summary) Valid() bool {
	return s.DigestErrors == 0 && s.LogErrors == 0 && len(s.Incomplete) == 0 && s.Digests > 0
}

// Validate checks every digest of the trail in the range, account by
// account (an organization trail's, unless Config.Account names one),
// region by region, and every log file each digest lists, one digest at
// a time. It stops with an error when it cannot read what it must (a
// listing, the public keys, an object for another reason than that it is
// not there, such as access denied or an expired session): that is no
// verdict on the evidence. Every file's problem goes to rep.
func Validate(ctx context.Context, cfg Config, store Store, keys Keys, rep Reporter) (Summary, error) {
	v := &validator{ctx: ctx, cfg: cfg, store: store, keys: keys, rep: rep}
	accounts := []string{cfg.Account}
	if cfg.Organization != "" && cfg.Account == "" {
		// An organization trail writes each account's files under
		// AWSLogs/<organization ID>/<account ID>/.
		folder := "AWSLogs/" + cfg.Organization + "/"
		if cfg.Prefix != "" {
			folder = cfg.Prefix + "/" + folder
		}
		found, err := store.Folders(ctx, cfg.Bucket, folder)
		if err != nil {
			return v.sum, fmt.Errorf("listing the accounts of s3://%s/%s: %w", cfg.Bucket, folder, err)
		}
		accounts = found
	}
	for _, account := range accounts {
		v.cfg.Account = account
		regions := cfg.Regions
		if len(regions) == 0 {
			folder := DigestFolder(cfg.Prefix, cfg.Organization, account, "")
			found, err := store.Folders(ctx, cfg.Bucket, folder)
			if err != nil {
				return v.sum, fmt.Errorf("listing the digest folders of s3://%s/%s: %w", cfg.Bucket, folder, err)
			}
			regions = found
		}
		sort.Strings(regions)
		for _, region := range regions {
			v.sum.Regions = append(v.sum.Regions, region)
			if err := v.region(region); err != nil {
				return v.sum, err
			}
		}
	}
	v.sum.Regions = slices.Compact(sorted(v.sum.Regions))
	return v.sum, nil
}

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}

// validator is one run of Validate.
type validator struct {
	ctx   context.Context
	cfg   Config
	store Store
	keys  Keys
	rep   Reporter
	sum   Summary
	// byFingerprint are the region's public keys.
	byFingerprint map[string]PublicKey
	// err is the error that stops the run.
	err error
}

// link is what the chain needs to remember of the previous digest.
type link struct {
	key, hash, signature, end string
	valid                     bool
}

// region validates the digests of one account and region.
func (v *validator) region(region string) error {
	cfg := v.cfg
	// Keys signed a little after the range too, for a key rotated just
	// after its end.
	public, err := v.keys.PublicKeys(v.ctx, region, cfg.Start, cfg.End.Add(2*time.Hour))
	if err != nil {
		return fmt.Errorf("reading the CloudTrail public keys of %s: %w", region, err)
	}
	v.byFingerprint = map[string]PublicKey{}
	for _, k := range public {
		v.byFingerprint[k.Fingerprint] = k
	}
	folder := DigestFolder(cfg.Prefix, cfg.Organization, cfg.Account, region)
	// The day folders sort by date: start from the day of the start.
	startAfter := folder + cfg.Start.UTC().Format("2006/01/02")
	last := cfg.End.Add(time.Hour)
	lastDay := folder + last.UTC().Format("2006/01/02") + "/~"
	var prev *link
	var newest time.Time
	listErr := v.store.Keys(v.ctx, cfg.Bucket, folder, startAfter, func(key string) bool {
		if key > lastDay {
			return false
		}
		end, trail, home, backfill, ok := digestTime(key)
		if !ok || trail != cfg.Trail || home != cfg.HomeRegion || end.Before(cfg.Start.Truncate(time.Second)) || end.After(last) {
			return true
		}
		v.rep.Progress(cfg.Account+" "+region, end)
		if backfill {
			// A backfill digest is outside the hourly chain: it is checked
			// on its own.
			v.digest(region, key, nil, true)
		} else {
			prev = v.digest(region, key, prev, false)
			newest = end
		}
		return v.err == nil
	})
	if listErr != nil {
		return fmt.Errorf("listing s3://%s/%s: %w", cfg.Bucket, folder, listErr)
	}
	if v.err != nil {
		return v.err
	}
	// Complete up to the end: CloudTrail delivers a digest every hour,
	// empty ones too. A range that ends in the past must have digests up
	// to its last hour (the AWS CLI does not look: deleting the newest
	// digests passes it).
	where := cfg.Account + " " + region
	switch {
	case newest.IsZero():
		v.sum.Incomplete = append(v.sum.Incomplete, where+": no digest of the trail in the range")
	case cfg.End.Sub(newest) > 2*time.Hour:
		v.sum.BeyondTheAWSCLI++
		v.sum.Incomplete = append(v.sum.Incomplete, fmt.Sprintf("%s: the newest digest ends at %s, more than two hours before the end of the range (%s): later digests are missing, or logging was stopped", where, newest.Format(time.RFC3339), cfg.End.UTC().Format(time.RFC3339)))
	}
	return nil
}

// fatal stops the run for an error that says nothing about the evidence.
func (v *validator) fatal(err error) {
	if v.err == nil {
		v.err = err
	}
}

// digest validates one digest, its place in the chain after prev, and its
// log files; it returns what the next digest's link needs.
func (v *validator) digest(region, key string, prev *link, backfill bool) *link {
	cfg, sum := v.cfg, &v.sum
	sum.Digests++
	if backfill {
		sum.Backfill++
	}
	invalid := func(reason string, beyond bool) {
		sum.DigestErrors++
		if beyond {
			sum.BeyondTheAWSCLI++
		}
		v.rep.Invalid(Problem{Kind: "Digest file", Bucket: cfg.Bucket, Key: key, Reason: reason, Beyond: beyond})
	}
	body, meta, err := v.store.Open(v.ctx, cfg.Bucket, key)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			v.fatal(fmt.Errorf("reading s3://%s/%s: %w", cfg.Bucket, key, err))
			return prev
		}
		invalid("not found", false)
		return &link{key: key}
	}
	// Digest files are small (one hour's list of log files).
	inflated, err := Inflate(io.LimitReader(body, maxDigest))
	body.Close()
	if err != nil {
		invalid("invalid format", false)
		return &link{key: key}
	}
	this := &link{key: key, hash: hashHex(inflated), signature: meta["signature"]}
	d, err := ParseDigest(inflated)
	if err != nil {
		invalid("invalid format", false)
		return this
	}
	this.end = d.DigestEndTime
	if _, ok := meta["signature-algorithm"]; !ok || meta["signature"] == "" {
		invalid("signature verification failed", false)
		return this
	}
	if d.DigestS3Bucket != cfg.Bucket || d.DigestS3Object != key {
		invalid("has been moved from its original location", false)
		return this
	}
	k, ok := v.byFingerprint[d.DigestPublicKeyFingerprint]
	if !ok {
		invalid(fmt.Sprintf("public key not found in region %s for fingerprint %s", region, d.DigestPublicKeyFingerprint), false)
		return this
	}
	pub, err := k.RSA()
	if err != nil {
		invalid("Unable to load PKCS #1 key with fingerprint "+d.DigestPublicKeyFingerprint, false)
		return this
	}
	if err := d.Verify(inflated, meta["signature"], pub); err != nil {
		invalid("signature verification failed", false)
		return this
	}
	this.valid = true
	if backfill || v.link(region, d, prev, invalid) {
		sum.ValidDigests++
		v.rep.Valid("Digest file", cfg.Bucket, key)
		if sum.FoundEnd == "" || d.DigestEndTime > sum.FoundEnd {
			sum.FoundEnd = d.DigestEndTime
		}
		if sum.FoundStart == "" || d.DigestStartTime < sum.FoundStart {
			sum.FoundStart = d.DigestStartTime
		}
	}
	// The digest's own signature holds: its list of log files can be
	// trusted, whatever its place in the chain.
	for _, f := range d.LogFiles {
		if v.err != nil {
			break
		}
		v.log(f)
	}
	return this
}

// maxDigest bounds the size of a digest file read whole.
const maxDigest = 64 << 20

// link checks that the digest continues the chain from prev (the digest
// before it in the bucket): it names prev as its previous digest, with
// prev's hash and signature; a starting digest after prev is a gap. The
// first digest of the range names a predecessor that must exist when it
// falls in the range (as the AWS CLI, which follows it, reports). It
// returns whether the digest is valid in the chain.
func (v *validator) link(region string, d *Digest, prev *link, invalid func(string, bool)) bool {
	cfg, sum := v.cfg, &v.sum
	if d.PreviousDigestS3Object == nil {
		if prev != nil {
			sum.Gaps++
			v.rep.Gap(region, prev.end, d.DigestStartTime)
		}
		return true
	}
	previousBucket := cfg.Bucket
	if d.PreviousDigestS3Bucket != nil {
		previousBucket = *d.PreviousDigestS3Bucket
	}
	named := *d.PreviousDigestS3Object
	missing := func() {
		sum.Digests++
		sum.DigestErrors++
		v.rep.Invalid(Problem{Kind: "Digest file", Bucket: previousBucket, Key: named, Reason: "not found"})
	}
	if prev == nil {
		// The first digest of the range: its predecessor is not listed.
		if start, err := time.Parse(time.RFC3339, d.DigestStartTime); err == nil && !start.Before(cfg.Start) && !v.exists(previousBucket, named) && v.err == nil {
			missing()
		}
		return true
	}
	if named != prev.key || previousBucket != cfg.Bucket {
		if named > prev.key && previousBucket == cfg.Bucket && !v.exists(previousBucket, named) {
			if v.err == nil {
				missing() // between prev and this digest: deleted
			}
			return true
		}
		invalid(fmt.Sprintf("its previous digest is s3://%s/%s, not s3://%s/%s, the digest before it: the chain is broken", previousBucket, named, cfg.Bucket, prev.key), true)
		return false
	}
	if !prev.valid {
		// prev is already reported; its content is not what was signed.
		return true
	}
	if d.PreviousDigestHashValue == nil || *d.PreviousDigestHashValue != prev.hash {
		invalid("its previousDigestHashValue is not the SHA-256 of s3://"+cfg.Bucket+"/"+prev.key, true)
		return false
	}
	if d.PreviousDigestSignature == nil || !strings.EqualFold(*d.PreviousDigestSignature, prev.signature) {
		invalid("its previousDigestSignature is not the signature of s3://"+cfg.Bucket+"/"+prev.key, true)
		return false
	}
	return true
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

// log checks one log file against the hash its digest lists.
func (v *validator) log(f LogFile) {
	sum := &v.sum
	sum.LogFiles++
	invalid := func(reason string) {
		sum.LogErrors++
		v.rep.Invalid(Problem{Kind: "Log file", Bucket: f.S3Bucket, Key: f.S3Object, Reason: reason})
	}
	body, _, err := v.store.Open(v.ctx, f.S3Bucket, f.S3Object)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			sum.LogFiles--
			v.fatal(fmt.Errorf("reading s3://%s/%s: %w", f.S3Bucket, f.S3Object, err))
			return
		}
		invalid("not found")
		return
	}
	defer body.Close()
	got, err := HashInflated(body)
	switch {
	case err != nil:
		invalid("invalid format")
	case got != f.HashValue:
		invalid("hash value doesn't match")
	default:
		sum.ValidLogFiles++
		v.rep.Valid("Log file", f.S3Bucket, f.S3Object)
	}
}

func hashHex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

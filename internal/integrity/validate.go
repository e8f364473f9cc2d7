package integrity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
}

// Valid reports whether everything checked is valid.
func (s Summary) Valid() bool { return s.DigestErrors == 0 && s.LogErrors == 0 }

// Validate checks every digest of the trail in the range, region by
// region, and every log file each digest lists, one digest at a time. An
// error is returned only when validation cannot go on (listing the
// bucket, reading the public keys); every file's problem goes to rep.
func Validate(ctx context.Context, cfg Config, store Store, keys Keys, rep Reporter) (Summary, error) {
	var sum Summary
	regions := cfg.Regions
	if len(regions) == 0 {
		found, err := store.Folders(ctx, cfg.Bucket, DigestFolder(cfg.Prefix, cfg.Organization, cfg.Account, ""))
		if err != nil {
			return sum, fmt.Errorf("listing the digest folders of s3://%s/%s: %w", cfg.Bucket, DigestFolder(cfg.Prefix, cfg.Organization, cfg.Account, ""), err)
		}
		regions = found
	}
	sort.Strings(regions)
	sum.Regions = regions
	for _, region := range regions {
		if err := validateRegion(ctx, cfg, region, store, keys, rep, &sum); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// link is what the chain needs to remember of the previous digest.
type link struct {
	key, hash, signature, end string
	valid                     bool
}

func validateRegion(ctx context.Context, cfg Config, region string, store Store, keys Keys, rep Reporter, sum *Summary) error {
	// Keys signed a little after the range (the AWS CLI learned to look
	// two hours further, for a key rotated just after the end).
	public, err := keys.PublicKeys(ctx, region, cfg.Start, cfg.End.Add(2*time.Hour))
	if err != nil {
		return fmt.Errorf("reading the CloudTrail public keys of %s: %w", region, err)
	}
	byFingerprint := map[string]PublicKey{}
	for _, k := range public {
		byFingerprint[k.Fingerprint] = k
	}
	folder := DigestFolder(cfg.Prefix, cfg.Organization, cfg.Account, region)
	// The day folders sort by date: start from the day of the start.
	startAfter := folder + cfg.Start.UTC().Format("2006/01/02")
	last := cfg.End.Add(time.Hour)
	lastDay := folder + last.UTC().Format("2006/01/02") + "/~"
	var prev *link
	var listErr error
	listErr = store.Keys(ctx, cfg.Bucket, folder, startAfter, func(key string) bool {
		if key > lastDay {
			return false
		}
		end, trail, home, backfill, ok := digestTime(key)
		if !ok || trail != cfg.Trail || home != cfg.HomeRegion || end.Before(cfg.Start.Truncate(time.Second)) || end.After(last) {
			return true
		}
		rep.Progress(region, end)
		if backfill {
			// A backfill digest is outside the hourly chain: it is checked
			// on its own.
			checkDigest(ctx, cfg, region, key, store, byFingerprint, rep, sum, nil, true)
			return true
		}
		prev = checkDigest(ctx, cfg, region, key, store, byFingerprint, rep, sum, prev, false)
		return true
	})
	if listErr != nil {
		return fmt.Errorf("listing s3://%s/%s: %w", cfg.Bucket, folder, listErr)
	}
	return nil
}

// checkDigest validates one digest, its place in the chain after prev,
// and its log files; it returns what the next digest's link needs.
func checkDigest(ctx context.Context, cfg Config, region, key string, store Store, keys map[string]PublicKey, rep Reporter, sum *Summary, prev *link, backfill bool) *link {
	sum.Digests++
	if backfill {
		sum.Backfill++
	}
	invalid := func(reason string, beyond bool) {
		sum.DigestErrors++
		if beyond {
			sum.BeyondTheAWSCLI++
		}
		rep.Invalid(Problem{Kind: "Digest file", Bucket: cfg.Bucket, Key: key, Reason: reason, Beyond: beyond})
	}
	body, meta, err := store.Open(ctx, cfg.Bucket, key)
	if err != nil {
		invalid(openProblem(err), false)
		return prev
	}
	inflated, err := Inflate(body)
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
	k, ok := keys[d.DigestPublicKeyFingerprint]
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
	if backfill || checkLink(cfg, region, d, prev, rep, sum, invalid) {
		sum.ValidDigests++
		rep.Valid("Digest file", cfg.Bucket, key)
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
		checkLog(ctx, f, store, rep, sum)
	}
	return this
}

// checkLink checks that the digest continues the chain from prev (the
// digest before it in the bucket): it names prev as its previous digest,
// with prev's hash and signature; a starting digest after prev is a gap.
// It returns whether the digest is valid in the chain.
func checkLink(cfg Config, region string, d *Digest, prev *link, rep Reporter, sum *Summary, invalid func(string, bool)) bool {
	if d.PreviousDigestS3Object == nil {
		if prev != nil {
			sum.Gaps++
			rep.Gap(region, prev.end, d.DigestStartTime)
		}
		return true
	}
	if prev == nil {
		return true // the first digest of the range: its previous is before it
	}
	previousBucket := cfg.Bucket
	if d.PreviousDigestS3Bucket != nil {
		previousBucket = *d.PreviousDigestS3Bucket
	}
	if *d.PreviousDigestS3Object != prev.key || previousBucket != cfg.Bucket {
		if *d.PreviousDigestS3Object > prev.key && previousBucket == cfg.Bucket {
			// The digest it names would sort after prev: it is gone.
			sum.Digests++
			sum.DigestErrors++
			rep.Invalid(Problem{Kind: "Digest file", Bucket: previousBucket, Key: *d.PreviousDigestS3Object, Reason: "not found"})
			return true
		}
		invalid(fmt.Sprintf("its previous digest is s3://%s/%s, not s3://%s/%s, the digest before it: the chain is broken", previousBucket, *d.PreviousDigestS3Object, cfg.Bucket, prev.key), true)
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

// checkLog checks one log file against the hash its digest lists.
func checkLog(ctx context.Context, f LogFile, store Store, rep Reporter, sum *Summary) {
	sum.LogFiles++
	invalid := func(reason string) {
		sum.LogErrors++
		rep.Invalid(Problem{Kind: "Log file", Bucket: f.S3Bucket, Key: f.S3Object, Reason: reason})
	}
	body, _, err := store.Open(ctx, f.S3Bucket, f.S3Object)
	if err != nil {
		invalid(openProblem(err))
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
		rep.Valid("Log file", f.S3Bucket, f.S3Object)
	}
}

// openProblem says why an object could not be read.
func openProblem(err error) string {
	if errors.Is(err, ErrNotFound) {
		return "not found"
	}
	return err.Error()
}

func hashHex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

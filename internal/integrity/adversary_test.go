package integrity_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"maps"

	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cle2wa/audit-trail/internal/integrity"
	"github.com/cle2wa/audit-trail/internal/integrity/integritytest"
	"github.com/cle2wa/audit-trail/internal/layout"
)

// The cases of this file are an attacker's, who can put, copy, overwrite
// and delete objects and their metadata in the log bucket but cannot sign
// as CloudTrail: under that model, a valid result must mean that every
// log file CloudTrail delivered in the range is there and unchanged.
// Sources: "CloudTrail digest file structure" (the fields, the location,
// a digest every hour, empty ones too),
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html,
// and "Validating CloudTrail log file integrity with the AWS CLI",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-cli.html.

// run validates c's bucket (and any others) over [from, to] with cfg's
// other fields as given.
func run(t *testing.T, store integrity.Store, c *integritytest.Chain, cfg integrity.Config) (integrity.Summary, *recorder) {
	t.Helper()
	if cfg.Bucket == "" {
		cfg.Bucket, cfg.Prefix = c.Bucket.Name, c.Prefix
	}
	if cfg.Organization == "" && len(cfg.Accounts) == 0 {
		cfg.Accounts = []string{c.Account}
	}
	cfg.Trail, cfg.HomeRegion = c.Trail, c.HomeRegion
	if cfg.Start.IsZero() {
		cfg.Start, cfg.End = start, start.Add(6*time.Hour)
	}
	rec := &recorder{}
	sum, err := integrity.Validate(context.Background(), cfg, store, c, rec)
	if err != nil {
		t.Fatal(err)
	}
	return sum, rec
}

// TestTheTrailMoved: the trail's bucket and prefix changed three hours
// into the range (UpdateTrail). The first digest in the new place names
// its predecessor in the old one ("previousDigestS3Bucket": "The name of
// the Amazon S3 bucket to which the previous digest file was
// delivered"); the older part of the range is validated there.
func TestTheTrailMoved(t *testing.T) {
	setup := func() (*integritytest.Chain, integritytest.Buckets, []string, []string) {
		c := integritytest.New("old-bucket", "old", "111122223333", "trail-master", "us-east-1")
		old := c.Hours("us-east-1", start, 3, 2)
		oldBucket := c.Bucket
		c.Move(integritytest.NewBucket("new-bucket"), "new")
		moved := c.Hours("us-east-1", start.Add(3*time.Hour), 3, 2)
		return c, integritytest.Buckets{oldBucket, c.Bucket}, old, moved
	}
	cases := map[string]struct {
		tamper func(b integritytest.Buckets, old, moved []string) []string
	}{
		"nothing changed": {func(integritytest.Buckets, []string, []string) []string { return nil }},
		"a log file changed where the trail delivered before": {func(b integritytest.Buckets, old, _ []string) []string {
			key := logFileOf(t, b[0], old[1])
			b[0].Put(key, integritytest.Gzip(`{"Records":[]}`), nil)
			return []string{"Log file\ts3://old-bucket/" + key + "\tINVALID: hash value doesn't match"}
		}},
		"the last digest before the move deleted": {func(b integritytest.Buckets, old, _ []string) []string {
			b[0].Delete(old[2])
			return []string{"Digest file\ts3://old-bucket/" + old[2] + "\tINVALID: not found"}
		}},
		"a digest in the middle of the older part deleted": {func(b integritytest.Buckets, old, _ []string) []string {
			b[0].Delete(old[1])
			return []string{"Digest file\ts3://old-bucket/" + old[1] + "\tINVALID: not found"}
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, buckets, old, moved := setup()
			want := tc.tamper(buckets, old, moved)
			sum, rec := run(t, buckets, c, integrity.Config{})
			if !slices.Equal(rec.problems, want) {
				t.Errorf("expected exactly %q, found %q", want, rec.problems)
			}
			if want == nil && (!sum.Valid() || sum.Digests != 6 || sum.LogFiles != 12) {
				t.Errorf("expected all 6 digests and 12 log files in both places valid, found %+v", sum)
			}
			if want != nil && sum.Valid() {
				t.Errorf("expected an invalid result, found %+v", sum)
			}
		})
	}
}

// logFileOf is the first log file a digest in bucket b lists.
func logFileOf(t *testing.T, b *integritytest.Bucket, digest string) string {
	t.Helper()
	content, err := integrity.Inflate(bytes.NewReader(b.Objects[digest].Body))
	if err != nil {
		t.Fatal(err)
	}
	d, err := integrity.ParseDigest(content)
	if err != nil {
		t.Fatal(err)
	}
	return d.LogFiles[0].S3Object
}

// TestSilence: what is missing is INCOMPLETE, never skipped: a region or
// an account whose every digest was deleted (its folder is gone), and
// the start of a range whose first digests were deleted up to a restart.
func TestSilence(t *testing.T) {
	t.Run("a region deleted whole", func(t *testing.T) {
		c, _ := fixture()
		for k := range c.Bucket.Objects {
			if strings.Contains(k, "/eu-west-1/") {
				c.Bucket.Delete(k)
			}
		}
		sum, rec := run(t, c.Bucket, c, integrity.Config{ExpectRegions: []string{"eu-west-1", "us-east-1"}})
		if sum.Valid() || len(rec.problems) != 0 || !slices.Equal(sum.Incomplete, []string{"111122223333 eu-west-1: no digest of the trail in the range"}) {
			t.Errorf("expected eu-west-1 INCOMPLETE, found %+v %v", sum, rec.problems)
		}
	})
	t.Run("an organization's account deleted whole", func(t *testing.T) {
		c := integritytest.New("trail-bucket", "", "111122223333", "trail-master", "us-east-1")
		c.Organization = "o-exampleorgid"
		c.Hours("us-east-1", start, 6, 1)
		sum, rec := run(t, c.Bucket, c, integrity.Config{Organization: c.Organization, ExpectAccounts: []string{"111122223333", "777788889999"}, ExpectRegions: []string{"us-east-1"}})
		if sum.Valid() || len(rec.problems) != 0 || !slices.Equal(sum.Incomplete, []string{"777788889999 us-east-1: no digest of the trail in the range"}) {
			t.Errorf("expected the member account INCOMPLETE, found %+v %v", sum, rec.problems)
		}
	})
	t.Run("a region since disabled, with old digests only", func(t *testing.T) {
		c, _ := fixture()
		c.Hours("ap-east-1", start.Add(-72*time.Hour), 2, 1)
		sum, rec := run(t, c.Bucket, c, integrity.Config{ExpectRegions: []string{"eu-west-1", "us-east-1"}})
		if !sum.Valid() || len(rec.problems) != 0 || !slices.Contains(sum.Regions, "ap-east-1") {
			t.Errorf("expected a region that is no longer enabled looked at and not required, found %+v %v", sum, rec.problems)
		}
		sum, _ = run(t, c.Bucket, c, integrity.Config{ExpectRegions: []string{"ap-east-1", "eu-west-1", "us-east-1"}})
		if sum.Valid() || !slices.Equal(sum.Incomplete, []string{"111122223333 ap-east-1: no digest of the trail in the range"}) {
			t.Errorf("expected the region INCOMPLETE while it is enabled, found %+v", sum)
		}
	})
	t.Run("an account that joined the organization during the range", func(t *testing.T) {
		c := integritytest.New("trail-bucket", "", "111122223333", "trail-master", "us-east-1")
		c.Organization = "o-exampleorgid"
		c.Hours("us-east-1", start, 6, 1)
		member := integritytest.New("trail-bucket", "", "777788889999", "trail-master", "us-east-1")
		member.Organization, member.Bucket, member.Signers = c.Organization, c.Bucket, c.Signers
		member.Hours("us-east-1", start.Add(2*time.Hour), 4, 1)
		accounts := []string{"111122223333", "777788889999"}
		joined := map[string]time.Time{"777788889999": start.Add(2 * time.Hour)}
		sum, rec := run(t, c.Bucket, c, integrity.Config{Organization: c.Organization, ExpectAccounts: accounts, Joined: joined, ExpectRegions: []string{"us-east-1"}})
		if !sum.Valid() || sum.Digests != 10 || len(rec.problems) != 0 {
			t.Errorf("expected the member's digests required from when it joined, and valid, found %+v %v", sum, rec.problems)
		}
		// Without its joining time, the member's first two hours are
		// missing.
		sum, _ = run(t, c.Bucket, c, integrity.Config{Organization: c.Organization, ExpectAccounts: accounts, ExpectRegions: []string{"us-east-1"}})
		if sum.Valid() || len(sum.Incomplete) != 1 || !strings.Contains(sum.Incomplete[0], "777788889999 us-east-1: no digest covers 2026-11-28T20:00:00Z to 2026-11-28T22:00:00Z") {
			t.Errorf("expected the member INCOMPLETE before its first digest, found %+v", sum)
		}
	})
	t.Run("the first digests of the range deleted, back to a restart", func(t *testing.T) {
		c := integritytest.New("trail-bucket", "", "111122223333", "trail-master", "us-east-1")
		c.Restart("us-east-1")
		first := c.Hours("us-east-1", start, 2, 1)
		c.Restart("us-east-1")
		c.Hours("us-east-1", start.Add(2*time.Hour), 4, 1)
		for _, k := range first {
			c.Bucket.Delete(k)
		}
		sum, rec := run(t, c.Bucket, c, integrity.Config{})
		if sum.Valid() || len(rec.problems) != 0 || len(sum.Incomplete) != 1 || !strings.Contains(sum.Incomplete[0], "no digest covers 2026-11-28T20:00:00Z to 2026-11-28T22:00:00Z") {
			t.Errorf("expected the start of the range INCOMPLETE, found %+v %v", sum, rec.problems)
		}
	})
	t.Run("a range with start equal to end", func(t *testing.T) {
		c, _ := fixture()
		at := start.Add(3*time.Hour + 30*time.Minute)
		sum, rec := run(t, c.Bucket, c, integrity.Config{Regions: []string{"us-east-1"}, Start: at, End: at})
		if !sum.Valid() || sum.Digests != 1 || len(rec.problems) != 0 {
			t.Errorf("expected the one digest covering %s valid, found %+v %v", at, sum, rec.problems)
		}
	})
}

// TestForeignObjects: keys and folders in the digest tree that CloudTrail
// did not write are reported, and everything else is still validated.
func TestForeignObjects(t *testing.T) {
	cases := map[string]struct {
		plant func(c *integritytest.Chain) string
		want  string
	}{
		"a junk key among the digests": {func(c *integritytest.Chain) string {
			key := "org/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/28/README.txt"
			c.Bucket.Put(key, []byte("hello"), nil)
			return key
		}, "not the name of a digest file of this folder's account and region"},
		"a digest name in the wrong day's folder": {func(c *integritytest.Chain) string {
			key := layout.DigestKey(c.Prefix, "", c.Account, "us-east-1", c.Trail, c.HomeRegion, start.Add(time.Hour))
			moved := strings.Replace(key, "/2026/11/28/", "/2026/11/29/", 1)
			c.Bucket.Put(moved, c.Bucket.Objects[key].Body, c.Bucket.Objects[key].Meta)
			return moved
		}, "not the name of a digest file of this folder's account and region"},
		"a folder that is no region": {func(c *integritytest.Chain) string {
			c.Bucket.Put("org/AWSLogs/111122223333/CloudTrail-Digest/xx-junk-1x/a", []byte("x"), nil)
			return "org/AWSLogs/111122223333/CloudTrail-Digest/xx-junk-1x/"
		}, "a folder that is not a region's, in the digest tree"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, _ := fixture()
			key := tc.plant(c)
			sum, rec := run(t, c.Bucket, c, integrity.Config{})
			want := []string{"Foreign object\ts3://trail-bucket/" + key + "\tUNEXPECTED: " + tc.want}
			if !slices.Equal(rec.problems, want) {
				t.Errorf("expected exactly %q, found %q", want, rec.problems)
			}
			if sum.Valid() || sum.Foreign != 1 || sum.ValidDigests != 12 || sum.ValidLogFiles != 36 {
				t.Errorf("expected one foreign object and everything else valid, found %+v", sum)
			}
		})
	}
	t.Run("another trail's digests are not foreign", func(t *testing.T) {
		c, _ := fixture()
		other := integritytest.New(c.Bucket.Name, c.Prefix, c.Account, "another-trail", "us-east-1")
		other.Bucket = c.Bucket
		other.Hours("us-east-1", start, 2, 1)
		sum, rec := run(t, c.Bucket, c, integrity.Config{})
		if !sum.Valid() || sum.OtherTrails != 2 || len(rec.problems) != 0 {
			t.Errorf("expected a valid result with 2 digests of another trail counted, found %+v %v", sum, rec.problems)
		}
	})
}

// TestStrictFormats: one gzip member per file and nothing after it (AWS's
// CLI refuses data after the first member since 2026; Debian's 2.9.19
// inflates the first member and ignores the rest), and a digest's keys
// exactly as documented.
func TestStrictFormats(t *testing.T) {
	emptyMember := integritytest.Gzip("")
	cases := map[string]struct {
		tamper func(c *integritytest.Chain, d map[string][]string) []string
	}{
		"an empty gzip member appended to a log file": {func(c *integritytest.Chain, d map[string][]string) []string {
			key := c.Digest(d["us-east-1"][1]).LogFiles[0].S3Object
			o := c.Bucket.Objects[key]
			c.Bucket.Put(key, append(slices.Clone(o.Body), emptyMember...), o.Meta)
			return []string{"Log file\ts3://trail-bucket/" + key + "\tINVALID: invalid format: data after the first gzip member"}
		}},
		"a gzip member with events appended to a log file": {func(c *integritytest.Chain, d map[string][]string) []string {
			key := c.Digest(d["us-east-1"][1]).LogFiles[1].S3Object
			o := c.Bucket.Objects[key]
			c.Bucket.Put(key, append(slices.Clone(o.Body), integritytest.Gzip(`{"Records":[{"eventName":"Forged"}]}`)...), o.Meta)
			return []string{"Log file\ts3://trail-bucket/" + key + "\tINVALID: invalid format: data after the first gzip member"}
		}},
		"bytes appended to a digest": {func(c *integritytest.Chain, d map[string][]string) []string {
			key := d["eu-west-1"][2]
			o := c.Bucket.Objects[key]
			c.Bucket.Put(key, append(slices.Clone(o.Body), "junk"...), o.Meta)
			return []string{"Digest file\ts3://trail-bucket/" + key + "\tINVALID: invalid format: data after the first gzip member"}
		}},
		"a digest key spelled in another case, signed": {func(c *integritytest.Chain, d map[string][]string) []string {
			key := d["eu-west-1"][4]
			c.Edit(key, func(m map[string]any) { m["DigestS3Object"] = m["digestS3Object"]; delete(m, "digestS3Object") }, true, nil)
			c.RelinkAfter(d["eu-west-1"], 4)
			return []string{"Digest file\ts3://trail-bucket/" + key + "\tINVALID: invalid format"}
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, d := fixture()
			want := tc.tamper(c, d)
			sum, rec := validate(t, c)
			if !slices.Equal(rec.problems, want) {
				t.Errorf("expected exactly %q, found %q", want, rec.problems)
			}
			if sum.Valid() {
				t.Errorf("expected an invalid result, found %+v", sum)
			}
		})
	}
}

// TestBombs: a small digest or log file that inflates far past any real
// one is reported invalid, the rest is checked, and memory stays far
// below what the file inflates to.
func TestBombs(t *testing.T) {
	bomb := func(prefix string, size int) []byte {
		var b bytes.Buffer
		z, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		z.Write([]byte(prefix))
		chunk := bytes.Repeat([]byte("a"), 1<<20)
		for written := 0; written < size; written += len(chunk) {
			z.Write(chunk)
		}
		z.Close()
		return b.Bytes()
	}
	c, d := fixture()
	digest := d["us-east-1"][3]
	// One JSON string that never ends: read whole, it would take 64 MiB.
	c.Bucket.Put(digest, bomb(`{"digestS3Object": "`, 64<<20), c.Bucket.Objects[digest].Meta)
	logKey := c.Digest(d["eu-west-1"][2]).LogFiles[0].S3Object
	c.Bucket.Put(logKey, bomb("", 512<<20), nil)

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum, rec := validate(t, c)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	want := []string{
		"Digest file\ts3://trail-bucket/" + digest + "\tINVALID: invalid format: inflates past 32 MiB",
		"Log file\ts3://trail-bucket/" + logKey + "\tINVALID: hash value doesn't match",
	}
	slices.Sort(rec.problems)
	if !slices.Equal(rec.problems, want) {
		t.Errorf("expected exactly %q, found %q", want, rec.problems)
	}
	if sum.ValidLogFiles != 35-3 || sum.ValidDigests != 11 {
		t.Errorf("expected the other 11 digests and 32 log files valid, found %+v", sum)
	}
	if grew := after.HeapSys - before.HeapSys; grew > 150<<20 {
		t.Errorf("expected the heap to grow by far less than the 512 MiB the log file inflates to, found %d MiB", grew>>20)
	}
}

// FuzzReadDigest: no input makes the digest reader panic, and what it
// accepts has the keys a digest must have.
func FuzzReadDigest(f *testing.F) {
	c, d := fixture()
	f.Add(c.Bucket.Objects[d["us-east-1"][1]].Body)
	f.Add(integritytest.Gzip(`{"logFiles":[{"s3Bucket":1}]}`))
	f.Add(integritytest.Gzip(`{"digestS3Object":null,"digestS3Object":"x"}`))
	f.Add([]byte("not gzip"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, _, err := integrity.ReadDigest(bytes.NewReader(data), func(integrity.LogFile) {})
		if err == nil && got == nil {
			t.Error("expected a digest or an error")
		}
	})
}

// FuzzSignedDigest: whatever a correctly signed digest says (its
// previous-digest fields, times, log files, as CloudTrail never writes
// them), validation reports and goes on; it never panics.
func FuzzSignedDigest(f *testing.F) {
	c, d := fixture()
	f.Add(string(mustInflate(c.Bucket.Objects[d["us-east-1"][2]].Body)))
	f.Add(`{"digestPublicKeyFingerprint":"x","digestS3Bucket":"trail-bucket","digestS3Object":"k","previousDigestSignature":null,"digestEndTime":"2026-11-28T23:00:00Z","digestStartTime":"2026-11-28T22:00:00Z","previousDigestS3Object":"","logFiles":[]}`)
	f.Add(`{"previousDigestS3Bucket":"other","previousDigestS3Object":"org/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/28/111122223333_CloudTrail-Digest_us-east-1_trail-master_us-east-1_20261128T200000Z.json.gz"}`)
	f.Fuzz(func(t *testing.T, content string) {
		// A small chain: one region, three hours, one log file each.
		c := integritytest.New("trail-bucket", "org", "111122223333", "trail-master", "us-east-1")
		d := map[string][]string{"us-east-1": c.Hours("us-east-1", start, 3, 1)}
		key := d["us-east-1"][1]
		var fields map[string]any
		if json.Unmarshal([]byte(content), &fields) != nil || fields == nil {
			return
		}
		// The fuzzed fields over the real digest's, signed as CloudTrail
		// would sign them.
		c.Edit(key, func(m map[string]any) { maps.Copy(m, fields) }, true, nil)
		rec := &recorder{}
		integrity.Validate(context.Background(), integrity.Config{
			Bucket: c.Bucket.Name, Prefix: c.Prefix, Accounts: []string{c.Account}, Trail: c.Trail, HomeRegion: c.HomeRegion,
			Start: start, End: start.Add(6 * time.Hour), Workers: 2,
		}, c.Bucket, c, rec)
	})
}

func mustInflate(b []byte) []byte {
	out, err := integrity.Inflate(bytes.NewReader(b))
	if err != nil {
		panic(err)
	}
	return out
}

// swapping is a bucket whose digest at key is overwritten with another
// digest's content after it was first read, as an attacker racing the
// validation would.
type swapping struct {
	*integritytest.Bucket
	key, with string
	reads     int
}

func (s *swapping) Open(ctx context.Context, bucket, key string) (io.ReadCloser, map[string]string, error) {
	if key == s.key {
		s.reads++
		if s.reads > 1 {
			o := s.Objects[s.with]
			return io.NopCloser(bytes.NewReader(o.Body)), o.Meta, nil
		}
	}
	return s.Bucket.Open(ctx, bucket, key)
}

// TestLargeDigests: a digest that lists more log files than are kept in
// memory is read a second time to list them; every one is still
// checked, and a digest overwritten between the two reads is invalid.
func TestLargeDigests(t *testing.T) {
	defer integrity.KeepLogFiles(2)()
	c, d := fixture()
	sum, rec := validate(t, c)
	if !sum.Valid() || sum.ValidLogFiles != 36 || len(rec.problems) != 0 {
		t.Errorf("expected all 36 log files checked through the second reads, found %+v %v", sum, rec.problems)
	}
	key := d["us-east-1"][2]
	store := &swapping{Bucket: c.Bucket, key: key, with: d["us-east-1"][3]}
	rec = &recorder{}
	sum, err := integrity.Validate(context.Background(), integrity.Config{
		Bucket: c.Bucket.Name, Prefix: c.Prefix, Accounts: []string{c.Account}, Trail: c.Trail, HomeRegion: c.HomeRegion,
		Regions: []string{"us-east-1"}, Start: start, End: start.Add(6 * time.Hour),
	}, store, c, rec)
	want := []string{"Digest file\ts3://trail-bucket/" + key + "\tINVALID: changed while it was being read"}
	if err != nil || sum.Valid() || !slices.Equal(rec.problems, want) {
		t.Errorf("expected %q, found %q (%+v, %v)", want, rec.problems, sum, err)
	}
}

// TestIntactVersions: in the versioned log bucket, a log file deleted (a
// delete marker) or overwritten is still there as a noncurrent version;
// the problem stays, and names the version that holds the evidence.
func TestIntactVersions(t *testing.T) {
	c, d := fixture()
	c.Bucket.Versioned = true
	deleted := c.Digest(d["us-east-1"][1]).LogFiles[0].S3Object
	c.Bucket.Delete(deleted)
	changed := c.Digest(d["eu-west-1"][2]).LogFiles[1].S3Object
	c.Bucket.Put(changed, integritytest.Gzip(`{"Records":[]}`), nil)
	c.Bucket.Put(changed, integritytest.Gzip(`{"Records":[{}]}`), nil)
	sum, rec := validate(t, c)
	intact := " (version v1, noncurrent, is intact: the file was deleted or overwritten after delivery)"
	want := []string{
		"Log file\ts3://trail-bucket/" + changed + "\tINVALID: hash value doesn't match" + intact,
		"Log file\ts3://trail-bucket/" + deleted + "\tINVALID: not found" + intact,
	}
	slices.Sort(rec.problems)
	if sum.Valid() || !slices.Equal(rec.problems, want) {
		t.Errorf("expected exactly %q, found %q", want, rec.problems)
	}
}

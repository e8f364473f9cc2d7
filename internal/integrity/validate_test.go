package integrity_test

import (
	"context"
	"crypto/x509"
	b64 "encoding/base64"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cle2wa/audit-trail/internal/integrity"
	"github.com/cle2wa/audit-trail/internal/integrity/integritytest"
)

var start = time.Date(2026, 11, 28, 20, 0, 0, 0, time.UTC)

// recorder collects what Validate reports.
type recorder struct {
	problems []string
	gaps     []string
	valid    int
}

func (r *recorder) Invalid(p integrity.Problem)           { r.problems = append(r.problems, p.String()) }
func (r *recorder) Valid(kind, bucket, key string)        { r.valid++ }
func (r *recorder) Gap(region, from, to string)           { r.gaps = append(r.gaps, region+" "+from+" "+to) }
func (r *recorder) Progress(region string, end time.Time) {}

// fixture is a valid chain over six hours (across midnight) in two
// regions, three log files an hour.
func fixture() (*integritytest.Chain, map[string][]string) {
	c := integritytest.New("trail-bucket", "org", "111122223333", "trail-master", "us-east-1")
	digests := map[string][]string{}
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		digests[region] = c.Hours(region, start, 6, 3)
	}
	return c, digests
}

func validate(t *testing.T, c *integritytest.Chain) (integrity.Summary, *recorder) {
	t.Helper()
	rec := &recorder{}
	sum, err := integrity.Validate(context.Background(), integrity.Config{
		Bucket: c.Bucket.Name, Prefix: c.Prefix, Accounts: []string{c.Account}, Trail: c.Trail, HomeRegion: c.HomeRegion,
		Start: start, End: start.Add(6 * time.Hour),
	}, c.Bucket, c, rec)
	if err != nil {
		t.Fatal(err)
	}
	return sum, rec
}

func TestValidChain(t *testing.T) {
	c, _ := fixture()
	sum, rec := validate(t, c)
	if !sum.Valid() || len(rec.problems) != 0 || len(rec.gaps) != 0 {
		t.Fatalf("expected a valid chain, found %+v %v %v", sum, rec.problems, rec.gaps)
	}
	if !slices.Equal(sum.Regions, []string{"eu-west-1", "us-east-1"}) || sum.Digests != 12 || sum.ValidDigests != 12 || sum.LogFiles != 36 || sum.ValidLogFiles != 36 {
		t.Errorf("expected 12 digests and 36 log files in two regions, all valid, found %+v", sum)
	}
}

// TestEachTamperingIsReported: one change at a time to the valid chain,
// and the line (as the AWS CLI prints it) that must report it, and
// nothing else.
func TestEachTamperingIsReported(t *testing.T) {
	cases := map[string]struct {
		tamper func(c *integritytest.Chain, d map[string][]string) []string
		beyond bool
	}{
		"a modified log file": {func(c *integritytest.Chain, d map[string][]string) []string {
			f := c.Digest(d["us-east-1"][2]).LogFiles[1]
			o := c.Bucket.Objects[f.S3Object]
			c.Bucket.Put(f.S3Object, integritytest.Gzip(`{"Records":[]}`), o.Meta)
			return []string{"Log file\ts3://trail-bucket/" + f.S3Object + "\tINVALID: hash value doesn't match"}
		}, false},
		"a deleted log file": {func(c *integritytest.Chain, d map[string][]string) []string {
			f := c.Digest(d["eu-west-1"][4]).LogFiles[0]
			c.Bucket.Delete(f.S3Object)
			return []string{"Log file\ts3://trail-bucket/" + f.S3Object + "\tINVALID: not found"}
		}, false},
		"a modified digest": {func(c *integritytest.Chain, d map[string][]string) []string {
			c.Edit(d["us-east-1"][3], func(m map[string]any) { m["logFiles"] = []any{} }, false, nil)
			return []string{"Digest file\ts3://trail-bucket/" + d["us-east-1"][3] + "\tINVALID: signature verification failed"}
		}, false},
		"a deleted digest": {func(c *integritytest.Chain, d map[string][]string) []string {
			c.Bucket.Delete(d["us-east-1"][2])
			return []string{"Digest file\ts3://trail-bucket/" + d["us-east-1"][2] + "\tINVALID: not found"}
		}, false},
		"a digest signed with another key": {func(c *integritytest.Chain, d map[string][]string) []string {
			c.Edit(d["eu-west-1"][1], func(map[string]any) {}, true, integritytest.NewSigner())
			return []string{"Digest file\ts3://trail-bucket/" + d["eu-west-1"][1] + "\tINVALID: signature verification failed"}
		}, false},
		"a digest naming another bucket": {func(c *integritytest.Chain, d map[string][]string) []string {
			c.Edit(d["eu-west-1"][5], func(m map[string]any) { m["digestS3Bucket"] = "someone-elses-bucket" }, true, nil)
			return []string{"Digest file\ts3://trail-bucket/" + d["eu-west-1"][5] + "\tINVALID: has been moved from its original location"}
		}, false},
		"a digest whose key is not in the key list": {func(c *integritytest.Chain, d map[string][]string) []string {
			c.Edit(d["us-east-1"][0], func(m map[string]any) { m["digestPublicKeyFingerprint"] = "00000000000000000000000000000000" }, true, nil)
			return []string{"Digest file\ts3://trail-bucket/" + d["us-east-1"][0] + "\tINVALID: public key not found in region us-east-1 for fingerprint 00000000000000000000000000000000"}
		}, false},
		// A correctly signed digest whose previousDigestSignature is not
		// the previous digest's: the AWS CLI checks each digest against its
		// own metadata only, and passes it.
		"a broken previous-signature link": {func(c *integritytest.Chain, d map[string][]string) []string {
			c.Edit(d["us-east-1"][4], func(m map[string]any) { m["previousDigestSignature"] = strings.Repeat("ab", 256) }, true, nil)
			c.RelinkAfter(d["us-east-1"], 4)
			return []string{"Digest file\ts3://trail-bucket/" + d["us-east-1"][4] + "\tINVALID: its previousDigestSignature is not the signature of s3://trail-bucket/" + d["us-east-1"][3]}
		}, true},
		"a broken previous-hash link": {func(c *integritytest.Chain, d map[string][]string) []string {
			c.Edit(d["eu-west-1"][3], func(m map[string]any) { m["previousDigestHashValue"] = strings.Repeat("0", 64) }, true, nil)
			c.RelinkAfter(d["eu-west-1"], 3)
			return []string{"Digest file\ts3://trail-bucket/" + d["eu-west-1"][3] + "\tINVALID: its previousDigestHashValue is not the SHA-256 of s3://trail-bucket/" + d["eu-west-1"][2]}
		}, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, d := fixture()
			want := tc.tamper(c, d)
			sum, rec := validate(t, c)
			if !slices.Equal(rec.problems, want) {
				t.Errorf("expected exactly\n%s\nfound\n%s", strings.Join(want, "\n"), strings.Join(rec.problems, "\n"))
			}
			if sum.Valid() || (sum.BeyondTheAWSCLI > 0) != tc.beyond {
				t.Errorf("expected an invalid result (beyond the AWS CLI: %v), found %+v", tc.beyond, sum)
			}
		})
	}
}

// TestRestartIsAGap: logging stopped and started again starts a new
// chain. No digest covers the time between, so the range is INCOMPLETE:
// the same picture is what deleting the last digests before a restart
// leaves, and the AWS CLI, which calls it a gap and exits 0, passes that.
func TestRestartIsAGap(t *testing.T) {
	for name, deleteTail := range map[string]bool{"a restart": false, "a restart whose chain's last digests were deleted": true} {
		t.Run(name, func(t *testing.T) {
			c := integritytest.New("trail-bucket", "", "111122223333", "trail-master", "us-east-1")
			before := c.Hours("us-east-1", start, 3, 1)
			c.Restart("us-east-1")
			c.Hours("us-east-1", start.Add(4*time.Hour), 2, 1)
			from := "2026-11-28T23:00:00Z"
			if deleteTail {
				c.Bucket.Delete(before[2])
				from = "2026-11-28T22:00:00Z"
			}
			sum, rec := validate(t, c)
			wantGap := "us-east-1 " + from + " 2026-11-29T00:00:00Z"
			if sum.Valid() || len(rec.problems) != 0 || !slices.Equal(rec.gaps, []string{wantGap}) || len(sum.Incomplete) != 1 ||
				!strings.Contains(sum.Incomplete[0], "no digest covers "+from+" to 2026-11-29T00:00:00Z") {
				t.Errorf("expected the range INCOMPLETE from %s to the restart, found %+v %v %v", from, sum, rec.problems, rec.gaps)
			}
		})
	}
}

// TestRange: only the digests that end in [start, end + 1 h] count.
func TestRange(t *testing.T) {
	c, _ := fixture()
	rec := &recorder{}
	sum, err := integrity.Validate(context.Background(), integrity.Config{
		Bucket: c.Bucket.Name, Prefix: c.Prefix, Accounts: []string{c.Account}, Trail: c.Trail, HomeRegion: c.HomeRegion,
		Regions: []string{"us-east-1"}, Start: start.Add(2 * time.Hour), End: start.Add(3 * time.Hour),
	}, c.Bucket, c, rec)
	if err != nil || sum.Digests != 3 || !sum.Valid() {
		t.Errorf("expected the 3 digests ending 22:00 to 00:00 in us-east-1, found %+v (%v)", sum, err)
	}
}

func TestPublicKeyForms(t *testing.T) {
	s := integritytest.NewSigner()
	for name, value := range map[string][]byte{
		"X.509 SubjectPublicKeyInfo DER":             s.DER,
		"base64 of it":                               []byte(base64(s.DER)),
		"PKCS #1 DER (the API Reference's own word)": x509.MarshalPKCS1PublicKey(&s.Key.PublicKey),
	} {
		if _, err := (integrity.PublicKey{Value: value}).RSA(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := (integrity.PublicKey{Value: []byte("not a key")}).RSA(); err == nil {
		t.Error("expected an error for a value that is no key")
	}
}

func base64(b []byte) string { return b64.StdEncoding.EncodeToString(b) }

// TestFirstDigestOfTheRange: a range that starts within a chain; the
// predecessor that its first digest names is in the range and gone.
func TestFirstDigestOfTheRange(t *testing.T) {
	c, d := fixture()
	c.Bucket.Delete(d["us-east-1"][1]) // ends 22:00
	rec := &recorder{}
	sum, err := integrity.Validate(context.Background(), integrity.Config{
		Bucket: c.Bucket.Name, Prefix: c.Prefix, Accounts: []string{c.Account}, Trail: c.Trail, HomeRegion: c.HomeRegion,
		Regions: []string{"us-east-1"}, Start: start.Add(90 * time.Minute), End: start.Add(6 * time.Hour),
	}, c.Bucket, c, rec)
	want := []string{"Digest file\ts3://trail-bucket/" + d["us-east-1"][1] + "\tINVALID: not found"}
	if err != nil || sum.Valid() || !slices.Equal(rec.problems, want) {
		t.Errorf("expected %v, found %v (%+v, %v)", want, rec.problems, sum, err)
	}
}

// TestNewestDigestsDeleted: digests stop hours before the end of the
// range; the AWS CLI passes this.
func TestNewestDigestsDeleted(t *testing.T) {
	c, d := fixture()
	for _, k := range d["eu-west-1"][3:] {
		c.Bucket.Delete(k)
	}
	sum, rec := validate(t, c)
	if sum.Valid() || len(rec.problems) != 0 || len(sum.Incomplete) != 1 || !strings.Contains(sum.Incomplete[0], "111122223333 eu-west-1: the newest digest ends at 2026-11-28T23:00:00Z") {
		t.Errorf("expected the range reported incomplete in eu-west-1 only, found %+v %v", sum, rec.problems)
	}
}

// TestNothingToValidate: no digest at all is not a valid result.
func TestNothingToValidate(t *testing.T) {
	c := integritytest.New("trail-bucket", "", "111122223333", "trail-master", "us-east-1")
	if sum, _ := validate(t, c); sum.Valid() {
		t.Errorf("expected no digests to be no proof, found %+v", sum)
	}
}

// failing is a bucket whose reads of one key fail as S3 would for a
// caller without permission.
type failing struct {
	*integritytest.Bucket
	key string
}

func (f failing) Open(ctx context.Context, bucket, key string) (io.ReadCloser, map[string]string, error) {
	if key == f.key {
		return nil, nil, errors.New("AccessDenied: Access Denied")
	}
	return f.Bucket.Open(ctx, bucket, key)
}

// TestReadErrorsAreNoVerdict: access denied (or an expired session) stops
// the run with an error; it does not call the evidence invalid.
func TestReadErrorsAreNoVerdict(t *testing.T) {
	for name, pick := range map[string]func(c *integritytest.Chain, d map[string][]string) string{
		"a digest": func(c *integritytest.Chain, d map[string][]string) string { return d["us-east-1"][2] },
		"a log file": func(c *integritytest.Chain, d map[string][]string) string {
			return c.Digest(d["eu-west-1"][1]).LogFiles[0].S3Object
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, d := fixture()
			rec := &recorder{}
			_, err := integrity.Validate(context.Background(), integrity.Config{
				Bucket: c.Bucket.Name, Prefix: c.Prefix, Accounts: []string{c.Account}, Trail: c.Trail, HomeRegion: c.HomeRegion,
				Start: start, End: start.Add(6 * time.Hour),
			}, failing{c.Bucket, pick(c, d)}, c, rec)
			if err == nil || !strings.Contains(err.Error(), "AccessDenied") || len(rec.problems) != 0 {
				t.Errorf("expected the run to stop with the access error and no verdict, found %v %v", err, rec.problems)
			}
		})
	}
}

// TestOrganizationTrail: every account's folder under the organization's
// is validated.
func TestOrganizationTrail(t *testing.T) {
	c := integritytest.New("trail-bucket", "", "111122223333", "trail-master", "us-east-1")
	c.Organization = "o-exampleorgid"
	c.Hours("us-east-1", start, 3, 1)
	member := integritytest.New("trail-bucket", "", "777788889999", "trail-master", "us-east-1")
	member.Organization, member.Bucket, member.Signers = c.Organization, c.Bucket, c.Signers
	keys := member.Hours("us-east-1", start, 3, 1)
	c.Bucket.Delete(c.Digest(keys[1]).LogFiles[0].S3Object)
	rec := &recorder{}
	sum, err := integrity.Validate(context.Background(), integrity.Config{
		Bucket: c.Bucket.Name, Organization: c.Organization, Trail: c.Trail, HomeRegion: c.HomeRegion,
		Start: start, End: start.Add(3 * time.Hour),
	}, c.Bucket, c, rec)
	if err != nil || sum.Digests != 6 || sum.LogErrors != 1 || len(rec.problems) != 1 || !strings.Contains(rec.problems[0], "/AWSLogs/o-exampleorgid/777788889999/CloudTrail/") {
		t.Errorf("expected both accounts' 6 digests checked and the member's deleted log file reported, found %+v %v (%v)", sum, rec.problems, err)
	}
}

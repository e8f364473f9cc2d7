package layout

import (
	"testing"
	"time"
)

func TestOwner(t *testing.T) {
	cases := map[string]struct{ prefix, want string }{
		"no prefix": {"", "AWSLogs/123456789012/"},
		"prefix":    {"org/logs", "org/logs/AWSLogs/123456789012/"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Owner(c.prefix, "123456789012"); got != c.want {
				t.Errorf("expected %q, found %q", c.want, got)
			}
		})
	}
}

// TestKeys: the keys as the User Guide's examples give them, and a
// digest key read back whole.
func TestKeys(t *testing.T) {
	at := time.Date(2015, 8, 17, 15, 1, 31, 0, time.UTC)
	if got, want := DigestKey("", "", "111122223333", "us-east-2", "your-trail-name", "us-east-2", at),
		"AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz"; got != want {
		t.Errorf("expected %q, found %q", want, got)
	}
	if got, want := LogKey("logs", "o-exampleorgid", "111122223333", "us-east-2", at, "Xy1Z"),
		"logs/AWSLogs/o-exampleorgid/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1501Z_Xy1Z.json.gz"; got != want {
		t.Errorf("expected %q, found %q", want, got)
	}
	for name, c := range map[string]struct {
		prefix, organization string
	}{"an account's": {"", ""}, "an organization's, under a prefix": {"a/b", "o-exampleorgid"}} {
		t.Run(name, func(t *testing.T) {
			key := DigestKey(c.prefix, c.organization, "111122223333", "eu-west-1", "my_trail-1", "us-east-1", at)
			d, ok := ParseDigestPath(key)
			want := Digest{Prefix: c.prefix, Organization: c.organization, Account: "111122223333", Region: "eu-west-1", Trail: "my_trail-1", Home: "us-east-1", End: at}
			if !ok || d != want {
				t.Errorf("expected %+v, found %+v (%v)", want, d, ok)
			}
		})
	}
	for name, key := range map[string]string{
		"a day folder that is not the end's": "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/18/111122223333_CloudTrail-Digest_us-east-2_t_us-east-2_20150817T150131Z.json.gz",
		"another account's name":             "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/999922223333_CloudTrail-Digest_us-east-2_t_us-east-2_20150817T150131Z.json.gz",
		"a log file":                         "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1501Z_Xy1Z.json.gz",
	} {
		if _, ok := ParseDigestPath(key); ok {
			t.Errorf("%s: expected %s refused", name, key)
		}
	}
}

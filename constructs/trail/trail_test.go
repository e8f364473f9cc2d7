package trail

import (
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/logbucket"
)

func TestValidateName(t *testing.T) {
	cases := map[string]struct {
		name  string
		valid bool
	}{
		"lab name":            {"trail-master", true},
		"dots and underscore": {"trail.master_1", true},
		"too short":           {"ab", false},
		"too long":            {strings.Repeat("t", 129), false},
		"longest":             {strings.Repeat("t", 128), true},
		"leading hyphen":      {"-trail", false},
		"trailing underscore": {"trail_", false},
		"adjacent hyphens":    {"trail--master", false},
		"dot then hyphen":     {"trail.-master", false},
		"space":               {"trail master", false},
		"ip address":          {"10.0.0.1", false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := ValidateName(c.name)
			if (err == nil) != c.valid {
				t.Errorf("expected %q valid=%v, found error %v", c.name, c.valid, err)
			}
			// The value is named, cut to field.MaxValue characters.
			if err != nil && !strings.Contains(err.Error(), c.name[:min(len(c.name), field.MaxValue)]) {
				t.Errorf("expected the error to name %q, found %v", c.name, err)
			}
		})
	}
}

func TestValidateKeyPrefix(t *testing.T) {
	cases := map[string]struct {
		prefix string
		valid  bool
	}{
		"none":           {"", true},
		"one segment":    {"logs", true},
		"nested":         {"org/cloudtrail-logs", true},
		"leading slash":  {"/logs", false},
		"trailing slash": {"logs/", false},
		"double slash":   {"a//b", false},
		"space":          {"my logs", false},
		"too long":       {strings.Repeat("p", 201), false},
		// The prefix lands in CloudTrail's write grant: nothing that IAM
		// reads as a wildcard or a policy variable.
		"a wildcard":         {"*", false},
		"a wildcard segment": {"org/*", false},
		"a question mark":    {"log?", false},
		"a policy variable":  {"${aws:username}", false},
		"S3's safe marks":    {"a!b_c.d'e(f)g-h", true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if err := ValidateKeyPrefix(c.prefix); (err == nil) != c.valid {
				t.Errorf("expected %q valid=%v, found error %v", c.prefix, c.valid, err)
			}
		})
	}
}

// TestValidateDelivery: the log bucket and key are either the trail
// stack's or other accounts' (Delivery, by name and key ARN), never both,
// and a Delivery names a key by its ARN.
func TestValidateDelivery(t *testing.T) {
	env := arn.Env{Partition: "aws", Account: "111122223333", Region: "us-east-1"}
	keyARN := "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := map[string]struct {
		cfg  Config
		want string
	}{
		"another account's bucket and key": {Config{Delivery: &Delivery{BucketName: "logs", KeyARN: keyARN}}, ""},
		"a key given by a token":           {Config{Delivery: &Delivery{BucketName: "logs", KeyARN: "${TfToken[TOKEN.1]}"}}, ""},
		"neither":                          {Config{}, "Bucket: is required"},
		"both":                             {Config{Bucket: &logbucket.Bucket{}, Delivery: &Delivery{BucketName: "logs", KeyARN: keyARN}}, "Delivery: \"logs\" is set together with Bucket or Key"},
		"no key":                           {Config{Delivery: &Delivery{BucketName: "logs"}}, "Delivery: is required"},
		"an alias ARN":                     {Config{Delivery: &Delivery{BucketName: "logs", KeyARN: "arn:aws:kms:us-east-1:444455556666:alias/kms-trail"}}, "Delivery.KeyARN: \"arn:aws:kms:us-east-1:444455556666:alias/kms-trail\" is not a KMS key's ARN"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			c.cfg.Name, c.cfg.Env = "trail-master", env
			err := c.cfg.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("expected a valid configuration, found %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("expected an error containing %q, found %v", c.want, err)
			}
		})
	}
}

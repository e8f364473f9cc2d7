package logbucket

import (
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
)

func TestValidateName(t *testing.T) {
	cases := map[string]struct {
		name, want string // want "" for a valid name
	}{
		"lab name":        {"cle2wa-s3-trail-master", ""},
		"shortest":        {"abc", ""},
		"longest":         {strings.Repeat("a", 63), ""},
		"too short":       {"ab", "must be 3 to 63 characters long, not 2"},
		"too long":        {strings.Repeat("a", 64), "not 64"},
		"upper case":      {"Cle2wa-trail", "lower-case letters"},
		"underscore":      {"cle2wa_trail", "lower-case letters"},
		"leading hyphen":  {"-cle2wa", "beginning and ending with a letter or digit"},
		"trailing dot":    {"cle2wa.", "beginning and ending"},
		"adjacent dots":   {"a..b", "two adjacent dots"},
		"ip address":      {"192.168.5.4", "IP address"},
		"xn-- prefix":     {"xn--trail", `reserved "xn--"`},
		"sthree- prefix":  {"sthree-trail", `reserved "sthree-"`},
		"-s3alias suffix": {"trail-s3alias", `reserved "-s3alias"`},
		"--ol-s3 suffix":  {"trail--ol-s3", `reserved "--ol-s3"`},
		"several at once": {"X_", "must be 3 to 63 characters long, not 2; must be lower-case"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := ValidateName(c.name)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("expected %q to be valid, found %v", c.name, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("expected an error for %q containing %q, found %v", c.name, c.want, err)
			}
		})
	}
}

func TestRetentionValidate(t *testing.T) {
	cases := map[string]struct {
		r    Retention
		want string
	}{
		"keep forever":            {Retention{}, ""},
		"transition only":         {Retention{TransitionDays: 30, StorageClass: "STANDARD_IA"}, ""},
		"one year":                {Retention{ExpireDays: 365}, ""},
		"transition then expire":  {Retention{TransitionDays: 90, StorageClass: "DEEP_ARCHIVE", ExpireDays: 2555}, ""},
		"expire inside a year":    {Retention{ExpireDays: 90}, "ExpireDays: 90 must be 0 (keep forever) or between 365 and 36500"},
		"expire past a century":   {Retention{ExpireDays: 36501}, "ExpireDays: 36501"},
		"transition too early":    {Retention{TransitionDays: 29, StorageClass: "GLACIER"}, "TransitionDays: 29 must be 0 (never) or between 30"},
		"one zone class":          {Retention{TransitionDays: 30, StorageClass: "ONEZONE_IA"}, `StorageClass: "ONEZONE_IA" must be one of`},
		"transition after expiry": {Retention{TransitionDays: 400, StorageClass: "GLACIER", ExpireDays: 400}, "TransitionDays: 400 must be less than ExpireDays (400)"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := c.r.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("expected %+v to be valid, found %v", c.r, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("expected an error for %+v containing %q, found %v", c.r, c.want, err)
			}
		})
	}
}

func TestNewPairReportsBothBucketsAndAddsNothing(t *testing.T) {
	app := cdktf.Testing_App(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("test"))
	partition, account := "aws", "123456789012"
	env := arn.Env{Partition: partition, Account: account, Region: "us-east-1"}
	_, err := NewPair(stack, "logs", "access_logs", PairConfig{
		Env:       env,
		Bucket:    Config{Name: "Bad_Name", Retention: Retention{ExpireDays: 30}},
		AccessLog: Config{Name: "x"},
	})
	for _, want := range []string{`Bucket.Name: "Bad_Name" is not a valid S3 bucket name`, `AccessLog.Name: "x" is not a valid S3 bucket name`, "Bucket.Retention.ExpireDays: 30 must be"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("expected the error to say %q, found %v", want, err)
		}
	}
	if n := len(*stack.Node().Children()); n != 0 {
		t.Errorf("expected nothing added for a bad pair, found %d constructs", n)
	}
}

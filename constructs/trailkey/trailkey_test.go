package trailkey

import (
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/policy"
)

func TestValidate(t *testing.T) {
	partition, account, role := "aws", "123456789012", "arn:aws:iam::123456789012:role/role-audit"
	ok := Config{Alias: "alias/kms-trail-master", Env: arn.Env{Partition: partition, Account: account, Region: "us-east-1"}, TrailName: "trail-master", DecryptorARN: role, Operators: policy.Operators{Deployers: []string{"arn:aws:iam::123456789012:role/deploy"}, BreakGlass: []string{"arn:aws:iam::123456789012:root"}}}
	cases := map[string]struct {
		change func(*Config)
		want   string
	}{
		"valid":                {func(*Config) {}, ""},
		"alias without prefix": {func(c *Config) { c.Alias = "kms-trail" }, `Alias: "kms-trail" must be "alias/"`},
		"reserved alias":       {func(c *Config) { c.Alias = "alias/aws/s3" }, "reserved for AWS managed keys"},
		"alias with space":     {func(c *Config) { c.Alias = "alias/a b" }, `Alias: "alias/a b"`},
		"no decryptor":         {func(c *Config) { c.DecryptorARN = "" }, "DecryptorARN: is required"},
		"no trail":             {func(c *Config) { c.TrailName = "" }, "TrailName: is required"},
		"no account":           {func(c *Config) { c.Env.Account = "" }, "Env: is required: the partition, account and region"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			c.change(&cfg)
			err := cfg.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("expected a valid config, found %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("expected an error containing %q, found %v", c.want, err)
			}
		})
	}
}

func TestPolicyGrantsNoWildcard(t *testing.T) {
	partition, account, role := "aws", "123456789012", "arn:aws:iam::123456789012:role/role-audit"
	doc := Policy(Config{Alias: "alias/k", Env: arn.Env{Partition: partition, Account: account, Region: "us-east-1"}, TrailName: "trail-master", DecryptorARN: role, Operators: policy.Operators{Deployers: []string{"arn:aws:iam::123456789012:role/deploy"}, BreakGlass: []string{"arn:aws:iam::123456789012:root"}}})
	if err := doc.Validate(); err != nil {
		t.Fatalf("expected a valid key policy, found %v", err)
	}
	for _, s := range doc.Statements {
		for _, a := range s.Actions {
			if a == "kms:*" || a == "*" {
				t.Errorf("statement %s allows %s", s.Sid, a)
			}
		}
	}
}

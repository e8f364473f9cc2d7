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
		"a trail in another account": {func(c *Config) {
			c.TrailEnv = arn.Env{Partition: partition, Account: "111122223333", Region: "us-east-1"}
		}, ""},
		"a trail in another region": {func(c *Config) {
			c.TrailEnv = arn.Env{Partition: partition, Account: "111122223333", Region: "eu-west-1"}
		}, "TrailEnv: "},
		"a trail without an account": {func(c *Config) { c.TrailEnv = arn.Env{Partition: partition, Region: "us-east-1"} }, "TrailEnv: "},
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

// TestTrailInAnotherAccount: a key in a security account grants
// CloudTrail for the management account's trail, by its ARN, its
// encryption context and (when sent) its account, and nothing for a trail
// of the key's own account.
func TestTrailInAnotherAccount(t *testing.T) {
	key := arn.Env{Partition: "aws", Account: "222233334444", Region: "us-east-1"}
	management := arn.Env{Partition: "aws", Account: "111122223333", Region: "us-east-1"}
	doc := Policy(Config{Alias: "alias/k", Env: key, TrailEnv: management, TrailName: "trail-master", DecryptorARN: key.Role("role-audit"),
		Operators: policy.Operators{Deployers: []string{key.Role("deploy")}, BreakGlass: []string{key.Root()}}})
	want := map[string]string{
		"CloudTrailEncryptsLogs":  management.Trail("trail-master") + " " + management.AnyTrail(),
		"CloudTrailDescribesKey":  management.Trail("trail-master"),
		"CloudTrailUsesBucketKey": management.Trail("trail-master") + " " + management.Account,
	}
	for _, s := range doc.Statements {
		w, ok := want[s.Sid]
		if !ok {
			continue
		}
		delete(want, s.Sid)
		var got []string
		for _, c := range s.Conditions {
			got = append(got, c.Values...)
		}
		for _, v := range strings.Fields(w) {
			if !strings.Contains(strings.Join(got, " "), v) {
				t.Errorf("%s: expected a condition on %s, found %v", s.Sid, v, s.Conditions)
			}
		}
		if strings.Contains(strings.Join(got, " "), key.Trail("trail-master")) {
			t.Errorf("%s: expected no grant to a trail of the key's account, found %v", s.Sid, s.Conditions)
		}
	}
	if len(want) > 0 {
		t.Errorf("expected the statements %v in the key policy", want)
	}
}

package monitoring

import (
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/policy"
)

func config() Config {
	partition, account, role := "aws", "123456789012", "arn:aws:iam::123456789012:role/role-audit"
	return Config{
		Env: arn.Env{Partition: partition, Account: account, Region: "us-east-1"}, TrailName: "trail-master",
		LogGroupName: "cloudtrail/trail-master", RetentionDays: 365, RoleName: "role-trail-logs",
		LogsKeyAlias: "alias/kms-logs-master", TopicKeyAlias: "alias/kms-alarms-master", TopicName: "topic-audit-alarms", Reader: role,
		Operators: policy.Operators{Deployers: []string{"arn:aws:iam::123456789012:role/deploy"}, BreakGlass: []string{"arn:aws:iam::123456789012:root"}},
	}
}

func TestValidate(t *testing.T) {
	cases := map[string]struct {
		change func(*Config)
		want   string
	}{
		"valid":                      {func(*Config) {}, ""},
		"forever":                    {func(c *Config) { c.RetentionDays = 0 }, ""},
		"retention too short":        {func(c *Config) { c.RetentionDays = 180 }, "RetentionDays: 180 is not a CloudWatch Logs retention of a year or more"},
		"log group name":             {func(c *Config) { c.LogGroupName = "trail logs" }, `LogGroupName: "trail logs"`},
		"topic name":                 {func(c *Config) { c.TopicName = "alarms.fifo" }, `TopicName: "alarms.fifo"`},
		"no reader: the alarms only": {func(c *Config) { c.Reader = "" }, ""},
		"no break-glass":             {func(c *Config) { c.Operators.BreakGlass = nil }, "Operators.BreakGlass: is required"},
		"bad email":                  {func(c *Config) { c.Emails = []string{"root@localhost"} }, `"root@localhost" is not an e-mail address`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config()
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

func TestFamilies(t *testing.T) {
	if len(Families) != 15 {
		t.Fatalf("expected the 15 CIS section 4 event families, found %d", len(Families))
	}
	seen := map[string]bool{}
	for i, f := range Families {
		if want := "4." + string(rune('1'+i)); i < 9 && f.Control != want {
			t.Errorf("expected control %s at %d, found %s", want, i, f.Control)
		}
		for _, v := range []string{f.Control, f.Name, f.Metric} {
			if seen[v] {
				t.Errorf("%q is used twice", v)
			}
			seen[v] = true
		}
		if strings.Count(f.Pattern, "(") != strings.Count(f.Pattern, ")") || !strings.HasPrefix(f.Pattern, "{ ") || !strings.HasSuffix(f.Pattern, " }") {
			t.Errorf("CIS %s: unbalanced or unbraced pattern %s", f.Control, f.Pattern)
		}
	}
}

func TestReadPolicies(t *testing.T) {
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:cloudtrail/trail-master"
	role := "arn:aws:iam::123456789012:role/role-audit"
	for name, doc := range map[string]struct {
		statements int
		spare      bool
	}{"identity": {2, false}, "scp": {1, true}} {
		d := DenyReads(arn)
		if name == "scp" {
			d = ReadSCP(arn, &role)
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s := d.Statements[0]
		if s.Effect != "Deny" || len(s.Resources) != 2 || s.Resources[0] != arn || s.Resources[1] != arn+":*" {
			t.Errorf("%s: expected a Deny on the group and its streams, found %+v", name, s)
		}
		if spared := len(s.Conditions) == 1 && s.Conditions[0].Values[0] == role; spared != doc.spare {
			t.Errorf("%s: expected the audit role spared=%v, found %+v", name, doc.spare, s.Conditions)
		}
		if len(d.Statements) != doc.statements || !slices.Contains(s.Actions, "logs:GetQueryResults") {
			t.Errorf("%s: expected %d statements denying logs:GetQueryResults on the group among the reads, found %+v", name, doc.statements, d.Statements)
		}
	}
	// Query results by id, under both documented authorizations of
	// logs:GetQueryResults (per log group, or "*"):
	// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
	byID := DenyReads(arn).Statements[1]
	if byID.Effect != "Deny" || !slices.Equal(byID.Resources, []string{"*"}) || !slices.Equal(byID.Actions, []string{"logs:DescribeQueries", "logs:GetQueryResults"}) {
		t.Errorf("expected the identity policy to deny listing queries and fetching results on *, found %+v", byID)
	}
}

// TestLogsKeyWithoutReader: with nobody to read the log group, its key
// grants no reader and lets only the writer role describe it through
// Logs.
func TestLogsKeyWithoutReader(t *testing.T) {
	env := arn.Env{Partition: "aws", Account: "111122223333", Region: "us-east-1"}
	writer := env.Role("role-trail-logs")
	for _, s := range LogsKeyGrants(env, env.LogGroup("cloudtrail/trail-master"), writer, "") {
		if s.Sid == "AuditRoleReadsThroughLogs" {
			t.Errorf("expected no reader's grant, found %+v", s)
		}
		for _, p := range s.Principals {
			if slices.Contains(p.Identifiers, "") {
				t.Errorf("%s: expected no empty principal, found %v", s.Sid, p.Identifiers)
			}
		}
	}
}

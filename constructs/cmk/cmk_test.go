package cmk

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/policy"
)

func config() Config {
	partition, account := "aws", "123456789012"
	return Config{
		Alias:       "alias/kms-logs-master",
		Description: "Encrypts the log group",
		Env:         arn.Env{Partition: partition, Account: account, Region: "us-east-1"},
		Grants: []policy.Statement{{Sid: "LogsUseKey", Effect: policy.Allow, Actions: []string{"kms:Encrypt*"}, Resources: []string{"*"},
			Principals: []policy.Principal{{Type: policy.PrincipalService, Identifiers: []string{"logs.us-east-1.amazonaws.com"}}}}},
		Operators: policy.Operators{Deployers: []string{"arn:aws:iam::123456789012:role/deploy"}, BreakGlass: []string{"arn:aws:iam::123456789012:root"}},
	}
}

func TestValidate(t *testing.T) {
	cases := map[string]struct {
		change func(*Config)
		want   string
	}{
		"valid":          {func(*Config) {}, ""},
		"bad alias":      {func(c *Config) { c.Alias = "kms-logs" }, `Alias: "kms-logs" must be`},
		"reserved alias": {func(c *Config) { c.Alias = "alias/aws/logs" }, "reserved for AWS managed keys"},
		"no description": {func(c *Config) { c.Description = "" }, "Description: is required"},
		"no grants":      {func(c *Config) { c.Grants = nil }, "a key nobody may use is a mistake"},
		"nil decryptor":  {func(c *Config) { c.Decryptors = []string{""} }, "Decryptors[0]: is required: the decryptor's ARN"},
		"no account":     {func(c *Config) { c.Env.Account = "" }, "Env: is required: the partition, account and region"},
		"no break-glass": {func(c *Config) { c.Operators.BreakGlass = nil }, "Operators.BreakGlass: is required: at least one principal that may still do what destroys evidence"},
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

func TestPolicy(t *testing.T) {
	role := "arn:aws:iam::123456789012:role/role-audit"
	cases := map[string]struct {
		decryptors []string
		conditions []policy.Condition
	}{
		"no decryptor: only AWS services are spared": {nil, []policy.Condition{
			{Test: "Bool", Variable: "aws:PrincipalIsAWSService", Values: []string{"false"}}}},
		"a decryptor is spared too": {[]string{role}, []policy.Condition{
			{Test: "ArnNotEquals", Variable: "aws:PrincipalArn", Values: []string{role}},
			{Test: "Bool", Variable: "aws:PrincipalIsAWSService", Values: []string{"false"}}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config()
			cfg.Decryptors = c.decryptors
			doc := Policy(cfg)
			if err := doc.Validate(); err != nil {
				t.Fatal(err)
			}
			sids := []string{}
			for _, s := range doc.Statements {
				sids = append(sids, s.Sid)
			}
			if want := []string{"AccountAdministersKeyWithoutUse", "LogsUseKey", "DenyDecryptToAllOthers", "DenyDisableOrDeleteButBreakGlass", "DenyPolicyChangesButOperators"}; !reflect.DeepEqual(sids, want) {
				t.Errorf("expected statements %v, found %v", want, sids)
			}
			deny := doc.Statements[len(doc.Statements)-3]
			if deny.Effect != policy.Deny || !reflect.DeepEqual(deny.Conditions, c.conditions) {
				t.Errorf("expected a Deny with %v, found %+v", c.conditions, deny)
			}
			keep := doc.Statements[len(doc.Statements)-2]
			wantKeep := []policy.Condition{{Test: "ArnNotEquals", Variable: "aws:PrincipalArn", Values: []string{"arn:aws:iam::123456789012:root"}}}
			if keep.Effect != policy.Deny || !reflect.DeepEqual(keep.Actions, []string{"kms:DisableKey", "kms:ScheduleKeyDeletion"}) || !reflect.DeepEqual(keep.Conditions, wantKeep) {
				t.Errorf("expected a Deny of disabling and deleting the key to all but the break-glass principals, found %+v", keep)
			}
			// KMS refuses a policy that locks its caller out of
			// PutKeyPolicy (the lockout safety check): the Deny of policy
			// changes spares every deployer and break-glass principal.
			change := doc.Statements[len(doc.Statements)-1]
			wantChange := []policy.Condition{{Test: "ArnNotEquals", Variable: "aws:PrincipalArn", Values: []string{"arn:aws:iam::123456789012:role/deploy", "arn:aws:iam::123456789012:root"}}}
			if change.Effect != policy.Deny || !reflect.DeepEqual(change.Actions, []string{"kms:PutKeyPolicy"}) || !reflect.DeepEqual(change.Conditions, wantChange) {
				t.Errorf("expected a Deny of policy changes to all but the deployers and break-glass principals, found %+v", change)
			}
			for _, a := range doc.Statements[0].Actions {
				if a == "kms:*" || strings.HasPrefix(a, "kms:Decrypt") || a == "kms:Create*" || a == "kms:CreateGrant" {
					t.Errorf("the administration statement allows %s", a)
				}
			}
		})
	}
}

package verify

import (
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// TestSemanticEquality: order, formatting, a single value for a list and
// the case of condition keys do not count; a principal, an action or a
// condition value does.
func TestSemanticEquality(t *testing.T) {
	synthesized := []iameval.Statement{Canonical(iameval.Statement{
		Sid: "A", Effect: "Allow", Principals: map[string][]string{"AWS": {"arn:aws:iam::111122223333:role/r"}},
		Actions: []string{"kms:Decrypt"}, Resources: []string{"*"},
		Conditions: []iameval.Condition{{Operator: "StringEquals", Key: "aws:SourceArn", Values: []string{"arn:x"}}},
	}), Canonical(iameval.Statement{Sid: "B", Effect: "Deny", Principals: map[string][]string{"*": {"*"}}, Actions: []string{"s3:*", "s3:Get*"}, Resources: []string{"*"}})}
	cases := map[string]struct {
		live string
		want string
	}{
		"same, reordered and reformatted": {`{"Version":"2012-10-17","Statement":[
			{"Sid":"B","Effect":"Deny","Principal":"*","Action":["s3:Get*","s3:*"],"Resource":"*"},
			{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r"},"Action":"kms:Decrypt","Resource":["*"],"Condition":{"StringEquals":{"AWS:SourceArn":"arn:x"}}}]}`, ""},
		"a principal added": {`{"Statement":[
			{"Sid":"B","Effect":"Deny","Principal":"*","Action":["s3:Get*","s3:*"],"Resource":"*"},
			{"Sid":"A","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/r","arn:aws:iam::111122223333:user/m"]},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:SourceArn":"arn:x"}}}]}`, "changed A: Principals"},
		"a condition value changed": {`{"Statement":[
			{"Sid":"B","Effect":"Deny","Principal":"*","Action":["s3:Get*","s3:*"],"Resource":"*"},
			{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:SourceArn":"arn:y"}}}]}`, "changed A: Conditions"},
		"a statement removed": {`{"Statement":{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:SourceArn":"arn:x"}}}}`, `missing: {"Sid":"B"`},
		"a statement added": {`{"Statement":[
			{"Sid":"B","Effect":"Deny","Principal":"*","Action":["s3:Get*","s3:*"],"Resource":"*"},
			{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:SourceArn":"arn:x"}}},
			{"Sid":"C","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, `added: {"Sid":"C"`},
		// S3 accepts two statements with one Sid: the second one must
		// not hide behind (or in front of) the original.
		"a second statement with the same Sid": {`{"Statement":[
			{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/m"},"Action":"kms:*","Resource":"*"},
			{"Sid":"B","Effect":"Deny","Principal":"*","Action":["s3:Get*","s3:*"],"Resource":"*"},
			{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:SourceArn":"arn:x"}}}]}`, `added (2 statements with Sid A): {"Sid":"A","Effect":"Allow","Principals":{"AWS":["arn:aws:iam::111122223333:user/m"]}`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			live, err := ParsePolicy(c.live)
			if err != nil {
				t.Fatal(err)
			}
			diff := strings.Join(Diff(live, synthesized), "; ")
			if (c.want == "") != (diff == "") || !strings.Contains(diff, c.want) {
				t.Errorf("expected a difference containing %q, found %q", c.want, diff)
			}
		})
	}
}

// TestResolver: the synthesized references resolve to the account's
// values, the organization's ID too when it is known.
func TestResolver(t *testing.T) {
	d, err := tfjson.Parse("audit", []byte(`{"data": {"aws_organizations_organization": {"organization": {}}}, "resource": {"aws_s3_bucket": {"log_bucket": {"bucket": "logs"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	in := "${aws_s3_bucket.log_bucket.arn}/AWSLogs/${data.aws_organizations_organization.organization.id}/${data.aws_caller_identity.current_account.account_id}/*"
	for org, want := range map[string]string{
		"o-exampleorgid": "arn:aws:s3:::logs/AWSLogs/o-exampleorgid/111122223333/*",
		"":               "arn:aws:s3:::logs/AWSLogs/${data.aws_organizations_organization.organization.id}/111122223333/*",
	} {
		a := Account{Env: arn.Env{Partition: "aws", Account: "111122223333", Region: "us-east-1"}, Organization: org}
		if got := a.Resolver(d, nil).Resolve(in); got != want {
			t.Errorf("organization %q: expected %s, found %s", org, want, got)
		}
	}
}

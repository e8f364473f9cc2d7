package iameval

import (
	"strings"
	"testing"
)

const (
	account = "111122223333"
	other   = "444455556666"
	root    = "arn:aws:iam::111122223333:root"
	alice   = "arn:aws:iam::111122223333:user/alice"
	bucket  = "arn:aws:s3:::example-bucket"
	key     = "arn:aws:kms:us-east-1:111122223333:key/k"
	role    = "arn:aws:iam::111122223333:role/example"
)

func allow(sid string, actions []string, resources []string, conditions ...Condition) Statement {
	return Statement{Sid: sid, Effect: Allow, Actions: actions, Resources: resources, Conditions: conditions}
}

func deny(sid string, actions []string, resources []string, conditions ...Condition) Statement {
	return Statement{Sid: sid, Effect: Deny, Actions: actions, Resources: resources, Conditions: conditions}
}

func to(s Statement, typ string, ids ...string) Statement {
	s.Principals = map[string][]string{typ: ids}
	return s
}

func user(name string, policies ...Statement) Caller {
	return Caller{ARN: "arn:aws:iam::" + account + ":user/" + name, Account: account, Username: name, Identity: []Policy{{Name: name + "-policy", Statements: policies}}}
}

// The cases follow the IAM User Guide's policy evaluation logic
// (reference_policies_evaluation-logic.html and its cross-account page),
// the KMS developer guide on key policies (key-policy-default.html), and
// the condition operator reference; each names the rule it checks.
func TestEvaluate(t *testing.T) {
	readAll := allow("Read", []string{"s3:GetObject"}, []string{bucket + "/*"})
	cases := map[string]struct {
		req     Request
		allowed bool
		reason  string
	}{
		"implicit deny: nothing allows":       {Request{Caller: user("alice"), Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account}, false, "no identity or resource policy"},
		"same account: identity policy alone": {Request{Caller: user("alice", readAll), Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account}, true, "alice-policy Read"},
		"same account: resource policy alone": {Request{Caller: user("alice"), Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account,
			ResourcePolicy: &Policy{Name: "bucket", Statements: []Statement{to(readAll, "AWS", alice)}}}, true, "bucket Read"},
		"explicit deny wins over allow": {Request{Caller: user("alice", readAll), Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account,
			ResourcePolicy: &Policy{Name: "bucket", Statements: []Statement{to(deny("No", []string{"s3:*"}, []string{bucket + "/*"}), "*", "*")}}}, false, "explicit deny by bucket No"},
		"actions match without regard to case, with wildcards": {Request{Caller: user("alice", allow("R", []string{"S3:Get*"}, []string{"*"})), Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account}, true, ""},
		"resources match with regard to case":                  {Request{Caller: user("alice", allow("R", []string{"s3:GetObject"}, []string{"arn:aws:s3:::EXAMPLE-bucket/*"})), Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account}, false, ""},
		"KMS: an IAM allow without the key policy is not enough": {Request{Caller: user("alice", allow("D", []string{"kms:Decrypt"}, []string{"*"})), Action: "kms:Decrypt", Resource: key, ResourceAccount: account, Kind: KeyPolicy,
			ResourcePolicy: &Policy{Name: "key", Statements: []Statement{to(allow("Admin", []string{"kms:Describe*"}, []string{"*"}), "AWS", root)}}}, false, "the key policy does not allow"},
		"KMS: the key policy delegates to IAM": {Request{Caller: user("alice", allow("D", []string{"kms:Decrypt"}, []string{"*"})), Action: "kms:Decrypt", Resource: key, ResourceAccount: account, Kind: KeyPolicy,
			ResourcePolicy: &Policy{Name: "key", Statements: []Statement{to(allow("Root", []string{"kms:*"}, []string{"*"}), "AWS", root)}}}, true, "alice-policy D"},
		"KMS: delegated, but no IAM allow": {Request{Caller: user("alice"), Action: "kms:Decrypt", Resource: key, ResourceAccount: account, Kind: KeyPolicy,
			ResourcePolicy: &Policy{Name: "key", Statements: []Statement{to(allow("Root", []string{"kms:*"}, []string{"*"}), "AWS", root)}}}, false, "delegates to IAM"},
		"KMS: the key policy names the caller": {Request{Caller: user("alice"), Action: "kms:Decrypt", Resource: key, ResourceAccount: account, Kind: KeyPolicy,
			ResourcePolicy: &Policy{Name: "key", Statements: []Statement{to(allow("Alice", []string{"kms:Decrypt"}, []string{"*"}), "AWS", alice)}}}, true, "key Alice"},
		"trust policy naming the user: no identity policy needed": {Request{Caller: user("alice"), Action: "sts:AssumeRole", Resource: role, ResourceAccount: account, Kind: TrustPolicy,
			ResourcePolicy: &Policy{Name: "trust", Statements: []Statement{to(allow("T", []string{"sts:AssumeRole"}, nil), "AWS", alice)}}}, true, "trust T"},
		"trust policy naming the account: the identity policy must allow": {Request{Caller: user("alice"), Action: "sts:AssumeRole", Resource: role, ResourceAccount: account, Kind: TrustPolicy,
			ResourcePolicy: &Policy{Name: "trust", Statements: []Statement{to(allow("T", []string{"sts:AssumeRole"}, nil), "AWS", root)}}}, false, "delegates to IAM"},
		"cross-account: the resource policy must allow the caller": {Request{Caller: Caller{ARN: "arn:aws:iam::" + other + ":user/bob", Account: other, Identity: []Policy{{Name: "bob", Statements: []Statement{readAll}}}},
			Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account}, false, "cross-account"},
		"cross-account: both allow": {Request{Caller: Caller{ARN: "arn:aws:iam::" + other + ":user/bob", Account: other, Identity: []Policy{{Name: "bob", Statements: []Statement{readAll}}}},
			Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account,
			ResourcePolicy: &Policy{Name: "bucket", Statements: []Statement{to(readAll, "AWS", "arn:aws:iam::"+other+":root")}}}, true, "bob Read"},
		"cross-account: the resource allows, the identity does not": {Request{Caller: Caller{ARN: "arn:aws:iam::" + other + ":user/bob", Account: other},
			Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account,
			ResourcePolicy: &Policy{Name: "bucket", Statements: []Statement{to(readAll, "AWS", "arn:aws:iam::"+other+":root")}}}, false, "cross-account: no identity policy allows it"},
		"anonymous: only Principal * allows": {Request{Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account,
			ResourcePolicy: &Policy{Name: "bucket", Statements: []Statement{to(readAll, "AWS", root)}}}, false, "no resource policy statement allows an anonymous caller"},
		"a service with its source": {Request{Caller: Caller{Service: "cloudtrail.amazonaws.com"}, Action: "s3:PutObject", Resource: bucket + "/AWSLogs/x", ResourceAccount: account,
			Context: map[string][]string{"aws:SourceArn": {"arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}},
			ResourcePolicy: &Policy{Name: "bucket", Statements: []Statement{to(allow("W", []string{"s3:PutObject"}, []string{bucket + "/AWSLogs/*"},
				Condition{"StringEquals", "aws:SourceArn", []string{"arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}}), "Service", "cloudtrail.amazonaws.com")}}}, true, "bucket W"},
		"a service without the source key it is conditioned on": {Request{Caller: Caller{Service: "cloudtrail.amazonaws.com"}, Action: "sts:AssumeRole", Resource: role, ResourceAccount: account, Kind: TrustPolicy,
			ResourcePolicy: &Policy{Name: "trust", Statements: []Statement{to(allow("T", []string{"sts:AssumeRole"}, nil,
				Condition{"StringEquals", "aws:SourceArn", []string{"arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}}), "Service", "cloudtrail.amazonaws.com")}}}, false, "no resource policy statement allows cloudtrail.amazonaws.com"},
		"policy variable in the resource":          {Request{Caller: user("alice", allow("Own", []string{"iam:ChangePassword"}, []string{"arn:aws:iam::111122223333:user/&{aws:username}"})), Action: "iam:ChangePassword", Resource: alice}, true, ""},
		"policy variable: another user's resource": {Request{Caller: user("bob", allow("Own", []string{"iam:ChangePassword"}, []string{"arn:aws:iam::111122223333:user/${aws:username}"})), Action: "iam:ChangePassword", Resource: alice}, false, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			d := Evaluate(c.req)
			if d.Allowed != c.allowed || !strings.Contains(d.Reason, c.reason) {
				t.Errorf("expected allowed=%v saying %q, found %v", c.allowed, c.reason, d)
			}
		})
	}
}

// TestConditions follows the condition operator reference: a missing key
// fails a positive operator and passes a negated one; ...IfExists passes
// a missing key; Null tests presence; ForAllValues passes an empty set.
func TestConditions(t *testing.T) {
	ctx := map[string][]string{"aws:sourcearn": {"arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}, "aws:multifactorauthpresent": {"true"}, "kms:encryptioncontextkeys": {"a", "b"}}
	cases := map[string]struct {
		c    Condition
		want bool
	}{
		"StringEquals, present":        {Condition{"StringEquals", "aws:SourceArn", []string{"arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}}, true},
		"key names ignore case":        {Condition{"StringEquals", "AWS:SOURCEARN", []string{"arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}}, true},
		"StringEquals, missing":        {Condition{"StringEquals", "aws:SourceAccount", []string{account}}, false},
		"StringNotEquals, missing":     {Condition{"StringNotEquals", "aws:SourceAccount", []string{account}}, true},
		"StringEqualsIfExists missing": {Condition{"StringEqualsIfExists", "aws:SourceAccount", []string{"x"}}, true},
		"ArnLike wildcard":             {Condition{"ArnLike", "aws:SourceArn", []string{"arn:aws:cloudtrail:*:111122223333:trail/*"}}, true},
		"ArnNotEquals":                 {Condition{"ArnNotEquals", "aws:SourceArn", []string{"arn:aws:cloudtrail:us-east-1:111122223333:trail/other"}}, true},
		"Bool":                         {Condition{"Bool", "aws:MultiFactorAuthPresent", []string{"true"}}, true},
		"BoolIfExists false, present":  {Condition{"BoolIfExists", "aws:MultiFactorAuthPresent", []string{"false"}}, false},
		"BoolIfExists false, missing":  {Condition{"BoolIfExists", "aws:SecureTransport", []string{"false"}}, true},
		"Null true, missing":           {Condition{"Null", "aws:SourceAccount", []string{"true"}}, true},
		"Null false, present":          {Condition{"Null", "aws:SourceArn", []string{"false"}}, true},
		"ForAllValues subset":          {Condition{"ForAllValues:StringEquals", "kms:EncryptionContextKeys", []string{"a", "b", "c"}}, true},
		"ForAllValues not a subset":    {Condition{"ForAllValues:StringEquals", "kms:EncryptionContextKeys", []string{"a"}}, false},
		"ForAllValues, missing":        {Condition{"ForAllValues:StringEquals", "aws:TagKeys", []string{"a"}}, true},
		"ForAnyValue":                  {Condition{"ForAnyValue:StringEquals", "kms:EncryptionContextKeys", []string{"b"}}, true},
		"ForAnyValue, missing":         {Condition{"ForAnyValue:StringEquals", "aws:TagKeys", []string{"a"}}, false},
		"unknown operator":             {Condition{"DateLessThan", "aws:SourceArn", []string{"x"}}, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := c.c.holds(ctx); got != c.want {
				t.Errorf("expected %v, found %v", c.want, got)
			}
		})
	}
}

func TestNotActionDeniesAllButTheListed(t *testing.T) {
	// The IAM User Guide's MFA example: deny all but a few actions while
	// aws:MultiFactorAuthPresent is false or absent.
	noMFA := Statement{Sid: "BlockMostAccessUnlessSignedInWithMFA", Effect: Deny, NotActions: []string{"iam:ChangePassword", "sts:GetSessionToken"}, Resources: []string{"*"},
		Conditions: []Condition{{"BoolIfExists", "aws:MultiFactorAuthPresent", []string{"false"}}}}
	caller := user("alice", allow("All", []string{"*"}, []string{"*"}), noMFA)
	for action, want := range map[string]bool{"iam:ChangePassword": true, "s3:GetObject": false} {
		if d := Evaluate(Request{Caller: caller, Action: action, Resource: "*"}); d.Allowed != want {
			t.Errorf("%s without MFA: expected allowed=%v, found %v", action, want, d)
		}
	}
	with := Request{Caller: caller, Action: "s3:GetObject", Resource: "*", Context: map[string][]string{"aws:MultiFactorAuthPresent": {"true"}}}
	if d := Evaluate(with); !d.Allowed {
		t.Errorf("expected s3:GetObject allowed with MFA, found %v", d)
	}
}

// TestPrincipalOrgID: the caller's organization is aws:PrincipalOrgID,
// absent for a caller of no organization and for a service principal; a
// deny of principals outside an organization (IfExists, as the log-archive
// bucket's) holds for a principal of another organization and of none,
// and not for the organization's own nor for a service.
func TestPrincipalOrgID(t *testing.T) {
	outside := to(deny("Outside", []string{"s3:*"}, []string{bucket + "/*"}), "*", "*")
	outside.Conditions = []Condition{
		{"StringNotEqualsIfExists", "aws:PrincipalOrgID", []string{"o-mine"}},
		{"BoolIfExists", "aws:PrincipalIsAWSService", []string{"false"}},
	}
	read := to(allow("Read", []string{"s3:GetObject"}, []string{bucket + "/*"}), "*", "*")
	bucketPolicy := &Policy{Name: "bucket", Statements: []Statement{read, outside}}
	bob := func(org string) Caller {
		return Caller{ARN: "arn:aws:iam::" + other + ":user/bob", Account: other, Organization: org, Identity: []Policy{{Name: "bob", Statements: []Statement{allow("All", []string{"*"}, []string{"*"})}}}}
	}
	for name, c := range map[string]struct {
		caller  Caller
		allowed bool
	}{
		"a principal of the organization":           {bob("o-mine"), true},
		"a principal of another":                    {bob("o-theirs"), false},
		"a principal of no organization":            {bob(""), false},
		"a service acting as itself":                {Caller{Service: "cloudtrail.amazonaws.com"}, true},
		"anonymous (no organization, no principal)": {Caller{}, false},
	} {
		t.Run(name, func(t *testing.T) {
			d := Evaluate(Request{Caller: c.caller, Action: "s3:GetObject", Resource: bucket + "/k", ResourceAccount: account, ResourcePolicy: bucketPolicy})
			if d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v", c.allowed, d)
			}
		})
	}
}

// TestServiceControlPolicies: an explicit deny in a service control
// policy of the caller's account denies what its identity policy allows,
// where its condition holds (the principals it spares are not denied),
// and nothing else.
func TestServiceControlPolicies(t *testing.T) {
	scp := Policy{Name: "scp", Statements: []Statement{{Sid: "NoAuditors", Effect: Deny, Actions: []string{"iam:CreateUser"},
		Resources:  []string{"arn:aws:iam::*:user/auditors/*"},
		Conditions: []Condition{{"ArnNotEquals", "aws:PrincipalArn", []string{"arn:aws:iam::" + account + ":role/deployer"}}}}}}
	admin := func(name string) Caller {
		return Caller{ARN: "arn:aws:iam::" + account + ":role/" + name, Account: account, SCPs: []Policy{scp},
			Identity: []Policy{{Name: "admin", Statements: []Statement{allow("All", []string{"*"}, []string{"*"})}}}}
	}
	for name, c := range map[string]struct {
		caller   Caller
		resource string
		allowed  bool
	}{
		"an administrator makes an auditor":   {admin("admin"), "arn:aws:iam::" + account + ":user/auditors/mallory", false},
		"the deployer makes an auditor":       {admin("deployer"), "arn:aws:iam::" + account + ":user/auditors/alice", true},
		"an administrator makes another user": {admin("admin"), "arn:aws:iam::" + account + ":user/bob", true},
	} {
		t.Run(name, func(t *testing.T) {
			d := Evaluate(Request{Caller: c.caller, Action: "iam:CreateUser", Resource: c.resource, ResourceAccount: account, Kind: IdentityOnly})
			if d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v", c.allowed, d)
			}
			if name == "an administrator makes an auditor" && !strings.Contains(d.Reason, "service control policy scp NoAuditors") {
				t.Errorf("expected the SCP named, found %v", d)
			}
		})
	}
}

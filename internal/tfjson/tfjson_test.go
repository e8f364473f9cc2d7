package tfjson

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// stack is a small synthesized stack: a bucket, its policy from a policy
// document, and a trail that refers to the bucket.
const stack = `{
  "resource": {
    "aws_s3_bucket": {"logs": {"bucket": "b", "//": {"metadata": {"path": "audit/logs/Default"}}}},
    "aws_s3_bucket_policy": {"logs_policy": {"bucket": "${aws_s3_bucket.logs.id}", "policy": "${data.aws_iam_policy_document.p.json}"}},
    "aws_cloudtrail": {"trail": {"s3_bucket_name": "${aws_s3_bucket.logs.id}", "event_selector": [{"read_write_type": "All"}]}}
  },
  "data": {
    "aws_iam_policy_document": {"p": {"statement": [
      {"sid": "Tls", "effect": "Deny", "actions": ["s3:*"], "principals": [{"type": "*", "identifiers": ["*"]}],
       "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]},
      {"sid": "All", "not_actions": ["iam:*"]}
    ]}}
  },
  "output": {"b": {"value": "${aws_s3_bucket.logs.bucket}", "description": "d", "sensitive": true}},
  "terraform": {"backend": {"s3": {"bucket": "state"}}}
}`

func parsed(t *testing.T) *Doc {
	t.Helper()
	d, err := Parse("audit", []byte(stack))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseRefusesBadJSON(t *testing.T) {
	if _, err := Parse("audit", []byte("{")); err == nil || !strings.Contains(err.Error(), "stack audit") {
		t.Errorf("expected an error naming the stack, found %v", err)
	}
}

func TestBlocksAndReferences(t *testing.T) {
	d := parsed(t)
	trail, ok := d.Find("aws_cloudtrail.trail")
	if !ok {
		t.Fatal("expected the trail found by address")
	}
	bucket, ok := d.Target(trail, "s3_bucket_name")
	if !ok || bucket.Address != "aws_s3_bucket.logs" || bucket.Path() != "audit/logs/Default" {
		t.Errorf("expected the trail's bucket with its construct path, found %+v", bucket)
	}
	if p := trail.Path(); p != "aws_cloudtrail.trail" {
		t.Errorf("expected the address as the path of a block without metadata, found %q", p)
	}
	if got := d.Referring("aws_s3_bucket_policy", "bucket", "aws_s3_bucket.logs"); len(got) != 1 || got[0].Address != "aws_s3_bucket_policy.logs_policy" {
		t.Errorf("expected the bucket's policy, found %+v", got)
	}
	var all []string
	for _, b := range d.AllResources() {
		all = append(all, b.Address)
	}
	if want := []string{"aws_cloudtrail.trail", "aws_s3_bucket.logs", "aws_s3_bucket_policy.logs_policy"}; !slices.Equal(all, want) {
		t.Errorf("expected %v in address order, found %v", want, all)
	}
	if _, ok := d.Find("aws_s3_bucket.nothing"); ok {
		t.Errorf("expected no block at a missing address")
	}
	if kind, cfg := d.Backend(); kind != "s3" || cfg["bucket"] != "state" {
		t.Errorf("expected the s3 backend, found %q %v", kind, cfg)
	}
	if o := d.Outputs(); len(o) != 1 || o[0].Name != "b" || !o[0].Sensitive || o[0].Description != "d" {
		t.Errorf("expected the one sensitive output, found %+v", o)
	}
}

func TestRef(t *testing.T) {
	cases := map[string]struct {
		v             any
		address, attr string
		ok            bool
	}{
		"a resource":       {"${aws_s3_bucket.logs.id}", "aws_s3_bucket.logs", "id", true},
		"a data source":    {"${data.aws_iam_policy_document.p.json}", "data.aws_iam_policy_document.p", "json", true},
		"an interpolation": {"arn:${aws_s3_bucket.logs.id}/*", "", "", false},
		"a literal":        {"bucket", "", "", false},
		"not a string":     {true, "", "", false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			address, attr, ok := Ref(c.v)
			if address != c.address || attr != c.attr || ok != c.ok {
				t.Errorf("expected %q %q %v, found %q %q %v", c.address, c.attr, c.ok, address, attr, ok)
			}
		})
	}
}

func TestPolicyStatements(t *testing.T) {
	d := parsed(t)
	p, _ := d.Find("aws_s3_bucket_policy.logs_policy")
	statements, ok := d.Policy(p.Attrs["policy"])
	if !ok || len(statements) != 2 {
		t.Fatalf("expected two statements, found %v %v", statements, ok)
	}
	tls, all := statements[0], statements[1]
	if !tls.Allows("S3:GetObject") || tls.Allows("iam:ListUsers") {
		t.Errorf("expected s3:* to cover s3:GetObject in any case and not iam:ListUsers")
	}
	if got := tls.Condition("bool", "AWS:SecureTransport"); !slices.Equal(got, []string{"false"}) || !tls.HasConditionOn("aws:securetransport") {
		t.Errorf("expected the condition found without regard to case, found %v", got)
	}
	if all.Effect != "Allow" || all.Allows("iam:CreateUser") || !all.Allows("s3:GetObject") {
		t.Errorf("expected NotActions to cover everything else and Allow as the default effect, found %+v", all)
	}
	if _, ok := d.Policy("${aws_s3_bucket.logs.id}"); ok {
		t.Errorf("expected a reference to something other than a policy document to be refused")
	}
}

func TestGetAndSet(t *testing.T) {
	d := parsed(t)
	if got := Get(d.Raw(), "resource", "aws_cloudtrail", "trail", "event_selector", "read_write_type"); got != "All" {
		t.Errorf("expected Get to enter a single block list, found %v", got)
	}
	if err := Set(d.Raw(), "WriteOnly", "resource", "aws_cloudtrail", "trail", "event_selector", 0, "read_write_type"); err != nil {
		t.Fatal(err)
	}
	if got := Get(d.Raw(), "resource", "aws_cloudtrail", "trail", "event_selector", "read_write_type"); got != "WriteOnly" {
		t.Errorf("expected the changed value, found %v", got)
	}
	if err := Set(d.Raw(), nil, "resource", "aws_s3_bucket_policy"); err != nil {
		t.Fatal(err)
	}
	if len(d.Resources("aws_s3_bucket_policy")) != 0 {
		t.Errorf("expected Set with nil to delete")
	}
	for _, path := range [][]any{{"resource", "aws_cloudtrail", "trail", "event_selector", 3}, {"output", "b", "value", "x"}, {"resource", 1.5}} {
		if err := Set(d.Raw(), "x", path...); err == nil {
			t.Errorf("expected an error for the path %v", path)
		}
	}
}

func TestCopy(t *testing.T) {
	v := map[string]any{"bucket": "${aws_s3_bucket.logs.id}", "rule": []any{map[string]any{"days": 7.0, "id": "logs"}}}
	upper := Copy(v, strings.ToUpper).(map[string]any)
	if got, want := fmt.Sprint(upper), "map[bucket:${AWS_S3_BUCKET.LOGS.ID} rule:[map[days:7 id:LOGS]]]"; got != want {
		t.Errorf("expected %s, found %s", want, got)
	}
	same := Copy(v, nil).(map[string]any)
	same["rule"].([]any)[0].(map[string]any)["id"] = "changed"
	if got := Get(v, "rule", "id"); got != "logs" {
		t.Errorf("expected the copy not to share the original's lists and objects, found the original's id %v", got)
	}
}

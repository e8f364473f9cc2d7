package tfjson

import (
	"testing"

	"github.com/cle2wa/audit-trail/constructs/arn"
)

// TestResolver: each kind of reference resolves in the account as AWS
// names the resource; what only the account knows comes from Known; what
// cannot be resolved stays as it is.
func TestResolver(t *testing.T) {
	d, err := Parse("audit", []byte(`{
		"data": {"aws_iam_policy_document": {"doc": {"statement": [{"sid": "S", "principals": [{"type": "AWS", "identifiers": ["${aws_iam_role.reader.arn}"]}],
			"actions": ["s3:GetObject"], "resources": ["${aws_s3_bucket.logs.arn}/*"],
			"condition": [{"test": "StringEquals", "variable": "aws:SourceArn", "values": ["${aws_cloudtrail.trail.arn}"]}]}]}}},
		"resource": {
			"aws_s3_bucket": {"logs": {"bucket": "${var.unknown}-x", "//": {}}, "named": {"bucket": "logs-${data.aws_caller_identity.me.account_id}"}},
			"aws_iam_role": {"reader": {"name": "reader"}},
			"aws_iam_group": {"auditors": {"name": "auditors"}},
			"aws_iam_user": {"alice": {"name": "alice"}, "bob": {"name": "bob", "path": "/auditors/"}},
			"aws_iam_policy": {"read": {"name": "read"}},
			"aws_cloudwatch_log_group": {"group": {"name": "cloudtrail/t"}},
			"aws_sns_topic": {"alarms": {"name": "alarms"}},
			"aws_cloudtrail": {"trail": {"name": "${aws_iam_role.reader.name}-trail"}},
			"aws_cloudwatch_log_metric_filter": {"f": {"metric_transformation": [{"name": "RootUse", "namespace": "CIS"}]}},
			"aws_kms_key": {"key": {}},
			"aws_kms_alias": {"a": {"name": "alias/a", "target_key_id": "${aws_kms_key.key.key_id}"}},
			"aws_sqs_queue": {"loop": {"name": "${aws_sqs_queue.loop.name}"}},
			"terraform_data": {"first": {"input": "${aws_iam_role.reader.arn}", "lifecycle": {"ignore_changes": ["input"]}}, "all": {"input": "x", "lifecycle": {"ignore_changes": "all"}}}
		}}`))
	if err != nil {
		t.Fatal(err)
	}
	env := arn.Env{Partition: "aws-us-gov", Account: "123456789012", Region: "us-gov-west-1"}
	r := d.Resolver(env, map[string]string{"aws_kms_key.key.key_id": "1234abcd"})
	cases := map[string]struct{ in, want string }{
		"partition without its data source":     {"${data.aws_partition.any.partition}", "aws-us-gov"},
		"account, in a bucket's name":           {"${aws_s3_bucket.named.id}", "logs-123456789012"},
		"bucket ARN":                            {"${aws_s3_bucket.named.arn}", "arn:aws-us-gov:s3:::logs-123456789012"},
		"bucket argument":                       {"${aws_s3_bucket.named.bucket}", "logs-123456789012"},
		"role":                                  {"${aws_iam_role.reader.arn}", env.Role("reader")},
		"group":                                 {"${aws_iam_group.auditors.arn}", env.Group("auditors")},
		"user":                                  {"${aws_iam_user.alice.arn}", env.User("alice")},
		"user on a path":                        {"${aws_iam_user.bob.arn}", "arn:aws-us-gov:iam::123456789012:user/auditors/bob"},
		"policy":                                {"${aws_iam_policy.read.arn}", env.Policy("read")},
		"log group with a suffix":               {"${aws_cloudwatch_log_group.group.arn}:*", env.LogGroup("cloudtrail/t") + ":*"},
		"topic":                                 {"${aws_sns_topic.alarms.arn}", env.Topic("alarms")},
		"trail named by a reference":            {"${aws_cloudtrail.trail.arn}", env.Trail("reader-trail")},
		"nested argument":                       {"${aws_cloudwatch_log_metric_filter.f.metric_transformation[0].name}", "RootUse"},
		"known value through an argument":       {"${aws_kms_alias.a.target_key_id}", "1234abcd"},
		"unknown key ARN stays":                 {"${aws_kms_key.key.arn}", "${aws_kms_key.key.arn}"},
		"missing resource stays":                {"${aws_s3_bucket.gone.arn}", "${aws_s3_bucket.gone.arn}"},
		"unresolvable part stays, in place":     {"${aws_s3_bucket.logs.id}", "${var.unknown}-x"},
		"an argument whose changes are ignored": {"${terraform_data.first.input}", "${terraform_data.first.input}"},
		"all changes ignored":                   {"${terraform_data.all.input}", "${terraform_data.all.input}"},
		"a cycle ends":                          {"${aws_sqs_queue.loop.name}", "${aws_sqs_queue.loop.name}"},
		"two references and text":               {"${aws_iam_role.reader.name}/${aws_sns_topic.alarms.name}", "reader/alarms"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := r.Resolve(c.in); got != c.want {
				t.Errorf("%s: expected %q, found %q", c.in, c.want, got)
			}
		})
	}
	// A policy's principals, resources and condition values resolve.
	statements, ok := r.Policy("${data.aws_iam_policy_document.doc.json}")
	if !ok || len(statements) != 1 {
		t.Fatalf("expected the policy document's one statement, found %+v (%v)", statements, ok)
	}
	s := statements[0]
	if got := []string{s.Principals["AWS"][0], s.Resources[0], s.Conditions[0].Values[0]}; got[0] != env.Role("reader") || got[1] != env.Bucket("${var.unknown}-x")+"/*" || got[2] != env.Trail("reader-trail") {
		t.Errorf("expected the principal, resource and condition resolved, found %q", got)
	}
}

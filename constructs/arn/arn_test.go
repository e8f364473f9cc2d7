package arn

import "testing"

func TestARNs(t *testing.T) {
	partition, account := "aws-us-gov", "123456789012"
	env := Env{Partition: partition, Account: account, Region: "us-gov-west-1"}
	cases := map[string]struct{ got, want string }{
		"trail":          {env.Trail("trail-master"), "arn:aws-us-gov:cloudtrail:us-gov-west-1:123456789012:trail/trail-master"},
		"any trail":      {env.AnyTrail(), "arn:aws-us-gov:cloudtrail:*:123456789012:trail/*"},
		"bucket":         {env.Bucket("cle2wa-s3-trail-master"), "arn:aws-us-gov:s3:::cle2wa-s3-trail-master"},
		"root":           {env.Root(), "arn:aws-us-gov:iam::123456789012:root"},
		"managed policy": {env.ManagedPolicy("ReadOnlyAccess"), "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"},
		"log group":      {env.LogGroup("cloudtrail/trail-master"), "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:cloudtrail/trail-master"},
		"any alarm":      {env.AnyAlarm(), "arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:*"},
		"topic":          {env.Topic("topic-audit-alarms"), "arn:aws-us-gov:sns:us-gov-west-1:123456789012:topic-audit-alarms"},
		"own user":       {env.User(OwnName), "arn:aws-us-gov:iam::123456789012:user/&{aws:username}"},
		"own MFA device": {env.MFA(OwnName), "arn:aws-us-gov:iam::123456789012:mfa/&{aws:username}"},
		"logs service":   {env.Logs(), "logs.us-gov-west-1.amazonaws.com"},
		"key":            {env.Key("1234abcd-12ab-34cd-56ef-1234567890ab"), "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		"alias":          {env.Alias("alias/kms-trail-master"), "arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/kms-trail-master"},
		"alarm":          {env.Alarm("cis-4.3-root-account-usage"), "arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:cis-4.3-root-account-usage"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("expected %q, found %q", c.want, c.got)
			}
		})
	}
}

// TestParseTrail: a trail's ARN as Trail writes it reads back into its
// environment and name; anything else is refused.
func TestParseTrail(t *testing.T) {
	env := Env{Partition: "aws-cn", Account: "123456789012", Region: "cn-north-1"}
	got, name, ok := ParseTrail(env.Trail("trail-master"))
	if !ok || got != env || name != "trail-master" {
		t.Errorf("expected %+v and trail-master, found %+v, %q, %v", env, got, name, ok)
	}
	for _, bad := range []string{"", "arn:aws:s3:::bucket", "arn:aws:cloudtrail:us-east-1:12345:trail/t", "arn:aws:cloudtrail:us-east-1:123456789012:trail/", "xarn:aws:cloudtrail:us-east-1:123456789012:trail/t"} {
		if _, _, ok := ParseTrail(bad); ok {
			t.Errorf("expected %q refused as a trail ARN, found it read", bad)
		}
	}
}

package arn

import "testing"

func TestARNs(t *testing.T) {
	partition, account := "aws-us-gov", "123456789012"
	env := Env{Partition: &partition, AccountID: &account, Region: "us-gov-west-1"}
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
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("expected %q, found %q", c.want, c.got)
			}
		})
	}
}

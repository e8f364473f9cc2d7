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
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("expected %q, found %q", c.want, c.got)
			}
		})
	}
}

package auditstate

import (
	"strings"
	"testing"
)

func TestS3Validate(t *testing.T) {
	cases := map[string]struct {
		s    S3
		want string // "" for valid
	}{
		"valid":         {S3{Bucket: "acme-tfstate", Key: "cle2wa/master/exports.tfstate", Region: "us-east-1"}, ""},
		"nothing":       {S3{}, "Bucket: is required: the state bucket\nKey: is required: the state object's key\nRegion: is required: the bucket's region"},
		"leading slash": {S3{Bucket: "b", Key: "/exports.tfstate", Region: "us-east-1"}, `Key: "/exports.tfstate" must not begin with "/"`},
		"double slash":  {S3{Bucket: "b", Key: "a//exports.tfstate", Region: "us-east-1"}, `Key: "a//exports.tfstate"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := c.s.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("expected %+v to be valid, found %v", c.s, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("expected an error containing %q, found %v", c.want, err)
			}
		})
	}
}

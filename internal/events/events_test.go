package events

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSamples(t *testing.T) {
	names := Names()
	if len(names) < 8 {
		t.Fatalf("expected the documented samples, found %v", names)
	}
	for _, n := range names {
		s := Load(n)
		if !strings.HasPrefix(s.Source, "https://docs.aws.amazon.com/") {
			t.Errorf("%s: expected an AWS documentation page as its source, found %q", n, s.Source)
		}
		if typ, ok := s.Get("userIdentity.type"); !ok || typ == "" {
			t.Errorf("%s: expected a userIdentity.type", n)
		}
	}
}

func TestWith(t *testing.T) {
	s := Load("kms-PutKeyPolicy")
	arn, _ := s.Get("resources.0.ARN")
	changed := s.With(map[string]any{"resources.0.ARN": "arn:x", "requestParameters.keyId": nil, "additionalEventData.new": "v"})
	if got, _ := changed.Get("resources.0.ARN"); got != "arn:x" {
		t.Errorf("expected the ARN set, found %v", got)
	}
	if _, ok := changed.Get("requestParameters.keyId"); ok {
		t.Error("expected keyId removed")
	}
	if got, _ := changed.Get("additionalEventData.new"); got != "v" {
		t.Errorf("expected a new object made on the way, found %v", got)
	}
	if got, _ := s.Get("resources.0.ARN"); got != arn {
		t.Errorf("expected the sample itself unchanged, found %v", got)
	}
	var v map[string]any
	if err := json.Unmarshal(changed.JSON(), &v); err != nil || strings.Contains(string(changed.JSON()), "\n") {
		t.Errorf("expected one line of JSON, found %s (%v)", changed.JSON(), err)
	}
	who := Load("iam-AddUserToGroup").Identity(Load("identity-AssumedRole"))
	if typ, _ := who.Get("userIdentity.type"); typ != "AssumedRole" {
		t.Errorf("expected the role session's identity, found %v", typ)
	}
}

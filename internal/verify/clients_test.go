package verify

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/smithy-go"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// noTrail is a CloudTrail whose GetTrail answers as CloudTrail does for a
// trail that does not exist, or refuses the caller.
type noTrail struct {
	CloudTrailAPI
	code string
}

func (n noTrail) GetTrail(context.Context, *cloudtrail.GetTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailOutput, error) {
	return nil, &smithy.GenericAPIError{Code: n.code, Message: "answered in the test"}
}

// TestTrailAnsweredInProcess: the clients are interfaces, so a test
// answers verify's calls without a network. A trail that does not exist
// is a FAIL of the account; a refusal is an ERROR, no verdict.
func TestTrailAnsweredInProcess(t *testing.T) {
	data, err := os.ReadFile("../../testdata/golden/stacks/audit/cdk.tf.json")
	if err != nil {
		t.Fatal(err)
	}
	audit, err := tfjson.Parse("audit", data)
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{"TrailNotFoundException": "FAIL", "AccessDeniedException": "ERROR"} {
		results := Trail(context.Background(), Clients{CloudTrail: noTrail{code: code}}, audit, Options{MaxDigestAge: 2 * time.Hour, Now: time.Now()})
		if len(results) != 1 || results[0].Check != "TRAIL-EXISTS" || results[0].Status() != want || !strings.Contains(results[0].Evidence, "cloudtrail:GetTrail") {
			t.Errorf("%s: expected TRAIL-EXISTS %s naming cloudtrail:GetTrail, found %+v", code, want, results)
		}
	}
}

package verify

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestCallFailed: a refusal, throttling or no answer is no verdict
// (ERROR) and names what the caller lacks; any other answer of the
// service is a FAIL that quotes it.
func TestCallFailed(t *testing.T) {
	cases := []struct {
		err    error
		status string
		says   string
	}{
		{&smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"}, "ERROR", "kms:GetKeyPolicy on alias/k was denied; the caller needs kms:GetKeyPolicy on it"},
		{&smithy.GenericAPIError{Code: "AuthorizationError", Message: "not authorized"}, "ERROR", "was denied"},
		{&smithy.GenericAPIError{Code: "ExpiredToken", Message: "expired"}, "ERROR", "the session has expired"},
		{&smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}, "ERROR", "throttled beyond the SDK's retries"},
		{&smithy.GenericAPIError{Code: "SlowDown", Message: "slow down"}, "ERROR", "throttled"},
		{errors.New("dial tcp 127.0.0.1:1: connection refused"), "ERROR", "could not check: kms:GetKeyPolicy on alias/k: dial tcp"},
		{&smithy.GenericAPIError{Code: "RequestTimeout", Message: "timed out"}, "ERROR", "failed on AWS's side"},
		{&smithy.OperationError{ServiceID: "KMS", OperationName: "GetKeyPolicy", Err: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 500}},
			Err:      &smithy.GenericAPIError{Code: "KMSInternalException", Message: "internal"}}}, "ERROR", "failed on AWS's side beyond the SDK's retries (KMSInternalException"},
		{&smithy.GenericAPIError{Code: "InvalidAccessKeyId", Message: "no such key"}, "ERROR", "the credentials are not valid"},
		{&smithy.GenericAPIError{Code: "NotFoundException", Message: "Alias alias/k is not found."}, "FAIL", "kms:GetKeyPolicy on alias/k: NotFoundException: Alias alias/k is not found."},
	}
	for _, c := range cases {
		r := callFailed("DRIFT-KEY-POLICY alias/k", "kms:GetKeyPolicy", "alias/k", c.err)
		if r.Status() != c.status || !strings.Contains(r.Evidence, c.says) {
			t.Errorf("%v: found %s %q, expected %s with %q", c.err, r.Status(), r.Evidence, c.status, c.says)
		}
	}
}

// TestIsRole: only a session of the named role in the account is the
// audit role.
func TestIsRole(t *testing.T) {
	for caller, want := range map[string]bool{
		"arn:aws:sts::111122223333:assumed-role/role-audit/alice":        true,
		"arn:aws-us-gov:sts::111122223333:assumed-role/role-audit/alice": true,
		"arn:aws:sts::444455556666:assumed-role/role-audit/alice":        false,
		"arn:aws:sts::111122223333:assumed-role/role-audit-2/alice":      false,
		"arn:aws:iam::111122223333:user/role-audit":                      false,
		"arn:aws:iam::111122223333:role/role-audit":                      false,
	} {
		if got := isRole(caller, "111122223333", "role-audit"); got != want {
			t.Errorf("%s: expected %v, found %v", caller, want, got)
		}
	}
}

package verify

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// deniedCodes are the error codes with which the services verify calls
// refuse a caller: S3, IAM and STS "AccessDenied", KMS and CloudTrail
// "AccessDeniedException", SNS "AuthorizationError" (the Errors section
// of each API Reference page), and the codes of credentials that are not
// (or no longer) valid, S3's among them.
var deniedCodes = map[string]string{
	"AccessDenied":                "access denied",
	"AccessDeniedException":       "access denied",
	"AuthorizationError":          "access denied",
	"InvalidClientTokenId":        "the credentials are not valid",
	"UnrecognizedClientException": "the credentials are not valid",
	"InvalidAccessKeyId":          "the credentials are not valid",
	"InvalidToken":                "the credentials are not valid",
	"SignatureDoesNotMatch":       "the credentials are not valid",
	"ExpiredToken":                "the session has expired",
	"ExpiredTokenException":       "the session has expired",
}

// refused says whether err is the service refusing the caller.
func refused(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && deniedCodes[api.ErrorCode()] == "access denied"
}

// callFailed is the result of a check whose AWS call (action, the IAM
// action it needs, on resource) returned err. A refusal, throttling or a
// server error that outlasted the SDK's retries, or no answer at all (no
// credentials, no network) leaves the check without a verdict: an ERROR
// that says what the caller lacks, not a FAIL of the account. Any other
// answer of the service (the trail, key, role or configuration does not
// exist) is a FAIL that quotes it.
func callFailed(check, action, resource string, err error) Result {
	r := Result{Check: check}
	var api smithy.APIError
	switch {
	case refused(err) && errors.As(err, &api):
		r.Error = true
		r.Evidence = fmt.Sprintf("could not check: %s on %s was denied; the caller needs %s on it (%s)", action, resource, action, api.ErrorMessage())
	case errors.As(err, &api) && deniedCodes[api.ErrorCode()] != "":
		r.Error = true
		r.Evidence = fmt.Sprintf("could not check: %s on %s: %s (%s)", action, resource, deniedCodes[api.ErrorCode()], api.ErrorCode())
	case errors.As(err, &api) && throttled(api.ErrorCode()):
		r.Error = true
		r.Evidence = fmt.Sprintf("could not check: %s on %s was throttled beyond the SDK's retries (%s); run again later", action, resource, api.ErrorCode())
	case errors.As(err, &api) && transient(err, api.ErrorCode()):
		r.Error = true
		r.Evidence = fmt.Sprintf("could not check: %s on %s failed on AWS's side beyond the SDK's retries (%s: %s); run again later", action, resource, api.ErrorCode(), api.ErrorMessage())
	case errors.As(err, &api):
		r.Evidence = fmt.Sprintf("%s on %s: %s: %s", action, resource, api.ErrorCode(), api.ErrorMessage())
	default:
		r.Error = true
		r.Evidence = fmt.Sprintf("could not check: %s on %s: %v", action, resource, err)
	}
	return r
}

// throttled says whether code is one the SDK retries as throttling.
func throttled(code string) bool {
	_, ok := retry.DefaultThrottleErrorCodes[code]
	return ok
}

// transient says whether err is a server error (HTTP 5xx) or one of the
// codes the SDK retries as transient (RequestTimeout and the like).
func transient(err error, code string) bool {
	if _, ok := retry.DefaultRetryableErrorCodes[code]; ok {
		return true
	}
	var resp *smithyhttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() >= 500
}

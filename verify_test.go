package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// fakeAccount is the account verify checks: the answers of CloudTrail
// (GetTrail, GetTrailStatus, GetEventSelectors), KMS (DescribeKey) and STS
// (GetCallerIdentity) on loopback, in the API Reference's shapes.
type fakeAccount struct {
	trail     map[string]any // nil: no trail
	status    map[string]any
	selectors []any
	keyARN    string
	callerARN string
}

// matching is an account where the golden audit stack is deployed and
// working.
func matching(now time.Time) *fakeAccount {
	const account = "111122223333"
	keyARN := "arn:aws:kms:us-east-1:" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	return &fakeAccount{
		trail: map[string]any{
			"Name": "trail-master", "TrailARN": "arn:aws:cloudtrail:us-east-1:" + account + ":trail/trail-master", "HomeRegion": "us-east-1",
			"S3BucketName": "cle2wa-s3-trail-master", "IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true,
			"LogFileValidationEnabled": true, "IsOrganizationTrail": false, "KmsKeyId": keyARN,
			"CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:" + account + ":log-group:cloudtrail/trail-master:*",
		},
		status: map[string]any{"IsLogging": true, "StartLoggingTime": float64(now.Add(-72 * time.Hour).Unix()),
			"LatestDeliveryTime": float64(now.Add(-5 * time.Minute).Unix()), "LatestDigestDeliveryTime": float64(now.Add(-40 * time.Minute).Unix())},
		selectors: []any{map[string]any{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []any{}, "ExcludeManagementEventSources": []any{}}},
		keyARN:    keyARN,
		callerARN: "arn:aws:sts::" + account + ":assumed-role/role-audit/alice",
	}
}

func (a *fakeAccount) start(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	reply := func(w http.ResponseWriter, status int, body any) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		op := target[strings.LastIndex(target, ".")+1:]
		switch {
		case strings.HasPrefix(target, "CloudTrail_20131101.") && a.trail == nil:
			reply(w, http.StatusBadRequest, map[string]any{"__type": "TrailNotFoundException", "Message": "Unknown trail: trail-master for the user: 111122223333"})
		case op == "GetTrail":
			reply(w, http.StatusOK, map[string]any{"Trail": a.trail})
		case op == "GetTrailStatus":
			reply(w, http.StatusOK, a.status)
		case op == "GetEventSelectors":
			reply(w, http.StatusOK, map[string]any{"TrailARN": a.trail["TrailARN"], "EventSelectors": a.selectors})
		case op == "DescribeKey":
			reply(w, http.StatusOK, map[string]any{"KeyMetadata": map[string]any{"KeyId": a.keyARN[strings.LastIndex(a.keyARN, "/")+1:], "Arn": a.keyARN, "Enabled": true}})
		case target == "":
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, a.callerARN)
		default:
			reply(w, http.StatusBadRequest, map[string]any{"__type": "UnknownOperationException"})
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestVerify runs `verify` with the real SDK against the fake account:
// everything passes where the golden stack is deployed and working, and
// each departure fails its check, and only its check.
func TestVerify(t *testing.T) {
	now := time.Now()
	cases := map[string]struct {
		change func(a *fakeAccount)
		fail   []string
	}{
		"deployed and working": {func(*fakeAccount) {}, nil},
		"logging stopped": {func(a *fakeAccount) {
			a.status["IsLogging"], a.status["StopLoggingTime"] = false, float64(now.Add(-3*time.Hour).Unix())
		}, []string{"FAIL\tTRAIL-LOGGING\tlogging stopped at"}},
		"a delivery error": {func(a *fakeAccount) { a.status["LatestDeliveryError"] = "AccessDenied" }, []string{"FAIL\tDELIVERY-S3\tlatest error: AccessDenied"}},
		"no digest for hours": {func(a *fakeAccount) {
			a.status["LatestDigestDeliveryTime"] = float64(now.Add(-5 * time.Hour).Unix())
		}, []string{"FAIL\tDELIVERY-RECENT\tlast digest 5h0m0s ago"}},
		"another key": {func(a *fakeAccount) {
			a.trail["KmsKeyId"] = "arn:aws:kms:us-east-1:111122223333:key/ffffffff-0000-0000-0000-000000000000"
		}, []string{"FAIL\tTRAIL-KMS\tencrypts with arn:aws:kms:us-east-1:111122223333:key/ffffffff"}},
		"validation turned off": {func(a *fakeAccount) { a.trail["LogFileValidationEnabled"] = false }, []string{"FAIL\tTRAIL-LOG-VALIDATION\tlog file validation: false"}},
		"write events only": {func(a *fakeAccount) {
			a.selectors = []any{map[string]any{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}}
		}, []string{"FAIL\tTRAIL-SELECTORS\tbasic WriteOnly management=true; synthesized: basic All management=true"}},
		"a missing trail": {func(a *fakeAccount) { a.trail = nil }, []string{"FAIL\tTRAIL-EXISTS\tGetTrail trail-master:", "TrailNotFoundException"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			a := matching(now)
			c.change(a)
			endpoint := a.start(t)
			t.Setenv("CDKTF_OUTDIR", "testdata/golden")
			t.Setenv("AWS_ENDPOINT_URL", endpoint)
			fakeCredentials(t)
			var out, errs bytes.Buffer
			code := run([]string{"verify"}, nil, &out, &errs)
			wantCode := 0
			if c.fail != nil {
				wantCode = 1
			}
			if code != wantCode {
				t.Errorf("expected exit %d, found %d:\n%s%s", wantCode, code, out.String(), errs.String())
			}
			for _, want := range append(c.fail, "as arn:aws:sts::111122223333:assumed-role/role-audit/alice") {
				if !strings.Contains(out.String(), want) {
					t.Errorf("expected %q in:\n%s", want, out.String())
				}
			}
			if os.Getenv("AUDIT_TRAIL_SHOW_OUTPUT") != "" {
				t.Log(out.String())
			}
			if failed := strings.Count(out.String(), "FAIL\t"); c.fail != nil && c.change != nil && name != "a missing trail" && failed != 1 {
				t.Errorf("expected one check to fail, found %d:\n%s", failed, out.String())
			}
		})
	}
}

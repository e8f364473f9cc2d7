package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cle2wa/audit-trail/internal/cloud/cloudtest"
	"github.com/cle2wa/audit-trail/internal/integrity/integritytest"
)

var logStart = time.Date(2026, 11, 28, 20, 0, 0, 0, time.UTC)

// startCloudTrail answers CloudTrail ListPublicKeys on loopback (JSON 1.1,
// the API Reference's response shape) with the chain's keys of the
// region the request is signed for: the key's Value is the base64 of its
// DER, as JSON carries a blob; the SDK and the AWS CLI both read it. It
// also answers GetTrail (a multi-region trail) and Account Management
// ListRegions with the chain's regions (point AWS_ENDPOINT_URL_ACCOUNT at
// it).
func startCloudTrail(t *testing.T, c *integritytest.Chain) string {
	t.Helper()
	return cloudtest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/listRegions" {
			// Account Management ListRegions (REST JSON): the chain's
			// regions, enabled.
			var regions []any
			for _, region := range slices.Sorted(maps.Keys(c.Signers)) {
				regions = append(regions, map[string]string{"RegionName": region, "RegionOptStatus": "ENABLED_BY_DEFAULT"})
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"Regions": regions})
			return
		}
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), "CloudTrail_20131101.GetTrail") {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			json.NewEncoder(w).Encode(map[string]any{"Trail": map[string]any{"Name": c.Trail, "IsMultiRegionTrail": true, "HomeRegion": c.HomeRegion}})
			return
		}
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), "CloudTrail_20131101.ListPublicKeys") {
			http.Error(w, `{"__type":"UnknownOperationException"}`, http.StatusBadRequest)
			return
		}
		// The credential scope names the region: .../<date>/<region>/cloudtrail/aws4_request.
		scope := strings.Split(r.Header.Get("Authorization"), "/")
		region := ""
		if len(scope) > 2 {
			region = scope[2]
		}
		var keys []any
		if s := c.Signers[region]; s != nil {
			keys = append(keys, map[string]any{"Fingerprint": s.Fingerprint, "Value": base64.StdEncoding.EncodeToString(s.DER),
				"ValidityStartTime": float64(logStart.Add(-24 * time.Hour).Unix()), "ValidityEndTime": float64(logStart.Add(48 * time.Hour).Unix())})
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		json.NewEncoder(w).Encode(map[string]any{"PublicKeyList": keys})
	}))
}

// upload puts every object of the chain's bucket into the fake S3, with
// its user metadata.
func upload(t *testing.T, s3 *fakeS3, c *integritytest.Chain) {
	t.Helper()
	uploadBucket(t, s3, c.Bucket)
}

// uploadBucket puts every object of b into the fake S3's bucket of the
// same name, with its user metadata.
func uploadBucket(t *testing.T, s3 *fakeS3, b *integritytest.Bucket) {
	t.Helper()
	keys := make([]string, 0, len(b.Objects))
	for k := range b.Objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		o := b.Objects[k]
		req, err := http.NewRequest(http.MethodPut, s3.endpoint+"/"+b.Name+"/"+k, bytes.NewReader(o.Body))
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range o.Meta {
			req.Header.Set("x-amz-meta-"+name, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: %s", k, resp.Status)
		}
	}
}

// TestValidateLogsWithTheSDK runs the command with the real AWS SDK
// against an S3-protocol server (gofakes3) and a CloudTrail on loopback:
// a valid chain in two regions, then one tampering.
func TestValidateLogsWithTheSDK(t *testing.T) {
	c := integritytest.New("cle2wa-s3-trail-master", "", "111122223333", "trail-master", "us-east-1")
	digests := map[string][]string{}
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		digests[region] = c.Hours(region, logStart, 4, 2)
	}
	s3 := startFakeS3(t, c.Bucket.Name)
	upload(t, s3, c)
	t.Setenv("AWS_ENDPOINT_URL_S3", s3.endpoint)
	cloudTrail := startCloudTrail(t, c)
	t.Setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", cloudTrail)
	t.Setenv("AWS_ENDPOINT_URL_ACCOUNT", cloudTrail)
	cloudtest.Credentials(t)
	args := []string{"validate-logs", "-trail-arn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/trail-master",
		"-start", logStart.Format(time.RFC3339), "-end", logStart.Add(4 * time.Hour).Format(time.RFC3339)}

	var out, errs bytes.Buffer
	if code := run(args, &out, &errs); code != 0 {
		t.Fatalf("expected exit 0 on a valid chain, found %d:\n%s\n%s", code, out.String(), errs.String())
	}
	for _, want := range []string{"8/8 digest files valid", "16/16 log files valid", "in eu-west-1, us-east-1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("expected %q in:\n%s", want, out.String())
		}
	}

	deleted := c.Digest(digests["us-east-1"][3]).LogFiles[0].S3Object
	s3.object(t, http.MethodDelete, c.Bucket.Name, deleted, "")
	out.Reset()
	errs.Reset()
	if code := run(args, &out, &errs); code != 1 {
		t.Errorf("expected exit 1 with a log file deleted, found %d", code)
	}
	for _, want := range []string{fmt.Sprintf("Log file\ts3://%s/%s\tINVALID: not found", c.Bucket.Name, deleted), "15/16 log files valid, 1/16 log files INVALID"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("expected %q in:\n%s", want, out.String())
		}
	}

	// Every object of a region deleted: the region is enabled, so its
	// silence is INCOMPLETE, not skipped.
	for _, k := range slices.Sorted(maps.Keys(c.Bucket.Objects)) {
		if strings.Contains(k, "/eu-west-1/") {
			s3.object(t, http.MethodDelete, c.Bucket.Name, k, "")
		}
	}
	out.Reset()
	errs.Reset()
	if code := run(args, &out, &errs); code != 1 || !strings.Contains(out.String(), "INCOMPLETE: 111122223333 eu-west-1: no digest of the trail in the range") {
		t.Errorf("expected exit 1 and eu-west-1 INCOMPLETE with its folder deleted, found %d:\n%s", code, out.String())
	}

	// -json: one object a line, the last the result, which -merge reads.
	out.Reset()
	errs.Reset()
	code := run(append(args, "-json", "-region", "us-east-1"), &out, &errs)
	shard := filepath.Join(t.TempDir(), "us-east-1.jsonl")
	if err := os.WriteFile(shard, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var merged bytes.Buffer
	if mergeCode := run([]string{"validate-logs", "-merge", shard, shard}, &merged, &errs); code != 1 || mergeCode != 1 || !strings.Contains(merged.String(), "14/16 log files valid, 2/16 log files INVALID") {
		t.Errorf("expected the shard (exit 1, a log file deleted) twice to merge into 14/16 log files valid, exit 1, found %d and %d:\n%s\n%s", code, mergeCode, out.String(), merged.String())
	}

	// A bucket that cannot be read is no verdict on the evidence.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://"+closed.Addr().String())
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	out.Reset()
	errs.Reset()
	if code := run(args, &out, &errs); code != 3 || !strings.Contains(errs.String(), "validation stopped, no verdict on the evidence") {
		t.Errorf("expected exit 3 and no verdict when S3 cannot be read, found %d:\n%s", code, errs.String())
	}
}

// TestValidateLogsNamesIntactVersions: in a versioned bucket (as the log
// bucket is), a log file overwritten after delivery is invalid, and the
// line names the noncurrent version that still holds it
// (ListObjectVersions and GetObject with versionId, through the SDK).
func TestValidateLogsNamesIntactVersions(t *testing.T) {
	c := integritytest.New("cle2wa-s3-trail-master", "", "111122223333", "trail-master", "us-east-1")
	digests := c.Hours("us-east-1", logStart, 3, 2)
	fake := startFakeS3(t, c.Bucket.Name)
	fake.object(t, http.MethodPut, c.Bucket.Name, "?versioning", `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>`)
	upload(t, fake, c)
	changed := c.Digest(digests[1]).LogFiles[0].S3Object
	fake.object(t, http.MethodPut, c.Bucket.Name, changed, "not even gzip")
	cloudTrail := startCloudTrail(t, c)
	t.Setenv("AWS_ENDPOINT_URL_S3", fake.endpoint)
	t.Setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", cloudTrail)
	t.Setenv("AWS_ENDPOINT_URL_ACCOUNT", cloudTrail)
	cloudtest.Credentials(t)
	var out, errs bytes.Buffer
	code := run([]string{"validate-logs", "-trail-arn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/trail-master",
		"-start", logStart.Format(time.RFC3339), "-end", logStart.Add(3 * time.Hour).Format(time.RFC3339)}, &out, &errs)
	want := regexp.MustCompile("Log file\ts3://cle2wa-s3-trail-master/" + regexp.QuoteMeta(changed) + "\tINVALID: invalid format \\(version \\S+, noncurrent, is intact")
	if code != 1 || !want.MatchString(out.String()) {
		t.Errorf("expected exit 1 and the intact version named, found %d:\n%s\n%s", code, out.String(), errs.String())
	}
}

// TestValidateLogsAgainstAnAdversary runs the attacker's cases of
// package integrity (adversary_test.go) through the command, with the
// real SDK against gofakes3 and a CloudTrail on loopback: each must end
// in exit 1 with the line that names what was done, and the untouched
// fixture in exit 0.
func TestValidateLogsAgainstAnAdversary(t *testing.T) {
	const account, home, trailName = "111122223333", "us-east-1", "trail-master"
	arn := "arn:aws:cloudtrail:" + home + ":" + account + ":trail/" + trailName
	type fixture struct {
		c       *integritytest.Chain
		buckets []*integritytest.Bucket
		digests []string // us-east-1's, oldest first, in the trail's current bucket
		old     []string // before the move, in old-bucket
	}
	// Six hours in us-east-1; the trail moved from old-bucket (prefix
	// old) to new-bucket (prefix new) after three.
	setup := func() fixture {
		c := integritytest.New("old-bucket", "old", account, trailName, home)
		old := c.Hours(home, logStart, 3, 2)
		oldBucket := c.Bucket
		c.Move(integritytest.NewBucket("new-bucket"), "new")
		return fixture{c: c, buckets: []*integritytest.Bucket{oldBucket, c.Bucket}, old: old, digests: c.Hours(home, logStart.Add(3*time.Hour), 3, 2)}
	}
	cases := map[string]struct {
		tamper func(f fixture) (want string)
	}{
		"nothing changed": {func(fixture) string { return "12/12 log files valid" }},
		"a digest deleted where the trail delivered before": {func(f fixture) string {
			f.buckets[0].Delete(f.old[1])
			return "Digest file\ts3://old-bucket/" + f.old[1] + "\tINVALID: not found"
		}},
		"the last digest of the range deleted": {func(f fixture) string {
			f.buckets[1].Delete(f.digests[2])
			return "INCOMPLETE: " + account + " " + home + ": the newest digest ends at 2026-11-29T01:00:00Z, before the end of the range"
		}},
		"the last digest before a restart deleted": {func(f fixture) string {
			f.buckets[1].Delete(f.digests[2])
			f.c.Restart(home)
			f.c.Hours(home, logStart.Add(6*time.Hour), 1, 1)
			return "INCOMPLETE: " + account + " " + home + ": no digest covers 2026-11-29T01:00:00Z to 2026-11-29T02:00:00Z"
		}},
		"a junk key among the digests": {func(f fixture) string {
			key := "new/AWSLogs/" + account + "/CloudTrail-Digest/" + home + "/2026/11/28/notes.txt"
			f.buckets[1].Put(key, []byte("x"), nil)
			return "Foreign object\ts3://new-bucket/" + key + "\tUNEXPECTED: not the name of a digest file"
		}},
		"a gzip member appended to a digest": {func(f fixture) string {
			o := f.buckets[1].Objects[f.digests[1]]
			f.buckets[1].Put(f.digests[1], append(slices.Clone(o.Body), integritytest.Gzip("")...), o.Meta)
			return "Digest file\ts3://new-bucket/" + f.digests[1] + "\tINVALID: invalid format: data after the first gzip member"
		}},
		"a digest that inflates past its bound": {func(f fixture) string {
			o := f.buckets[1].Objects[f.digests[0]]
			f.buckets[1].Put(f.digests[0], integritytest.Gzip(`{"logFiles": "`+strings.Repeat("a", 40<<20)), o.Meta)
			return "Digest file\ts3://new-bucket/" + f.digests[0] + "\tINVALID: invalid format: inflates past 32 MiB"
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := setup()
			want := tc.tamper(f)
			fake := startFakeS3(t, f.buckets[0].Name)
			fake.object(t, http.MethodPut, f.buckets[1].Name, "", "")
			for _, b := range f.buckets {
				uploadBucket(t, fake, b)
			}
			cloudTrail := startCloudTrail(t, f.c)
			t.Setenv("AWS_ENDPOINT_URL_S3", fake.endpoint)
			t.Setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", cloudTrail)
			t.Setenv("AWS_ENDPOINT_URL_ACCOUNT", cloudTrail)
			cloudtest.Credentials(t)
			var out, errs bytes.Buffer
			code := run([]string{"validate-logs", "-trail-arn", arn, "-bucket", "new-bucket", "-prefix", "new",
				"-start", logStart.Format(time.RFC3339), "-end", logStart.Add(6 * time.Hour).Format(time.RFC3339)}, &out, &errs)
			wantCode := 1
			if name == "nothing changed" {
				wantCode = 0
			}
			if code != wantCode || !strings.Contains(out.String(), want) {
				t.Errorf("expected exit %d and %q, found %d:\n%s\n%s", wantCode, want, code, out.String(), errs.String())
			}
		})
	}
}

// awsCLI returns Debian's AWS CLI 2, whose `aws cloudtrail validate-logs`
// is AWS's own implementation of the validation.
func awsCLI(t *testing.T) string {
	t.Helper()
	const path = "/usr/bin/aws"
	out, err := exec.Command(path, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "aws-cli/2.") {
		missing(t, "Debian's AWS CLI 2 is not installed at %s (apt-get install awscli)", path)
	}
	return path
}

// s3Redirect is an AWS CLI plugin that sends its S3 requests to the
// endpoint in AUDIT_TRAIL_S3_ENDPOINT: the CLI's --endpoint-url reaches
// only its CloudTrail client, and this botocore predates
// AWS_ENDPOINT_URL_S3. The validation code itself is untouched.
const s3Redirect = `import os
from urllib.parse import urlsplit, urlunsplit

def awscli_initialize(cli):
    cli.register('before-sign.s3', redirect)

def redirect(request, **kwargs):
    target = urlsplit(os.environ['AUDIT_TRAIL_S3_ENDPOINT'])
    url = urlsplit(request.url)
    request.url = urlunsplit((target.scheme, target.netloc, url.path, url.query, ''))
`

// lowerMeta is a proxy in front of gofakes3 that sends the user metadata
// header names in lower case, as S3 does (gofakes3 capitalises them, and
// botocore keeps the case it gets), after waiting latency before each
// request (the benchmark's stand-in for S3's own).
func lowerMeta(t *testing.T, target string, latency time.Duration) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		r.URL.Scheme, r.URL.Host, r.Host, r.RequestURI = u.Scheme, u.Host, u.Host, ""
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for name, v := range resp.Header {
			if strings.HasPrefix(strings.ToLower(name), "x-amz-meta-") {
				name = strings.ToLower(name) // the map keeps the case it is given
			}
			w.Header()[name] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
	return cloudtest.Serve(t, handler)
}

// verdicts reads the "<kind>\ts3://...\t<verdict>" lines of a validation's
// output, by file.
func verdicts(output string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(output, "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 3 && (f[0] == "Digest file" || f[0] == "Log file") {
			out[f[1]] = strings.TrimSuffix(f[2], " (not checked by aws cloudtrail validate-logs)")
		}
	}
	return out
}

// TestValidateLogsAgreesWithTheAWSCLI runs AWS's own validate-logs and
// this app's on the same fixtures, against the same loopback servers, and
// requires the same verdict on every file; where this app checks more (a
// correctly signed digest whose previousDigestSignature is not its
// predecessor's), the difference is the expected one.
func TestValidateLogsAgreesWithTheAWSCLI(t *testing.T) {
	t.Parallel()
	aws := awsCLI(t)
	const region, trailName = "us-east-1", "trail-master"
	arn := "arn:aws:cloudtrail:" + region + ":111122223333:trail/" + trailName
	end := logStart.Add(5 * time.Hour)
	cases := map[string]struct {
		tamper func(c *integritytest.Chain, d []string) (differs string)
	}{
		"a valid chain": {func(*integritytest.Chain, []string) string { return "" }},
		"a modified log file": {func(c *integritytest.Chain, d []string) string {
			f := c.Digest(d[1]).LogFiles[0]
			c.Bucket.Put(f.S3Object, c.Bucket.Objects[c.Digest(d[2]).LogFiles[0].S3Object].Body, nil)
			return ""
		}},
		"a deleted log file": {func(c *integritytest.Chain, d []string) string {
			c.Bucket.Delete(c.Digest(d[3]).LogFiles[1].S3Object)
			return ""
		}},
		"a modified digest": {func(c *integritytest.Chain, d []string) string {
			c.Edit(d[2], func(m map[string]any) { m["logFiles"] = []any{} }, false, nil)
			return ""
		}},
		"a deleted digest": {func(c *integritytest.Chain, d []string) string {
			c.Bucket.Delete(d[2])
			return ""
		}},
		"the oldest digest deleted": {func(c *integritytest.Chain, d []string) string {
			c.Bucket.Delete(d[0])
			return ""
		}},
		"a digest signed with another key": {func(c *integritytest.Chain, d []string) string {
			c.Edit(d[1], func(map[string]any) {}, true, integritytest.NewSigner())
			return ""
		}},
		"a digest naming another bucket": {func(c *integritytest.Chain, d []string) string {
			c.Edit(d[3], func(m map[string]any) { m["digestS3Bucket"] = "someone-elses-bucket" }, true, nil)
			return ""
		}},
		// Debian's CLI (2.9.19) inflates the first gzip member and ignores
		// the rest; AWS's CLI refuses that since 2026 (aws-cli pull
		// requests 10324 and 10326), as this app does.
		"events appended to a log file as a second gzip member": {func(c *integritytest.Chain, d []string) string {
			key := c.Digest(d[2]).LogFiles[0].S3Object
			o := c.Bucket.Objects[key]
			c.Bucket.Put(key, append(slices.Clone(o.Body), integritytest.Gzip(`{"Records":[{"eventName":"Forged"}]}`)...), o.Meta)
			return "s3://" + c.Bucket.Name + "/" + key
		}},
		"a broken previous-signature link": {func(c *integritytest.Chain, d []string) string {
			c.Edit(d[3], func(m map[string]any) { m["previousDigestSignature"] = strings.Repeat("ab", 256) }, true, nil)
			c.RelinkAfter(d, 3)
			return "s3://" + c.Bucket.Name + "/" + d[3]
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := integritytest.New("cle2wa-s3-trail-master", "", "111122223333", trailName, region)
			d := c.Hours(region, logStart, 5, 2)
			differs := tc.tamper(c, d)
			fake := startFakeS3(t, c.Bucket.Name)
			upload(t, fake, c)
			cloudTrail := startCloudTrail(t, c)

			plugins := t.TempDir()
			if err := os.WriteFile(filepath.Join(plugins, "s3redirect.py"), []byte(s3Redirect), 0o644); err != nil {
				t.Fatal(err)
			}
			config := filepath.Join(t.TempDir(), "config")
			if err := os.WriteFile(config, []byte("[default]\nregion = "+region+"\ns3 =\n    addressing_style = path\n\n[plugins]\ncli_legacy_plugin_path = "+plugins+"\ns3redirect = s3redirect\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(aws, "cloudtrail", "validate-logs", "--trail-arn", arn, "--s3-bucket", c.Bucket.Name,
				"--start-time", logStart.Format(time.RFC3339), "--end-time", end.Format(time.RFC3339), "--verbose",
				"--endpoint-url", cloudTrail, "--region", region, "--no-cli-pager")
			cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
				"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AUDIT_TRAIL_S3_ENDPOINT="+lowerMeta(t, fake.endpoint, 0))
			var cliOut, cliErr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &cliOut, &cliErr
			cmd.Run()
			theirCode := cmd.ProcessState.ExitCode()
			theirs := verdicts(cliOut.String() + "\n" + cliErr.String())
			if len(theirs) == 0 {
				t.Fatalf("expected the AWS CLI to report files, found:\n%s\n%s", cliOut.String(), cliErr.String())
			}

			// The app runs as a process of its own, with the loopbacks in its
			// environment, so that the cases run in parallel.
			ourCode, out, ourErr := runCommand(t, project(t, repoCdktfJSON(t)), []string{"validate-logs", "-trail-arn", arn, "-bucket", c.Bucket.Name, "-region", region, "-v",
				"-start", logStart.Format(time.RFC3339), "-end", end.Format(time.RFC3339)},
				"AWS_ENDPOINT_URL_S3="+fake.endpoint, "AWS_ENDPOINT_URL_CLOUDTRAIL="+cloudTrail, "AWS_ENDPOINT_URL_ACCOUNT="+cloudTrail,
				"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
			if differs == "" && ourCode != theirCode {
				t.Errorf("expected the same exit status, found %d from the AWS CLI and %d here", theirCode, ourCode)
			}
			ours := verdicts(out)

			files := maps.Clone(theirs)
			maps.Copy(files, ours)
			for _, file := range slices.Sorted(maps.Keys(files)) {
				if file == differs {
					if theirs[file] != "valid" || !strings.HasPrefix(ours[file], "INVALID") {
						t.Errorf("%s: expected the AWS CLI to pass it and this app to refuse it, found %q and %q", file, theirs[file], ours[file])
					}
					continue
				}
				if theirs[file] != ours[file] {
					t.Errorf("%s: the AWS CLI says %q, this app %q", file, theirs[file], ours[file])
				}
			}
			if t.Failed() || os.Getenv("AUDIT_TRAIL_SHOW_OUTPUT") != "" {
				t.Logf("AWS CLI:\n%s\n%s\nthis app:\n%s%s", cliOut.String(), cliErr.String(), out, ourErr)
			}
		})
	}
}

// TestBenchValidateLogs is scripts/bench-validate-logs: it builds a
// fixture of several regions and a day of hourly digests with several log
// files each, serves it from gofakes3 behind a proxy that adds a fixed
// latency to every request (both tools pay it alike), and times the
// built binary of this app (AUDIT_TRAIL_BENCH_BINARY) against Debian's
// `aws cloudtrail validate-logs` run once per region on the same data.
// It prints the times, the ratio and this app's peak resident memory
// (the child's rusage); it asserts nothing about them.
func TestBenchValidateLogs(t *testing.T) {
	binary := os.Getenv("AUDIT_TRAIL_BENCH_BINARY")
	if binary == "" {
		t.Skip("run scripts/bench-validate-logs")
	}
	aws := awsCLI(t)
	regions := []string{"eu-central-1", "eu-west-1", "us-east-1", "us-west-2"}
	const hours, logs = 24, 5
	latency := 20 * time.Millisecond
	if v := os.Getenv("AUDIT_TRAIL_BENCH_LATENCY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Second {
			t.Fatalf("AUDIT_TRAIL_BENCH_LATENCY %q is not a duration from 0 to 1s", v)
		}
		latency = d
	}
	const home, trailName = "us-east-1", "trail-master"
	arn := "arn:aws:cloudtrail:" + home + ":111122223333:trail/" + trailName
	c := integritytest.New("cle2wa-s3-trail-master", "", "111122223333", trailName, home)
	for _, region := range regions {
		c.Hours(region, logStart, hours, logs)
	}
	fake := startFakeS3(t, c.Bucket.Name)
	upload(t, fake, c)
	s3 := lowerMeta(t, fake.endpoint, latency)
	cloudTrail := startCloudTrail(t, c)
	end := logStart.Add(hours * time.Hour)
	span := []string{logStart.Format(time.RFC3339), end.Format(time.RFC3339)}

	plugins := t.TempDir()
	if err := os.WriteFile(filepath.Join(plugins, "s3redirect.py"), []byte(s3Redirect), 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(config, []byte("[default]\nregion = "+home+"\ns3 =\n    addressing_style = path\n\n[plugins]\ncli_legacy_plugin_path = "+plugins+"\ns3redirect = s3redirect\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var theirs time.Duration
	for _, region := range regions {
		// The CLI validates the digests of the region its client is in.
		cmd := exec.Command(aws, "cloudtrail", "validate-logs", "--trail-arn", arn, "--s3-bucket", c.Bucket.Name,
			"--start-time", span[0], "--end-time", span[1], "--endpoint-url", cloudTrail, "--region", region, "--no-cli-pager")
		cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
			"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AUDIT_TRAIL_S3_ENDPOINT="+s3)
		began := time.Now()
		out, err := cmd.CombinedOutput()
		theirs += time.Since(began)
		if err != nil || !strings.Contains(string(out), fmt.Sprintf("%d/%d digest files valid", hours, hours)) {
			t.Fatalf("the AWS CLI in %s: %v\n%s", region, err, out)
		}
	}

	cmd := exec.Command(binary, "validate-logs", "-trail-arn", arn, "-bucket", c.Bucket.Name, "-start", span[0], "-end", span[1])
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL_S3="+s3, "AWS_ENDPOINT_URL_CLOUDTRAIL="+cloudTrail, "AWS_ENDPOINT_URL_ACCOUNT="+cloudTrail,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	began := time.Now()
	out, err := cmd.Output()
	ours := time.Since(began)
	want := fmt.Sprintf("%d/%d log files valid", len(regions)*hours*logs, len(regions)*hours*logs)
	if err != nil || !strings.Contains(string(out), want) {
		t.Fatalf("this app: %v\n%s", err, out)
	}
	peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	fmt.Printf("bench validate-logs: %d regions x %d hourly digests x %d log files (%d objects), %s latency per request\n",
		len(regions), hours, logs, len(c.Bucket.Objects), latency)
	fmt.Printf("bench aws cloudtrail validate-logs (once per region): %.2f s\n", theirs.Seconds())
	fmt.Printf("bench this app's validate-logs (every region at once): %.2f s, peak resident memory %d MiB\n", ours.Seconds(), peak>>10)
	fmt.Printf("bench ratio: %.1fx faster\n", theirs.Seconds()/ours.Seconds())
}

// TestMergeRefusesWhatItCannotSum: -merge reads every file and says
// every problem before it exits: 3 for a shard that stopped before its
// result, 2 for a file of another range or one that cannot be read.
func TestMergeRefusesWhatItCannotSum(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	result := `{"trail":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t","start":"%s","end":"2026-11-29T00:00:00Z","summary":{"digests":1,"validDigests":1},"exit":0}` + "\n"
	good := write("good.jsonl", fmt.Sprintf(result, "2026-11-28T00:00:00Z"))
	stopped := write("stopped.jsonl", `{"kind":"Log file","location":"s3://b/k","reason":"not found"}`+"\n")
	other := write("other.jsonl", fmt.Sprintf(result, "2026-11-27T00:00:00Z"))
	for name, c := range map[string]struct {
		files []string
		code  int
		say   []string
	}{
		"one shard":                {[]string{good}, 0, nil},
		"a shard that stopped":     {[]string{good, stopped}, 3, []string{"stopped.jsonl: no result line"}},
		"shards of other ranges":   {[]string{good, other, stopped}, 2, []string{"other.jsonl is of", "stopped.jsonl: no result line"}},
		"a file that is not there": {[]string{good, filepath.Join(dir, "missing.jsonl")}, 2, []string{"missing.jsonl"}},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run(append([]string{"validate-logs", "-merge"}, c.files...), &out, &errs)
			if code != c.code {
				t.Errorf("expected exit %d, found %d:\n%s%s", c.code, code, out.String(), errs.String())
			}
			for _, want := range c.say {
				if !strings.Contains(errs.String(), want) {
					t.Errorf("expected %q on stderr, found:\n%s", want, errs.String())
				}
			}
		})
	}
}

// TestValidateLogsInTheLayout runs validate-logs as the audit role of the
// log-archive layout's security account, with no -trail-arn: the trail is
// the organization's management account's (DescribeOrganization, which
// any account of the organization may call), its files are under the
// organization's folder of the log-archive bucket, and the organization's
// accounts, which only the management account or a delegated
// administrator may list (ListAccounts), are said not to be required.
func TestValidateLogsInTheLayout(t *testing.T) {
	c := integritytest.New("cle2wa-s3-trail-master", "", "111122223333", "trail-master", "us-east-1")
	c.Organization = "o-exampleorgid"
	c.Hours("us-east-1", logStart, 2, 2)
	s3 := startFakeS3(t, c.Bucket.Name)
	upload(t, s3, c)
	var file map[string]any
	if err := json.Unmarshal([]byte(repoCdktfJSON(t)), &file); err != nil {
		t.Fatal(err)
	}
	file["context"].(map[string]any)["organizationTrail"] = true
	file["context"].(map[string]any)["accounts"] = map[string]string{"logArchive": layoutLogArchive, "security": layoutSecurity}
	data, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := project(t, string(data))
	organization := cloudtest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch target := r.Header.Get("X-Amz-Target"); {
		case strings.HasSuffix(target, ".DescribeOrganization"):
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			json.NewEncoder(w).Encode(map[string]any{"Organization": map[string]any{"Id": "o-exampleorgid", "MasterAccountId": "111122223333", "FeatureSet": "ALL"}})
		case strings.HasSuffix(target, ".ListAccounts"):
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"AccessDeniedException","Message":"You don't have permissions to access this resource."}`)
		default:
			// STS GetCallerIdentity: the security account's audit role.
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::%[1]s:assumed-role/role-audit/alice</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>%[1]s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, layoutSecurity)
		}
	}))
	cloudTrail := startCloudTrail(t, c)
	env := append(fakeAWS(""), "AWS_ENDPOINT_URL_S3="+s3.endpoint, "AWS_ENDPOINT_URL_CLOUDTRAIL="+cloudTrail, "AWS_ENDPOINT_URL_ACCOUNT="+cloudTrail,
		"AWS_ENDPOINT_URL_STS="+organization, "AWS_ENDPOINT_URL_ORGANIZATIONS="+organization)
	code, stdout, stderr := runCommand(t, dir, []string{"validate-logs", "-start", logStart.Format(time.RFC3339), "-end", logStart.Add(2 * time.Hour).Format(time.RFC3339)}, env...)
	if code != 0 {
		t.Fatalf("expected exit 0 on a valid chain, found %d:\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"Validating log files for trail arn:aws:cloudtrail:us-east-1:111122223333:trail/trail-master",
		"NOTE: the organization's accounts could not be read (organizations:ListAccounts",
		"2/2 digest files valid", "4/4 log files valid",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("expected %q in:\n%s", want, stdout)
		}
	}
}

package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file holds the helpers of the tests that use real tools: the
// Terraform CLI, an S3-protocol server (gofakes3) on loopback, and the cdktf
// CLI. A missing tool skips its tests with a message naming it, except in
// CI (CI set), where .ci/run installs every tool and a missing one fails.

// skipped are the tests skipped for a missing tool, with what they miss;
// TestMain prints them after the run.
var (
	skippedMu sync.Mutex
	skipped   []string
)

// missing skips or, in CI, fails the test for lack of a tool.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI must provide it: see .ci/run)", msg)
	}
	skippedMu.Lock()
	skipped = append(skipped, t.Name()+": "+msg)
	skippedMu.Unlock()
	t.Skip(msg)
}

// reportSkipped says which tests skipped for a missing tool. go test
// shows a passing package's output only with -v, so the summary goes to
// the terminal when there is one (and to stderr, for -v, otherwise).
func reportSkipped() {
	if len(skipped) == 0 {
		return
	}
	out := io.Writer(os.Stderr)
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		out = tty
	}
	fmt.Fprintf(out, "%d tests of %s skipped for a missing tool (bash .ci/run installs them all):\n", len(skipped), "github.com/cle2wa/audit-trail")
	for _, s := range skipped {
		fmt.Fprintf(out, "  SKIP %s\n", s)
	}
}

// terraformCLI returns the path of a Terraform CLI of version 1.10 or later
// (S3-native locking, use_lockfile, needs 1.10). Terraform is looked up
// and asked its version once a test process.
func terraformCLI(t *testing.T) string {
	t.Helper()
	found := terraformFound()
	if found.problem != "" {
		missing(t, "%s", found.problem)
	}
	return found.path
}

// terraformFound finds Terraform on the PATH, or says what is wrong.
var terraformFound = sync.OnceValue(func() (found struct{ path, problem string }) {
	path, err := exec.LookPath("terraform")
	if err != nil {
		found.problem = "terraform >= 1.10 is not on the PATH"
		return found
	}
	out, err := exec.Command(path, "version", "-json").Output()
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err != nil || json.Unmarshal(out, &v) != nil {
		found.problem = fmt.Sprintf("cannot read the version of %s: %v", path, err)
		return found
	}
	parts := strings.SplitN(v.Version, ".", 3)
	major, _ := strconv.Atoi(parts[0])
	minor := 0
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	if major < 1 || major == 1 && minor < 10 {
		found.problem = fmt.Sprintf("terraform %s is too old: S3-native locking needs 1.10 or later", v.Version)
		return found
	}
	found.path = path
	return found
})

// toolEnv is the environment for Terraform and the cdktf CLI: an empty
// CLI configuration file, no update checks, no prompts, no AWS profile.
func toolEnv(t *testing.T) []string {
	t.Helper()
	config := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(config, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+config,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
		// Terraform and the provider are short-lived Go processes: with
		// Go's default GOGC=100 they spend about a third of their CPU
		// collecting garbage they would drop at exit anyway (measured
		// here: the plan tests take a third less CPU with 400, for
		// about 10% more memory).
		"GOGC=400",
	)
}

// tfRun runs terraform in dir with a clean, offline configuration and
// returns its combined output.
func tfRun(t *testing.T, tf, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(tf, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = toolEnv(t)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mustTF runs terraform and fails the test if it fails.
func mustTF(t *testing.T, tf, dir string, args ...string) string {
	t.Helper()
	out, err := tfRun(t, tf, dir, args...)
	if err != nil {
		t.Fatalf("terraform %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return out
}

// fakeS3 is a gofakes3 server on a free loopback port.
type fakeS3 struct {
	endpoint string
}

// startFakeS3 starts gofakes3 with bucket created and stops it when the
// test ends.
func startFakeS3(t *testing.T, bucket string) *fakeS3 {
	t.Helper()
	bin, err := exec.LookPath("gofakes3")
	if err != nil {
		gopath, _ := exec.Command("go", "env", "GOPATH").Output()
		bin = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "gofakes3")
		if _, err := os.Stat(bin); err != nil {
			missing(t, "gofakes3 is not installed (go install github.com/johannesboyne/gofakes3/cmd/gofakes3@v1.2.0)")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "-host", addr, "-backend", "memory", "-initialbucket", bucket)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting gofakes3: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	f := &fakeS3{endpoint: "http://" + addr}
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(f.endpoint + "/" + bucket); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return f
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("gofakes3 did not answer on %s within 5 s", addr)
	return nil
}

// keys lists the object keys in bucket.
func (f *fakeS3) keys(t *testing.T, bucket string) []string {
	t.Helper()
	resp, err := http.Get(f.endpoint + "/" + bucket + "?list-type=2")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Contents []struct{ Key string } `xml:"Contents"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatalf("listing %s: %v", bucket, err)
	}
	var out []string
	for _, c := range list.Contents {
		out = append(out, c.Key)
	}
	return out
}

// object does one request on bucket/key and returns the body.
func (f *fakeS3) object(t *testing.T, method, bucket, key string, body string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, f.endpoint+"/"+bucket+"/"+key, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s/%s: %s\n%s", method, bucket, key, resp.Status, b)
	}
	return b
}

// testEndpoint is what a test adds to an S3 backend or remote state
// configuration to point it at the fake server: nothing else changes.
func (f *fakeS3) testEndpoint() map[string]any {
	return map[string]any{
		"endpoints":                   map[string]any{"s3": f.endpoint},
		"use_path_style":              true,
		"skip_credentials_validation": true,
		"skip_region_validation":      true,
		"skip_requesting_account_id":  true,
		"skip_metadata_api_check":     true,
		"skip_s3_checksum":            true,
		"access_key":                  "test",
		"secret_key":                  "test",
	}
}

// merge adds extra to the object m.
func merge(m map[string]any, extra map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeOutputs returns a configuration of outputs with the names, shapes and
// sensitivity of the synthesized stack's outputs, each value naming the
// expression it stands in for: "${aws_cloudtrail.trail.arn}" becomes
// "fake:aws_cloudtrail.trail.arn".
func fakeOutputs(stack map[string]any) map[string]any {
	fake := func(expr string) string {
		return "fake:" + strings.TrimSuffix(strings.TrimPrefix(expr, "${"), "}")
	}
	out := map[string]any{}
	outputs, _ := stack["output"].(map[string]any)
	for name, o := range outputs {
		o := o.(map[string]any)
		var value any
		switch v := o["value"].(type) {
		case string:
			value = fake(v)
		case []any:
			var list []string
			for _, item := range v {
				list = append(list, fake(item.(string)))
			}
			value = list
		}
		entry := map[string]any{"value": value}
		if o["sensitive"] == true {
			entry["sensitive"] = true
		}
		out[name] = entry
	}
	return out
}

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// ProviderMirrorEnv names the filesystem mirror that holds the real AWS
// provider built by scripts/build-provider; .ci/run sets it.
const ProviderMirrorEnv = "AUDIT_TRAIL_PROVIDER_MIRROR"

// providerMirror returns the mirror directory, or skips (fails in CI).
func providerMirror(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(ProviderMirrorEnv)
	if dir == "" {
		missing(t, "the real AWS provider is not built: run scripts/build-provider and set %s to the directory it prints", ProviderMirrorEnv)
	}
	if _, err := os.Stat(filepath.Join(dir, "registry.terraform.io", "hashicorp", "aws", "5.88.0")); err != nil {
		missing(t, "%s=%s holds no hashicorp/aws 5.88.0: %v", ProviderMirrorEnv, dir, err)
	}
	return dir
}

// reattachLine is the line the provider prints in debug mode: the
// TF_REATTACH_PROVIDERS value that makes Terraform use it.
var reattachLine = regexp.MustCompile(`TF_REATTACH_PROVIDERS='([^']+)'`)

// reattached starts the real provider once for the commands of one
// working directory, with the loopback at endpoint as every service's
// endpoint, and returns the environment entry that makes Terraform use
// it (TF_REATTACH_PROVIDERS, the provider's -debug mode) instead of
// starting the 149 MB provider for each step of each command, several
// times a command: a plan of the audit stack takes 1.05 s instead of 1.5.
// Only for a stack with one configuration of the provider: configurations
// with aliases would all configure this one process. It stops with the
// test.
func reattached(t *testing.T, endpoint string) string {
	t.Helper()
	binary := filepath.Join(providerMirror(t), "registry.terraform.io", "hashicorp", "aws", "5.88.0", runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-aws_v5.88.0")
	cmd := exec.Command(binary, "-debug")
	cmd.Env = append(toolEnv(t), "AWS_EC2_METADATA_DISABLED=true", endpointEnv(endpoint))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the provider: %v", err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if m := reattachLine.FindStringSubmatch(lines.Text()); m != nil {
			go func() {
				io.Copy(io.Discard, stdout)
				cmd.Wait()
				close(done)
			}()
			return "TF_REATTACH_PROVIDERS=" + m[1]
		}
	}
	go func() { cmd.Wait(); close(done) }()
	t.Fatalf("the provider printed no reattach configuration in debug mode")
	return ""
}

// providerAliases are the aliases of the AWS provider's configurations
// in the stack directory dir, one for each: "" for the default.
func providerAliases(t *testing.T, dir string) []string {
	t.Helper()
	var stack struct {
		Provider struct {
			AWS []struct{ Alias string } `json:"aws"`
		} `json:"provider"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &stack); err != nil {
		t.Fatal(err)
	}
	aliases := make([]string, 0, len(stack.Provider.AWS))
	for _, p := range stack.Provider.AWS {
		aliases = append(aliases, p.Alias)
	}
	return aliases
}

// mirrorConfig writes a Terraform CLI configuration that installs
// hashicorp/aws from the provider mirror and every other provider as
// usual, and returns its path (for TF_CLI_CONFIG_FILE).
func mirrorConfig(t *testing.T, mirror string) string {
	t.Helper()
	config := filepath.Join(t.TempDir(), "terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path    = %q\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n  direct {\n    exclude = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n}\n", mirror)
	if err := os.WriteFile(config, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	return config
}

// copyDir copies a stack directory (copyTree: not Terraform's working
// files) into a new directory.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	copyTree(t, from, to)
	return to
}

// TestStacksValidateWithTheRealProvider runs `terraform validate` with the
// real AWS provider's schema on the audit stack with every optional
// setting on (the default stacks are validated by their plans,
// TestStacksPlanWithTheRealProvider): every resource type, argument and
// nested block the options write is one the provider knows, with values
// of the right types, and an argument it does not know fails.
func TestStacksValidateWithTheRealProvider(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	tf := terraformCLI(t)
	mirror := providerMirror(t)
	config := mirrorConfig(t, mirror)
	// The optional settings the defaults leave off, all on: what they
	// write must validate too.
	var cfg map[string]any
	if err := json.Unmarshal([]byte(repoCdktfJSON(t)), &cfg); err != nil {
		t.Fatal(err)
	}
	options := cfg["context"].(map[string]any)
	options["insights"] = true
	options["dataEvents"] = "WRITE"
	options["alarmEmails"] = []string{"security@example.com"}
	options["logPrefix"] = "org/logs"
	options["logRetentionDays"] = 3650
	options["breakGlassPrincipals"] = []string{"arn:aws:iam::111122223333:role/break-glass"}
	options["objectLock"] = map[string]any{"mode": "COMPLIANCE", "days": 3650}
	options["organizationTrail"] = true
	variant, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	optionsDir := project(t, string(variant))
	if code, _, stderr := runApp(t, optionsDir); code != 0 {
		t.Fatalf("expected the synth with every option on to succeed, found exit %d: %s", code, stderr)
	}
	written, err := os.ReadFile(filepath.Join(optionsDir, "cdktf.out", "stacks", "audit", "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"insight_selector"`, `"advanced_event_selector"`, `"aws_sns_topic_subscription"`, `"s3_key_prefix": "org/logs"`, `role/break-glass`, `"mode": "COMPLIANCE"`, `"is_organization_trail": true`} {
		if !strings.Contains(string(written), want) {
			t.Errorf("expected the options to write %s", want)
		}
	}
	work := validateStack(t, tf, config, filepath.Join(optionsDir, "cdktf.out", "stacks", "audit"))
	// The provider's schema is real: an argument it does not know fails
	// validation.
	path := filepath.Join(work, "cdk.tf.json")
	doc := readJSON(t, path)
	if err := tfjson.Set(doc, true, "resource", "aws_cloudtrail", "trail", "is_audit_grade"); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, path, doc)
	cmd := exec.Command(tf, "-chdir="+work, "validate", "-no-color")
	cmd.Env = append(toolEnv(t), "TF_CLI_CONFIG_FILE="+config)
	invalid, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(invalid), "is_audit_grade") {
		t.Errorf("expected an unknown argument to fail validation, found %v:\n%s", err, invalid)
	}
}

// validateStack runs `terraform validate` on a copy of the stack
// directory dir with the real provider (config), requires it valid and
// without a warning (a deprecated argument, or one the newer provider
// reads differently, shows as one), and returns the copy.
func validateStack(t *testing.T, tf, config, dir string) string {
	t.Helper()
	work := copyDir(t, dir)
	run := func(args ...string) string {
		cmd := exec.Command(tf, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = append(toolEnv(t), "TF_CLI_CONFIG_FILE="+config)
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, got)
		}
		return string(got)
	}
	run("init", "-backend=false", "-input=false", "-no-color")
	var result struct {
		Valid        bool `json:"valid"`
		WarningCount int  `json:"warning_count"`
	}
	got := run("validate", "-json")
	if err := json.Unmarshal([]byte(got), &result); err != nil || !result.Valid || result.WarningCount != 0 {
		t.Errorf("expected the %s stack to validate without a warning, found (%v):\n%s", filepath.Base(dir), err, got)
	}
	return work
}

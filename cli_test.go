package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// cdktfCLIVersion is the cdktf CLI the tests compare the app with.
const cdktfCLIVersion = "0.20.12"

// cdktfCLI returns the path of the cdktf CLI, or skips (fails in CI). Its
// version is read from the package the command belongs to: asking the
// CLI (`cdktf --version`) loads its whole bundle, a second of CPU.
func cdktfCLI(t *testing.T) string {
	t.Helper()
	cli, err := exec.LookPath("cdktf")
	if err != nil {
		missing(t, "the cdktf CLI is not on the PATH (npm install -g cdktf-cli@%s)", cdktfCLIVersion)
	}
	// npm installs bin/cdktf as a link to <package>/bundle/bin/cdktf.
	script, err := filepath.EvalSymlinks(cli)
	var pkg struct{ Name, Version string }
	if err == nil {
		var data []byte
		data, err = os.ReadFile(filepath.Join(filepath.Dir(script), "..", "..", "package.json"))
		if err == nil {
			err = json.Unmarshal(data, &pkg)
		}
	}
	if err != nil || pkg.Name != "cdktf-cli" || pkg.Version != cdktfCLIVersion {
		missing(t, "cdktf-cli %s is required, found %q %q at %s (%v)", cdktfCLIVersion, pkg.Name, pkg.Version, cli, err)
	}
	return cli
}

// TestCdktfSynthMatchesGoRun runs the cdktf CLI's synth, which runs the app
// with CDKTF_CONTEXT_JSON and CDKTF_OUTDIR, and compares its output with
// that of the app run alone. The project's cdktf.json runs the app with
// `go run .`; here the CLI runs the binary the tests built from the same
// source (compiling the module again in another directory would cost
// more than the rest of the test).
func TestCdktfSynthMatchesGoRun(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	cli := cdktfCLI(t)
	var project map[string]any
	if err := json.Unmarshal([]byte(repoCdktfJSON(t)), &project); err != nil {
		t.Fatal(err)
	}
	if project["app"] != "go run ." {
		t.Fatalf(`expected cdktf.json to run the app with "go run .", found %q`, project["app"])
	}
	project["app"] = appBinary(t)
	cdktfJSON, err := json.Marshal(project)
	if err != nil {
		t.Fatal(err)
	}
	_, want := sharedDefault(t)

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdktf.json"), cdktfJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cli, "synth", "--output", "cli.out")
	cmd.Dir = dir
	cmd.Env = toolEnv(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cdktf synth: %v\n%s", err, out)
	}
	got := readTree(t, filepath.Join(dir, "cli.out"))
	for file, content := range want {
		if got[file] != content {
			t.Errorf("%s differs between cdktf synth and the app run alone", file)
		}
	}
	for file := range got {
		if _, ok := want[file]; !ok {
			t.Errorf("cdktf synth wrote %s, which the app alone does not", file)
		}
	}
}

package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copySource copies the app's source (what `go run .` builds, with the
// JSON files and the help page it embeds, and cdktf.json) to dir.
func copySource(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch path {
			case ".git", "cdktf.out", "testdata", ".ci":
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, path), 0o755)
		}
		if strings.HasSuffix(path, "_test.go") || !(strings.HasSuffix(path, ".go") || path == "go.mod" || path == "go.sum" || path == "help" || strings.HasSuffix(path, ".json")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copying the source: %v", err)
	}
}

// TestCdktfSynthMatchesGoRun runs the cdktf CLI's synth, which runs the app
// with CDKTF_CONTEXT_JSON and CDKTF_OUTDIR, and compares its output with
// that of the app run alone.
func TestCdktfSynthMatchesGoRun(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	cli, err := exec.LookPath("cdktf")
	if err != nil {
		missing(t, "the cdktf CLI is not on the PATH (npm install -g cdktf-cli@0.20.12)")
	}
	version := exec.Command(cli, "--version")
	version.Env = toolEnv(t)
	v, err := version.Output()
	if first, _, _ := strings.Cut(string(v), "\n"); err != nil || strings.TrimSpace(first) != "0.20.12" {
		missing(t, "cdktf-cli 0.20.12 is required, found %q (%v)", strings.TrimSpace(first), err)
	}
	_, want := synthDefault(t)

	dir := t.TempDir()
	copySource(t, dir)
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

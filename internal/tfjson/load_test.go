package tfjson

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLoadIsBounded: an output directory may come from anyone (review
// -base reads another branch's checkout): its manifest cannot send the
// reader outside it, nor make it wait on a FIFO or read a device.
func TestLoadIsBounded(t *testing.T) {
	golden, err := os.ReadFile("../../testdata/golden/stacks/audit/cdk.tf.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		setup func(t *testing.T, dir string)
		want  string
	}{
		"the golden output": {func(t *testing.T, dir string) {
			write(t, dir, "manifest.json", `{"stacks": {"audit": {"synthesizedStackPath": "stacks/audit/cdk.tf.json"}}}`)
			write(t, dir, "stacks/audit/cdk.tf.json", string(golden))
		}, ""},
		"a stack path outside the output": {func(t *testing.T, dir string) {
			write(t, dir, "manifest.json", `{"stacks": {"audit": {"synthesizedStackPath": "../../../../etc/passwd"}}}`)
		}, `stack "audit" at "../../../../etc/passwd": a synthesis names its stacks`},
		"a stack name with a slash": {func(t *testing.T, dir string) {
			write(t, dir, "manifest.json", `{"stacks": {"a/../b": {"synthesizedStackPath": "stacks/a/../b/cdk.tf.json"}}}`)
		}, `stack "a/../b"`},
		"a manifest that is a FIFO": {func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "manifest.json"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "is a named pipe (FIFO), not a regular file"},
		"a stack that is /dev/zero": {func(t *testing.T, dir string) {
			write(t, dir, "manifest.json", `{"stacks": {"audit": {"synthesizedStackPath": "stacks/audit/cdk.tf.json"}}}`)
			os.MkdirAll(filepath.Join(dir, "stacks", "audit"), 0o755)
			if err := os.Symlink("/dev/zero", filepath.Join(dir, "stacks", "audit", "cdk.tf.json")); err != nil {
				t.Fatal(err)
			}
		}, "is a device, not a regular file"},
		"a stack nested too deeply": {func(t *testing.T, dir string) {
			write(t, dir, "manifest.json", `{"stacks": {"audit": {"synthesizedStackPath": "stacks/audit/cdk.tf.json"}}}`)
			write(t, dir, "stacks/audit/cdk.tf.json", strings.Repeat("[", 500_000))
		}, "nested too deeply"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			c.setup(t, dir)
			_, err := Load(dir)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("expected the output read, found %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("expected an error containing %q, found %v", c.want, err)
			}
		})
	}
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

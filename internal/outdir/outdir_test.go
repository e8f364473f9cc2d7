package outdir

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tree reads every file below dir into a map from relative path to content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReplace(t *testing.T) {
	cases := map[string]struct {
		previous bool
		build    func(staging string) error
		wantErr  string
		want     map[string]string
	}{
		"first output": {
			build: func(s string) error { writeFile(t, filepath.Join(s, "stacks", "a.json"), "new"); return nil },
			want:  map[string]string{"stacks/a.json": "new"},
		},
		"replaces the previous output whole": {
			previous: true,
			build:    func(s string) error { writeFile(t, filepath.Join(s, "stacks", "a.json"), "new"); return nil },
			want:     map[string]string{"stacks/a.json": "new"},
		},
		"failed build keeps the previous output": {
			previous: true,
			build: func(s string) error {
				writeFile(t, filepath.Join(s, "stacks", "a.json"), "half")
				return errors.New("boom")
			},
			wantErr: "boom",
			want:    map[string]string{"stacks/a.json": "old", "stacks/gone.json": "old"},
		},
		"panicking build keeps the previous output": {
			previous: true,
			build:    func(s string) error { panic("jsii exploded") },
			wantErr:  "jsii exploded",
			want:     map[string]string{"stacks/a.json": "old", "stacks/gone.json": "old"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			out := filepath.Join(root, "cdktf.out")
			if c.previous {
				writeFile(t, filepath.Join(out, "stacks", "a.json"), "old")
				writeFile(t, filepath.Join(out, "stacks", "gone.json"), "old")
			}
			err := Replace(out, c.build)
			if c.wantErr == "" && err != nil {
				t.Fatalf("expected success, found %v", err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("expected an error containing %q, found %v", c.wantErr, err)
			}
			if got := tree(t, out); len(got) != len(c.want) || !equal(got, c.want) {
				t.Errorf("expected %s to hold %v, found %v", out, c.want, got)
			}
			entries, _ := os.ReadDir(root)
			if len(entries) != 1 || entries[0].Name() != "cdktf.out" {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("expected only cdktf.out beside the output, found %v", names)
			}
			if info, err := os.Stat(out); err == nil && info.Mode().Perm() != 0o755 {
				t.Errorf("expected the output directory to be mode 0755, found %v", info.Mode().Perm())
			}
		})
	}
}

func TestReplaceKeepsTerraformWorkingFiles(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "cdktf.out")
	writeFile(t, filepath.Join(out, "stacks", "audit", "cdk.tf.json"), "old")
	writeFile(t, filepath.Join(out, "stacks", "audit", ".terraform", "terraform.tfstate"), "backend")
	writeFile(t, filepath.Join(out, "stacks", "audit", ".terraform.lock.hcl"), "locks")
	writeFile(t, filepath.Join(out, "stacks", "audit", "audit.tfplan"), "stale plan")
	writeFile(t, filepath.Join(out, "stacks", "gone", ".terraform", "terraform.tfstate"), "removed stack")

	err := Replace(out, func(s string) error {
		writeFile(t, filepath.Join(s, "stacks", "audit", "cdk.tf.json"), "new")
		return nil
	})
	if err != nil {
		t.Fatalf("expected success, found %v", err)
	}
	want := map[string]string{
		"stacks/audit/cdk.tf.json":                  "new",
		"stacks/audit/.terraform/terraform.tfstate": "backend",
		"stacks/audit/.terraform.lock.hcl":          "locks",
	}
	if got := tree(t, out); len(got) != len(want) || !equal(got, want) {
		t.Errorf("expected %v, found %v", want, got)
	}
}

func TestFailedReplaceLeavesWorkingFilesInPlace(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "cdktf.out")
	writeFile(t, filepath.Join(out, "stacks", "audit", ".terraform", "terraform.tfstate"), "backend")
	err := Replace(out, func(s string) error {
		writeFile(t, filepath.Join(s, "stacks", "audit", "cdk.tf.json"), "new")
		return errors.New("validation failed")
	})
	if err == nil {
		t.Fatal("expected the build error, found none")
	}
	if got := tree(t, out); !equal(got, map[string]string{"stacks/audit/.terraform/terraform.tfstate": "backend"}) || len(got) != 1 {
		t.Errorf("expected the working files where they were, found %v", got)
	}
}

func equal(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestReplaceRemovesWhatEarlierRunsLeft(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "cdktf.out")
	// A process that has ended: its pid names a run that is not going.
	done := exec.Command("true")
	if err := done.Run(); err != nil {
		t.Skipf("cannot start a process: %v", err)
	}
	dead := done.Process.Pid
	leftovers := map[string]bool{ // name: removed
		fmt.Sprintf(".cdktf.out.new-%d-123", dead):         true,
		fmt.Sprintf(".cdktf.out.old-%d-456", dead):         true,
		fmt.Sprintf(".cdktf.out.new-%d-789", os.Getppid()): false, // a run still going
		".cdktf.out.new-123456789":                         false, // no pid, recent
		".cdktf.out.old-987654321":                         true,  // no pid, old
	}
	for name := range leftovers {
		if err := os.MkdirAll(filepath.Join(parent, name, "stacks"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(parent, ".cdktf.out.old-987654321"), old, old)
	if err := Replace(dir, func(staging string) error { return os.WriteFile(filepath.Join(staging, "f"), nil, 0o644) }); err != nil {
		t.Fatal(err)
	}
	for name, removed := range leftovers {
		_, err := os.Stat(filepath.Join(parent, name))
		if gone := errors.Is(err, os.ErrNotExist); gone != removed {
			t.Errorf("%s: expected removed=%v, found removed=%v", name, removed, gone)
		}
	}
}

func TestReplaceFollowsASymbolicLink(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "elsewhere")
	link := filepath.Join(parent, "cdktf.out")
	os.MkdirAll(target, 0o755)
	os.WriteFile(filepath.Join(target, "stale"), nil, 0o644)
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := Replace(link, func(staging string) error { return os.WriteFile(filepath.Join(staging, "fresh"), nil, 0o644) }); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("expected cdktf.out to stay a symbolic link, found %v %v", info, err)
	}
	if _, err := os.Stat(filepath.Join(target, "fresh")); err != nil {
		t.Errorf("expected the new output in the link's target, found %v", err)
	}
	if _, err := os.Stat(filepath.Join(target, "stale")); err == nil {
		t.Errorf("expected the stale output gone from the link's target")
	}

	dangling := filepath.Join(parent, "dangling")
	os.Symlink(filepath.Join(parent, "nothing"), dangling)
	err := Replace(dangling, func(string) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("expected a link to nothing refused, found %v", err)
	}
}

package outdir

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// earlier writes an earlier output into out: files by relative path, the
// Marker listing them, and then the files of others (Terraform's, a
// user's), which the Marker does not list.
func earlier(t *testing.T, out string, files, others map[string]string) {
	t.Helper()
	var listed []string
	for rel, content := range files {
		writeFile(t, filepath.Join(out, rel), content)
		listed = append(listed, rel)
	}
	writeFile(t, filepath.Join(out, Marker), markerHeader+strings.Join(listed, "\n")+"\n")
	for rel, content := range others {
		writeFile(t, filepath.Join(out, rel), content)
	}
}

// withoutMarker is a tree read by tree, without the Marker.
func withoutMarker(files map[string]string) map[string]string {
	delete(files, Marker)
	return files
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
				earlier(t, out, map[string]string{"stacks/a.json": "old", "stacks/gone.json": "old"}, nil)
			}
			err := Replace(out, c.build)
			if c.wantErr == "" && err != nil {
				t.Fatalf("expected success, found %v", err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("expected an error containing %q, found %v", c.wantErr, err)
			}
			if got := withoutMarker(tree(t, out)); len(got) != len(c.want) || !equal(got, c.want) {
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
	earlier(t, out, map[string]string{"stacks/audit/cdk.tf.json": "old", "manifest.json": "old"}, map[string]string{
		"stacks/audit/.terraform/terraform.tfstate": "backend",
		"stacks/audit/.terraform.lock.hcl":          "locks",
		// `cdktf diff` saves its plan here; so may a user.
		"stacks/audit/plan":         "cdktf's plan",
		"stacks/audit/audit.tfplan": "a user's plan",
	})

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
		"stacks/audit/plan":                         "cdktf's plan",
		"stacks/audit/audit.tfplan":                 "a user's plan",
	}
	got := tree(t, out)
	if marker := got[Marker]; marker != markerHeader+"stacks/audit/cdk.tf.json\n" {
		t.Errorf("expected the Marker to list what the synthesis wrote only, found %q", marker)
	}
	if got := withoutMarker(got); len(got) != len(want) || !equal(got, want) {
		t.Errorf("expected %v, found %v", want, got)
	}
}

// TestReplaceRefuses: whatever CDKTF_OUTDIR names, a directory that is not
// an earlier output is refused before anything is built, and nothing in it
// changes.
func TestReplaceRefuses(t *testing.T) {
	cases := map[string]struct {
		setup func(t *testing.T, out string)
		want  string
	}{
		"the project itself": {func(t *testing.T, out string) {
			for _, f := range []string{"main.go", "go.mod", "cdktf.json", "internal/stacks/audit.go"} {
				writeFile(t, filepath.Join(out, f), "source")
			}
		}, "it holds files no synthesis of this app wrote (cdktf.json, go.mod, internal/stacks/audit.go, main.go), so it is not an earlier output"},
		"a folder of source code named like an output": {func(t *testing.T, out string) {
			writeFile(t, filepath.Join(out, "stacks", "audit.go"), "source")
			writeFile(t, filepath.Join(out, "stacks", "audit", "audit_test.go"), "source")
		}, "it holds files no synthesis of this app wrote (stacks/audit.go)"},
		"a folder of documents": {func(t *testing.T, out string) {
			writeFile(t, filepath.Join(out, "stacks", "audit", "notes.md"), "mine")
		}, "it holds no .audit-trail-output and no manifest.json, so it is not an earlier output"},
		"an earlier output with a file of someone else's": {func(t *testing.T, out string) {
			earlier(t, out, map[string]string{"manifest.json": "old"}, map[string]string{"notes.txt": "mine"})
		}, "it holds files its .audit-trail-output does not list: notes.txt; move them out of it"},
		"a file": {func(t *testing.T, out string) {
			writeFile(t, out, "a file")
		}, "it is not a directory"},
		"a Marker that is a FIFO": {func(t *testing.T, out string) {
			os.MkdirAll(out, 0o755)
			if err := syscall.Mkfifo(filepath.Join(out, Marker), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "its .audit-trail-output cannot be read"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "cdktf.out")
			c.setup(t, out)
			before := treeOrFile(t, out)
			built := false
			err := Replace(out, func(s string) error { built = true; return nil })
			var refused *RefusedError
			if !errors.As(err, &refused) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("expected a refusal containing %q, found %v", c.want, err)
			}
			if built {
				t.Error("expected the refusal before anything was built")
			}
			if after := treeOrFile(t, out); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("expected %s unchanged, found %v (was %v)", out, after, before)
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
				t.Errorf("expected nothing created beside %s, found %d entries", out, len(entries))
			}
		})
	}
}

// treeOrFile is tree for a directory, or a file's content.
func treeOrFile(t *testing.T, path string) map[string]string {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !info.IsDir() {
		b, _ := os.ReadFile(path)
		return map[string]string{".": string(b)}
	}
	names := map[string]string{}
	filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(path, p)
		if d != nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			names[rel] = string(b)
		} else {
			names[rel] = "(not a regular file)"
		}
		return nil
	})
	return names
}

// TestReplaceRefusesTheWorkingDirectory: the directory the app runs in,
// and every one above it, is never an output, even when empty or marked.
func TestReplaceRefusesTheWorkingDirectory(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	earlier(t, wd, map[string]string{"manifest.json": "old"}, nil)
	for _, dir := range []string{".", wd, filepath.Dir(wd), "/"} {
		err := Replace(dir, func(string) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "it is the working directory or a directory above it") {
			t.Errorf("Replace(%s): expected a refusal, found %v", dir, err)
		}
	}
	if _, err := os.Stat(filepath.Join(wd, "manifest.json")); err != nil {
		t.Errorf("expected the working directory untouched, found %v", err)
	}
}

// TestReplaceUpgradesAnOutputWithoutMarker: an output of an earlier
// release (a manifest, the report and the stacks' cdk.tf.json, with
// Terraform's files) is replaced, and marked.
func TestReplaceUpgradesAnOutputWithoutMarker(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	for rel, content := range map[string]string{"manifest.json": "old", "REVIEW.md": "old", "stacks/audit/cdk.tf.json": "old", "stacks/audit/.terraform/x": "backend"} {
		writeFile(t, filepath.Join(out, rel), content)
	}
	if err := Replace(out, func(s string) error {
		writeFile(t, filepath.Join(s, "stacks", "audit", "cdk.tf.json"), "new")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"stacks/audit/cdk.tf.json": "new", "stacks/audit/.terraform/x": "backend"}
	if got := withoutMarker(tree(t, out)); !equal(got, want) || len(got) != len(want) {
		t.Errorf("expected %v, found %v", want, got)
	}
}

// TestReplaceKeepsARetiredStacksFiles: a stack the new synthesis no longer
// has cannot keep Terraform's files, and they are not the app's to delete.
func TestReplaceKeepsARetiredStacksFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	earlier(t, out, map[string]string{"stacks/state/cdk.tf.json": "old", "stacks/audit/cdk.tf.json": "old"}, map[string]string{"stacks/state/.terraform/terraform.tfstate": "backend"})
	before := tree(t, out)
	err := Replace(out, func(s string) error {
		writeFile(t, filepath.Join(s, "stacks", "audit", "cdk.tf.json"), "new")
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "the stack state is no longer synthesized, and its directory holds files that are not the synthesis's (.terraform") {
		t.Fatalf("expected a refusal naming the state stack's files, found %v", err)
	}
	if after := tree(t, out); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("expected the output unchanged, found %v", after)
	}
}

func TestFailedReplaceLeavesWorkingFilesInPlace(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "cdktf.out")
	earlier(t, out, nil, map[string]string{"stacks/audit/.terraform/terraform.tfstate": "backend"})
	err := Replace(out, func(s string) error {
		writeFile(t, filepath.Join(s, "stacks", "audit", "cdk.tf.json"), "new")
		return errors.New("validation failed")
	})
	if err == nil {
		t.Fatal("expected the build error, found none")
	}
	if got := withoutMarker(tree(t, out)); !equal(got, map[string]string{"stacks/audit/.terraform/terraform.tfstate": "backend"}) || len(got) != 1 {
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
	earlier(t, target, map[string]string{"stale": ""}, nil)
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

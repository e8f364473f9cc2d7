package outdir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

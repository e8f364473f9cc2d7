package jsiicache

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// original reads the provider's index.js from the pinned provider module's
// embedded package.
func original(t *testing.T) []byte {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/cdktf/cdktf-provider-aws-go/aws/v19").Output()
	if err != nil {
		t.Fatalf("locating the provider module: %v", err)
	}
	f, err := os.Open(filepath.Join(strings.TrimSpace(string(dir)), "jsii", "cdktf-provider-aws-19.54.0.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no package/lib/index.js in the provider package: %v", err)
		}
		if h.Name == "package/lib/index.js" {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
}

func TestRewrite(t *testing.T) {
	src := original(t)
	lazy, err := Rewrite(src)
	if err != nil {
		t.Fatalf("expected the pinned index to be rewritten, found %v", err)
	}
	eager := strings.Count(string(src), `= require("./`)
	getters := strings.Count(string(lazy), "Object.defineProperty(exports, ")
	// One defineProperty is the __esModule marker the original has too.
	if eager < 2000 || getters != eager+1 {
		t.Errorf("expected each of the %d requires to become a getter, found %d getters", eager, getters-1)
	}
	if strings.Contains(string(lazy), `= require("./`) {
		t.Errorf("expected no eager require left")
	}
	if !strings.Contains(string(lazy), `Object.defineProperty(exports, "s3Bucket", { enumerable: true, configurable: true, get: function () { return require("./s3-bucket"); } });`) {
		t.Errorf("expected s3Bucket to be required lazily")
	}
	if _, err := Rewrite(append([]byte("// changed\n"), src...)); err == nil {
		t.Errorf("expected an index that is not the pinned original to be refused")
	}
	if _, err := Rewrite(lazy); err == nil {
		t.Errorf("expected an index already rewritten to be refused")
	}
}

func TestPatchAndRestore(t *testing.T) {
	root := t.TempDir()
	index := filepath.Join(root, filepath.FromSlash(Pinned), "0123abcd", "lib", "index.js")
	if err := os.MkdirAll(filepath.Dir(index), 0o755); err != nil {
		t.Fatal(err)
	}
	src := original(t)
	os.WriteFile(index, src, 0o644)
	other := filepath.Join(root, "@cdktf", "provider-aws", "19.0.0", "ffff", "lib", "index.js")
	os.MkdirAll(filepath.Dir(other), 0o755)
	os.WriteFile(other, src, 0o644)

	if n, err := Patch(root); n != 1 || err != nil {
		t.Fatalf("expected one index rewritten, found %d (%v)", n, err)
	}
	if b, _ := os.ReadFile(index); sum(b) != LazySHA256 {
		t.Errorf("expected the lazy index in place")
	}
	if b, _ := os.ReadFile(index + originalSuffix); sum(b) != OriginalSHA256 {
		t.Errorf("expected the original kept beside it")
	}
	if b, _ := os.ReadFile(other); sum(b) != OriginalSHA256 {
		t.Errorf("expected an index of another provider version left alone")
	}
	if n, _ := Patch(root); n != 0 {
		t.Errorf("expected a second patch to change nothing, found %d", n)
	}
	if !Restore(root) {
		t.Fatalf("expected the original restored")
	}
	if b, _ := os.ReadFile(index); sum(b) != OriginalSHA256 {
		t.Errorf("expected the original index back")
	}
	if Restore(root) {
		t.Errorf("expected nothing left to restore")
	}
	if n, _ := Patch(root); n != 1 {
		t.Errorf("expected a restored index to be rewritten again, found %d", n)
	}
	Restore(root)
	if err := Disable(root, "the lazy index failed"); err != nil {
		t.Fatal(err)
	}
	if n, _ := Patch(root); n != 0 {
		t.Errorf("expected no rewrite in a cache where the lazy index is turned off, found %d", n)
	}
}

func TestOwned(t *testing.T) {
	root := t.TempDir()
	t.Setenv(CacheRootEnv, root)
	if _, ok := owned(); ok {
		t.Errorf("expected a cache without the marker not to be owned")
	}
	os.WriteFile(filepath.Join(root, Marker), nil, 0o644)
	if got, ok := owned(); !ok || got != root {
		t.Errorf("expected %s owned, found %q %v", root, got, ok)
	}
	if execEnv() != nil {
		t.Errorf("expected no second run when the cache is already set")
	}
	t.Setenv(CacheRootEnv, "")
	t.Setenv(OffEnv, "off")
	if execEnv() != nil {
		t.Errorf("expected no second run with the lazy index off")
	}
}

func TestFinishNotesAnIndexItCannotRewrite(t *testing.T) {
	cases := map[string]struct {
		index string
		note  string
	}{
		"a provider upgrade": {"module.exports = {}; // another provider version\n", "is not the pinned " + Pinned},
		"the pinned index":   {"", ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			index := filepath.Join(root, filepath.FromSlash(Pinned), "digest", "lib", "index.js")
			os.MkdirAll(filepath.Dir(index), 0o755)
			content := c.index
			if content == "" {
				content = string(original(t))
			}
			if err := os.WriteFile(index, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			var notes strings.Builder
			s := &Session{root: root, owned: true, lazy: true, notes: &notes}
			s.Finish(false, false)
			switch {
			case c.note == "" && notes.Len() != 0:
				t.Errorf("expected no note, found %q", notes.String())
			case c.note != "" && !strings.Contains(notes.String(), c.note):
				t.Errorf("expected a note saying %q, found %q", c.note, notes.String())
			}
		})
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/jsiicache"
)

// TestLazyProviderIndex runs the app on a new package cache of its own: the
// first synth extracts the provider and rewrites its index, the second
// loads it lazily, and a broken lazy index falls back to the original. The
// output is the golden one every time.
func TestLazyProviderIndex(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, jsiicache.Marker), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := jsiicache.CacheRootEnv + "=" + root
	dir := project(t, repoCdktfJSON(t))
	want := readTree(t, golden)
	synth := func(step string) string {
		t.Helper()
		code, stdout, stderr := runApp(t, dir, cache)
		if code != 0 {
			t.Fatalf("%s: expected exit 0, found %d\n%s%s", step, code, stdout, stderr)
		}
		got := readTree(t, filepath.Join(dir, "cdktf.out"))
		for file, content := range want {
			if got[file] != content {
				t.Errorf("%s: cdktf.out/%s differs from the golden copy at %s", step, file, firstDiff(content, got[file]))
			}
		}
		return stderr
	}
	indexes, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(jsiicache.Pinned), "*", "lib", "index.js"))
	if len(indexes) != 0 {
		t.Fatalf("expected an empty cache, found %v", indexes)
	}

	if stderr := synth("first synth, eager"); !strings.Contains(stderr, "note: first synth with the package cache "+root) {
		t.Errorf("expected the first synth on a new cache to say it unpacks the provider, found %q", stderr)
	}
	indexes, _ = filepath.Glob(filepath.Join(root, filepath.FromSlash(jsiicache.Pinned), "*", "lib", "index.js"))
	if len(indexes) != 1 {
		t.Fatalf("expected the provider extracted once, found %v", indexes)
	}
	lazy, _ := os.ReadFile(indexes[0])
	if !strings.Contains(string(lazy), `get: function () { return require("./s3-bucket"); }`) {
		t.Fatalf("expected the index rewritten after the first synth")
	}

	if stderr := synth("second synth, lazy"); stderr != "" {
		t.Errorf("expected a warm synth to say nothing on stderr, found %q", stderr)
	}

	// Break the lazy index the way a bad rewrite would: a submodule the
	// stacks use cannot be loaded.
	broken := strings.Replace(string(lazy), `return require("./s3-bucket");`, `throw new Error("broken lazy index");`, 1)
	if err := os.WriteFile(indexes[0], []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr := synth("third synth, falling back")
	if !strings.Contains(stderr, "running again without it") {
		t.Errorf("expected a note about the fallback, found %q", stderr)
	}
	if restored, _ := os.ReadFile(indexes[0]); strings.Contains(string(restored), "get: function") {
		t.Errorf("expected the original index restored after the fallback")
	}
	synth("fourth synth, eager for good")
	if again, _ := os.ReadFile(indexes[0]); strings.Contains(string(again), "get: function") {
		t.Errorf("expected no new rewrite in a cache where the lazy index failed")
	}
}

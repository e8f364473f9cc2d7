package jsiicache

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/jsii-runtime-go"
)

// Session is the lazy provider index's state for one run of the app. The
// whole state machine lives here: the environment variables that carry it
// across a re-run, the marker and disabled files in the cache, and the
// re-run itself.
type Session struct {
	root  string
	owned bool
	lazy  bool
	notes io.Writer
}

// Start is the one call the app makes before it loads jsii: it runs the
// app again with this project's package cache when the environment does
// not name one yet (the jsii kernel's environment is fixed when the Go
// packages initialize, so only a new process can change it), and then
// never returns. Otherwise it returns the session. Notes (never errors:
// the lazy index only costs or saves time) go to notes.
func Start(notes io.Writer) *Session {
	if env := execEnv(); env != nil {
		rerun(env, notes)
	}
	root, owned := owned()
	return &Session{root: root, owned: owned, lazy: owned && os.Getenv(OffEnv) != "off", notes: notes}
}

// Finish records how the synth of this run ended. After a success it
// rewrites the provider index for the next synth (or, after a fallback,
// keeps to the usual index for good) and notes any problem doing so.
// After a failure inside the jsii kernel (kernel true) with the lazy index
// in use, it restores the original index and runs the app again without
// it, and then never returns; any other failure is left to the caller.
func (s *Session) Finish(failed, kernel bool) {
	if s == nil || !s.owned {
		return
	}
	switch {
	case failed && kernel && s.lazy && Restore(s.root):
		fmt.Fprintf(s.notes, "note: the synth failed with the lazy provider index; running again without it\n")
		rerun(append(os.Environ(), OffEnv+"=off", FallbackEnv+"=1"), s.notes)
	case failed:
	case s.lazy:
		if _, err := Patch(s.root); err != nil {
			fmt.Fprintf(s.notes, "note: the provider index in %s was not rewritten, so synths stay slow: %v\n", s.root, err)
		} else if st := state(s.root); st.unknown > 0 && st.lazy == 0 {
			fmt.Fprintf(s.notes, "note: the provider index in %s is not the pinned %s that this app knows how to load lazily, so synths stay slow; update jsiicache.Pinned and its checksums after a provider upgrade\n", s.root, Pinned)
		}
	case os.Getenv(FallbackEnv) == "1":
		if err := Disable(s.root, "a synth failed with the lazy provider index and succeeded without it"); err != nil {
			fmt.Fprintf(s.notes, "note: could not turn the lazy provider index off in %s: %v\n", s.root, err)
		}
	}
}

// rerun runs the same program again in env and never returns: it
// replaces the process where the system can (see exec_*.go).
func rerun(env []string, notes io.Writer) {
	exe, err := os.Executable()
	if err == nil {
		jsii.Close()
		err = execSelf(exe, os.Args, env)
	}
	fmt.Fprintf(notes, "error: running the app again with its package cache: %v (set %s=off to skip that step)\n", err, OffEnv)
	os.Exit(1)
}

// indexState counts the provider indexes of a cache by what they are.
type indexState struct{ lazy, original, unknown int }

func state(root string) indexState {
	var st indexState
	for _, index := range indexes(root) {
		current, err := os.ReadFile(index)
		switch {
		case err != nil:
			st.unknown++
		case sum(current) == LazySHA256:
			st.lazy++
		case sum(current) == OriginalSHA256:
			st.original++
		default:
			st.unknown++
		}
	}
	return st
}

// Cold reports whether the package cache of this run holds no AWS
// provider yet: the synth will first unpack it, which takes a while.
func (s *Session) Cold() bool {
	if s == nil || !s.owned {
		return false
	}
	found, _ := filepath.Glob(filepath.Join(s.root, "@cdktf", "provider-aws", "*"))
	return len(found) == 0
}

// Root is the package cache of this run.
func (s *Session) Root() string { return s.root }

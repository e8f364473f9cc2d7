package input

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFile(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "cdktf.json")
	if err := os.WriteFile(regular, []byte(`{"context": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, 101), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		path string
		want string
	}{
		"a regular file":               {regular, ""},
		"a link to a regular file":     {link, ""},
		"a FIFO nobody writes to":      {fifo, "is a named pipe (FIFO), not a regular file"},
		"a device that never ends":     {"/dev/zero", "is a device, not a regular file"},
		"a directory":                  {dir, "is a directory, not a regular file"},
		"a file larger than the bound": {big, "is 101 bytes, more than the 100 this input may have"},
		"a missing file":               {filepath.Join(dir, "none"), "no such file"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			done := make(chan struct{})
			var err error
			go func() {
				_, err = File(c.path, 100)
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("expected File(%s) to return without waiting, it was still reading after 10 s", c.path)
			}
			switch {
			case c.want == "" && err != nil:
				t.Errorf("expected %s to be read, found %v", c.path, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("expected an error containing %q, found %v", c.want, err)
			}
		})
	}
}

func TestDepth(t *testing.T) {
	cases := map[string]struct {
		json string
		ok   bool
	}{
		"flat":                          {`{"a": [1, 2, {"b": 3}]}`, true},
		"exactly the limit":             {strings.Repeat("[", 4) + strings.Repeat("]", 4), true},
		"one level more":                {strings.Repeat("[", 5) + strings.Repeat("]", 5), false},
		"brackets inside strings":       {`{"a": "[[[[[[[[[[[[[[[[[["}`, true},
		"an escaped quote in a string":  {`{"a": "\"[[[[[[[[[[[[[[[[[["}`, true},
		"an escaped backslash, then [s": {`["\\", [[[[[]]]]]`, false},
		"hundreds of KB of [":           {strings.Repeat("[", 300_000), false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := Depth([]byte(c.json), 4)
			if c.ok != (err == nil) {
				t.Errorf("expected ok=%v, found %v", c.ok, err)
			}
			if err != nil && !errors.Is(err, ErrTooDeep) {
				t.Errorf("expected ErrTooDeep, found %v", err)
			}
		})
	}
}

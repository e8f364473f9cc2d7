package integrity

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// TestInflateIsBounded: a gzip bomb planted in the bucket is refused once
// it inflates past the bound, instead of exhausting memory.
func TestInflateIsBounded(t *testing.T) {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write(make([]byte, 1<<20))
	z.Close()
	inflate := func(limit int64) error {
		m, err := gunzip(bytes.NewReader(b.Bytes()), limit)
		if err == nil {
			_, err = io.Copy(io.Discard, m)
		}
		return err
	}
	if err := inflate(1 << 20); err != nil {
		t.Errorf("expected 1 MiB to inflate within a 1 MiB bound, found %v", err)
	}
	if err := inflate(1<<20 - 1); err == nil || !strings.Contains(err.Error(), "inflates past 1048575 bytes") {
		t.Errorf("expected 1 MiB refused under a smaller bound, found %v", err)
	}
}

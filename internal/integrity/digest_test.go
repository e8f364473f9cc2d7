package integrity

import (
	"bytes"
	"compress/gzip"
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
	if _, err := inflate(bytes.NewReader(b.Bytes()), 1<<20); err != nil {
		t.Errorf("expected 1 MiB to inflate within a 1 MiB bound, found %v", err)
	}
	if _, err := inflate(bytes.NewReader(b.Bytes()), 1<<20-1); err == nil || !strings.Contains(err.Error(), "inflates to more than 1048575 bytes") {
		t.Errorf("expected 1 MiB refused under a smaller bound, found %v", err)
	}
}

//go:build unix

package outdir

import (
	"errors"
	"syscall"
)

// running reports whether a process with this ID exists (signal 0 tests
// for it without sending anything; EPERM means it exists but is another
// user's).
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

//go:build unix

package kernelenv

import "syscall"

// execSelf replaces the process with exe, keeping its process ID. It
// returns only on failure.
func execSelf(exe string, args, env []string) error {
	return syscall.Exec(exe, args, env)
}

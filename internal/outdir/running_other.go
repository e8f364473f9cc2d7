//go:build !unix

package outdir

// running reports whether a process with this ID may exist: where the
// system cannot tell, every run counts as going, and only leftovers
// without a process ID are removed, by age.
func running(pid int) bool { return true }

//go:build !unix

package kernelenv

import (
	"errors"
	"os"
	"os/exec"
)

// execSelf runs exe as a child with the same standard streams and exits
// with its status, where the system cannot replace a process. It returns
// only if the child cannot start.
func execSelf(exe string, args, env []string) error {
	cmd := exec.Command(exe, args[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		return err
	}
	os.Exit(0)
	return nil
}

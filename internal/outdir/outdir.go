// Package outdir replaces a synthesis output directory only when a new
// synthesis has succeeded, so that a failed run never deletes or changes
// the previous good output.
//
// Terraform's working files in each stack directory (.terraform/ with its
// providers and backend settings, and .terraform.lock.hcl) are carried
// over into the new output, as the cdktf CLI does: a new synth neither
// forces a new `terraform init` nor forgets which backend a stack used,
// which `terraform init -migrate-state` needs.
package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WorkingFiles are the entries of a stack directory that belong to
// Terraform, not to the synthesis, and are kept from one synth to the next.
var WorkingFiles = []string{".terraform", ".terraform.lock.hcl"}

// Replace runs build on a new, empty staging directory beside dir and,
// only if build succeeds, puts the staging directory in place of dir. If
// build fails or panics, dir is left exactly as it was and the staging
// directory is removed.
func Replace(dir string, build func(staging string) error) (err error) {
	dir = filepath.Clean(dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	staging, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return fmt.Errorf("creating a staging directory beside %s: %w", dir, err)
	}
	defer os.RemoveAll(staging)
	// MkdirTemp makes the directory private; the output is not.
	if err := os.Chmod(staging, 0o755); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r}
		}
	}()

	if err := build(staging); err != nil {
		return err
	}
	return swap(staging, dir)
}

// PanicError is a panic of build, such as a jsii kernel error.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return fmt.Sprint(e.Value) }

// move is one rename done to carry a working file over, so it can be undone.
type move struct{ from, to string }

// swap moves staging to dir, carrying Terraform's working files over and
// moving the old dir aside first, and removing it afterwards. The renames
// stay within one file system, so each is atomic.
func swap(staging, dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		return os.Rename(staging, dir)
	}
	moved, err := carry(dir, staging)
	if err != nil {
		undo(moved)
		return fmt.Errorf("keeping Terraform's working files: %w", err)
	}
	aside, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-")
	if err != nil {
		undo(moved)
		return err
	}
	keepAside := false
	defer func() {
		if !keepAside {
			os.RemoveAll(aside)
		}
	}()
	old := filepath.Join(aside, "previous")
	if err := os.Rename(dir, old); err != nil {
		undo(moved)
		return fmt.Errorf("moving the previous %s aside: %w", dir, err)
	}
	if err := os.Rename(staging, dir); err != nil {
		// Put the previous output back, with its working files.
		if restore := os.Rename(old, dir); restore != nil {
			keepAside = true
			return fmt.Errorf("replacing %s: %w; the previous output could not be put back and is kept in %s: %v", dir, err, old, restore)
		}
		undo(moved)
		return fmt.Errorf("replacing %s: %w", dir, err)
	}
	return nil
}

// carry moves the working files of every stack directory of old that also
// exists in new into new, and returns what it moved.
func carry(old, new string) ([]move, error) {
	stacks, err := os.ReadDir(filepath.Join(old, "stacks"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var moved []move
	for _, s := range stacks {
		target := filepath.Join(new, "stacks", s.Name())
		if info, err := os.Stat(target); err != nil || !info.IsDir() || !s.IsDir() {
			continue
		}
		for _, name := range WorkingFiles {
			m := move{filepath.Join(old, "stacks", s.Name(), name), filepath.Join(target, name)}
			if _, err := os.Lstat(m.from); err != nil {
				continue
			}
			if err := os.Rename(m.from, m.to); err != nil {
				return moved, err
			}
			moved = append(moved, m)
		}
	}
	return moved, nil
}

// undo puts carried files back where they were.
func undo(moved []move) {
	for _, m := range moved {
		os.Rename(m.to, m.from)
	}
}

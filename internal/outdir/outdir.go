// Package outdir replaces a synthesis output directory only when a new
// synthesis has succeeded, so that a failed run never deletes or changes
// the previous good output.
//
// It never deletes what a synthesis did not write. Every output holds a
// Marker listing the files its synthesis wrote; a directory that holds
// anything else outside its stack directories is refused. Terraform's
// files in each stack directory (.terraform/ with its providers and
// backend settings, .terraform.lock.hcl, the plan `cdktf diff` saves, any
// file the synthesis did not write) are carried over into the new
// output: a new synth neither forces a new `terraform init` nor forgets
// which backend a stack used, which `terraform init -migrate-state`
// needs.
package outdir

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Replace runs build on a new, empty staging directory beside dir and,
// only if build succeeds, puts the staging directory in place of dir,
// with a Marker that lists what it wrote. If build fails or panics, dir
// is left exactly as it was and the staging directory is removed.
//
// dir is replaced only if it is absent, empty or an earlier output (see
// survey): anything else, and the working directory or one above it, is
// refused with a *RefusedError before anything is touched.
//
// When dir is a symbolic link, the directory it points to is replaced and
// the link kept. Staging and set-aside directories that earlier runs left
// behind (killed, or failed in a way that could not clean up) are removed
// first, but never one whose run is still going.
func Replace(dir string, build func(staging string) error) (err error) {
	dir, err = resolve(filepath.Clean(dir))
	if err != nil {
		return err
	}
	if _, err := survey(dir); err != nil {
		return err
	}
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	removeLeftovers(parent, base)
	staging, err := os.MkdirTemp(parent, leftoverPrefix(base, "new"))
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
	if err := writeMarker(staging); err != nil {
		return err
	}
	// Surveyed again, now: the directory may have changed while build ran.
	inv, err := survey(dir)
	if err != nil {
		return err
	}
	if err := inv.carriable(dir, staging); err != nil {
		return err
	}
	return swap(staging, dir, inv)
}

// PanicError is a panic of build, such as a jsii kernel error.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return fmt.Sprint(e.Value) }

// move is one rename done to carry a working file over, so it can be undone.
type move struct{ from, to string }

// swap moves staging to dir, carrying over the files of dir's stack
// directories that inv keeps and moving the old dir aside first, and
// removing it afterwards. The renames stay within one file system, so each
// is atomic.
func swap(staging, dir string, inv inventory) error {
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		return os.Rename(staging, dir)
	}
	moved, err := carry(dir, staging, inv)
	if err != nil {
		undo(moved)
		return fmt.Errorf("keeping Terraform's files: %w", err)
	}
	aside, err := os.MkdirTemp(filepath.Dir(dir), leftoverPrefix(filepath.Base(dir), "old"))
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

// carry moves the entries of old's stack directories that inv keeps into
// the same stack directories of new, and returns what it moved. An entry
// the new synthesis wrote too is not overwritten: that is an error.
func carry(old, new string, inv inventory) ([]move, error) {
	var moved []move
	for _, stack := range slices.Sorted(maps.Keys(inv.kept)) {
		for _, name := range inv.kept[stack] {
			m := move{filepath.Join(old, "stacks", stack, name), filepath.Join(new, "stacks", stack, name)}
			if _, err := os.Lstat(m.to); err == nil {
				return moved, fmt.Errorf("%s is in both the previous output and the new one", filepath.Join("stacks", stack, name))
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

// resolve follows dir if it is a symbolic link, so that the directory it
// points to is replaced and the link stays; a link to nothing is an error.
func resolve(dir string) (string, error) {
	info, err := os.Lstat(dir)
	if err != nil || info.Mode()&os.ModeSymlink == 0 {
		return dir, nil
	}
	target, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("%s is a symbolic link whose target cannot be used: %w", dir, err)
	}
	if info, err := os.Stat(target); err != nil || !info.IsDir() {
		return "", fmt.Errorf("%s is a symbolic link to %s, which is not a directory", dir, target)
	}
	return target, nil
}

// leftoverPrefix is the name prefix of this run's staging ("new") or
// set-aside ("old") directory beside base: it carries the process ID, so
// that a later run can tell whether its run is still going.
func leftoverPrefix(base, kind string) string {
	return fmt.Sprintf(".%s.%s-%d-", base, kind, os.Getpid())
}

// abandonedAfter is how old a leftover without a process ID (from earlier
// releases) must be before it is removed.
const abandonedAfter = time.Hour

// removeLeftovers removes the staging and set-aside directories beside
// base that runs no longer going left behind.
func removeLeftovers(parent, base string) {
	for _, kind := range []string{"new", "old"} {
		matches, _ := filepath.Glob(filepath.Join(parent, "."+base+"."+kind+"-*"))
		for _, m := range matches {
			rest := strings.TrimPrefix(filepath.Base(m), "."+base+"."+kind+"-")
			pidText, _, withPID := strings.Cut(rest, "-")
			pid, err := strconv.Atoi(pidText)
			switch {
			case withPID && err == nil:
				if pid == os.Getpid() || running(pid) {
					continue
				}
			default:
				info, err := os.Stat(m)
				if err != nil || time.Since(info.ModTime()) < abandonedAfter {
					continue
				}
			}
			os.RemoveAll(m)
		}
	}
}

// Package outdir replaces a synthesis output directory only when a new
// synthesis has succeeded, so that a failed run never deletes or changes
// the previous good output.
package outdir

import (
	"fmt"
	"os"
	"path/filepath"
)

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
			err = fmt.Errorf("%v", r)
		}
	}()

	if err := build(staging); err != nil {
		return err
	}
	return swap(staging, dir)
}

// swap moves staging to dir, moving any old dir aside first and removing
// it afterwards. The renames stay within one file system, so each is
// atomic.
func swap(staging, dir string) error {
	if _, err := os.Lstat(dir); os.IsNotExist(err) {
		return os.Rename(staging, dir)
	}
	aside, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-")
	if err != nil {
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
		return fmt.Errorf("moving the previous %s aside: %w", dir, err)
	}
	if err := os.Rename(staging, dir); err != nil {
		// Put the previous output back.
		if restore := os.Rename(old, dir); restore != nil {
			keepAside = true
			return fmt.Errorf("replacing %s: %w; the previous output could not be put back and is kept in %s: %v", dir, err, old, restore)
		}
		return fmt.Errorf("replacing %s: %w", dir, err)
	}
	return nil
}

package outdir

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/internal/input"
)

// Marker is the file at the root of every output: it says the directory
// is a synthesis output and lists the files the synthesis wrote. An
// output directory pointed at the wrong place (CDKTF_OUTDIR at the
// project or a source folder, a typo in a CI job) holds files no Marker
// lists, and is refused, never emptied.
const Marker = ".audit-trail-output"

// markerHeader is the Marker's first lines.
const markerHeader = "# The output of an audit-trail synthesis: the next synthesis replaces the files listed here\n# and keeps every other file of a stack directory (Terraform's). The files written:\n"

// maxEntries bounds how much of a directory the guard walks: an output
// has a handful of files, Terraform's working files some thousands.
const maxEntries = 100_000

// maxShown is how many foreign files a refusal names.
const maxShown = 5

// legacyFile is a file a synthesis of an earlier release wrote, before
// outputs had a Marker.
var legacyFile = regexp.MustCompile(`^(manifest\.json|REVIEW\.md|stacks/[A-Za-z0-9_-]+/cdk\.tf\.json)$`)

// RefusedError is an output directory Replace will not replace.
type RefusedError struct {
	Dir    string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to replace %s: %s; nothing was changed", e.Dir, e.Reason)
}

// inventory is what an existing output directory holds.
type inventory struct {
	// kept are, by stack, the entries of the stack directory
	// stacks/<stack>/ that no synthesis wrote (Terraform's working
	// directory, lock file, saved plans, cdktf's plan): they are carried
	// into the new output.
	kept map[string][]string
}

// writeMarker lists every file below staging in its Marker.
func writeMarker(staging string) error {
	var files []string
	err := filepath.WalkDir(staging, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(staging, p)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(files)
	return os.WriteFile(filepath.Join(staging, Marker), []byte(markerHeader+strings.Join(files, "\n")+"\n"), 0o644)
}

// readMarker returns the files the Marker of dir lists, and whether dir
// has a Marker at all.
func readMarker(dir string) (map[string]bool, bool, error) {
	data, err := input.File(filepath.Join(dir, Marker), input.SettingsBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, fmt.Errorf("its %s cannot be read: %w", Marker, err)
	}
	listed := map[string]bool{}
	s := bufio.NewScanner(bytes.NewReader(data))
	for s.Scan() {
		if line := s.Text(); line != "" && !strings.HasPrefix(line, "#") {
			listed[line] = true
		}
	}
	return listed, true, s.Err()
}

// survey returns what dir holds, or refuses it. dir may be absent or
// empty; otherwise it must be an earlier output: every file outside the
// stack directories must be listed in its Marker (or, without one, be a
// file an earlier release wrote, beside a manifest.json). Files of a
// stack directory that no Marker lists are Terraform's and are kept. The
// working directory, and every directory above it, is refused whatever
// it holds.
func survey(dir string) (inventory, error) {
	inv := inventory{kept: map[string][]string{}}
	if holdsWorkingDirectory(dir) {
		return inv, &RefusedError{dir, "it is the working directory or a directory above it, not an output directory"}
	}
	info, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return inv, nil
	}
	if err != nil {
		return inv, err
	}
	if !info.IsDir() {
		return inv, &RefusedError{dir, "it is not a directory"}
	}
	listed, marked, err := readMarker(dir)
	if err != nil {
		return inv, &RefusedError{dir, err.Error()}
	}
	ours := func(rel string, d fs.DirEntry) bool {
		if !d.Type().IsRegular() {
			return false
		}
		if marked {
			return rel == Marker || listed[rel]
		}
		return legacyFile.MatchString(rel)
	}
	var foreign []string
	entries, files, manifest := 0, 0, false
	keep := map[string]bool{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if entries++; entries > maxEntries {
			return fmt.Errorf("more than %d entries", maxEntries)
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		parts := strings.Split(rel, "/")
		if d.IsDir() {
			return nil
		}
		files++
		switch {
		case ours(rel, d):
			manifest = manifest || rel == "manifest.json"
		case len(parts) >= 3 && parts[0] == "stacks":
			// A file of stack directory parts[1] that no synthesis
			// wrote: its entry in the stack directory is kept.
			keep[parts[1]+"/"+parts[2]] = true
		default:
			if foreign = append(foreign, rel); len(foreign) == maxShown {
				return fs.SkipAll
			}
		}
		return nil
	})
	switch {
	case err != nil:
		return inv, &RefusedError{dir, "it could not be read whole (" + err.Error() + ")"}
	case len(foreign) > 0 && marked:
		return inv, &RefusedError{dir, "it holds files its " + Marker + " does not list: " + strings.Join(foreign, ", ") + "; move them out of it"}
	case len(foreign) > 0:
		return inv, &RefusedError{dir, "it holds files no synthesis of this app wrote (" + strings.Join(foreign, ", ") + "), so it is not an earlier output; point the output at a new or empty directory"}
	case !marked && files > 0 && !manifest:
		return inv, &RefusedError{dir, "it holds no " + Marker + " and no manifest.json, so it is not an earlier output; point the output at a new or empty directory"}
	}
	for _, k := range slices.Sorted(maps.Keys(keep)) {
		stack, entry, _ := strings.Cut(k, "/")
		if marked && listed["stacks/"+stack+"/"+entry] {
			// A directory the synthesis wrote into, with other files:
			// kept whole would keep stale output; refused.
			return inv, &RefusedError{dir, "stacks/" + stack + "/" + entry + " holds files of a synthesis and others"}
		}
		inv.kept[stack] = append(inv.kept[stack], entry)
	}
	return inv, nil
}

// carriable checks that every stack whose kept files survey found is a
// stack of the new output in staging: a stack the new synthesis no longer
// has cannot keep its files, and deleting them is not the app's to do.
func (inv inventory) carriable(dir, staging string) error {
	for _, stack := range slices.Sorted(maps.Keys(inv.kept)) {
		if info, err := os.Stat(filepath.Join(staging, "stacks", stack)); err != nil || !info.IsDir() {
			return &RefusedError{dir, fmt.Sprintf("the stack %s is no longer synthesized, and its directory holds files that are not the synthesis's (%s: Terraform's, with the stack's backend settings or a saved plan); when the stack is retired, delete %s yourself", stack, strings.Join(inv.kept[stack], ", "), filepath.Join(dir, "stacks", stack))}
		}
	}
	return nil
}

// holdsWorkingDirectory reports whether dir is the working directory or
// one above it, symbolic links resolved.
func holdsWorkingDirectory(dir string) bool {
	wd, err := os.Getwd()
	if err != nil {
		return false
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if real, err := filepath.EvalSymlinks(wd); err == nil {
		wd = real
	}
	rel, err := filepath.Rel(abs, wd)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// Package jsiicache makes a synth fast by loading only the parts of the
// AWS provider that the stacks use.
//
// The jsii kernel behind cdktf loads @cdktf/provider-aws by requiring its
// package index, which requires all of its ~2,000 submodules up front:
// about two thirds of a synth's time and memory. This package rewrites that
// index, in a package cache of this project's own, so that each submodule
// is required when first used. It only rewrites the one index file whose
// SHA-256 it knows (the pinned provider version), checks the result against
// a second known SHA-256, keeps the original beside it, and never touches
// a cache it did not create. A synth that fails inside the jsii kernel
// with the rewritten index restores the original and runs again the usual
// way. The app makes two calls: Start before it loads jsii, and
// Session.Finish after its synth.
package jsiicache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The variables that configure the jsii runtime and this package.
const (
	// CacheRootEnv is the jsii kernel's package cache location.
	CacheRootEnv = "JSII_RUNTIME_PACKAGE_CACHE_ROOT"
	// OffEnv set to "off" disables the lazy index (the fallback sets it).
	OffEnv = "AUDIT_TRAIL_LAZY_PROVIDER"
	// FallbackEnv marks the run that retries without the lazy index.
	FallbackEnv = "AUDIT_TRAIL_LAZY_FALLBACK"
	// silenceEnv hides the jsii runtime's Node.js 20 end-of-life banner.
	silenceEnv = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
)

// Marker is the file that marks a package cache as this project's own.
const Marker = ".audit-trail-cache"

// Pinned is the provider package whose index this package rewrites.
const Pinned = "@cdktf/provider-aws/19.54.0"

// The SHA-256 of the provider's original index and of its rewrite.
const (
	OriginalSHA256 = "93198296b8f88f2515a6bc317c7dfae9d87e392d6507b6b81dc0919a9bd453c0"
	LazySHA256     = "1b52125690b262a98e4334b6883d9ca8b1625f784742bce2a73ad4506518c2f4"
)

// originalSuffix names the copy of the original index.
const originalSuffix = ".orig"

// disabled is the file that turns the lazy index off in a cache after a
// failure; deleting it (or the cache) tries again.
const disabled = ".audit-trail-lazy-disabled"

// Root is this project's own package cache, created with its marker.
func Root() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	root := filepath.Join(base, "audit-trail", "jsii-package-cache")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(root, Marker), []byte("package cache of the audit-trail app; safe to delete\n"), 0o644); err != nil {
		return "", err
	}
	return root, nil
}

// execEnv returns the environment to run the app again with, so that the
// jsii kernel (whose environment is fixed when the Go packages initialize,
// before main) uses this project's cache; nil when the environment is
// already right or the lazy index is off.
func execEnv() []string {
	if os.Getenv(CacheRootEnv) != "" || os.Getenv(OffEnv) == "off" {
		return nil
	}
	root, err := Root()
	if err != nil {
		return nil
	}
	env := append(os.Environ(), CacheRootEnv+"="+root)
	if _, set := os.LookupEnv(silenceEnv); !set {
		env = append(env, silenceEnv+"=20")
	}
	return env
}

// owned returns the package cache in use if it is this project's own.
func owned() (string, bool) {
	root := os.Getenv(CacheRootEnv)
	if root == "" {
		return "", false
	}
	if _, err := os.Stat(filepath.Join(root, Marker)); err != nil {
		return "", false
	}
	return root, true
}

// indexes returns the provider index files under root (one per tarball
// digest the kernel extracted).
func indexes(root string) []string {
	found, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(Pinned), "*", "lib", "index.js"))
	return found
}

var requireLine = regexp.MustCompile(`(?m)^exports\.([A-Za-z_$][A-Za-z0-9_$]*) = require\("(\./[A-Za-z0-9_./-]+)"\);$`)

// Rewrite turns the provider index into one that requires each submodule
// when it is first used. It refuses anything but the pinned original and
// checks its result.
func Rewrite(original []byte) ([]byte, error) {
	if sum(original) != OriginalSHA256 {
		return nil, errors.New("the provider index is not the pinned original")
	}
	n := 0
	lazy := requireLine.ReplaceAllStringFunc(string(original), func(line string) string {
		m := requireLine.FindStringSubmatch(line)
		n++
		return fmt.Sprintf(`Object.defineProperty(exports, %q, { enumerable: true, configurable: true, get: function () { return require(%q); } });`, m[1], m[2])
	})
	if n == 0 || strings.Count(lazy, "require(") != n {
		return nil, fmt.Errorf("rewrote %d of the index's requires: not all of them", n)
	}
	if sum([]byte(lazy)) != LazySHA256 {
		return nil, errors.New("the rewritten index is not the expected one")
	}
	return []byte(lazy), nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Patch rewrites every pinned provider index under root, keeping the
// original beside it; an index already rewritten, or unknown, is left as
// it is, and nothing is rewritten in a cache where the lazy index failed.
// It reports how many it rewrote.
func Patch(root string) (int, error) {
	if _, err := os.Stat(filepath.Join(root, disabled)); err == nil {
		return 0, nil
	}
	n := 0
	var errs []error
	for _, index := range indexes(root) {
		current, err := os.ReadFile(index)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if sum(current) != OriginalSHA256 {
			continue
		}
		lazy, err := Rewrite(current)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.WriteFile(index+originalSuffix, current, 0o644); err != nil {
			errs = append(errs, err)
			continue
		}
		tmp := index + ".lazy"
		if err := os.WriteFile(tmp, lazy, 0o644); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.Rename(tmp, index); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// Disable turns the lazy index off in root for good, saying why; deleting
// the file (or the cache) tries again.
func Disable(root, reason string) error {
	return os.WriteFile(filepath.Join(root, disabled), []byte(reason+"\n"), 0o644)
}

// Restore puts the original index back wherever it was rewritten, and
// reports whether it restored any. A successful synth with the lazy index
// on rewrites it again, so a failure that was not the rewrite's fault costs
// one slow synth, not more.
func Restore(root string) bool {
	restored := false
	for _, index := range indexes(root) {
		if _, err := os.Stat(index + originalSuffix); err != nil {
			continue
		}
		if os.Rename(index+originalSuffix, index) == nil {
			restored = true
		}
	}
	return restored
}

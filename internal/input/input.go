// Package input reads what the app takes from outside its own code (the
// settings file and variable, a synthesis output, plans, scanner reports,
// the overrides file) within bounds: regular files only, a size cap and a
// cap on JSON nesting, so that no input, whatever its size, depth or kind,
// can hang the app or exhaust its memory. Each refusal names the input and
// the bound.
package input

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Size caps of the inputs, in bytes.
const (
	// SettingsBytes caps cdktf.json and CDKTF_CONTEXT_JSON: a settings
	// file is a few kilobytes even with hundreds of auditors.
	SettingsBytes = 1 << 20
	// SynthesisBytes caps one file of a synthesis output (a stack's
	// cdk.tf.json, the manifest): the audit stack is a few hundred
	// kilobytes.
	SynthesisBytes = 64 << 20
	// ReportBytes caps a plan in JSON or a scanner's report.
	ReportBytes = 256 << 20
)

// MaxDepth is the deepest JSON nesting any input may have: the deepest
// synthesized policy is about ten levels down.
const MaxDepth = 64

// File reads the file at path: a regular file (a symbolic link is
// followed) of at most limit bytes. A FIFO, device, socket or directory is
// refused without reading from it or waiting for a writer.
func File(path string, limit int64) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	// writer; it does not change reads of a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file", path, kind(info.Mode()))
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d this input may have", path, info.Size(), limit)
	}
	// The size can change while reading: read one byte more than the cap
	// to tell.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s grew past the %d bytes this input may have while it was read", path, limit)
	}
	return data, nil
}

// Open opens the regular file at path (a symbolic link is followed) to
// be read as a stream; the caller bounds what it reads. A FIFO, device,
// socket or directory is refused without waiting for a writer.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is %s, not a regular file", path, kind(info.Mode()))
	}
	return f, nil
}

// kind names a file mode that is not a regular file.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file (" + m.Type().String() + ")"
}

// ErrTooDeep is returned by Depth for JSON nested deeper than allowed.
var ErrTooDeep = errors.New("nested too deeply")

// Depth checks that the JSON text data nests arrays and objects at most
// max levels deep, in one pass over its bytes and without decoding it;
// data that is not valid JSON is left to the decoder to describe. The
// error says where the limit was passed.
func Depth(data []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > max {
				return fmt.Errorf("%w: more than %d levels of arrays and objects at byte %d", ErrTooDeep, max, i+1)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// JSONFile reads the JSON file at path within limit bytes and MaxDepth
// levels.
func JSONFile(path string, limit int64) ([]byte, error) {
	data, err := File(path, limit)
	if err != nil {
		return nil, err
	}
	if err := Depth(data, MaxDepth); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

package check

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Output is one synthesis output directory: its stacks and the
// annotations cdktf recorded for their constructs.
type Output struct {
	// Stacks are the stacks, in name order.
	Stacks []*tfjson.Doc
	// Annotations are every stack's annotations, in stack order.
	Annotations []Annotation
}

// Annotation is a message cdktf recorded for a construct.
type Annotation struct {
	Stack, Path, Level, Message string
}

func (a Annotation) String() string { return fmt.Sprintf("[%s] %s", a.Path, a.Message) }

// manifest is the part of cdktf.out/manifest.json this package reads.
type manifest struct {
	Stacks map[string]struct {
		SynthesizedStackPath string `json:"synthesizedStackPath"`
		Annotations          []struct {
			ConstructPath string `json:"constructPath"`
			Level         string `json:"level"`
			Message       string `json:"message"`
		} `json:"annotations"`
	} `json:"stacks"`
}

// Load reads the synthesis output directory dir.
func Load(dir string) (*Output, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the synthesis output (run `go run .` first): %w", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	names := make([]string, 0, len(m.Stacks))
	for n := range m.Stacks {
		names = append(names, n)
	}
	sort.Strings(names)
	out := &Output{}
	for _, n := range names {
		entry := m.Stacks[n]
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(entry.SynthesizedStackPath)))
		if err != nil {
			return nil, err
		}
		doc, err := tfjson.Parse(n, b)
		if err != nil {
			return nil, err
		}
		out.Stacks = append(out.Stacks, doc)
		for _, a := range entry.Annotations {
			out.Annotations = append(out.Annotations, Annotation{Stack: n, Path: a.ConstructPath, Level: strings.ToUpper(a.Level), Message: a.Message})
		}
	}
	return out, nil
}

// Stack returns the stack named name, or nil.
func (o *Output) Stack(name string) *tfjson.Doc {
	for _, d := range o.Stacks {
		if d.Stack == name {
			return d
		}
	}
	return nil
}

// Errors returns the error annotations: an output with any comes from a
// failed synth (the cdktf CLI asks cdktf to record errors instead of
// stopping at the first).
func (o *Output) Errors() []Annotation {
	var out []Annotation
	for _, a := range o.Annotations {
		if a.Level == "ERROR" {
			out = append(out, a)
		}
	}
	return out
}

// Suppressions returns the suppressions recorded in the output.
func (o *Output) Suppressions() []Suppression {
	var out []Suppression
	for _, a := range o.Annotations {
		if s, ok := parseSuppression(a); ok {
			out = append(out, s)
		}
	}
	return out
}

// Package review writes the review report of a synthesis, REVIEW.md: for
// each stack its backend, every resource with its security-relevant
// settings on one line, every policy statement and the outputs; the guard
// rule suppressions; and a table of CIS AWS Foundations Benchmark and AWS
// Security Hub controls, each PASS, FAIL or NOT APPLICABLE as computed
// from the synthesized JSON. Scanner results (tfsec, trivy) are added when
// given.
package review

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cle2wa/audit-trail/internal/guard"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Stack is one synthesized stack and its annotations.
type Stack struct {
	Doc         *tfjson.Doc
	Annotations []Annotation
}

// Annotation is a message cdktf recorded for a construct.
type Annotation struct {
	Path, Level, Message string
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

// Load reads the stacks of a synthesis output directory, in name order.
func Load(outdir string) ([]Stack, error) {
	data, err := os.ReadFile(filepath.Join(outdir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the synthesis output (run `go run .` first): %w", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(outdir, "manifest.json"), err)
	}
	names := make([]string, 0, len(m.Stacks))
	for n := range m.Stacks {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []Stack
	for _, n := range names {
		entry := m.Stacks[n]
		b, err := os.ReadFile(filepath.Join(outdir, filepath.FromSlash(entry.SynthesizedStackPath)))
		if err != nil {
			return nil, err
		}
		doc, err := tfjson.Parse(n, b)
		if err != nil {
			return nil, err
		}
		s := Stack{Doc: doc}
		for _, a := range entry.Annotations {
			s.Annotations = append(s.Annotations, Annotation{Path: a.ConstructPath, Level: strings.ToUpper(a.Level), Message: a.Message})
		}
		out = append(out, s)
	}
	return out, nil
}

// Errors returns the error annotations of stacks: a synthesis with any is
// a failed one.
func Errors(stacks []Stack) []Annotation {
	var out []Annotation
	for _, s := range stacks {
		for _, a := range s.Annotations {
			if a.Level == "ERROR" {
				out = append(out, a)
			}
		}
	}
	return out
}

// Suppressions returns the guard rule suppressions recorded in a stack.
func Suppressions(s Stack) []guard.Suppression {
	var out []guard.Suppression
	for _, a := range s.Annotations {
		if sup, ok := guard.ParseSuppression(a.Path, a.Message); ok {
			out = append(out, sup)
		}
	}
	return out
}

// Docs returns the parsed documents of stacks.
func Docs(stacks []Stack) []*tfjson.Doc {
	out := make([]*tfjson.Doc, 0, len(stacks))
	for _, s := range stacks {
		out = append(out, s.Doc)
	}
	return out
}

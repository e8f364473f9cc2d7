package tfjson

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/cle2wa/audit-trail/internal/input"
)

// Synthesis is one synthesis output directory (cdktf.out), as every
// reader loads it: its stacks and the annotations cdktf recorded for
// their constructs.
type Synthesis struct {
	// Stacks are the stacks, in name order.
	Stacks []*Doc
	// Annotations are every stack's annotations, in stack order.
	Annotations []Annotation
}

// Annotation is a message cdktf recorded for a construct.
type Annotation struct {
	Stack, Path, Level, Message string
}

func (a Annotation) String() string { return fmt.Sprintf("[%s] %s", a.Path, a.Message) }

// manifest is the part of cdktf.out/manifest.json the readers use.
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

// Load reads the synthesis output directory dir: its manifest.json and
// each stack's cdk.tf.json, every file within input.SynthesisBytes and
// input.MaxDepth. A directory may come from anyone (review -base reads a
// checkout of another branch), so a stack's path must stay inside dir and
// its name be one a synthesis gives.
func Load(dir string) (*Synthesis, error) {
	data, err := input.JSONFile(filepath.Join(dir, "manifest.json"), input.SynthesisBytes)
	if err != nil {
		return nil, fmt.Errorf("reading the synthesis output (run `go run .` first): %w", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	if len(m.Stacks) > maxStacks {
		return nil, fmt.Errorf("%s: %d stacks, more than the %d a synthesis of this app has", filepath.Join(dir, "manifest.json"), len(m.Stacks), maxStacks)
	}
	names := make([]string, 0, len(m.Stacks))
	for n := range m.Stacks {
		names = append(names, n)
	}
	sort.Strings(names)
	out := &Synthesis{}
	for _, n := range names {
		entry := m.Stacks[n]
		want := "stacks/" + n + "/cdk.tf.json"
		if !stackName.MatchString(n) || entry.SynthesizedStackPath != want {
			return nil, fmt.Errorf("%s: stack %q at %q: a synthesis names its stacks with letters, digits, - and _ and keeps each at stacks/<name>/cdk.tf.json", filepath.Join(dir, "manifest.json"), n, entry.SynthesizedStackPath)
		}
		b, err := input.JSONFile(filepath.Join(dir, filepath.FromSlash(want)), input.SynthesisBytes)
		if err != nil {
			return nil, err
		}
		doc, err := Parse(n, b)
		if err != nil {
			return nil, err
		}
		out.Stacks = append(out.Stacks, doc)
		for _, a := range entry.Annotations {
			out.Annotations = append(out.Annotations, Annotation{Stack: n, Path: a.ConstructPath, Level: strings.ToUpper(a.Level), Message: a.Message})
		}
	}
	out.Link()
	return out, nil
}

// maxStacks is the most stacks Load reads: the app has three.
const maxStacks = 16

// stackName is what a cdktf stack name may be here.
var stackName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Stack returns the stack named name, or nil.
func (o *Synthesis) Stack(name string) *Doc {
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
func (o *Synthesis) Errors() []Annotation {
	var out []Annotation
	for _, a := range o.Annotations {
		if a.Level == "ERROR" {
			out = append(out, a)
		}
	}
	return out
}

// Link makes each stack of the synthesis know the others (Doc.Stacks):
// Load links what it reads, a synthesis built by hand is linked here.
func (o *Synthesis) Link() {
	for _, d := range o.Stacks {
		d.synthesis = o
	}
}

// Stacks are the stacks of the synthesis d belongs to, d first; d alone
// when it was read alone.
func (d *Doc) Stacks() []*Doc {
	out := []*Doc{d}
	if d.synthesis != nil {
		for _, other := range d.synthesis.Stacks {
			if other != d {
				out = append(out, other)
			}
		}
	}
	return out
}

// Bucket is the aws_s3_bucket named name (its bucket argument), in d or
// another stack of its synthesis, with the stack that holds it: the log
// bucket of a trail whose bucket is another account's (the log-archive
// layout) is named, not referred to.
func (d *Doc) Bucket(name string) (*Doc, Block, bool) {
	for _, s := range d.Stacks() {
		for _, b := range s.Resources("aws_s3_bucket") {
			if b.Attrs["bucket"] == name {
				return s, b, true
			}
		}
	}
	return nil, Block{}, false
}

// Key is the aws_kms_key that value refers to, with the stack that holds
// it: a reference to a key of d, or to an aws_kms_key data source of d
// that reads a key by its alias (key_id "alias/<name>" or an alias ARN),
// which names the key whose aws_kms_alias has that name in a stack of
// the synthesis (the log-archive layout reads the trail key so).
func (d *Doc) Key(value any) (*Doc, Block, bool) {
	address, _, ok := Ref(value)
	if !ok {
		return nil, Block{}, false
	}
	b, found := d.Find(address)
	switch {
	case !found:
		return nil, Block{}, false
	case b.Type == "aws_kms_key" && !strings.HasPrefix(address, "data."):
		return d, b, true
	case b.Type != "aws_kms_key":
		return nil, Block{}, false
	}
	id, _ := b.Attrs["key_id"].(string)
	i := strings.Index(id, "alias/")
	if i < 0 || (i > 0 && !strings.HasSuffix(id[:i], ":")) {
		return nil, Block{}, false
	}
	alias := id[i:]
	for _, s := range d.Stacks() {
		for _, a := range s.Resources("aws_kms_alias") {
			if a.Attrs["name"] != alias {
				continue
			}
			if key, ok := s.Target(a, "target_key_id"); ok && key.Type == "aws_kms_key" {
				return s, key, true
			}
		}
	}
	return nil, Block{}, false
}

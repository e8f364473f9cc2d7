package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

func readme(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(b), "\n")
}

// TestReadmeMarkdown keeps the README rendering on GitHub: a table is
// never split by a blank line (its rows would show as a paragraph of
// pipes), and every relative link resolves inside the repository.
func TestReadmeMarkdown(t *testing.T) {
	lines := readme(t)
	separator := regexp.MustCompile(`^\|(\s*:?-+:?\s*\|)+\s*$`)
	for i, l := range lines {
		if !strings.HasPrefix(l, "|") || i == 0 || lines[i-1] != "" {
			continue
		}
		// A table starts with a header row and a separator; any other row
		// after a blank line is a split table.
		if i+1 >= len(lines) || !separator.MatchString(lines[i+1]) {
			t.Errorf("README.md:%d: a table row after a blank line, not a table's header: %q", i+1, l)
		}
	}
	link := regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)
	for i, l := range lines {
		for _, m := range link.FindAllStringSubmatch(l, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			clean := filepath.Clean(target)
			if strings.HasPrefix(clean, "..") || filepath.IsAbs(clean) {
				t.Errorf("README.md:%d: the link %q leaves the repository", i+1, target)
				continue
			}
			if _, err := os.Stat(clean); err != nil {
				t.Errorf("README.md:%d: the link %q does not resolve: %v", i+1, target, err)
			}
		}
		if strings.Contains(l, "../shared") {
			t.Errorf("README.md:%d: refers to ../shared, which a clone of the project does not have", i+1)
		}
	}
}

// documented returns the backticked snake_case names of the README
// paragraph that follows the line starting with heading.
func documented(t *testing.T, heading string) []string {
	t.Helper()
	lines := readme(t)
	start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, heading) })
	if start < 0 {
		t.Fatalf("README.md has no %q", heading)
	}
	var paragraph []string
	for _, l := range lines[start+1:] {
		if l == "" && len(paragraph) > 0 {
			break
		}
		paragraph = append(paragraph, l)
	}
	names := regexp.MustCompile("`([a-z][a-z0-9_]+)`").FindAllStringSubmatch(strings.Join(paragraph, " "), -1)
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n[1]) {
			out = append(out, n[1])
		}
	}
	slices.Sort(out)
	return out
}

// TestReadmeListsEveryOutput compares the README's lists of outputs with
// the synthesized outputs of the audit and exports stacks.
func TestReadmeListsEveryOutput(t *testing.T) {
	for stack, heading := range map[string]string{"audit": "### Stack outputs", "exports": "The `exports` stack reads the audit stack's state"} {
		b, err := os.ReadFile(filepath.Join(golden, "stacks", stack, "cdk.tf.json"))
		if err != nil {
			t.Fatal(err)
		}
		d, err := tfjson.Parse(stack, b)
		if err != nil {
			t.Fatal(err)
		}
		var outputs []string
		for _, o := range d.Outputs() {
			if !strings.HasPrefix(o.Name, "cross-stack-output-") {
				outputs = append(outputs, o.Name)
			}
		}
		slices.Sort(outputs)
		var listed []string
		for _, n := range documented(t, heading) {
			if slices.Contains(outputs, n) {
				listed = append(listed, n)
			}
		}
		if !slices.Equal(listed, outputs) {
			t.Errorf("%s: the README lists %v of the outputs %v", stack, listed, outputs)
		}
	}
}

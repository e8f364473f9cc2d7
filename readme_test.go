package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/constructs/auditors"
	"github.com/cle2wa/audit-trail/constructs/identitycenter"
	"github.com/cle2wa/audit-trail/constructs/monitoring"
	"github.com/cle2wa/audit-trail/internal/commands"
	"github.com/cle2wa/audit-trail/internal/filterpattern"
	"github.com/cle2wa/audit-trail/internal/input"
	"github.com/cle2wa/audit-trail/internal/integrity"
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

// pages are the documentation's files: the README and the pages of
// docs/.
func pages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"README.md"}, docs...)
}

// documentation is the lines of the README and of every page of docs/,
// one after the other: where a statement is checked, not which page
// holds it.
func documentation(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, p := range pages(t) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Split(string(b), "\n")...)
	}
	return out
}

// maxReadme is the most the README may weigh: it is the front door
// (what it is, the quick start, the decisions, the settings, deploying,
// operating, the commands); the rest is in docs/.
const maxReadme = 25 << 10

// TestReadmeIsAFrontDoor: the README stays within maxReadme and links
// every page of docs/.
func TestReadmeIsAFrontDoor(t *testing.T) {
	text := strings.Join(readme(t), "\n")
	if len(text) > maxReadme {
		t.Errorf("expected the README within %d bytes, found %d: move the detail into docs/", maxReadme, len(text))
	}
	for _, p := range pages(t)[1:] {
		if !strings.Contains(text, "]("+p+")") {
			t.Errorf("expected the README to link %s", p)
		}
	}
}

// TestReadmeMarkdown keeps every page of the documentation rendering on
// GitHub: a table is never split by a blank line (its rows would show as
// a paragraph of pipes), and every relative link resolves inside the
// repository, its anchor to a heading of the page it names.
func TestReadmeMarkdown(t *testing.T) {
	separator := regexp.MustCompile(`^\|(\s*:?-+:?\s*\|)+\s*$`)
	link := regexp.MustCompile(`\]\(([^)#\s]*)(#[^)]*)?\)`)
	for _, page := range pages(t) {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i, l := range lines {
			if !strings.HasPrefix(l, "|") || i == 0 || lines[i-1] != "" {
				continue
			}
			// A table starts with a header row and a separator; any other
			// row after a blank line is a split table.
			if i+1 >= len(lines) || !separator.MatchString(lines[i+1]) {
				t.Errorf("%s:%d: a table row after a blank line, not a table's header: %q", page, i+1, l)
			}
		}
		for i, l := range lines {
			for _, m := range link.FindAllStringSubmatch(l, -1) {
				target, anchor := m[1], strings.TrimPrefix(m[2], "#")
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				clean := filepath.Join(filepath.Dir(page), target)
				if target == "" {
					clean = page
				}
				if strings.HasPrefix(clean, "..") || filepath.IsAbs(clean) {
					t.Errorf("%s:%d: the link %q leaves the repository", page, i+1, target)
					continue
				}
				if _, err := os.Stat(clean); err != nil {
					t.Errorf("%s:%d: the link %q does not resolve: %v", page, i+1, target, err)
					continue
				}
				if anchor != "" && !slices.Contains(anchors(t, clean), anchor) {
					t.Errorf("%s:%d: the link %q names no heading of %s", page, i+1, m[0], clean)
				}
			}
			if strings.Contains(l, "../shared") {
				t.Errorf("%s:%d: refers to ../shared, which a clone of the project does not have", page, i+1)
			}
		}
	}
}

// anchors are the anchors GitHub gives the headings of a Markdown file:
// lower case, spaces as hyphens, punctuation but hyphens and underscores
// dropped.
func anchors(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	drop := regexp.MustCompile(`[^a-z0-9 _-]`)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if title, ok := strings.CutPrefix(strings.TrimLeft(l, "#"), " "); ok && strings.HasPrefix(l, "#") {
			out = append(out, strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(title), ""), " ", "-"))
		}
	}
	return out
}

// documented returns the backticked snake_case names of the paragraph
// of the documentation that follows the line starting with heading.
func documented(t *testing.T, heading string) []string {
	t.Helper()
	lines := documentation(t)
	start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, heading) })
	if start < 0 {
		t.Fatalf("the documentation has no %q", heading)
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
	for stack, heading := range map[string]string{"audit": "### Stack outputs", "exports": "The `exports` stack reads the audit stack's outputs"} {
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
			outputs = append(outputs, o.Name)
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

// TestReadmeLimits: every limit the README states is the one the code
// has; a limit changed in the code, or a number changed in the README,
// fails here.
func TestReadmeLimits(t *testing.T) {
	text := strings.Join(documentation(t), " ")
	text = regexp.MustCompile(`\s+`).ReplaceAllString(text, " ")
	limits := map[string]string{
		fmt.Sprintf("at most %d names of 10 characters, or %d of 64", auditors.Room(nil, 10, ""), auditors.Room(nil, 64, "")): "auditors.Room",
		"default quota of " + thousands(auditors.MaxTrustPolicyLength) + " characters":                                        "auditors.MaxTrustPolicyLength",
		fmt.Sprintf("at most %d, no two alike", identitycenter.MaxPrincipals):                                                 "identitycenter.MaxPrincipals",
		fmt.Sprintf("limit of %s characters a pattern", thousands(filterpattern.MaxLength)):                                   "filterpattern.MaxLength",
		fmt.Sprintf("at most %d MiB for `cdktf.json`", input.SettingsBytes>>20):                                               "input.SettingsBytes",
		fmt.Sprintf("%d MiB for each file of a synthesis output", input.SynthesisBytes>>20):                                   "input.SynthesisBytes",
		fmt.Sprintf("%d MiB for a plan or a scanner's report", input.ReportBytes>>20):                                         "input.ReportBytes",
		fmt.Sprintf("inflates past %d MiB", integrity.MaxInflated>>20):                                                        "integrity.MaxInflated",
		fmt.Sprintf("at most %d hours", int(commands.MaxDigestAge.Hours())):                                                   "commands.MaxDigestAge",
		"CloudTrail's launch (" + commands.CloudTrailLaunch.Format("2006-01-02") + ")":                                        "commands.CloudTrailLaunch",
		fmt.Sprintf("%d metric filters on its log group, of the %d", goldenFilters(t), monitoring.MaxFiltersPerLogGroup):      "the golden audit stack and monitoring.MaxFiltersPerLogGroup",
		fmt.Sprintf("below 1 in each of %d hours", monitoring.HeartbeatHours):                                                 "monitoring.HeartbeatHours",
	}
	for want, source := range limits {
		if !strings.Contains(text, want) {
			t.Errorf("expected the README to state %q (%s)", want, source)
		}
	}
}

// goldenFilters is how many metric filters the reviewed default audit
// stack has.
func goldenFilters(t *testing.T) int {
	t.Helper()
	filters, _ := tfjson.Get(readJSON(t, filepath.Join("testdata", "golden", "stacks", "audit", "cdk.tf.json")), "resource", "aws_cloudwatch_log_metric_filter").(map[string]any)
	return len(filters)
}

// thousands writes n with a comma between thousands, as the README does.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

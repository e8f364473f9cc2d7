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
	"github.com/cle2wa/audit-trail/constructs/monitoring"
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

// TestReadmeLimits: every limit the README states is the one the code
// has; a limit changed in the code, or a number changed in the README,
// fails here.
func TestReadmeLimits(t *testing.T) {
	text := strings.Join(readme(t), " ")
	text = regexp.MustCompile(`\s+`).ReplaceAllString(text, " ")
	limits := map[string]string{
		fmt.Sprintf("at most %d names of 10 characters, or %d of 64", auditors.Room(nil, 10), auditors.Room(nil, 64)):    "auditors.Room",
		"default quota of " + thousands(auditors.MaxTrustPolicyLength) + " characters":                                   "auditors.MaxTrustPolicyLength",
		fmt.Sprintf("limit of %s characters a pattern", thousands(filterpattern.MaxLength)):                              "filterpattern.MaxLength",
		fmt.Sprintf("at most %d MiB for `cdktf.json`", input.SettingsBytes>>20):                                          "input.SettingsBytes",
		fmt.Sprintf("%d MiB for each file of a synthesis output", input.SynthesisBytes>>20):                              "input.SynthesisBytes",
		fmt.Sprintf("%d MiB for a plan or a scanner's report", input.ReportBytes>>20):                                    "input.ReportBytes",
		fmt.Sprintf("inflates past %d MiB", integrity.MaxInflated>>20):                                                   "integrity.MaxInflated",
		fmt.Sprintf("at most %d hours", int(maxDigestAge.Hours())):                                                       "maxDigestAge",
		"CloudTrail's launch (" + cloudTrailLaunch.Format("2006-01-02") + ")":                                            "cloudTrailLaunch",
		fmt.Sprintf("%d metric filters on its log group, of the %d", goldenFilters(t), monitoring.MaxFiltersPerLogGroup): "the golden audit stack and monitoring.MaxFiltersPerLogGroup",
		fmt.Sprintf("below 1 in each of %d hours", monitoring.HeartbeatHours):                                            "monitoring.HeartbeatHours",
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

package review

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Scan is the result of one scanner over the stacks.
type Scan struct {
	// Scanner names the tool and version, for example "tfsec 1.28.14".
	Scanner string
	// Findings are what it reported.
	Findings []ScanFinding
}

// ScanFinding is one finding of a scanner.
type ScanFinding struct {
	ID, Severity, Title, Resource, Target string
	// Ignored holds the committed reason when the finding is ignored.
	Ignored string
}

func writeScans(b *strings.Builder, scans []Scan) {
	b.WriteString("## Independent scanners\n\n")
	if len(scans) == 0 {
		b.WriteString("Not run at synth. CI scans every change with trivy and tfsec; `go run . review -trivy FILE -tfsec FILE` adds their JSON results here.\n\n")
		return
	}
	for _, s := range scans {
		open := 0
		for _, f := range s.Findings {
			if f.Ignored == "" {
				open++
			}
		}
		fmt.Fprintf(b, "%s: %d findings, %d of them unexplained.\n\n", s.Scanner, len(s.Findings), open)
		if len(s.Findings) == 0 {
			continue
		}
		b.WriteString("| ID | Severity | Where | Finding | Explanation |\n|---|---|---|---|---|\n")
		for _, g := range group(s.Findings) {
			why := g.Ignored
			if why == "" {
				why = "**none: fix it or explain it**"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", g.ID, g.Severity, cell(strings.Join(g.where, ", ")), cell(g.Title), cell(why))
		}
		b.WriteString("\n")
	}
}

// findingGroup is the findings of one check, with where each one is.
type findingGroup struct {
	ScanFinding
	where []string
}

// group folds findings with the same ID and explanation into one row, in
// the order they first appear.
func group(findings []ScanFinding) []findingGroup {
	var out []findingGroup
	index := map[string]int{}
	for _, f := range findings {
		key := f.ID + "\x00" + f.Ignored
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, findingGroup{ScanFinding: f})
		}
		out[i].where = append(out[i].where, strings.TrimSpace(f.Target+" "+f.Resource))
	}
	return out
}

// Ignores are the committed explanations of scanner findings: check ID to
// reason, read from a .trivyignore whose every entry follows a comment.
type Ignores map[string]string

// ParseIgnores reads a .trivyignore: each check ID on a line of its own,
// after one or more "#" comment lines that give the reason. An entry
// without a reason is an error.
func ParseIgnores(name string, data []byte) (Ignores, error) {
	out := Ignores{}
	var reason []string
	var errs []error
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			reason = nil
		case strings.HasPrefix(line, "#"):
			reason = append(reason, strings.TrimSpace(strings.TrimPrefix(line, "#")))
		default:
			id := strings.Fields(line)[0]
			why := strings.TrimSpace(strings.Join(reason, " "))
			if why == "" {
				errs = append(errs, fmt.Errorf("%s:%d: %s is ignored without a reason; put the reason in a comment above it", name, i+1, id))
			}
			out[normID(id)] = why
		}
	}
	return out, errors.Join(errs...)
}

// normID makes "AVD-AWS-0089" and "AWS-0089" the same check ID.
func normID(id string) string { return strings.TrimPrefix(strings.ToUpper(id), "AVD-") }

// explain returns the reason for a finding with any of ids, or "".
func (ig Ignores) explain(ids ...string) string {
	for _, id := range ids {
		if r, ok := ig[normID(id)]; ok && id != "" {
			return r
		}
	}
	return ""
}

// trivyResults is the part of `trivy config -f json` this package reads.
type trivyResults struct {
	Results []struct {
		Target            string
		Misconfigurations []struct {
			ID, AVDID, Title, Severity, Status string
			CauseMetadata                      struct{ Resource string }
		}
	}
}

// tfsecResults is the part of `tfsec -f json` this package reads.
type tfsecResults struct {
	Results []struct {
		RuleID      string `json:"rule_id"`
		LongID      string `json:"long_id"`
		Description string `json:"rule_description"`
		Severity    string `json:"severity"`
		Resource    string `json:"resource"`
		Location    struct {
			Filename string `json:"filename"`
		} `json:"location"`
	} `json:"results"`
}

// LoadScans reads the JSON results of trivy and tfsec (one file per stack,
// or one for all) and marks the findings that ignoreFile explains.
func LoadScans(trivyFiles, tfsecFiles []string, ignoreFile string) ([]Scan, error) {
	if len(trivyFiles) == 0 && len(tfsecFiles) == 0 {
		return nil, nil
	}
	ignores := Ignores{}
	if data, err := os.ReadFile(ignoreFile); err == nil {
		if ignores, err = ParseIgnores(ignoreFile, data); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var scans []Scan
	if len(trivyFiles) > 0 {
		s := Scan{Scanner: "trivy config"}
		for _, file := range trivyFiles {
			var r trivyResults
			if err := readResults(file, &r); err != nil {
				return nil, err
			}
			for _, res := range r.Results {
				for _, m := range res.Misconfigurations {
					if m.Status != "" && m.Status != "FAIL" {
						continue
					}
					s.Findings = append(s.Findings, ScanFinding{ID: m.ID, Severity: m.Severity, Title: m.Title, Resource: m.CauseMetadata.Resource, Target: stackOf(res.Target), Ignored: ignores.explain(m.ID, m.AVDID)})
				}
			}
		}
		scans = append(scans, s)
	}
	if len(tfsecFiles) > 0 {
		s := Scan{Scanner: "tfsec"}
		for _, file := range tfsecFiles {
			var r tfsecResults
			if err := readResults(file, &r); err != nil {
				return nil, err
			}
			for _, f := range r.Results {
				s.Findings = append(s.Findings, ScanFinding{ID: f.RuleID, Severity: f.Severity, Title: f.Description, Resource: f.Resource, Target: stackOf(f.Location.Filename), Ignored: ignores.explain(f.RuleID, f.LongID)})
			}
		}
		scans = append(scans, s)
	}
	return scans, nil
}

// stackOf names the stack a finding is in, from the path the scanner gave:
// the directory under stacks/ of an absolute path (tfsec), or the first
// segment of a path relative to cdktf.out/stacks (trivy). Never a host path.
func stackOf(target string) string {
	parts := strings.Split(filepath.ToSlash(target), "/")
	for i, p := range parts {
		if p == "stacks" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	if len(parts) == 2 {
		return parts[0]
	}
	return filepath.Base(target)
}

func readResults(file string, into any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

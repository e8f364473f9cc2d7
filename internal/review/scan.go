package review

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cle2wa/audit-trail/internal/input"
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
		b.WriteString("Not run at synth. CI scans every change with trivy, tfsec and KICS; `go run . review -trivy FILE -tfsec FILE -kics FILE` adds their JSON results here.\n\n")
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

// Inputs are the scanners' result files and the committed explanations
// of their findings.
type Inputs struct {
	// Trivy, Tfsec and KICS are JSON result files: one per stack, or one
	// for all.
	Trivy, Tfsec, KICS []string
	// TrivyIgnore explains trivy's and tfsec's findings (their check IDs
	// are shared), KICSIgnore KICS's (query IDs); a missing file explains
	// nothing.
	TrivyIgnore, KICSIgnore string
}

// kicsResults is the part of KICS's JSON report (kics scan
// --report-formats json) this package reads.
type kicsResults struct {
	Version string `json:"kics_version"`
	Queries []struct {
		Name     string `json:"query_name"`
		ID       string `json:"query_id"`
		Severity string `json:"severity"`
		Files    []struct {
			FileName     string `json:"file_name"`
			ResourceType string `json:"resource_type"`
			ResourceName string `json:"resource_name"`
			SearchKey    string `json:"search_key"`
		} `json:"files"`
	} `json:"queries"`
}

// LoadScans reads the scanners' JSON results and marks the findings the
// committed files explain.
func LoadScans(in Inputs) ([]Scan, error) {
	if len(in.Trivy)+len(in.Tfsec)+len(in.KICS) == 0 {
		return nil, nil
	}
	trivyIgnores, err := loadIgnores(in.TrivyIgnore)
	if err != nil {
		return nil, err
	}
	var scans []Scan
	if len(in.Trivy) > 0 {
		s := Scan{Scanner: "trivy config"}
		for _, file := range in.Trivy {
			var r trivyResults
			if err := readResults(file, &r); err != nil {
				return nil, err
			}
			for _, res := range r.Results {
				for _, m := range res.Misconfigurations {
					if m.Status != "" && m.Status != "FAIL" {
						continue
					}
					s.Findings = append(s.Findings, ScanFinding{ID: m.ID, Severity: m.Severity, Title: m.Title, Resource: m.CauseMetadata.Resource, Target: stackOf(res.Target), Ignored: trivyIgnores.explain(m.ID, m.AVDID)})
				}
			}
		}
		scans = append(scans, s)
	}
	if len(in.Tfsec) > 0 {
		s := Scan{Scanner: "tfsec"}
		for _, file := range in.Tfsec {
			var r tfsecResults
			if err := readResults(file, &r); err != nil {
				return nil, err
			}
			for _, f := range r.Results {
				s.Findings = append(s.Findings, ScanFinding{ID: f.RuleID, Severity: f.Severity, Title: f.Description, Resource: f.Resource, Target: stackOf(f.Location.Filename), Ignored: trivyIgnores.explain(f.RuleID, f.LongID)})
			}
		}
		scans = append(scans, s)
	}
	if len(in.KICS) > 0 {
		kicsIgnores, err := loadIgnores(in.KICSIgnore)
		if err != nil {
			return nil, err
		}
		s := Scan{Scanner: "KICS"}
		for _, file := range in.KICS {
			var r kicsResults
			if err := readResults(file, &r); err != nil {
				return nil, err
			}
			if r.Version != "" && r.Version != "development" {
				s.Scanner = "KICS " + r.Version
			}
			for _, q := range r.Queries {
				if q.Severity == "INFO" || q.Severity == "TRACE" {
					// Style: naming, tags, descriptions.
					continue
				}
				for _, f := range q.Files {
					// The search key names the resource and argument
					// (aws_s3_bucket_policy[state_bucket_policy].policy); a
					// query on the whole file has only the resource type.
					resource := f.SearchKey
					if !strings.Contains(resource, "[") {
						resource = f.ResourceType
					}
					s.Findings = append(s.Findings, ScanFinding{ID: q.ID, Severity: q.Severity, Title: q.Name, Resource: resource, Target: stackOf(f.FileName), Ignored: kicsIgnores.explain(q.ID)})
				}
			}
		}
		scans = append(scans, s)
	}
	return scans, nil
}

// loadIgnores reads a committed file of explanations; a missing file
// explains nothing.
func loadIgnores(file string) (Ignores, error) {
	data, err := input.File(file, input.SettingsBytes)
	if errors.Is(err, os.ErrNotExist) {
		return Ignores{}, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseIgnores(file, data)
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
	data, err := input.JSONFile(file, input.ReportBytes)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

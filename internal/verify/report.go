package verify

import (
	"encoding/json"
	"fmt"
	"io"
)

// Report is one run of verify: who ran the checks and their results. It
// decides the exit status, and renders as text or JSON.
type Report struct {
	// Caller is the identity that ran the checks.
	Caller string
	// Against is the synthesis the account was compared with.
	Against string
	Results []Result
}

// Counts are how many checks failed and how many could not be made.
func (r Report) Counts() (failed, unchecked int) {
	for _, x := range r.Results {
		switch x.Status() {
		case "FAIL":
			failed++
		case "ERROR":
			unchecked++
		}
	}
	return failed, unchecked
}

// Exit is the exit status: 1 when a check fails, 3 when none fails but
// one could not be made (no verdict), 0 when every check passes.
func (r Report) Exit() int {
	switch failed, unchecked := r.Counts(); {
	case failed > 0:
		return 1
	case unchecked > 0:
		return 3
	}
	return 0
}

// Text writes one line per check (status, check, evidence, tab-separated)
// between a heading and a count.
func (r Report) Text(w io.Writer) {
	failed, unchecked := r.Counts()
	fmt.Fprintf(w, "Checks of the deployed trail against %s, as %s\n\n", r.Against, r.Caller)
	for _, x := range r.Results {
		fmt.Fprintf(w, "%s\t%s\t%s\n", x.Status(), x.Check, x.Evidence)
	}
	fmt.Fprintf(w, "\n%d checks, %d failed, %d could not be made\n", len(r.Results), failed, unchecked)
}

// JSON writes the report as one JSON object.
func (r Report) JSON(w io.Writer) error {
	failed, unchecked := r.Counts()
	return json.NewEncoder(w).Encode(map[string]any{"caller": r.Caller, "results": r.Results, "failed": failed, "errors": unchecked})
}

package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/coverage"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// coverageDoc is the coverage table the reviewed default stacks give.
const coverageDoc = "docs/coverage.md"

// TestCoverage classifies every action of the pinned catalogue that could
// change what the trail records, who is told, or who can read, for the
// reviewed default stacks: an unclassified action fails, as does a
// reviewed reason for an action the catalogue no longer has or that is
// now denied or alarmed; docs/coverage.md is the table (go test .
// -update rewrites it).
func TestCoverage(t *testing.T) {
	// A synthesis of its own, so that -update never reads a golden
	// directory rewritten in the same run.
	out, err := tfjson.Load(synthWith(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	c, err := coverage.Load()
	if err != nil {
		t.Fatal(err)
	}
	rows := coverage.Classify(c, out.Stack("audit"))
	classes := map[string]string{}
	for _, r := range rows {
		classes[r.Action] = r.Class
		if r.Class == "unclassified" {
			t.Errorf("%s (%s) is neither denied, alarmed nor reviewed as harmless: deny it, watch it, or give the reason in internal/coverage/harmless.go", r.Action, r.Access)
		}
	}
	for action := range coverage.Harmless {
		switch class, ok := classes[action]; {
		case !ok:
			t.Errorf("internal/coverage/harmless.go reviews %s, which the catalogue's in-scope actions do not have: remove it", action)
		case class != "harmless":
			t.Errorf("internal/coverage/harmless.go reviews %s, which is %s now: remove it", action, class)
		}
	}
	if len(rows) < 150 {
		t.Errorf("expected the catalogue's in-scope actions, found %d", len(rows))
	}
	table := coverage.Markdown(c, rows, "the synthesized default stacks")
	if *update {
		if err := os.WriteFile(coverageDoc, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(coverageDoc)
	if err != nil || string(want) != table {
		t.Errorf("%s is not the table the stacks give (%v); if the change is intended, run go test . -run TestCoverage -update and review the diff", coverageDoc, err)
	}
	// The README's totals are the table's.
	totals := coverage.Totals(rows)
	flat := strings.Join(strings.Fields(strings.Join(documentation(t), "\n")), " ")
	if want := fmt.Sprintf("With the defaults: %d actions, %d denied, %d alarmed, %d harmless", len(rows), totals["denied"], totals["alarmed"], totals["harmless"]); !strings.Contains(flat, want) {
		t.Errorf("expected the documentation to say %q", want)
	}
	// An action the policies once denied, left unwatched, is caught.
	if !strings.Contains(table, "| `s3:DeleteObjectVersion` | Write | denied |") {
		t.Error("expected s3:DeleteObjectVersion denied to administrators in the table")
	}
}

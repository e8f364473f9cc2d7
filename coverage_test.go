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
	rows, _, table := classified(t, out, coverage.Harmless, "internal/coverage/harmless.go", coverageDoc, "the synthesized default stacks")
	if len(rows) < 150 {
		t.Errorf("expected the catalogue's in-scope actions, found %d", len(rows))
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

// classified classifies the catalogue's in-scope actions for the audit
// stack of synthesis, and fails on an action neither denied, alarmed nor
// in harmless (the reviewed reasons, kept in where), on a reason for an
// action the catalogue's in-scope ones lack or that is now denied or
// alarmed, and on a table doc (rewritten with -update) other than the
// one the stacks give, described as stacks. It returns the rows, their
// classes by action, and the table.
func classified(t *testing.T, synthesis *tfjson.Synthesis, harmless map[string]string, where, doc, stacks string) ([]coverage.Row, map[string]string, string) {
	t.Helper()
	c, err := coverage.Load()
	if err != nil {
		t.Fatal(err)
	}
	rows := coverage.Classify(c, synthesis.Stack("audit"))
	classes := map[string]string{}
	for _, r := range rows {
		classes[r.Action] = r.Class
		if r.Class == "unclassified" {
			t.Errorf("%s (%s) is neither denied, alarmed nor reviewed as harmless: deny it, watch it, or give the reason in %s", r.Action, r.Access, where)
		}
	}
	for action := range harmless {
		switch class, ok := classes[action]; {
		case !ok:
			t.Errorf("%s reviews %s, which the catalogue's in-scope actions do not have: remove it", where, action)
		case class != "harmless":
			t.Errorf("%s reviews %s, which is %s now: remove it", where, action, class)
		}
	}
	table := coverage.Markdown(c, rows, stacks)
	if *update {
		if err := os.WriteFile(doc, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want, err := os.ReadFile(doc); err != nil || string(want) != table {
		t.Errorf("%s is not the table the stacks give (%v); if the change is intended, run go test . -run TestCoverage -update and review the diff", doc, err)
	}
	return rows, classes, table
}

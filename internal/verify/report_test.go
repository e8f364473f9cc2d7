package verify

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestReportExit: the exit status is the worst result's: a FAIL is 1
// whatever else, an ERROR alone is 3 (no verdict), all PASS is 0; the
// views count the same.
func TestReportExit(t *testing.T) {
	pass, fail, unchecked := Result{Check: "A", Pass: true}, Result{Check: "B"}, Result{Check: "C", Error: true}
	cases := map[string]struct {
		results []Result
		exit    int
		count   string
	}{
		"all pass":              {[]Result{pass, pass}, 0, "2 checks, 0 failed, 0 could not be made"},
		"one could not be made": {[]Result{pass, unchecked}, 3, "2 checks, 0 failed, 1 could not be made"},
		"one fails":             {[]Result{unchecked, fail, pass}, 1, "3 checks, 1 failed, 1 could not be made"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := Report{Caller: "arn:aws:sts::111122223333:assumed-role/role-audit/s", Against: "cdktf.out", Results: c.results}
			if got := r.Exit(); got != c.exit {
				t.Errorf("expected exit %d, found %d", c.exit, got)
			}
			var text, js bytes.Buffer
			r.Text(&text)
			if !strings.HasSuffix(text.String(), c.count+"\n") {
				t.Errorf("expected the text to end with %q, found:\n%s", c.count, text.String())
			}
			if err := r.JSON(&js); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Failed, Errors int
				Results        []Result
			}
			if err := json.Unmarshal(js.Bytes(), &doc); err != nil || len(doc.Results) != len(c.results) {
				t.Errorf("expected %d results in the JSON, found %+v (%v)", len(c.results), doc, err)
			}
		})
	}
}

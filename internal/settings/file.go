package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/field"
)

// checkFile reports the mistakes in cdktf.json that JSON readers and the
// cdktf CLI pass over silently, so that `go run .` and `cdktf synth` never
// build different things from the same file, and a reviewer never reads a
// value that is not the one used:
//   - a key given twice in one object (every reader keeps the last one);
//   - a setting at the top level, where cdktf does not look for it;
//   - "context" spelled in another case (Go's JSON decoder would read it,
//     the cdktf CLI would not).
func checkFile(data []byte) error {
	var errs []error
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := duplicates(dec, data, "", &errs); err != nil {
		return nil // malformed JSON is reported where the file is decoded
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return errors.Join(errs...)
	}
	for key := range top {
		switch {
		case key != "context" && strings.EqualFold(key, "context"):
			errs = append(errs, &field.Error{Path: key, Problem: `is not read by the cdktf CLI: the key is "context", in lower case`})
		case slices.Contains(Keys(), key):
			errs = append(errs, &field.Error{Path: key, Problem: `is a setting at the top level of cdktf.json, where cdktf does not read it: move it into "context"`})
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}

// duplicates reads the next JSON value from dec and reports, at their
// paths, the keys that an object of it gives twice.
func duplicates(dec *json.Decoder, data []byte, path string, errs *[]error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]int{}
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := keyTok.(string)
			line, _ := position(data, dec.InputOffset())
			at := key
			if path != "" {
				at = path + "." + key
			}
			if first, ok := seen[key]; ok {
				*errs = append(*errs, &field.Error{Path: at, Problem: fmt.Sprintf("is given twice (lines %d and %d): every JSON reader keeps the last one, so remove the other", first, line)})
			} else {
				seen[key] = line
			}
			if err := duplicates(dec, data, at, errs); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
		return err
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := duplicates(dec, data, fmt.Sprintf("%s[%d]", path, i), errs); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
		return err
	}
	return nil
}

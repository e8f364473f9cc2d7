// Package events holds CloudTrail events as AWS documents them, and makes
// from them the events a metric filter must match or must not: a
// documented event with the fields under test set to a stack's values.
//
// Each sample in samples/ is an event from an AWS page, verbatim, with the
// page's address in "source". Where AWS publishes no sample for an event
// name (most IAM and S3 write calls), a test takes the documented sample
// of the same service and sets eventName and requestParameters: CloudTrail
// records the request's parameters, as the service's API reference names
// them, in requestParameters ("CloudTrail record contents",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
// as the IAM samples show (UserName and GroupName of AddUserToGroup as
// requestParameters.userName and groupName).
package events

import (
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

//go:embed samples/*.json
var files embed.FS

// Sample is one documented event.
type Sample struct {
	// Name is the file's name without .json.
	Name string
	// Source is the AWS page the event comes from.
	Source string
	event  map[string]any
}

// Load returns the sample of that name; it panics on a name that is not
// there, which only a test or a check of this module passes.
func Load(name string) Sample {
	data, err := files.ReadFile("samples/" + name + ".json")
	if err != nil {
		panic(fmt.Sprintf("events: no sample %q", name))
	}
	var f struct {
		Source string         `json:"source"`
		Event  map[string]any `json:"event"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		panic(fmt.Sprintf("events: sample %q: %v", name, err))
	}
	return Sample{Name: name, Source: f.Source, event: f.Event}
}

// Names lists every sample.
func Names() []string {
	entries, _ := files.ReadDir("samples")
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	return out
}

// Get returns the value at a dotted path ("userIdentity.type",
// "resources.0.ARN"), and whether the sample has it.
func (s Sample) Get(path string) (any, bool) {
	var v any = s.event
	for _, step := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[step]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// With returns a copy of the sample with each dotted path set to its
// value (nil removes the field); objects on the way are made as needed.
func (s Sample) With(set map[string]any) Sample {
	out := s
	out.event = tfjson.Copy(s.event, nil).(map[string]any)
	for path, value := range set {
		steps := strings.Split(path, ".")
		var parent any = out.event
		for i, step := range steps {
			last := i == len(steps)-1
			switch p := parent.(type) {
			case map[string]any:
				if last {
					if value == nil {
						delete(p, step)
					} else {
						p[step] = tfjson.Copy(value, nil)
					}
					continue
				}
				next, ok := p[step]
				if _, isMap := next.(map[string]any); !ok || next == nil || (!isMap && !isList(next)) {
					next = map[string]any{}
					p[step] = next
				}
				parent = next
			case []any:
				idx, err := strconv.Atoi(step)
				if err != nil || idx >= len(p) {
					panic(fmt.Sprintf("events: %s: no element %s", path, step))
				}
				if last {
					p[idx] = tfjson.Copy(value, nil)
					continue
				}
				parent = p[idx]
			}
		}
	}
	return out
}

// Identity returns a copy of the sample made by the identity of another
// sample (its userIdentity).
func (s Sample) Identity(of Sample) Sample {
	return s.With(map[string]any{"userIdentity": of.event["userIdentity"]})
}

// JSON is the event as one line of JSON, as CloudWatch Logs receives it.
func (s Sample) JSON() []byte {
	data, err := json.Marshal(s.event)
	if err != nil {
		panic(err)
	}
	return data
}

func isList(v any) bool { _, ok := v.([]any); return ok }

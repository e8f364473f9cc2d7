package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// MinReasonLength is the shortest reason a suppression accepts.
const MinReasonLength = 20

// suppressedPrefix starts the info annotation that records a suppression
// in the manifest, where Output.Suppressions reads it back.
const suppressedPrefix = "suppressed "

// Suppression silences a check for the resources inside one construct,
// with a reason. The review report lists every suppression.
type Suppression struct{ Path, Check, Reason string }

// Suppress silences the check with id for the resources inside scope, for
// reason. It refuses an unknown check and a reason shorter than
// MinReasonLength, and reports both at once.
func Suppress(scope constructs.IConstruct, id, reason string) error {
	path := *scope.Node().Path()
	reason = strings.TrimSpace(reason)
	var errs []error
	if _, ok := ByID(id); !ok {
		errs = append(errs, fmt.Errorf("suppression at %s: unknown check %q", path, id))
	}
	if len(reason) < MinReasonLength {
		errs = append(errs, fmt.Errorf("suppression of %s at %s: the reason %q is too short; say why the check does not apply (at least %d characters)", id, path, reason, MinReasonLength))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	cdktf.Annotations_Of(scope).AddInfo(jsii.String(suppressedPrefix + id + ": " + reason))
	return nil
}

// parseSuppression reads a suppression from an info annotation.
func parseSuppression(a tfjson.Annotation) (Suppression, bool) {
	rest, ok := strings.CutPrefix(a.Message, suppressedPrefix)
	if !ok {
		return Suppression{}, false
	}
	id, reason, ok := strings.Cut(rest, ": ")
	return Suppression{Path: a.Path, Check: id, Reason: reason}, ok
}

// Covers reports whether s silences the result: the same check, at the
// result's construct or one that holds it.
func (s Suppression) Covers(r Result) bool {
	return s.Check == r.Check.ID && (r.Path == s.Path || strings.HasPrefix(r.Path, s.Path+"/"))
}

// Suppressions returns the suppressions recorded in the output.
func Suppressions(o *tfjson.Synthesis) []Suppression {
	var out []Suppression
	for _, a := range o.Annotations {
		if s, ok := parseSuppression(a); ok {
			out = append(out, s)
		}
	}
	return out
}

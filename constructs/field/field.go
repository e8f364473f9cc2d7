// Package field is the one error shape every validator of this project
// returns: a problem with one field of a configuration, named by its path
// (as Terraform's diagnostics carry an attribute path), with the offending
// value. Validators report every problem at once by joining such errors
// (errors.Join); a caller that embeds a configuration re-roots their paths
// under its own field with Under.
package field

import (
	"errors"
	"fmt"
	"strings"
)

// Error is one problem of one field.
type Error struct {
	// Path names the field: a Go field or setting name, with "." between
	// nested fields and "[i]" for list elements, for example
	// "Retention.ExpireDays" or "auditUsers[2]".
	Path string
	// Value is the offending value, or nil when the field is missing.
	Value any
	// Problem says what is wrong, lower-case, without the value.
	Problem string
	// Other is the path of the field the problem compares Path with, and
	// OtherValue its value; "" when there is none. Under re-roots it too.
	Other      string
	OtherValue any
}

// Invalid returns a problem of the field at path with value.
func Invalid(path string, value any, problem string, args ...any) *Error {
	return &Error{Path: path, Value: value, Problem: fmt.Sprintf(problem, args...)}
}

// Required returns the problem of a missing required field.
func Required(path, what string) *Error {
	return &Error{Path: path, Problem: "is required: " + what}
}

// MaxValue is the longest value a message shows in full.
const MaxValue = 80

// Error renders "path: value problem": strings quoted, nil as null, and a
// long value cut to MaxValue characters.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	if shown := Show(e.Value); shown != "" {
		b.WriteString(shown + " ")
	}
	b.WriteString(e.Problem)
	if e.Other != "" {
		fmt.Fprintf(&b, " %s (%s)", e.Other, Show(e.OtherValue))
	}
	return b.String()
}

// Show renders a value for a message: strings quoted, nil as null, long
// values cut.
func Show(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if len(x) > MaxValue {
			return fmt.Sprintf("%q… (%d characters)", x[:MaxValue], len(x))
		}
		return fmt.Sprintf("%q", x)
	case []string:
		s = fmt.Sprintf("%q", x)
	default:
		s = fmt.Sprint(x)
	}
	if len(s) > MaxValue {
		return s[:MaxValue] + "…"
	}
	return s
}

// Under re-roots every problem in err under parent: a *Error's path
// becomes parent.path (or parent[i] when its path starts with "["), any
// other error becomes a *Error at parent with its message as the problem.
// Joined errors stay joined, one problem each; nil stays nil.
func Under(parent string, err error) error {
	if err == nil {
		return nil
	}
	list := All(err)
	out := make([]error, 0, len(list))
	for _, e := range list {
		c := *e
		c.Path = join(parent, c.Path)
		if c.Other != "" {
			c.Other = join(parent, c.Other)
		}
		out = append(out, &c)
	}
	return errors.Join(out...)
}

func join(parent, path string) string {
	switch {
	case parent == "":
		return path
	case path == "":
		return parent
	case strings.HasPrefix(path, "["):
		return parent + path
	}
	return parent + "." + path
}

// All flattens err, and the errors it joins, into problems: a *Error as
// it is, any other error as a *Error without a path.
func All(err error) []*Error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range joined.Unwrap() {
			out = append(out, All(e)...)
		}
		return out
	}
	var fe *Error
	if errors.As(err, &fe) && fe == err {
		return []*Error{fe}
	}
	return []*Error{{Problem: err.Error()}}
}

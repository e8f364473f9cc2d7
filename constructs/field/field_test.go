package field

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestError(t *testing.T) {
	cases := map[string]struct {
		err  *Error
		want string
	}{
		"a string value":   {Invalid("region", "mars-1", "is not an AWS region"), `region: "mars-1" is not an AWS region`},
		"a number":         {Invalid("days", 7, "must be at least %d", 365), "days: 7 must be at least 365"},
		"a missing field":  {Required("Bucket", "the log bucket"), "Bucket: is required: the log bucket"},
		"no path":          {Invalid("", "x", "is wrong"), `"x" is wrong`},
		"a compared field": {&Error{Path: "TransitionDays", Value: 400, Problem: "must be less than", Other: "ExpireDays", OtherValue: 400}, "TransitionDays: 400 must be less than ExpireDays (400)"},
		"a long value":     {Invalid("logPrefix", strings.Repeat("p", 300), "is too long"), `logPrefix: "` + strings.Repeat("p", MaxValue) + `"… (300 characters) is too long`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := c.err.Error(); got != c.want {
				t.Errorf("expected %q, found %q", c.want, got)
			}
		})
	}
}

func TestUnderAndAll(t *testing.T) {
	inner := errors.Join(
		Invalid("Name", "X", "is bad"),
		Invalid("[2]", "bob", "is listed twice"),
		&Error{Path: "TransitionDays", Value: 1, Problem: "must be less than", Other: "ExpireDays", OtherValue: 1},
		errors.New("a plain error"),
		fmt.Errorf("with context: %w", Invalid("Deep", 1, "is wrapped")),
	)
	got := All(Under("log_bucket", inner))
	want := []string{
		`log_bucket.Name: "X" is bad`,
		`log_bucket[2]: "bob" is listed twice`,
		"log_bucket.TransitionDays: 1 must be less than log_bucket.ExpireDays (1)",
		"log_bucket: a plain error",
		"log_bucket: with context: Deep: 1 is wrapped",
	}
	if len(got) != len(want) {
		t.Fatalf("expected %d problems, found %d: %v", len(want), len(got), got)
	}
	for i := range want {
		if got[i].Error() != want[i] {
			t.Errorf("problem %d: expected %q, found %q", i, want[i], got[i].Error())
		}
	}
	if Under("x", nil) != nil || All(nil) != nil {
		t.Errorf("expected nil to stay nil")
	}
	if err := Under("", Invalid("a", 1, "b")); err.Error() != "a: 1 b" {
		t.Errorf("expected an empty parent to keep the path, found %q", err)
	}
}

package tfname

import (
	"regexp"
	"testing"
)

func TestKey(t *testing.T) {
	cases := map[string]string{
		"user-audit":            "user-audit",
		"Alice":                 "Alice",
		"bob.smith@example.com": "bob_2esmith_40example_2ecom",
		"user_0":                "user_5f0",
		"a+b=c,d":               "a_2bb_3dc_2cd",
		"":                      "",
	}
	for in, want := range cases {
		if got := Key(in); got != want {
			t.Errorf("Key(%q): expected %q, found %q", in, want, got)
		}
	}
}

func FuzzKeyIsInjectiveAndSafe(f *testing.F) {
	for _, s := range []string{"a", "a_", "a.b", "_2e", "0"} {
		f.Add(s, s+"x")
	}
	safe := regexp.MustCompile(`^[A-Za-z0-9_-]*$`)
	f.Fuzz(func(t *testing.T, a, b string) {
		ka, kb := Key(a), Key(b)
		if !safe.MatchString(ka) {
			t.Errorf("Key(%q) = %q has characters Terraform names do not allow", a, ka)
		}
		if a != b && ka == kb {
			t.Errorf("Key(%q) and Key(%q) are both %q", a, b, ka)
		}
	})
}

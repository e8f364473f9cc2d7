package filterpattern

import (
	"strings"
	"testing"
)

// event is shaped like the examples of the CloudWatch Logs User Guide's
// "Using filter patterns to match terms in JSON log events":
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
const event = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "123.123.123.123",
  "bandwidth": 75,
  "latency": 20,
  "user": {"id": 1, "email": "John.Stiles@example.com"},
  "users": [{"id": 2}],
  "arrayKey": ["value", "another value"],
  "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
  "coordinates": [[0, 1], [2, 3]],
  "actions": ["GET", "PUT", "DELETE"],
  "SomeObject": null,
  "ThisFlag": true,
  "ThatFlag": false,
  "errorCode": "AccessDenied"
}`

func TestMatch(t *testing.T) {
	cases := map[string]struct {
		pattern string
		want    bool
	}{
		"string equal":                {`{ $.eventType = "UpdateTrail" }`, true},
		"unquoted string":             {`{ $.eventType = UpdateTrail }`, true},
		"string not equal":            {`{ $.eventType != "UpdateTrail" }`, false},
		"case sensitive":              {`{ $.eventType = "updatetrail" }`, false},
		"suffix wildcard":             {`{ $.sourceIPAddress = 123.123.* }`, true},
		"suffix wildcard, not equal":  {`{ $.sourceIPAddress != 123.123.* }`, false},
		"prefix wildcard":             {`{ $.errorCode = "*Denied" }`, true},
		"inner star is itself":        {`{ $.errorCode = "Access*Denied" }`, false},
		"nested":                      {`{ $.user.email = "John.Stiles@example.com" }`, true},
		"array element":               {`{ $.arrayKey[0] = "value" }`, true},
		"object in array":             {`{ $.objectList[1].id = 2 }`, true},
		"nested arrays":               {`{ $.coordinates[0][1] = 1 }`, true},
		"array past its end":          {`{ $.arrayKey[5] = "value" }`, false},
		"any element":                 {`{ $.arrayKey[*] = "another value" }`, true},
		"any element of objects":      {`{ $.objectList[*].name = "b" }`, true},
		"no element":                  {`{ $.arrayKey[*] = "none" }`, false},
		"any value, a number too":     {`{ $.latency = * }`, true},
		"numbers":                     {`{ $.bandwidth > 74 && $.latency < 50 && $.bandwidth >= 75 && $.latency <= 20 }`, true},
		"number not equal":            {`{ $.bandwidth != 75 }`, false},
		"selector names an array, =":  {`{ $.users = 1 }`, false},
		"selector names an array, !=": {`{ $.users != 1 }`, false},
		"is null":                     {`{ $.SomeObject IS NULL }`, true},
		"is null of a value":          {`{ $.eventType IS NULL }`, false},
		"not exists":                  {`{ $.SomeOtherObject NOT EXISTS }`, true},
		"not exists of a null":        {`{ $.SomeObject NOT EXISTS }`, false},
		"is true":                     {`{ $.ThisFlag IS TRUE }`, true},
		"is false":                    {`{ $.ThatFlag IS FALSE && $.ThisFlag IS TRUE }`, true},
		// The guide's own example of the order of operations: && binds
		// first, so the first pattern matches and the parenthesised one
		// does not.
		"and before or":      {`{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }`, true},
		"parentheses first":  {`{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }`, false},
		"nested parentheses": {`{ (($.eventType = "x") || ($.eventType = "UpdateTrail")) && (($.latency = 20)) }`, true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := Parse(c.pattern)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range Readings {
				got, err := p.Match([]byte(event), o)
				if err != nil || got != c.want {
					t.Errorf("%+v: expected %s to match=%v, found %v (%v)", o, c.pattern, c.want, got, err)
				}
			}
		})
	}
}

// TestMissingProperty: the guide does not say whether != matches an
// event without the property; the readings differ there and nowhere else.
func TestMissingProperty(t *testing.T) {
	p, err := Parse(`{ $.userIdentity.invokedBy != "cloudfront.amazonaws.com" }`)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range Readings {
		got, _ := p.Match([]byte(event), o)
		if got != o.MissingNotEqual {
			t.Errorf("%+v: expected match=%v, found %v", o, o.MissingNotEqual, got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"no braces":           `$.eventType = "x"`,
		"no selector":         `{ eventType = "x" }`,
		"no operator":         `{ $.eventType "x" }`,
		"unbalanced":          `{ ($.eventType = "x" }`,
		"unterminated string": `{ $.eventType = "x }`,
		"number operator":     `{ $.eventType > "x" }`,
		"trailing text":       `{ $.eventType = "x" } extra`,
		"two wildcards":       `{ $.a[*].b[*] = "x" }`,
		"not equal any":       `{ $.a[*] != "x" }`,
		"too long":            `{ $.eventType = "` + strings.Repeat("x", MaxLength) + `" }`,
	}
	for name, pattern := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(pattern); err == nil {
				t.Errorf("expected %q to be refused", pattern)
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	p, err := Parse(`{ $.eventType = "x" }`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Match([]byte("not json"), Options{}); err == nil {
		t.Error("expected an error for an event that is not JSON")
	}
}

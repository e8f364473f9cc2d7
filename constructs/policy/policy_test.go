package policy

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := Statement{Sid: "Ok", Effect: Allow, Actions: []string{"s3:GetObject"}, Resources: []string{"*"}}
	with := func(change func(*Statement)) Document {
		s := ok
		change(&s)
		return Document{Statements: []Statement{s}}
	}
	cases := map[string]struct {
		doc  Document
		want string // "" for a valid document
	}{
		"valid":                   {Document{Statements: []Statement{ok}}, ""},
		"not-actions instead":     {with(func(s *Statement) { s.Actions, s.NotActions = nil, []string{"iam:*"} }), ""},
		"no statements":           {Document{}, "at least one statement"},
		"sid with a space":        {with(func(s *Statement) { s.Sid = "Not ok" }), `Statements[0].Sid: "Not ok" must be letters and digits only`},
		"empty sid":               {with(func(s *Statement) { s.Sid = "" }), `Statements[0].Sid: "" must be letters and digits only`},
		"duplicate sid":           {Document{Statements: []Statement{ok, ok}}, `Statements[1].Sid: "Ok" is used twice`},
		"bad effect":              {with(func(s *Statement) { s.Effect = "allow" }), `Statements[0].Effect: "allow" is neither Allow nor Deny`},
		"no actions":              {with(func(s *Statement) { s.Actions = nil }), "exactly one of Actions and NotActions"},
		"actions and not-actions": {with(func(s *Statement) { s.NotActions = []string{"iam:*"} }), "exactly one of Actions and NotActions"},
		"bad principal type":      {with(func(s *Statement) { s.Principals = []Principal{{Type: "Group", Identifiers: []string{"x"}}} }), `Statements[0].Principals[0].Type: "Group"`},
		"principal without ids":   {with(func(s *Statement) { s.Principals = []Principal{{Type: PrincipalAWS}} }), `Statements[0].Principals[0].Identifiers: is required`},
		"condition without value": {with(func(s *Statement) { s.Conditions = []Condition{{Test: "Bool", Variable: "aws:SecureTransport"}} }), "Statements[0].Conditions[0]: is required: an operator, a key and at least one value"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := c.doc.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("expected a valid document, found %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("expected an error containing %q, found %v", c.want, err)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	d := Document{Statements: []Statement{
		{Sid: "Tls", Effect: Deny, Principals: []Principal{{Type: PrincipalAny, Identifiers: []string{"*"}}}, Actions: []string{"s3:*"}, Resources: []string{"*"},
			Conditions: []Condition{{Test: "Bool", Variable: SecureTransport, Values: []string{"false"}}}},
		{Sid: "Svc", Effect: Allow, Principals: []Principal{{Type: PrincipalService, Identifiers: []string{"cloudtrail.amazonaws.com"}}}, NotActions: []string{"iam:*"}},
	}}
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"Tls","Effect":"Deny","Principal":"*","Action":["s3:*"],"Resource":["*"],"Condition":{"Bool":{"aws:SecureTransport":["false"]}}},` +
		`{"Sid":"Svc","Effect":"Allow","Principal":{"Service":["cloudtrail.amazonaws.com"]},"NotAction":["iam:*"]}]}`
	if got := string(d.JSON()); got != want {
		t.Errorf("expected\n%s\nfound\n%s", want, got)
	}
}

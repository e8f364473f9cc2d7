package access

import (
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/internal/iameval"
)

// ServiceStatement is a statement of one of the stack's key, bucket, topic
// or trust policies that allows an AWS service principal: the service then
// calls with its own credentials, and the statement's conditions hold only
// if the service puts their keys in the request.
type ServiceStatement struct {
	// Policy is the policy's name in the model (as in iameval.Ref).
	Policy string
	Sid    string
	// Services are the service principals the statement names.
	Services []string
	Actions  []string
	// Conditions are the statement's conditions, references resolved.
	Conditions []iameval.Condition
}

// ServiceStatements are the stack's statements that allow an AWS service
// principal, policy by policy in address order, stack by stack.
func (m *Model) ServiceStatements() []ServiceStatement {
	var policies []*iameval.Policy
	for _, s := range m.stacks {
		for _, b := range s.doc.Resources("aws_kms_key") {
			policies = append(policies, m.KeyPolicy(b.Address))
		}
		for _, typ := range []string{"aws_s3_bucket_policy", "aws_sns_topic_policy"} {
			for _, b := range s.doc.Resources(typ) {
				policies = append(policies, s.policy(m.name(s, b.Address), b.Attrs["policy"]))
			}
		}
		for _, b := range s.doc.Resources("aws_iam_role") {
			policies = append(policies, m.TrustPolicy(b.Address))
		}
	}
	var out []ServiceStatement
	for _, p := range policies {
		if p == nil {
			continue
		}
		for _, s := range p.Statements {
			if s.Effect != iameval.Allow || len(s.Principals["Service"]) == 0 {
				continue
			}
			out = append(out, ServiceStatement{Policy: p.Name, Sid: s.Sid, Services: s.Principals["Service"], Actions: s.Actions, Conditions: s.Conditions})
		}
	}
	return out
}

// KeyCoverage is how one condition key of a service statement is known
// to hold for the service's calls: because a row's AWS page shows the
// service sending the key on that call, or because the statement allows
// the call both with the key and without it.
type KeyCoverage struct {
	Statement ServiceStatement
	// Key and Operator are the condition's; Key is "" for a statement
	// without conditions, which holds whenever a row relies on it.
	Key, Operator string
	// Documented are the allowed rows, decided by the statement, whose
	// page shows the service sending the key (Interaction.Sent).
	Documented []Interaction
	// With and Without are the allowed rows, decided by the statement,
	// whose request carries the key and whose request lacks it.
	With, Without []Interaction
}

// Holds reports whether the key is covered: documented, or proven both
// ways. A statement no row relies on holds nothing.
func (k KeyCoverage) Holds() bool {
	if k.Key == "" {
		return len(k.Without) > 0
	}
	return len(k.Documented) > 0 || (len(k.With) > 0 && len(k.Without) > 0)
}

// How says in words how the key holds, or what is missing.
func (k KeyCoverage) How() string {
	switch {
	case k.Key == "" && k.Holds():
		return "no condition; relied on by: " + names(k.Without)
	case k.Key == "":
		return "no row relies on this statement"
	case len(k.Documented) > 0:
		return "documented: " + k.Documented[0].Source
	case k.Holds():
		return "no page shows the key on this call; allowed with it (" + names(k.With) + ") and without it (" + names(k.Without) + ")"
	case len(k.With) == 0 && len(k.Without) == 0:
		return "no row relies on this statement"
	case len(k.Without) == 0:
		return "no page shows the key on this call, and no row shows the call allowed without it"
	}
	return "no page shows the key on this call, and no row shows the call allowed with it"
}

func names(rows []Interaction) string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Name
	}
	return strings.Join(out, "; ")
}

// ServiceCoverage decides every applicable interaction and returns, for
// every condition key of every service statement of the stack (one entry
// for a statement without conditions), the rows that show it holds.
func (m *Model) ServiceCoverage() []KeyCoverage {
	type decided struct {
		row Interaction
		req iameval.Request
		by  []iameval.Ref
	}
	var rows []decided
	for _, in := range m.Applicable() {
		if !in.Allowed {
			continue
		}
		r := in.Request(m)
		if r.Caller.Service == "" {
			continue
		}
		if d := iameval.Evaluate(r); d.Allowed {
			rows = append(rows, decided{in, r, d.By})
		}
	}
	var out []KeyCoverage
	for _, s := range m.ServiceStatements() {
		ref := iameval.Ref{Policy: s.Policy, Sid: s.Sid}
		var relying []decided
		for _, d := range rows {
			if slices.Contains(d.by, ref) {
				relying = append(relying, d)
			}
		}
		if len(s.Conditions) == 0 {
			k := KeyCoverage{Statement: s}
			for _, d := range relying {
				k.Without = append(k.Without, d.row)
			}
			out = append(out, k)
			continue
		}
		for _, c := range s.Conditions {
			k := KeyCoverage{Statement: s, Key: c.Key, Operator: c.Operator}
			for _, d := range relying {
				switch {
				case !hasKey(d.req.Context, c.Key):
					k.Without = append(k.Without, d.row)
				case slices.ContainsFunc(d.row.Sent, func(s string) bool { return strings.EqualFold(s, c.Key) }):
					k.Documented = append(k.Documented, d.row)
					k.With = append(k.With, d.row)
				default:
					k.With = append(k.With, d.row)
				}
			}
			out = append(out, k)
		}
	}
	return out
}

// hasKey reports whether ctx has key; condition keys are case-insensitive.
func hasKey(ctx map[string][]string, key string) bool {
	for k := range ctx {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

package access

import (
	"strings"

	"github.com/cle2wa/audit-trail/internal/iameval"
)

// Column is one operation on the evidence: one or more requests that must
// all be allowed.
type Column struct {
	Title string
	// requests builds the requests of the operation for a caller, with
	// the caller's base context.
	requests func(m *Model, c iameval.Caller, ctx Context) []iameval.Request
	// alternatives, when set, are a second set of requests under another
	// documented behaviour of the service; the cell then shows both.
	alternative func(m *Model, c iameval.Caller, ctx Context) []iameval.Request
	// Behaviours name the first and the alternative behaviour.
	Behaviours [2]string
}

// Columns are the operations of the access matrix.
var Columns = []Column{
	{Title: "Read a log file (object and decryption)", requests: func(m *Model, c iameval.Caller, ctx Context) []iameval.Request {
		return []iameval.Request{
			m.s3(c, "s3:GetObject", logBucket, m.logObject(), ctx),
			m.kms(c, "kms:Decrypt", trailKey, ctx.with(m.trailFileContext())),
		}
	}},
	{Title: "Read the log group", requests: func(m *Model, c iameval.Caller, ctx Context) []iameval.Request {
		return []iameval.Request{m.identityOnly(c, "logs:GetLogEvents", m.Env.LogGroup(m.Attr(logGroup, "name")), ctx)}
	}, alternative: func(m *Model, c iameval.Caller, ctx Context) []iameval.Request {
		return []iameval.Request{
			m.identityOnly(c, "logs:GetLogEvents", m.Env.LogGroup(m.Attr(logGroup, "name")), ctx),
			m.kms(c, "kms:Decrypt", logsKey, ctx.with(m.logsContext(true))),
		}
	}, Behaviours: [2]string{"Logs decrypts as a service", "for the caller"}},
	{Title: "Delete a log file version", requests: func(m *Model, c iameval.Caller, ctx Context) []iameval.Request {
		return []iameval.Request{m.s3(c, "s3:DeleteObjectVersion", logBucket, m.logObject(), ctx)}
	}},
	{Title: "Change the bucket policy", requests: func(m *Model, c iameval.Caller, ctx Context) []iameval.Request {
		return []iameval.Request{m.s3(c, "s3:PutBucketPolicy", logBucket, "", ctx)}
	}},
	{Title: "Change the key policy", requests: func(m *Model, c iameval.Caller, ctx Context) []iameval.Request {
		return []iameval.Request{m.kms(c, "kms:PutKeyPolicy", trailKey, ctx)}
	}},
	{Title: "Delete the trail key", requests: func(m *Model, c iameval.Caller, ctx Context) []iameval.Request {
		return []iameval.Request{m.kms(c, "kms:ScheduleKeyDeletion", trailKey, ctx)}
	}},
	{Title: "Stop the trail", requests: func(m *Model, c iameval.Caller, ctx Context) []iameval.Request {
		return []iameval.Request{m.identityOnly(c, "cloudtrail:StopLogging", m.trailARN(), ctx)}
	}},
	{Title: "Assume the audit role", requests: func(m *Model, c iameval.Caller, ctx Context) []iameval.Request {
		return []iameval.Request{m.assume(c, auditRole, ctx)}
	}},
}

// Cell is one decision of the matrix.
type Cell struct {
	// Allowed is the decision; under a column with two behaviours, the
	// first one's.
	Allowed bool
	// Text is what the report shows: yes, no, or both behaviours.
	Text string
	// Why names the deciding statements or the missing allow.
	Why string
}

// allAllowed decides every request; the first denied one gives the reason.
func allAllowed(rs []iameval.Request) (bool, string) {
	var why []string
	for _, r := range rs {
		d := iameval.Evaluate(r)
		if !d.Allowed {
			return false, r.Action + " " + d.String()
		}
		why = append(why, r.Action+" "+d.String())
	}
	return true, strings.Join(why, "; ")
}

// Matrix decides every column for every persona.
func (m *Model) Matrix() [][]Cell {
	var out [][]Cell
	for _, p := range m.Personas() {
		ctx := overTLS
		if p.Person && !p.Federated {
			ctx = signedIn
		}
		var row []Cell
		for _, col := range Columns {
			ok, why := allAllowed(col.requests(m, p.Caller, ctx))
			cell := Cell{Allowed: ok, Text: yesNo(ok), Why: why}
			if col.alternative != nil {
				alt, altWhy := allAllowed(col.alternative(m, p.Caller, ctx))
				if alt != ok {
					cell.Text = col.Behaviours[0] + ": " + yesNo(ok) + "; " + col.Behaviours[1] + ": " + yesNo(alt)
					cell.Why += " | " + altWhy
				}
			}
			row = append(row, cell)
		}
		out = append(out, row)
	}
	return out
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

// Applicable returns the interactions that apply to the stack of m.
func (m *Model) Applicable() []Interaction {
	var out []Interaction
	for _, in := range Interactions {
		if in.Applies(m) {
			out = append(out, in)
		}
	}
	return out
}

// Mismatches returns the interactions whose decision is not the one the
// stack needs, with the decision.
func (m *Model) Mismatches() []string {
	var out []string
	for _, in := range m.Applicable() {
		if d := iameval.Evaluate(in.Request(m)); d.Allowed != in.Allowed {
			out = append(out, in.Name+": "+d.String()+" (needs "+yesNo(in.Allowed)+"; "+in.Source+")")
		}
	}
	return out
}

package access

import (
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

func golden(t *testing.T) *Model {
	t.Helper()
	out, err := tfjson.Load("../../testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	return New(out.Stack("audit"))
}

// TestInteractions evaluates every interaction the audit stack relies on
// against its synthesized policies; each row cites the AWS page that
// documents the request context of the call.
func TestInteractions(t *testing.T) {
	m := golden(t)
	for _, in := range Interactions {
		t.Run(in.Name, func(t *testing.T) {
			if !strings.HasPrefix(in.Source, "https://") || in.Keys == "" {
				t.Errorf("expected the row to cite its source and the context keys, found %q %q", in.Source, in.Keys)
			}
			if !in.Applies(m) {
				// The organization rows: the default trail records one
				// account (internal/stacks evaluates them on an
				// organization trail).
				if in.When == nil {
					t.Error("expected every row to apply unless it says when")
				}
				return
			}
			d := iameval.Evaluate(in.Request(m))
			if d.Allowed != in.Allowed {
				t.Errorf("expected allowed=%v (%s, %s), found %v", in.Allowed, in.Keys, in.Source, d)
			}
		})
	}
}

func TestModelResolvesReferences(t *testing.T) {
	m := golden(t)
	for in, want := range map[string]string{
		"${aws_iam_role.audit_role.arn}":                          "arn:aws:iam::111122223333:role/role-audit",
		"arn:${data.aws_partition.current_partition.partition}:x": "arn:aws:x",
		"${aws_s3_bucket.log_bucket.arn}/*":                       "arn:aws:s3:::cle2wa-s3-trail-master/*",
		"${aws_kms_key.trail_key.arn}":                            "arn:aws:kms:us-east-1:111122223333:key/trail_key",
		"${aws_cloudwatch_log_group.monitoring_log_group.arn}":    "arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail/trail-master",
		"${aws_nothing.here.arn}":                                 "${aws_nothing.here.arn}",
	} {
		if got := m.Resolve(in); got != want {
			t.Errorf("Resolve(%q): expected %q, found %q", in, want, got)
		}
	}
}

// expectedMatrix is who can do what with the default stacks: a change
// that widens access changes a cell here and in REVIEW.md.
var expectedMatrix = map[string][]string{
	"audit role (assumed with MFA)":        {"yes", "yes", "no", "no", "no", "no", "no", "no"},
	"audit group member, without the role": {"no", "no", "no", "no", "no", "no", "no", "yes"},
	"deployer (applies reviewed changes)":  {"no", "Logs decrypts as a service: yes; for the caller: no", "no", "yes", "yes", "no", "yes", "no"},
	"break-glass principal":                {"no", "Logs decrypts as a service: yes; for the caller: no", "yes", "yes", "yes", "yes", "yes", "no"},
	"administrator (AdministratorAccess)":  {"no", "Logs decrypts as a service: yes; for the caller: no", "no", "no", "no", "no", "yes", "no"},
	"read-only user (ReadOnlyAccess)":      {"no", "Logs decrypts as a service: yes; for the caller: no", "no", "no", "no", "no", "no", "no"},
	"CloudTrail":                           {"no", "no", "no", "no", "no", "no", "no", "no"},
	"CloudWatch Logs":                      {"no", "no", "no", "no", "no", "no", "no", "no"},
	"anonymous":                            {"no", "no", "no", "no", "no", "no", "no", "no"},
	"administrator of another account":     {"no", "no", "no", "no", "no", "no", "no", "no"},
}

func TestMatrix(t *testing.T) {
	m := golden(t)
	for i, p := range m.Personas() {
		row := m.Matrix()[i]
		want, ok := expectedMatrix[p.Name]
		if !ok || len(want) != len(row) {
			t.Errorf("%s: expected a row of %d cells in expectedMatrix, found %v", p.Name, len(row), want)
			continue
		}
		for j, cell := range row {
			if cell.Text != want[j] {
				t.Errorf("%s / %s: expected %q, found %q (%s)", p.Name, Columns[j].Title, want[j], cell.Text, cell.Why)
			}
		}
	}
}

// TestOldDefectsAreCaught puts each defect of earlier releases back into
// the synthesized JSON and expects the interaction it broke to flip: the
// rows prove what AWS does, not what the code believes.
func TestOldDefectsAreCaught(t *testing.T) {
	cases := map[string]struct {
		defect      func(t *testing.T, raw map[string]any)
		interaction string
	}{
		"the CloudWatch Logs role trusts CloudTrail only with aws:SourceArn": {func(t *testing.T, raw map[string]any) {
			set(t, raw, []any{map[string]any{"test": "StringEquals", "variable": "aws:SourceArn", "values": []any{"arn:aws:cloudtrail:us-east-1:111122223333:trail/trail-master"}}},
				"data", "aws_iam_policy_document", "monitoring_role_trust", "statement", 0, "condition")
		}, "CloudTrail assumes the CloudWatch Logs role"},
		"the Logs key spares no caller from its Deny": {func(t *testing.T, raw map[string]any) {
			deny := statementNamed(t, raw, "monitoring_logs_key_policy", "DenyDecryptToAllOthers")
			deny["condition"] = []any{map[string]any{"test": "Bool", "variable": "aws:PrincipalIsAWSService", "values": []any{"false"}}}
		}, "the audit role reads the log group (Logs for the caller)"},
		"the Logs key has no statement for callers": {func(t *testing.T, raw map[string]any) {
			st := tfjsonStatements(t, raw, "monitoring_logs_key_policy")
			set(t, raw, []any{st[0], st[1], st[len(st)-3], st[len(st)-2], st[len(st)-1]}, "data", "aws_iam_policy_document", "monitoring_logs_key_policy", "statement")
		}, "an administrator creates the log group (Logs for the caller)"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			m := golden(t)
			c.defect(t, m.doc.Raw())
			found := false
			for _, in := range Interactions {
				if in.Name != c.interaction {
					continue
				}
				found = true
				if d := iameval.Evaluate(in.Request(m)); d.Allowed == in.Allowed {
					t.Errorf("expected %q to flip with the old defect, found %v", in.Name, d)
				}
			}
			if !found {
				t.Fatalf("no interaction %q", c.interaction)
			}
		})
	}
}

func set(t *testing.T, raw map[string]any, value any, path ...any) {
	t.Helper()
	if err := tfjson.Set(raw, value, path...); err != nil {
		t.Fatal(err)
	}
}

func tfjsonStatements(t *testing.T, raw map[string]any, doc string) []any {
	t.Helper()
	st, ok := tfjson.Get(raw, "data", "aws_iam_policy_document", doc, "statement").([]any)
	if !ok || len(st) == 0 {
		t.Fatalf("no statements in %s", doc)
	}
	return st
}

// statementNamed is the statement with sid of the policy document doc.
func statementNamed(t *testing.T, raw map[string]any, doc, sid string) map[string]any {
	t.Helper()
	for _, s := range tfjsonStatements(t, raw, doc) {
		if st := s.(map[string]any); st["sid"] == sid {
			return st
		}
	}
	t.Fatalf("no statement %s in %s", sid, doc)
	return nil
}

// TestServiceCoverage: every condition key of every statement that allows
// an AWS service holds, documented or both ways (the table of all stacks
// and settings is TestServiceConditions in the main package); and each
// way of getting it wrong is caught.
func TestServiceCoverage(t *testing.T) {
	for _, k := range golden(t).ServiceCoverage() {
		if !k.Holds() {
			t.Errorf("%s %s, %s %s: %s", k.Statement.Policy, k.Statement.Sid, k.Operator, k.Key, k.How())
		}
	}
	sourceArnIs := func(test string) map[string]any {
		return map[string]any{"test": test, "variable": "aws:SourceArn", "values": []any{"arn:aws:cloudtrail:us-east-1:111122223333:trail/trail-master"}}
	}
	cases := map[string]struct {
		defect    func(t *testing.T, raw map[string]any)
		statement string
		key       string
	}{
		// The first-apply breaker of issue 27: no page shows CloudTrail
		// sending aws:SourceArn on its create-time Decrypt.
		"the bucket-key decrypt requires aws:SourceArn": {func(t *testing.T, raw map[string]any) {
			statementNamed(t, raw, "trail_key_policy", "CloudTrailUsesBucketKey")["condition"] = []any{sourceArnIs("StringEquals")}
		}, "CloudTrailUsesBucketKey", "aws:SourceArn"},
		"the ACL check requires a key no page shows on it": {func(t *testing.T, raw map[string]any) {
			st := statementNamed(t, raw, "log_bucket_policy", "CloudTrailAclCheck")
			st["condition"] = append(st["condition"].([]any), map[string]any{"test": "StringEqualsIfExists", "variable": "aws:SourceAccount", "values": []any{"111122223333"}})
		}, "CloudTrailAclCheck", "aws:SourceAccount"},
		"the CloudWatch Logs role trusts CloudTrail only with aws:SourceArn": {func(t *testing.T, raw map[string]any) {
			statementNamed(t, raw, "monitoring_role_trust", "CloudTrailAssumesRole")["condition"] = []any{sourceArnIs("StringEquals")}
		}, "CloudTrailAssumesRole", "aws:SourceArn"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			m := golden(t)
			c.defect(t, m.doc.Raw())
			found := false
			for _, k := range m.ServiceCoverage() {
				if k.Statement.Sid == c.statement && k.Key == c.key {
					found = true
					if k.Holds() {
						t.Errorf("expected %s %s not to hold, found %s", c.statement, c.key, k.How())
					}
				}
			}
			if !found {
				t.Errorf("expected a coverage entry for %s %s", c.statement, c.key)
			}
		})
	}
}

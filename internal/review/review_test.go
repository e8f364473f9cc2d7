package review

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

const goldenOut = "../../testdata/golden"

func TestReport(t *testing.T) {
	out, err := tfjson.Load(goldenOut)
	if err != nil {
		t.Fatal(err)
	}
	out.Annotations = append(out.Annotations, tfjson.Annotation{Stack: "audit", Path: "audit/access_log_bucket/Default", Level: "INFO", Message: "suppressed BUCKET-VERSIONING: the test says so, for a reason long enough"})
	scans := []Scan{{Scanner: "trivy config", Findings: []ScanFinding{
		{ID: "AVD-AWS-0089", Severity: "LOW", Title: "Bucket has logging disabled", Resource: "aws_s3_bucket.access_log_bucket", Target: "audit", Ignored: "it is the target of access logs"},
		{ID: "AVD-AWS-0132", Severity: "HIGH", Title: "Bucket does not encrypt data with a customer managed key", Resource: "aws_s3_bucket.access_log_bucket", Target: "audit"},
		{ID: "AVD-AWS-0132", Severity: "HIGH", Title: "Bucket does not encrypt data with a customer managed key", Resource: "aws_s3_bucket.state_bucket", Target: "state"},
	}}}
	var b bytes.Buffer
	if err := Write(&b, check.Run(out), scans); err != nil {
		t.Fatal(err)
	}
	report := b.String()
	if b.Len() >= MaxBytes {
		t.Errorf("expected the report under %d bytes for a PR comment, found %d", MaxBytes, b.Len())
	}
	for _, want := range []string{
		"| v1.4.0 | v3.0.0 | v5.0.0 | Recommendation",
		// A Security Hub control of the Security Hub table has its
		// standards there, once.
		"| 3.1 | 3.1 | 3.1 | Ensure CloudTrail is enabled in all regions | CloudTrail.1 | **PASS** |",
		"| CloudTrail.1 | CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events | CIS v1.2.0, v1.4.0, v3.0.0, v5.0.0, FSBP | **PASS** | as for CIS v5.0.0 3.1 above |",
		"| 3.6 | 3.4 | 3.4 | Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket | CloudTrail.7 | **PASS** |",
		"| 3.4 | - | - | Ensure CloudTrail trails are integrated with CloudWatch Logs | CloudTrail.5 | **PASS** |",
		// One the latest version does not have is named by its number in
		// the latest that does.
		"| CloudTrail.5 | CloudTrail trails should be integrated with Amazon CloudWatch Logs | CIS v1.2.0, v1.4.0, FSBP | **PASS** | as for CIS v1.4.0 3.4 above |",
		"| 4.1 | 4.1 | 4.1 | Ensure unauthorized API calls are monitored | CloudWatch.2 (CIS v1.2.0) | **FAIL** | audit:aws_sns_topic.monitoring_topic (nobody is subscribed",
		// The same evidence as the row above is not repeated.
		"| 4.3 | 4.3 | 4.3 | Ensure usage of 'root' account is monitored | CloudWatch.1 (CIS v1.2.0, v1.4.0) | **FAIL** | as above |",
		"| 4.15 | 4.15 | 4.15 | Ensure AWS Organizations changes are monitored | none | **FAIL** |",
		// Evidence that holds for every resource of a type names the type.
		"| S3.14 | S3 general purpose buckets should have versioning enabled | no CIS or FSBP standard | **PASS** | every `aws_s3_bucket` (4): versioned |",
		// A row whose evidence a row above shows names that row.
		"| AT.3 | Changes to the stack's keys, roles, auditors and evidence buckets raise an alarm | **FAIL** | as for CIS v5.0.0 4.1 above |",
		"| AT.1 | The trail's new log files and digests are under S3 Object Lock for at least a year | **PASS** | audit:aws_s3_bucket.log_bucket: Object Lock GOVERNANCE for 365 days |",
		// Each alarm on metric filters is one row, with its filters.
		"- every alarm, unless its row says otherwise: actions_enabled=true, alarm_actions=[${aws_sns_topic.monitoring_topic.arn}],",
		"| `monitoring_alarm_root_account_usage` | `cis-4.3-root-account-usage`: CIS 4.3: ",
		"| CISBenchmark/RootAccountUsage: { $.userIdentity.type = \"Root\"",
		// What each filter's address and name and each description share
		// is said once.
		"- each filter is `monitoring_filter_{X}` for the alarm `monitoring_alarm_{X}`, named as the alarm; where its row numbers it `_{n}`, it is `monitoring_filter_{X}_{n}`, named as the alarm with `-{n}`;",
		`treat_missing_data=notBreaching, alarm_description ends ", seen in the events of trail-master"`,
		"| `cis-4.3-root-account-usage`: CIS 4.3: Use of the \"root\" account |",
		// A bucket policy's statement that another's repeats but for its
		// one bucket is named, not repeated.
		// Statements in a row named as in the same place are one line.
		"  - `DenyInsecureTransport`, `DenyEvidenceDestructionButBreakGlass`, `DenyProtectionChangesButOperators` as in `access_log_bucket_policy`, on the bucket cle2wa-s3-trail-master\n",
		// A long statement that another repeats but for its conditions
		// is named, with its own conditions.
		"  - `DenyReadingTheTrailLogGroupButTheAuditRole` as `DenyReadingTheTrailLogGroup` in `deny_log_reads` but if ArnNotEquals aws:PrincipalArn ${iam}:role/role-audit\n",
		// So is one of another stack, named with its stack.
		"  - `DenyInsecureTransport`, `DenyEvidenceDestructionButBreakGlass`, `DenyProtectionChangesButOperators` as in `access_log_bucket_policy` of stack `audit`, on the bucket cle2wa-s3-tfstate-log-master\n",
		// Filters that count into one metric share their alarm's row.
		"AuditTrail/MonitoringChanges: `_1`: { ($.eventSource = \"logs.amazonaws.com\")",
		// The start of an ARN that recurs is named by its service.
		"`${iam}` for `arn:${partition}:iam::${account}`, `${logs}` for `arn:${partition}:logs:us-east-1:${account}`, `${s3}` for `arn:${partition}:s3::`",
		"- `aws_cloudtrail.trail`: ",
		// Resources of a type the same but for the name they are made
		// from are one line; one that differs in full, beyond what its
		// line shows (the log bucket's policy waits for its Object Lock),
		// is its own.
		"- `aws_s3_bucket_versioning.{X}_versioning` for {X} in `access_log_bucket`, `log_bucket`: bucket=${aws_s3_bucket.{X}.id}, versioning_configuration.status=Enabled\n",
		"- `aws_s3_bucket_policy.log_bucket_policy`: bucket=${aws_s3_bucket.log_bucket.id}, ",
		"is_multi_region_trail=true",
		"`DenyDecryptToAllOthers` Deny *: * to kms:Decrypt, kms:ReEncryptFrom on * if ArnNotEquals aws:PrincipalArn ${iam}:role/role-audit and Bool aws:PrincipalIsAWSService false",
		"## Stack `state`",
		// A resource the same as one of another stack is named as there.
		"- `terraform_data.first_deployer`: as in stack `audit`\n",
		"Reads `data.terraform_remote_state.audit`: local (path=../../../terraform.audit.tfstate)",
		"- `audit/access_log_bucket/Default` BUCKET-VERSIONING: the test says so",
		"- FAIL [audit/access_log_bucket/Default] BUCKET-ACCESS-LOGGING: no server access logging",
		"trivy config: 3 findings, 2 of them unexplained.",
		"| AVD-AWS-0132 | HIGH | audit aws_s3_bucket.access_log_bucket, state aws_s3_bucket.state_bucket |",
		"| AVD-AWS-0089 | LOW | audit aws_s3_bucket.access_log_bucket | Bucket has logging disabled | it is the target of access logs |",
		"**none: fix it or explain it**",
		"## Who can do what",
		"| administrator (AdministratorAccess) | no | Logs decrypts as a service: yes; for the caller: no | no | no | no | no | yes | no |",
		"cross-service interactions the stack relies on (or must refuse) are decided as it needs",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("expected the report to contain %q", want)
		}
	}
	if strings.Contains(report, "/work/") || strings.Contains(report, os.TempDir()) {
		t.Errorf("expected no host paths in the report")
	}
}

func TestParseIgnores(t *testing.T) {
	good := "# The access-log bucket is the target of server access logs;\n# logging its own access would loop.\nAVD-AWS-0089\n\n# reason two\nAVD-AWS-0132 exp:2027-01-01\n"
	ig, err := ParseIgnores(".trivyignore", []byte(good))
	if err != nil {
		t.Fatalf("expected a valid file, found %v", err)
	}
	if ig.explain("AWS-0089") != "The access-log bucket is the target of server access logs; logging its own access would loop." || ig.explain("AVD-AWS-0132") != "reason two" {
		t.Errorf("expected each ID with its reason, found %v", ig)
	}
	_, err = ParseIgnores(".trivyignore", []byte("# reason\nAVD-AWS-0001\n\nAVD-AWS-0002\n"))
	if err == nil || !strings.Contains(err.Error(), ".trivyignore:4: AVD-AWS-0002 is ignored without a reason") {
		t.Errorf("expected an entry without a reason to be refused with its line, found %v", err)
	}
}

func TestCommittedTrivyIgnoreExplainsEveryEntry(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".trivyignore"))
	if err != nil {
		t.Skipf("no .trivyignore: %v", err)
	}
	if _, err := ParseIgnores(".trivyignore", data); err != nil {
		t.Error(err)
	}
}

func TestLoadScans(t *testing.T) {
	dir := t.TempDir()
	trivy := filepath.Join(dir, "trivy.json")
	tfsec := filepath.Join(dir, "tfsec.json")
	ignore := filepath.Join(dir, ".trivyignore")
	os.WriteFile(trivy, []byte(`{"Results": [{"Target": "audit"}, {"Target": "audit/cdk.tf.json", "Misconfigurations": [
		{"ID": "AWS-0089", "Title": "S3 Bucket Logging", "Severity": "LOW", "Status": "FAIL", "CauseMetadata": {"Resource": "aws_s3_bucket.access_log_bucket"}},
		{"ID": "AWS-0086", "Title": "passed", "Severity": "HIGH", "Status": "PASS", "CauseMetadata": {"Resource": "aws_s3_bucket.log_bucket"}}]}]}`), 0o644)
	os.WriteFile(tfsec, []byte(`{"results": [{"rule_id": "AVD-AWS-0162", "long_id": "aws-cloudtrail-ensure-cloudwatch-integration", "rule_description": "CloudWatch", "severity": "LOW", "resource": "aws_cloudtrail.trail", "location": {"filename": "/home/ci/project/cdktf.out/stacks/audit/cdk.tf.json"}}]}`), 0o644)
	os.WriteFile(ignore, []byte("# the target of access logs\nAVD-AWS-0089\n"), 0o644)
	scans, err := LoadScans(Inputs{Trivy: []string{trivy}, Tfsec: []string{tfsec}, TrivyIgnore: ignore})
	if err != nil {
		t.Fatal(err)
	}
	want := []Scan{
		{Scanner: "trivy config", Findings: []ScanFinding{{ID: "AWS-0089", Severity: "LOW", Title: "S3 Bucket Logging", Resource: "aws_s3_bucket.access_log_bucket", Target: "audit", Ignored: "the target of access logs"}}},
		{Scanner: "tfsec", Findings: []ScanFinding{{ID: "AVD-AWS-0162", Severity: "LOW", Title: "CloudWatch", Resource: "aws_cloudtrail.trail", Target: "audit"}}},
	}
	if fmt.Sprint(scans) != fmt.Sprint(want) {
		t.Errorf("expected %+v, found %+v", want, scans)
	}
}

// TestLoadKICS reads KICS's JSON report in the shape KICS 2.2.0 writes it
// (trimmed to two queries): findings by query ID with their explanations,
// INFO findings left out, the stack named from the file.
func TestLoadKICS(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "results.json")
	ignore := filepath.Join(dir, ".kicsignore")
	os.WriteFile(report, []byte(`{"kics_version": "development", "queries": [
		{"query_name": "S3 Bucket Policy Accepts HTTP Requests", "query_id": "4bc4dd4c-7d8d-405e-a0fb-57fa4c31b4d9", "severity": "MEDIUM", "platform": "Terraform",
		 "files": [{"file_name": "cdktf.out/stacks/state/cdk.tf.json", "resource_type": "aws_s3_bucket_policy", "resource_name": "${aws_s3_bucket.state_bucket.id}", "search_key": "aws_s3_bucket_policy[state_bucket_policy].policy", "line": 12}]},
		{"query_name": "IAM Access Analyzer Not Enabled", "query_id": "e592a0c5-5bdb-414c-9066-5dba7cdea370", "severity": "LOW",
		 "files": [{"file_name": "cdktf.out/stacks/audit/cdk.tf.json", "resource_type": "n/a", "resource_name": "n/a", "search_key": "resource"}]},
		{"query_name": "Output Without Description", "query_id": "59312e8a-a64e-41e7-a252-618533dd1ea8", "severity": "INFO",
		 "files": [{"file_name": "cdktf.out/stacks/audit/cdk.tf.json", "resource_type": "n/a", "resource_name": "n/a", "search_key": "output"}]}]}`), 0o644)
	os.WriteFile(ignore, []byte("# resolved in JSON: the statement DenyInsecureTransport\n4bc4dd4c-7d8d-405e-a0fb-57fa4c31b4d9\n"), 0o644)
	scans, err := LoadScans(Inputs{KICS: []string{report}, KICSIgnore: ignore, TrivyIgnore: filepath.Join(dir, "none")})
	if err != nil {
		t.Fatal(err)
	}
	want := []Scan{{Scanner: "KICS", Findings: []ScanFinding{
		{ID: "4bc4dd4c-7d8d-405e-a0fb-57fa4c31b4d9", Severity: "MEDIUM", Title: "S3 Bucket Policy Accepts HTTP Requests", Resource: "aws_s3_bucket_policy[state_bucket_policy].policy", Target: "state", Ignored: "resolved in JSON: the statement DenyInsecureTransport"},
		{ID: "e592a0c5-5bdb-414c-9066-5dba7cdea370", Severity: "LOW", Title: "IAM Access Analyzer Not Enabled", Resource: "n/a", Target: "audit"},
	}}}
	if fmt.Sprint(scans) != fmt.Sprint(want) {
		t.Errorf("expected %+v, found %+v", want, scans)
	}
}

func TestFold(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e", "f", "g"}
	if got, want := fold(items, ", "), "a, b, c, d, e, … (7 in all)"; got != want {
		t.Errorf("expected %q, found %q", want, got)
	}
	// One more than foldAt is shown whole: folding it would hide nothing.
	if got, want := fold(items[:6], "|"), "a|b|c|d|e|f"; got != want {
		t.Errorf("expected %q, found %q", want, got)
	}
}

// TestAsAbove: a table row whose evidence is the row's above says "as
// above"; rows whose evidence is the same but for one name say it once,
// {X} in its place, and then only the name; no row loses what it shows.
func TestAsAbove(t *testing.T) {
	chain := func(x string) string {
		return "t: 3 subscriptions; trail: filter_" + x + " -> alarm_" + x + " -> topic"
	}
	cases := map[string]struct {
		whys, want []string
	}{
		"the same": {[]string{"a", "a", "b"}, []string{"a", "as above", "b"}},
		"the same but for one name": {
			[]string{"x", chain("vpc_changes"), chain("cmk_disable"), chain("config_changes"), "y"},
			[]string{"x", "with {X} = `vpc_changes`: t: 3 subscriptions; trail: filter_{X} -> alarm_{X} -> topic", "as above, with {X} = `cmk_disable`", "as above, with {X} = `config_changes`", "y"},
		},
		"the same but for one name, then the same": {
			[]string{chain("a_b"), chain("c"), chain("c")},
			[]string{"with {X} = `a_b`: " + chain("{X}"), "as above, with {X} = `c`", "as above"},
		},
		// Two names apart, or a name apart from a row that already
		// refers to another template: in full.
		"two names apart":   {[]string{"filter_a -> alarm_b", "filter_c -> alarm_d"}, []string{"filter_a -> alarm_b", "filter_c -> alarm_d"}},
		"another template":  {[]string{"p_a q", "p_b q", "p_b r"}, []string{"with {X} = `a`: p_{X} q", "as above, with {X} = `b`", "p_b r"}},
		"a name and more":   {[]string{"alarm_a, 1 subscription", "alarm_b, 2 subscriptions"}, []string{"alarm_a, 1 subscription", "alarm_b, 2 subscriptions"}},
		"a placeholder":     {[]string{"{X} a", "{X} b"}, []string{"{X} a", "{X} b"}},
		"one row, and none": {[]string{"a"}, []string{"a"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := asAbove(c.whys)
			if !slices.Equal(got, c.want) {
				t.Errorf("expected %q, found %q", c.want, got)
			}
			// What a row shows says its evidence again.
			template := ""
			for i, g := range got {
				rest, ok := strings.CutPrefix(g, "as above, with {X} = `")
				if x, t2, found := strings.Cut(strings.TrimPrefix(g, "with {X} = `"), "`: "); found && strings.HasPrefix(g, "with {X} = `") {
					template, g = t2, strings.ReplaceAll(t2, "{X}", x)
				} else if ok {
					g = strings.ReplaceAll(template, "{X}", strings.TrimSuffix(rest, "`"))
				} else if g == "as above" {
					g = c.whys[i-1]
				}
				if g != c.whys[i] {
					t.Errorf("row %d: expected it to show %q, found %q", i, c.whys[i], got[i])
				}
			}
		})
	}
}

func TestStatementParts(t *testing.T) {
	cases := map[string]struct {
		s                iameval.Statement
		what, conditions string
	}{
		"principals, actions, resources and conditions": {
			iameval.Statement{Effect: "Deny", Principals: map[string][]string{"*": {"*"}}, Actions: []string{"s3:*"}, Resources: []string{"arn:aws:s3:::b", "arn:aws:s3:::b/*"},
				Conditions: []iameval.Condition{{Operator: "Bool", Key: "aws:SecureTransport", Values: []string{"false"}}, {Operator: "ArnNotEquals", Key: "aws:PrincipalArn", Values: []string{"a", "b"}}}},
			"Deny *: * to s3:* on arn:aws:s3:::b, arn:aws:s3:::b/*", " if Bool aws:SecureTransport false and ArnNotEquals aws:PrincipalArn a\\|b",
		},
		"the negated elements": {
			iameval.Statement{Effect: "Deny", NotPrincipals: map[string][]string{"AWS": {"arn:aws:iam::111122223333:root"}}, NotActions: []string{"iam:ChangePassword"}, NotResources: []string{"arn:aws:s3:::b"}},
			"Deny all but AWS: arn:aws:iam::111122223333:root to all but iam:ChangePassword on all but arn:aws:s3:::b", "",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			what, conditions := statementParts(c.s)
			if what != c.what || conditions != c.conditions {
				t.Errorf("expected %q and %q, found %q and %q", c.what, c.conditions, what, conditions)
			}
		})
	}
}

func TestCommonEnding(t *testing.T) {
	cases := map[string]struct {
		texts []string
		want  string
	}{
		"from a comma":         {[]string{"CIS 4.1: calls, seen in trail", "Role changes, seen in trail"}, ", seen in trail"},
		"from a space":         {[]string{"a red flag", "the red flag"}, " red flag"},
		"none in a word":       {[]string{"abc", "xbc"}, ""},
		"one text shares none": {[]string{"a, b"}, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := commonEnding(c.texts); got != c.want {
				t.Errorf("expected %q, found %q", c.want, got)
			}
		})
	}
}

func TestSubject(t *testing.T) {
	cases := map[string]struct {
		r          tfjson.Block
		x, name    string
		attrs      string
		noTemplate bool
	}{
		"a bucket's versioning": {
			r: tfjson.Block{Type: "aws_s3_bucket_versioning", Name: "log_bucket_versioning", Attrs: map[string]any{"bucket": "${aws_s3_bucket.log_bucket.id}", "depends_on": []any{"aws_s3_bucket.access_log_bucket", "aws_s3_bucket.log_bucket"}}},
			x: "log_bucket", name: "{X}_versioning", attrs: "map[bucket:${aws_s3_bucket.{X}.id} depends_on:[aws_s3_bucket.access_log_bucket aws_s3_bucket.{X}]]",
		},
		"an auditor's user": {
			r: tfjson.Block{Type: "aws_iam_user", Name: "audit_alice", Attrs: map[string]any{"name": "alice", "path": "/"}},
			x: "alice", name: "audit_{X}", attrs: "map[name:{X} path:/]",
		},
		"a resource made from no name": {
			r:          tfjson.Block{Type: "aws_iam_group", Name: "audit_group", Attrs: map[string]any{"name": "group-audit"}},
			noTemplate: true,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			x, templateName, attrs, ok := subject(c.r)
			if c.noTemplate {
				if ok {
					t.Errorf("expected no template, found %q from %q", templateName, x)
				}
				return
			}
			if !ok || x != c.x || templateName != c.name || fmt.Sprint(attrs) != c.attrs {
				t.Errorf("expected %q, %q and %s, found %q, %q and %v (%v)", c.x, c.name, c.attrs, x, templateName, attrs, ok)
			}
		})
	}
}

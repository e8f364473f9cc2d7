// Package review writes the review report of a synthesis, REVIEW.md: a
// table of CIS AWS Foundations Benchmark and AWS Security Hub controls,
// each PASS, FAIL or NOT APPLICABLE as package check computes it from the
// synthesized JSON; the checks' failures and suppressions; the results of
// the scanners (tfsec, trivy, KICS) when given; and for each stack its backend,
// every resource with its settings on one line, every policy statement
// and the outputs.
package review

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/coverage"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// MaxBytes is the size the report must stay under to fit a pull-request
// comment, with room to grow: 45 KB for the default settings, what grows
// with the auditors folded.
const MaxBytes = 45 * 1024

// CommentBytes is the size the report of any configuration must stay
// under: a GitHub comment holds 65,536 characters, and the workflow adds
// its header and the scanners' section.
const CommentBytes = 60 * 1024

// maxValue is the longest value a resource line shows in full.
const maxValue = 120

// foldAt is how many items of a long list the report shows (resources of
// one type, principals, passing evidence) before it folds the rest: the
// report stays readable with many auditors.
const foldAt = 5

// maxSubjects is how many names a line that stands for resources alike
// but for their name lists in full.
const maxSubjects = 50

// fold joins items with sep, the first foldAt of them and the count of
// all when there are more.
func fold(items []string, sep string) string {
	if len(items) <= foldAt+1 {
		return strings.Join(items, sep)
	}
	return fmt.Sprintf("%s%s… (%d in all)", strings.Join(items[:foldAt], sep), sep, len(items))
}

// commonParts are, for each resource type with three or more resources,
// the key=value parts that at least three in four of them have, in the
// order the first resource has them; exceptions says which types have a
// resource without one of them.
func commonParts(rs []tfjson.Block, count map[string]int, parts map[string][]string) (map[string][]string, map[string]bool) {
	held := map[string]map[string]int{}
	first := map[string][]string{}
	for _, r := range rs {
		if count[r.Type] < 3 {
			continue
		}
		if held[r.Type] == nil {
			held[r.Type], first[r.Type] = map[string]int{}, parts[r.Address]
		}
		for _, p := range parts[r.Address] {
			held[r.Type][p]++
		}
	}
	common, exceptions := map[string][]string{}, map[string]bool{}
	for typ, h := range held {
		for _, p := range first[typ] {
			if h[p]*4 >= count[typ]*3 {
				common[typ] = append(common[typ], p)
				exceptions[typ] = exceptions[typ] || h[p] < count[typ]
			}
		}
	}
	return common, exceptions
}

// sameEvidence joins the items ("<stack>:<address>: <evidence>") whose
// evidence is the same into one, "<address>, <address>: <evidence>", in
// the order each evidence first appears; when those are every resource
// of one type in the stacks (every is everyOf's), two or more, the item
// says "every `<type>` (<count>)" instead: it stays one line however many
// auditors or buckets there are.
func sameEvidence(items []string, every map[string][]string) []string {
	var order []string
	subjects := map[string][]string{}
	for _, it := range items {
		subject, evidence, ok := strings.Cut(it, ": ")
		if !ok {
			subject, evidence = "", it
		}
		if _, seen := subjects[evidence]; !seen {
			order = append(order, evidence)
		}
		if subject != "" {
			subjects[evidence] = append(subjects[evidence], subject)
		} else if subjects[evidence] == nil {
			subjects[evidence] = []string{}
		}
	}
	out := make([]string, 0, len(order))
	for _, e := range order {
		if len(subjects[e]) == 0 {
			out = append(out, e)
			continue
		}
		out = append(out, allOfType(subjects[e], every)+": "+e)
	}
	return out
}

// everyOf is, for each resource type, every resource of it in the
// stacks as "<stack>:<address>", sorted.
func everyOf(docs []*tfjson.Doc) map[string][]string {
	every := map[string][]string{}
	for _, d := range docs {
		for _, r := range d.AllResources() {
			every[r.Type] = append(every[r.Type], d.Stack+":"+r.Address)
		}
	}
	for _, located := range every {
		slices.Sort(located)
	}
	return every
}

// allOfType names subjects ("<stack>:<address>") as "every `<type>`
// (<count>)" when they are every resource of that type in the stacks,
// two or more; it folds them otherwise.
func allOfType(subjects []string, every map[string][]string) string {
	_, address, _ := strings.Cut(subjects[0], ":")
	typ, _, _ := strings.Cut(address, ".")
	if len(subjects) > 1 && slices.Equal(slices.Sorted(slices.Values(subjects)), every[typ]) {
		return fmt.Sprintf("every `%s` (%d)", typ, len(subjects))
	}
	return fold(subjects, ", ")
}

// Write writes the report of the checked stacks, with the results of
// scans, to w.
func Write(w io.Writer, report *check.Report, scans []Scan) error {
	docs := report.Stacks
	b := &strings.Builder{}
	resources := 0
	for _, d := range docs {
		resources += len(d.AllResources())
	}

	writeChoices(b, check.Choices(docs))
	writeControls(b, report)
	writeAccess(b, docs)
	writeChecks(b, report)
	writeScans(b, scans)
	// A policy statement is shown once in the report: where another
	// repeats it, it is named.
	shown := map[string]shownAt{}
	for _, d := range docs {
		writeStack(b, d, shown)
	}
	text := b.String()
	var stands []string
	for _, r := range append(shortRefs, arnStarts(shortForm(text))...) {
		if strings.Contains(text, r.long) {
			stands = append(stands, fmt.Sprintf("`%s` for `%s`", r.short, r.long))
			text = strings.ReplaceAll(text, r.long, r.short)
		}
	}
	head := fmt.Sprintf("# Review: audit trail stacks\n\n%d stacks, %d resources. Every status below is computed from the synthesized JSON (`cdktf.out/stacks/*/cdk.tf.json`). In this report %s.\n\n",
		len(docs), resources, joinAnd(stands))
	_, err := io.WriteString(w, head+text)
	return err
}

// auditDoc is the stack that holds the trail.
func auditDoc(docs []*tfjson.Doc) (*tfjson.Doc, bool) {
	for _, d := range docs {
		if len(d.Resources("aws_cloudtrail")) > 0 {
			return d, true
		}
	}
	return nil, false
}

// joinAnd joins items as a sentence does: "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// arnStart is the start of an ARN in the stacks' partition and account
// (or of no account) up to its resource: its service is the submatch.
var arnStart = regexp.MustCompile(`arn:\$\{partition\}:([a-z0-9-]+):[a-z0-9-]*:(?:\$\{account\})?:`)

// arnStarts are the starts of ARNs in text (with shortRefs' short names)
// that recur, each named by its service, "${iam}" for
// "arn:${partition}:iam::${account}", where the name saves more than
// saying it takes; one start for each service, its most frequent, in the
// order of the services.
func arnStarts(text string) []shortRef {
	count := map[string]int{}
	for _, m := range arnStart.FindAllString(text, -1) {
		count[strings.TrimSuffix(m, ":")]++
	}
	best := map[string]string{}
	for _, long := range slices.Sorted(maps.Keys(count)) {
		service := arnStart.FindStringSubmatch(long + ":")[1]
		if count[long] > count[best[service]] {
			best[service] = long
		}
	}
	var out []shortRef
	for _, service := range slices.Sorted(maps.Keys(best)) {
		r := shortRef{"${" + service + "}", best[service]}
		if saved := count[r.long] * (len(r.long) - len(r.short)); saved > len(r.long)+len(r.short)+10 {
			out = append(out, r)
		}
	}
	return out
}

// shortForm is s as the report shows it, with shortRefs' short names.
func shortForm(s string) string {
	for _, r := range shortRefs {
		s = strings.ReplaceAll(s, r.long, r.short)
	}
	return s
}

// shortRef is a short name the report gives a long text it repeats.
type shortRef struct{ short, long string }

// shortRefs are the references every policy and ARN of the stacks
// repeats, and the short names the report gives them.
var shortRefs = []shortRef{
	{"${partition}", "${data.aws_partition.current_partition.partition}"},
	{"${account}", "${data.aws_caller_identity.current_account.account_id}"},
	{"${first deployer}", "${" + stacks.FirstDeployer + ".input}"},
	// After the two above: the account's root, which every key and
	// bucket policy names.
	{"${root}", "arn:${partition}:iam::${account}:root"},
}

func writeControls(b *strings.Builder, report *check.Report) {
	every := everyOf(report.Stacks)
	// A metric filter and its alarm are named as the alarms table names
	// them.
	chains := alarmChains(report.Stacks)
	named := false
	type judged struct {
		status check.Status
		why    string
	}
	verdicts := map[*check.Control]judged{}
	for _, c := range check.Controls {
		v := report.Control(c)
		why := v.Evidence
		if v.Status == check.Pass {
			// Every failure is shown; what passes is folded, the
			// resources with the same evidence on one item.
			why = fold(sameEvidence(v.Items, every), "; ")
		}
		short := chains.Replace(why)
		named = named || short != why
		verdicts[c] = judged{v.Status, cell(short)}
	}
	verdict := func(c *check.Control) (check.Status, string) { return verdicts[c].status, verdicts[c].why }
	b.WriteString("## Controls\n\n")
	b.WriteString("### CIS AWS Foundations Benchmark\n\n")
	b.WriteString("Each recommendation by its number in the benchmark versions audits name (monitoring is section 4 in all three; v3.0.0 and v5.0.0 make 4.1-4.15 manual), with the AWS Security Hub control that evaluates it and the Security Hub standards that include that control (in the Security Hub table below for a control it has).")
	if named {
		b.WriteString(" An alarm in the evidence is named as its stack's alarms table names it, which shows its metric filters (`_{n}`: the one of that number) and the topic it notifies.")
	}
	b.WriteString("\n\n|")
	for _, v := range check.Versions {
		fmt.Fprintf(b, " %s |", v)
	}
	b.WriteString(" Recommendation (v3.0.0 title where it has one) | Security Hub | Status | Evidence |\n|" + strings.Repeat("---|", len(check.Versions)+4) + "\n")
	// A row whose evidence is the row's above says so, rather than
	// repeating it (the monitoring rows share one cause when they fail);
	// rows whose evidence is the same but for one name say it once
	// (the monitoring rows when they pass: each its own filter and
	// alarm, the same topic).
	var whys []string
	for _, c := range check.Controls {
		if c.Framework == check.CIS {
			_, why := verdict(c)
			whys = append(whys, why)
		}
	}
	shownCIS := asAbove(whys)
	// A row of the tables below whose evidence a row above shows names
	// that row instead: first the CIS recommendation its Security Hub
	// control evaluates, else the first row with that evidence.
	type row struct{ why, label string }
	byHub := map[string]row{}
	first := map[string]string{}
	shownAbove := func(c *check.Control, why string) string {
		if at, ok := byHub[c.ID]; ok && at.why == why {
			return "as for " + at.label + " above"
		}
		if label, ok := first[why]; ok {
			return "as for " + label + " above"
		}
		first[why] = c.ID
		return why
	}
	inHubTable := map[string]bool{}
	for _, c := range check.Controls {
		inHubTable[c.ID] = c.Framework == check.SecurityHub
	}
	at := 0
	for _, c := range check.Controls {
		if c.Framework != check.CIS {
			continue
		}
		b.WriteString("|")
		for _, v := range check.Versions {
			fmt.Fprintf(b, " %s |", cmp.Or(c.Versions[v], "-"))
		}
		hub := "none"
		switch {
		case c.Hub != nil && inHubTable[c.Hub.ID]:
			// Its standards are on its row there.
			hub = c.Hub.ID
		case c.Hub != nil:
			hub = c.Hub.ID + " (" + standards(c.Hub) + ")"
		}
		status, why := verdict(c)
		shown := shownCIS[at]
		at++
		// Named by its number in the latest version that has it.
		var label string
		for _, v := range slices.Backward(check.Versions) {
			if c.Versions[v] != "" {
				label = fmt.Sprintf("CIS %s %s", v, c.Versions[v])
				break
			}
		}
		if _, ok := byHub[hubID(c)]; !ok && c.Hub != nil {
			byHub[c.Hub.ID] = row{why, label}
		}
		if _, ok := first[why]; !ok {
			first[why] = label
		}
		fmt.Fprintf(b, " %s | %s | **%s** | %s |\n", c.Title, hub, status, shown)
	}
	b.WriteString("\n### AWS Security Hub\n\n| Control | Title | Standards | Status | Evidence |\n|---|---|---|---|---|\n")
	for _, c := range check.Controls {
		if c.Framework == check.SecurityHub {
			status, why := verdict(c)
			fmt.Fprintf(b, "| %s | %s | %s | **%s** | %s |\n", c.ID, c.Title, standards(c), status, shownAbove(c, why))
		}
	}
	b.WriteString("\n### Beyond the benchmarks\n\nWhat no benchmark asks, and an administrator of the account could otherwise do to the evidence unnoticed.\n\n| Control | Title | Status | Evidence |\n|---|---|---|---|\n")
	for _, c := range check.Controls {
		if c.Framework == check.Beyond {
			status, why := verdict(c)
			fmt.Fprintf(b, "| %s | %s | **%s** | %s |\n", c.ID, c.Title, status, shownAbove(c, why))
		}
	}
	b.WriteString("\n")
}

// asAbove is how each row of a table shows its evidence whys[i]: "as
// above" when the row above has the same; when rows in a row are the
// same but for one name, the first says the evidence once with {X} in
// the name's place, "with {X} = `name`: ...", and the others "as above,
// with {X} = `name`"; any other row in full.
func asAbove(whys []string) []string {
	shown := slices.Clone(whys)
	// template is the evidence with {X} that row i shows or refers to.
	template := make([]string, len(whys))
	for i := 1; i < len(whys); i++ {
		if whys[i] == whys[i-1] {
			shown[i], template[i] = "as above", template[i-1]
			continue
		}
		t, x, y, ok := oneNameApart(whys[i-1], whys[i])
		switch {
		case !ok:
			continue
		case template[i-1] == "" && shown[i-1] == whys[i-1]:
			shown[i-1], template[i-1] = "with {X} = `"+x+"`: "+t, t
		case template[i-1] != t:
			continue
		}
		shown[i], template[i] = "as above, with {X} = `"+y+"`", t
	}
	return shown
}

// oneNameApart returns the template that a and b are but for one name
// (a run of letters, digits and underscores from the start of a word),
// with {X} in its place wherever it is a name or ends one, and the name
// in each; ok is false when they differ otherwise.
func oneNameApart(a, b string) (template, x, y string, ok bool) {
	if a == b || strings.Contains(a, "{X}") || strings.Contains(b, "{X}") {
		return "", "", "", false
	}
	start := 0
	for start < len(a) && start < len(b) && a[start] == b[start] {
		start++
	}
	for start > 0 && a[start-1] != '_' && isNamePart(a[start-1]) {
		start--
	}
	name := func(s string) string {
		end := start
		for end < len(s) && isNamePart(s[end]) {
			end++
		}
		return s[start:end]
	}
	x, y = name(a), name(b)
	if x == "" || y == "" {
		return "", "", "", false
	}
	template = replaceName(a, x)
	if template != replaceName(b, y) {
		return "", "", "", false
	}
	return template, x, y, true
}

// replaceName puts {X} in s for each name x in it: x after a character
// that cannot be in a name or after "_", and before one that cannot be in
// a name.
func replaceName(s, x string) string {
	var out strings.Builder
	for {
		i := strings.Index(s, x)
		if i < 0 {
			return out.String() + s
		}
		end := i + len(x)
		if (i == 0 || s[i-1] == '_' || !isNamePart(s[i-1])) && (end == len(s) || !isNamePart(s[end])) {
			out.WriteString(s[:i] + "{X}")
		} else {
			out.WriteString(s[:end])
		}
		s = s[end:]
	}
}

// isNamePart reports whether c may be part of a Terraform name.
func isNamePart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// hubID is the ID of the Security Hub control that evaluates c, or "".
func hubID(c *check.Control) string {
	if c.Hub == nil {
		return ""
	}
	return c.Hub.ID
}

// standards lists the Security Hub standards that include c.
func standards(c *check.Control) string {
	if len(c.Standards) == 0 {
		return "no CIS or FSBP standard"
	}
	// The versions of one benchmark follow its name once: "CIS v1.2.0,
	// v1.4.0".
	names := make([]string, len(c.Standards))
	previous := ""
	for i, s := range c.Standards {
		benchmark, version, ok := strings.Cut(string(s), " ")
		names[i] = string(s)
		if ok && benchmark == previous {
			names[i] = version
		}
		previous = benchmark
	}
	return strings.Join(names, ", ")
}

// writeChoices lists the irreversible and weakening choices, before
// anything else.
func writeChoices(b *strings.Builder, choices []check.Choice) {
	if len(choices) == 0 {
		return
	}
	fmt.Fprintf(b, "## Irreversible or weakening choices (%d)\n\n", len(choices))
	for _, c := range choices {
		b.WriteString(c.Markdown())
	}
	b.WriteString("\n")
}

// writeAccess is the access matrix of the audit stack and the outcome of
// its cross-service interactions, both decided by package iameval.
func writeAccess(b *strings.Builder, docs []*tfjson.Doc) {
	m, ok := access.Find(docs)
	if !ok {
		return
	}
	where := "an example account " + access.Account
	if m.Layout() {
		var accounts []string
		for _, a := range m.Accounts() {
			accounts = append(accounts, a+" ("+m.Label(a)+")")
		}
		where = "the accounts " + joinAnd(accounts) + ", each stack in its own"
	}
	fmt.Fprintf(b, "## Who can do what\n\nDecided from the synthesized policies with IAM's documented evaluation logic (`internal/iameval`), in %s; people sign in with MFA and use TLS; AWS managed policies as modelled in `internal/access`; service control policies and permissions boundaries are not modelled.\n\n| Who |", where)
	for _, c := range access.Columns {
		fmt.Fprintf(b, " %s |", c.Title)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(access.Columns)) + "\n")
	matrix := m.Matrix()
	for i, p := range m.Personas() {
		fmt.Fprintf(b, "| %s |", p.Name)
		for _, c := range matrix[i] {
			fmt.Fprintf(b, " %s |", c.Text)
		}
		b.WriteString("\n")
	}
	if bad := m.Mismatches(); len(bad) > 0 {
		fmt.Fprintf(b, "\n%d of %d cross-service interactions the stack relies on are not decided as it needs:\n\n", len(bad), len(m.Applicable()))
		for _, x := range bad {
			fmt.Fprintf(b, "- %s\n", cell(x))
		}
	} else {
		fmt.Fprintf(b, "\nAll %d cross-service interactions the stack relies on (or must refuse) are decided as it needs; each cites the AWS page that documents its request context (`internal/access/interactions.go`).\n", len(m.Applicable()))
	}
	documented, both := 0, 0
	for _, k := range m.ServiceCoverage() {
		switch {
		case !k.Holds():
			fmt.Fprintf(b, "- Condition `%s` of %s `%s` on an AWS service's call: %s\n", cmp.Or(k.Key, "none"), k.Statement.Policy, k.Statement.Sid, k.How())
		case len(k.Documented) > 0:
			documented++
		case k.Key != "":
			both++
		}
	}
	fmt.Fprintf(b, "Conditions on AWS services' own calls: %d keys shown by an AWS page on that call, %d allowed with and without the key (no page shows it); see `docs/service-conditions.md`.\n", documented, both)
	if c, err := coverage.Load(); err == nil {
		if d, ok := auditDoc(docs); ok {
			t := coverage.Totals(coverage.Classify(c, d))
			fmt.Fprintf(b, "Coverage of the %d actions that could change what is recorded, who is told or who can read (%s %s): %d denied to administrators, %d alarmed, %d harmless, %d unclassified; see `docs/coverage.md`.\n",
				t["denied"]+t["alarmed"]+t["harmless"]+t["unclassified"], c.Source, c.Version, t["denied"], t["alarmed"], t["harmless"], t["unclassified"])
		}
	}
	// S3's exception that no policy can express, and so no cell shows.
	b.WriteString("Beyond any policy: the root user (and, in an organization, a root session the management account starts with `sts:AssumeRoot`) can always put or delete a bucket policy, lifting its Denies; only Object Lock, or a service control policy in a member account, binds it; CIS 4.3 and `watch-root-sessions` alarm (README, \"Operating it\").\n")
	b.WriteString("\n")
}

// writeChecks lists the checks' failures, blocking or not, and every
// suppression with its reason.
func writeChecks(b *strings.Builder, report *check.Report) {
	fmt.Fprintf(b, "## Checks\n\n")
	blocking := 0
	for _, c := range check.Pack {
		if c.Blocking {
			blocking++
		}
	}
	failures := report.Failures()
	fmt.Fprintf(b, "%d checks ran on the synthesized JSON, %d of them blocking the synth when they fail", len(check.Pack), blocking)
	if len(failures) == 0 && len(report.Suppressions) == 0 {
		b.WriteString(": no failure, none suppressed.\n\n")
	} else {
		b.WriteString(".\n\n")
	}
	for _, f := range failures {
		kind := "FAIL"
		if f.Check.Blocking {
			kind = "BLOCKING"
		}
		fmt.Fprintf(b, "- %s %s\n", kind, f)
	}
	if len(report.Suppressions) > 0 {
		b.WriteString("Suppressed, with the reasons given in the code:\n\n")
		for _, s := range report.Suppressions {
			fmt.Fprintf(b, "- `%s` %s: %s\n", s.Path, s.Check, s.Reason)
		}
	}
	if len(failures) > 0 || len(report.Suppressions) > 0 {
		b.WriteString("\n")
	}
}

// shownAt is where a policy statement was first shown: the stack, the
// policy and the statement's Sid.
type shownAt struct{ stack, policy, sid string }

// in names the policy for a statement of stack: with its stack when that
// is another.
func (p shownAt) in(stack string) string {
	if p.stack != stack {
		return fmt.Sprintf("`%s` of stack `%s`", p.policy, p.stack)
	}
	return "`" + p.policy + "`"
}

// writePolicies writes each statement of the stack's policies on one
// line, unless the report has shown it: a statement the policies repeat
// word for word (the keys' Denies) is shown once, and named where it
// recurs, with the statements next to it named as in the same place;
// so is one that two bucket policies repeat but for their one bucket,
// and one that allows or denies what another does but under other
// conditions.
func writePolicies(b *strings.Builder, stack string, policies []tfjson.Block, shown map[string]shownAt) {
	if len(policies) == 0 {
		return
	}
	b.WriteString("Policies:\n\n")
	for _, p := range policies {
		fmt.Fprintf(b, "- `%s`\n", p.Address)
		// Statements in a row named as in the same place are one line.
		var sids []string
		as := ""
		flush := func() {
			if len(sids) > 0 {
				fmt.Fprintf(b, "  - `%s` %s\n", strings.Join(sids, "`, `"), as)
			}
			sids = nil
		}
		named := func(sid, where string) {
			if where != as {
				flush()
			}
			sids, as = append(sids, sid), where
		}
		for _, s := range tfjson.Statements(p) {
			here := shownAt{stack, p.Name, s.Sid}
			line := statement(s)
			if first, ok := shown[line]; ok {
				named(s.Sid, "as in "+first.in(stack))
				continue
			}
			shown[line] = here
			general, bucket := oneBucket(line)
			if first, ok := shown[general]; ok && bucket != "" {
				named(s.Sid, fmt.Sprintf("as in %s, on the bucket %s", first.in(stack), bucket))
				continue
			}
			if bucket != "" {
				shown[general] = here
			}
			flush()
			what, conditions := statementParts(s)
			// Keyed apart from whole lines, which start with a Sid.
			key := "what: " + what
			if first, ok := shown[key]; ok {
				as := fmt.Sprintf("as `%s` in %s but", first.sid, first.in(stack))
				// Only where that saves most of the line: a short
				// statement reads better whole.
				if 2*len(as) < len(shortForm(what)) {
					fmt.Fprintf(b, "  - `%s` %s %s\n", s.Sid, as, cmp.Or(strings.TrimPrefix(conditions, " "), "with no condition"))
					continue
				}
			} else {
				shown[key] = here
			}
			fmt.Fprintf(b, "  - %s\n", line)
		}
		flush()
	}
	b.WriteString("\n")
}

// writeStack writes what d holds; shown are the policy statements the
// report has shown, each with where, and writeStack adds its own.
func writeStack(b *strings.Builder, d *tfjson.Doc, shown map[string]shownAt) {
	fmt.Fprintf(b, "## Stack `%s`\n\n", d.Stack)
	kind, cfg := d.Backend()
	fmt.Fprintf(b, "State: %s", kind)
	if len(cfg) > 0 {
		fmt.Fprintf(b, " (%s)", settings(cfg, ""))
	}
	b.WriteString("\n\n")
	rs, alarms := splitAlarms(d.AllResources())
	writeResources(b, d.Stack, rs, shown)
	writeAlarms(b, alarms)
	var policies []tfjson.Block
	for _, ds := range d.AllDataSources() {
		if ds.Type == "aws_iam_policy_document" {
			policies = append(policies, ds)
			continue
		}
		if ds.Type == "terraform_remote_state" {
			backend, _ := ds.Attrs["backend"].(string)
			cfg, _ := ds.Attrs["config"].(map[string]any)
			fmt.Fprintf(b, "Reads `%s`: %s (%s)\n\n", ds.Address, backend, settings(cfg, ""))
		}
	}
	writePolicies(b, d.Stack, policies, shown)
	if outs := d.Outputs(); len(outs) > 0 {
		b.WriteString("Outputs: ")
		var names []string
		crossStack := 0
		for _, o := range outs {
			if o.CrossStack() {
				crossStack++
				continue
			}
			n := "`" + o.Name + "`"
			if o.Sensitive {
				n += " (sensitive)"
			}
			names = append(names, n)
		}
		if crossStack > 0 {
			names = append(names, fmt.Sprintf("and %d `cross-stack-output-*` that cdktf adds for the other stacks of the app", crossStack))
		}
		b.WriteString(strings.Join(names, ", ") + "\n\n")
	}
}

// writeResources writes each resource with its settings on one line.
// What the resources of a type (three or more) have in common, at least
// three in four of them, is said once, before them; a resource that
// differs says so on its line. Resources of a type that are the same
// but for the name they are made from (each bucket's versioning, each
// auditor's user) are one line, that name {X} in it. The lines of a type
// beyond foldAt fold into a details block that gives their count. A
// resource the same as one of another stack that shown has (the first
// deployer of each) is named as in that stack.
func writeResources(b *strings.Builder, stack string, rs []tfjson.Block, shown map[string]shownAt) {
	if len(rs) == 0 {
		return
	}
	b.WriteString("Resources:\n\n")
	count := map[string]int{}
	parts := map[string][]string{}
	for _, r := range rs {
		count[r.Type]++
		parts[r.Address] = attrParts(r.Attrs, "")
	}
	common, exceptions := commonParts(rs, count, parts)
	// A line, and when it is a template the names of the resources it
	// stands for; alone is the line of the first without the template.
	type line struct {
		text, alone string
		subjects    []string
	}
	var types []string
	lines := map[string][]*line{}
	templates := map[string]*line{}
	for _, r := range rs {
		if lines[r.Type] == nil {
			types = append(types, r.Type)
		}
		own := func(parts []string) []string {
			own := slices.DeleteFunc(slices.Clone(parts), func(p string) bool { return slices.Contains(common[r.Type], p) })
			for _, c := range common[r.Type] {
				key, _, _ := strings.Cut(c, "=")
				if !slices.Contains(parts, c) && !slices.ContainsFunc(own, func(p string) bool { return strings.HasPrefix(p, key+"=") }) {
					own = append(own, key+"=(none)")
				}
			}
			return own
		}
		alone := fmt.Sprintf("`%s`: %s", r.Address, strings.Join(own(parts[r.Address]), ", "))
		// Keyed apart from statements, which start with a Sid.
		key := "resource: " + fmt.Sprint(r.Address, withoutMetadata(r.Attrs))
		if at, ok := shown[key]; ok && at.stack != stack && len(common[r.Type]) == 0 {
			alone = fmt.Sprintf("`%s`: as in stack `%s`", r.Address, at.stack)
		} else if !ok {
			shown[key] = shownAt{stack: stack}
		}
		if x, name, attrs, ok := subject(r); ok {
			// The same in full, not only as far as the line shows.
			key := fmt.Sprint(r.Type, name, withoutMetadata(attrs))
			if l, ok := templates[key]; ok {
				l.subjects = append(l.subjects, x)
				continue
			}
			l := &line{fmt.Sprintf("`%s.%s` for %s in %%s: %s", r.Type, name, placeholder, strings.Join(own(attrParts(attrs, "")), ", ")), alone, []string{x}}
			templates[key] = l
			lines[r.Type] = append(lines[r.Type], l)
			continue
		}
		lines[r.Type] = append(lines[r.Type], &line{alone: alone})
	}
	for _, typ := range types {
		n := count[typ]
		if len(common[typ]) > 0 {
			unless := ""
			if exceptions[typ] {
				unless = ", unless its line says otherwise"
			}
			fmt.Fprintf(b, "- every `%s` (%d)%s: %s\n", typ, n, unless, strings.Join(common[typ], ", "))
		}
		shown := 0
		for i, l := range lines[typ] {
			if len(lines[typ]) > foldAt+1 && i == foldAt {
				fmt.Fprintf(b, "\n<details><summary>%d more <code>%s</code> (%d in all)</summary>\n\n", n-shown, typ, n)
			}
			if len(l.subjects) > 1 {
				shown += len(l.subjects)
				subjects := "`" + strings.Join(l.subjects, "`, `") + "`"
				if len(l.subjects) > maxSubjects {
					// A thousand auditors are a thousand names: the first
					// and the last, and how many; the stack's JSON and
					// the settings list them all.
					subjects = fmt.Sprintf("`%s`, … `%s` (%d in all)", strings.Join(l.subjects[:foldAt], "`, `"), l.subjects[len(l.subjects)-1], len(l.subjects))
				}
				fmt.Fprintf(b, "- %s\n", fmt.Sprintf(l.text, subjects))
				continue
			}
			shown++
			fmt.Fprintf(b, "- %s\n", l.alone)
		}
		if len(lines[typ]) > foldAt+1 {
			b.WriteString("\n</details>\n\n")
		}
	}
	b.WriteString("\n")
}

// withoutMetadata is attrs without cdktf's metadata ("//"), which holds
// the construct path.
func withoutMetadata(attrs map[string]any) map[string]any {
	out := maps.Clone(attrs)
	delete(out, "//")
	return out
}

// placeholder stands for the name a line of resources is made from, and
// for what an alarm's and its filters' addresses share.
const placeholder = "{X}"

// subject is the name r's address is made from, the template of its
// name with that name as the placeholder, and its attributes likewise:
// the name of a resource it refers to (by a whole value) that its name
// begins with (aws_s3_bucket_versioning.log_bucket_versioning of
// aws_s3_bucket.log_bucket), the longest, or else a value of its own its
// name ends with (aws_iam_user.audit_alice named alice).
func subject(r tfjson.Block) (x, name string, attrs map[string]any, ok bool) {
	tfjson.Copy(r.Attrs, func(t string) string {
		if address, _, ok := tfjson.Ref(t); ok {
			referred := address[strings.LastIndex(address, ".")+1:]
			if strings.HasPrefix(r.Name, referred+"_") && len(referred) > len(x) {
				x = referred
			}
		}
		return t
	})
	if x != "" {
		name = placeholder + strings.TrimPrefix(r.Name, x)
	} else {
		for _, k := range slices.Sorted(maps.Keys(r.Attrs)) {
			if v, _ := r.Attrs[k].(string); v != "" && strings.HasSuffix(r.Name, "_"+v) {
				x, name = v, strings.TrimSuffix(r.Name, v)+placeholder
				break
			}
		}
	}
	if x == "" || strings.Contains(x, placeholder) {
		return "", "", nil, false
	}
	at := regexp.MustCompile(`(^|[.\[ /])` + regexp.QuoteMeta(x) + `($|[._\-\]},])`)
	replace := func(t string) string {
		// Twice: a match takes the character before the next.
		return at.ReplaceAllString(at.ReplaceAllString(t, "${1}"+placeholder+"${2}"), "${1}"+placeholder+"${2}")
	}
	return x, name, tfjson.Copy(r.Attrs, replace).(map[string]any), true
}

// alarm is an alarm on the metric of metric filters, and those filters:
// the report gives them one row.
type alarm struct {
	alarm   tfjson.Block
	filters []tfjson.Block
}

// splitAlarms takes out of rs the alarms whose metric is a metric
// filter's, and every filter that counts into that metric, in the order
// of the alarms; the rest of rs is returned as it was.
func splitAlarms(rs []tfjson.Block) ([]tfjson.Block, []alarm) {
	byAddress := map[string]tfjson.Block{}
	metricOf := func(f tfjson.Block) string {
		return fmt.Sprint(f.Attrs["metric_transformation"])
	}
	for _, r := range rs {
		byAddress[r.Address] = r
	}
	var alarms []alarm
	taken := map[string]bool{}
	for _, r := range rs {
		if r.Type != "aws_cloudwatch_metric_alarm" {
			continue
		}
		address, ok := filterMetric(r.Attrs)
		f, found := byAddress[address]
		if !ok || !found {
			continue
		}
		a := alarm{alarm: r}
		for _, g := range rs {
			if g.Type == f.Type && metricOf(g) == metricOf(f) && fmt.Sprint(g.Attrs["log_group_name"]) == fmt.Sprint(f.Attrs["log_group_name"]) {
				a.filters = append(a.filters, g)
				taken[g.Address] = true
			}
		}
		taken[r.Address] = true
		alarms = append(alarms, a)
	}
	rest := slices.DeleteFunc(slices.Clone(rs), func(r tfjson.Block) bool { return taken[r.Address] })
	return rest, alarms
}

// writeAlarms gives each alarm on metric filters one row: its name and
// description, its metric and the pattern of each filter that counts
// into it; what every alarm and every filter has in common is said
// once, before the table, and what one differs in is on its row.
func writeAlarms(b *strings.Builder, alarms []alarm) {
	if len(alarms) == 0 {
		return
	}
	var alarmBlocks, filterBlocks []tfjson.Block
	for _, a := range alarms {
		alarmBlocks = append(alarmBlocks, a.alarm)
		filterBlocks = append(filterBlocks, a.filters...)
	}
	// The parts each row shows in their own place.
	shown := map[string]bool{"alarm_name": true, "alarm_description": true, "metric": true, "name": true, "pattern": true,
		"metric_transformation.name": true, "metric_transformation.namespace": true}
	own := func(blocks []tfjson.Block) (common []string, parts map[string][]string) {
		parts = map[string][]string{}
		for _, r := range blocks {
			parts[r.Address] = slices.DeleteFunc(attrParts(r.Attrs, ""), func(p string) bool {
				key, _, _ := strings.Cut(p, "=")
				return shown[key]
			})
		}
		commons, _ := commonParts(blocks, map[string]int{blocks[0].Type: len(blocks)}, parts)
		common = commons[blocks[0].Type]
		for address, ps := range parts {
			parts[address] = slices.DeleteFunc(ps, func(p string) bool { return slices.Contains(common, p) })
		}
		return common, parts
	}
	alarmCommon, alarmOwn := own(alarmBlocks)
	filterCommon, filterOwn := own(filterBlocks)
	// The end every description shares is said once.
	var descriptions []string
	for _, a := range alarmBlocks {
		description, _ := a.Attrs["alarm_description"].(string)
		descriptions = append(descriptions, description)
	}
	ending := commonEnding(descriptions)
	if ending != "" {
		alarmCommon = append(alarmCommon, fmt.Sprintf("alarm_description ends %q", ending))
	}
	// A filter is named after its alarm, numbered when the alarm has
	// several: said once, and a filter named otherwise says its names.
	n := namingOf(alarms)
	filterOf := n.filterOf
	named := 0
	for _, a := range alarms {
		for _, f := range a.filters {
			if _, ok := filterOf(a, f); ok {
				named++
			}
		}
	}
	alarmPrefix, filterPrefix := n.alarmPrefix, n.filterPrefix
	fmt.Fprintf(b, "Alarms on the trail's events (%d `aws_cloudwatch_metric_alarm`), each on the metric its metric filters count (%d `aws_cloudwatch_log_metric_filter`):\n\n", len(alarmBlocks), len(filterBlocks))
	fmt.Fprintf(b, "- every alarm, unless its row says otherwise: %s\n", strings.Join(alarmCommon, ", "))
	fmt.Fprintf(b, "- every filter, unless its row says otherwise: %s\n", strings.Join(filterCommon, ", "))
	if named > 0 {
		fmt.Fprintf(b, "- each filter is `%[1]s%[3]s` for the alarm `%[2]s%[3]s`, named as the alarm; where its row numbers it `_{n}`, it is `%[1]s%[3]s_{n}`, named as the alarm with `-{n}`; a filter named otherwise shows its address and name\n", filterPrefix, alarmPrefix, placeholder)
	}
	b.WriteString("\n| Alarm | Name: description | Metric: its filters and their patterns |\n|---|---|---|\n")
	for _, a := range alarms {
		name, _ := a.alarm.Attrs["alarm_name"].(string)
		description, _ := a.alarm.Attrs["alarm_description"].(string)
		what := "`" + name + "`: " + short(strings.TrimSuffix(description, ending))
		if extra := alarmOwn[a.alarm.Address]; len(extra) > 0 {
			what += "; " + strings.Join(extra, ", ")
		}
		transformation, _ := a.filters[0].Attrs["metric_transformation"].(map[string]any)
		metric := fmt.Sprintf("%v/%v", transformation["namespace"], transformation["name"])
		var filters []string
		// Numbered filters that show the same are one item: the
		// filters an alarm has for each few auditors.
		var numbers []string
		shownAs := ""
		flush := func() {
			switch len(numbers) {
			case 0:
				return
			case 1:
				filters = append(filters, "`_"+numbers[0]+"`: "+shownAs)
			default:
				filters = append(filters, fmt.Sprintf("`_%s` to `_%s` (%d filters), each: %s", numbers[0], numbers[len(numbers)-1], len(numbers), shownAs))
			}
			numbers = nil
		}
		for _, f := range a.filters {
			pattern, _ := f.Attrs["pattern"].(string)
			number, ok := filterOf(a, f)
			if ok && number != "" && len(filterOwn[f.Address]) == 0 {
				if len(numbers) > 0 && short(pattern) != shownAs {
					flush()
				}
				numbers, shownAs = append(numbers, number), short(pattern)
				continue
			}
			flush()
			var line string
			switch {
			case ok && number == "":
			case ok:
				line = "`_" + number + "`: "
			default:
				line = "`" + f.Name + "`"
				if filterName, _ := f.Attrs["name"].(string); filterName != name {
					line += " (" + filterName + ")"
				}
				line += ": "
			}
			line += short(pattern)
			if extra := filterOwn[f.Address]; len(extra) > 0 {
				line += "; " + strings.Join(extra, ", ")
			}
			filters = append(filters, line)
		}
		flush()
		fmt.Fprintf(b, "| `%s` | %s | %s: %s |\n", a.alarm.Name, cell(what), metric, cell(strings.Join(filters, "; ")))
	}
	b.WriteString("\n")
}

// naming is how the metric filters of a stack's alarms are named after
// their alarm: `<filterPrefix>{X}` for the alarm `<alarmPrefix>{X}`, or
// `<filterPrefix>{X}_{n}` when it has several.
type naming struct{ alarmPrefix, filterPrefix string }

// namingOf is the naming of the filters of alarms, one or more.
func namingOf(alarms []alarm) naming {
	var alarmBlocks, filterBlocks []tfjson.Block
	for _, a := range alarms {
		alarmBlocks = append(alarmBlocks, a.alarm)
		filterBlocks = append(filterBlocks, a.filters...)
	}
	return naming{namePrefix(alarmBlocks), namePrefix(filterBlocks)}
}

// filterOf reports whether filter f of alarm a is named after it, in
// address and name ("-{n}" after the alarm's), and its number ("" for
// none).
func (n naming) filterOf(a alarm, f tfjson.Block) (number string, named bool) {
	base := n.filterPrefix + strings.TrimPrefix(a.alarm.Name, n.alarmPrefix)
	alarmName, _ := a.alarm.Attrs["alarm_name"].(string)
	filterName, _ := f.Attrs["name"].(string)
	if f.Name == base && filterName == alarmName {
		return "", true
	}
	number, ok := strings.CutPrefix(f.Name, base+"_")
	return number, ok && number != "" && strings.Trim(number, "0123456789") == "" && filterName == alarmName+"-"+number
}

// alarmChains names, in the evidence of checks, each metric filter and
// the alarm on its metric ("<filter address> -> <alarm address>") as its
// stack's alarms table shows them: "`<alarm>`", and "(filter `_{n}`)"
// for a numbered filter; only filters named after their alarm.
func alarmChains(docs []*tfjson.Doc) *strings.Replacer {
	var pairs []string
	for _, d := range docs {
		_, alarms := splitAlarms(d.AllResources())
		if len(alarms) == 0 {
			continue
		}
		n := namingOf(alarms)
		for _, a := range alarms {
			for _, f := range a.filters {
				number, ok := n.filterOf(a, f)
				if !ok {
					continue
				}
				short := "`" + a.alarm.Name + "`"
				if number != "" {
					short += " (filter `_" + number + "`)"
				}
				pairs = append(pairs, f.Address+" -> "+a.alarm.Address, short)
			}
		}
	}
	return strings.NewReplacer(pairs...)
}

// commonEnding is the end all texts share, from a ", " or a " " on, or ""
// when they share none or there are fewer than two texts.
func commonEnding(texts []string) string {
	if len(texts) < 2 {
		return ""
	}
	end := texts[0]
	for _, t := range texts[1:] {
		for !strings.HasSuffix(t, end) {
			end = end[1:]
		}
	}
	if i := strings.Index(end, ", "); i >= 0 {
		return end[i:]
	}
	if i := strings.Index(end, " "); i >= 0 {
		return end[i:]
	}
	return ""
}

// namePrefix is the start the names of blocks share, up to and with its
// last "_".
func namePrefix(blocks []tfjson.Block) string {
	prefix := blocks[0].Name
	for _, b := range blocks[1:] {
		for !strings.HasPrefix(b.Name, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	return prefix[:strings.LastIndex(prefix, "_")+1]
}

// bucketARN is an S3 bucket's ARN in a statement's line, and its objects'.
var bucketARN = regexp.MustCompile(`(arn:[^:\s]+:s3:::)([a-z0-9.-]+)`)

// oneBucket is line with its bucket's name taken out, and that name, when
// the line names exactly one bucket; "" otherwise.
func oneBucket(line string) (general, bucket string) {
	names := map[string]bool{}
	for _, m := range bucketARN.FindAllStringSubmatch(line, -1) {
		names[m[2]] = true
	}
	if len(names) != 1 {
		return line, ""
	}
	for name := range names {
		bucket = name
	}
	return bucketARN.ReplaceAllString(line, "${1}<bucket>"), bucket
}

// statement renders a policy statement on one line.
func statement(s iameval.Statement) string {
	what, conditions := statementParts(s)
	return fmt.Sprintf("`%s` %s%s", s.Sid, what, conditions)
}

// statementParts are what a statement allows or denies, to whom, on what
// ("Deny *: * to s3:* on ..."), and its conditions (" if ...", or ""),
// both safe in a table cell.
func statementParts(s iameval.Statement) (what, conditions string) {
	what, conditions = s.Text(fold)
	return cell(what), cell(conditions)
}

// settings renders a block's arguments as key=value pairs, nested blocks
// flattened with dots; policies are shown under Policies instead.
func settings(attrs map[string]any, prefix string) string {
	return strings.Join(attrParts(attrs, prefix), ", ")
}

// filterMetric is the metric filter whose metric (name and namespace)
// the attributes of an alarm refer to.
func filterMetric(attrs map[string]any) (string, bool) {
	filter, name, ok := tfjson.Ref(attrs["metric_name"])
	inNamespace, namespace, _ := tfjson.Ref(attrs["namespace"])
	if !ok || !strings.HasPrefix(filter, "aws_cloudwatch_log_metric_filter.") || name != "metric_transformation[0].name" ||
		inNamespace != filter || namespace != "metric_transformation[0].namespace" {
		return "", false
	}
	return filter, true
}

// attrParts are the attributes as key=value, sorted, nested keys joined by
// dots, metadata ("//") left out.
func attrParts(attrs map[string]any, prefix string) []string {
	if f, ok := filterMetric(attrs); ok && prefix == "" {
		// An alarm on a metric filter's metric names it twice, by two
		// long references: say it once.
		rest := maps.Clone(attrs)
		delete(rest, "metric_name")
		delete(rest, "namespace")
		return append(attrParts(rest, prefix), "metric=of filter "+strings.TrimPrefix(f, "aws_cloudwatch_log_metric_filter."))
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		if k != "//" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, flatten(prefix+k, attrs[k])...)
	}
	return parts
}

func flatten(key string, v any) []string {
	switch x := v.(type) {
	case map[string]any:
		return attrParts(x, key+".")
	case []any:
		if len(x) > 0 {
			if _, nested := x[0].(map[string]any); nested {
				var out []string
				for i, item := range x {
					k := key
					if len(x) > 1 {
						k = fmt.Sprintf("%s[%d]", key, i)
					}
					out = append(out, flatten(k, item)...)
				}
				return out
			}
		}
		var items []string
		for _, item := range x {
			items = append(items, fmt.Sprint(item))
		}
		return []string{key + "=[" + short(strings.Join(items, ", ")) + "]"}
	default:
		return []string{key + "=" + short(fmt.Sprint(x))}
	}
}

func short(s string) string {
	if len(s) > maxValue {
		return s[:maxValue] + "…"
	}
	return s
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}

package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/monitoring"
)

// Framework is a benchmark the report maps the stacks to.
type Framework string

// The frameworks.
const (
	// CIS is the CIS AWS Foundations Benchmark; a control's ID is its
	// v3.0.0 number, and Versions has its number in each version.
	CIS Framework = "CIS"
	// SecurityHub is AWS Security Hub's controls.
	SecurityHub Framework = "Security Hub"
	// Beyond are this project's controls for what no benchmark asks.
	Beyond Framework = "Beyond the benchmarks"
)

// Version is a version of the CIS AWS Foundations Benchmark.
type Version string

// The versions the report names: the ones Security Hub has a standard
// for, except v1.2.0, whose numbering users rarely meet any more.
const (
	V140 Version = "v1.4.0"
	V300 Version = "v3.0.0"
	V500 Version = "v5.0.0"
)

// Versions are the benchmark versions of the report, oldest first.
var Versions = []Version{V140, V300, V500}

// Standard is an AWS Security Hub standard.
type Standard string

// The Security Hub standards that evaluate controls of these stacks.
const (
	HubCIS120 Standard = "CIS v1.2.0"
	HubCIS140 Standard = "CIS v1.4.0"
	HubCIS300 Standard = "CIS v3.0.0"
	HubCIS500 Standard = "CIS v5.0.0"
	HubFSBP   Standard = "FSBP"
)

// Control is one control of a benchmark. Its status is computed from the
// results of the checks that name it.
//
// Sources of the ids and the standards: the Security Hub User Guide's
// "CIS AWS Foundations Benchmark in Security Hub CSPM" (its control lists
// per version and its table of each control's requirement in v5.0.0,
// v3.0.0, v1.4.0 and v1.2.0),
// https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html,
// "AWS Foundational Security Best Practices standard",
// https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html,
// and the "Related requirements" of the CloudWatch controls,
// https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html.
// The CIS titles are the v3.0.0 recommendations' (the benchmark's text is
// licensed by CIS; its titles as published in the CIS benchmark PDFs,
// mirrored by the Steampipe and Prowler compliance mappings).
type Control struct {
	Framework Framework
	ID, Title string
	// Versions are a CIS control's numbers by benchmark version; a version
	// without the recommendation is absent.
	Versions map[Version]string
	// Hub is the Security Hub control that evaluates a CIS
	// recommendation, nil when none does.
	Hub *Control
	// Standards are the Security Hub standards that include a Security
	// Hub control.
	Standards []Standard
}

var (
	allCIS   = []Standard{HubCIS120, HubCIS140, HubCIS300, HubCIS500}
	cisFSBP  = []Standard{HubCIS120, HubCIS140, HubCIS300, HubCIS500, HubFSBP}
	modern   = []Standard{HubCIS140, HubCIS300, HubCIS500, HubFSBP}
	onlyV1   = []Standard{HubCIS120, HubCIS140}
	onlyV120 = []Standard{HubCIS120}
)

// The Security Hub controls.
var (
	HubCloudTrail1 = &Control{Framework: SecurityHub, ID: "CloudTrail.1", Title: "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events", Standards: cisFSBP}
	HubCloudTrail2 = &Control{Framework: SecurityHub, ID: "CloudTrail.2", Title: "CloudTrail should have encryption at-rest enabled", Standards: cisFSBP}
	HubCloudTrail4 = &Control{Framework: SecurityHub, ID: "CloudTrail.4", Title: "CloudTrail log file validation should be enabled", Standards: cisFSBP}
	HubCloudTrail5 = &Control{Framework: SecurityHub, ID: "CloudTrail.5", Title: "CloudTrail trails should be integrated with Amazon CloudWatch Logs", Standards: []Standard{HubCIS120, HubCIS140, HubFSBP}}
	HubCloudTrail6 = &Control{Framework: SecurityHub, ID: "CloudTrail.6", Title: "Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible", Standards: onlyV1}
	HubCloudTrail7 = &Control{Framework: SecurityHub, ID: "CloudTrail.7", Title: "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket", Standards: allCIS}
	HubS31         = &Control{Framework: SecurityHub, ID: "S3.1", Title: "S3 general purpose buckets should have block public access settings enabled", Standards: modern}
	HubS35         = &Control{Framework: SecurityHub, ID: "S3.5", Title: "S3 general purpose buckets should require requests to use SSL", Standards: modern}
	HubS38         = &Control{Framework: SecurityHub, ID: "S3.8", Title: "S3 general purpose buckets should block public access", Standards: modern}
	HubS39         = &Control{Framework: SecurityHub, ID: "S3.9", Title: "S3 general purpose buckets should have server access logging enabled", Standards: []Standard{HubFSBP}}
	HubS314        = &Control{Framework: SecurityHub, ID: "S3.14", Title: "S3 general purpose buckets should have versioning enabled"}
	HubKMS4        = &Control{Framework: SecurityHub, ID: "KMS.4", Title: "AWS KMS key rotation should be enabled", Standards: allCIS}
	HubIAM2        = &Control{Framework: SecurityHub, ID: "IAM.2", Title: "IAM users should not have IAM policies attached", Standards: []Standard{HubCIS120, HubCIS300, HubCIS500, HubFSBP}}
	HubIAM5        = &Control{Framework: SecurityHub, ID: "IAM.5", Title: "MFA should be enabled for all IAM users that have a console password", Standards: cisFSBP}
)

// cis makes a CIS control: its v3.0.0 number is its ID, or "v1.4.0 n"
// for a recommendation that v3.0.0 removed.
func cis(v140, v300, v500, title string, hub *Control) *Control {
	versions := map[Version]string{}
	for v, id := range map[Version]string{V140: v140, V300: v300, V500: v500} {
		if id != "" {
			versions[v] = id
		}
	}
	id := v300
	if id == "" {
		id = string(V140) + " " + v140
	}
	return &Control{Framework: CIS, ID: id, Title: title, Versions: versions, Hub: hub}
}

// The CIS recommendations of sections 1 to 3. Section 4 (one per event
// family) is in Section4.
var (
	CIS115 = cis("1.15", "1.15", "1.14", "Ensure IAM Users Receive Permissions Only Through Groups", HubIAM2)
	CIS211 = cis("2.1.2", "2.1.1", "2.1.1", "Ensure S3 Bucket Policy is set to deny HTTP requests", HubS35)
	CIS214 = cis("2.1.5", "2.1.4", "2.1.4", "Ensure that S3 Buckets are configured with 'Block public access (bucket settings)'", HubS38)
	CIS31  = cis("3.1", "3.1", "3.1", "Ensure CloudTrail is enabled in all regions", HubCloudTrail1)
	CIS32  = cis("3.2", "3.2", "3.2", "Ensure CloudTrail log file validation is enabled", HubCloudTrail4)
	CIS34  = cis("3.6", "3.4", "3.4", "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket", HubCloudTrail7)
	CIS35  = cis("3.7", "3.5", "3.5", "Ensure CloudTrail logs are encrypted at rest using KMS CMKs", HubCloudTrail2)
	CIS36  = cis("3.8", "3.6", "3.6", "Ensure rotation for customer-created symmetric CMKs is enabled", HubKMS4)
	// Removed in v3.0.0 ("Not supported - CIS removed this requirement"
	// on the Security Hub page); their titles are v1.4.0's.
	CIS140v33 = cis("3.3", "", "", "Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible", HubCloudTrail6)
	CIS140v34 = cis("3.4", "", "", "Ensure CloudTrail trails are integrated with CloudWatch Logs", HubCloudTrail5)
)

// The controls of this project, beyond the benchmarks: what an
// administrator of the account could otherwise do to the evidence
// unnoticed.
var (
	BeyondObjectLock = &Control{Framework: Beyond, ID: "AT.1", Title: "The trail's new log files and digests are under S3 Object Lock for at least a year"}
	BeyondEvidence   = &Control{Framework: Beyond, ID: "AT.2", Title: "Only named break-glass principals can destroy evidence; only they and named deployers can change its protection"}
	BeyondTakeover   = &Control{Framework: Beyond, ID: "AT.3", Title: "Changes to the stack's keys, roles, auditors and evidence buckets raise an alarm"}
	// AT.4 is the lab's goal: "track all API activity in this (and
	// future) accounts".
	BeyondOrganization = &Control{Framework: Beyond, ID: "AT.4", Title: "The trail records every account of the organization, those created later too"}
)

// Section4 is one CIS section 4 control per monitoring family, in the
// benchmark's order, with the Security Hub control that evaluates it:
// CloudWatch.1 to .14 belong to the CIS v1.2.0 and v1.4.0 standards only
// (CloudWatch.2 and .3 to v1.2.0 only), and none evaluates 4.15.
var Section4 = sectionFour()

func sectionFour() []*Control {
	hub := map[string]*Control{
		"4.1": {Framework: SecurityHub, ID: "CloudWatch.2", Standards: onlyV120},
		"4.2": {Framework: SecurityHub, ID: "CloudWatch.3", Standards: onlyV120},
		"4.3": {Framework: SecurityHub, ID: "CloudWatch.1", Standards: onlyV1},
	}
	for i := 4; i <= 14; i++ {
		hub[fmt.Sprintf("4.%d", i)] = &Control{Framework: SecurityHub, ID: fmt.Sprintf("CloudWatch.%d", i), Standards: onlyV1}
	}
	// Section 4 keeps its numbers in v1.4.0, v3.0.0 and v5.0.0; these are
	// the v3.0.0 titles (v1.4.0: "Ensure a log metric filter and alarm
	// exist for ...").
	titles := map[string]string{
		"4.1":  "Ensure unauthorized API calls are monitored",
		"4.2":  "Ensure management console sign-in without MFA is monitored",
		"4.3":  "Ensure usage of 'root' account is monitored",
		"4.4":  "Ensure IAM policy changes are monitored",
		"4.5":  "Ensure CloudTrail configuration changes are monitored",
		"4.6":  "Ensure AWS Management Console authentication failures are monitored",
		"4.7":  "Ensure disabling or scheduled deletion of customer created CMKs is monitored",
		"4.8":  "Ensure S3 bucket policy changes are monitored",
		"4.9":  "Ensure AWS Config configuration changes are monitored",
		"4.10": "Ensure security group changes are monitored",
		"4.11": "Ensure Network Access Control Lists (NACL) changes are monitored",
		"4.12": "Ensure changes to network gateways are monitored",
		"4.13": "Ensure route table changes are monitored",
		"4.14": "Ensure VPC changes are monitored",
		"4.15": "Ensure AWS Organizations changes are monitored",
	}
	out := make([]*Control, 0, len(monitoring.Families))
	for _, f := range monitoring.Families {
		out = append(out, cis(f.Control, f.Control, f.Control, titles[f.Control], hub[f.Control]))
	}
	return out
}

// Controls are every control of the report, in its order: the CIS
// recommendations, the Security Hub controls, then this project's.
var Controls = slices.Concat(
	[]*Control{CIS115, CIS211, CIS214, CIS31, CIS32, CIS140v33, CIS140v34, CIS34, CIS35, CIS36},
	Section4,
	[]*Control{HubCloudTrail1, HubCloudTrail2, HubCloudTrail4, HubCloudTrail5, HubCloudTrail6, HubCloudTrail7,
		HubS31, HubS35, HubS38, HubS39, HubS314, HubKMS4, HubIAM2, HubIAM5},
	[]*Control{BeyondObjectLock, BeyondEvidence, BeyondTakeover, BeyondOrganization},
)

// Status is the outcome of a control.
type Status string

// The outcomes of a control.
const (
	Pass          Status = "PASS"
	Fail          Status = "FAIL"
	NotApplicable Status = "NOT APPLICABLE"
)

// Verdict is a control's outcome and the evidence for it.
type Verdict struct {
	Status Status
	// Evidence is Items joined with "; ".
	Evidence string
	// Items are the evidence, one per resource or problem.
	Items []string
}

func verdict(s Status, items []string) Verdict {
	return Verdict{Status: s, Evidence: strings.Join(items, "; "), Items: items}
}

// Checks returns the checks of the pack that evidence c.
func (c *Control) Checks() []*Check {
	var out []*Check
	for _, k := range Pack {
		if slices.Contains(k.Controls, c) {
			out = append(out, k)
		}
	}
	return out
}

// Control computes c's verdict from the results of its checks: FAIL when
// any result fails (suppressed or not: a suppression explains a
// deviation, it does not make the benchmark pass) or a check that needs
// a subject found none; PASS when some result passes; NOT APPLICABLE when
// no stack has anything the checks judge.
func (r *Report) Control(c *Control) Verdict {
	var failed, absent []string
	var passed evidence
	for _, k := range c.Checks() {
		results := r.Of(k)
		if len(results) == 0 && k.Missing != "" {
			failed = append(failed, k.Missing)
		}
		for _, res := range results {
			if res.Pass {
				passed.add(res.Located(), res.Evidence)
			} else {
				failed = append(failed, res.Located()+" ("+res.Evidence+")")
			}
		}
		if len(results) == 0 {
			absent = append(absent, "no "+k.Subject+" in the stacks")
		}
	}
	switch {
	case len(failed) > 0:
		return verdict(Fail, failed)
	case len(passed.order) > 0:
		return verdict(Pass, passed.items())
	case len(absent) > 0:
		return verdict(NotApplicable, slices.Compact(absent))
	}
	return verdict(NotApplicable, []string{fmt.Sprintf("no check evidences %s %s", c.Framework, c.ID)})
}

// evidence collects what holds for each resource, in the order the
// resources first appear.
type evidence struct {
	order []string
	found map[string][]string
}

func (e *evidence) add(resource, what string) {
	if e.found == nil {
		e.found = map[string][]string{}
	}
	if _, seen := e.found[resource]; !seen {
		e.order = append(e.order, resource)
	}
	e.found[resource] = append(e.found[resource], what)
}

// items are what holds, one "resource: what, what" per resource.
func (e *evidence) items() []string {
	parts := make([]string, 0, len(e.order))
	for _, r := range e.order {
		parts = append(parts, r+": "+strings.Join(e.found[r], ", "))
	}
	return parts
}

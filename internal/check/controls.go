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
	// CIS is the CIS AWS Foundations Benchmark (v3.0/v4.0 numbering).
	CIS Framework = "CIS"
	// SecurityHub is AWS Security Hub's controls.
	SecurityHub Framework = "Security Hub"
)

// Control is one control of a benchmark. Its status is computed from the
// results of the checks that name it.
type Control struct {
	Framework Framework
	ID, Title string
}

// The controls of CIS sections 1 to 3 and of Security Hub. CIS section 4
// (one control per event family) is in Section4.
var (
	CIS115 = &Control{CIS, "1.15", "IAM users receive permissions only through groups"}
	CIS211 = &Control{CIS, "2.1.1", "S3 bucket policies deny HTTP requests"}
	CIS214 = &Control{CIS, "2.1.4", "S3 buckets block public access (bucket settings)"}
	CIS31  = &Control{CIS, "3.1", "CloudTrail is enabled in all regions"}
	CIS32  = &Control{CIS, "3.2", "CloudTrail log file validation is enabled"}
	CIS34  = &Control{CIS, "3.4", "S3 bucket access logging is enabled on the CloudTrail S3 bucket"}
	CIS35  = &Control{CIS, "3.5", "CloudTrail logs are encrypted at rest with KMS CMKs"}
	CIS36  = &Control{CIS, "3.6", "Rotation is enabled for customer-created symmetric CMKs"}

	HubCloudTrail1 = &Control{SecurityHub, "CloudTrail.1", "A multi-region trail records read and write management events"}
	HubCloudTrail2 = &Control{SecurityHub, "CloudTrail.2", "CloudTrail has encryption at rest enabled"}
	HubCloudTrail4 = &Control{SecurityHub, "CloudTrail.4", "CloudTrail log file validation is enabled"}
	HubCloudTrail5 = &Control{SecurityHub, "CloudTrail.5", "CloudTrail trails are integrated with CloudWatch Logs"}
	HubCloudTrail6 = &Control{SecurityHub, "CloudTrail.6", "The CloudTrail S3 bucket is not publicly accessible"}
	HubCloudTrail7 = &Control{SecurityHub, "CloudTrail.7", "S3 bucket access logging is enabled on the CloudTrail S3 bucket"}
	HubS31         = &Control{SecurityHub, "S3.1", "Account-level S3 Block Public Access is enabled"}
	HubS35         = &Control{SecurityHub, "S3.5", "S3 buckets require requests to use SSL"}
	HubS38         = &Control{SecurityHub, "S3.8", "S3 buckets block public access (bucket level)"}
	HubS39         = &Control{SecurityHub, "S3.9", "S3 buckets have server access logging enabled"}
	HubS314        = &Control{SecurityHub, "S3.14", "S3 buckets have versioning enabled"}
	HubKMS4        = &Control{SecurityHub, "KMS.4", "AWS KMS key rotation is enabled"}
	HubIAM2        = &Control{SecurityHub, "IAM.2", "IAM users have no IAM policies attached"}
	HubIAM5        = &Control{SecurityHub, "IAM.5", "MFA is enabled for all IAM users with a console password"}
)

// Section4 is one CIS section 4 control per monitoring family, in the
// benchmark's order.
var Section4 = sectionFour()

func sectionFour() []*Control {
	out := make([]*Control, 0, len(monitoring.Families))
	for _, f := range monitoring.Families {
		out = append(out, &Control{CIS, f.Control, "Metric filter and alarm: " + f.Title})
	}
	return out
}

// Controls are every control of the report, in its order: CIS sections 1
// to 3, CIS section 4, then Security Hub.
var Controls = slices.Concat(
	[]*Control{CIS115, CIS211, CIS214, CIS31, CIS32, CIS34, CIS35, CIS36},
	Section4,
	[]*Control{HubCloudTrail1, HubCloudTrail2, HubCloudTrail4, HubCloudTrail5, HubCloudTrail6, HubCloudTrail7,
		HubS31, HubS35, HubS38, HubS39, HubS314, HubKMS4, HubIAM2, HubIAM5},
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

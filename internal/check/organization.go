package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/layout"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// The checks of an organization trail: whether the trail records the
// organization's accounts, and, when it does, whether it can deliver
// them.
var organizationChecks = []*Check{
	{ID: "TRAIL-ORGANIZATION", Description: "the trail records every account of the organization, those created later too (an organization trail)",
		Controls: []*Control{BeyondOrganization}, Subject: "aws_cloudtrail", Missing: noTrail, run: trailOrganization},
	{ID: "TRAIL-ORGANIZATION-DELIVERY", Description: "an organization trail's bucket lets CloudTrail write the organization's folder for this trail only, and its CloudWatch Logs role writes the organization's streams", Blocking: true,
		Controls: []*Control{BeyondOrganization}, Subject: "aws_cloudtrail", run: trailOrganizationDelivery},
}

// organizationOf returns the reference to the organization ID that trail t
// records, if it is an organization trail of this stack's organization.
func organizationOf(d *tfjson.Doc) (string, bool) {
	for _, o := range d.DataSources("aws_organizations_organization") {
		return "${" + o.Address + ".id}", true
	}
	return "", false
}

func trailOrganization(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
		if !isTrue(t.Attrs["is_organization_trail"]) {
			return fail(t, `records this account only: accounts of the organization, and those created later, are not recorded (set "organizationTrail" and deploy from the management account)`)
		}
		org, ok := organizationOf(d)
		if !ok {
			return fail(t, "is an organization trail, but the stack does not read the organization (aws_organizations_organization)")
		}
		return judge(t, nil, "an organization trail of "+org)
	})
}

// trailOrganizationDelivery judges each organization trail: CreateTrail
// checks the bucket policy and the CloudWatch Logs role, so what they miss
// fails at apply (see trail.BucketGrants and monitoring.New for the
// sources).
func trailOrganizationDelivery(d *tfjson.Doc) []Result {
	var out []Result
	for _, t := range d.Resources("aws_cloudtrail") {
		if !isTrue(t.Attrs["is_organization_trail"]) {
			continue
		}
		org, ok := organizationOf(d)
		if !ok {
			out = append(out, fail(t, "is an organization trail, but the stack does not read the organization (aws_organizations_organization)"))
			continue
		}
		var problems []string
		bd, bucket, ok := trailBucket(d, t)
		var statements []iameval.Statement
		readable := false
		if ok {
			statements, readable = bucketStatements(bd, bucket)
		}
		folder := "/" + layout.Owner("", org) + "*"
		if !ok || !readable || !slices.ContainsFunc(statements, func(s iameval.Statement) bool {
			return s.Effect == "Allow" && slices.Contains(s.Principals["Service"], "cloudtrail.amazonaws.com") && slices.Contains(s.Actions, "s3:PutObject") &&
				slices.ContainsFunc(s.Resources, func(r string) bool { return strings.HasSuffix(r, folder) }) && namesTrail(s, t)
		}) {
			problems = append(problems, fmt.Sprintf("the trail's bucket policy must let CloudTrail put objects in %s for this trail (aws:SourceArn)", strings.TrimPrefix(folder, "/")))
		}
		if role, _, ok := tfjson.Ref(t.Attrs["cloud_watch_logs_role_arn"]); ok {
			streams := ":log-stream:" + org + "_*"
			found := false
			for _, p := range d.Referring("aws_iam_role_policy", "role", role) {
				ss, _ := d.Policy(p.Attrs["policy"])
				found = found || slices.ContainsFunc(ss, func(s iameval.Statement) bool {
					return s.Effect == "Allow" && slices.Contains(s.Actions, "logs:PutLogEvents") && slices.ContainsFunc(s.Resources, func(r string) bool { return strings.HasSuffix(r, streams) })
				})
			}
			if !found {
				problems = append(problems, "the CloudWatch Logs role must write the organization's streams (<organization ID>_*)")
			}
		}
		out = append(out, judge(t, problems, "the bucket and the CloudWatch Logs role take the organization's deliveries"))
	}
	return out
}

// namesTrail reports whether s is conditioned on aws:SourceArn being the
// ARN of trail t (and no other).
func namesTrail(s iameval.Statement, t tfjson.Block) bool {
	name, _ := t.Attrs["name"].(string)
	arns := s.Condition("StringEquals", "aws:SourceArn")
	return len(arns) > 0 && !slices.ContainsFunc(arns, func(a string) bool { return !strings.HasSuffix(a, ":trail/"+name) })
}

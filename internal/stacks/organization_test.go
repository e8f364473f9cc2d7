package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/settings"
	tfdoc "github.com/cle2wa/audit-trail/internal/tfjson"
)

const orgID = "${data.aws_organizations_organization.organization.id}"

// TestOrganizationTrail: with organizationTrail the trail records the
// organization, its bucket and CloudWatch Logs role take every account's
// deliveries as the CloudTrail User Guide's organization examples do, and
// each of those grants is decided by the documented evaluation logic.
func TestOrganizationTrail(t *testing.T) {
	s := settings.Defaults()
	s.OrganizationTrail = true
	s.LogPrefix = "org"
	raw, j := synth(t, s)

	expect(t, "organization trail", j.resource("aws_cloudtrail", "trail")["is_organization_trail"], true)
	org := j.block("data", "aws_organizations_organization", "organization")
	var conditions []string
	for _, c := range dig(org, "lifecycle", "postcondition").([]any) {
		conditions = append(conditions, c.(map[string]any)["condition"].(string))
	}
	expect(t, "the plan stops outside the management account and without trusted access", conditions, []string{
		"${self.master_account_id == data.aws_caller_identity.current_account.account_id}",
		`${contains(self.aws_service_access_principals, "cloudtrail.amazonaws.com")}`,
	})

	write := j.statement("log_bucket_policy", "CloudTrailOrganizationWrite")
	expect(t, "organization folder", strs(write["resources"]), []string{"arn:" + partition + ":s3:::cle2wa-s3-trail-master/org/AWSLogs/" + orgID + "/*"})
	expect(t, "only for this trail", condition(write, "StringEquals", "aws:SourceArn"), []string{"arn:" + partition + ":cloudtrail:us-east-1:" + account + ":trail/trail-master"})
	expect(t, "bucket owner full control", condition(write, "StringEquals", "s3:x-amz-acl"), []string{"bucket-owner-full-control"})
	own := j.statement("log_bucket_policy", "CloudTrailWrite")
	expect(t, "the account's own folder stays", strs(own["resources"]), []string{"arn:" + partition + ":s3:::cle2wa-s3-trail-master/org/AWSLogs/" + account + "/*"})
	streams := strs(j.statement("monitoring_role_policy", "WriteTheTrailLogStreamsOnly")["resources"])
	if !slices.Contains(streams, "arn:"+partition+":logs:us-east-1:"+account+":log-group:cloudtrail/trail-master:log-stream:"+orgID+"_*") {
		t.Errorf("expected the CloudWatch Logs role to write the organization's streams, found %v", streams)
	}
	if !strings.Contains(raw, `"organization_id"`) {
		t.Error("expected the output organization_id")
	}

	doc, err := tfdoc.Parse("audit", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	m := access.New(doc)
	applied := 0
	for _, in := range m.Applicable() {
		if in.When != nil {
			applied++
		}
		if d := iameval.Evaluate(in.Request(m)); d.Allowed != in.Allowed {
			t.Errorf("%s: expected allowed=%v (%s, %s), found %v", in.Name, in.Allowed, in.Keys, in.Source, d)
		}
	}
	if applied < 5 {
		t.Errorf("expected the organization rows to apply to an organization trail, found %d", applied)
	}

	r := check.Run(&tfdoc.Synthesis{Stacks: []*tfdoc.Doc{doc}})
	for _, id := range []string{"TRAIL-ORGANIZATION", "TRAIL-ORGANIZATION-DELIVERY"} {
		for _, res := range r.Results {
			if res.Check.ID == id && !res.Pass {
				t.Errorf("%s: expected a pass on an organization trail, found %s", id, res.Evidence)
			}
		}
	}
}

// TestSingleAccountTrail: the default stays a trail of this account, with
// no organization grant anywhere.
func TestSingleAccountTrail(t *testing.T) {
	raw, j := synth(t, settings.Defaults())
	expect(t, "account trail", j.resource("aws_cloudtrail", "trail")["is_organization_trail"], false)
	if j.has("data", "aws_organizations_organization") || strings.Contains(raw, "CloudTrailOrganizationWrite") || strings.Contains(raw, "organization_id") {
		t.Error("expected no organization data source, grant or output on a trail of one account")
	}
	streams := strs(j.statement("monitoring_role_policy", "WriteTheTrailLogStreamsOnly")["resources"])
	if len(streams) != 1 {
		t.Errorf("expected the CloudWatch Logs role to write the account's streams only, found %v", streams)
	}
}

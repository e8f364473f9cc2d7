package verify

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Identities compares the roles' trust and inline policies, the groups'
// inline policies (the synthesized ones, and no other), managed attachments and members, and the topic's
// policy with the synthesized stack. IAM returns policy documents
// URL-encoded ("URL-encoded compliant with RFC 3986",
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html).
func Identities(ctx context.Context, c Clients, audit *tfjson.Doc, resolve func(string) string) []Result {
	var out []Result
	failed := func(check, action, resource string, err error) {
		out = append(out, callFailed(check, action, resource, err))
	}
	for _, r := range audit.Resources("aws_iam_role") {
		name := str(r.Attrs["name"])
		got, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
		if err != nil {
			failed("DRIFT-ROLE-TRUST "+name, "iam:GetRole", "role "+name, err)
			continue
		}
		out = append(out, compareEncoded("DRIFT-ROLE-TRUST "+name, aws.ToString(got.Role.AssumeRolePolicyDocument), audit, r.Attrs["assume_role_policy"], resolve))
		// Inline policies: the synthesized ones, and no other.
		listed, err := every(ctx, iam.NewListRolePoliciesPaginator(c.IAM, &iam.ListRolePoliciesInput{RoleName: &name}),
			func(o *iam.ListRolePoliciesOutput) []string { return o.PolicyNames })
		if err != nil {
			failed("DRIFT-ROLE-POLICIES "+name, "iam:ListRolePolicies", "role "+name, err)
			continue
		}
		var want []string
		for _, p := range audit.Referring("aws_iam_role_policy", "role", r.Address) {
			policy := str(p.Attrs["name"])
			want = append(want, policy)
			got, err := c.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &name, PolicyName: &policy})
			if err != nil {
				failed("DRIFT-ROLE-POLICY "+name+"/"+policy, "iam:GetRolePolicy", "role "+name, err)
				continue
			}
			out = append(out, compareEncoded("DRIFT-ROLE-POLICY "+name+"/"+policy, aws.ToString(got.PolicyDocument), audit, p.Attrs["policy"], resolve))
		}
		out = append(out, sameSet("DRIFT-ROLE-POLICIES "+name, "inline policies", listed, want))
		attached, err := every(ctx, iam.NewListAttachedRolePoliciesPaginator(c.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: &name}),
			func(o *iam.ListAttachedRolePoliciesOutput) []types.AttachedPolicy { return o.AttachedPolicies })
		if err != nil {
			failed("DRIFT-ROLE-ATTACHMENTS "+name, "iam:ListAttachedRolePolicies", "role "+name, err)
			continue
		}
		out = append(out, attachments("DRIFT-ROLE-ATTACHMENTS "+name, attached, audit.Referring("aws_iam_role_policy_attachment", "role", r.Address), resolve))
	}
	for _, g := range audit.Resources("aws_iam_group") {
		name := str(g.Attrs["name"])
		var want []string
		for _, p := range audit.Referring("aws_iam_group_policy", "group", g.Address) {
			policy := str(p.Attrs["name"])
			want = append(want, policy)
			got, err := c.IAM.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: &name, PolicyName: &policy})
			if err != nil {
				failed("DRIFT-GROUP-POLICY "+name+"/"+policy, "iam:GetGroupPolicy", "group "+name, err)
				continue
			}
			out = append(out, compareEncoded("DRIFT-GROUP-POLICY "+name+"/"+policy, aws.ToString(got.PolicyDocument), audit, p.Attrs["policy"], resolve))
		}
		if listed, err := every(ctx, iam.NewListGroupPoliciesPaginator(c.IAM, &iam.ListGroupPoliciesInput{GroupName: &name}),
			func(o *iam.ListGroupPoliciesOutput) []string { return o.PolicyNames }); err != nil {
			failed("DRIFT-GROUP-POLICIES "+name, "iam:ListGroupPolicies", "group "+name, err)
		} else {
			out = append(out, sameSet("DRIFT-GROUP-POLICIES "+name, "inline policies", listed, want))
		}
		attached, err := every(ctx, iam.NewListAttachedGroupPoliciesPaginator(c.IAM, &iam.ListAttachedGroupPoliciesInput{GroupName: &name}),
			func(o *iam.ListAttachedGroupPoliciesOutput) []types.AttachedPolicy { return o.AttachedPolicies })
		if err != nil {
			failed("DRIFT-GROUP-ATTACHMENTS "+name, "iam:ListAttachedGroupPolicies", "group "+name, err)
		} else {
			out = append(out, attachments("DRIFT-GROUP-ATTACHMENTS "+name, attached, audit.Referring("aws_iam_group_policy_attachment", "group", g.Address), resolve))
		}
		members, err := every(ctx, iam.NewGetGroupPaginator(c.IAM, &iam.GetGroupInput{GroupName: &name}),
			func(o *iam.GetGroupOutput) []types.User { return o.Users })
		if err != nil {
			failed("DRIFT-GROUP-MEMBERS "+name, "iam:GetGroup", "group "+name, err)
			continue
		}
		var live, synthesized []string
		for _, u := range members {
			live = append(live, aws.ToString(u.UserName))
		}
		for _, m := range audit.Referring("aws_iam_group_membership", "group", g.Address) {
			synthesized = append(synthesized, resolveAll(tfjson.Strings(m.Attrs["users"]), resolve)...)
		}
		out = append(out, sameSet("DRIFT-GROUP-MEMBERS "+name, "members", live, synthesized))
	}
	// The users get their permissions from the group only (CIS 1.15):
	// the stack attaches none to them.
	for _, u := range audit.Resources("aws_iam_user") {
		name := str(u.Attrs["name"])
		inline, err := every(ctx, iam.NewListUserPoliciesPaginator(c.IAM, &iam.ListUserPoliciesInput{UserName: &name}),
			func(o *iam.ListUserPoliciesOutput) []string { return o.PolicyNames })
		if err != nil {
			failed("DRIFT-USER-POLICIES "+name, "iam:ListUserPolicies", "user "+name, err)
			continue
		}
		attached, err := every(ctx, iam.NewListAttachedUserPoliciesPaginator(c.IAM, &iam.ListAttachedUserPoliciesInput{UserName: &name}),
			func(o *iam.ListAttachedUserPoliciesOutput) []types.AttachedPolicy { return o.AttachedPolicies })
		if err != nil {
			failed("DRIFT-USER-POLICIES "+name, "iam:ListAttachedUserPolicies", "user "+name, err)
			continue
		}
		live := inline
		for _, a := range attached {
			live = append(live, aws.ToString(a.PolicyArn))
		}
		out = append(out, sameSet("DRIFT-USER-POLICIES "+name, "policies", live, nil))
	}
	// A customer managed policy is what its default version says: a new
	// default version changes it without changing the attachment.
	for _, p := range audit.Resources("aws_iam_policy") {
		name := str(p.Attrs["name"])
		arn := resolve("${" + p.Address + ".arn}")
		got, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
		if err != nil {
			failed("DRIFT-MANAGED-POLICY "+name, "iam:GetPolicy", "policy "+arn, err)
			continue
		}
		version, err := c.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &arn, VersionId: got.Policy.DefaultVersionId})
		if err != nil {
			failed("DRIFT-MANAGED-POLICY "+name, "iam:GetPolicyVersion", "policy "+arn, err)
			continue
		}
		r := compareEncoded("DRIFT-MANAGED-POLICY "+name, aws.ToString(version.PolicyVersion.Document), audit, p.Attrs["policy"], resolve)
		r.Evidence = "version " + aws.ToString(got.Policy.DefaultVersionId) + ": " + r.Evidence
		out = append(out, r)
	}
	for _, p := range audit.Resources("aws_sns_topic_policy") {
		arn := resolve(str(p.Attrs["arn"]))
		got, err := c.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
		if err != nil {
			failed("DRIFT-TOPIC-POLICY "+arn, "sns:GetTopicAttributes", "topic "+arn, err)
			continue
		}
		out = append(out, compare("DRIFT-TOPIC-POLICY "+arn, got.Attributes["Policy"], audit, p.Attrs["policy"], resolve))
	}
	return out
}

// attachments compares the managed policies attached to a role or group
// with the synthesized attachments.
func attachments(check string, attached []types.AttachedPolicy, synthesized []tfjson.Block, resolve func(string) string) Result {
	var live, want []string
	for _, a := range attached {
		live = append(live, aws.ToString(a.PolicyArn))
	}
	for _, a := range synthesized {
		want = append(want, resolve(str(a.Attrs["policy_arn"])))
	}
	return sameSet(check, "managed policies", live, want)
}

// compareEncoded compares a URL-encoded IAM policy document. RFC 3986
// encodes a space as %20 and a plus as %2B, so the path form of unescaping
// is the one that reads it back (the query form would turn "+" into a space).
func compareEncoded(check, encoded string, audit *tfjson.Doc, value any, resolve func(string) string) Result {
	live, err := url.PathUnescape(encoded)
	if err != nil {
		return Result{Check: check, Evidence: "the policy document is not URL-encoded: " + err.Error()}
	}
	return compare(check, live, audit, value, resolve)
}

// sameSet is the result of comparing two lists as sets.
func sameSet(check, what string, live, synthesized []string) Result {
	live, synthesized = slices.Clone(live), slices.Clone(synthesized)
	sort.Strings(live)
	sort.Strings(synthesized)
	r := Result{Check: check, Pass: slices.Equal(live, synthesized), Evidence: fmt.Sprintf("%s: %s", what, cmp.Or(strings.Join(live, ", "), "none"))}
	if !r.Pass {
		r.Evidence += fmt.Sprintf(" (synthesized: %s)", cmp.Or(strings.Join(synthesized, ", "), "none"))
	}
	return r
}

// pager is one of the IAM client's paginators.
type pager[P any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*iam.Options)) (P, error)
}

// every collects the items of every page: IAM's lists return up to 100
// items a page ("IsTruncated", "Marker" in the IAM API Reference).
func every[P, T any](ctx context.Context, p pager[P], items func(P) []T) ([]T, error) {
	var out []T
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items(page)...)
	}
	return out, nil
}

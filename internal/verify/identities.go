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

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Identities compares the roles' settings, trust and inline policies,
// the groups' path, inline policies (the synthesized ones, and no
// other), managed attachments and members, the users' path, groups and
// policies (none), and the customer managed policies with the
// synthesized stack. IAM returns policy documents
// URL-encoded ("URL-encoded compliant with RFC 3986",
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html).
func Identities(ctx context.Context, c Clients, audit *tfjson.Doc, refs *tfjson.Resolver) []Result {
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
		out = append(out, roleSettings(r, got.Role))
		out = append(out, compareEncoded("DRIFT-ROLE-TRUST "+name, aws.ToString(got.Role.AssumeRolePolicyDocument), refs, r.Attrs["assume_role_policy"]))
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
			out = append(out, compareEncoded("DRIFT-ROLE-POLICY "+name+"/"+policy, aws.ToString(got.PolicyDocument), refs, p.Attrs["policy"]))
		}
		out = append(out, sameSet("DRIFT-ROLE-POLICIES "+name, "inline policies", listed, want))
		attached, err := every(ctx, iam.NewListAttachedRolePoliciesPaginator(c.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: &name}),
			func(o *iam.ListAttachedRolePoliciesOutput) []types.AttachedPolicy { return o.AttachedPolicies })
		if err != nil {
			failed("DRIFT-ROLE-ATTACHMENTS "+name, "iam:ListAttachedRolePolicies", "role "+name, err)
			continue
		}
		out = append(out, attachments("DRIFT-ROLE-ATTACHMENTS "+name, attached, audit.Referring("aws_iam_role_policy_attachment", "role", r.Address), refs))
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
			out = append(out, compareEncoded("DRIFT-GROUP-POLICY "+name+"/"+policy, aws.ToString(got.PolicyDocument), refs, p.Attrs["policy"]))
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
			out = append(out, attachments("DRIFT-GROUP-ATTACHMENTS "+name, attached, audit.Referring("aws_iam_group_policy_attachment", "group", g.Address), refs))
		}
		var group *types.Group
		members, err := every(ctx, iam.NewGetGroupPaginator(c.IAM, &iam.GetGroupInput{GroupName: &name}),
			func(o *iam.GetGroupOutput) []types.User { group = cmp.Or(group, o.Group); return o.Users })
		if err != nil {
			failed("IAM-GROUP "+name, "iam:GetGroup", "group "+name, err)
			failed("DRIFT-GROUP-MEMBERS "+name, "iam:GetGroup", "group "+name, err)
			continue
		}
		out = append(out, attributes("IAM-GROUP "+name, []attribute{{"path", aws.ToString(group.Path), cmp.Or(str(g.Attrs["path"]), "/")}}))
		var live, synthesized []string
		for _, u := range members {
			live = append(live, aws.ToString(u.UserName))
		}
		for _, m := range audit.Referring("aws_iam_group_membership", "group", g.Address) {
			synthesized = append(synthesized, refs.All(tfjson.Strings(m.Attrs["users"]))...)
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
		out = append(out, user(ctx, c, audit, u, refs))
	}
	// A customer managed policy is what its default version says: a new
	// default version changes it without changing the attachment.
	for _, p := range audit.Resources("aws_iam_policy") {
		name := str(p.Attrs["name"])
		arn := refs.Resolve("${" + p.Address + ".arn}")
		got, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
		if err != nil {
			failed("DRIFT-MANAGED-POLICY "+name, "iam:GetPolicy", "policy "+arn, err)
			continue
		}
		out = append(out, attributes("IAM-POLICY "+name, []attribute{
			{"description", aws.ToString(got.Policy.Description), str(p.Attrs["description"])},
			{"path", aws.ToString(got.Policy.Path), cmp.Or(str(p.Attrs["path"]), "/")},
		}))
		version, err := c.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &arn, VersionId: got.Policy.DefaultVersionId})
		if err != nil {
			failed("DRIFT-MANAGED-POLICY "+name, "iam:GetPolicyVersion", "policy "+arn, err)
			continue
		}
		r := compareEncoded("DRIFT-MANAGED-POLICY "+name, aws.ToString(version.PolicyVersion.Document), refs, p.Attrs["policy"])
		r.Evidence = "version " + aws.ToString(got.Policy.DefaultVersionId) + ": " + r.Evidence
		out = append(out, r)
	}
	return out
}

// defaultSessionHours is the maximum session duration of a role that
// sets none: "If you do not specify a value for this setting, the
// default value of one hour is applied" (CreateRole, MaxSessionDuration,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
const defaultSessionSeconds = "3600"

// roleSettings compares a role's maximum session duration, description
// and path (GetRole) with the synthesized ones.
func roleSettings(r tfjson.Block, live *types.Role) Result {
	return attributes("IAM-ROLE "+str(r.Attrs["name"]), []attribute{
		{"max_session_duration", int32Text(live.MaxSessionDuration), cmp.Or(number(r.Attrs["max_session_duration"]), defaultSessionSeconds)},
		{"description", aws.ToString(live.Description), str(r.Attrs["description"])},
		{"path", aws.ToString(live.Path), cmp.Or(str(r.Attrs["path"]), "/")},
	})
}

// user compares an auditor's path (GetUser) and the groups it is in
// (ListGroupsForUser: the synthesized memberships, and no other group,
// whose policies would reach the auditor).
func user(ctx context.Context, c Clients, audit *tfjson.Doc, u tfjson.Block, refs *tfjson.Resolver) Result {
	name := str(u.Attrs["name"])
	check := "IAM-USER " + name
	got, err := c.IAM.GetUser(ctx, &iam.GetUserInput{UserName: &name})
	if err != nil {
		return callFailed(check, "iam:GetUser", "user "+name, err)
	}
	groups, err := every(ctx, iam.NewListGroupsForUserPaginator(c.IAM, &iam.ListGroupsForUserInput{UserName: &name}),
		func(o *iam.ListGroupsForUserOutput) []types.Group { return o.Groups })
	if err != nil {
		return callFailed(check, "iam:ListGroupsForUser", "user "+name, err)
	}
	var live, synthesized []string
	for _, g := range groups {
		live = append(live, aws.ToString(g.GroupName))
	}
	for _, m := range audit.Resources("aws_iam_group_membership") {
		if slices.Contains(refs.All(tfjson.Strings(m.Attrs["users"])), name) {
			synthesized = append(synthesized, refs.Resolve(str(m.Attrs["group"])))
		}
	}
	return attributes(check, []attribute{
		{"path", aws.ToString(got.User.Path), cmp.Or(str(u.Attrs["path"]), "/")},
		{"groups (aws_iam_group_membership)", joined(live), joined(synthesized)},
	})
}

// attachments compares the managed policies attached to a role or group
// with the synthesized attachments.
func attachments(check string, attached []types.AttachedPolicy, synthesized []tfjson.Block, refs *tfjson.Resolver) Result {
	var live, want []string
	for _, a := range attached {
		live = append(live, aws.ToString(a.PolicyArn))
	}
	for _, a := range synthesized {
		want = append(want, refs.Resolve(str(a.Attrs["policy_arn"])))
	}
	return sameSet(check, "managed policies", live, want)
}

// compareEncoded compares a URL-encoded IAM policy document. RFC 3986
// encodes a space as %20 and a plus as %2B, so the path form of unescaping
// is the one that reads it back (the query form would turn "+" into a space).
func compareEncoded(check, encoded string, refs *tfjson.Resolver, value any) Result {
	live, err := url.PathUnescape(encoded)
	if err != nil {
		return Result{Check: check, Evidence: "the policy document is not URL-encoded: " + err.Error()}
	}
	return compare(check, live, refs, value)
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

// pager is one of an SDK client's paginators, whose options are O.
type pager[P, O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*O)) (P, error)
}

// every collects the items of every page: IAM's lists return up to 100
// items a page ("IsTruncated", "Marker" in the IAM API Reference), and
// Identity Center's lists page with NextToken.
func every[P, O, T any](ctx context.Context, p pager[P, O], items func(P) []T) ([]T, error) {
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

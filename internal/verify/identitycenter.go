package verify

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// IdentityCenter compares the auditors' IAM Identity Center permission
// sets with the synthesized stack: each exists in its instance under its
// name, with its session duration and description, its inline policy,
// its AWS managed policies and no customer managed one, and is assigned,
// in each account, to the synthesized groups and users and no other.
// Identity Center returns the inline policy as JSON
// (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_GetInlinePolicyForPermissionSet.html).
func IdentityCenter(ctx context.Context, c SSOAdminAPI, audit *tfjson.Doc, refs *tfjson.Resolver) []Result {
	var out []Result
	for _, p := range audit.Resources("aws_ssoadmin_permission_set") {
		name, instance := str(p.Attrs["name"]), str(p.Attrs["instance_arn"])
		check := "IDENTITY-CENTER-PERMISSION-SET " + name
		if c == nil {
			out = append(out, Result{Check: check, Error: true, Evidence: "could not check: no IAM Identity Center client"})
			continue
		}
		set, err := permissionSet(ctx, c, instance, name)
		if err != nil {
			out = append(out, callFailed(check, "sso:DescribePermissionSet", "instance "+instance, err))
			continue
		}
		if set == nil {
			out = append(out, Result{Check: check, Evidence: fmt.Sprintf("no permission set %s in the instance %s: nobody can sign in as an auditor through it", name, instance)})
			continue
		}
		arn := set.PermissionSetArn
		out = append(out, attributes(check, []attribute{
			{"session_duration", aws.ToString(set.SessionDuration), str(p.Attrs["session_duration"])},
			{"description", aws.ToString(set.Description), str(p.Attrs["description"])},
		}))
		for _, b := range audit.Referring("aws_ssoadmin_permission_set_inline_policy", "permission_set_arn", p.Address) {
			got, err := c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: &instance, PermissionSetArn: arn})
			if err != nil {
				out = append(out, callFailed("DRIFT-PERMISSION-SET-POLICY "+name, "sso:GetInlinePolicyForPermissionSet", "permission set "+name, err))
				continue
			}
			out = append(out, compare("DRIFT-PERMISSION-SET-POLICY "+name, aws.ToString(got.InlinePolicy), refs, b.Attrs["inline_policy"]))
		}
		managed, err := every(ctx, ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(c, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: &instance, PermissionSetArn: arn}),
			func(o *ssoadmin.ListManagedPoliciesInPermissionSetOutput) []types.AttachedManagedPolicy {
				return o.AttachedManagedPolicies
			})
		if err != nil {
			out = append(out, callFailed("DRIFT-PERMISSION-SET-MANAGED "+name, "sso:ListManagedPoliciesInPermissionSet", "permission set "+name, err))
		} else {
			var live, want []string
			for _, m := range managed {
				live = append(live, aws.ToString(m.Arn))
			}
			for _, b := range audit.Referring("aws_ssoadmin_managed_policy_attachment", "permission_set_arn", p.Address) {
				want = append(want, refs.Resolve(str(b.Attrs["managed_policy_arn"])))
			}
			out = append(out, sameSet("DRIFT-PERMISSION-SET-MANAGED "+name, "AWS managed policies", live, want))
		}
		customer, err := every(ctx, ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(c, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: &instance, PermissionSetArn: arn}),
			func(o *ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetOutput) []types.CustomerManagedPolicyReference {
				return o.CustomerManagedPolicyReferences
			})
		if err != nil {
			out = append(out, callFailed("DRIFT-PERMISSION-SET-CUSTOMER-POLICIES "+name, "sso:ListCustomerManagedPolicyReferencesInPermissionSet", "permission set "+name, err))
		} else {
			var live []string
			for _, r := range customer {
				live = append(live, aws.ToString(r.Path)+aws.ToString(r.Name))
			}
			out = append(out, sameSet("DRIFT-PERMISSION-SET-CUSTOMER-POLICIES "+name, "customer managed policies", live, nil))
		}
		out = append(out, assignments(ctx, c, audit, p, instance, name, arn, refs)...)
	}
	return out
}

// permissionSet is the permission set of the instance named name, or nil.
func permissionSet(ctx context.Context, c SSOAdminAPI, instance, name string) (*types.PermissionSet, error) {
	arns, err := every(ctx, ssoadmin.NewListPermissionSetsPaginator(c, &ssoadmin.ListPermissionSetsInput{InstanceArn: &instance}),
		func(o *ssoadmin.ListPermissionSetsOutput) []string { return o.PermissionSets })
	if err != nil {
		return nil, err
	}
	for _, arn := range arns {
		d, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &instance, PermissionSetArn: aws.String(arn)})
		if err != nil {
			return nil, err
		}
		if d.PermissionSet != nil && aws.ToString(d.PermissionSet.Name) == name {
			return d.PermissionSet, nil
		}
	}
	return nil, nil
}

// assignments compares, in each account the stack assigns the permission
// set p in, who has it with the synthesized groups and users.
func assignments(ctx context.Context, c SSOAdminAPI, audit *tfjson.Doc, p tfjson.Block, instance, name string, arn *string, refs *tfjson.Resolver) []Result {
	want := map[string][]string{}
	for _, a := range audit.Referring("aws_ssoadmin_account_assignment", "permission_set_arn", p.Address) {
		account := refs.Resolve(str(a.Attrs["target_id"]))
		want[account] = append(want[account], str(a.Attrs["principal_type"])+" "+str(a.Attrs["principal_id"]))
	}
	var out []Result
	for _, account := range slices.Sorted(maps.Keys(want)) {
		check := "DRIFT-PERMISSION-SET-ASSIGNMENTS " + name + " " + account
		got, err := every(ctx, ssoadmin.NewListAccountAssignmentsPaginator(c, &ssoadmin.ListAccountAssignmentsInput{AccountId: aws.String(account), InstanceArn: &instance, PermissionSetArn: arn}),
			func(o *ssoadmin.ListAccountAssignmentsOutput) []types.AccountAssignment { return o.AccountAssignments })
		if err != nil {
			out = append(out, callFailed(check, "sso:ListAccountAssignments", "account "+account, err))
			continue
		}
		var live []string
		for _, a := range got {
			live = append(live, strings.TrimSpace(string(a.PrincipalType)+" "+aws.ToString(a.PrincipalId)))
		}
		out = append(out, sameSet(check, "groups and users assigned", live, want[account]))
	}
	return out
}

package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/identitycenter"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
	tfdoc "github.com/cle2wa/audit-trail/internal/tfjson"
)

// withIdentityCenter is s with auditors of IAM Identity Center only.
func withIdentityCenter(s settings.Settings) settings.Settings {
	s.AuditUsers = nil
	s.IdentityCenter = &settings.IdentityCenter{
		InstanceARN: "arn:aws:sso:::instance/ssoins-1234567890abcdef", PermissionSet: "AuditReader",
		Groups: []string{"a1b2c3d4-5678-90ab-cdef-111122223333"},
	}
	return s
}

// permissionSetRole is a role Identity Center makes in env's account for
// the permission set name, in region ("" for none, as for an instance in
// us-east-1): the forms of "Referencing permission sets in resource
// policies" (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html).
func permissionSetRole(env arn.Env, region, name string) iameval.Caller {
	path := "aws-reserved/sso.amazonaws.com/"
	if region != "" {
		path += region + "/"
	}
	return iameval.Caller{ARN: env.Role(path + "AWSReservedSSO_" + name + "_1234567890abcdef"), Account: env.Account}
}

// trustDecides evaluates sts:AssumeRole of the role trust trusts for
// caller, signed in (with MFA, as IAM's users) or not; the caller's own
// policies allow it to assume any role, so that the trust alone decides.
func trustDecides(t *testing.T, env arn.Env, trust []iameval.Statement, caller iameval.Caller, mfa bool) iameval.Decision {
	t.Helper()
	caller.Identity = append(slices.Clone(caller.Identity), iameval.Policy{Name: "assume any role",
		Statements: []iameval.Statement{{Effect: iameval.Allow, Actions: []string{"sts:AssumeRole"}, Resources: []string{"*"}}}})
	ctx := map[string][]string{"aws:SecureTransport": {"true"}}
	if mfa {
		ctx["aws:MultiFactorAuthPresent"] = []string{"true"}
	}
	return iameval.Evaluate(iameval.Request{Caller: caller, Action: "sts:AssumeRole", Resource: env.Role("role-audit"), Context: ctx,
		ResourceAccount: env.Account, Kind: iameval.TrustPolicy, ResourcePolicy: &iameval.Policy{Name: "trust", Statements: trust}})
}

// TestIdentityCenterInTheLayout: with auditors of IAM Identity Center,
// the security account's audit role trusts the permission set's roles
// there (with and without the region in their path, whatever AWS's
// suffix), without MFA in the session (federated sessions carry no MFA
// key), and no other role, user or permission set; its SCP keeps the
// reserved path and the SAML providers its roles trust to Identity
// Center, administrators and operators included; the management account's stack makes the permission set,
// assigned in the security account, that may assume the audit role and
// nothing more, and watches Identity Center.
func TestIdentityCenterInTheLayout(t *testing.T) {
	s := withIdentityCenter(layout())
	app := cdktf.Testing_App(nil)
	sec, err := stacks.NewSecurity(app, s)
	if err != nil {
		t.Fatal(err)
	}
	d := synthesized(t, sec.TerraformStack)
	r := d.Resolver(security, map[string]string{
		"data.aws_organizations_organization.organization.master_account_id": management.Account,
		"data.aws_organizations_organization.organization.id":                layoutOrg,
		"terraform_data.first_deployer.input":                                security.Role("first-deployer"),
	})
	trust, ok := r.Policy(tfdoc.Get(d.Raw(), "resource", "aws_iam_role", "audit_role", "assume_role_policy"))
	if !ok {
		t.Fatal("the audit role's trust policy is not a policy document of the stack")
	}
	admin := administrator(security)
	for name, c := range map[string]struct {
		caller  iameval.Caller
		allowed bool
	}{
		"the permission set's role (instance in us-east-1)":      {permissionSetRole(security, "", "AuditReader"), true},
		"the permission set's role (instance in eu-west-2)":      {permissionSetRole(security, "eu-west-2", "AuditReader"), true},
		"another permission set's role":                          {permissionSetRole(security, "", "AdministratorAccess"), false},
		"a permission set whose name extends the auditors' name": {permissionSetRole(security, "", "AuditReaderPlus"), false},
		"the permission set's role in another account":           {permissionSetRole(management, "", "AuditReader"), false},
		"a role of the same name off the reserved path":          {iameval.Caller{ARN: security.Role("AWSReservedSSO_AuditReader_1234567890abcdef"), Account: security.Account}, false},
		"a user on the auditors' path (none are trusted now)":    {iameval.Caller{ARN: security.User("auditors/alice"), Account: security.Account}, false},
		"an administrator of the security account":               {admin, false},
	} {
		t.Run(name, func(t *testing.T) {
			if d := trustDecides(t, security, trust, c.caller, false); d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v (%s)", c.allowed, d.Allowed, d.Reason)
			}
		})
	}

	scpStatements, ok := r.Policy(tfdoc.Get(d.Raw(), "output", "auditors_scp", "value"))
	if !ok {
		t.Fatal("expected the output auditors_scp to be a policy document of the stack")
	}
	in := func(c iameval.Caller) iameval.Caller {
		c.SCPs = []iameval.Policy{{Name: "auditors_scp", Statements: scpStatements}}
		return c
	}
	deployer := admin
	deployer.ARN = security.Role("first-deployer")
	reserved := security.Role("aws-reserved/sso.amazonaws.com/AWSReservedSSO_AuditReader_0000000000000000")
	for name, c := range map[string]struct {
		caller   iameval.Caller
		resource string
		allowed  bool
	}{
		"an administrator makes a role on the reserved path":   {in(admin), reserved, false},
		"the first deployer makes a role on the reserved path": {in(deployer), reserved, false},
		"an administrator makes a role elsewhere":              {in(admin), security.Role("app"), true},
	} {
		t.Run(name, func(t *testing.T) {
			d := iameval.Evaluate(iameval.Request{Caller: c.caller, Action: "iam:CreateRole", Resource: c.resource, ResourceAccount: security.Account, Kind: iameval.IdentityOnly})
			if d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v (%s)", c.allowed, d.Allowed, d.Reason)
			}
		})
	}
	samlProvider := security.SAMLProvider("AWSSSO_0123456789abcdef_DO_NOT_DELETE")
	for name, c := range map[string]struct {
		caller           iameval.Caller
		action, resource string
		allowed          bool
	}{
		"an administrator lets themselves assume the permission set's role": {in(admin), "iam:UpdateAssumeRolePolicy", reserved, false},
		"an administrator gives the permission set's role a policy":         {in(admin), "iam:PutRolePolicy", reserved, false},
		"an administrator changes Identity Center's SAML provider":          {in(admin), "iam:UpdateSAMLProvider", samlProvider, false},
		"the first deployer deletes Identity Center's SAML provider":        {in(deployer), "iam:DeleteSAMLProvider", samlProvider, false},
		"an administrator makes a SAML provider of Identity Center's":       {in(admin), "iam:CreateSAMLProvider", security.SAMLProvider("AWSSSO_mine"), false},
		"an administrator changes another SAML provider":                    {in(admin), "iam:UpdateSAMLProvider", security.SAMLProvider("Okta"), true},
	} {
		t.Run(name, func(t *testing.T) {
			d := iameval.Evaluate(iameval.Request{Caller: c.caller, Action: c.action, Resource: c.resource, ResourceAccount: security.Account, Kind: iameval.IdentityOnly})
			if d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v (%s)", c.allowed, d.Allowed, d.Reason)
			}
		})
	}

	mgmt, err := stacks.NewManagement(app, s)
	if err != nil {
		t.Fatal(err)
	}
	md := synthesized(t, mgmt.TerraformStack)
	mr := md.Resolver(management, map[string]string{"data.aws_organizations_organization.organization.id": layoutOrg})
	assignments := md.Resources("aws_ssoadmin_account_assignment")
	if len(assignments) != 1 {
		t.Fatalf("expected one assignment (one group), found %d", len(assignments))
	}
	for attr, want := range map[string]string{"target_id": security.Account, "target_type": "AWS_ACCOUNT", "principal_type": "GROUP", "principal_id": s.IdentityCenter.Groups[0]} {
		if got := mr.Attr(assignments[0].Address, attr); got != want {
			t.Errorf("expected the assignment's %s %s, found %s", attr, want, got)
		}
	}
	inline, ok := mr.Policy(tfdoc.Get(md.Raw(), "resource", "aws_ssoadmin_permission_set_inline_policy", "identity_center_inline_policy", "inline_policy"))
	if !ok {
		t.Fatal("the permission set's inline policy is not a policy document of the stack")
	}
	role := permissionSetRole(security, "", "AuditReader")
	role.Identity = []iameval.Policy{{Name: "inline", Statements: inline}}
	for _, c := range []struct {
		action, resource string
		allowed          bool
	}{
		{"sts:AssumeRole", security.Role("role-audit"), true},
		{"sts:AssumeRole", security.Role("OrganizationAccountAccessRole"), false},
		{"kms:Decrypt", security.Key("1234abcd-12ab-34cd-56ef-1234567890ab"), false},
	} {
		d := iameval.Evaluate(iameval.Request{Caller: role, Action: c.action, Resource: c.resource, ResourceAccount: security.Account, Kind: iameval.IdentityOnly})
		if d.Allowed != c.allowed {
			t.Errorf("the permission set's policy, %s on %s: expected allowed=%v, found %v (%s)", c.action, c.resource, c.allowed, d.Allowed, d.Reason)
		}
	}
	if got := mr.Attr("aws_ssoadmin_permission_set.identity_center_permission_set", "session_duration"); got != "PT1H" {
		t.Errorf("expected sessions of one hour, found %s", got)
	}
	watched := false
	for _, f := range md.Resources("aws_cloudwatch_log_metric_filter") {
		watched = watched || strings.Contains(mr.Attr(f.Address, "pattern"), `"CreateAccountAssignment"`)
	}
	if !watched {
		t.Error("expected a metric filter of Identity Center's account assignments in the management account")
	}
}

// TestIdentityCenterInOneAccount: in one account, the audit role trusts
// the permission set's roles of the account, whose policy assumes the
// role and denies reading the trail's log group (which only the audit
// role reads); with no IAM user, the group has no membership and no
// credential watch.
func TestIdentityCenterInOneAccount(t *testing.T) {
	s := withIdentityCenter(settings.Defaults())
	a, err := stacks.NewAudit(cdktf.Testing_App(nil), s)
	if err != nil {
		t.Fatal(err)
	}
	d := synthesized(t, a.TerraformStack)
	r := d.Resolver(management, nil)
	trust, ok := r.Policy(tfdoc.Get(d.Raw(), "resource", "aws_iam_role", "audit_role", "assume_role_policy"))
	if !ok {
		t.Fatal("the audit role's trust policy is not a policy document of the stack")
	}
	if d := trustDecides(t, management, trust, permissionSetRole(management, "", "AuditReader"), false); !d.Allowed {
		t.Errorf("expected the permission set's role to assume the audit role, found %s", d.Reason)
	}
	if d := trustDecides(t, management, trust, administrator(management), true); d.Allowed {
		t.Errorf("expected an administrator refused, found %s", d.Reason)
	}
	inline, ok := r.Policy(tfdoc.Get(d.Raw(), "resource", "aws_ssoadmin_permission_set_inline_policy", "identity_center_inline_policy", "inline_policy"))
	if !ok {
		t.Fatal("the permission set's inline policy is not a policy document of the stack")
	}
	role := permissionSetRole(management, "", "AuditReader")
	role.Identity = []iameval.Policy{{Name: "inline", Statements: inline}, {Name: "ReadOnlyAccess", Statements: []iameval.Statement{{Effect: iameval.Allow, Actions: []string{"logs:Get*"}, Resources: []string{"*"}}}}}
	logGroup := management.LogGroup("cloudtrail/trail-master")
	for _, c := range []struct {
		action, resource string
		allowed          bool
	}{
		{"sts:AssumeRole", management.Role("role-audit"), true},
		{"logs:GetLogEvents", logGroup, false},
		{"logs:GetLogEvents", management.LogGroup("app"), true},
	} {
		d := iameval.Evaluate(iameval.Request{Caller: role, Action: c.action, Resource: c.resource, ResourceAccount: management.Account, Kind: iameval.IdentityOnly})
		if d.Allowed != c.allowed {
			t.Errorf("the permission set's policies, %s on %s: expected allowed=%v, found %v (%s)", c.action, c.resource, c.allowed, d.Allowed, d.Reason)
		}
	}
	// verify, run as the audit role, reads the permission set.
	read, ok := r.Policy(tfdoc.Get(d.Raw(), "resource", "aws_iam_role_policy", "audit_role_read", "policy"))
	if !ok {
		t.Fatal("the audit role's read policy is not a policy document of the stack")
	}
	auditRole := iameval.Caller{ARN: management.Role("role-audit"), Account: management.Account, Identity: []iameval.Policy{{Name: "read", Statements: read}}}
	for _, action := range identitycenter.Reads {
		d := iameval.Evaluate(iameval.Request{Caller: auditRole, Action: action, Resource: "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef", ResourceAccount: management.Account, Kind: iameval.IdentityOnly})
		if !d.Allowed {
			t.Errorf("expected the audit role to be allowed %s, for verify: %s", action, d.Reason)
		}
	}
	if got := d.Resources("aws_iam_group_membership"); len(got) != 0 {
		t.Errorf("expected no group membership without users, found %v", got)
	}
	if got := r.Attr("aws_ssoadmin_account_assignment.identity_center_group_a1b2c3d4-5678-90ab-cdef-111122223333", "target_id"); got != management.Account {
		t.Errorf("expected the assignment in the stack's own account, found %s", got)
	}
	var alarms []string
	for _, b := range d.Resources("aws_cloudwatch_metric_alarm") {
		alarms = append(alarms, r.Attr(b.Address, "alarm_name"))
	}
	if slices.ContainsFunc(alarms, func(n string) bool { return strings.Contains(n, "audit-user-credentials") }) {
		t.Errorf("expected no credential watch without IAM users, found alarms %v", alarms)
	}
	if !slices.ContainsFunc(alarms, func(n string) bool { return strings.Contains(n, "identity-center-changes") }) {
		t.Errorf("expected the Identity Center watch, found alarms %v", alarms)
	}
}

// administrator is a role of env's account with AdministratorAccess.
func administrator(env arn.Env) iameval.Caller {
	return iameval.Caller{ARN: env.Role("Admin"), Account: env.Account, Identity: []iameval.Policy{{Name: "AdministratorAccess",
		Statements: []iameval.Statement{{Effect: iameval.Allow, Actions: []string{"*"}, Resources: []string{"*"}}}}}}
}

// TestIdentityCenterInItsRegion: Identity Center in another region than
// the trail's gets a provider of its own there, which every Identity
// Center resource and the instances' data source use; in the settings'
// region, the stack's own provider.
func TestIdentityCenterInItsRegion(t *testing.T) {
	s := withIdentityCenter(settings.Defaults())
	s.IdentityCenter.Region = "eu-west-1"
	_, j := synth(t, s)
	providers, _ := j.doc["provider"].(map[string]any)["aws"].([]any)
	found := false
	for _, p := range providers {
		if p := p.(map[string]any); p["alias"] == stacks.IdentityCenterProvider {
			found = p["region"] == "eu-west-1"
		}
	}
	if !found {
		t.Errorf("expected a provider %s in eu-west-1, found %v", stacks.IdentityCenterProvider, j.doc["provider"])
	}
	want := "aws." + stacks.IdentityCenterProvider
	for _, typ := range []string{"aws_ssoadmin_permission_set", "aws_ssoadmin_permission_set_inline_policy", "aws_ssoadmin_managed_policy_attachment", "aws_ssoadmin_account_assignment"} {
		for name, r := range j.doc["resource"].(map[string]any)[typ].(map[string]any) {
			if got := r.(map[string]any)["provider"]; got != want {
				t.Errorf("%s.%s: expected the provider %s, found %v", typ, name, want, got)
			}
		}
	}
	if got := j.block("data", "aws_ssoadmin_instances", "identity_center_instances")["provider"]; got != want {
		t.Errorf("the instances' data source: expected the provider %s, found %v", want, got)
	}
	s.IdentityCenter.Region = ""
	_, home := synth(t, s)
	if got := home.resource("aws_ssoadmin_permission_set", "identity_center_permission_set")["provider"]; got != nil {
		t.Errorf("expected the stack's own provider in its region, found %v", got)
	}
}

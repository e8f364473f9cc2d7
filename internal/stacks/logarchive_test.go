package stacks_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
	tfdoc "github.com/cle2wa/audit-trail/internal/tfjson"
)

// The accounts of the log-archive layout's tests, and an account of
// another organization.
var (
	management = arn.Env{Partition: "aws", Account: "111122223333", Region: "us-east-1"}
	logArchive = arn.Env{Partition: "aws", Account: "555566667777", Region: "us-east-1"}
	security   = arn.Env{Partition: "aws", Account: "444455556666", Region: "us-east-1"}
	outsider   = arn.Env{Partition: "aws", Account: "999900001111", Region: "us-east-1"}
)

const (
	layoutOrg = "o-exampleorgid"
	otherOrg  = "o-otherorgid"
)

// layout is the default settings in the log-archive layout.
func layout() settings.Settings {
	s := settings.Defaults()
	s.OrganizationTrail = true
	s.Accounts = &settings.Accounts{LogArchive: logArchive.Account, Security: security.Account}
	return s
}

// synthesized is the stack synthesized and read.
func synthesized(t *testing.T, stack cdktf.TerraformStack) *tfdoc.Doc {
	t.Helper()
	d, err := tfdoc.Parse(*stack.ToString(), []byte(*cdktf.Testing_Synth(stack, jsii.Bool(false))))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// inAccount requires the stack's provider to assume the layout's role in
// the account of env, and to work in no other.
func inAccount(t *testing.T, d *tfdoc.Doc, env arn.Env) {
	t.Helper()
	if got, want := tfdoc.Get(d.Raw(), "provider", "aws", "assume_role", "role_arn"), env.Role(settings.DefaultRoleName); got != want {
		t.Errorf("expected the provider to assume %s, found %v", want, got)
	}
	if got := tfdoc.Strings(tfdoc.Get(d.Raw(), "provider", "aws", "allowed_account_ids")); !slices.Equal(got, []string{env.Account}) {
		t.Errorf("expected the provider to work in %s only, found %v", env.Account, got)
	}
}

// TestLogArchive: the log-archive account's stack assumes the layout's
// role in that account and only works there, takes the trail key's ARN
// from its alias in the security account, and its log bucket's policy,
// evaluated by IAM's documented logic, lets the management account's
// organization trail deliver and the security account's audit role read,
// and nobody else: not another trail, not the management account's
// administrators, not another organization's nor an account outside any
// organization; the account's own administrators may not destroy
// evidence nor change its protections, its default operators (the first
// deployer, and the root user for break-glass) may.
func TestLogArchive(t *testing.T) {
	app := cdktf.Testing_App(nil)
	la, err := stacks.NewLogArchive(app, layout())
	if err != nil {
		t.Fatal(err)
	}
	d := synthesized(t, la.TerraformStack)
	inAccount(t, d, logArchive)
	keyARN := security.Key("1234abcd-12ab-34cd-56ef-1234567890ab")
	r := d.Resolver(logArchive, map[string]string{
		"data.aws_organizations_organization.organization.master_account_id": management.Account,
		"data.aws_organizations_organization.organization.id":                layoutOrg,
		"data.aws_kms_key.trail_key.arn":                                     keyARN,
		"terraform_data.first_deployer.input":                                logArchive.Role("first-deployer"),
	})
	if got, want := r.Resolve(tfdoc.Get(d.Raw(), "data", "aws_kms_key", "trail_key", "key_id").(string)), security.Alias("alias/kms-trail-master"); got != want {
		t.Errorf("expected the key read through its alias %s, found %v", want, got)
	}
	if got := r.Resolve(tfdoc.Get(d.Raw(), "resource", "aws_s3_bucket_server_side_encryption_configuration", "log_bucket_encryption", "rule", "apply_server_side_encryption_by_default", "kms_master_key_id").(string)); got != keyARN {
		t.Errorf("expected the log bucket encrypted with the security account's key, found %s", got)
	}
	policies := d.Referring("aws_s3_bucket_policy", "bucket", "aws_s3_bucket.log_bucket")
	if len(policies) != 1 {
		t.Fatalf("expected one policy of the log bucket, found %d", len(policies))
	}
	statements, ok := r.Policy(policies[0].Attrs["policy"])
	if !ok {
		t.Fatal("the log bucket's policy is not a policy document of the stack")
	}
	bucketPolicy := &iameval.Policy{Name: "log bucket policy", Statements: statements}
	bucket := "arn:aws:s3:::cle2wa-s3-trail-master"
	object := bucket + "/AWSLogs/" + layoutOrg + "/777788889999/CloudTrail/us-east-1/2026/12/07/777788889999_CloudTrail_us-east-1_20261207T0000Z_a.json.gz"
	readAll := iameval.Policy{Name: "AdministratorAccess", Statements: []iameval.Statement{{Effect: iameval.Allow, Actions: []string{"*"}, Resources: []string{"*"}}}}
	overTLS := map[string][]string{"aws:SecureTransport": {"true"}}
	in := func(org string, more map[string][]string) map[string][]string {
		ctx := map[string][]string{"aws:SecureTransport": {"true"}, "aws:PrincipalOrgID": {org}}
		for k, v := range more {
			ctx[k] = v
		}
		return ctx
	}
	cloudtrail := iameval.Caller{Service: "cloudtrail.amazonaws.com"}
	deliver := map[string][]string{"aws:SecureTransport": {"true"}, "s3:x-amz-acl": {"bucket-owner-full-control"}, "aws:SourceArn": {management.Trail("trail-master")}, "aws:SourceAccount": {management.Account}, "aws:SourceOrgID": {layoutOrg}}
	fromAnotherTrail := map[string][]string{"aws:SecureTransport": {"true"}, "s3:x-amz-acl": {"bucket-owner-full-control"}, "aws:SourceArn": {outsider.Trail("trail-master")}, "aws:SourceAccount": {outsider.Account}, "aws:SourceOrgID": {otherOrg}}
	forAnotherOrganization := maps.Clone(deliver)
	forAnotherOrganization["aws:SourceOrgID"] = []string{otherOrg}
	withoutOrganization := maps.Clone(deliver)
	delete(withoutOrganization, "aws:SourceOrgID")
	aclCheck := maps.Clone(deliver)
	delete(aclCheck, "aws:SourceOrgID")
	cases := map[string]struct {
		caller           iameval.Caller
		action, resource string
		context          map[string][]string
		allowed          bool
	}{
		"the organization trail delivers a member account's file":        {cloudtrail, "s3:PutObject", object, deliver, true},
		"the organization trail checks the bucket's ACL":                 {cloudtrail, "s3:GetBucketAcl", bucket, aclCheck, true},
		"the organization trail checks the ACL for another organization": {cloudtrail, "s3:GetBucketAcl", bucket, forAnotherOrganization, false},
		"another account's trail delivers":                               {cloudtrail, "s3:PutObject", object, fromAnotherTrail, false},
		"the trail delivers for another organization":                    {cloudtrail, "s3:PutObject", object, forAnotherOrganization, false},
		"the trail delivers without naming its organization":             {cloudtrail, "s3:PutObject", object, withoutOrganization, false},
		"the security account's audit role reads": {iameval.Caller{ARN: security.Role("role-audit"), Account: security.Account, Identity: []iameval.Policy{readAll}},
			"s3:GetObject", object, in(layoutOrg, nil), true},
		"an administrator of the management account reads": {iameval.Caller{ARN: management.Role("Admin"), Account: management.Account, Identity: []iameval.Policy{readAll}},
			"s3:GetObject", object, in(layoutOrg, nil), false},
		"an administrator of another organization reads": {iameval.Caller{ARN: outsider.Role("Admin"), Account: outsider.Account, Identity: []iameval.Policy{readAll}},
			"s3:GetObject", object, in(otherOrg, nil), false},
		"an account outside any organization lists": {iameval.Caller{ARN: outsider.User("x"), Account: outsider.Account, Identity: []iameval.Policy{readAll}},
			"s3:ListBucket", bucket, overTLS, false},
		// The log-archive account's own operators and administrators: its
		// evidence protections, as in one account.
		"an administrator of the log-archive account deletes a log file version": {iameval.Caller{ARN: logArchive.Role("Admin"), Account: logArchive.Account, Identity: []iameval.Policy{readAll}},
			"s3:DeleteObjectVersion", object, in(layoutOrg, nil), false},
		"an administrator of the log-archive account replaces the bucket policy": {iameval.Caller{ARN: logArchive.Role("Admin"), Account: logArchive.Account, Identity: []iameval.Policy{readAll}},
			"s3:PutBucketPolicy", bucket, in(layoutOrg, nil), false},
		"the log-archive account's first deployer replaces the bucket policy": {iameval.Caller{ARN: logArchive.Role("first-deployer"), Account: logArchive.Account, Identity: []iameval.Policy{readAll}},
			"s3:PutBucketPolicy", bucket, in(layoutOrg, nil), true},
		"the log-archive account's root user deletes a log file version": {iameval.Caller{ARN: logArchive.Root(), Account: logArchive.Account, Identity: []iameval.Policy{readAll}},
			"s3:DeleteObjectVersion", object, in(layoutOrg, nil), true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			d := iameval.Evaluate(iameval.Request{Caller: c.caller, Action: c.action, Resource: c.resource, Context: c.context,
				ResourceAccount: logArchive.Account, Kind: iameval.Union, ResourcePolicy: bucketPolicy})
			if d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v (%s)", c.allowed, d.Allowed, d.Reason)
			}
		})
	}

	// The service control policy the stack outputs binds the account's
	// root user where the bucket policy cannot: replacing or deleting
	// the policy; reading it, and the deployers, stay unaffected.
	scp, ok := r.Policy(tfdoc.Get(d.Raw(), "output", "root_scp", "value"))
	if !ok {
		t.Fatal("expected the output root_scp to be a policy document of the stack")
	}
	for name, c := range map[string]struct {
		caller, action string
		allowed        bool
	}{
		"root replaces the policy":       {logArchive.Root(), "s3:PutBucketPolicy", false},
		"root deletes the policy":        {logArchive.Root(), "s3:DeleteBucketPolicy", false},
		"root reads the policy":          {logArchive.Root(), "s3:GetBucketPolicy", true},
		"a deployer replaces the policy": {logArchive.Role("deploy"), "s3:PutBucketPolicy", true},
	} {
		t.Run("SCP: "+name, func(t *testing.T) {
			caller := iameval.Caller{ARN: c.caller, Account: logArchive.Account, Identity: []iameval.Policy{readAll, {Name: "root_scp", Statements: scp}}}
			if d := iameval.Evaluate(iameval.Request{Caller: caller, Action: c.action, Resource: bucket, Kind: iameval.IdentityOnly}); d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v (%s)", c.allowed, d.Allowed, d.Reason)
			}
		})
	}

	// The deny is what keeps the organization's evidence in it when a
	// statement grants someone outside: a grant added to the policy lets
	// a principal of the organization read, and still nobody outside it.
	granted := func(who string) *iameval.Policy {
		p := *bucketPolicy
		p.Statements = append(slices.Clone(p.Statements), iameval.Statement{Sid: "AMistakenGrant", Effect: iameval.Allow,
			Principals: map[string][]string{"AWS": {who}}, Actions: []string{"s3:GetObject"}, Resources: []string{bucket + "/*"}})
		return &p
	}
	for name, c := range map[string]struct {
		caller  iameval.Caller
		org     string
		allowed bool
	}{
		"granted, in the organization":      {iameval.Caller{ARN: management.Role("Admin"), Account: management.Account, Identity: []iameval.Policy{readAll}}, layoutOrg, true},
		"granted, in another organization":  {iameval.Caller{ARN: outsider.Role("Admin"), Account: outsider.Account, Identity: []iameval.Policy{readAll}}, otherOrg, false},
		"granted, outside any organization": {iameval.Caller{ARN: outsider.Role("Admin"), Account: outsider.Account, Identity: []iameval.Policy{readAll}}, "", false},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := overTLS
			if c.org != "" {
				ctx = in(c.org, nil)
			}
			d := iameval.Evaluate(iameval.Request{Caller: c.caller, Action: "s3:GetObject", Resource: object, Context: ctx,
				ResourceAccount: logArchive.Account, Kind: iameval.Union, ResourcePolicy: granted(c.caller.ARN)})
			if d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v (%s)", c.allowed, d.Allowed, d.Reason)
			}
		})
	}
}

// TestSecurity: the security account's stack assumes the layout's role
// there, and its trail key's policy, evaluated, lets the management
// account's organization trail encrypt and the security account's audit
// role decrypt log files, lets the other accounts' stacks describe the
// key, and refuses another account's trail and every administrator (the
// management account's, the log archive's, the security account's own
// decrypting); the audit role's own policy reads the
// log-archive account's buckets by name.
func TestSecurity(t *testing.T) {
	app := cdktf.Testing_App(nil)
	sec, err := stacks.NewSecurity(app, layout())
	if err != nil {
		t.Fatal(err)
	}
	d := synthesized(t, sec.TerraformStack)
	inAccount(t, d, security)
	r := d.Resolver(security, map[string]string{
		"data.aws_organizations_organization.organization.master_account_id": management.Account,
		"data.aws_organizations_organization.organization.id":                layoutOrg,
	})
	keyPolicy, ok := r.Policy(tfdoc.Get(d.Raw(), "resource", "aws_kms_key", "trail_key", "policy"))
	if !ok {
		t.Fatal("the trail key's policy is not a policy document of the stack")
	}
	key := &iameval.Policy{Name: "trail key policy", Statements: keyPolicy}
	keyARN := security.Key("trail_key")
	cloudtrail := iameval.Caller{Service: "cloudtrail.amazonaws.com"}
	encrypt := func(trail arn.Env) map[string][]string {
		return map[string][]string{"aws:SourceArn": {trail.Trail("trail-master")}, "aws:SourceAccount": {trail.Account},
			"kms:EncryptionContext:aws:cloudtrail:arn": {trail.Trail("trail-master")}}
	}
	admin := administrator
	auditRole := admin(security)
	auditRole.ARN = security.Role("role-audit")
	logFile := map[string][]string{"kms:EncryptionContext:aws:cloudtrail:arn": {management.Trail("trail-master")}, "kms:ViaService": {"s3.us-east-1.amazonaws.com"}}
	for name, c := range map[string]struct {
		caller  iameval.Caller
		action  string
		context map[string][]string
		allowed bool
	}{
		"the organization trail encrypts":                      {cloudtrail, "kms:GenerateDataKey", encrypt(management), true},
		"another account's trail encrypts":                     {cloudtrail, "kms:GenerateDataKey", encrypt(outsider), false},
		"the audit role decrypts a log file":                   {auditRole, "kms:Decrypt", logFile, true},
		"an administrator of the management account decrypts":  {admin(management), "kms:Decrypt", logFile, false},
		"an administrator of the log-archive account decrypts": {admin(logArchive), "kms:Decrypt", logFile, false},
		"an administrator of the security account decrypts":    {admin(security), "kms:Decrypt", logFile, false},
		"the log-archive account's stack describes the key":    {admin(logArchive), "kms:DescribeKey", nil, true},
		"another organization describes the key":               {admin(outsider), "kms:DescribeKey", nil, false},
	} {
		t.Run(name, func(t *testing.T) {
			d := iameval.Evaluate(iameval.Request{Caller: c.caller, Action: c.action, Resource: keyARN, Context: c.context,
				ResourceAccount: security.Account, Kind: iameval.KeyPolicy, ResourcePolicy: key})
			if d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v (%s)", c.allowed, d.Allowed, d.Reason)
			}
		})
	}
	read, ok := r.Policy(tfdoc.Get(d.Raw(), "resource", "aws_iam_role_policy", "audit_role_read", "policy"))
	if !ok {
		t.Fatal("the audit role's read policy is not a policy document of the stack")
	}
	i := slices.IndexFunc(read, func(st iameval.Statement) bool { return st.Sid == "ReadLogObjects" })
	if want := []string{"arn:aws:s3:::cle2wa-s3-trail-master/*", "arn:aws:s3:::cle2wa-s3-accesslog-master/*"}; i < 0 || !slices.Equal(read[i].Resources, want) {
		t.Errorf("expected the audit role to read the log-archive account's buckets %v, found %+v", want, read)
	}

	// The SCP the stack outputs keeps the audit identities to the
	// account's operators (its first deployer, its root user for
	// break-glass): an administrator can neither make themselves an
	// auditor through the role's trust policy, nor take over an auditor,
	// nor join the group; an auditor still changes their own password.
	r.Known["terraform_data.first_deployer.input"] = security.Role("first-deployer")
	scpStatements, ok := r.Policy(tfdoc.Get(d.Raw(), "output", "auditors_scp", "value"))
	if !ok {
		t.Fatal("expected the output auditors_scp to be a policy document of the stack")
	}
	scp := iameval.Policy{Name: "auditors_scp", Statements: scpStatements}
	in := func(c iameval.Caller) iameval.Caller { c.SCPs = []iameval.Policy{scp}; return c }
	as := func(arn string) iameval.Caller { c := admin(security); c.ARN = arn; return in(c) }
	auditor := security.User("auditors/user-audit")
	for name, c := range map[string]struct {
		caller           iameval.Caller
		action, resource string
		allowed          bool
	}{
		"an administrator makes a user on the auditors' path":     {in(admin(security)), "iam:CreateUser", security.User("auditors/mallory"), false},
		"an administrator moves a user onto the auditors' path":   {in(admin(security)), "iam:UpdateUser", security.User("auditors/mallory"), false},
		"an administrator makes a user elsewhere":                 {in(admin(security)), "iam:CreateUser", security.User("mallory"), true},
		"the first deployer makes an auditor":                     {as(security.Role("first-deployer")), "iam:CreateUser", security.User("auditors/alice"), true},
		"an administrator rewrites the audit role's trust policy": {in(admin(security)), "iam:UpdateAssumeRolePolicy", security.Role("role-audit"), false},
		"an administrator gives an auditor a password":            {in(admin(security)), "iam:CreateLoginProfile", auditor, false},
		"an administrator makes an access key for an auditor":     {in(admin(security)), "iam:CreateAccessKey", auditor, false},
		"an administrator joins the audit group":                  {in(admin(security)), "iam:AddUserToGroup", security.Group("group-audit"), false},
		"the root user joins the audit group (break-glass)":       {as(security.Root()), "iam:AddUserToGroup", security.Group("group-audit"), true},
		"the first deployer gives an auditor a password":          {as(security.Role("first-deployer")), "iam:CreateLoginProfile", auditor, true},
		"an auditor changes their own password":                   {as(auditor), "iam:ChangePassword", auditor, true},
		"an administrator makes another user's password":          {in(admin(security)), "iam:CreateLoginProfile", security.User("someone-else"), true},
	} {
		t.Run(name, func(t *testing.T) {
			d := iameval.Evaluate(iameval.Request{Caller: c.caller, Action: c.action, Resource: c.resource, ResourceAccount: security.Account, Kind: iameval.IdentityOnly})
			if d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v (%s)", c.allowed, d.Allowed, d.Reason)
			}
		})
	}
	// The audit role trusts the users on the auditors' path, whatever
	// their number, with MFA; a user elsewhere is refused.
	trust, ok := r.Policy(tfdoc.Get(d.Raw(), "resource", "aws_iam_role", "audit_role", "assume_role_policy"))
	if !ok {
		t.Fatal("the audit role's trust policy is not a policy document of the stack")
	}
	group, ok := r.Policy(tfdoc.Get(d.Raw(), "resource", "aws_iam_group_policy", "audit_group_policy", "policy"))
	if !ok {
		t.Fatal("the audit group's policy is not a policy document of the stack")
	}
	member := func(user string) iameval.Caller {
		return iameval.Caller{ARN: security.User(user), Account: security.Account, Identity: []iameval.Policy{{Name: "group", Statements: group}}}
	}
	for name, c := range map[string]struct {
		caller  iameval.Caller
		mfa     string
		allowed bool
	}{
		"an auditor on the path, with MFA":         {member("auditors/user-audit"), "true", true},
		"the 1000th auditor on the path, with MFA": {member("auditors/auditor-1000"), "true", true},
		"an auditor on the path, without MFA":      {member("auditors/user-audit"), "false", false},
		"a user elsewhere with the group's policy": {member("user-audit"), "true", false},
	} {
		t.Run(name, func(t *testing.T) {
			d := iameval.Evaluate(iameval.Request{Caller: c.caller, Action: "sts:AssumeRole", Resource: security.Role("role-audit"),
				Context:         map[string][]string{"aws:MultiFactorAuthPresent": {c.mfa}, "aws:SecureTransport": {"true"}},
				ResourceAccount: security.Account, Kind: iameval.TrustPolicy, ResourcePolicy: &iameval.Policy{Name: "trust", Statements: trust}})
			if d.Allowed != c.allowed {
				t.Errorf("expected allowed=%v, found %v (%s)", c.allowed, d.Allowed, d.Reason)
			}
		})
	}
}

// TestLayoutAgrees: the stacks of the log-archive layout, each read in
// its own account, name one another alike, with the trail key in the
// security account and in the management account: the trail the
// management account creates is the one the log-archive bucket and the
// key grant, its bucket is the log-archive account's, the key alias the
// other stacks read is the key's, the key lets the security account's
// audit role decrypt, and the management account's log group feeds the
// alarms only (nobody reads it).
func TestLayoutAgrees(t *testing.T) {
	org := map[string]string{
		"data.aws_organizations_organization.organization.master_account_id": management.Account,
		"data.aws_organizations_organization.organization.id":                layoutOrg,
	}
	for _, keysIn := range []string{settings.KeysInSecurity, settings.KeysInManagement} {
		t.Run("keys in "+keysIn, func(t *testing.T) {
			app := cdktf.Testing_App(nil)
			s := layout()
			s.Accounts.KeysIn = keysIn
			read := func(stack cdktf.TerraformStack, env arn.Env) (*tfdoc.Doc, *tfdoc.Resolver) {
				d := synthesized(t, stack)
				return d, d.Resolver(env, maps.Clone(org))
			}
			mgmt, err := stacks.NewManagement(app, s)
			if err != nil {
				t.Fatal(err)
			}
			la, err := stacks.NewLogArchive(app, s)
			if err != nil {
				t.Fatal(err)
			}
			sec, err := stacks.NewSecurity(app, s)
			if err != nil {
				t.Fatal(err)
			}
			md, mr := read(mgmt.TerraformStack, management)
			ld, lr := read(la.TerraformStack, logArchive)
			sd, sr := read(sec.TerraformStack, security)
			keyDoc, keyResolver, keyEnv := sd, sr, security
			keyARN := keyEnv.Key("1234abcd-12ab-34cd-56ef-1234567890ab")
			sr.Known["aws_kms_key.trail_key.arn"] = keyARN
			if keysIn == settings.KeysInManagement {
				_, err := stacks.NewKeys(app, s)
				if err != nil {
					t.Fatal(err)
				}
				keyDoc, keyResolver = read(cdktf.TerraformStack_Of(app.Node().FindChild(jsii.String(stacks.KeysName))), management)
				keyEnv = management
				keyARN = keyEnv.Key("1234abcd-12ab-34cd-56ef-1234567890ab")
				if sec.Key != nil {
					t.Error("expected no key in the security account's stack")
				}
			}

			trailBlock := md.Resources("aws_cloudtrail")[0]
			trailARN, _ := mr.Value(trailBlock.Address, "arn")
			if got := trailBlock.Attrs["is_organization_trail"]; got != true {
				t.Errorf("expected an organization trail, found %v", got)
			}
			if got, want := mr.Attr(trailBlock.Address, "s3_bucket_name"), lr.Attr("aws_s3_bucket.log_bucket", "bucket"); got != want {
				t.Errorf("expected the trail to deliver to the log-archive bucket %s, found %s", want, got)
			}
			alias := keyEnv.Alias(keyResolver.Attr("aws_kms_alias.trail_key_alias", "name"))
			for _, reader := range []struct {
				name string
				r    *tfdoc.Resolver
			}{{"management", mr}, {"log archive", lr}} {
				if got := reader.r.Attr("data.aws_kms_key.trail_key", "key_id"); got != alias {
					t.Errorf("%s: expected the key read through its alias %s, found %s", reader.name, alias, got)
				}
			}
			bucketStatements, _ := lr.Policy(ld.Referring("aws_s3_bucket_policy", "bucket", "aws_s3_bucket.log_bucket")[0].Attrs["policy"])
			keyStatements, _ := keyResolver.Policy(tfdoc.Get(keyDoc.Raw(), "resource", "aws_kms_key", "trail_key", "policy"))
			for what, statements := range map[string][]iameval.Statement{"the log-archive bucket": bucketStatements, "the trail key": keyStatements} {
				granted := false
				for _, st := range statements {
					if v := st.Condition("StringEquals", "aws:SourceArn"); len(v) > 0 {
						granted = true
						if !slices.Equal(v, []string{trailARN}) {
							t.Errorf("%s: %s grants the trail %v, expected %s", what, st.Sid, v, trailARN)
						}
					}
				}
				if !granted {
					t.Errorf("%s: expected grants to the trail %s, found none", what, trailARN)
				}
			}
			// The audit role decrypts through S3 with the key (its own
			// policy names it, and the key's names the role).
			auditRole := security.Role("role-audit")
			decrypts := slices.ContainsFunc(keyStatements, func(st iameval.Statement) bool {
				return st.Effect == iameval.Allow && slices.Contains(st.Principals["AWS"], auditRole) && st.Allows("kms:Decrypt")
			})
			own, _ := sr.Policy(tfdoc.Get(sd.Raw(), "resource", "aws_iam_role_policy", "audit_role_read", "policy"))
			i := slices.IndexFunc(own, func(st iameval.Statement) bool { return st.Sid == "DecryptLogs" })
			if !decrypts || i < 0 || !iameval.Evaluate(iameval.Request{Caller: iameval.Caller{ARN: auditRole, Account: security.Account, Identity: []iameval.Policy{{Name: "read", Statements: own}}},
				Action: "kms:Decrypt", Resource: keyARN, Kind: iameval.IdentityOnly}).Allowed {
				t.Errorf("expected the key policy and the audit role's own policy to let it decrypt with %s, found key %v, own %+v", keyARN, decrypts, own)
			}
			logsKey, _ := mr.Policy(tfdoc.Get(md.Raw(), "resource", "aws_kms_key", "monitoring_logs_key", "policy"))
			for _, st := range logsKey {
				if st.Sid == "AuditRoleReadsThroughLogs" {
					t.Errorf("expected nobody to read the management account's log group, found %+v", st)
				}
			}
			_, trailKey := md.Find("aws_kms_key.trail_key")
			if n := len(md.Resources("aws_s3_bucket")) + len(md.Resources("aws_iam_user")); n != 0 || trailKey {
				t.Errorf("expected no buckets, auditors or trail key in the management account's audit stack, found %d and key %v", n, trailKey)
			}
		})
	}
}

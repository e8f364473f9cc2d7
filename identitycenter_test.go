package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cle2wa/audit-trail/constructs/identitycenter"
	"github.com/cle2wa/audit-trail/internal/coverage"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/tfjson"
	"github.com/cle2wa/audit-trail/internal/verify/verifytest"
)

// identityCenterInstance is the Identity Center instance of the tests.
const identityCenterInstance = "arn:aws:sso:::instance/ssoins-1234567890abcdef"

// withIdentityCenter sets auditors of IAM Identity Center only: a group
// and a user of the Identity Store.
func withIdentityCenter(context map[string]any) {
	context["auditUsers"] = []string{}
	context["identityCenter"] = map[string]any{"instanceArn": identityCenterInstance, "permissionSet": "AuditReader",
		"groups": []string{"a1b2c3d4-5678-90ab-cdef-111122223333"}, "users": []string{"9067a1b2c3-a1b2c3d4-5678-90ab-cdef-444455556666"}}
}

// TestIdentityCenterPlansWithTheRealProvider: auditors of IAM Identity
// Center pass the checks (the app exits 0) and plan with the real
// provider, in one account (Identity Center in the trail's region or in
// another, through a provider of its own) and in the log-archive layout
// (the permission set in the management account, the audit role that
// trusts it in the security account); the plan stops, naming the setting, when the
// instance is not one the account administers.
func TestIdentityCenterPlansWithTheRealProvider(t *testing.T) {
	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	t.Parallel()
	oneAccount := synthLayoutAs(t, "identity-center", withIdentityCenter)
	layout := synthLayoutAs(t, "identity-center-layout", func(context map[string]any) {
		withIdentityCenter(context)
		context["accounts"] = map[string]string{"logArchive": layoutLogArchive, "security": layoutSecurity}
	})
	org := fakeOrganization{ID: "o-exampleorgid", Management: "111122223333", Trusted: []string{stacks.CloudTrailPrincipal}, Instances: []string{identityCenterInstance}}
	t.Run("one account", func(t *testing.T) {
		planStack(t, tf, config, filepath.Join(oneAccount, "stacks", stacks.AuditName), org, "")
	})
	t.Run("log-archive layout/"+stacks.AuditName, func(t *testing.T) {
		planStack(t, tf, config, filepath.Join(layout, "stacks", stacks.AuditName), org, "")
	})
	t.Run("log-archive layout/"+stacks.SecurityName, func(t *testing.T) {
		planStack(t, tf, config, filepath.Join(layout, "stacks", stacks.SecurityName), org, layoutSecurity)
	})
	t.Run("in another region", func(t *testing.T) {
		inEurope := synthLayoutAs(t, "identity-center-eu", func(context map[string]any) {
			withIdentityCenter(context)
			context["identityCenter"].(map[string]any)["region"] = "eu-west-1"
		})
		planStack(t, tf, config, filepath.Join(inEurope, "stacks", stacks.AuditName), org, "")
	})
	t.Run("another instance", func(t *testing.T) {
		other := org
		other.Instances = []string{"arn:aws:sso:::instance/ssoins-fedcba0987654321"}
		var assumed []string
		terraform := layoutTerraform(t, tf, config, filepath.Join(oneAccount, "stacks", stacks.AuditName), other, &assumed)
		if out, err := terraform("init", "-input=false", "-no-color"); err != nil {
			t.Fatalf("terraform init: %v\n%s", err, out)
		}
		out, err := terraform("plan", "-input=false", "-no-color", "-lock=false", "-refresh=false")
		if err == nil || !strings.Contains(strings.Join(strings.Fields(out), " "), `identityCenter.instanceArn "`+identityCenterInstance+`" is not the IAM Identity Center instance of this account`) {
			t.Errorf("expected the plan to stop on the instance, found err=%v\n%s", err, out)
		}
	})
}

// TestIdentityCenterReview: the access matrix of REVIEW.md, with
// auditors of Identity Center only, has the permission set's role, which
// may assume the audit role and do nothing else of the matrix (it reads
// and decrypts nothing by itself, the log group's copy included), and
// the audit role assumed from it, without MFA in the session, still
// reads.
func TestIdentityCenterReview(t *testing.T) {
	out := synthLayoutAs(t, "identity-center", withIdentityCenter)
	data, err := os.ReadFile(filepath.Join(out, "REVIEW.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if cells := strings.Split(line, " | "); len(cells) == 9 && strings.HasPrefix(line, "| ") {
			rows[strings.TrimPrefix(cells[0], "| ")] = cells[1:]
		}
	}
	want := map[string][]string{
		"Identity Center auditor (permission set role), without the audit role": {"no", "no", "no", "no", "no", "no", "no", "yes |"},
		"audit role (assumed from Identity Center)":                             {"yes", "yes", "no", "no", "no", "no", "no", "no |"},
	}
	for who, cells := range want {
		if got, ok := rows[who]; !ok || !slices.Equal(got, cells) {
			t.Errorf("expected the row %q to be %v, found %v", who, cells, got)
		}
	}
	if _, ok := rows["audit group member, without the role"]; ok {
		t.Error("expected no audit group member without IAM users")
	}
}

// TestIdentityCenterVerify runs `verify` on the log-archive layout with
// auditors of Identity Center, against a fake of its accounts where it is
// deployed and working: the permission set is found by its name and
// matches (settings, inline policy, AWS managed policies, no customer
// managed one, its assignments in the security account), every call is
// one of identitycenter.Reads, and each departure fails its check.
func TestIdentityCenterVerify(t *testing.T) {
	t.Parallel()
	out := synthLayoutAs(t, "identity-center-layout", func(context map[string]any) {
		withIdentityCenter(context)
		context["accounts"] = map[string]string{"logArchive": layoutLogArchive, "security": layoutSecurity}
	})
	synthesis, err := tfjson.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	set := func(a map[string]*verifytest.Account) *verifytest.PermissionSet {
		return a[verifytest.Example].PermissionSets["AuditReader"]
	}
	const name = "AuditReader"
	for what, c := range map[string]struct {
		change func(map[string]*verifytest.Account)
		fail   []string
	}{
		"deployed and working": {func(map[string]*verifytest.Account) {}, nil},
		"another group given the permission set": {func(a map[string]*verifytest.Account) {
			set(a).Assignments[layoutSecurity] = append(set(a).Assignments[layoutSecurity], "GROUP ffffffff-5678-90ab-cdef-111122223333")
		}, []string{"DRIFT-PERMISSION-SET-ASSIGNMENTS " + name + " " + layoutSecurity}},
		"AdministratorAccess attached": {func(a map[string]*verifytest.Account) {
			set(a).Managed = append(set(a).Managed, "arn:aws:iam::aws:policy/AdministratorAccess")
		}, []string{"DRIFT-PERMISSION-SET-MANAGED " + name}},
		"a customer managed policy referenced": {func(a map[string]*verifytest.Account) {
			set(a).Customer = []string{"ops/everything"}
		}, []string{"DRIFT-PERMISSION-SET-CUSTOMER-POLICIES " + name}},
		"the inline policy widened": {func(a map[string]*verifytest.Account) {
			set(a).InlinePolicy = strings.Replace(set(a).InlinePolicy, `"sts:AssumeRole"`, `"sts:*"`, 1)
		}, []string{"DRIFT-PERMISSION-SET-POLICY " + name}},
		"sessions of twelve hours": {func(a map[string]*verifytest.Account) {
			set(a).SessionDuration = "PT12H"
		}, []string{"IDENTITY-CENTER-PERMISSION-SET " + name}},
		"the permission set deleted": {func(a map[string]*verifytest.Account) {
			delete(a[verifytest.Example].PermissionSets, name)
		}, []string{"IDENTITY-CENTER-PERMISSION-SET " + name}},
	} {
		t.Run(what, func(t *testing.T) {
			accounts := verifytest.Layout(t, synthesis, layoutLogArchive, layoutSecurity, time.Now())
			c.change(accounts)
			stdout := verifyLayoutFails(t, out, accounts, c.fail)
			if c.fail == nil {
				for _, check := range []string{"IDENTITY-CENTER-PERMISSION-SET " + name, "DRIFT-PERMISSION-SET-POLICY " + name, "DRIFT-PERMISSION-SET-MANAGED " + name,
					"DRIFT-PERMISSION-SET-CUSTOMER-POLICIES " + name, "DRIFT-PERMISSION-SET-ASSIGNMENTS " + name + " " + layoutSecurity} {
					if !strings.Contains(stdout, "PASS\t"+check+"\t") {
						t.Errorf("expected %s to pass, found:\n%s", check, stdout)
					}
				}
			}
			for _, call := range accounts[verifytest.Example].Calls() {
				if strings.HasPrefix(call.Action, "sso:") && !slices.Contains(identitycenter.Reads, call.Action) {
					t.Errorf("verify called %s, which is not one of identitycenter.Reads", call.Action)
				}
			}
		})
	}
}

// coverageIdentityCenterDoc is the coverage table of the stacks with
// auditors of Identity Center.
const coverageIdentityCenterDoc = "docs/coverage-identity-center.md"

// TestCoverageWithIdentityCenter classifies, for the one-account stacks
// with auditors of Identity Center, every action of the catalogue in
// scope then: the default scope and every action of Identity Center's
// services, whatever its resource type. An unclassified action fails, as
// does a reviewed reason (coverage.IdentityCenterHarmless) for an action
// the catalogue lacks or that is now alarmed; the table is
// docs/coverage-identity-center.md (go test . -update rewrites it).
func TestCoverageWithIdentityCenter(t *testing.T) {
	synthesis, err := tfjson.Load(synthLayoutAs(t, "identity-center", withIdentityCenter))
	if err != nil {
		t.Fatal(err)
	}
	_, classes, _ := classified(t, synthesis, coverage.IdentityCenterHarmless, "coverage.IdentityCenterHarmless", coverageIdentityCenterDoc,
		"the one-account stacks with auditors of IAM Identity Center (and every action of its services, whatever its resource type)")
	for _, must := range []string{"sso:CreateAccountAssignment", "identitystore:CreateGroupMembership", "sso-directory:AddMemberToGroup", "sso-directory:ImportExternalIdPCertificate", "sso-directory:UpdatePassword"} {
		if classes[must] != "alarmed" {
			t.Errorf("expected %s alarmed, found %q", must, classes[must])
		}
	}
}

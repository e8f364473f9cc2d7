package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/stacks"
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

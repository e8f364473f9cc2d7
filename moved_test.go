package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// auditJSON synthesizes the audit stack for these auditors and alarm
// e-mail addresses.
func auditJSON(t *testing.T, users, emails []string) *tfjson.Doc {
	t.Helper()
	s := settings.Defaults()
	s.AuditUsers, s.AlarmEmails = users, emails
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	inProcess.Lock()
	defer inProcess.Unlock()
	app := cdktf.Testing_App(nil)
	audit, err := stacks.NewAudit(app, s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := tfjson.Parse("audit", []byte(*cdktf.Testing_Synth(audit.TerraformStack, jsii.Bool(false))))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// keyed maps each resource of type typ to the value of its attribute attr.
func keyed(d *tfjson.Doc, typ, attr string) map[string]string {
	out := map[string]string{}
	for _, b := range d.Resources(typ) {
		out[b.Address] = fmt.Sprint(b.Attrs[attr])
	}
	return out
}

func TestRemovingAnAuditorRenamesNobody(t *testing.T) {
	before := auditJSON(t, []string{"alice", "bob", "carol"}, []string{"a@example.com", "b@example.com"})
	after := auditJSON(t, []string{"alice", "carol"}, []string{"b@example.com"})
	for _, c := range []struct{ typ, attr string }{{"aws_iam_user", "name"}, {"aws_sns_topic_subscription", "endpoint"}} {
		was, is := keyed(before, c.typ, c.attr), keyed(after, c.typ, c.attr)
		for address, value := range is {
			if was[address] != value {
				t.Errorf("%s: expected %s to keep the value %q it had, found %q before", c.typ, address, value, was[address])
			}
		}
		if len(was)-len(is) != 1 {
			t.Errorf("%s: expected exactly one resource gone, found %d before and %d after", c.typ, len(was), len(is))
		}
	}
}

// TestMovedBlocksKeepEveryAuditor applies, with real Terraform, a state
// as the previous release left it (users addressed by position) and
// plans the moved blocks the app now writes: every user and subscription
// moves to its new address, nothing is destroyed or created. Terraform's
// built-in terraform_data stands in for the AWS resources (the AWS
// provider cannot be downloaded here); the addresses and the moved blocks
// are the synthesized ones, with only the resource type changed.
func TestMovedBlocksKeepEveryAuditor(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	tf := terraformCLI(t)
	users, emails := []string{"alice", "bob.smith@example.com", "carol"}, []string{"security@example.com", "oncall@example.org"}
	d := auditJSON(t, users, emails)
	types := map[string]string{"aws_iam_user": "name", "aws_sns_topic_subscription": "endpoint"}

	// The previous release: the n-th user and the n-th address by position.
	old := map[string]any{}
	for i, u := range users {
		old[fmt.Sprintf("aws_iam_user_audit_user_%d", i)] = map[string]any{"input": u}
	}
	for i, e := range emails {
		old[fmt.Sprintf("aws_sns_topic_subscription_monitoring_email_%d", i)] = map[string]any{"input": e}
	}
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "main.tf.json"), map[string]any{"resource": map[string]any{"terraform_data": old}})
	mustTF(t, tf, dir, "init", "-input=false")
	mustTF(t, tf, dir, "apply", "-auto-approve", "-input=false")

	// This release, as synthesized: keyed addresses and moved blocks.
	current := map[string]any{}
	for typ, attr := range types {
		for address, value := range keyed(d, typ, attr) {
			current[strings.Replace(address, ".", "_", 1)] = map[string]any{"input": value}
		}
	}
	var moved []any
	for _, m := range d.Raw()["moved"].([]any) {
		block := m.(map[string]any)
		rename := func(address string) string { return "terraform_data." + strings.Replace(address, ".", "_", 1) }
		moved = append(moved, map[string]any{"from": rename(block["from"].(string)), "to": rename(block["to"].(string))})
	}
	if len(moved) != len(users)+len(emails) {
		t.Fatalf("expected a moved block for each user and subscription, found %v", moved)
	}
	writeJSON(t, filepath.Join(dir, "main.tf.json"), map[string]any{"resource": map[string]any{"terraform_data": current}, "moved": moved})
	plan := mustTF(t, tf, dir, "plan", "-input=false", "-no-color")
	if !strings.Contains(plan, "Plan: 0 to add, 0 to change, 0 to destroy") && !strings.Contains(plan, "No changes") {
		t.Errorf("expected only moves, found:\n%s", plan)
	}
	var movedTo []string
	for _, line := range strings.Split(plan, "\n") {
		if strings.Contains(line, "has moved to") {
			movedTo = append(movedTo, strings.TrimSpace(line))
		}
	}
	if len(movedTo) != len(moved) {
		t.Errorf("expected %d moves in the plan, found %d:\n%s", len(moved), len(movedTo), plan)
	}
	want := "terraform_data.aws_iam_user_audit_user_1 has moved to terraform_data.aws_iam_user_audit_bob_2esmith_40example_2ecom"
	if !slices.ContainsFunc(movedTo, func(l string) bool { return strings.Contains(l, want) }) {
		t.Errorf("expected bob's user to move from position 1 to his own address (%s), found %v", want, movedTo)
	}
}

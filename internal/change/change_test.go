package change

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

func TestMarkdownStaysUnderGitHubsLimit(t *testing.T) {
	r := &Report{}
	for i := 0; i < 5000; i++ {
		r.Resources = append(r.Resources, Resource{Stack: "audit", Address: fmt.Sprintf("aws_iam_user.audit_user%04d", i), Kind: "changed", Attributes: []string{"tags.Team: a -> b"}})
	}
	r.Resources = append([]Resource{{Stack: "audit", Address: "aws_s3_bucket.log_bucket", Kind: "removed", Blocking: "destroys audit evidence"}}, r.Resources...)
	var b strings.Builder
	if err := r.Markdown(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) > MaxComment || len(out) >= 65536 {
		t.Errorf("expected the comment under %d characters, found %d", MaxComment, len(out))
	}
	if !strings.Contains(out, "cut at 65000 characters") {
		t.Errorf("expected a note where the comment is cut")
	}
	if !strings.HasPrefix(out, "# Review of the change\n\n**1 change(s) destroy or replace audit evidence.**") {
		t.Errorf("expected the blocking change first, found %q", out[:200])
	}
}

func TestAttributeDiffs(t *testing.T) {
	before := map[string]any{"bucket": "a", "rule": []any{map[string]any{"days": 1.0, "id": "x"}}, "//": "meta"}
	after := map[string]any{"bucket": "b", "rule": []any{map[string]any{"days": 2.0, "id": "x"}}, "tags": map[string]any{"k": "v"}, "//": "other"}
	got := attributeDiffs("", before, after)
	want := []string{"bucket: a -> b", "rule.days: 1 -> 2", "tags: (none) -> map[k:v]"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("expected %v, found %v", want, got)
	}
}

// TestManyPeople: a few auditors added or removed are a line each; a
// thousand at once are a line for each kind, naming some and counting
// all, so that the review stays readable.
func TestManyPeople(t *testing.T) {
	users := func(prefix string, n int) *tfjson.Doc {
		resources := map[string]any{}
		for i := range n {
			name := fmt.Sprintf("%s-%04d", prefix, i)
			resources["audit_"+name] = map[string]any{"name": name}
		}
		data, _ := json.Marshal(map[string]any{"resource": map[string]any{"aws_iam_user": resources}})
		d, err := tfjson.Parse("security", data)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	few := &Report{}
	few.comparePeople(users("auditor", 2), users("auditor", 3))
	if len(few.People) != 1 || !strings.HasPrefix(few.People[0], "auditor `auditor-0002` added") {
		t.Errorf("expected one line for the one auditor added, found %v", few.People)
	}
	many := &Report{}
	many.comparePeople(users("auditor", 1000), users("person", 1000))
	if len(many.People) != 3 {
		t.Fatalf("expected a line for the removed, the added and the rename, found %d", len(many.People))
	}
	for i, want := range []string{"1000 auditors removed (auditor-0000, ", "1000 auditors added (person-0000, ", "if this renames auditor-0000, "} {
		if !strings.HasPrefix(many.People[i], want) {
			t.Errorf("line %d: expected %q, found %q", i, want, many.People[i])
		}
		if len(many.People[i]) > 1000 {
			t.Errorf("line %d: expected a short line, found %d characters", i, len(many.People[i]))
		}
	}
}

// TestIdentityCenterPeople: an Identity Center group or user that gets or
// loses the auditors' permission set is a line of People, and a group's
// line says who then decides who reads the evidence.
func TestIdentityCenterPeople(t *testing.T) {
	assigned := func(ids ...string) *tfjson.Doc {
		resources := map[string]any{}
		for _, id := range ids {
			resources["identity_center_group_"+id] = map[string]any{"principal_type": "GROUP", "principal_id": id, "target_id": "444455556666"}
		}
		data, _ := json.Marshal(map[string]any{"resource": map[string]any{"aws_ssoadmin_account_assignment": resources}})
		d, err := tfjson.Parse("audit", data)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	r := &Report{}
	r.compareAssignments(assigned("g-auditors"), assigned("g-readers"))
	want := []string{"Identity Center group `g-auditors` loses the auditors' permission set", "Identity Center group `g-readers` gets the auditors' permission set: every member of the group, now and later"}
	if len(r.People) != len(want) {
		t.Fatalf("expected %d lines, found %v", len(want), r.People)
	}
	for i, w := range want {
		if !strings.HasPrefix(r.People[i], w) {
			t.Errorf("line %d: expected %q, found %q", i, w, r.People[i])
		}
	}
	unchanged := &Report{}
	unchanged.compareAssignments(assigned("g-auditors"), assigned("g-auditors"))
	if len(unchanged.People) != 0 {
		t.Errorf("expected nothing for an unchanged assignment, found %v", unchanged.People)
	}
	// The most the setting takes, all replaced: a line for each kind.
	var before, after []string
	for i := range 100 {
		before, after = append(before, fmt.Sprintf("old-%03d", i)), append(after, fmt.Sprintf("new-%03d", i))
	}
	many := &Report{}
	many.compareAssignments(assigned(before...), assigned(after...))
	if len(many.People) != 2 || !strings.HasPrefix(many.People[0], "100 Identity Center groups and users lose") || !strings.HasPrefix(many.People[1], "100 Identity Center groups and users get") {
		t.Errorf("expected a line for the removed and one for the added, found %v", many.People)
	}
	for _, line := range many.People {
		if len(line) > 1000 {
			t.Errorf("expected a short line, found %d characters", len(line))
		}
	}
}

// TestManyResourceChangesFold: many plain additions of one type in one
// stack are one line naming some and counting all; a blocking change and a
// change of attributes keep their own lines.
func TestManyResourceChangesFold(t *testing.T) {
	var changes []Resource
	for i := range 1000 {
		changes = append(changes, Resource{Stack: "security", Address: fmt.Sprintf("aws_iam_user.audit_auditor-%04d", i), Kind: "added"})
	}
	changes = append(changes,
		Resource{Stack: "logarchive", Address: "aws_s3_bucket.log_bucket", Kind: "removed", Blocking: "destroys audit evidence"},
		Resource{Stack: "security", Address: "aws_iam_group_membership.audit_group_membership", Kind: "changed", Attributes: []string{"users: ..."}})
	lines := resourceLines(changes)
	if len(lines) != 3 {
		t.Fatalf("expected 3 lines, found %d: %v", len(lines), lines)
	}
	if want := "added 1000 `security:aws_iam_user` (audit_auditor-0000, "; !strings.HasPrefix(lines[0], want) || !strings.HasSuffix(lines[0], "… audit_auditor-0999)") {
		t.Errorf("expected %q…, found %q", want, lines[0])
	}
	if !strings.Contains(lines[1], "aws_s3_bucket.log_bucket") || !strings.Contains(lines[2], "users: ...") {
		t.Errorf("expected the blocking change and the change of attributes on their own lines, found %v", lines[1:])
	}
}

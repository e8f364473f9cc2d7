package change

import (
	"fmt"
	"strings"
	"testing"
)

func TestMarkdownStaysUnderGitHubsLimit(t *testing.T) {
	r := &Report{}
	for i := 0; i < 5000; i++ {
		r.Resources = append(r.Resources, Resource{Stack: "audit", Address: fmt.Sprintf("aws_iam_user.audit_user%04d", i), Kind: "added"})
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

package change

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/internal/input"
)

// MaxComment is the longest comment Markdown writes: GitHub refuses a
// comment over 65,536 characters.
const MaxComment = 65000

// Markdown writes the pull-request comment: blocking changes first, then
// the plans, the resource changes, policy statements, controls, access cells and
// outputs; cut, with a note, at MaxComment.
func (r *Report) Markdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# Review of the change\n\n")
	if len(r.Choices) > 0 {
		fmt.Fprintf(&b, "## Irreversible or weakening choices this change makes (%d)\n\n", len(r.Choices))
		for _, c := range r.Choices {
			b.WriteString(c.Markdown())
		}
		b.WriteString("\n")
	}
	blocking := r.Blocking()
	if len(blocking) > 0 {
		fmt.Fprintf(&b, "**%d change(s) destroy or replace audit evidence.** Revert them, or record a reasoned override in `%s` naming the resource.\n\n", len(blocking), OverridesFile)
		for _, c := range blocking {
			fmt.Fprintf(&b, "- BLOCKING `%s:%s`: %s\n", c.Stack, c.Address, c.Blocking)
		}
		b.WriteString("\n")
	}
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "## %s (%d)\n\n", title, len(lines))
		for _, l := range lines {
			fmt.Fprintf(&b, "- %s\n", l)
		}
		b.WriteString("\n")
	}
	if len(r.Plans) > 0 {
		fmt.Fprintf(&b, "## Plans (%d)\n\n", len(r.Plans))
		for _, p := range r.Plans {
			fmt.Fprintf(&b, "- `%s` (%s): %s\n", p.Stack, p.File, p.Line())
			if p.Verdict != "" {
				fmt.Fprintf(&b, "  - %s\n", p.Verdict)
			}
			for _, c := range p.Changes {
				fmt.Fprintf(&b, "  - %s\n", resourceLine(c))
			}
		}
		b.WriteString("\n")
	}
	var apply []string
	for _, a := range r.Apply {
		apply = append(apply, a.line())
	}
	if n := len(r.Unguarded); n > 0 {
		shown := r.Unguarded[:min(n, maxListed)]
		more := ""
		if n > maxListed {
			more = fmt.Sprintf(" and %d more", n-maxListed)
		}
		apply = append(apply, fmt.Sprintf("%d call only what no policy of the stacks guards (IAM, CloudTrail, CloudWatch, Terraform's own): every deployer, and any administrator, applies them: %s%s", n, strings.Join(shown, ", "), more))
	}
	section("Who can apply it", apply)
	section("People", r.People)
	section("Resources", resourceLines(r.Resources))
	section("Policy statements", r.Statements)
	section("Access matrix cells", r.Access)
	section("Controls", r.Controls)
	section("Coverage of actions (docs/coverage.md)", r.Coverage)
	section("Outputs", r.Outputs)
	if len(r.Plans)+len(r.Resources)+len(r.Statements)+len(r.Access)+len(r.Controls)+len(r.Outputs)+len(apply)+len(r.Coverage) == 0 {
		b.WriteString("No change to the synthesized stacks.\n")
	}
	out := b.String()
	if len(out) > MaxComment {
		note := fmt.Sprintf("\n\n… cut at %d characters; the whole comparison is in the workflow's artifact.\n", MaxComment)
		out = out[:MaxComment-len(note)] + note
	}
	_, err := io.WriteString(w, out)
	return err
}

// maxListed is how many changes a line of the comment names.
const maxListed = 10

// resourceLines are the resource changes, one line each, but for many
// plain additions or removals of one type in one stack (a thousand
// auditors): those are one line, naming some and counting all. A
// blocking or overridden change, and a change of attributes, keeps its
// line.
func resourceLines(changes []Resource) []string {
	type group struct{ kind, stack, typ string }
	count := map[group][]string{}
	for _, c := range changes {
		if c.Blocking == "" && c.Override == "" && len(c.Attributes) == 0 && (c.Kind == "added" || c.Kind == "removed") {
			typ, name, _ := strings.Cut(c.Address, ".")
			g := group{c.Kind, c.Stack, typ}
			count[g] = append(count[g], name)
		}
	}
	var out []string
	said := map[group]bool{}
	for _, c := range changes {
		typ, _, _ := strings.Cut(c.Address, ".")
		g := group{c.Kind, c.Stack, typ}
		names := count[g]
		if len(names) <= maxListed || !slices.Contains(names, strings.TrimPrefix(c.Address, typ+".")) {
			out = append(out, resourceLine(c))
			continue
		}
		if !said[g] {
			said[g] = true
			out = append(out, fmt.Sprintf("%s %d `%s:%s` (%s, … %s)", c.Kind, len(names), c.Stack, typ, strings.Join(names[:maxListed], ", "), names[len(names)-1]))
		}
	}
	return out
}

// resourceLine is one resource change: kind, address, override, attributes.
func resourceLine(c Resource) string {
	line := fmt.Sprintf("%s `%s:%s`", c.Kind, c.Stack, c.Address)
	if c.Override != "" {
		line += " (override: " + c.Override + ")"
	}
	if len(c.Attributes) > 0 {
		line += ": " + strings.Join(c.Attributes, "; ")
	}
	return line
}

// OverridesFile is the committed list of deliberate evidence-destroying
// changes: "<stack>:<address> <reason>" a line, # for comments.
const OverridesFile = ".review-overrides"

// MinReason is the shortest reason an override accepts.
const MinReason = 20

// LoadOverrides reads the overrides file; a missing file is no override.
func LoadOverrides(path string) (map[string]string, error) {
	data, err := input.File(path, input.SettingsBytes)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	s := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		resource, reason, _ := strings.Cut(line, " ")
		reason = strings.TrimSpace(reason)
		if !strings.Contains(resource, ":") || len(reason) < MinReason {
			return nil, fmt.Errorf("%s:%d: expected \"<stack>:<address> <reason of at least %d characters>\", found %q", path, n, MinReason, line)
		}
		out[resource] = reason
	}
	return out, s.Err()
}

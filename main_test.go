package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/cle2wa/audit-trail/internal/cli"
	"github.com/cle2wa/audit-trail/internal/kernelenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// built is the app, built once for the process-level tests (appBinary).
var built struct {
	done chan struct{}
	path string
	err  error
}

// scratch holds what a test process makes once and shares (synthOnce); it
// is removed when the tests end.
var scratch string

func TestMain(m *testing.M) {
	flag.Parse()
	var err error
	if scratch, err = os.MkdirTemp("", "audit-trail-test-"); err != nil {
		panic(err)
	}
	// The app is linked while the first tests, which need no binary,
	// run: linking it takes more than a second.
	built.done, built.path = make(chan struct{}), filepath.Join(scratch, "audit-trail")
	go func() {
		defer close(built.done)
		build := exec.Command("go", "build", "-o", built.path, ".")
		if out, err := build.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("%v\n%s", err, out)
		}
	}()
	code := m.Run()
	reportSkipped()
	<-built.done
	os.RemoveAll(scratch)
	// The in-process tests started a jsii kernel: stop it and remove its
	// temporary directory.
	jsii.Close()
	os.Exit(code)
}

// appBinary is the path of the app's binary, once it is built.
func appBinary(t *testing.T) string {
	t.Helper()
	<-built.done
	if built.err != nil {
		t.Fatalf("building the app: %v", built.err)
	}
	return built.path
}

// project makes a project directory holding cdktf.json with content.
func project(t *testing.T, cdktfJSON string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdktf.json"), []byte(cdktfJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runApp runs the app in dir as `go run .` would (no cdktf CLI variables)
// and returns its exit status, stdout and stderr. extra adds variables.
func runApp(t *testing.T, dir string, extra ...string) (int, string, string) {
	t.Helper()
	return runCommand(t, dir, nil, extra...)
}

// runCommand runs the app with args in dir, as runApp does.
func runCommand(t *testing.T, dir string, args []string, extra ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(appBinary(t), args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CDKTF_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, extra...)
	// The jsii runtime's Node.js 20 banner is not the app's output.
	cmd.Env = append(cmd.Env, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running the app: %v", err)
	}
	return code, stdout.String(), stderr.String()
}

// readTree reads every file below dir (relative path to content), and the
// names of the entries of dir's parent.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	return files
}

func repoCdktfJSON(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("cdktf.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// synthDefault synthesizes the project's own cdktf.json in a new directory.
func synthDefault(t *testing.T) (dir string, out map[string]string) {
	t.Helper()
	dir = project(t, repoCdktfJSON(t))
	code, stdout, stderr := runApp(t, dir)
	if code != 0 {
		t.Fatalf("expected exit 0 from a default synth, found %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if stderr != "" {
		t.Errorf("expected nothing on stderr from a good synth, found:\n%s", stderr)
	}
	return dir, readTree(t, filepath.Join(dir, "cdktf.out"))
}

// syntheses are the outputs of synthOnce, by name.
var syntheses = struct {
	sync.Mutex
	byName map[string]*synthesis
}{byName: map[string]*synthesis{}}

// synthesis is one output of synthOnce: its cdktf.out, or why it failed.
type synthesis struct {
	sync.Once
	out, failed string
}

// synthOnce synthesizes the project's cdktf.json with the settings edit
// makes (nil: none) by running the app as a user does, once a test
// process for each name, in scratch, and returns its cdktf.out. Every
// test that asks for the same name shares that output: none may change
// it (copyDir makes a copy to work in).
func synthOnce(t *testing.T, name string, edit func(context map[string]any)) string {
	t.Helper()
	syntheses.Lock()
	s, ok := syntheses.byName[name]
	if !ok {
		s = &synthesis{}
		syntheses.byName[name] = s
	}
	syntheses.Unlock()
	s.Do(func() {
		// Until it says otherwise: a failure that stopped the test
		// which ran it (t.Fatal) leaves this.
		s.failed = "it stopped the test that ran it"
		var file map[string]any
		if err := json.Unmarshal([]byte(repoCdktfJSON(t)), &file); err != nil {
			s.failed = err.Error()
			return
		}
		if edit != nil {
			edit(file["context"].(map[string]any))
		}
		data, err := json.MarshalIndent(file, "", "  ")
		dir := filepath.Join(scratch, name)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "cdktf.json"), data, 0o644)
		}
		if err != nil {
			s.failed = err.Error()
			return
		}
		if code, stdout, stderr := runApp(t, dir); code != 0 {
			s.failed = fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			return
		}
		s.out = filepath.Join(dir, "cdktf.out")
	})
	if s.out == "" {
		t.Fatalf("expected the synth %s to succeed, found: %s", name, s.failed)
	}
	return s.out
}

// sharedDefault is the synth of the project's own cdktf.json that the
// tests which only read it share (synthOnce): its project directory and
// the files of its cdktf.out.
func sharedDefault(t *testing.T) (dir string, out map[string]string) {
	t.Helper()
	cdktfOut := synthOnce(t, "default", nil)
	return filepath.Dir(cdktfOut), readTree(t, cdktfOut)
}

// golden is the reviewed copy of the default synth output.
const golden = "testdata/golden"

func TestSynthMatchesGolden(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	_, out := sharedDefault(t)
	for _, stack := range []string{"audit", "state", "exports"} {
		if _, ok := out["stacks/"+stack+"/cdk.tf.json"]; !ok {
			t.Errorf("expected the stack %s in cdktf.out, found files %v", stack, keys(out))
		}
	}
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		for file, content := range out {
			path := filepath.Join(golden, file)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := readTree(t, golden)
	for file := range want {
		if _, ok := out[file]; !ok {
			t.Errorf("expected cdktf.out/%s as in %s, found none", file, golden)
		}
	}
	for file, content := range out {
		if want[file] != content {
			t.Errorf("cdktf.out/%s differs from %s/%s at %s\nif the change is intended, run go test . -update and review the diff", file, golden, file, firstDiff(want[file], content))
		}
	}
}

// firstDiff says where got first differs from want, line by line: the
// line number, two lines of context before it, and both versions of the
// line.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	line := func(l []string, i int) string {
		if i < len(l) {
			return l[i]
		}
		return "(end of file)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "line %d:\n", i+1)
	for c := max(0, i-2); c < i; c++ {
		fmt.Fprintf(&b, "    %s\n", w[c])
	}
	fmt.Fprintf(&b, "  - %s\n  + %s", line(w, i), line(g, i))
	return b.String()
}

func TestSynthIsDeterministic(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	dirA, a := sharedDefault(t)
	dirB, b := synthDefault(t)
	if len(a) != len(b) {
		t.Fatalf("expected the same files from two synths, found %v and %v", keys(a), keys(b))
	}
	home, _ := os.UserHomeDir()
	for file, content := range a {
		if b[file] != content {
			t.Errorf("cdktf.out/%s differs between two synths of the same input", file)
		}
		for _, path := range []string{dirA, dirB, os.TempDir(), home} {
			if path != "" && path != "/" && strings.Contains(content, path) {
				t.Errorf("cdktf.out/%s holds the host path %s", file, path)
			}
		}
	}
}

func TestBadSettingsKeepThePreviousOutput(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	good := repoCdktfJSON(t)
	cases := map[string]struct {
		cdktfJSON string
		want      []string
	}{
		"unknown key": {
			strings.Replace(good, `"region"`, `"regoin"`, 1),
			[]string{`regoin: unknown setting (did you mean "region"?)`},
		},
		"malformed JSON": {
			strings.Replace(good, `"language": "go",`, `"language": "go"`, 1),
			[]string{"cdktf.json: malformed JSON at line 3"},
		},
		"every problem at once": {
			strings.NewReplacer(`"prefix": "cle2wa"`, `"prefix": "CLE2WA"`, `"region": "us-east-1"`, `"region": "moon"`, `"logRetentionDays": 0`, `"logRetentionDays": 30`).Replace(good),
			[]string{`prefix: "CLE2WA"`, `region: "moon"`, "logRetentionDays: 30"},
		},
		"wrong JSON type": {
			strings.Replace(good, `"auditUsers": ["user-audit"]`, `"auditUsers": "user-audit"`, 1),
			[]string{`auditUsers: expected a list of strings, got "user-audit"`},
		},
	}
	dir, previous := synthDefault(t)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, "cdktf.json"), []byte(c.cdktfJSON), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runApp(t, dir)
			if code == 0 {
				t.Fatalf("expected a non-zero exit, found 0\nstdout: %s", stdout)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("expected stderr to contain %q, found:\n%s", w, stderr)
				}
			}
			for _, trace := range []string{"panic", "goroutine", ".go:", "jsii"} {
				if strings.Contains(stderr, trace) {
					t.Errorf("expected a plain message without %q, found:\n%s", trace, stderr)
				}
			}
			now := readTree(t, filepath.Join(dir, "cdktf.out"))
			if len(now) != len(previous) {
				t.Errorf("expected the previous cdktf.out (%v), found %v", keys(previous), keys(now))
			}
			for file, content := range previous {
				if now[file] != content {
					t.Errorf("cdktf.out/%s changed after a failed run", file)
				}
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 2 {
				t.Errorf("expected only cdktf.json and cdktf.out in the project, found %d entries", len(entries))
			}
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFirstDiff(t *testing.T) {
	cases := map[string]struct{ want, got, says string }{
		"a changed line": {"a\nb\nc\nd", "a\nb\nc\nX", "line 4:\n    b\n    c\n  - d\n  + X"},
		"a longer file":  {"a", "a\nb", "line 2:\n    a\n  - (end of file)\n  + b"},
		"a first line":   {"a", "b", "line 1:\n  - a\n  + b"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := firstDiff(c.want, c.got); got != c.says {
				t.Errorf("expected %q, found %q", c.says, got)
			}
		})
	}
}

func TestCommandsRefuseWhatTheyDoNotUnderstand(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	dir, _ := sharedDefault(t)
	cases := map[string]struct {
		args []string
		want string
	}{
		"an unknown command":        {[]string{"deploy"}, `unknown command "deploy"`},
		"an argument to review":     {[]string{"review", "extra"}, `review takes no arguments, only flags; found "extra"`},
		"a missing scanner file":    {[]string{"review", "-trivy", "/nonexistent.json"}, `invalid value "/nonexistent.json" for flag -trivy`},
		"an unknown flag of review": {[]string{"review", "-trivi", "x"}, "flag provided but not defined: -trivi"},
		"an argument before a flag": {[]string{"validate-logs", "extra", "-start", "2026-11-28T00:00:00Z"}, `validate-logs takes no arguments, only flags; found "extra" (flags after it are not read`},
		"a start in the future":     {[]string{"validate-logs", "-start", "2999-01-01T00:00:00Z"}, "-start 2999-01-01T00:00:00Z is in the future (-end defaults to now)"},
		"no digest age":             {[]string{"verify", "-max-digest-age", "0"}, "-max-digest-age 0s must be more than 0 and at most 24h0m0s, such as 2h"},
		"a digest age of a century": {[]string{"verify", "-max-digest-age", "876000h"}, "-max-digest-age 876000h0m0s must be more than 0 and at most 24h0m0s"},
		// Malformed flags are refused before any AWS call, all at once.
		"an account that is not 12 digits": {[]string{"validate-logs", "-start", "2026-11-28T00:00:00Z", "-account", "12345"}, `-account "12345" is not an account ID (12 digits)`},
		"an organization ID without o-":    {[]string{"validate-logs", "-start", "2026-11-28T00:00:00Z", "-organization", "org-1"}, `-organization "org-1" is not an organization ID`},
		"a region that does not exist":     {[]string{"validate-logs", "-start", "2026-11-28T00:00:00Z", "-region", "moon-1"}, `-region "moon-1" is not an AWS region`},
		"a bucket name with ..":            {[]string{"validate-logs", "-start", "2026-11-28T00:00:00Z", "-bucket", "a..b"}, `-bucket "a..b" is not an S3 bucket name`},
		"a wildcard prefix":                {[]string{"validate-logs", "-start", "2026-11-28T00:00:00Z", "-prefix", "*"}, `-prefix "*" is not a usable log file prefix`},
		"a trail ARN in no partition":      {[]string{"validate-logs", "-start", "2026-11-28T00:00:00Z", "-trail-arn", "arn:aws-bogus-:cloudtrail:us-east-1:123456789012:trail/t"}, `-trail-arn "arn:aws-bogus-:cloudtrail:us-east-1:123456789012:trail/t" is not a trail ARN`},
		"a trail ARN of another partition": {[]string{"validate-logs", "-start", "2026-11-28T00:00:00Z", "-trail-arn", "arn:aws-cn:cloudtrail:us-east-1:123456789012:trail/t"}, `names no trail that can exist`},
		"an end in the future":             {[]string{"validate-logs", "-start", "2026-11-28T00:00:00Z", "-end", "2999-01-01T00:00:00Z"}, "-end 2999-01-01T00:00:00Z is in the future"},
		"a digest age without unit":        {[]string{"verify", "-max-digest-age", "2"}, `invalid value "2" for flag -max-digest-age`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(appBinary(t), c.args...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 2 || !strings.Contains(string(out), c.want) {
				t.Errorf("expected exit 2 saying %q, found %v:\n%s", c.want, err, out)
			}
		})
	}
}

// TestEveryMalformedFlagAtOnce: validate-logs names every malformed flag
// before any AWS call, and exits 2.
func TestEveryMalformedFlagAtOnce(t *testing.T) {
	var out, errs bytes.Buffer
	code := run([]string{"validate-logs", "-start", "2001-01-01T00:00:00Z", "-account", "12345", "-organization", "org-1", "-region", "moon-1",
		"-bucket", "a..b", "-prefix", "*", "-trail-arn", "arn:aws-bogus-:cloudtrail:us-east-1:123456789012:trail/t"}, &out, &errs)
	if code != 2 || out.Len() > 0 {
		t.Errorf("expected exit 2 and nothing on stdout, found %d:\n%s%s", code, out.String(), errs.String())
	}
	for _, flag := range []string{"-start", "-account", "-organization", "-region", "-bucket", "-prefix", "-trail-arn"} {
		if !strings.Contains(errs.String(), "error: "+flag+" ") {
			t.Errorf("expected a line for %s, found:\n%s", flag, errs.String())
		}
	}
}

// TestHelp: help, -h and --help print the command reference (the file
// help) and exit 0.
func TestHelp(t *testing.T) {
	page, err := os.ReadFile("help")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 0 || out.String() != string(page) {
			t.Errorf("%v: expected exit 0 and the help file, found %d:\n%s%s", args, code, out.String(), errs.String())
		}
	}
}

// TestCommandsAreDocumented holds the four descriptions of each command
// to the one table, cli.Commands: its -h is the table's usage, text and
// exit statuses with its flags; the help page shows it; the README's
// table of commands is the table's, and the documentation names every
// flag; and every command the table lists runs, and no other.
func TestCommandsAreDocumented(t *testing.T) {
	page, err := os.ReadFile("help")
	if err != nil {
		t.Fatal(err)
	}
	front := strings.Join(readme(t), "\n")
	text := strings.Join(documentation(t), "\n")
	documented := map[string]bool{}
	for _, c := range cli.Commands {
		if c.Name == "" || c.Name == cli.Help.Name {
			continue
		}
		documented[c.Name] = true
		if runners[c.Name] == nil {
			t.Errorf("%s: in the table, but nothing runs it", c.Name)
			continue
		}
		var out, errs bytes.Buffer
		if code := run([]string{c.Name, "-h"}, &out, &errs); code != 0 || !strings.HasPrefix(errs.String(), "Usage: go run . "+c.Synopsis+"\n\n"+c.About+"\n") {
			t.Errorf("%s -h: expected exit 0 and the table's usage and text, found %d:\n%s", c.Name, code, errs.String())
		}
		for _, e := range c.Exits {
			if line := fmt.Sprintf("  %d  %s\n", e.Code, e.Meaning); !strings.Contains(errs.String(), line) {
				t.Errorf("%s -h: expected the exit status line %q", c.Name, line)
			}
		}
		flags := cli.FlagNames(errs.String())
		if len(flags) == 0 {
			t.Errorf("%s -h: expected its flags, found none", c.Name)
		}
		for _, flag := range flags {
			if !regexp.MustCompile("`[^`]*-" + regexp.QuoteMeta(flag) + "\\b").MatchString(text) {
				t.Errorf("the documentation does not name %s's flag -%s (in backquotes)", c.Name, flag)
			}
		}
		if !strings.Contains(string(page), "go run . "+c.Name) {
			t.Errorf("the help page must show `go run . %s`", c.Name)
		}
	}
	// The README's table of commands is the table's.
	for _, c := range cli.Commands {
		row := fmt.Sprintf("| `%s` | %s |", strings.TrimSpace("go run . "+c.Synopsis), c.Purpose)
		if !strings.Contains(front, row) {
			t.Errorf("expected the README's table of commands to have the row %q", row)
		}
	}
	for name := range runners {
		if !documented[name] {
			t.Errorf("%s runs, but the table of commands (cli.Commands) does not describe it", name)
		}
	}
}

// TestIrreversibleAndWeakeningChoicesAreSaid: a COMPLIANCE lock of a
// century and monitoring off pass the settings, and the synth says what
// they mean on stderr, and the report lists them before anything else.
func TestIrreversibleAndWeakeningChoicesAreSaid(t *testing.T) {
	t.Parallel()
	dir := project(t, `{"app": "go run .", "context": {"objectLock": {"mode": "COMPLIANCE", "days": 36500}, "monitoring": false}}`)
	code, _, stderr := runApp(t, dir)
	if code != 0 {
		t.Fatalf("expected exit 0, found %d: %s", code, stderr)
	}
	for _, want := range []string{
		"warning: irreversible choice: Object Lock COMPLIANCE for 36500 days (100 years): every log file and digest written is locked that long, and nobody, the root user included, can delete it, shorten its lock or stop paying for its storage; it cannot be undone",
		"warning: weakening choice: no monitoring: no copy of the events in CloudWatch Logs and no alarm",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("expected stderr to say %q, found:\n%s", want, stderr)
		}
	}
	report, err := os.ReadFile(filepath.Join(dir, "cdktf.out", "REVIEW.md"))
	if err != nil {
		t.Fatal(err)
	}
	first := strings.Index(string(report), "\n## ")
	if first < 0 || !strings.HasPrefix(string(report[first:]), "\n## Irreversible or weakening choices (2)\n\n- **irreversible**") {
		t.Errorf("expected the choices as the report's first section, found:\n%.600s", report)
	}
}

// TestHostileEnvironment: what controls a CI job's environment cannot
// make the app delete sources or build other settings: an output
// directory that is the project or a folder of code is refused and left
// as it was, and a CDKTF_CONTEXT_JSON that disagrees with cdktf.json is
// refused; the project is unchanged byte for byte.
func TestHostileEnvironment(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		env  []string
		want string
	}{
		"the output at the project":          {[]string{"CDKTF_OUTDIR=."}, "refusing to replace .: it is the working directory or a directory above it"},
		"the output at the project's parent": {[]string{"CDKTF_OUTDIR=.."}, "refusing to replace ..: it is the working directory or a directory above it"},
		"the output at a folder of code":     {[]string{"CDKTF_OUTDIR=internal"}, "refusing to replace internal: it holds files no synthesis of this app wrote (stacks.go), so it is not an earlier output"},
		"the output at a file":               {[]string{"CDKTF_OUTDIR=main.go"}, "refusing to replace main.go: it is not a directory"},
		"an empty context left in the shell": {[]string{"CDKTF_CONTEXT_JSON={}"}, "CDKTF_CONTEXT_JSON is set and disagrees with cdktf.json: auditUsers is not set there"},
		"another person as the only auditor": {[]string{`CDKTF_CONTEXT_JSON={"auditUsers": ["mallory"]}`}, `auditUsers is ["mallory"] there and ["alice"] in cdktf.json`},
		"a context that is not JSON":         {[]string{"CDKTF_CONTEXT_JSON=yes"}, `CDKTF_CONTEXT_JSON is set and is not a JSON object: "yes"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := project(t, `{"app": "go run .", "context": {"auditUsers": ["alice"]}}`)
			for rel, content := range map[string]string{"main.go": "package main\n", "internal/stacks.go": "package internal\n"} {
				os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755)
				os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644)
			}
			before := readTree(t, dir)
			code, stdout, stderr := runApp(t, dir, c.env...)
			if code != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("expected exit 1 saying %q, found %d:\n%s%s", c.want, code, stdout, stderr)
			}
			if after := readTree(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("expected the project unchanged, found %v (was %v)", keys(after), keys(before))
			}
		})
	}
}

// TestNodeBannerIsSilenced: run without
// JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION, the synth runs itself
// again with it set (package kernelenv), so the jsii runtime's Node.js 20
// end-of-life banner does not bury the synth's own warnings; neither run
// leaves the runtime's temporary directory behind.
func TestNodeBannerIsSilenced(t *testing.T) {
	t.Parallel()
	dir, tmp := project(t, repoCdktfJSON(t)), t.TempDir()
	cmd := exec.Command(appBinary(t))
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CDKTF_") && !strings.HasPrefix(kv, kernelenv.SilenceEnv+"=") && !strings.HasPrefix(kv, "TMPDIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("expected a quiet synth, found %v and on stderr:\n%s", err, stderr.String())
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("expected the synth to leave nothing in TMPDIR, found %v", left)
	}
}

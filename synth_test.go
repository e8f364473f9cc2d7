package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/commands"
	"github.com/cle2wa/audit-trail/internal/outdir"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
)

// failing is a synth-time validation that always fails with its message.
type failing struct{ message string }

func (f *failing) Validate() *[]*string { return &[]*string{jsii.String(f.message)} }

func TestFailedSynthValidationKeepsThePreviousOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cdktf.out")
	previous := filepath.Join(dir, "stacks", "audit", "cdk.tf.json")
	if err := os.MkdirAll(filepath.Dir(previous), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(previous, []byte(`{"previous": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// An earlier output has a manifest.
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}

	_, err := commands.Synthesize(dir, func(app cdktf.App) error {
		stack := cdktf.NewTerraformStack(app, jsii.String("audit"))
		stack.Node().AddValidation(&failing{"the trail must be ordered after its bucket policy"})
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "the trail must be ordered after its bucket policy") {
		t.Fatalf("expected the validation message as an error, found %v", err)
	}
	got, readErr := os.ReadFile(previous)
	if readErr != nil || string(got) != `{"previous": true}` {
		t.Errorf("expected the previous output untouched after a failed validation, found %q (%v)", got, readErr)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("expected no staging directory left beside cdktf.out, found %d entries", len(entries))
	}
}

// breakTrail builds the app's stacks and turns the trail single-region
// with an escape hatch, as a careless change might.
func breakTrail(s settings.Settings, suppress string) func(app cdktf.App) error {
	return func(app cdktf.App) error {
		if err := stacks.All(app, s); err != nil {
			return err
		}
		// A user's escape hatch on the audit stack breaks the trail; the
		// suppression sits on the stack, which holds the trail.
		audit := app.Node().FindChild(jsii.String("audit"))
		audit.(cdktf.TerraformStack).AddOverride(jsii.String("resource.aws_cloudtrail.trail.is_multi_region_trail"), false)
		if suppress != "" {
			return check.Suppress(audit, "TRAIL-MULTI-REGION", suppress)
		}
		return nil
	}
}

func TestBrokenCheckFailsTheSynth(t *testing.T) {
	for name, continueOnErrors := range map[string]string{"go run": "", "cdktf CLI": "true"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS", continueOnErrors)
			dir := filepath.Join(t.TempDir(), "cdktf.out")
			previous := filepath.Join(dir, "stacks", "audit", "cdk.tf.json")
			os.MkdirAll(filepath.Dir(previous), 0o755)
			os.WriteFile(previous, []byte("previous"), 0o644)
			os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{}`), 0o644)

			_, err := commands.Synthesize(dir, breakTrail(settings.Defaults(), ""))
			want := "[audit/trail] TRAIL-MULTI-REGION: the trail must record every region"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("expected the synth to fail with %q, found %v", want, err)
			}
			if got, _ := os.ReadFile(previous); string(got) != "previous" {
				t.Errorf("expected the previous output kept, found %q", got)
			}
			// A failed check is the stacks' fault, never the jsii kernel's:
			// it must not send the app into its kernel fallback.
			var failed *check.FailedError
			var kernel *outdir.PanicError
			if !errors.As(err, &failed) || errors.As(err, &kernel) {
				t.Errorf("expected a *check.FailedError and no kernel panic, found %T", err)
			}
		})
	}
}

func TestSuppressedRuleIsReported(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cdktf.out")
	reason := "a single-region trail is what this test wants to see reported"
	if _, err := commands.Synthesize(dir, breakTrail(settings.Defaults(), reason)); err != nil {
		t.Fatalf("expected a suppressed rule not to fail the synth, found %v", err)
	}
	report, err := os.ReadFile(filepath.Join(dir, commands.ReviewFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"- `audit` TRAIL-MULTI-REGION: " + reason,
		"| 3.1 | 3.1 | 3.1 | Ensure CloudTrail is enabled in all regions | CloudTrail.1 | **FAIL** |",
	} {
		if !strings.Contains(string(report), want) {
			t.Errorf("expected REVIEW.md to contain %q", want)
		}
	}
}

func TestSuppressionNeedsAReasonAndAKnownCheck(t *testing.T) {
	_, err := commands.Synthesize(filepath.Join(t.TempDir(), "cdktf.out"), func(app cdktf.App) error {
		if err := stacks.All(app, settings.Defaults()); err != nil {
			return err
		}
		return check.Suppress(app.Node().FindChild(jsii.String("audit")), "NO-SUCH-CHECK", "because")
	})
	for _, want := range []string{`the reason "because" is too short`, `unknown check "NO-SUCH-CHECK"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("expected the suppression refused saying %q, found %v", want, err)
		}
	}
}

func TestSynthSaysHowToGetAlarmsDelivered(t *testing.T) {
	// A process of its own: runs beside the other process-level tests.
	t.Parallel()
	for name, c := range map[string]struct {
		context map[string]any
		note    bool
	}{
		"nobody subscribed": {nil, true},
		"an address set":    {map[string]any{"alarmEmails": []string{"security@example.com"}}, false},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runApp(t, project(t, withContext(t, c.context)))
			if code != 0 {
				t.Fatalf("expected the synth to succeed, found %d\n%s%s", code, stdout, stderr)
			}
			want := `note: [audit/monitoring/topic] ALARM-SUBSCRIBERS: nobody is subscribed to the alarm topic: the alarms notify no one; to fix it: set "alarmEmails" in cdktf.json`
			if got := strings.Contains(stdout, want); got != c.note {
				t.Errorf("expected the note %q shown=%v, found stdout:\n%s", want, c.note, stdout)
			}
		})
	}
}

package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
)

// TestLayoutValidatesWithTheRealProvider runs `terraform validate` with
// the real AWS provider's schema on the three stacks of the log-archive
// layout (issue #24; not reachable from cdktf.json yet): the providers
// that assume a role in the member accounts, the key read through its
// alias, the trail that delivers to another account's bucket.
func TestLayoutValidatesWithTheRealProvider(t *testing.T) {
	t.Parallel()
	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	s := settings.Defaults()
	s.OrganizationTrail = true
	s.AlarmEmails = []string{"security@example.com"}
	s.Accounts = &settings.Accounts{LogArchive: "555566667777", Security: "444455556666"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "cdktf.out")
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(out)})
	if _, err := stacks.NewManagement(app, s); err != nil {
		t.Fatal(err)
	}
	if _, err := stacks.NewLogArchive(app, s); err != nil {
		t.Fatal(err)
	}
	if _, err := stacks.NewSecurity(app, s); err != nil {
		t.Fatal(err)
	}
	app.Synth()
	for _, stack := range []string{stacks.AuditName, stacks.LogArchiveName, stacks.SecurityName} {
		t.Run(stack, func(t *testing.T) {
			work := copyDir(t, filepath.Join(out, "stacks", stack))
			run := func(args ...string) string {
				cmd := exec.Command(tf, append([]string{"-chdir=" + work}, args...)...)
				cmd.Env = append(toolEnv(t), "TF_CLI_CONFIG_FILE="+config)
				got, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, got)
				}
				return string(got)
			}
			run("init", "-backend=false", "-input=false", "-no-color")
			var result struct {
				Valid        bool `json:"valid"`
				WarningCount int  `json:"warning_count"`
			}
			got := run("validate", "-json")
			if err := json.Unmarshal([]byte(got), &result); err != nil || !result.Valid || result.WarningCount != 0 {
				t.Errorf("expected the %s stack to validate without a warning, found (%v):\n%s", stack, err, got)
			}
		})
	}
}

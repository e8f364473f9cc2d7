package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
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

	err := synthesize(dir, func(app cdktf.App) error {
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

package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/settings"
)

// LocalPath is the local state file of stack, relative to the stack's
// directory cdktf.out/stacks/<stack>: the project root, outside cdktf.out,
// where a new synth cannot delete it, and no host path in the JSON.
func LocalPath(stack string) string {
	return "../../../terraform." + stack + ".tfstate"
}

// S3Key is the key of stack's state object in the state bucket.
func S3Key(s settings.Settings, stack string) string {
	return s.Names().StateKey + "/" + stack + ".tfstate"
}

// Workspace is stack's HCP Terraform workspace.
func Workspace(s settings.Settings, stack string) string {
	return s.State.TFCWorkspace + "-" + stack
}

// Configure adds the backend that s chooses to stack, named stackName: a
// local state file (the default), an S3 bucket with S3-native locking, or
// HCP Terraform. Another stack reads the stack's outputs through it
// (GetRemoteStateDataSource).
func Configure(stack cdktf.TerraformStack, stackName string, s settings.Settings) cdktf.TerraformBackend {
	switch {
	case s.State.Bucket != "":
		b := cdktf.NewS3Backend(stack, &cdktf.S3BackendConfig{
			Bucket:   jsii.String(s.State.Bucket),
			Key:      jsii.String(S3Key(s, stackName)),
			Region:   jsii.String(s.Names().StateRegion),
			Encrypt:  jsii.Bool(true),
			KmsKeyId: optional(s.State.KMSKeyID),
		})
		// S3-native locking (Terraform 1.10+); cdktf 0.20's S3BackendConfig
		// predates it. No DynamoDB table: Terraform deprecates that.
		b.AddOverride(jsii.String("use_lockfile"), true)
		return b
	case s.State.TFCOrganization != "":
		return cdktf.NewCloudBackend(stack, &cdktf.CloudBackendConfig{
			Organization: jsii.String(s.State.TFCOrganization),
			Workspaces:   cdktf.NewNamedCloudWorkspace(jsii.String(Workspace(s, stackName)), nil),
		})
	default:
		return cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: jsii.String(LocalPath(stackName))})
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return jsii.String(s)
}

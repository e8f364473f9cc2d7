package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/auditstate"
	"github.com/cle2wa/audit-trail/internal/layout"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// ExportsName is the exports stack's name.
const ExportsName = "exports"

// NewExports adds the stack "exports" to app: it reads the audit stack's
// published outputs from its state (a terraform_remote_state through the
// audit stack's backend) and publishes them again, with the S3 location
// of the log files.
//
// Other teams' stacks read the exports stack's state instead of the audit
// stack's: it holds these values and nothing else, so they need read
// access to one small state object, not to every attribute of the audit
// resources. It has no provider and no resources of its own.
func NewExports(app constructs.Construct, s settings.Settings, audit *Audit) (cdktf.TerraformStack, error) {
	stack := cdktf.NewTerraformStack(app, jsii.String(ExportsName))
	Configure(stack, ExportsName, s)
	// Deployed after the audit stack, whose outputs it reads.
	stack.AddDependency(audit.TerraformStack)
	state := *audit.Backend.GetRemoteStateDataSource(stack, jsii.String(AuditName), jsii.String(AuditName)).Fqn()
	output := func(name string) string { return "${" + state + ".outputs." + name + "}" }

	for _, o := range audit.Outputs.List() {
		cdktf.NewTerraformOutput(stack, jsii.String(o.Name), &cdktf.TerraformOutputConfig{
			Value:       jsii.String(output(o.Name)),
			Description: jsii.String(o.Description + " (from the audit stack)"),
		})
	}
	uri := "s3://" + output(auditstate.OutputLogBucketName) + "/" + layout.Owner(s.LogPrefix, output(auditstate.OutputAccountID)) + "CloudTrail/"
	description := "S3 location of the CloudTrail log files: one folder per region below it"
	if audit.Outputs.OrganizationID != nil {
		// An organization trail writes every account's files below the
		// organization's folder: <account ID>/CloudTrail/<region>/...
		uri = "s3://" + output(auditstate.OutputLogBucketName) + "/" + layout.Owner(s.LogPrefix, output(auditstate.OutputOrganizationID))
		description = "S3 location of the organization trail's log files: one folder per account below it, then CloudTrail/<region>/"
	}
	cdktf.NewTerraformOutput(stack, jsii.String(auditstate.OutputLogFilesURI), &cdktf.TerraformOutputConfig{
		Value:       jsii.String(uri),
		Description: jsii.String(description),
	})
	return stack, nil
}

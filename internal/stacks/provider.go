package stacks

import (
	"fmt"
	"sort"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawscalleridentity"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawspartition"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// newProvider adds to stack the AWS provider for region, tagging every taggable
// resource with tags, and the aws_partition and aws_caller_identity data
// sources, and returns them as an arn.Env. The caller identity stops the
// plan, before anything changes, when the break-glass principals of s are
// of another account than the one deployed to.
func newProvider(stack cdktf.TerraformStack, region string, s settings.Settings) arn.Env {
	tags := s.Tags
	defaultTags := make(map[string]*string, len(tags))
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		defaultTags[k] = jsii.String(tags[k])
	}
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{
		Region:      jsii.String(region),
		DefaultTags: &[]*provider.AwsProviderDefaultTags{{Tags: &defaultTags}},
	})
	return arn.Env{
		Partition: dataawspartition.NewDataAwsPartition(stack, jsii.String("current_partition"), nil).Partition(),
		AccountID: dataawscalleridentity.NewDataAwsCallerIdentity(stack, jsii.String("current_account"), &dataawscalleridentity.DataAwsCallerIdentityConfig{
			Lifecycle: breakGlassAccount(s),
		}).AccountId(),
		Region: region,
	}
}

// breakGlassAccount is the postcondition that the account deployed to is
// the one breakGlassPrincipals names (settings.Validate has checked that
// they name one), or nil for the default, the deploying account's root
// user. A list of another account's principals only would leave nobody
// of this account able to change the buckets' protection.
func breakGlassAccount(s settings.Settings) *cdktf.TerraformResourceLifecycle {
	account := s.BreakGlassAccount()
	if account == "" {
		return nil
	}
	return &cdktf.TerraformResourceLifecycle{Postcondition: &[]*cdktf.Postcondition{{
		Condition:    jsii.String(fmt.Sprintf(`${self.account_id == "%s"}`, account)),
		ErrorMessage: jsii.String(fmt.Sprintf("breakGlassPrincipals are principals of the account %s, but these credentials deploy to another account (${self.account_id}): list principals of the account the stacks are deployed to", account)),
	}}}
}

// breakGlass are the principals that may still change the buckets'
// protection: the setting, or the account's root user.
func breakGlass(s settings.Settings, env arn.Env) []string {
	if len(s.BreakGlassPrincipals) > 0 {
		return s.BreakGlassPrincipals
	}
	return []string{env.Root()}
}

package stacks

import (
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
// sources, and returns them as an arn.Env.
func newProvider(stack cdktf.TerraformStack, region string, tags map[string]string) arn.Env {
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
		AccountID: dataawscalleridentity.NewDataAwsCallerIdentity(stack, jsii.String("current_account"), nil).AccountId(),
		Region:    region,
	}
}

// breakGlass are the principals that may still change the buckets'
// protection: the setting, or the account's root user.
func breakGlass(s settings.Settings, env arn.Env) []string {
	if len(s.BreakGlassPrincipals) > 0 {
		return s.BreakGlassPrincipals
	}
	return []string{env.Root()}
}

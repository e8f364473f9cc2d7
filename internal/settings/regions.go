package settings

import (
	"slices"
	"strings"
)

// providerRegions are the regions the pinned AWS provider (5.88.0, in
// @cdktf/provider-aws 19.54.0) accepts: it checks its region setting with
// aws-sdk-go-base's validation.SupportedRegion ("invalid AWS Region")
// against the partitions generated into that library, v2.0.0-beta.62 for
// the provider releases of February 2025 (endpoints/endpoints_gen.go,
// "All known Region IDs"). A region outside this list passes a pattern but
// fails at plan; refreshing the list belongs with a provider upgrade.
var providerRegions = []string{
	// aws
	"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
	"ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
	"eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
	"me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
	"us-west-2",
	// aws-cn
	"cn-north-1", "cn-northwest-1",
	// aws-iso, aws-iso-b, aws-iso-e, aws-iso-f
	"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-east-1", "us-isof-south-1",
	// aws-us-gov
	"us-gov-east-1", "us-gov-west-1",
}

// knownRegion reports whether the pinned provider accepts region.
func knownRegion(region string) bool { return slices.Contains(providerRegions, region) }

// partitionOf is the partition of region, as the AWS SDKs' partition
// table groups regions: a region's resources and principals have ARNs of
// this partition only.
func partitionOf(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", "aws-cn"},
		{"us-gov-", "aws-us-gov"},
		{"us-isob-", "aws-iso-b"},
		{"us-isof-", "aws-iso-f"},
		{"eu-isoe-", "aws-iso-e"},
		{"us-iso-", "aws-iso"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

// KnownRegion reports whether region is one the pinned provider knows,
// for the commands' -region flags.
func KnownRegion(region string) bool { return knownRegion(region) }

// PartitionOf is the partition of region.
func PartitionOf(region string) string { return partitionOf(region) }

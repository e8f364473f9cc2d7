// Package arn builds the Amazon Resource Names this project predicts from
// names, so that policies can name a resource before (or without) a
// reference to it.
//
// Every function takes the partition and the account as Terraform tokens
// (from the aws_partition and aws_caller_identity data sources), so the
// same synthesized JSON works in aws, aws-cn and aws-us-gov.
package arn

import "fmt"

// Env is where the resources live: tokens or literal values.
type Env struct {
	// Partition is required, for example a token for
	// data.aws_partition.current.partition.
	Partition *string
	// AccountID is required, for example a token for
	// data.aws_caller_identity.current.account_id.
	AccountID *string
	// Region is required: the stack's home region.
	Region string
}

// Trail is the ARN of the CloudTrail trail named name, in the home region.
// It is computed instead of referenced because the trail depends on the
// bucket and key policies that need its ARN.
func (e Env) Trail(name string) string {
	return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", *e.Partition, e.Region, *e.AccountID, name)
}

// AnyTrail matches every trail of the account in every region.
func (e Env) AnyTrail() string {
	return fmt.Sprintf("arn:%s:cloudtrail:*:%s:trail/*", *e.Partition, *e.AccountID)
}

// Bucket is the ARN of the S3 bucket named name.
func (e Env) Bucket(name string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", *e.Partition, name)
}

// Root is the ARN that stands for the account in policies.
func (e Env) Root() string {
	return fmt.Sprintf("arn:%s:iam::%s:root", *e.Partition, *e.AccountID)
}

// ManagedPolicy is the ARN of the AWS managed policy named name.
func (e Env) ManagedPolicy(name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", *e.Partition, name)
}

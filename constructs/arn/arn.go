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

// Policy is the ARN of the account's customer managed policy named name
// (path "/").
func (e Env) Policy(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:policy/%s", *e.Partition, *e.AccountID, name)
}

// LogGroup is the ARN of the CloudWatch Logs log group named name, in the
// home region, without the ":*" some services append.
func (e Env) LogGroup(name string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", *e.Partition, e.Region, *e.AccountID, name)
}

// AnyAlarm matches every CloudWatch alarm of the account in the home
// region.
func (e Env) AnyAlarm() string {
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:*", *e.Partition, e.Region, *e.AccountID)
}

// Alarms matches the CloudWatch alarms of the account in the home region
// whose names begin with prefix.
func (e Env) Alarms(prefix string) string {
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s*", *e.Partition, e.Region, *e.AccountID, prefix)
}

// Topic is the ARN of the SNS topic named name, in the home region.
func (e Env) Topic(name string) string {
	return fmt.Sprintf("arn:%s:sns:%s:%s:%s", *e.Partition, e.Region, *e.AccountID, name)
}

// User is the ARN of the IAM user named name (which may be a policy
// variable, such as OwnName).
func (e Env) User(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:user/%s", *e.Partition, *e.AccountID, name)
}

// Role is the ARN of the IAM role named name (path "/"). Policies name
// roles by it rather than by a reference, so that they render at plan
// time.
func (e Env) Role(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", *e.Partition, *e.AccountID, name)
}

// Group is the ARN of the IAM group named name (path "/").
func (e Env) Group(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:group/%s", *e.Partition, *e.AccountID, name)
}

// MFA is the ARN of the virtual MFA device named name (which may be a
// policy variable, such as OwnName).
func (e Env) MFA(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:mfa/%s", *e.Partition, *e.AccountID, name)
}

// OwnName is the IAM policy variable ${aws:username}, written with "&" so
// that Terraform does not read it as an interpolation; the
// aws_iam_policy_document data source renders it as ${aws:username}.
const OwnName = "&{aws:username}"

// The service principals the stacks grant to.
const (
	// CloudTrail delivers log files, digests and CloudWatch Logs events.
	CloudTrail = "cloudtrail.amazonaws.com"
	// CloudWatch publishes alarm notifications.
	CloudWatch = "cloudwatch.amazonaws.com"
	// S3Logging writes S3 server access logs.
	S3Logging = "logging.s3.amazonaws.com"
)

// Logs is the regional service principal of CloudWatch Logs in the home
// region.
func (e Env) Logs() string { return fmt.Sprintf("logs.%s.amazonaws.com", e.Region) }

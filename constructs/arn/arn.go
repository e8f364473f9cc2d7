// Package arn builds the Amazon Resource Names this project predicts from
// names, so that policies can name a resource before (or without) a
// reference to it, and so that the commands that read a synthesis name
// the same resources in an account.
//
// Env is one type for the three places an ARN is made: the synthesis,
// where the partition and the account are Terraform tokens (from the
// aws_partition and aws_caller_identity data sources, so that the same
// JSON works in aws, aws-cn and aws-us-gov); the review's example
// account; and the live account that verify reads.
package arn

import (
	"fmt"
	"regexp"
)

// Env is where the resources live: tokens or literal values.
type Env struct {
	// Partition is required, for example aws or a token for
	// data.aws_partition.current.partition.
	Partition string
	// Account is required: an account ID or a token for
	// data.aws_caller_identity.current.account_id.
	Account string
	// Region is the stack's home region (required where a regional ARN
	// is made).
	Region string
}

// Trail is the ARN of the CloudTrail trail named name, in the home region.
// It is computed instead of referenced because the trail depends on the
// bucket and key policies that need its ARN.
func (e Env) Trail(name string) string {
	return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", e.Partition, e.Region, e.Account, name)
}

// AnyTrail matches every trail of the account in every region.
func (e Env) AnyTrail() string {
	return fmt.Sprintf("arn:%s:cloudtrail:*:%s:trail/*", e.Partition, e.Account)
}

// Bucket is the ARN of the S3 bucket named name.
func (e Env) Bucket(name string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", e.Partition, name)
}

// Root is the ARN that stands for the account in policies.
func (e Env) Root() string {
	return fmt.Sprintf("arn:%s:iam::%s:root", e.Partition, e.Account)
}

// ManagedPolicy is the ARN of the AWS managed policy named name.
func (e Env) ManagedPolicy(name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", e.Partition, name)
}

// Policy is the ARN of the account's customer managed policy named name
// (path "/").
func (e Env) Policy(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:policy/%s", e.Partition, e.Account, name)
}

// LogGroup is the ARN of the CloudWatch Logs log group named name, in the
// home region, without the ":*" some services append.
func (e Env) LogGroup(name string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", e.Partition, e.Region, e.Account, name)
}

// AnyAlarm matches every CloudWatch alarm of the account in the home
// region.
func (e Env) AnyAlarm() string {
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:*", e.Partition, e.Region, e.Account)
}

// Alias is the ARN of the KMS alias named name ("alias/..."), in the home
// region.
func (e Env) Alias(name string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:%s", e.Partition, e.Region, e.Account, name)
}

// Alarm is the ARN of the CloudWatch alarm named name, in the home
// region.
func (e Env) Alarm(name string) string {
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", e.Partition, e.Region, e.Account, name)
}

// Alarms matches the CloudWatch alarms of the account in the home region
// whose names begin with prefix.
func (e Env) Alarms(prefix string) string {
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s*", e.Partition, e.Region, e.Account, prefix)
}

// Topic is the ARN of the SNS topic named name, in the home region.
func (e Env) Topic(name string) string {
	return fmt.Sprintf("arn:%s:sns:%s:%s:%s", e.Partition, e.Region, e.Account, name)
}

// User is the ARN of the IAM user named name (which may be a policy
// variable, such as OwnName).
func (e Env) User(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:user/%s", e.Partition, e.Account, name)
}

// Role is the ARN of the IAM role named name (path "/"). Policies name
// roles by it rather than by a reference, so that they render at plan
// time.
func (e Env) Role(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", e.Partition, e.Account, name)
}

// SAMLProvider is the ARN of the IAM SAML provider named name.
func (e Env) SAMLProvider(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:saml-provider/%s", e.Partition, e.Account, name)
}

// Group is the ARN of the IAM group named name (path "/").
func (e Env) Group(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:group/%s", e.Partition, e.Account, name)
}

// MFA is the ARN of the virtual MFA device named name (which may be a
// policy variable, such as OwnName).
func (e Env) MFA(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:mfa/%s", e.Partition, e.Account, name)
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
func (e Env) Logs() string { return e.Regional("logs") }

// Regional is the regional name of service in the home region, as
// kms:ViaService and regional service principals write it
// (s3.us-east-1.amazonaws.com).
func (e Env) Regional(service string) string {
	return fmt.Sprintf("%s.%s.amazonaws.com", service, e.Region)
}

// Key is the ARN of the KMS key with the ID id, in the home region.
func (e Env) Key(id string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", e.Partition, e.Region, e.Account, id)
}

// trail is a CloudTrail trail's ARN: partition, home region, account and
// name.
var trail = regexp.MustCompile(`^arn:(aws(?:-[a-z]+)*):cloudtrail:([a-z0-9-]+):(\d{12}):trail/(.+)$`)

// ParseTrail reads a trail's ARN (as Trail writes it) into the trail's
// environment and name; ok is false for anything else.
func ParseTrail(s string) (e Env, name string, ok bool) {
	m := trail.FindStringSubmatch(s)
	if m == nil {
		return Env{}, "", false
	}
	return Env{Partition: m[1], Region: m[2], Account: m[3]}, m[4], true
}

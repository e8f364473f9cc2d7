package monitoring

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/internal/filterpattern"
)

// Watch is an alarm on changes to the stack's own resources that the CIS
// families do not single out: the changes that would let someone erase
// the evidence or read it as an auditor. Its patterns all count into one
// metric, which one alarm watches; a watch of many names is split into
// several filters, because CloudWatch Logs limits a pattern to
// filterpattern.MaxLength characters.
type Watch struct {
	// Name is the short name of the alarm (watch-<Name>) and of its
	// filters (watch-<Name>-<n>).
	Name string
	// Metric is the CloudWatch metric the filters count into.
	Metric string
	// Title says what the alarm watches for.
	Title string
	// Patterns are the filters' patterns.
	Patterns []string
}

// Protected are the stack's resources the watches guard, by the names and
// ARNs that CloudTrail events carry.
type Protected struct {
	// Keys are the ARNs of the stack's KMS keys; Terraform references are
	// allowed (a watch of keys matches resources[0].ARN).
	Keys []string
	// Roles are the names of the stack's IAM roles.
	Roles []string
	// Users are the names of the audit users.
	Users []string
	// Group is the name of the audit group.
	Group string
	// Buckets are the names of the stack's S3 buckets.
	Buckets []string
}

// WatchNamespace is the CloudWatch namespace of the watches' metrics.
const WatchNamespace = "AuditTrail"

// maxKeyARN is the longest ARN a key of the stacks can have, for the
// length of a pattern that holds key ARNs still unknown at synth:
// arn:<partition>:kms:<region>:<account>:key/<36-character key id>, with
// the longest partition (aws-us-gov) and region names and a margin.
const maxKeyARN = 100

// Sources of the event shapes the watches rely on; the tests match
// AWS's sample events from these pages.
const (
	// KMS events name the key in resources[0].ARN: "Logging AWS KMS API
	// calls with AWS CloudTrail" and its examples.
	kmsEvents = "https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html"
	// IAM events carry the request's parameters (userName, roleName,
	// groupName) and, in userIdentity, who made the call: "Logging IAM and
	// AWS STS API calls with AWS CloudTrail".
	iamEvents = "https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html"
	// S3 bucket-level events carry requestParameters.bucketName: "Logging
	// Amazon S3 API calls using AWS CloudTrail".
	s3Events = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html"
)

// KeyEvents change who may use a key: its policy and its grants
// (kmsEvents).
var KeyEvents = []string{"PutKeyPolicy", "CreateGrant", "RetireGrant", "RevokeGrant"}

// RoleEvents change who may assume a role or what it may do (iamEvents).
var RoleEvents = []string{"UpdateAssumeRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy"}

// UserEvents give a user a new credential or take one away; each names
// the user in requestParameters.userName (iamEvents). Creating and
// deleting a virtual MFA device are left out: their parameters name a
// device, not a user (CreateVirtualMFADevice, DeleteVirtualMFADevice in
// the IAM API Reference), a device becomes a user's credential only
// through EnableMFADevice, and "You must deactivate a user's virtual MFA
// device before you can delete it"
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteVirtualMFADevice.html):
// both steps that touch a user are watched.
var UserEvents = []string{"CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile", "CreateAccessKey", "EnableMFADevice", "DeactivateMFADevice", "ResyncMFADevice"}

// GroupEvents change who is in a group or what its members may do
// (iamEvents).
var GroupEvents = []string{"AddUserToGroup", "RemoveUserFromGroup", "PutGroupPolicy", "DeleteGroupPolicy", "AttachGroupPolicy", "DetachGroupPolicy"}

// BucketEvents would let evidence expire, stop its versions or its lock,
// or copy it elsewhere (s3Events; S3 records PutBucketLifecycleConfiguration
// as PutBucketLifecycle). No AWS page shows the event name of
// PutObjectLockConfiguration, so both the API's name and the IAM
// action's (s3:PutBucketObjectLockConfiguration) are watched.
var BucketEvents = []string{"PutBucketLifecycle", "DeleteBucketLifecycle", "PutBucketVersioning", "PutObjectLockConfiguration", "PutBucketObjectLockConfiguration", "PutBucketReplication", "DeleteBucketReplication"}

// Watches are the stack's watches of p, in a fixed order.
func Watches(p Protected) ([]Watch, error) {
	var errs []error
	watch := func(name, metric, title, head string, clauses []string, measure func(string) int) Watch {
		patterns, err := pack(head, clauses, measure)
		if err != nil {
			errs = append(errs, field.Invalid(name, strings.Join(clauses, " || "), "%v", err))
		}
		return Watch{Name: name, Metric: metric, Title: title, Patterns: patterns}
	}
	keys := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		keys[i] = equals("$.resources[0].ARN", k)
	}
	// A key ARN may be a reference still unknown at synth: measure it as
	// the longest ARN a key can have.
	keyLength := func(pattern string) int {
		n := len(pattern)
		for _, k := range p.Keys {
			n += strings.Count(pattern, `"`+k+`"`) * (maxKeyARN - len(k))
		}
		return n
	}
	plain := func(pattern string) int { return len(pattern) }
	users := make([]string, len(p.Users))
	for i, u := range p.Users {
		// Anyone but the user: another kind of identity, or an IAM user of
		// another name. userIdentity.type is in every event, and userName
		// in every IAMUser identity, so the clause does not depend on how
		// a != treats a missing property.
		users[i] = fmt.Sprintf(`(%s && (%s || %s))`, equals("$.requestParameters.userName", u),
			notEquals("$.userIdentity.type", "IAMUser"), notEquals("$.userIdentity.userName", u))
	}
	out := []Watch{
		watch("key-policy-changes", "StackKeyPolicyChanges", "Key policy and grant changes on the stack's keys",
			head("kms.amazonaws.com", KeyEvents), keys, keyLength),
		watch("role-changes", "StackRoleChanges", "Trust and permission changes of the stack's roles",
			head("iam.amazonaws.com", RoleEvents), each("$.requestParameters.roleName", p.Roles), plain),
		watch("audit-user-credentials", "AuditUserCredentialChanges", "Credential changes of an audit user by anyone but that user",
			head("iam.amazonaws.com", UserEvents), users, plain),
		watch("audit-group-changes", "AuditGroupChanges", "Membership and policy changes of the audit group",
			head("iam.amazonaws.com", GroupEvents), each("$.requestParameters.groupName", []string{p.Group}), plain),
		watch("evidence-bucket-changes", "EvidenceBucketChanges", "Lifecycle, versioning, Object Lock and replication changes of the stack's buckets",
			head("s3.amazonaws.com", BucketEvents), each("$.requestParameters.bucketName", p.Buckets), plain),
	}
	return out, errors.Join(errs...)
}

// head is the part of a pattern every filter of a watch shares: the
// service and the event names.
func head(source string, events []string) string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = equals("$.eventName", e)
	}
	return fmt.Sprintf("%s && (%s)", equals("$.eventSource", source), strings.Join(names, " || "))
}

func each(selector string, values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = equals(selector, v)
	}
	return out
}

func equals(selector, value string) string    { return fmt.Sprintf(`(%s = "%s")`, selector, value) }
func notEquals(selector, value string) string { return fmt.Sprintf(`(%s != "%s")`, selector, value) }

// pack puts the clauses, in order, into as few patterns "{ head && (c ||
// c ...) }" as fit filterpattern.MaxLength by measure.
func pack(head string, clauses []string, measure func(string) int) ([]string, error) {
	if len(clauses) == 0 {
		return nil, errors.New("names nothing to watch")
	}
	render := func(cs []string) string { return "{ " + head + " && (" + strings.Join(cs, " || ") + ") }" }
	var out []string
	var current []string
	for _, c := range clauses {
		if measure(render(append(current, c))) <= filterpattern.MaxLength {
			current = append(current, c)
			continue
		}
		if len(current) == 0 {
			return nil, fmt.Errorf("makes a pattern longer than the %d characters CloudWatch Logs accepts", filterpattern.MaxLength)
		}
		out = append(out, render(current))
		current = []string{c}
		if measure(render(current)) > filterpattern.MaxLength {
			return nil, fmt.Errorf("makes a pattern longer than the %d characters CloudWatch Logs accepts", filterpattern.MaxLength)
		}
	}
	return append(out, render(current)), nil
}

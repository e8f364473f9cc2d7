package access

import (
	"slices"
	"strings"
	"time"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/layout"
)

// The addresses of the audit stack's resources the requests are about.
const (
	logBucket       = "aws_s3_bucket.log_bucket"
	accessLogBucket = "aws_s3_bucket.access_log_bucket"
	trailKey        = "aws_kms_key.trail_key"
	logsKey         = "aws_kms_key.monitoring_logs_key"
	topicKey        = "aws_kms_key.monitoring_topic_key"
	topic           = "aws_sns_topic.monitoring_topic"
	auditRole       = "aws_iam_role.audit_role"
	writerRole      = "aws_iam_role.monitoring_role"
	auditGroup      = "aws_iam_group.audit_group"
	trail           = "aws_cloudtrail.trail"
	logGroup        = "aws_cloudwatch_log_group.monitoring_log_group"
)

// Context is a request context: condition key to values.
type Context map[string][]string

// with returns a copy of c with more keys.
func (c Context) with(more Context) Context {
	out := Context{}
	for k, v := range c {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// signedIn is the context of a person's request: over TLS, signed in
// with MFA.
var signedIn = Context{"aws:SecureTransport": {"true"}, "aws:MultiFactorAuthPresent": {"true"}}

// overTLS is the context of a service's request.
var overTLS = Context{"aws:SecureTransport": {"true"}}

// another is the account outside the model's, in the trail's region.
func (m *Model) another() arn.Env {
	e := m.Env
	e.Account = m.other
	return e
}

// TrailARN is the ARN of the stack's trail.
func (m *Model) trailARN() string { return m.Env.Trail(m.Attr(trail, "name")) }

// logObject is the ARN of a log file the trail writes for its own
// account.
func (m *Model) logObject() string { return m.logFile("", m.Env.Account) }

// memberLogObject is the ARN of a member account's log file that an
// organization trail writes for the organization org.
func (m *Model) memberLogObject(org string) string { return m.logFile(org, MemberAccount) }

// logFile is the ARN of a log file of account (in org's folder, for an
// organization trail) that the trail writes, under its prefix.
func (m *Model) logFile(org, account string) string {
	prefix := m.Attr(trail, "s3_key_prefix")
	if prefix == "<nil>" {
		prefix = ""
	}
	at := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	return m.Env.Bucket(m.Attr(logBucket, "bucket")) + "/" + layout.LogKey(prefix, org, account, m.Env.Region, at, "example")
}

// s3 is a request on the bucket at address (the object key, if any,
// appended to its ARN).
func (m *Model) s3(c iameval.Caller, action, bucket, object string, ctx Context) iameval.Request {
	resource := m.Env.Bucket(m.Attr(bucket, "bucket"))
	if object != "" {
		resource = object
	}
	return m.request(iameval.Request{Caller: c, Action: action, Resource: resource, Context: ctx, ResourceAccount: m.of(bucket).Env.Account, Kind: iameval.Union, ResourcePolicy: m.BucketPolicy(bucket)})
}

// kms is a request on the key at address.
func (m *Model) kms(c iameval.Caller, action, key string, ctx Context) iameval.Request {
	s := m.of(key)
	return m.request(iameval.Request{Caller: c, Action: action, Resource: s.Env.Key(key[len("aws_kms_key."):]), Context: ctx, ResourceAccount: s.Env.Account, Kind: iameval.KeyPolicy, ResourcePolicy: m.KeyPolicy(key)})
}

// sns is a request on the topic at address.
func (m *Model) sns(c iameval.Caller, action, topic string, ctx Context) iameval.Request {
	return m.request(iameval.Request{Caller: c, Action: action, Resource: m.ref(topic, "arn"), Context: ctx, ResourceAccount: m.of(topic).Env.Account, Kind: iameval.Union, ResourcePolicy: m.TopicPolicy(topic)})
}

// identityOnly is a request on a resource without a resource policy here,
// in the account its ARN names ("*" and an ARN without an account: the
// caller's).
func (m *Model) identityOnly(c iameval.Caller, action, resource string, ctx Context) iameval.Request {
	account := c.Account
	if parts := strings.SplitN(resource, ":", 6); len(parts) == 6 && parts[4] != "" {
		account = parts[4]
	}
	return m.request(iameval.Request{Caller: c, Action: action, Resource: resource, Context: ctx, ResourceAccount: account, Kind: iameval.IdentityOnly})
}

// assume is sts:AssumeRole of the role at address.
func (m *Model) assume(c iameval.Caller, role string, ctx Context) iameval.Request {
	return m.request(iameval.Request{Caller: c, Action: "sts:AssumeRole", Resource: m.ref(role, "arn"), Context: ctx, ResourceAccount: m.of(role).Env.Account, Kind: iameval.TrustPolicy, ResourcePolicy: m.TrustPolicy(role)})
}

// request is r with its caller's organization: Organization for a
// principal of one of the model's accounts or of MemberAccount, none for
// any other.
func (m *Model) request(r iameval.Request) iameval.Request {
	if a := r.Caller.Account; a != "" && (a == MemberAccount || slices.Contains(m.Accounts(), a)) {
		r.Caller.Organization = Organization
	}
	return r
}

// logsContext is the context of a KMS request CloudWatch Logs makes for
// the stack's log group.
func (m *Model) logsContext(viaCaller bool) Context {
	ctx := overTLS.with(Context{"kms:EncryptionContext:aws:logs:arn": {m.Env.LogGroup(m.Attr(logGroup, "name"))}})
	if viaCaller {
		ctx = ctx.with(Context{"kms:ViaService": {m.Env.Logs()}})
	}
	return ctx
}

// organizationWrite is the context of CloudTrail's write of an
// organization trail's log file: the trail, the organization it writes
// for, and the ACL.
func (m *Model) organizationWrite(trail, organization string) Context {
	return overTLS.with(Context{sourceArn: {trail}, policy.SourceOrgID: {organization}, policy.S3ACL: {"bucket-owner-full-control"}})
}

// trailFileContext is the context of S3's kms:Decrypt of a log file for
// its reader: through S3, with the CloudTrail encryption context.
func (m *Model) trailFileContext() Context {
	return signedIn.with(Context{
		"kms:ViaService": {m.Env.Regional("s3")},
		"kms:EncryptionContext:aws:cloudtrail:arn": {m.trailARN()},
	})
}

package access

import (
	"time"

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

// TrailARN is the ARN of the stack's trail.
func (m *Model) trailARN() string { return m.Env.Trail(m.Attr(trail, "name")) }

// logObject is the ARN of a log file the trail writes.
func (m *Model) logObject() string { return m.logFile("", Account) }

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
	return iameval.Request{Caller: c, Action: action, Resource: resource, Context: ctx, ResourceAccount: Account, Kind: iameval.Union, ResourcePolicy: m.BucketPolicy(bucket)}
}

// kms is a request on the key at address.
func (m *Model) kms(c iameval.Caller, action, key string, ctx Context) iameval.Request {
	b := key[len("aws_kms_key."):]
	return iameval.Request{Caller: c, Action: action, Resource: m.Env.Key(b), Context: ctx, ResourceAccount: Account, Kind: iameval.KeyPolicy, ResourcePolicy: m.KeyPolicy(key)}
}

// identityOnly is a request on a resource without a resource policy here.
func identityOnly(c iameval.Caller, action, resource string, ctx Context) iameval.Request {
	return iameval.Request{Caller: c, Action: action, Resource: resource, Context: ctx, ResourceAccount: Account, Kind: iameval.IdentityOnly}
}

// assume is sts:AssumeRole of the role at address.
func (m *Model) assume(c iameval.Caller, role string, ctx Context) iameval.Request {
	return iameval.Request{Caller: c, Action: "sts:AssumeRole", Resource: m.ref(role, "arn"), Context: ctx, ResourceAccount: Account, Kind: iameval.TrustPolicy, ResourcePolicy: m.TrustPolicy(role)}
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

// trailFileContext is the context of S3's kms:Decrypt of a log file for
// its reader: through S3, with the CloudTrail encryption context.
func (m *Model) trailFileContext() Context {
	return signedIn.with(Context{
		"kms:ViaService": {m.Env.Regional("s3")},
		"kms:EncryptionContext:aws:cloudtrail:arn": {m.trailARN()},
	})
}

// ref is the model's value of the computed attribute attr of the resource
// at address, or "".
func (m *Model) ref(address, attr string) string {
	v, _ := m.Value(address, attr)
	return v
}

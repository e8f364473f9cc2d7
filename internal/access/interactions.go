package access

import (
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/internal/iameval"
)

// Interaction is one cross-service call the stack relies on (or must
// refuse): who calls, what, with which request context, the decision AWS
// must reach, and the AWS page that documents the context keys of the
// call. Add a row whenever the stack relies on a new interaction.
type Interaction struct {
	Name string
	// Request builds the request from the model.
	Request func(m *Model) iameval.Request
	// Allowed is the decision the stack needs.
	Allowed bool
	// Keys says which context keys the source documents as present or
	// absent for this call.
	Keys string
	// Source is the URL of the AWS page that documents them.
	Source string
	// When is optional: whether the row applies to the stack (nil:
	// always).
	When func(m *Model) bool
	// Sent are the context keys that Source shows the calling service
	// sending on this very call (an AWS example statement for this
	// action with the key in its condition, or the page's words). A key
	// the request carries that is not listed is one the page is silent
	// about: a statement of the stack that tests it must then hold both
	// with and without it (ServiceCoverage checks both).
	Sent []string
}

// Applies reports whether the interaction applies to the stack of m.
func (in Interaction) Applies(m *Model) bool { return in.When == nil || in.When(m) }

// organizationTrail is the When of the rows of an organization trail.
func organizationTrail(m *Model) bool { return m.OrganizationTrail() }

// managementAuditRole is the When of the rows of an organization trail's
// audit role in the management account (one account, not the log-archive
// layout's security account).
func managementAuditRole(m *Model) bool {
	return m.OrganizationTrail() && sameAccount(auditRole, trail)(m)
}

// logArchive is the When of the rows of the log-archive layout.
func logArchive(m *Model) bool { return m.Layout() }

// all is the When of a row that holds where each of whens does.
func all(whens ...func(m *Model) bool) func(m *Model) bool {
	return func(m *Model) bool {
		for _, w := range whens {
			if !w(m) {
				return false
			}
		}
		return true
	}
}

// monitored is the When of the rows of the monitoring: its log group, its
// CloudWatch Logs role and key, its topic and the topic's key.
func monitored(m *Model) bool { _, _, ok := m.find(logGroup); return ok }

// The AWS pages the interactions rest on.
const (
	srcTrailBucket          = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html"
	srcTrailKey             = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html"
	srcTrailLogsRole        = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html"
	srcStreamNames          = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-log-group-log-stream-naming-for-cloudtrail.html"
	srcLogsKMS              = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html"
	srcAccessLogs           = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html"
	srcSNSPublishers        = "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html"
	srcSNSKMS               = "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"
	srcMFA                  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent"
	srcTLS                  = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html"
	srcKeyPolicy            = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
	srcKeyPolicies          = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html"
	srcPrincipalArn         = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn"
	srcOrgLogFiles          = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html"
	srcValidateLogs         = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-cli.html"
	srcS3Actions            = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html"
	srcKMSActions           = "https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html"
	srcPutKeyPolicy         = "https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html"
	srcLogsActions          = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html"
	srcIAMActions           = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html"
	srcSNSActions           = "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html"
	srcDescribeOrganization = "https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html"
	srcListAccounts         = "https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html"
	srcListRegions          = "https://docs.aws.amazon.com/accounts/latest/reference/API_ListRegions.html"
	srcCrossAccountKMS      = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html"
	srcCrossAccountS3       = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example2.html"
	srcPrincipalOrgID       = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid"
	srcControlTowerBucket   = "https://docs.aws.amazon.com/controltower/latest/userguide/logging-s3-audit-bucket.html"
)

// The source keys, as IAM spells them.
const (
	sourceArn     = policy.SourceArn
	sourceAccount = policy.SourceAccount
)

// The context keys of the rows of the break-glass principal and of the
// root user.
const (
	breakGlassKeys = "aws:PrincipalArn = the break-glass principal (arn:aws:iam::<account>:root for the root user)"
	rootKeys       = "aws:PrincipalArn = arn:aws:iam::<account>:root, which breakGlassPrincipals leaves out"
)

// rootOf is the root user of the account that holds the resource at
// address.
func (m *Model) root(address string) iameval.Caller { return rootOf(m.of(address).Env.Account) }

// rootNotBreakGlass is the When of the rows of the root user of the
// account that holds the resource at address, when the break-glass
// principals of its stack leave it out.
func rootNotBreakGlass(address string) func(m *Model) bool {
	return func(m *Model) bool {
		s := m.of(address)
		return !slices.ContainsFunc(m.operators(s), func(o Operator) bool {
			return o.Role == RoleBreakGlass && o.Caller.ARN == envOf(s.Env.Account).Root()
		})
	}
}

// sameAccount is the When of a row that holds where the resources at a
// and b share an account: verify's reads of the management account's
// resources by the audit role, which the log-archive layout keeps in the
// security account (verify reads each account as its own).
func sameAccount(a, b string) func(m *Model) bool {
	return func(m *Model) bool { return m.of(a).Env.Account == m.of(b).Env.Account }
}

// writer is the CloudWatch Logs role CloudTrail assumes.
func (m *Model) writer() iameval.Caller {
	return iameval.Caller{ARN: m.ref(writerRole, "arn"), Account: m.of(writerRole).Env.Account, Identity: m.RolePolicies(writerRole)}
}

// service is a caller that is an AWS service with its own credentials.
func service(name string) iameval.Caller { return iameval.Caller{Service: name} }

// denyReads is the address of the policy that denies reading the log
// group to the groups and roles it is attached to (the one-account
// layout's, where the audit users and the log group share the account).
const denyReads = "aws_iam_policy.deny_log_reads"

// deniesReads is the When of the rows of the deny-reads policy.
func deniesReads(m *Model) bool { _, _, ok := m.find(denyReads); return ok }

// DeniedReads is an administrator (AdministratorAccess) of a group or
// role the stack's deny-reads policy is attached to.
func (m *Model) DeniedReads() iameval.Caller {
	s, b, ok := m.find(denyReads)
	c := administratorOf(s.Env.Account)
	if ok {
		if p := s.policy(m.name(s, b.Address), b.Attrs["policy"]); p != nil {
			c.Identity = append(c.Identity, *p)
		}
	}
	return c
}

// The personas the interactions use.
const (
	pAdmin      = "administrator (AdministratorAccess)"
	pDeployer   = "deployer (applies reviewed changes)"
	pBreakGlass = "break-glass principal"
	pOther      = "administrator of another account"
)

// Interactions are every cross-service call the audit stack relies on, and
// the calls it must refuse.
var Interactions = []Interaction{
	{"CloudTrail checks the bucket ACL", func(m *Model) iameval.Request {
		return m.s3(service("cloudtrail.amazonaws.com"), "s3:GetBucketAcl", logBucket, "", overTLS.with(Context{"aws:SourceArn": {m.trailARN()}}))
	}, true, "aws:SourceArn = the trail", srcTrailBucket, nil, []string{sourceArn}},
	{"CloudTrail writes a log file", func(m *Model) iameval.Request {
		return m.s3(service("cloudtrail.amazonaws.com"), "s3:PutObject", logBucket, m.logObject(), overTLS.with(Context{"aws:SourceArn": {m.trailARN()}, "s3:x-amz-acl": {"bucket-owner-full-control"}}))
	}, true, "aws:SourceArn = the trail; s3:x-amz-acl = bucket-owner-full-control", srcTrailBucket, nil, []string{sourceArn, policy.S3ACL}},
	{"another trail writes to the bucket", func(m *Model) iameval.Request {
		return m.s3(service("cloudtrail.amazonaws.com"), "s3:PutObject", logBucket, m.logObject(), overTLS.with(Context{"aws:SourceArn": {m.Env.Trail("someone-elses")}, "s3:x-amz-acl": {"bucket-owner-full-control"}}))
	}, false, "aws:SourceArn = another trail", srcTrailBucket, nil, nil},
	{"CloudTrail encrypts a log file", func(m *Model) iameval.Request {
		return m.kms(service("cloudtrail.amazonaws.com"), "kms:GenerateDataKey", trailKey, overTLS.with(Context{"aws:SourceArn": {m.trailARN()}, "kms:EncryptionContext:aws:cloudtrail:arn": {m.trailARN()}}))
	}, true, "aws:SourceArn and the encryption context aws:cloudtrail:arn = the trail", srcTrailKey, nil, []string{sourceArn, policy.TrailContext}},
	{"CloudTrail describes the key", func(m *Model) iameval.Request {
		return m.kms(service("cloudtrail.amazonaws.com"), "kms:DescribeKey", trailKey, overTLS.with(Context{"aws:SourceArn": {m.trailARN()}}))
	}, true, "aws:SourceArn = the trail (the guide's statement for DescribeKey has it)", srcTrailKey, nil, []string{sourceArn}},
	// CloudTrail's kms:Decrypt when it creates or updates a trail on a
	// bucket with an S3 Bucket Key: the guide's statement for it has no
	// condition and no page shows which keys the call carries, so the
	// key must allow it both ways.
	{"CloudTrail decrypts to create the trail (S3 Bucket Key), with source keys", func(m *Model) iameval.Request {
		return m.kms(service("cloudtrail.amazonaws.com"), "kms:Decrypt", trailKey, overTLS.with(Context{sourceArn: {m.trailARN()}, sourceAccount: {m.Env.Account}}))
	}, true, "aws:SourceArn = the trail, aws:SourceAccount = the account, if CloudTrail sends them (no page shows it)", srcTrailKey, nil, nil},
	{"CloudTrail decrypts to create the trail (S3 Bucket Key), without source keys", func(m *Model) iameval.Request {
		return m.kms(service("cloudtrail.amazonaws.com"), "kms:Decrypt", trailKey, overTLS)
	}, true, "none, if CloudTrail sends none (the guide's example statement has no condition)", srcTrailKey, nil, nil},
	{"CloudTrail decrypts for another account's trail", func(m *Model) iameval.Request {
		other := m.another().Trail(m.Attr(trail, "name"))
		return m.kms(service("cloudtrail.amazonaws.com"), "kms:Decrypt", trailKey, overTLS.with(Context{sourceArn: {other}, sourceAccount: {m.other}}))
	}, false, "aws:SourceArn and aws:SourceAccount of another account, when present", srcTrailKey, nil, nil},
	{"CloudTrail decrypts, sending only another account", func(m *Model) iameval.Request {
		return m.kms(service("cloudtrail.amazonaws.com"), "kms:Decrypt", trailKey, overTLS.with(Context{sourceAccount: {m.other}}))
	}, false, "aws:SourceAccount = another account, without aws:SourceArn", srcTrailKey, nil, nil},
	{"CloudTrail assumes the CloudWatch Logs role", func(m *Model) iameval.Request {
		return m.assume(service("cloudtrail.amazonaws.com"), writerRole, overTLS)
	}, true, "no aws:SourceArn, no aws:SourceAccount (the role policy does not support them)", srcTrailLogsRole, monitored, nil},
	{"the CloudWatch Logs role puts events in its stream", func(m *Model) iameval.Request {
		stream := m.Env.LogGroup(m.Attr(logGroup, "name")) + ":log-stream:" + m.Env.Account + "_CloudTrail_eu-west-1"
		return m.identityOnly(m.writer(), "logs:PutLogEvents", stream, overTLS)
	}, true, "streams named <account>_CloudTrail_<source region>", srcStreamNames, monitored, nil},
	{"CloudWatch Logs encrypts as a service", func(m *Model) iameval.Request {
		return m.kms(service(m.Env.Logs()), "kms:GenerateDataKey", logsKey, m.logsContext(false))
	}, true, "encryption context aws:logs:arn = the log group", srcLogsKMS, monitored, []string{policy.LogGroupContext}},
	{"CloudWatch Logs decrypts as a service", func(m *Model) iameval.Request {
		return m.kms(service(m.Env.Logs()), "kms:Decrypt", logsKey, m.logsContext(false))
	}, true, "encryption context aws:logs:arn = the log group", srcLogsKMS, monitored, []string{policy.LogGroupContext}},
	{"an administrator creates the log group (Logs for the caller)", func(m *Model) iameval.Request {
		return m.kms(m.admin(logsKey), "kms:Encrypt", logsKey, signedIn.with(m.logsContext(true)))
	}, true, "kms:ViaService = logs.<region>; encryption context aws:logs:arn", srcLogsKMS, monitored, nil},
	{"the CloudWatch Logs role writes (Logs for the caller)", func(m *Model) iameval.Request {
		c := m.writer()
		return m.kms(c, "kms:GenerateDataKey", logsKey, m.logsContext(true))
	}, true, "kms:ViaService = logs.<region>; encryption context aws:logs:arn", srcLogsKMS, monitored, nil},
	{"the audit role reads the log group (Logs for the caller)", func(m *Model) iameval.Request {
		return m.kms(m.auditRole(), "kms:Decrypt", logsKey, signedIn.with(m.logsContext(true)))
	}, true, "kms:ViaService = logs.<region>; encryption context aws:logs:arn", srcLogsKMS, all(sameAccount(auditRole, logGroup), monitored), nil},
	{"an administrator reads the log group (Logs for the caller)", func(m *Model) iameval.Request {
		return m.kms(m.admin(logsKey), "kms:Decrypt", logsKey, signedIn.with(m.logsContext(true)))
	}, false, "kms:ViaService = logs.<region>; encryption context aws:logs:arn", srcLogsKMS, monitored, nil},
	{"S3 writes the log bucket's access logs", func(m *Model) iameval.Request {
		object := m.Env.Bucket(m.Attr(accessLogBucket, "bucket")) + "/" + m.Attr(logBucket, "bucket") + "/2026-11-29-00-00-00-EXAMPLE"
		return m.s3(service("logging.s3.amazonaws.com"), "s3:PutObject", accessLogBucket, object, overTLS.with(Context{"aws:SourceArn": {m.Env.Bucket(m.Attr(logBucket, "bucket"))}, "aws:SourceAccount": {m.of(logBucket).Env.Account}}))
	}, true, "aws:SourceArn = the source bucket; aws:SourceAccount", srcAccessLogs, nil, []string{sourceArn, sourceAccount}},
	{"CloudWatch publishes an alarm", func(m *Model) iameval.Request {
		return m.sns(service("cloudwatch.amazonaws.com"), "sns:Publish", topic, overTLS.with(Context{"aws:SourceArn": {m.Env.Alarm("cis-4.3-root-account-usage")}, "aws:SourceAccount": {m.Env.Account}}))
	}, true, "aws:SourceArn = the alarm (the guide's example for a CloudWatch alarm); aws:SourceAccount (CloudWatch is among the services it names as sending it)", srcSNSPublishers, monitored, []string{sourceArn, sourceAccount}},
	{"CloudWatch encrypts the notification, without source keys", func(m *Model) iameval.Request {
		return m.kms(service("cloudwatch.amazonaws.com"), "kms:GenerateDataKey", topicKey, overTLS)
	}, true, "no page says which keys CloudWatch sends to KMS: the key allows both", srcSNSKMS, monitored, nil},
	{"CloudWatch encrypts the notification, with this account's alarm as source", func(m *Model) iameval.Request {
		return m.kms(service("cloudwatch.amazonaws.com"), "kms:GenerateDataKey", topicKey, overTLS.with(Context{sourceArn: {m.Env.Alarm("cis-4.3-root-account-usage")}, sourceAccount: {m.Env.Account}}))
	}, true, "no page says which keys CloudWatch sends to KMS: the key allows both", srcSNSKMS, monitored, nil},
	{"CloudWatch of another account uses the topic key", func(m *Model) iameval.Request {
		return m.kms(service("cloudwatch.amazonaws.com"), "kms:GenerateDataKey", topicKey, overTLS.with(Context{"aws:SourceAccount": {m.other}}))
	}, false, "aws:SourceAccount = another account, when present", srcSNSKMS, monitored, nil},
	{"the audit role decrypts a log file through S3", func(m *Model) iameval.Request {
		return m.kms(m.auditRole(), "kms:Decrypt", trailKey, m.trailFileContext())
	}, true, "kms:ViaService = s3.<region>; encryption context aws:cloudtrail:arn", srcTrailKey, nil, nil},
	{"an administrator decrypts a log file", func(m *Model) iameval.Request {
		return m.kms(m.admin(trailKey), "kms:Decrypt", trailKey, m.trailFileContext())
	}, false, "the key policy names the audit role only", srcKeyPolicy, nil, nil},
	{"an audit group member assumes the audit role with MFA", func(m *Model) iameval.Request {
		return m.assume(m.member(), auditRole, signedIn)
	}, true, "aws:MultiFactorAuthPresent = true", srcMFA, nil, nil},
	{"an audit group member assumes the audit role without MFA", func(m *Model) iameval.Request {
		return m.assume(m.member(), auditRole, overTLS.with(Context{"aws:MultiFactorAuthPresent": {"false"}}))
	}, false, "aws:MultiFactorAuthPresent = false (absent for long-term keys)", srcMFA, nil, nil},
	{"an administrator assumes the audit role", func(m *Model) iameval.Request {
		return m.assume(m.admin(auditRole), auditRole, signedIn)
	}, false, "aws:PrincipalArn is not an audit user", srcMFA, nil, nil},
	{"an administrator deletes a log file version", func(m *Model) iameval.Request {
		return m.s3(m.admin(logBucket), "s3:DeleteObjectVersion", logBucket, m.logObject(), signedIn)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcPrincipalArn, nil, nil},
	{"an administrator turns versioning off", func(m *Model) iameval.Request {
		return m.s3(m.admin(logBucket), "s3:PutBucketVersioning", logBucket, "", signedIn)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcPrincipalArn, nil, nil},
	// Only the break-glass principals may destroy evidence: the first
	// one the bucket policies name (the root user by default), and the
	// root user not when breakGlassPrincipals leaves it out.
	{"the break-glass principal deletes a log file version", func(m *Model) iameval.Request {
		return m.s3(m.breakGlass(logBucket), "s3:DeleteObjectVersion", logBucket, m.logObject(), signedIn)
	}, true, breakGlassKeys, srcPrincipalArn, nil, nil},
	{"the root user, not a break-glass principal, deletes a log file version", func(m *Model) iameval.Request {
		return m.s3(m.root(logBucket), "s3:DeleteObjectVersion", logBucket, m.logObject(), signedIn)
	}, false, rootKeys, srcPrincipalArn, rootNotBreakGlass(logBucket), nil},
	// Disabling a key or scheduling its deletion makes everything it
	// encrypted unreadable: each key denies both to all but the
	// break-glass principals, administrators included ("No AWS principal,
	// including the account root user [...] has any permissions to a KMS
	// key unless they are explicitly allowed, and never denied, in a key
	// policy", srcKeyPolicies), and leaves PutKeyPolicy to the account.
	{"an administrator disables the trail key", func(m *Model) iameval.Request {
		return m.kms(m.admin(trailKey), "kms:DisableKey", trailKey, signedIn)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcKeyPolicies, nil, nil},
	{"an administrator schedules the trail key's deletion", func(m *Model) iameval.Request {
		return m.kms(m.admin(trailKey), "kms:ScheduleKeyDeletion", trailKey, signedIn)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcKeyPolicies, nil, nil},
	{"an administrator schedules the Logs key's deletion", func(m *Model) iameval.Request {
		return m.kms(m.admin(logsKey), "kms:ScheduleKeyDeletion", logsKey, signedIn)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcKeyPolicies, monitored, nil},
	{"an administrator disables the alarm topic's key (silencing the alarms)", func(m *Model) iameval.Request {
		return m.kms(m.admin(topicKey), "kms:DisableKey", topicKey, signedIn)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcKeyPolicies, monitored, nil},
	{"the break-glass principal schedules the trail key's deletion", func(m *Model) iameval.Request {
		return m.kms(m.breakGlass(trailKey), "kms:ScheduleKeyDeletion", trailKey, signedIn)
	}, true, breakGlassKeys, srcPrincipalArn, nil, nil},
	{"the root user, not a break-glass principal, schedules the trail key's deletion", func(m *Model) iameval.Request {
		return m.kms(m.root(trailKey), "kms:ScheduleKeyDeletion", trailKey, signedIn)
	}, false, rootKeys, srcPrincipalArn, rootNotBreakGlass(trailKey), nil},
	// The key policy itself is protection: only the operators may change
	// it, and KMS's lockout safety check ("The key policy must allow the
	// calling principal to make a subsequent PutKeyPolicy request",
	// srcPutKeyPolicy) holds for them.
	{"an administrator changes the trail key's policy", func(m *Model) iameval.Request {
		return m.kms(m.admin(trailKey), "kms:PutKeyPolicy", trailKey, signedIn)
	}, false, "aws:PrincipalArn is not an operator", srcKeyPolicies, nil, nil},
	{"the deployer changes the trail key's policy", func(m *Model) iameval.Request {
		return m.kms(m.deployer(trailKey), "kms:PutKeyPolicy", trailKey, overTLS)
	}, true, "aws:PrincipalArn = a deployer", srcPutKeyPolicy, nil, nil},
	{"the deployer changes the alarm topic key's policy", func(m *Model) iameval.Request {
		return m.kms(m.deployer(topicKey), "kms:PutKeyPolicy", topicKey, overTLS)
	}, true, "aws:PrincipalArn = a deployer", srcPutKeyPolicy, monitored, nil},
	{"the deployer schedules the trail key's deletion", func(m *Model) iameval.Request {
		return m.kms(m.deployer(trailKey), "kms:ScheduleKeyDeletion", trailKey, overTLS)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcKeyPolicies, nil, nil},
	{"the deployer disables the Logs key", func(m *Model) iameval.Request {
		return m.kms(m.deployer(logsKey), "kms:DisableKey", logsKey, overTLS)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcKeyPolicies, monitored, nil},
	// What a deployer applies to the buckets (each the S3 action of the
	// provider's call, srcS3Actions), and what it may not do.
	{"the deployer changes the log bucket's policy", func(m *Model) iameval.Request {
		return m.s3(m.deployer(logBucket), "s3:PutBucketPolicy", logBucket, "", overTLS)
	}, true, "aws:PrincipalArn = a deployer", srcPrincipalArn, nil, nil},
	{"the deployer changes the log bucket's lifecycle", func(m *Model) iameval.Request {
		return m.s3(m.deployer(logBucket), "s3:PutLifecycleConfiguration", logBucket, "", overTLS)
	}, true, "aws:PrincipalArn = a deployer", srcPrincipalArn, nil, nil},
	{"the deployer changes the log bucket's Object Lock", func(m *Model) iameval.Request {
		return m.s3(m.deployer(logBucket), "s3:PutBucketObjectLockConfiguration", logBucket, "", overTLS)
	}, true, "aws:PrincipalArn = a deployer", srcPrincipalArn, nil, nil},
	{"the deployer changes the access-log bucket's policy", func(m *Model) iameval.Request {
		return m.s3(m.deployer(accessLogBucket), "s3:PutBucketPolicy", accessLogBucket, "", overTLS)
	}, true, "aws:PrincipalArn = a deployer", srcPrincipalArn, nil, nil},
	{"the deployer deletes a log file version", func(m *Model) iameval.Request {
		return m.s3(m.deployer(logBucket), "s3:DeleteObjectVersion", logBucket, m.logObject(), overTLS)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcPrincipalArn, nil, nil},
	{"the deployer bypasses governance retention", func(m *Model) iameval.Request {
		return m.s3(m.deployer(logBucket), "s3:BypassGovernanceRetention", logBucket, m.logObject(), overTLS)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcPrincipalArn, nil, nil},
	{"the deployer deletes the log bucket's policy", func(m *Model) iameval.Request {
		return m.s3(m.deployer(logBucket), "s3:DeleteBucketPolicy", logBucket, "", overTLS)
	}, false, "aws:PrincipalArn is not a break-glass principal", srcPrincipalArn, nil, nil},
	{"an administrator changes the log bucket's lifecycle", func(m *Model) iameval.Request {
		return m.s3(m.admin(logBucket), "s3:PutLifecycleConfiguration", logBucket, "", signedIn)
	}, false, "aws:PrincipalArn is not an operator", srcPrincipalArn, nil, nil},
	{"an administrator changes the log bucket's policy", func(m *Model) iameval.Request {
		return m.s3(m.admin(logBucket), "s3:PutBucketPolicy", logBucket, "", signedIn)
	}, false, "aws:PrincipalArn is not an operator", srcPrincipalArn, nil, nil},
	// Copying the log group out is a read: the deny-reads policy (for
	// the groups and roles it is attached to) refuses an export and a
	// subscription filter as it refuses reading (srcLogsActions: both
	// are authorized on the log group).
	{"an administrator under the deny-reads policy streams the log group out (subscription filter)", func(m *Model) iameval.Request {
		return m.identityOnly(m.DeniedReads(), "logs:PutSubscriptionFilter", m.Env.LogGroup(m.Attr(logGroup, "name")), signedIn)
	}, false, "none: the deny-reads policy names the log group", srcLogsActions, deniesReads, nil},
	{"an administrator under the deny-reads policy exports the log group", func(m *Model) iameval.Request {
		return m.identityOnly(m.DeniedReads(), "logs:CreateExportTask", m.Env.LogGroup(m.Attr(logGroup, "name")), signedIn)
	}, false, "none: the deny-reads policy names the log group", srcLogsActions, deniesReads, nil},
	{"anyone reads a log file over plain HTTP", func(m *Model) iameval.Request {
		return m.s3(m.auditRole(), "s3:GetObject", logBucket, m.logObject(), Context{"aws:SecureTransport": {"false"}, "aws:MultiFactorAuthPresent": {"true"}})
	}, false, "aws:SecureTransport = false", srcTLS, nil, nil},
	{"another account reads a log file", func(m *Model) iameval.Request {
		return m.s3(m.outsider(), "s3:GetObject", logBucket, m.logObject(), signedIn)
	}, false, "a principal of another account", srcTrailBucket, nil, nil},
	// validate-logs runs as the audit role: "The role executing the
	// command must have permissions to call ListObjects, GetObject, and
	// GetBucketLocation for each S3 bucket referenced by the trail"
	// (srcValidateLogs), and CloudTrail's ListPublicKeys.
	{"the audit role lists the log bucket (validate-logs)", func(m *Model) iameval.Request {
		return m.s3(m.auditRole(), "s3:ListBucket", logBucket, "", signedIn)
	}, true, "aws:MultiFactorAuthPresent (the role's session); aws:SecureTransport", srcValidateLogs, nil, nil},
	{"the audit role reads a digest file (validate-logs)", func(m *Model) iameval.Request {
		digest := strings.Replace(m.logObject(), "/CloudTrail/", "/CloudTrail-Digest/", 1)
		return m.s3(m.auditRole(), "s3:GetObject", logBucket, digest, signedIn)
	}, true, "aws:SecureTransport", srcValidateLogs, nil, nil},
	{"the audit role lists CloudTrail's public keys (validate-logs)", func(m *Model) iameval.Request {
		return m.identityOnly(m.auditRole(), "cloudtrail:ListPublicKeys", "*", signedIn)
	}, true, "none: ListPublicKeys has no resource or condition keys", srcValidateLogs, nil, nil},
	{"the audit role lists the account's enabled regions (validate-logs)", func(m *Model) iameval.Request {
		return m.identityOnly(m.auditRole(), "account:ListRegions", "*", signedIn)
	}, true, "none: ListRegions' resource types are optional", srcListRegions, nil, nil},
	// verify runs as the audit role too: it reads the configuration it
	// compares (each API's IAM action, srcS3Actions, srcKMSActions,
	// srcIAMActions, srcSNSActions) and can change none of it.
	{"the audit role reads the log bucket's policy and settings (verify)", func(m *Model) iameval.Request {
		return m.s3(m.auditRole(), "s3:GetBucketPolicy", logBucket, "", signedIn)
	}, true, "aws:SecureTransport", srcS3Actions, sameAccount(auditRole, logBucket), nil},
	{"the audit role reads the trail key's policy (verify)", func(m *Model) iameval.Request {
		return m.kms(m.auditRole(), "kms:GetKeyPolicy", trailKey, signedIn)
	}, true, "none: the key policy delegates to the role's IAM policy", srcKMSActions, sameAccount(auditRole, trailKey), nil},
	{"the audit role reads the Logs key's policy (verify)", func(m *Model) iameval.Request {
		return m.kms(m.auditRole(), "kms:GetKeyPolicy", logsKey, signedIn)
	}, true, "none: the key policy delegates to the role's IAM policy", srcKMSActions, all(sameAccount(auditRole, logsKey), monitored), nil},
	{"the audit role reads its own inline policies (verify)", func(m *Model) iameval.Request {
		return m.identityOnly(m.auditRole(), "iam:GetRolePolicy", m.ref(auditRole, "arn"), signedIn)
	}, true, "none", srcIAMActions, nil, nil},
	{"the audit role reads the audit group's members (verify)", func(m *Model) iameval.Request {
		return m.identityOnly(m.auditRole(), "iam:GetGroup", m.ref(auditGroup, "arn"), signedIn)
	}, true, "none", srcIAMActions, nil, nil},
	{"the audit role reads the alarm topic's policy (verify)", func(m *Model) iameval.Request {
		return m.sns(m.auditRole(), "sns:GetTopicAttributes", topic, signedIn)
	}, true, "none", srcSNSActions, all(sameAccount(auditRole, topic), monitored), nil},
	{"the audit role lists an auditor's own policies (verify)", func(m *Model) iameval.Request {
		return m.identityOnly(m.auditRole(), "iam:ListAttachedUserPolicies", m.ref(m.First("aws_iam_user"), "arn"), signedIn)
	}, true, "none", srcIAMActions, nil, nil},
	{"the audit role reads the deny policy's default version (verify)", func(m *Model) iameval.Request {
		return m.identityOnly(m.auditRole(), "iam:GetPolicyVersion", m.ref(denyReads, "arn"), signedIn)
	}, true, "none", srcIAMActions, deniesReads, nil},
	{"the audit role reads the trail key's rotation (verify)", func(m *Model) iameval.Request {
		return m.kms(m.auditRole(), "kms:GetKeyRotationStatus", trailKey, signedIn)
	}, true, "none: the key policy delegates to the role's IAM policy", srcKMSActions, sameAccount(auditRole, trailKey), nil},
	{"the audit role changes the trail key's policy", func(m *Model) iameval.Request {
		return m.kms(m.auditRole(), "kms:PutKeyPolicy", trailKey, signedIn)
	}, false, "none: no policy allows it to the role", srcKMSActions, nil, nil},
	{"the audit role changes its own trust policy", func(m *Model) iameval.Request {
		return m.identityOnly(m.auditRole(), "iam:UpdateAssumeRolePolicy", m.ref(auditRole, "arn"), signedIn)
	}, false, "none: no policy allows it to the role", srcIAMActions, nil, nil},
	// An organization trail (organizationTrail): CloudTrail writes every
	// account's files under AWSLogs/<organization ID>/<account ID>/
	// (srcOrgLogFiles), on behalf of the management account's trail.
	// The organization's write names the trail (CloudTrail's page) and
	// the organization (Control Tower's log archive bucket policy, the
	// same call with aws:SourceOrgID as its condition): one request,
	// each key shown by one page.
	{"CloudTrail writes a member account's log file (organization trail)", func(m *Model) iameval.Request {
		return m.s3(service("cloudtrail.amazonaws.com"), "s3:PutObject", logBucket, m.memberLogObject(Organization), m.organizationWrite(m.trailARN(), Organization))
	}, true, "aws:SourceArn = the management account's trail; s3:x-amz-acl = bucket-owner-full-control; aws:SourceOrgID = the organization", srcTrailBucket, organizationTrail, []string{sourceArn, policy.S3ACL}},
	{"CloudTrail writes a member account's log file for the organization (organization trail)", func(m *Model) iameval.Request {
		return m.s3(service("cloudtrail.amazonaws.com"), "s3:PutObject", logBucket, m.memberLogObject(Organization), m.organizationWrite(m.trailARN(), Organization))
	}, true, "aws:SourceOrgID = the organization (Control Tower's statement for this call)", srcControlTowerBucket, organizationTrail, []string{policy.SourceOrgID, policy.S3ACL}},
	{"another organization's trail writes under this organization's folder", func(m *Model) iameval.Request {
		other := m.another().Trail(m.Attr(trail, "name"))
		return m.s3(service("cloudtrail.amazonaws.com"), "s3:PutObject", logBucket, m.memberLogObject(Organization), m.organizationWrite(other, OtherOrganization))
	}, false, "aws:SourceArn = a trail of another management account; aws:SourceOrgID = its organization", srcTrailBucket, organizationTrail, nil},
	{"CloudTrail writes for another organization, naming this trail", func(m *Model) iameval.Request {
		return m.s3(service("cloudtrail.amazonaws.com"), "s3:PutObject", logBucket, m.memberLogObject(Organization), m.organizationWrite(m.trailARN(), OtherOrganization))
	}, false, "aws:SourceOrgID = another organization", srcControlTowerBucket, organizationTrail, nil},
	{"the trail writes another organization's folder", func(m *Model) iameval.Request {
		return m.s3(service("cloudtrail.amazonaws.com"), "s3:PutObject", logBucket, m.memberLogObject(OtherOrganization), overTLS.with(Context{"aws:SourceArn": {m.trailARN()}, "s3:x-amz-acl": {"bucket-owner-full-control"}}))
	}, false, "the object key names another organization", srcTrailBucket, organizationTrail, nil},
	{"the audit role reads its organization's ID (verify, validate-logs)", func(m *Model) iameval.Request {
		return m.identityOnly(m.auditRole(), "organizations:DescribeOrganization", "*", signedIn)
	}, true, "none: DescribeOrganization has no resource type", srcDescribeOrganization, organizationTrail, nil},
	{"the audit role lists the organization's accounts (validate-logs)", func(m *Model) iameval.Request {
		return m.identityOnly(m.auditRole(), "organizations:ListAccounts", "*", signedIn)
	}, true, "none: ListAccounts has no resource type; only the management account (or a delegated administrator) may call it, so the log-archive layout's audit role does not", srcListAccounts, managementAuditRole, nil},
	{"CloudTrail encrypts a member account's log file (organization trail)", func(m *Model) iameval.Request {
		// The context is the trail's ARN, which is the management
		// account's in every member account ("Creating a trail for an
		// organization").
		return m.kms(service("cloudtrail.amazonaws.com"), "kms:GenerateDataKey", trailKey, overTLS.with(Context{"aws:SourceArn": {m.trailARN()}, "kms:EncryptionContext:aws:cloudtrail:arn": {m.trailARN()}}))
	}, true, "aws:SourceArn and the encryption context aws:cloudtrail:arn = the management account's trail", srcTrailKey, organizationTrail, []string{sourceArn, policy.TrailContext}},
	{"the CloudWatch Logs role puts a member account's events in its stream", func(m *Model) iameval.Request {
		stream := m.Env.LogGroup(m.Attr(logGroup, "name")) + ":log-stream:" + Organization + "_" + MemberAccount + "_CloudTrail_eu-west-1"
		return m.identityOnly(m.writer(), "logs:PutLogEvents", stream, overTLS)
	}, true, "streams named <organization ID>_* (the guide's organization role policy)", srcTrailLogsRole, all(organizationTrail, monitored), nil},
	// The log-archive layout: the evidence is out of the management
	// account's reach, and the audit role reads it across accounts, which
	// needs both the resource's policy and the role's own ("Neither the
	// key policy nor the IAM policy alone is sufficient", srcCrossAccountKMS;
	// srcCrossAccountS3).
	{"an administrator of the management account reads a log file", func(m *Model) iameval.Request {
		return m.s3(administratorOf(m.Env.Account), "s3:GetObject", logBucket, m.logObject(), signedIn)
	}, false, "aws:PrincipalAccount = the management account, which the log bucket's policy does not name", srcCrossAccountS3, logArchive, nil},
	{"an administrator of the management account deletes a log file version", func(m *Model) iameval.Request {
		return m.s3(administratorOf(m.Env.Account), "s3:DeleteObjectVersion", logBucket, m.logObject(), signedIn)
	}, false, "aws:PrincipalAccount = the management account, which the log bucket's policy does not name", srcCrossAccountS3, logArchive, nil},
	{"an administrator of the management account decrypts a log file", func(m *Model) iameval.Request {
		return m.kms(administratorOf(m.Env.Account), "kms:Decrypt", trailKey, m.trailFileContext())
	}, false, "the key policy names the audit role only", srcCrossAccountKMS, logArchive, nil},
	{"an administrator of the log-archive account decrypts a log file", func(m *Model) iameval.Request {
		return m.kms(m.admin(logBucket), "kms:Decrypt", trailKey, m.trailFileContext())
	}, false, "the key policy names the audit role only", srcCrossAccountKMS, logArchive, nil},
	{"the audit role reads a log file in the log-archive account", func(m *Model) iameval.Request {
		return m.s3(m.auditRole(), "s3:GetObject", logBucket, m.logObject(), signedIn)
	}, true, "aws:PrincipalArn = the audit role, in the bucket policy and the role's policy", srcCrossAccountS3, logArchive, nil},
	{"an administrator of the security account reads a log file", func(m *Model) iameval.Request {
		return m.s3(m.admin(auditRole), "s3:GetObject", logBucket, m.logObject(), signedIn)
	}, false, "aws:PrincipalArn is not the audit role", srcCrossAccountS3, logArchive, nil},
	{"a principal of another organization's account reads a log file", func(m *Model) iameval.Request {
		return m.s3(m.outsider(), "s3:GetObject", logBucket, m.logObject(), signedIn)
	}, false, "aws:PrincipalOrgID absent or another organization's", srcPrincipalOrgID, logArchive, nil},
}

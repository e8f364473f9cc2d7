package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/cmk"
	"github.com/cle2wa/audit-trail/constructs/identitycenter"
	"github.com/cle2wa/audit-trail/constructs/monitoring"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/retention"
	"github.com/cle2wa/audit-trail/constructs/trail"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// noTrail is why the CloudTrail controls fail when no stack has a trail.
const noTrail = "no aws_cloudtrail in the stacks"

// MinLogDays is the shortest time this pack accepts audit evidence to be
// kept, in S3 and in CloudWatch Logs.
const MinLogDays = retention.MinDays

// Pack is every check, in the order the report lists them: the blocking
// ones, then those that only inform the report.
var Pack = slices.Concat([]*Check{
	{ID: "TRAIL-MULTI-REGION", Description: "every trail records all regions (is_multi_region_trail)", Blocking: true,
		Controls: []*Control{CIS31, HubCloudTrail1}, Subject: "aws_cloudtrail", Missing: noTrail,
		run: trailFlag("is_multi_region_trail", "records every region", "the trail must record every region (is_multi_region_trail = true)")},
	{ID: "TRAIL-GLOBAL-EVENTS", Description: "every trail records global service events such as IAM", Blocking: true,
		Subject: "aws_cloudtrail",
		run:     trailFlag("include_global_service_events", "records global service events", "the trail must record global service events (include_global_service_events = true)")},
	{ID: "TRAIL-LOG-VALIDATION", Description: "every trail validates its log files (digest files)", Blocking: true,
		Controls: []*Control{CIS32, HubCloudTrail4}, Subject: "aws_cloudtrail", Missing: noTrail,
		run: trailFlag("enable_log_file_validation", "enable_log_file_validation = true", "the trail must validate its log files (enable_log_file_validation = true)")},
	{ID: "TRAIL-LOGGING", Description: "every trail is logging", Blocking: true,
		Controls: []*Control{CIS31, HubCloudTrail1}, Subject: "aws_cloudtrail", Missing: noTrail, run: trailLogging},
	{ID: "TRAIL-KMS", Description: "every trail encrypts its log files with a customer-managed KMS key of the stack", Blocking: true,
		Controls: []*Control{CIS35, HubCloudTrail2}, Subject: "aws_cloudtrail", Missing: noTrail, run: trailKMS},
	{ID: "TRAIL-MANAGEMENT-EVENTS", Description: "every trail records all read and write management events", Blocking: true,
		Controls: []*Control{CIS31, HubCloudTrail1}, Subject: "aws_cloudtrail", Missing: noTrail, run: trailManagementEvents},
	{ID: "TRAIL-DATA-EVENTS-NO-LOOP", Description: "a trail that records S3 object events leaves out its own bucket and that bucket's access-log bucket", Blocking: true,
		Subject: "aws_cloudtrail", run: trailDataEventsNoLoop},
	{ID: "TRAIL-ORDERED", Description: "every trail is created after its bucket policy, its KMS key and its CloudWatch Logs role policy", Blocking: true,
		Subject: "aws_cloudtrail", run: trailOrdered},
	{ID: "TRAIL-BUCKET-KMS", Description: "the trail's bucket encrypts by default with the trail's KMS key", Blocking: true,
		Subject: "aws_cloudtrail", run: trailBucketKMS},
	{ID: "TRAIL-BUCKET-LOGGING", Description: "the trail's bucket has server access logging", Blocking: true,
		Controls: []*Control{CIS34, HubCloudTrail7}, Subject: "aws_cloudtrail", Missing: noTrail, run: trailBucketLogging},
	{ID: "TRAIL-BUCKET-PRIVATE", Description: "the trail's bucket blocks all public access and its policy allows nobody anonymously", Blocking: true,
		Controls: []*Control{CIS140v33, HubCloudTrail6}, Subject: "aws_cloudtrail", Missing: noTrail, run: trailBucketPrivate},
	{ID: "BUCKET-TLS-ONLY", Description: "every bucket policy denies requests without TLS", Blocking: true,
		Controls: []*Control{CIS211, HubS35}, Subject: "aws_s3_bucket", run: bucketTLSOnly},
	{ID: "BUCKET-EVIDENCE-DENY", Description: "every bucket policy denies deleting object versions, bypassing retention and deleting the policy to all but named break-glass principals, and changing versioning, the lifecycle, Object Lock and the policy to all but named operators", Blocking: true,
		Controls: []*Control{BeyondEvidence}, Subject: "aws_s3_bucket", run: bucketEvidenceDeny},
	{ID: "BUCKET-PUBLIC-ACCESS", Description: "every bucket has all four public access block flags", Blocking: true,
		Controls: []*Control{CIS214, HubS38}, Subject: "aws_s3_bucket", run: bucketPublicAccess},
	{ID: "BUCKET-VERSIONING", Description: "every bucket is versioned", Blocking: true,
		Controls: []*Control{HubS314}, Subject: "aws_s3_bucket", run: bucketVersioning},
	{ID: "BUCKET-ENCRYPTION", Description: "every bucket has default encryption", Blocking: true,
		Subject: "aws_s3_bucket", run: bucketEncryption},
	{ID: "BUCKET-PROTECTED", Description: "no bucket can be destroyed by Terraform or emptied by force_destroy", Blocking: true,
		Subject: "aws_s3_bucket", run: bucketProtected},
	{ID: "BUCKET-SOURCE-ARN", Description: "every bucket policy grant to an AWS service names its source (aws:SourceArn)", Blocking: true,
		Subject: "aws_s3_bucket", run: bucketSourceARN},
	{ID: "BUCKET-LOGGING-ORDERED", Description: "server access logging of a bucket starts after the policy of its target bucket, which lets S3 write the logs", Blocking: true,
		Subject: "aws_s3_bucket_logging", run: bucketLoggingOrdered},
	{ID: "BUCKET-RETENTION", Description: fmt.Sprintf("no lifecycle rule expires objects within %d days", MinLogDays), Blocking: true,
		Subject: "aws_s3_bucket_lifecycle_configuration", run: bucketRetention},
	{ID: "KEY-ROTATION", Description: "every symmetric KMS key rotates", Blocking: true,
		Controls: []*Control{CIS36, HubKMS4}, Subject: "aws_kms_key", run: keyRotation},
	{ID: "KEY-PROTECTED", Description: fmt.Sprintf("no KMS key can be destroyed by Terraform, deletion waits %d days, only break-glass principals may disable a key or schedule its deletion, and only named operators may change its policy", maxDeletionWindow), Blocking: true,
		Subject: "aws_kms_key", run: keyProtected},
	{ID: "KEY-NO-DECRYPT-FOR-ALL", Description: "no key policy lets everyone, or the whole account, decrypt", Blocking: true,
		Subject: "aws_kms_key", run: keyNoDecryptForAll},
	{ID: "KEY-SOURCE-ARN", Description: "every key policy grant to an AWS service names its source (aws:SourceArn, aws:SourceAccount or the encryption context)", Blocking: true,
		Subject: "aws_kms_key", run: keySourceARN},
	{ID: "IAM-NO-CREDENTIALS", Description: "no access keys or console passwords in Terraform state", Blocking: true,
		Controls: []*Control{HubIAM5}, Subject: "aws_iam_user", run: iamNoCredentials},
	{ID: "IAM-NO-USER-POLICIES", Description: "users get permissions only through groups", Blocking: true,
		Controls: []*Control{CIS115, HubIAM2}, Subject: "aws_iam_user", run: iamNoUserPolicies},
	{ID: "IAM-USER-IN-GROUP", Description: "every user is a member of a group of the stack", Blocking: true,
		Controls: []*Control{CIS115}, Subject: "aws_iam_user", run: iamUserInGroup},
	{ID: "IAM-USER-MFA", Description: "every user's group denies all but MFA enrolment until the user signs in with MFA", Blocking: true,
		Controls: []*Control{HubIAM5}, Subject: "aws_iam_user", run: iamUserMFA},
	{ID: "IAM-ROLE-MFA", Description: "every role that people assume requires MFA", Blocking: true,
		Subject: "aws_iam_role", run: iamRoleMFA},
	{ID: "LOGS-KMS", Description: "every CloudWatch Logs log group is encrypted with a customer-managed key", Blocking: true,
		Subject: "aws_cloudwatch_log_group", run: logsKMS},
	{ID: "LOGS-RETENTION", Description: fmt.Sprintf("every log group keeps its events at least %d days", MinLogDays), Blocking: true,
		Subject: "aws_cloudwatch_log_group", run: logsRetention},
	{ID: "TOPIC-KMS", Description: "every SNS topic is encrypted with a customer-managed key", Blocking: true,
		Subject: "aws_sns_topic", run: topicKMS},
	{ID: "ALARM-ACTIONS", Description: "every alarm notifies someone", Blocking: true,
		Subject: "aws_cloudwatch_metric_alarm", run: alarmActions},

	// Report only: monitoring may be turned off, account-wide settings
	// are not the stacks' to make, and an access-log bucket cannot log
	// its own access.
	{ID: "TRAIL-CLOUDWATCH", Description: "every trail delivers a copy of its events to CloudWatch Logs",
		Controls: []*Control{CIS140v34, HubCloudTrail5}, Subject: "aws_cloudtrail", Missing: noTrail, run: trailCloudWatch},
	{ID: "BUCKET-ACCESS-LOGGING", Description: "every bucket has server access logging",
		Controls: []*Control{HubS39}, Subject: "aws_s3_bucket", run: bucketAccessLogging},
	{ID: "ALARM-SUBSCRIBERS", Description: "someone is subscribed to every topic that alarms notify",
		Controls: append(slices.Clone(Section4), BeyondTakeover), Subject: "aws_sns_topic", run: alarmSubscribers,
		Advice: `set "alarmEmails" in cdktf.json (each address confirms the subscription by e-mail), or subscribe the topic outside these stacks and suppress this check with the reason`},
	{ID: "ACCOUNT-PUBLIC-ACCESS", Description: "account-level S3 Block Public Access has all four flags",
		Controls: []*Control{HubS31}, Subject: "aws_s3_account_public_access_block",
		Missing: "account-level Block Public Access is not managed by these stacks (each bucket blocks public access itself: S3.8); set it account-wide",
		run:     accountPublicAccess},
}, watchChecks(), evidenceChecks, organizationChecks)

// watchChecks is one check per CIS section 4 family: a trail delivers to
// a log group with a metric filter of the family's pattern, and an alarm
// on that metric notifies an SNS topic.
func watchChecks() []*Check {
	out := make([]*Check, 0, len(monitoring.Families))
	for i, f := range monitoring.Families {
		out = append(out, &Check{
			ID:          "WATCH-CIS-" + f.Control,
			Description: "a metric filter and an alarm that notifies a topic watch for " + f.Title,
			Controls:    []*Control{Section4[i]},
			Subject:     "aws_cloudtrail",
			Missing:     noTrail,
			run:         watched(f),
		})
	}
	return out
}

// maxDeletionWindow is the longest KMS key deletion window AWS allows,
// the one every key of the stacks has.
const maxDeletionWindow = cmk.DeletionWindowDays

// isTrue reads a Terraform boolean, which may be written as a string.
func isTrue(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		t, _ := strconv.ParseBool(b)
		return t
	}
	return false
}

// each judges every resource of type typ with judge.
func each(d *tfjson.Doc, typ string, judge func(b tfjson.Block) Result) []Result {
	var out []Result
	for _, b := range d.Resources(typ) {
		out = append(out, judge(b))
	}
	return out
}

func trailFlag(attr, evidence, message string) func(d *tfjson.Doc) []Result {
	return func(d *tfjson.Doc) []Result {
		return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
			if !isTrue(t.Attrs[attr]) {
				return fail(t, message)
			}
			return judge(t, nil, evidence)
		})
	}
}

func trailLogging(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
		if v, set := t.Attrs["enable_logging"]; set && !isTrue(v) {
			return fail(t, "the trail must be logging (enable_logging = true)")
		}
		return judge(t, nil, "logging")
	})
}

func trailKMS(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
		key, _ := t.Attrs["kms_key_id"].(string)
		if key == "" {
			return fail(t, "the trail must encrypt its log files with a KMS key (kms_key_id)")
		}
		kd, k, ok := d.Key(key)
		if !ok {
			return fail(t, fmt.Sprintf("kms_key_id is %s, not a customer-managed key of the stack or of the synthesis", key))
		}
		return judge(t, nil, "SSE-KMS with the customer-managed key "+stackOf(d, kd)+k.Address)
	})
}

// controlTowerRecords reports whether the stack's plan stops unless AWS
// Control Tower manages the organization (trail.ControlTowerManages, a
// postcondition of its aws_organizations_organization data source): its
// trail may then leave the management events to Control Tower's.
func controlTowerRecords(d *tfjson.Doc) bool {
	for _, o := range d.DataSources("aws_organizations_organization") {
		conditions, _ := tfjson.Get(o.Attrs, "lifecycle", "postcondition").([]any)
		for _, c := range conditions {
			if tfjson.Get(c, "condition") == trail.ControlTowerManages {
				return true
			}
		}
	}
	return false
}

func trailManagementEvents(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
		ok, how := managementEvents(t)
		switch {
		case ok:
			return judge(t, nil, how)
		case controlTowerRecords(d):
			return judge(t, nil, "data events only: AWS Control Tower's trail "+trail.ControlTowerTrail+" records every management event, and the plan stops when Control Tower does not manage the organization")
		}
		return fail(t, how)
	})
}

// managementEvents says whether the trail records every read and write
// management event, and how (or what it must have).
func managementEvents(t tfjson.Block) (bool, string) {
	if advanced, ok := t.Attrs["advanced_event_selector"].([]any); ok {
		// Management events, read and write: a selector whose only field
		// is eventCategory Equals Management.
		for _, s := range advanced {
			fields, _ := tfjson.Get(s, "field_selector").([]any)
			if len(fields) == 1 && tfjson.Get(fields[0], "field") == "eventCategory" && slices.Equal(tfjson.Strings(tfjson.Get(fields[0], "equals")), []string{"Management"}) {
				return true, "all read and write management events (advanced event selector)"
			}
		}
		return false, "the trail must record all read and write management events (an advanced event selector with only eventCategory Equals Management)"
	}
	selectors, _ := t.Attrs["event_selector"].([]any)
	if len(selectors) == 0 {
		return true, "all read and write management events (CloudTrail's default)"
	}
	for _, s := range selectors {
		if tfjson.Get(s, "read_write_type") == "All" && (tfjson.Get(s, "include_management_events") == nil || isTrue(tfjson.Get(s, "include_management_events"))) {
			return true, "all read and write management events"
		}
	}
	return false, "the trail must record all read and write management events (an event_selector with read_write_type All and include_management_events true)"
}

func trailOrdered(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
		deps := tfjson.Strings(t.Attrs["depends_on"])
		var need []string
		var problems []string
		want := func(address, what string) {
			need = append(need, address)
			if !slices.Contains(deps, address) {
				problems = append(problems, fmt.Sprintf("the trail must depend on %s: CloudTrail checks the %s when it creates the trail", address, what))
			}
		}
		if bucket, _, ok := tfjson.Ref(t.Attrs["s3_bucket_name"]); ok {
			for _, p := range d.Referring("aws_s3_bucket_policy", "bucket", bucket) {
				want(p.Address, "bucket policy")
			}
		}
		if key, _, ok := tfjson.Ref(t.Attrs["kms_key_id"]); ok && strings.HasPrefix(key, "aws_kms_key.") {
			want(key, "key policy")
		}
		if role, _, ok := tfjson.Ref(t.Attrs["cloud_watch_logs_role_arn"]); ok {
			for _, p := range d.Referring("aws_iam_role_policy", "role", role) {
				want(p.Address, "CloudWatch Logs role")
			}
		}
		return judge(t, problems, "depends on "+strings.Join(need, ", "))
	})
}

// trailBucket is trail t's bucket, with the stack that holds it: the one
// it refers to, or the bucket it names in another stack of the synthesis
// (the log-archive layout's, trail.Delivery).
func trailBucket(d *tfjson.Doc, t tfjson.Block) (*tfjson.Doc, tfjson.Block, bool) {
	if b, ok := d.Target(t, "s3_bucket_name"); ok {
		return d, b, true
	}
	name, _ := t.Attrs["s3_bucket_name"].(string)
	return d.Bucket(name)
}

// stackOf names the stack held in evidence when it is not the stack of the
// check (d): "<stack>:", or "".
func stackOf(d, held *tfjson.Doc) string {
	if held == nil || held == d {
		return ""
	}
	return held.Stack + ":"
}

// located is r about a resource of the stack held: its stack is that
// stack's, not the one whose check found it.
func located(held *tfjson.Doc, r Result) Result {
	r.Stack = held.Stack
	return r
}

func trailBucketKMS(d *tfjson.Doc) []Result {
	var out []Result
	for _, t := range d.Resources("aws_cloudtrail") {
		bd, bucket, ok := trailBucket(d, t)
		kd, k, keyed := d.Key(t.Attrs["kms_key_id"])
		if !ok || !keyed {
			continue // TRAIL-KMS reports a trail without a key
		}
		key := stackOf(bd, kd) + k.Address
		encrypted := false
		for _, e := range companions(bd, "aws_s3_bucket_server_side_encryption_configuration", bucket) {
			byDefault := tfjson.Get(e.Attrs, "rule", "apply_server_side_encryption_by_default")
			ed, ek, found := bd.Key(tfjson.Get(byDefault, "kms_master_key_id"))
			encrypted = encrypted || tfjson.Get(byDefault, "sse_algorithm") == "aws:kms" && found && ed == kd && ek.Address == k.Address
		}
		if !encrypted {
			out = append(out, located(bd, fail(bucket, fmt.Sprintf("the trail's bucket must encrypt by default with the trail's key %s (SSE-KMS)", key))))
		} else {
			out = append(out, located(bd, judge(bucket, nil, "SSE-KMS by default with the trail's key "+key)))
		}
	}
	return out
}

// trailDataEventsNoLoop judges each S3 object data-event selector of a
// trail: it must leave out (resources.ARN NotStartsWith "<ARN>/") the
// trail's bucket and the bucket that bucket logs its access to, or each
// delivery records events about itself without end.
func trailDataEventsNoLoop(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
		advanced, _ := t.Attrs["advanced_event_selector"].([]any)
		var own []string
		if bd, bucket, ok := trailBucket(d, t); ok {
			own = append(own, fmt.Sprint(bucket.Attrs["bucket"]))
			for _, l := range companions(bd, "aws_s3_bucket_logging", bucket) {
				if target, ok := bd.Target(l, "target_bucket"); ok {
					own = append(own, fmt.Sprint(target.Attrs["bucket"]))
				}
			}
		}
		found := false
		for _, s := range advanced {
			fields, _ := tfjson.Get(s, "field_selector").([]any)
			var s3Objects bool
			var excluded []string
			for _, f := range fields {
				switch tfjson.Get(f, "field") {
				case "resources.type":
					s3Objects = slices.Contains(tfjson.Strings(tfjson.Get(f, "equals")), "AWS::S3::Object")
				case "resources.ARN":
					excluded = append(excluded, tfjson.Strings(tfjson.Get(f, "not_starts_with"))...)
				}
			}
			if !s3Objects {
				continue
			}
			found = true
			for _, name := range own {
				if !slices.ContainsFunc(excluded, func(prefix string) bool { return strings.HasSuffix(prefix, ":s3:::"+name+"/") }) {
					return fail(t, fmt.Sprintf("its S3 data events include the bucket %s it delivers to: add resources.ARN NotStartsWith its ARN followed by \"/\"", name))
				}
			}
		}
		// Basic selectors cannot leave a bucket out: one that names all
		// buckets, or the trail's own, records the loop.
		basic, _ := t.Attrs["event_selector"].([]any)
		for _, s := range basic {
			resources, _ := tfjson.Get(s, "data_resource").([]any)
			for _, r := range resources {
				if tfjson.Get(r, "type") != "AWS::S3::Object" {
					continue
				}
				for _, v := range tfjson.Strings(tfjson.Get(r, "values")) {
					all := strings.HasSuffix(v, ":s3") || strings.HasSuffix(v, ":s3:::")
					for _, name := range own {
						if all || strings.Contains(v, ":s3:::"+name+"/") {
							return fail(t, fmt.Sprintf("its basic event selector records S3 object events on the bucket %s it delivers to (%s); use advanced event selectors that leave it out", name, v))
						}
					}
				}
			}
		}
		if !found {
			return judge(t, nil, "no S3 data events on its own buckets")
		}
		return judge(t, nil, "S3 data events leave out "+strings.Join(own, " and "))
	})
}

func trailBucketLogging(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
		bd, bucket, ok := trailBucket(d, t)
		if !ok {
			return fail(t, "its bucket is not in the synthesis, so its logging cannot be checked")
		}
		logging := companions(bd, "aws_s3_bucket_logging", bucket)
		if len(logging) == 0 {
			return located(bd, fail(bucket, "the trail's bucket "+bucket.Address+" must log every access to an access-log bucket (aws_s3_bucket_logging)"))
		}
		return located(bd, judge(bucket, nil, fmt.Sprintf("the trail's bucket logs its access to %v", logging[0].Attrs["target_bucket"])))
	})
}

func trailBucketPrivate(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
		bd, bucket, ok := trailBucket(d, t)
		if !ok {
			return fail(t, "its bucket is not in the synthesis, so its public access cannot be checked")
		}
		var problems []string
		if !publicAccessBlocked(bd, bucket) {
			problems = append(problems, stackOf(d, bd)+bucket.Address+" does not block all public access")
		}
		statements, _ := bucketStatements(bd, bucket)
		for _, s := range statements {
			if s.Effect == "Allow" && anyone(s) {
				problems = append(problems, fmt.Sprintf("%s%s: statement %q allows everyone", stackOf(d, bd), bucket.Address, s.Sid))
			}
		}
		return judge(t, problems, stackOf(d, bd)+bucket.Address+": all public access blocked, no Allow to everyone")
	})
}

func trailCloudWatch(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
		if s, _ := t.Attrs["cloud_watch_logs_group_arn"].(string); s == "" {
			return fail(t, "the trail does not deliver to CloudWatch Logs (no cloud_watch_logs_group_arn)")
		}
		return judge(t, nil, "delivers to CloudWatch Logs")
	})
}

// companions returns the resources of type typ configuring bucket.
func companions(d *tfjson.Doc, typ string, bucket tfjson.Block) []tfjson.Block {
	return d.Referring(typ, "bucket", bucket.Address)
}

// bucketStatements returns the statements of bucket's policy, and whether
// it has one that this package can read.
func bucketStatements(d *tfjson.Doc, bucket tfjson.Block) ([]iameval.Statement, bool) {
	var all []iameval.Statement
	found := false
	for _, p := range companions(d, "aws_s3_bucket_policy", bucket) {
		if s, ok := d.Policy(p.Attrs["policy"]); ok {
			all, found = append(all, s...), true
		}
	}
	return all, found
}

// anyone reports whether the statement applies to every principal.
func anyone(s iameval.Statement) bool {
	return len(s.Principals["*"]) > 0 || slices.Contains(s.Principals["AWS"], "*")
}

// publicAccessBlocked reports whether bucket has a public access block
// with all four flags.
func publicAccessBlocked(d *tfjson.Doc, bucket tfjson.Block) bool {
	for _, p := range companions(d, "aws_s3_bucket_public_access_block", bucket) {
		if allFour(p.Attrs) {
			return true
		}
	}
	return false
}

// allFour reports whether a public access block sets all four flags.
func allFour(attrs map[string]any) bool {
	return isTrue(attrs["block_public_acls"]) && isTrue(attrs["block_public_policy"]) && isTrue(attrs["ignore_public_acls"]) && isTrue(attrs["restrict_public_buckets"])
}

func bucketTLSOnly(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket", func(b tfjson.Block) Result {
		statements, _ := bucketStatements(d, b)
		for _, s := range statements {
			if s.Effect == "Deny" && slices.Contains(s.Principals["*"], "*") && s.Allows("s3:GetObject") && s.Allows("s3:PutObject") &&
				slices.Equal(s.Condition("Bool", policy.SecureTransport), []string{"false"}) {
				return judge(b, nil, fmt.Sprintf("denies s3:* without TLS (%s)", s.Sid))
			}
		}
		return fail(b, "the bucket policy must deny s3:* to everyone when aws:SecureTransport is false")
	})
}

// The actions BUCKET-EVIDENCE-DENY requires a Deny of, to all but the
// principals it names: what destroys evidence, and what changes its
// protection (logbucket.DestroyActions and ProtectionActions).
var (
	destroyActions    = []string{"s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:DeleteBucketPolicy"}
	protectionActions = []string{"s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy", "s3:PutBucketObjectLockConfiguration"}
)

func bucketEvidenceDeny(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket", func(b tfjson.Block) Result {
		statements, _ := bucketStatements(d, b)
		destroy, okDestroy := deniedButTo(statements, destroyActions)
		protect, okProtect := deniedButTo(statements, protectionActions)
		var problems []string
		if !okDestroy {
			problems = append(problems, "the bucket policy must deny "+strings.Join(destroyActions, ", ")+" to everyone but named break-glass principals (ArnNotEquals aws:PrincipalArn)")
		}
		if !okProtect {
			problems = append(problems, "the bucket policy must deny "+strings.Join(protectionActions, ", ")+" to everyone but named operators (ArnNotEquals aws:PrincipalArn)")
		}
		return judge(b, problems, fmt.Sprintf("destruction spares %s; protection changes spare %s", strings.Join(destroy, ", "), strings.Join(protect, ", ")))
	})
}

// deniedButTo reports whether statements deny every one of actions to
// everyone but the principals an aws:PrincipalArn condition names, and
// which principals each such Deny spares (all of them together).
func deniedButTo(statements []iameval.Statement, actions []string) ([]string, bool) {
	var spared []string
	for _, a := range actions {
		found := false
		for _, s := range statements {
			if s.Effect != "Deny" || !anyone(s) || !s.Allows(a) || len(s.Conditions) != 1 {
				continue
			}
			if names := s.Condition("ArnNotEquals", policy.PrincipalArn); len(names) > 0 {
				found = true
				for _, n := range names {
					if !slices.Contains(spared, n) {
						spared = append(spared, n)
					}
				}
			}
		}
		if !found {
			return nil, false
		}
	}
	return spared, true
}

func bucketPublicAccess(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket", func(b tfjson.Block) Result {
		if !publicAccessBlocked(d, b) {
			return fail(b, "the bucket must have a public access block with all four flags true")
		}
		return judge(b, nil, "all four public access block flags")
	})
}

func bucketVersioning(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket", func(b tfjson.Block) Result {
		for _, v := range companions(d, "aws_s3_bucket_versioning", b) {
			if tfjson.Get(v.Attrs, "versioning_configuration", "status") == "Enabled" {
				return judge(b, nil, "versioned")
			}
		}
		return fail(b, "the bucket must be versioned (aws_s3_bucket_versioning with status Enabled)")
	})
}

func bucketEncryption(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket", func(b tfjson.Block) Result {
		for _, e := range companions(d, "aws_s3_bucket_server_side_encryption_configuration", b) {
			alg, _ := tfjson.Get(e.Attrs, "rule", "apply_server_side_encryption_by_default", "sse_algorithm").(string)
			if alg == "AES256" || strings.HasPrefix(alg, "aws:kms") {
				return judge(b, nil, "default encryption "+alg)
			}
		}
		return fail(b, "the bucket must have default encryption (SSE-S3 or SSE-KMS)")
	})
}

func bucketProtected(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket", func(b tfjson.Block) Result {
		var problems []string
		if isTrue(b.Attrs["force_destroy"]) {
			problems = append(problems, "force_destroy must be false: it deletes every object with the bucket")
		}
		if !isTrue(tfjson.Get(b.Attrs, "lifecycle", "prevent_destroy")) {
			problems = append(problems, "the bucket must have lifecycle.prevent_destroy = true")
		}
		return judge(b, problems, "prevent_destroy, no force_destroy")
	})
}

func bucketSourceARN(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket", func(b tfjson.Block) Result {
		statements, _ := bucketStatements(d, b)
		var problems, granted []string
		for _, s := range statements {
			if s.Effect != "Allow" || len(s.Principals["Service"]) == 0 {
				continue
			}
			granted = append(granted, s.Sid)
			if !s.HasConditionOn(policy.SourceArn) {
				problems = append(problems, fmt.Sprintf("bucket policy statement %q grants an AWS service without aws:SourceArn (confused deputy)", s.Sid))
			}
		}
		return judge(b, problems, sourceEvidence(granted))
	})
}

// sourceEvidence says which service grants name their source.
func sourceEvidence(sids []string) string {
	if len(sids) == 0 {
		return "no grant to an AWS service"
	}
	return "every grant to an AWS service names its source (" + strings.Join(sids, ", ") + ")"
}

func bucketLoggingOrdered(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket_logging", func(l tfjson.Block) Result {
		target, ok := d.Target(l, "target_bucket")
		if !ok {
			return judge(l, nil, "the target bucket is not in the stack")
		}
		deps := tfjson.Strings(l.Attrs["depends_on"])
		var need, problems []string
		for _, p := range companions(d, "aws_s3_bucket_policy", target) {
			need = append(need, p.Address)
			if !slices.Contains(deps, p.Address) {
				problems = append(problems, fmt.Sprintf("logging must depend on %s: without it S3 may start delivering logs before the target bucket lets it", p.Address))
			}
		}
		return judge(l, problems, "after "+strings.Join(need, ", "))
	})
}

func bucketRetention(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket_lifecycle_configuration", func(lc tfjson.Block) Result {
		var problems []string
		rules, _ := lc.Attrs["rule"].([]any)
		for _, r := range rules {
			for _, path := range [][]string{{"expiration", "days"}, {"noncurrent_version_expiration", "noncurrent_days"}} {
				if days, ok := tfjson.Get(r, path...).(float64); ok && days < MinLogDays {
					problems = append(problems, fmt.Sprintf("lifecycle rule %v expires objects after %v days (%s): audit evidence must be kept at least %d", tfjson.Get(r, "id"), days, path[0], MinLogDays))
				}
			}
		}
		return judge(lc, problems, fmt.Sprintf("expires nothing within %d days", MinLogDays))
	})
}

func bucketAccessLogging(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_bucket", func(b tfjson.Block) Result {
		if len(companions(d, "aws_s3_bucket_logging", b)) == 0 {
			return fail(b, "no server access logging")
		}
		return judge(b, nil, "aws_s3_bucket_logging")
	})
}

func accountPublicAccess(d *tfjson.Doc) []Result {
	return each(d, "aws_s3_account_public_access_block", func(b tfjson.Block) Result {
		if !allFour(b.Attrs) {
			return fail(b, "not all four flags are set")
		}
		return judge(b, nil, "all four flags")
	})
}

func keyRotation(d *tfjson.Doc) []Result {
	var out []Result
	for _, k := range d.Resources("aws_kms_key") {
		if spec, _ := k.Attrs["customer_master_key_spec"].(string); spec != "" && spec != "SYMMETRIC_DEFAULT" {
			continue // AWS rotates symmetric keys only
		}
		if !isTrue(k.Attrs["enable_key_rotation"]) {
			out = append(out, fail(k, "the key must rotate (enable_key_rotation = true)"))
		} else {
			out = append(out, judge(k, nil, "enable_key_rotation = true"))
		}
	}
	return out
}

func keyProtected(d *tfjson.Doc) []Result {
	return each(d, "aws_kms_key", func(k tfjson.Block) Result {
		var problems []string
		if !isTrue(tfjson.Get(k.Attrs, "lifecycle", "prevent_destroy")) {
			problems = append(problems, "the key must have lifecycle.prevent_destroy = true: without it the log files cannot be read")
		}
		if days, _ := k.Attrs["deletion_window_in_days"].(float64); days < maxDeletionWindow {
			problems = append(problems, fmt.Sprintf("deletion_window_in_days is %v: it must be %d, the longest AWS allows", k.Attrs["deletion_window_in_days"], maxDeletionWindow))
		}
		statements, _ := d.Policy(k.Attrs["policy"])
		if _, ok := deniedButTo(statements, []string{"kms:DisableKey", "kms:ScheduleKeyDeletion"}); !ok {
			problems = append(problems, "the key policy must deny kms:DisableKey and kms:ScheduleKeyDeletion to everyone but the break-glass principals (aws:PrincipalArn): otherwise an administrator can make everything the key encrypted unreadable")
		}
		if _, ok := deniedButTo(statements, []string{"kms:PutKeyPolicy"}); !ok {
			problems = append(problems, "the key policy must deny kms:PutKeyPolicy to everyone but the operators (aws:PrincipalArn): otherwise an administrator can lift the deny of disabling and deletion")
		}
		return judge(k, problems, fmt.Sprintf("prevent_destroy, a %d-day deletion window, disabling and deletion denied to all but break-glass, policy changes to all but operators", maxDeletionWindow))
	})
}

func keyNoDecryptForAll(d *tfjson.Doc) []Result {
	return each(d, "aws_kms_key", func(k tfjson.Block) Result {
		statements, ok := d.Policy(k.Attrs["policy"])
		if !ok {
			return fail(k, "the key must have a key policy from an aws_iam_policy_document this pack can read")
		}
		var problems []string
		for _, s := range statements {
			if s.Effect != "Allow" || !(s.Allows("kms:Decrypt") || s.Allows("kms:ReEncryptFrom")) {
				continue
			}
			for _, p := range s.Principals["AWS"] {
				if strings.HasSuffix(p, ":root") {
					problems = append(problems, fmt.Sprintf("key policy statement %q lets the whole account decrypt (%s): any IAM policy could then grant it", s.Sid, p))
				}
			}
			if anyone(s) {
				problems = append(problems, fmt.Sprintf("key policy statement %q lets everyone decrypt", s.Sid))
			}
		}
		return judge(k, problems, "decryption is granted to named principals only")
	})
}

func keySourceARN(d *tfjson.Doc) []Result {
	return each(d, "aws_kms_key", func(k tfjson.Block) Result {
		statements, _ := d.Policy(k.Attrs["policy"])
		var problems, granted []string
		for _, s := range statements {
			if s.Effect != "Allow" || len(s.Principals["Service"]) == 0 {
				continue
			}
			granted = append(granted, s.Sid)
			if s.HasConditionOn(policy.SourceArn) || s.HasConditionOn(policy.SourceAccount) {
				continue
			}
			bound := slices.ContainsFunc(s.Conditions, func(c iameval.Condition) bool {
				return strings.HasPrefix(strings.ToLower(c.Key), "kms:encryptioncontext:")
			})
			if !bound {
				problems = append(problems, fmt.Sprintf("key policy statement %q grants an AWS service without aws:SourceArn, aws:SourceAccount or an encryption context (confused deputy)", s.Sid))
			}
		}
		return judge(k, problems, sourceEvidence(granted))
	})
}

// credentialTypes are the resources that put a user's secret into state.
var credentialTypes = []string{"aws_iam_access_key", "aws_iam_user_login_profile", "aws_iam_service_specific_credential", "aws_iam_signing_certificate"}

func iamNoCredentials(d *tfjson.Doc) []Result {
	var out []Result
	for _, typ := range credentialTypes {
		for _, r := range d.Resources(typ) {
			out = append(out, fail(r, typ+" puts a secret into Terraform state in clear; people enrol their own credentials"))
		}
	}
	if len(out) > 0 {
		return out
	}
	return each(d, "aws_iam_user", func(u tfjson.Block) Result {
		return judge(u, nil, "no access key or console password in Terraform")
	})
}

func iamNoUserPolicies(d *tfjson.Doc) []Result {
	var out []Result
	for _, typ := range []string{"aws_iam_user_policy", "aws_iam_user_policy_attachment"} {
		for _, r := range d.Resources(typ) {
			out = append(out, fail(r, typ+" gives a user permissions directly; give them to a group"))
		}
	}
	for _, r := range d.Resources("aws_iam_policy_attachment") {
		if len(tfjson.Strings(r.Attrs["users"])) > 0 {
			out = append(out, fail(r, "the policy attachment names users; attach policies to groups"))
		}
	}
	if len(out) > 0 {
		return out
	}
	return each(d, "aws_iam_user", func(u tfjson.Block) Result {
		return judge(u, nil, "no policy attached to the user")
	})
}

// groupOf returns the address of the group that user is a member of.
func groupOf(d *tfjson.Doc, user tfjson.Block) (string, bool) {
	for _, m := range d.Resources("aws_iam_group_membership") {
		for _, u := range tfjson.Strings(m.Attrs["users"]) {
			if addr, _, ok := tfjson.Ref(u); ok && addr == user.Address {
				g, _, ok := tfjson.Ref(m.Attrs["group"])
				return g, ok
			}
		}
	}
	return "", false
}

func iamUserInGroup(d *tfjson.Doc) []Result {
	return each(d, "aws_iam_user", func(u tfjson.Block) Result {
		group, ok := groupOf(d, u)
		if !ok {
			return fail(u, "the user is in no group of the stack")
		}
		return judge(u, nil, "member of "+group)
	})
}

func iamUserMFA(d *tfjson.Doc) []Result {
	return each(d, "aws_iam_user", func(u tfjson.Block) Result {
		group, ok := groupOf(d, u)
		switch {
		case !ok:
			return fail(u, "the user is in no group that enforces MFA")
		case !enforcesMFA(d, group):
			return fail(u, "group "+group+" does not deny actions without MFA: its policy must deny all but MFA enrolment while aws:MultiFactorAuthPresent is false")
		}
		return judge(u, nil, group+" denies everything but MFA enrolment until the user signs in with MFA")
	})
}

// enforcesMFA reports whether a policy of the group at address denies all
// but a few actions while aws:MultiFactorAuthPresent is false.
func enforcesMFA(d *tfjson.Doc, group string) bool {
	for _, p := range d.Referring("aws_iam_group_policy", "group", group) {
		statements, _ := d.Policy(p.Attrs["policy"])
		for _, s := range statements {
			if s.Effect == "Deny" && len(s.NotActions) > 0 &&
				slices.Equal(s.Condition("BoolIfExists", policy.MultiFactorAuthPresent), []string{"false"}) {
				return true
			}
		}
	}
	return false
}

func iamRoleMFA(d *tfjson.Doc) []Result {
	return each(d, "aws_iam_role", func(role tfjson.Block) Result {
		statements, ok := d.Policy(role.Attrs["assume_role_policy"])
		if !ok {
			return fail(role, "the trust policy must come from an aws_iam_policy_document this pack can read")
		}
		var problems []string
		people := false
		for _, s := range statements {
			if s.Effect != "Allow" || len(s.Principals["AWS"]) == 0 || !s.Allows("sts:AssumeRole") {
				continue
			}
			people = true
			// Identity Center's permission set roles: its sign-in decides
			// MFA, and their sessions carry no MFA key to require.
			if identitycenter.IsPermissionSetRoles(s.Condition("ArnLike", policy.PrincipalArn)) {
				continue
			}
			if !slices.Equal(s.Condition("Bool", policy.MultiFactorAuthPresent), []string{"true"}) {
				problems = append(problems, fmt.Sprintf("trust statement %q lets IAM principals assume the role without MFA (Bool aws:MultiFactorAuthPresent true)", s.Sid))
			}
		}
		if !people {
			return judge(role, nil, "assumed by AWS services only")
		}
		return judge(role, problems, "people assume it only with MFA")
	})
}

// customerKey reports whether v refers to an aws_kms_key of the stack.
func customerKey(v any) bool {
	addr, _, ok := tfjson.Ref(v)
	return ok && strings.HasPrefix(addr, "aws_kms_key.")
}

func logsKMS(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudwatch_log_group", func(g tfjson.Block) Result {
		if !customerKey(g.Attrs["kms_key_id"]) {
			return fail(g, "the log group must be encrypted with a customer-managed key of the stack (kms_key_id): CloudWatch Logs decrypts it for anyone allowed to read it otherwise")
		}
		return judge(g, nil, fmt.Sprintf("encrypted with %v", g.Attrs["kms_key_id"]))
	})
}

func logsRetention(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudwatch_log_group", func(g tfjson.Block) Result {
		if days, set := g.Attrs["retention_in_days"].(float64); set && days < MinLogDays {
			return fail(g, fmt.Sprintf("retention_in_days is %v: audit events must be kept at least %d days", days, MinLogDays))
		}
		if days, set := g.Attrs["retention_in_days"]; set {
			return judge(g, nil, fmt.Sprintf("retention_in_days %v", days))
		}
		return judge(g, nil, "events never expire")
	})
}

func topicKMS(d *tfjson.Doc) []Result {
	return each(d, "aws_sns_topic", func(t tfjson.Block) Result {
		if !customerKey(t.Attrs["kms_master_key_id"]) {
			return fail(t, "the topic must be encrypted with a customer-managed key of the stack (kms_master_key_id)")
		}
		return judge(t, nil, fmt.Sprintf("encrypted with %v", t.Attrs["kms_master_key_id"]))
	})
}

func alarmActions(d *tfjson.Doc) []Result {
	return each(d, "aws_cloudwatch_metric_alarm", func(a tfjson.Block) Result {
		if len(tfjson.Strings(a.Attrs["alarm_actions"])) == 0 || a.Attrs["actions_enabled"] == false {
			return fail(a, "the alarm must notify someone (alarm_actions, actions_enabled)")
		}
		return judge(a, nil, "notifies "+strings.Join(tfjson.Strings(a.Attrs["alarm_actions"]), ", "))
	})
}

// alarmSubscribers judges each topic that an alarm of the stack notifies:
// the CIS benchmark's audit procedure for section 4 asks for at least one
// active subscription to it.
func alarmSubscribers(d *tfjson.Doc) []Result {
	notified := map[string]bool{}
	for _, a := range d.Resources("aws_cloudwatch_metric_alarm") {
		for _, action := range tfjson.Strings(a.Attrs["alarm_actions"]) {
			if topic, _, ok := tfjson.Ref(action); ok {
				notified[topic] = true
			}
		}
	}
	var out []Result
	for _, t := range d.Resources("aws_sns_topic") {
		if !notified[t.Address] {
			continue
		}
		subs := d.Referring("aws_sns_topic_subscription", "topic_arn", t.Address)
		if len(subs) == 0 {
			out = append(out, fail(t, "nobody is subscribed to the alarm topic: the alarms notify no one"))
			continue
		}
		count := fmt.Sprintf("%d subscriptions", len(subs))
		if len(subs) == 1 {
			count = "1 subscription"
		}
		out = append(out, judge(t, nil, count))
	}
	return out
}

// watched judges whether each trail delivers to a log group with a metric
// filter of the family's pattern, and an alarm on that metric notifies an
// SNS topic.
func watched(f monitoring.Family) func(d *tfjson.Doc) []Result {
	return func(d *tfjson.Doc) []Result {
		return each(d, "aws_cloudtrail", func(t tfjson.Block) Result {
			groupARN, _ := t.Attrs["cloud_watch_logs_group_arn"].(string)
			group, _, ok := tfjson.Ref(strings.TrimSuffix(groupARN, ":*"))
			if !ok {
				return fail(t, "the trail does not deliver to CloudWatch Logs (monitoring is off)")
			}
			for _, filter := range d.Resources("aws_cloudwatch_log_metric_filter") {
				if g, _, _ := tfjson.Ref(filter.Attrs["log_group_name"]); g != group || normalize(fmt.Sprint(filter.Attrs["pattern"])) != normalize(f.Pattern) {
					continue
				}
				alarms := alarmsOf(d, filter)
				switch {
				case len(alarms) == 0:
					return fail(t, filter.Address+" has no alarm on its metric")
				case alarms[0].topic == "":
					return fail(t, alarms[0].alarm.Address+" notifies no SNS topic")
				case alarms[0].quiet != "":
					return fail(t, alarms[0].alarm.Address+": "+alarms[0].quiet)
				}
				return judge(t, nil, fmt.Sprintf("%s -> %s -> %s", filter.Address, alarms[0].alarm.Address, alarms[0].topic))
			}
			return fail(t, fmt.Sprintf("no metric filter with the CIS %s pattern on %s", f.Control, group))
		})
	}
}

// alarmOn is an alarm on a filter's metric, and the SNS topic it
// notifies ("" for none).
type alarmOn struct {
	alarm tfjson.Block
	topic string
	// quiet says why the alarm would not fire on a single matching event
	// ("" when it does).
	quiet string
}

// quietness says why alarm a would not fire on one event counted into
// its metric: the metric's Sum must reach the threshold.
func quietness(a tfjson.Block) string {
	threshold, _ := a.Attrs["threshold"].(float64)
	switch op := a.Attrs["comparison_operator"]; {
	case a.Attrs["statistic"] != "Sum":
		return fmt.Sprintf("statistic %v, not Sum", a.Attrs["statistic"])
	case op == "GreaterThanOrEqualToThreshold" && threshold <= 1, op == "GreaterThanThreshold" && threshold < 1:
		return ""
	default:
		return fmt.Sprintf("%v %v does not fire on one event", op, a.Attrs["threshold"])
	}
}

// alarmsOf returns the alarms on the metric of filter.
func alarmsOf(d *tfjson.Doc, filter tfjson.Block) []alarmOn {
	metric, namespace := tfjson.Get(filter.Attrs, "metric_transformation", "name"), tfjson.Get(filter.Attrs, "metric_transformation", "namespace")
	var out []alarmOn
	for _, alarm := range d.Resources("aws_cloudwatch_metric_alarm") {
		if !sameMetric(d, alarm.Attrs["metric_name"], filter, "name", metric) || !sameMetric(d, alarm.Attrs["namespace"], filter, "namespace", namespace) {
			continue
		}
		a := alarmOn{alarm: alarm, quiet: quietness(alarm)}
		for _, action := range tfjson.Strings(alarm.Attrs["alarm_actions"]) {
			if topic, _, ok := tfjson.Ref(action); ok && strings.HasPrefix(topic, "aws_sns_topic.") {
				a.topic = topic
				break
			}
		}
		out = append(out, a)
	}
	return out
}

// sameMetric reports whether an alarm's metric argument names the value
// of the filter's metric_transformation attribute, by value or by
// reference (to this filter or to another filter of the same metric).
func sameMetric(d *tfjson.Doc, v any, filter tfjson.Block, attr string, value any) bool {
	if v == value {
		return true
	}
	addr, path, ok := tfjson.Ref(v)
	if !ok || !strings.HasPrefix(addr, "aws_cloudwatch_log_metric_filter.") || path != "metric_transformation[0]."+attr {
		return false
	}
	if addr == filter.Address {
		return true
	}
	other, found := d.Find(addr)
	return found && tfjson.Get(other.Attrs, "metric_transformation", attr) == value
}

// normalize folds white space, so patterns compare by content.
func normalize(pattern string) string { return strings.Join(strings.Fields(pattern), " ") }

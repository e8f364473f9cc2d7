// Package guard is the rule pack that every synth applies: one small, pure
// rule per security invariant of the stacks, run on the synthesized JSON
// of each stack. A broken rule fails the synth with
// "[construct path] RULE-ID: message"; a rule is silenced for one construct
// only with a written reason (Suppress), and the review report lists every
// suppression.
package guard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Finding is one broken rule at one resource.
type Finding struct {
	// Rule is the rule's ID.
	Rule string
	// Address is the Terraform address of the offending resource.
	Address string
	// Path is the construct path of the offending resource.
	Path string
	// Message says what is wrong, lower-case.
	Message string
}

func (f Finding) String() string { return fmt.Sprintf("[%s] %s: %s", f.Path, f.Rule, f.Message) }

// Rule is one invariant.
type Rule struct {
	// ID names the rule in messages and suppressions.
	ID string
	// Description says what the rule requires.
	Description string
	// check returns the offending blocks and what is wrong with each.
	check func(d *tfjson.Doc) []problem
}

type problem struct {
	block   tfjson.Block
	message string
}

// Check runs the rule on one stack.
func (r Rule) Check(d *tfjson.Doc) []Finding {
	var out []Finding
	for _, p := range r.check(d) {
		out = append(out, Finding{Rule: r.ID, Address: p.block.Address, Path: p.block.Path(), Message: p.message})
	}
	return out
}

// Rules is the rule pack, in the order findings are reported.
var Rules = []Rule{
	{"TRAIL-MULTI-REGION", "every trail records all regions (is_multi_region_trail)", trailFlag("is_multi_region_trail", "the trail must record every region (is_multi_region_trail = true)")},
	{"TRAIL-GLOBAL-EVENTS", "every trail records global service events such as IAM", trailFlag("include_global_service_events", "the trail must record global service events (include_global_service_events = true)")},
	{"TRAIL-LOG-VALIDATION", "every trail validates its log files (digest files)", trailFlag("enable_log_file_validation", "the trail must validate its log files (enable_log_file_validation = true)")},
	{"TRAIL-LOGGING", "every trail is logging", trailLogging},
	{"TRAIL-KMS", "every trail encrypts its log files with a KMS key", trailKMS},
	{"TRAIL-MANAGEMENT-EVENTS", "every trail records all read and write management events", trailManagementEvents},
	{"TRAIL-ORDERED", "every trail is created after its bucket policy and its KMS key", trailOrdered},
	{"TRAIL-BUCKET-KMS", "the trail's bucket encrypts by default with the trail's KMS key", trailBucketKMS},
	{"TRAIL-BUCKET-LOGGING", "the trail's bucket has server access logging (CIS 3.4)", trailBucketLogging},
	{"BUCKET-TLS-ONLY", "every bucket policy denies requests without TLS", bucketTLSOnly},
	{"BUCKET-PUBLIC-ACCESS", "every bucket has all four public access block flags", bucketPublicAccess},
	{"BUCKET-VERSIONING", "every bucket is versioned", bucketVersioning},
	{"BUCKET-ENCRYPTION", "every bucket has default encryption", bucketEncryption},
	{"BUCKET-PROTECTED", "no bucket can be destroyed by Terraform or emptied by force_destroy", bucketProtected},
	{"BUCKET-SOURCE-ARN", "every bucket policy grant to an AWS service names its source (aws:SourceArn)", bucketSourceARN},
	{"BUCKET-RETENTION", "no lifecycle rule expires objects within a year", bucketRetention},
	{"KEY-ROTATION", "every KMS key rotates", keyRotation},
	{"KEY-PROTECTED", "no KMS key can be destroyed by Terraform, and deletion waits 30 days", keyProtected},
	{"KEY-NO-DECRYPT-FOR-ALL", "no key policy lets everyone, or the whole account, decrypt", keyNoDecryptForAll},
	{"KEY-SOURCE-ARN", "every key policy grant to an AWS service names its source (aws:SourceArn, aws:SourceAccount or the encryption context)", keySourceARN},
	{"IAM-NO-CREDENTIALS", "no access keys or console passwords in Terraform state", iamNoCredentials},
	{"IAM-NO-USER-POLICIES", "users get permissions only through groups (CIS 1.15)", iamNoUserPolicies},
	{"IAM-ROLE-MFA", "every role that people assume requires MFA", iamRoleMFA},
	{"IAM-GROUP-MFA", "every group with members denies all but MFA enrolment until MFA is present", iamGroupMFA},
	{"LOGS-KMS", "every CloudWatch Logs log group is encrypted with a customer-managed key", logsKMS},
	{"LOGS-RETENTION", "every log group keeps its events at least a year", logsRetention},
	{"TOPIC-KMS", "every SNS topic is encrypted with a customer-managed key", topicKMS},
	{"ALARM-ACTIONS", "every alarm notifies someone", alarmActions},
}

// Check runs every rule on one stack.
func Check(d *tfjson.Doc) []Finding {
	var out []Finding
	for _, r := range Rules {
		out = append(out, r.Check(d)...)
	}
	return out
}

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

func trailFlag(attr, message string) func(d *tfjson.Doc) []problem {
	return func(d *tfjson.Doc) []problem {
		var out []problem
		for _, t := range d.Resources("aws_cloudtrail") {
			if !isTrue(t.Attrs[attr]) {
				out = append(out, problem{t, message})
			}
		}
		return out
	}
}

func trailLogging(d *tfjson.Doc) []problem {
	var out []problem
	for _, t := range d.Resources("aws_cloudtrail") {
		if v, set := t.Attrs["enable_logging"]; set && !isTrue(v) {
			out = append(out, problem{t, "the trail must be logging (enable_logging = true)"})
		}
	}
	return out
}

func trailKMS(d *tfjson.Doc) []problem {
	var out []problem
	for _, t := range d.Resources("aws_cloudtrail") {
		if s, _ := t.Attrs["kms_key_id"].(string); s == "" {
			out = append(out, problem{t, "the trail must encrypt its log files with a KMS key (kms_key_id)"})
		}
	}
	return out
}

func trailManagementEvents(d *tfjson.Doc) []problem {
	var out []problem
	for _, t := range d.Resources("aws_cloudtrail") {
		if t.Attrs["advanced_event_selector"] != nil {
			out = append(out, problem{t, "advanced event selectors are not checked by this rule pack; use event_selector with read_write_type All"})
			continue
		}
		selectors, _ := t.Attrs["event_selector"].([]any)
		if len(selectors) == 0 {
			continue // CloudTrail's default: all management events
		}
		all := false
		for _, s := range selectors {
			if tfjson.Get(s, "read_write_type") == "All" && (tfjson.Get(s, "include_management_events") == nil || isTrue(tfjson.Get(s, "include_management_events"))) {
				all = true
			}
		}
		if !all {
			out = append(out, problem{t, "the trail must record all read and write management events (an event_selector with read_write_type All and include_management_events true)"})
		}
	}
	return out
}

func trailOrdered(d *tfjson.Doc) []problem {
	var out []problem
	for _, t := range d.Resources("aws_cloudtrail") {
		deps := tfjson.Strings(t.Attrs["depends_on"])
		if bucket, _, ok := tfjson.Ref(t.Attrs["s3_bucket_name"]); ok {
			for _, p := range d.Referring("aws_s3_bucket_policy", "bucket", bucket) {
				if !slices.Contains(deps, p.Address) {
					out = append(out, problem{t, fmt.Sprintf("the trail must depend on %s: CloudTrail checks the bucket policy when it creates the trail", p.Address)})
				}
			}
		}
		if key, _, ok := tfjson.Ref(t.Attrs["kms_key_id"]); ok && !slices.Contains(deps, key) {
			out = append(out, problem{t, fmt.Sprintf("the trail must depend on %s: CloudTrail checks the key policy when it creates the trail", key)})
		}
		if role, _, ok := tfjson.Ref(t.Attrs["cloud_watch_logs_role_arn"]); ok {
			for _, p := range d.Referring("aws_iam_role_policy", "role", role) {
				if !slices.Contains(deps, p.Address) {
					out = append(out, problem{t, fmt.Sprintf("the trail must depend on %s: CloudTrail checks the CloudWatch Logs role when it creates the trail", p.Address)})
				}
			}
		}
	}
	return out
}

func trailBucketKMS(d *tfjson.Doc) []problem {
	var out []problem
	for _, t := range d.Resources("aws_cloudtrail") {
		bucket, ok := d.Target(t, "s3_bucket_name")
		if !ok {
			continue
		}
		key, _, ok := tfjson.Ref(t.Attrs["kms_key_id"])
		if !ok {
			continue // TRAIL-KMS reports a trail without a key
		}
		encrypted := false
		for _, e := range companions(d, "aws_s3_bucket_server_side_encryption_configuration", bucket) {
			byDefault := tfjson.Get(e.Attrs, "rule", "apply_server_side_encryption_by_default")
			bucketKey, _, _ := tfjson.Ref(tfjson.Get(byDefault, "kms_master_key_id"))
			encrypted = encrypted || tfjson.Get(byDefault, "sse_algorithm") == "aws:kms" && bucketKey == key
		}
		if !encrypted {
			out = append(out, problem{bucket, fmt.Sprintf("the trail's bucket must encrypt by default with the trail's key %s (SSE-KMS)", key)})
		}
	}
	return out
}

func trailBucketLogging(d *tfjson.Doc) []problem {
	var out []problem
	for _, t := range d.Resources("aws_cloudtrail") {
		if bucket, ok := d.Target(t, "s3_bucket_name"); ok && len(companions(d, "aws_s3_bucket_logging", bucket)) == 0 {
			out = append(out, problem{bucket, "the trail's bucket must log every access to an access-log bucket (aws_s3_bucket_logging)"})
		}
	}
	return out
}

// companions returns the resources of type typ configuring bucket.
func companions(d *tfjson.Doc, typ string, bucket tfjson.Block) []tfjson.Block {
	return d.Referring(typ, "bucket", bucket.Address)
}

// bucketStatements returns the statements of bucket's policy, and whether
// it has one that this package can read.
func bucketStatements(d *tfjson.Doc, bucket tfjson.Block) ([]tfjson.Statement, bool) {
	var all []tfjson.Statement
	found := false
	for _, p := range companions(d, "aws_s3_bucket_policy", bucket) {
		if s, ok := d.Policy(p.Attrs["policy"]); ok {
			all, found = append(all, s...), true
		}
	}
	return all, found
}

func bucketTLSOnly(d *tfjson.Doc) []problem {
	var out []problem
	for _, b := range d.Resources("aws_s3_bucket") {
		statements, ok := bucketStatements(d, b)
		denies := false
		for _, s := range statements {
			if s.Effect == "Deny" && slices.Contains(s.Principals["*"], "*") && s.Allows("s3:GetObject") && s.Allows("s3:PutObject") &&
				slices.Equal(s.Condition("Bool", "aws:SecureTransport"), []string{"false"}) {
				denies = true
			}
		}
		if !ok || !denies {
			out = append(out, problem{b, "the bucket policy must deny s3:* to everyone when aws:SecureTransport is false"})
		}
	}
	return out
}

func bucketPublicAccess(d *tfjson.Doc) []problem {
	var out []problem
	for _, b := range d.Resources("aws_s3_bucket") {
		ok := false
		for _, p := range companions(d, "aws_s3_bucket_public_access_block", b) {
			ok = ok || isTrue(p.Attrs["block_public_acls"]) && isTrue(p.Attrs["block_public_policy"]) && isTrue(p.Attrs["ignore_public_acls"]) && isTrue(p.Attrs["restrict_public_buckets"])
		}
		if !ok {
			out = append(out, problem{b, "the bucket must have a public access block with all four flags true"})
		}
	}
	return out
}

func bucketVersioning(d *tfjson.Doc) []problem {
	var out []problem
	for _, b := range d.Resources("aws_s3_bucket") {
		ok := false
		for _, v := range companions(d, "aws_s3_bucket_versioning", b) {
			ok = ok || tfjson.Get(v.Attrs, "versioning_configuration", "status") == "Enabled"
		}
		if !ok {
			out = append(out, problem{b, "the bucket must be versioned (aws_s3_bucket_versioning with status Enabled)"})
		}
	}
	return out
}

func bucketEncryption(d *tfjson.Doc) []problem {
	var out []problem
	for _, b := range d.Resources("aws_s3_bucket") {
		ok := false
		for _, e := range companions(d, "aws_s3_bucket_server_side_encryption_configuration", b) {
			alg, _ := tfjson.Get(e.Attrs, "rule", "apply_server_side_encryption_by_default", "sse_algorithm").(string)
			ok = ok || alg == "AES256" || strings.HasPrefix(alg, "aws:kms")
		}
		if !ok {
			out = append(out, problem{b, "the bucket must have default encryption (SSE-S3 or SSE-KMS)"})
		}
	}
	return out
}

func bucketProtected(d *tfjson.Doc) []problem {
	var out []problem
	for _, b := range d.Resources("aws_s3_bucket") {
		if isTrue(b.Attrs["force_destroy"]) {
			out = append(out, problem{b, "force_destroy must be false: it deletes every object with the bucket"})
		}
		if !isTrue(tfjson.Get(b.Attrs, "lifecycle", "prevent_destroy")) {
			out = append(out, problem{b, "the bucket must have lifecycle.prevent_destroy = true"})
		}
	}
	return out
}

// serviceGrantsWithoutSource returns the Sids of Allow statements to AWS
// service principals that lack an aws:SourceArn condition.
func serviceGrantsWithoutSource(statements []tfjson.Statement) []string {
	var out []string
	for _, s := range statements {
		if s.Effect == "Allow" && len(s.Principals["Service"]) > 0 && !s.HasConditionOn("aws:SourceArn") {
			out = append(out, s.Sid)
		}
	}
	return out
}

func bucketSourceARN(d *tfjson.Doc) []problem {
	var out []problem
	for _, b := range d.Resources("aws_s3_bucket") {
		statements, _ := bucketStatements(d, b)
		for _, sid := range serviceGrantsWithoutSource(statements) {
			out = append(out, problem{b, fmt.Sprintf("bucket policy statement %q grants an AWS service without aws:SourceArn (confused deputy)", sid)})
		}
	}
	return out
}

func bucketRetention(d *tfjson.Doc) []problem {
	var out []problem
	for _, lc := range d.Resources("aws_s3_bucket_lifecycle_configuration") {
		rules, _ := lc.Attrs["rule"].([]any)
		for _, r := range rules {
			for _, path := range [][]string{{"expiration", "days"}, {"noncurrent_version_expiration", "noncurrent_days"}} {
				if days, ok := tfjson.Get(r, path...).(float64); ok && days < 365 {
					out = append(out, problem{lc, fmt.Sprintf("lifecycle rule %v expires objects after %v days (%s): audit evidence must be kept at least 365", tfjson.Get(r, "id"), days, path[0])})
				}
			}
		}
	}
	return out
}

func keyRotation(d *tfjson.Doc) []problem {
	var out []problem
	for _, k := range d.Resources("aws_kms_key") {
		if spec, _ := k.Attrs["customer_master_key_spec"].(string); spec != "" && spec != "SYMMETRIC_DEFAULT" {
			continue // AWS rotates symmetric keys only
		}
		if !isTrue(k.Attrs["enable_key_rotation"]) {
			out = append(out, problem{k, "the key must rotate (enable_key_rotation = true)"})
		}
	}
	return out
}

func keyProtected(d *tfjson.Doc) []problem {
	var out []problem
	for _, k := range d.Resources("aws_kms_key") {
		if !isTrue(tfjson.Get(k.Attrs, "lifecycle", "prevent_destroy")) {
			out = append(out, problem{k, "the key must have lifecycle.prevent_destroy = true: without it the log files cannot be read"})
		}
		if days, _ := k.Attrs["deletion_window_in_days"].(float64); days < 30 {
			out = append(out, problem{k, fmt.Sprintf("deletion_window_in_days is %v: it must be 30, the longest AWS allows", k.Attrs["deletion_window_in_days"])})
		}
	}
	return out
}

func keyNoDecryptForAll(d *tfjson.Doc) []problem {
	var out []problem
	for _, k := range d.Resources("aws_kms_key") {
		statements, ok := d.Policy(k.Attrs["policy"])
		if !ok {
			out = append(out, problem{k, "the key must have a key policy from an aws_iam_policy_document this rule pack can read"})
			continue
		}
		for _, s := range statements {
			if s.Effect != "Allow" || !(s.Allows("kms:Decrypt") || s.Allows("kms:ReEncryptFrom")) {
				continue
			}
			for _, p := range s.Principals["AWS"] {
				if strings.HasSuffix(p, ":root") {
					out = append(out, problem{k, fmt.Sprintf("key policy statement %q lets the whole account decrypt (%s): any IAM policy could then grant it", s.Sid, p)})
				}
			}
			if len(s.Principals["*"]) > 0 || slices.Contains(s.Principals["AWS"], "*") {
				out = append(out, problem{k, fmt.Sprintf("key policy statement %q lets everyone decrypt", s.Sid)})
			}
		}
	}
	return out
}

func keySourceARN(d *tfjson.Doc) []problem {
	var out []problem
	for _, k := range d.Resources("aws_kms_key") {
		statements, _ := d.Policy(k.Attrs["policy"])
		for _, s := range statements {
			if s.Effect != "Allow" || len(s.Principals["Service"]) == 0 || s.HasConditionOn("aws:SourceArn") || s.HasConditionOn("aws:SourceAccount") {
				continue
			}
			bound := false
			for _, c := range s.Conditions {
				bound = bound || strings.HasPrefix(strings.ToLower(c.Variable), "kms:encryptioncontext:")
			}
			if !bound {
				out = append(out, problem{k, fmt.Sprintf("key policy statement %q grants an AWS service without aws:SourceArn, aws:SourceAccount or an encryption context (confused deputy)", s.Sid)})
			}
		}
	}
	return out
}

func iamNoCredentials(d *tfjson.Doc) []problem {
	var out []problem
	for _, typ := range []string{"aws_iam_access_key", "aws_iam_user_login_profile", "aws_iam_service_specific_credential", "aws_iam_signing_certificate"} {
		for _, r := range d.Resources(typ) {
			out = append(out, problem{r, typ + " puts a secret into Terraform state in clear; people enrol their own credentials"})
		}
	}
	return out
}

func iamNoUserPolicies(d *tfjson.Doc) []problem {
	var out []problem
	for _, typ := range []string{"aws_iam_user_policy", "aws_iam_user_policy_attachment"} {
		for _, r := range d.Resources(typ) {
			out = append(out, problem{r, typ + " gives a user permissions directly; give them to a group"})
		}
	}
	for _, r := range d.Resources("aws_iam_policy_attachment") {
		if len(tfjson.Strings(r.Attrs["users"])) > 0 {
			out = append(out, problem{r, "the policy attachment names users; attach policies to groups"})
		}
	}
	return out
}

func iamRoleMFA(d *tfjson.Doc) []problem {
	var out []problem
	for _, role := range d.Resources("aws_iam_role") {
		statements, ok := d.Policy(role.Attrs["assume_role_policy"])
		if !ok {
			out = append(out, problem{role, "the trust policy must come from an aws_iam_policy_document this rule pack can read"})
			continue
		}
		for _, s := range statements {
			if s.Effect == "Allow" && len(s.Principals["AWS"]) > 0 && s.Allows("sts:AssumeRole") &&
				!slices.Equal(s.Condition("Bool", "aws:MultiFactorAuthPresent"), []string{"true"}) {
				out = append(out, problem{role, fmt.Sprintf("trust statement %q lets IAM principals assume the role without MFA (Bool aws:MultiFactorAuthPresent true)", s.Sid)})
			}
		}
	}
	return out
}

func iamGroupMFA(d *tfjson.Doc) []problem {
	var out []problem
	for _, m := range d.Resources("aws_iam_group_membership") {
		group, _, ok := tfjson.Ref(m.Attrs["group"])
		if !ok || len(tfjson.Strings(m.Attrs["users"])) == 0 || EnforcesMFA(d, group) {
			continue
		}
		g, _ := d.Find(group)
		out = append(out, problem{g, "the group's policy must deny all but MFA enrolment while aws:MultiFactorAuthPresent is false"})
	}
	return out
}

// EnforcesMFA reports whether a policy of the group at address denies all
// but a few actions while aws:MultiFactorAuthPresent is false.
func EnforcesMFA(d *tfjson.Doc, group string) bool {
	for _, p := range d.Referring("aws_iam_group_policy", "group", group) {
		statements, _ := d.Policy(p.Attrs["policy"])
		for _, s := range statements {
			if s.Effect == "Deny" && len(s.NotActions) > 0 &&
				slices.Equal(s.Condition("BoolIfExists", "aws:MultiFactorAuthPresent"), []string{"false"}) {
				return true
			}
		}
	}
	return false
}

// customerKey reports whether v refers to an aws_kms_key of the stack.
func customerKey(v any) bool {
	addr, _, ok := tfjson.Ref(v)
	return ok && strings.HasPrefix(addr, "aws_kms_key.")
}

func logsKMS(d *tfjson.Doc) []problem {
	var out []problem
	for _, g := range d.Resources("aws_cloudwatch_log_group") {
		if !customerKey(g.Attrs["kms_key_id"]) {
			out = append(out, problem{g, "the log group must be encrypted with a customer-managed key of the stack (kms_key_id): CloudWatch Logs decrypts it for anyone allowed to read it otherwise"})
		}
	}
	return out
}

func logsRetention(d *tfjson.Doc) []problem {
	var out []problem
	for _, g := range d.Resources("aws_cloudwatch_log_group") {
		if days, set := g.Attrs["retention_in_days"].(float64); set && days < 365 {
			out = append(out, problem{g, fmt.Sprintf("retention_in_days is %v: audit events must be kept at least 365 days", days)})
		}
	}
	return out
}

func topicKMS(d *tfjson.Doc) []problem {
	var out []problem
	for _, t := range d.Resources("aws_sns_topic") {
		if !customerKey(t.Attrs["kms_master_key_id"]) {
			out = append(out, problem{t, "the topic must be encrypted with a customer-managed key of the stack (kms_master_key_id)"})
		}
	}
	return out
}

func alarmActions(d *tfjson.Doc) []problem {
	var out []problem
	for _, a := range d.Resources("aws_cloudwatch_metric_alarm") {
		if len(tfjson.Strings(a.Attrs["alarm_actions"])) == 0 || a.Attrs["actions_enabled"] == false {
			out = append(out, problem{a, "the alarm must notify someone (alarm_actions, actions_enabled)"})
		}
	}
	return out
}

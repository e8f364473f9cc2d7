package review

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/monitoring"
	"github.com/cle2wa/audit-trail/internal/guard"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Status is the outcome of a control.
type Status string

// The outcomes of a control.
const (
	Pass          Status = "PASS"
	Fail          Status = "FAIL"
	NotApplicable Status = "NOT APPLICABLE"
)

// Result is a control's outcome and the evidence for it.
type Result struct {
	Status   Status
	Evidence string
}

// Control is one control of a benchmark, computed from the stacks.
type Control struct {
	// Framework is "CIS" (AWS Foundations Benchmark v3.0/v4.0 numbering) or
	// "Security Hub".
	Framework string
	ID, Title string
	Evaluate  func(docs []*tfjson.Doc) Result
}

// Controls are the controls the report maps the stacks to: CIS sections
// 1-3, CIS section 4, then Security Hub.
var Controls = slices.Concat(cisControls, sectionFour(), hubControls)

// sectionFour is one control per CIS section 4 event family.
func sectionFour() []Control {
	var out []Control
	for _, f := range monitoring.Families {
		out = append(out, Control{"CIS", f.Control, "Metric filter and alarm: " + f.Title, watched(f)})
	}
	return out
}

// cisControls are the CIS controls of sections 1 to 3.
var cisControls = []Control{
	{"CIS", "1.15", "IAM users receive permissions only through groups", usersThroughGroups},
	{"CIS", "2.1.1", "S3 bucket policies deny HTTP requests", byRule("BUCKET-TLS-ONLY", "aws_s3_bucket", "every bucket policy denies s3:* without TLS")},
	{"CIS", "2.1.4", "S3 buckets block public access (bucket settings)", byRule("BUCKET-PUBLIC-ACCESS", "aws_s3_bucket", "every bucket has all four public access block flags")},
	{"CIS", "3.1", "CloudTrail is enabled in all regions", trailAllRegions},
	{"CIS", "3.2", "CloudTrail log file validation is enabled", trailsByRule("TRAIL-LOG-VALIDATION", "enable_log_file_validation = true")},
	{"CIS", "3.4", "S3 bucket access logging is enabled on the CloudTrail S3 bucket", trailBucketLogging},
	{"CIS", "3.5", "CloudTrail logs are encrypted at rest with KMS CMKs", trailKMS},
	{"CIS", "3.6", "Rotation is enabled for customer-created symmetric CMKs", byRule("KEY-ROTATION", "aws_kms_key", "enable_key_rotation = true")},
}

// hubControls are the AWS Security Hub controls.
var hubControls = []Control{
	{"Security Hub", "CloudTrail.1", "A multi-region trail records read and write management events", trailAllRegions},
	{"Security Hub", "CloudTrail.2", "CloudTrail has encryption at rest enabled", trailKMS},
	{"Security Hub", "CloudTrail.4", "CloudTrail log file validation is enabled", trailsByRule("TRAIL-LOG-VALIDATION", "enable_log_file_validation = true")},
	{"Security Hub", "CloudTrail.5", "CloudTrail trails are integrated with CloudWatch Logs", trailCloudWatch},
	{"Security Hub", "CloudTrail.6", "The CloudTrail S3 bucket is not publicly accessible", trailBucketPrivate},
	{"Security Hub", "CloudTrail.7", "S3 bucket access logging is enabled on the CloudTrail S3 bucket", trailBucketLogging},
	{"Security Hub", "S3.1", "Account-level S3 Block Public Access is enabled", accountPublicAccess},
	{"Security Hub", "S3.5", "S3 buckets require requests to use SSL", byRule("BUCKET-TLS-ONLY", "aws_s3_bucket", "every bucket policy denies s3:* without TLS")},
	{"Security Hub", "S3.8", "S3 buckets block public access (bucket level)", byRule("BUCKET-PUBLIC-ACCESS", "aws_s3_bucket", "every bucket has all four public access block flags")},
	{"Security Hub", "S3.9", "S3 buckets have server access logging enabled", bucketsLogged},
	{"Security Hub", "S3.14", "S3 buckets have versioning enabled", byRule("BUCKET-VERSIONING", "aws_s3_bucket", "every bucket is versioned")},
	{"Security Hub", "KMS.4", "AWS KMS key rotation is enabled", byRule("KEY-ROTATION", "aws_kms_key", "enable_key_rotation = true")},
	{"Security Hub", "IAM.2", "IAM users have no IAM policies attached", iamNoUserPolicies},
	{"Security Hub", "IAM.5", "MFA is enabled for all IAM users with a console password", usersMFA},
}

// located is a block and the stack it belongs to.
type located struct {
	doc   *tfjson.Doc
	block tfjson.Block
}

func all(docs []*tfjson.Doc, typ string) []located {
	var out []located
	for _, d := range docs {
		for _, b := range d.Resources(typ) {
			out = append(out, located{d, b})
		}
	}
	return out
}

func (l located) String() string { return l.doc.Stack + ":" + l.block.Address }

// findings runs one guard rule on every stack.
func findings(docs []*tfjson.Doc, ruleID string) []guard.Finding {
	var out []guard.Finding
	for _, r := range guard.Rules {
		if r.ID == ruleID {
			for _, d := range docs {
				for _, f := range r.Check(d) {
					f.Address = d.Stack + ":" + f.Address
					out = append(out, f)
				}
			}
		}
	}
	return out
}

func failWith(fs []guard.Finding) Result {
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.Address+" ("+f.Message+")")
	}
	return Result{Fail, strings.Join(parts, "; ")}
}

// byRule passes when the guard rule holds for every resource of typ, and
// does not apply when there is none.
func byRule(ruleID, typ, evidence string) func([]*tfjson.Doc) Result {
	return func(docs []*tfjson.Doc) Result {
		subjects := all(docs, typ)
		if len(subjects) == 0 {
			return Result{NotApplicable, "no " + typ + " in the stacks"}
		}
		if fs := findings(docs, ruleID); len(fs) > 0 {
			return failWith(fs)
		}
		return Result{Pass, fmt.Sprintf("%s (%s)", evidence, names(subjects))}
	}
}

// trailsByRule is byRule for trails: with no trail at all it fails, since
// every CloudTrail control asks for one.
func trailsByRule(ruleID, evidence string) func([]*tfjson.Doc) Result {
	return func(docs []*tfjson.Doc) Result {
		trails := all(docs, "aws_cloudtrail")
		if len(trails) == 0 {
			return Result{Fail, "no aws_cloudtrail in the stacks"}
		}
		if fs := findings(docs, ruleID); len(fs) > 0 {
			return failWith(fs)
		}
		return Result{Pass, fmt.Sprintf("%s: %s", names(trails), evidence)}
	}
}

func names(ls []located) string {
	var out []string
	for _, l := range ls {
		out = append(out, l.String())
	}
	return strings.Join(out, ", ")
}

func trailAllRegions(docs []*tfjson.Doc) Result {
	trails := all(docs, "aws_cloudtrail")
	if len(trails) == 0 {
		return Result{Fail, "no aws_cloudtrail in the stacks"}
	}
	var fs []guard.Finding
	for _, id := range []string{"TRAIL-MULTI-REGION", "TRAIL-LOGGING", "TRAIL-MANAGEMENT-EVENTS"} {
		fs = append(fs, findings(docs, id)...)
	}
	if len(fs) > 0 {
		return failWith(fs)
	}
	return Result{Pass, names(trails) + ": is_multi_region_trail = true, logging, all read and write management events"}
}

func trailKMS(docs []*tfjson.Doc) Result {
	trails := all(docs, "aws_cloudtrail")
	if len(trails) == 0 {
		return Result{Fail, "no aws_cloudtrail in the stacks"}
	}
	var keys []string
	for _, t := range trails {
		key, _ := t.block.Attrs["kms_key_id"].(string)
		if key == "" {
			return Result{Fail, t.String() + " has no kms_key_id"}
		}
		if addr, _, ok := tfjson.Ref(key); ok {
			if _, found := t.doc.Find(addr); !found || !strings.HasPrefix(addr, "aws_kms_key.") {
				return Result{Fail, fmt.Sprintf("%s: kms_key_id refers to %s, not a customer-managed key of the stack", t, addr)}
			}
			key = addr
		}
		keys = append(keys, t.String()+" -> "+key)
	}
	return Result{Pass, "SSE-KMS with a customer-managed key: " + strings.Join(keys, ", ")}
}

func trailBucketLogging(docs []*tfjson.Doc) Result {
	trails := all(docs, "aws_cloudtrail")
	if len(trails) == 0 {
		return Result{Fail, "no aws_cloudtrail in the stacks"}
	}
	var evidence []string
	for _, t := range trails {
		bucket, ok := t.doc.Target(t.block, "s3_bucket_name")
		if !ok {
			return Result{Fail, t.String() + ": its bucket is not in the stack, so its logging cannot be checked"}
		}
		logging := t.doc.Referring("aws_s3_bucket_logging", "bucket", bucket.Address)
		if len(logging) == 0 {
			return Result{Fail, bucket.Address + " has no aws_s3_bucket_logging"}
		}
		evidence = append(evidence, fmt.Sprintf("%s logs to %v", bucket.Address, logging[0].Attrs["target_bucket"]))
	}
	return Result{Pass, strings.Join(evidence, "; ")}
}

func trailCloudWatch(docs []*tfjson.Doc) Result {
	trails := all(docs, "aws_cloudtrail")
	if len(trails) == 0 {
		return Result{Fail, "no aws_cloudtrail in the stacks"}
	}
	for _, t := range trails {
		if s, _ := t.block.Attrs["cloud_watch_logs_group_arn"].(string); s == "" {
			return Result{Fail, t.String() + " does not deliver to CloudWatch Logs (no cloud_watch_logs_group_arn)"}
		}
	}
	return Result{Pass, names(trails) + " deliver to CloudWatch Logs"}
}

func trailBucketPrivate(docs []*tfjson.Doc) Result {
	trails := all(docs, "aws_cloudtrail")
	if len(trails) == 0 {
		return Result{Fail, "no aws_cloudtrail in the stacks"}
	}
	var buckets []string
	for _, t := range trails {
		bucket, ok := t.doc.Target(t.block, "s3_bucket_name")
		if !ok {
			return Result{Fail, t.String() + ": its bucket is not in the stack"}
		}
		for _, f := range findings([]*tfjson.Doc{t.doc}, "BUCKET-PUBLIC-ACCESS") {
			if strings.HasSuffix(f.Address, ":"+bucket.Address) {
				return Result{Fail, bucket.Address + ": " + f.Message}
			}
		}
		for _, p := range t.doc.Referring("aws_s3_bucket_policy", "bucket", bucket.Address) {
			statements, _ := t.doc.Policy(p.Attrs["policy"])
			for _, s := range statements {
				if s.Effect == "Allow" && (len(s.Principals["*"]) > 0 || slices.Contains(s.Principals["AWS"], "*")) {
					return Result{Fail, fmt.Sprintf("%s: statement %q allows everyone", bucket.Address, s.Sid)}
				}
			}
		}
		buckets = append(buckets, bucket.Address)
	}
	return Result{Pass, strings.Join(buckets, ", ") + ": all public access blocked, no Allow to everyone"}
}

func accountPublicAccess(docs []*tfjson.Doc) Result {
	for _, l := range all(docs, "aws_s3_account_public_access_block") {
		a := l.block.Attrs
		if a["block_public_acls"] == true && a["block_public_policy"] == true && a["ignore_public_acls"] == true && a["restrict_public_buckets"] == true {
			return Result{Pass, l.String() + ": all four flags"}
		}
	}
	return Result{Fail, "account-level Block Public Access is not managed by these stacks (each bucket blocks public access itself: S3.8); set it account-wide"}
}

func bucketsLogged(docs []*tfjson.Doc) Result {
	buckets := all(docs, "aws_s3_bucket")
	if len(buckets) == 0 {
		return Result{NotApplicable, "no aws_s3_bucket in the stacks"}
	}
	var missing []string
	for _, b := range buckets {
		if len(b.doc.Referring("aws_s3_bucket_logging", "bucket", b.block.Address)) == 0 {
			missing = append(missing, b.String())
		}
	}
	if len(missing) > 0 {
		return Result{Fail, "no server access logging: " + strings.Join(missing, ", ")}
	}
	return Result{Pass, "every bucket has aws_s3_bucket_logging"}
}

func iamNoUserPolicies(docs []*tfjson.Doc) Result {
	users := all(docs, "aws_iam_user")
	if len(users) == 0 {
		return Result{NotApplicable, "no aws_iam_user in the stacks"}
	}
	if fs := findings(docs, "IAM-NO-USER-POLICIES"); len(fs) > 0 {
		return failWith(fs)
	}
	return Result{Pass, "no aws_iam_user_policy or aws_iam_user_policy_attachment; " + names(users) + " get permissions from groups"}
}

// groupOf returns the group that user is a member of in its stack.
func groupOf(user located) (string, bool) {
	for _, m := range user.doc.Resources("aws_iam_group_membership") {
		for _, u := range tfjson.Strings(m.Attrs["users"]) {
			if addr, _, ok := tfjson.Ref(u); ok && addr == user.block.Address {
				g, _, ok := tfjson.Ref(m.Attrs["group"])
				return g, ok
			}
		}
	}
	return "", false
}

func usersThroughGroups(docs []*tfjson.Doc) Result {
	r := iamNoUserPolicies(docs)
	if r.Status != Pass {
		return r
	}
	for _, u := range all(docs, "aws_iam_user") {
		if _, ok := groupOf(u); !ok {
			return Result{Fail, u.String() + " is in no group of the stack"}
		}
	}
	return r
}

func usersMFA(docs []*tfjson.Doc) Result {
	users := all(docs, "aws_iam_user")
	if len(users) == 0 {
		return Result{NotApplicable, "no aws_iam_user in the stacks"}
	}
	if fs := findings(docs, "IAM-NO-CREDENTIALS"); len(fs) > 0 {
		return failWith(fs)
	}
	for _, u := range users {
		group, ok := groupOf(u)
		if !ok {
			return Result{Fail, u.String() + " is in no group that enforces MFA"}
		}
		if !guard.EnforcesMFA(u.doc, group) {
			return Result{Fail, fmt.Sprintf("%s: group %s does not deny actions without MFA", u, group)}
		}
	}
	return Result{Pass, "no console passwords in Terraform; " + names(users) + " are denied everything but MFA enrolment until they sign in with MFA"}
}

// watched passes when a trail delivers to a log group with a metric filter
// of the family's pattern, and an alarm on that metric notifies an SNS
// topic.
func watched(f monitoring.Family) func([]*tfjson.Doc) Result {
	return func(docs []*tfjson.Doc) Result {
		trails := all(docs, "aws_cloudtrail")
		if len(trails) == 0 {
			return Result{Fail, "no aws_cloudtrail in the stacks"}
		}
		for _, t := range trails {
			groupARN, _ := t.block.Attrs["cloud_watch_logs_group_arn"].(string)
			group, _, ok := tfjson.Ref(strings.TrimSuffix(groupARN, ":*"))
			if !ok {
				return Result{Fail, t.String() + " does not deliver to CloudWatch Logs (monitoring is off)"}
			}
			for _, filter := range t.doc.Resources("aws_cloudwatch_log_metric_filter") {
				if g, _, _ := tfjson.Ref(filter.Attrs["log_group_name"]); g != group || normalize(fmt.Sprint(filter.Attrs["pattern"])) != normalize(f.Pattern) {
					continue
				}
				metric, namespace := tfjson.Get(filter.Attrs, "metric_transformation", "name"), tfjson.Get(filter.Attrs, "metric_transformation", "namespace")
				for _, alarm := range t.doc.Resources("aws_cloudwatch_metric_alarm") {
					if alarm.Attrs["metric_name"] != metric || alarm.Attrs["namespace"] != namespace {
						continue
					}
					for _, action := range tfjson.Strings(alarm.Attrs["alarm_actions"]) {
						if topic, _, ok := tfjson.Ref(action); ok && strings.HasPrefix(topic, "aws_sns_topic.") {
							return Result{Pass, fmt.Sprintf("%s -> %s -> %s -> %s", t, filter.Address, alarm.Address, topic)}
						}
					}
					return Result{Fail, alarm.Address + " notifies no SNS topic"}
				}
				return Result{Fail, filter.Address + " has no alarm on its metric"}
			}
			return Result{Fail, fmt.Sprintf("no metric filter with the CIS %s pattern on %s", f.Control, group)}
		}
		return Result{Fail, "no trail"}
	}
}

// normalize folds white space, so patterns compare by content.
func normalize(pattern string) string { return strings.Join(strings.Fields(pattern), " ") }

package commands_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/cloud/cloudtest"
	"github.com/cle2wa/audit-trail/internal/commands"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/tfjson"
	"github.com/cle2wa/audit-trail/internal/verify"
	"github.com/cle2wa/audit-trail/internal/verify/verifytest"
)

// inProject runs the rest of the test in the project's root, where verify
// runs: its cdktf.json holds the settings of the golden synthesis,
// testdata/golden, which CDKTF_OUTDIR names.
func inProject(t *testing.T) {
	t.Helper()
	t.Chdir("../..")
	t.Setenv(commands.OutdirEnv, "testdata/golden")
}

// goldenAudit is the audit stack of the golden synthesis, read by the
// loader, in the project's root (inProject).
func goldenAudit(t *testing.T) *tfjson.Doc {
	t.Helper()
	out, err := tfjson.Load("testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	audit := out.Stack(stacks.AuditName)
	if audit == nil {
		t.Fatal("testdata/golden has no audit stack")
	}
	return audit
}

// TestVerify runs `verify` with the real SDK against the fake account:
// everything passes where the golden stack is deployed and working, and
// each departure fails its check, and only its check.
func TestVerify(t *testing.T) {
	now := time.Now()
	cases := map[string]struct {
		change func(a *verifytest.Account)
		fail   []string
	}{
		"deployed and working": {func(*verifytest.Account) {}, nil},
		"logging stopped": {func(a *verifytest.Account) {
			a.Status["IsLogging"], a.Status["StopLoggingTime"] = false, float64(now.Add(-3*time.Hour).Unix())
		}, []string{"FAIL\tTRAIL-LOGGING\tlogging stopped at"}},
		// A delivery error names the statements the delivery rests on.
		"a delivery error":                 {func(a *verifytest.Account) { a.Status["LatestDeliveryError"] = "AccessDenied" }, []string{"FAIL\tDELIVERY-S3\tlatest error: AccessDenied; this delivery rests on aws_kms_key.trail_key CloudTrailEncryptsLogs, aws_kms_key.trail_key CloudTrailDescribesKey, aws_kms_key.trail_key CloudTrailUsesBucketKey, aws_s3_bucket_policy.log_bucket_policy CloudTrailAclCheck, aws_s3_bucket_policy.log_bucket_policy CloudTrailWrite (their conditions: docs/service-conditions.md)"}},
		"a CloudWatch Logs delivery error": {func(a *verifytest.Account) { a.Status["LatestCloudWatchLogsDeliveryError"] = "AccessDeniedException" }, []string{"FAIL\tDELIVERY-CLOUDWATCH\tlatest error: AccessDeniedException; this delivery rests on aws_kms_key.monitoring_logs_key CloudWatchLogsUseKeyForTheTrailGroup, aws_iam_role.monitoring_role trust CloudTrailAssumesRole"}},
		"no digest for hours": {func(a *verifytest.Account) {
			a.Status["LatestDigestDeliveryTime"] = float64(now.Add(-5 * time.Hour).Unix())
		}, []string{"FAIL\tDELIVERY-RECENT\tlast digest 5h0m0s ago"}},
		"another key": {func(a *verifytest.Account) {
			a.Trail["KmsKeyId"] = "arn:aws:kms:us-east-1:111122223333:key/ffffffff-0000-0000-0000-000000000000"
		}, []string{"FAIL\tTRAIL-KMS\tencrypts with arn:aws:kms:us-east-1:111122223333:key/ffffffff"}},
		"validation turned off": {func(a *verifytest.Account) { a.Trail["LogFileValidationEnabled"] = false }, []string{"FAIL\tTRAIL-LOG-VALIDATION\tlog file validation: false"}},
		"write events only": {func(a *verifytest.Account) {
			a.Selectors = []any{map[string]any{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}}
		}, []string{"FAIL\tTRAIL-SELECTORS\tbasic WriteOnly management=true; synthesized: basic All management=true"}},
		"a missing trail": {func(a *verifytest.Account) { a.Trail = nil }, []string{"FAIL\tTRAIL-EXISTS\tcloudtrail:GetTrail on trail trail-master: TrailNotFoundException"}},
		// A caller without a permission: those checks cannot be made,
		// the others are, and the exit status says no verdict (3).
		"GetKeyPolicy, GetBucketPolicy and GetRole denied": {func(a *verifytest.Account) {
			a.Denied = map[string]bool{"GetKeyPolicy": true, "GetBucketPolicy": true, "GetRole": true}
		}, []string{
			"ERROR\tDRIFT-KEY-POLICY alias/kms-trail-master\tcould not check: kms:GetKeyPolicy on alias/kms-trail-master was denied; the caller needs kms:GetKeyPolicy on it",
			"ERROR\tDRIFT-BUCKET-POLICY cle2wa-s3-trail-master\tcould not check: s3:GetBucketPolicy on bucket cle2wa-s3-trail-master was denied; the caller needs s3:GetBucketPolicy on it (Access Denied)",
			"ERROR\tDRIFT-ROLE-TRUST role-audit\tcould not check: iam:GetRole on role role-audit was denied; the caller needs iam:GetRole on it",
			"PASS\tDRIFT-GROUP-MEMBERS group-audit", "PASS\tTRAIL-LOGGING",
		}},
		// Someone granted themselves decryption with the trail key.
		"a key policy widened": {func(a *verifytest.Account) {
			k := a.Keys["alias/kms-trail-master"]
			k.Policy = strings.Replace(k.Policy, `"AWS":"arn:aws:iam::111122223333:role/role-audit"`, `"AWS":["arn:aws:iam::111122223333:role/role-audit","arn:aws:iam::111122223333:user/mallory"]`, 1)
			a.Keys["alias/kms-trail-master"] = k
		}, []string{"FAIL\tDRIFT-KEY-POLICY alias/kms-trail-master\tchanged ", "user/mallory"}},
		"versioning suspended":    {func(a *verifytest.Account) { a.Buckets["cle2wa-s3-accesslog-master"].Versioning = "Suspended" }, []string{"FAIL\tBUCKET-VERSIONING cle2wa-s3-accesslog-master\tversioning Suspended (synthesized: Enabled)"}},
		"public access unblocked": {func(a *verifytest.Account) { a.Buckets["cle2wa-s3-trail-master"].PublicAccess = false }, []string{"FAIL\tBUCKET-PUBLIC-ACCESS cle2wa-s3-trail-master\tblock_public_acls=false"}},
		"access logging off":      {func(a *verifytest.Account) { a.Buckets["cle2wa-s3-trail-master"].LogTarget = "" }, []string{"FAIL\tBUCKET-LOGGING cle2wa-s3-trail-master\taccess logs to no access logging (synthesized: s3://cle2wa-s3-accesslog-master/cle2wa-s3-trail-master/)"}},
		"default encryption with another key": {func(a *verifytest.Account) {
			a.Buckets["cle2wa-s3-trail-master"].Key = "arn:aws:kms:us-east-1:111122223333:key/other"
		}, []string{"FAIL\tBUCKET-ENCRYPTION cle2wa-s3-trail-master"}},
		"the trail delivers to CloudWatch Logs as another role": {func(a *verifytest.Account) {
			a.Trail["CloudWatchLogsRoleArn"] = "arn:aws:iam::111122223333:role/admin"
		}, []string{"FAIL\tTRAIL-CLOUDWATCH\tdelivers to arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail/trail-master:* as arn:aws:iam::111122223333:role/admin (synthesized: log group cloudtrail/trail-master, role role-trail-logs)"}},
		"the trail notifies a topic": {func(a *verifytest.Account) {
			a.Trail["SnsTopicARN"] = "arn:aws:sns:us-east-1:111122223333:elsewhere"
		}, []string{"FAIL\tTRAIL-NOTIFICATIONS\tfile delivery notices to arn:aws:sns:us-east-1:111122223333:elsewhere (synthesized: no topic)"}},
		"the log files replicated elsewhere": {func(a *verifytest.Account) {
			a.Buckets["cle2wa-s3-trail-master"].ReplicateTo = "arn:aws:s3:::exfiltration"
		}, []string{"FAIL\tBUCKET-REPLICATION cle2wa-s3-trail-master\treplicates to arn:aws:s3:::exfiltration (synthesized: no replication)"}},
		"the bucket key turned off": {func(a *verifytest.Account) { a.Buckets["cle2wa-s3-trail-master"].BucketKey = false }, []string{"FAIL\tBUCKET-ENCRYPTION cle2wa-s3-trail-master\tdefault encryption aws:kms " + verifytest.TrailKeyARN + ", bucket key false (synthesized: aws:kms " + verifytest.TrailKeyARN + ", bucket key true)"}},
		"Object Lock shortened":     {func(a *verifytest.Account) { a.Buckets["cle2wa-s3-trail-master"].LockDays = 1 }, []string{"FAIL\tBUCKET-OBJECT-LOCK cle2wa-s3-trail-master\tGOVERNANCE for 1 days (synthesized: GOVERNANCE for 365 days)"}},
		// Someone lets the evidence expire after a day.
		"an expiration added to the lifecycle": {func(a *verifytest.Account) {
			b := a.Buckets["cle2wa-s3-trail-master"]
			b.Lifecycle = strings.Replace(b.Lifecycle, "</Status>", "</Status><Expiration><Days>1</Days></Expiration>", 1)
		}, []string{"FAIL\tBUCKET-LIFECYCLE cle2wa-s3-trail-master\tlifecycle rule \"retention\" Enabled on \"\": abort uploads after 7 days; transitions [after 90 days to GLACIER_IR]; noncurrent transitions [after 90 days to GLACIER_IR]; expire after 1 days (synthesized: rule \"retention\""}},
		"an expiration on a date added to the lifecycle": {func(a *verifytest.Account) {
			b := a.Buckets["cle2wa-s3-trail-master"]
			b.Lifecycle = strings.Replace(b.Lifecycle, "</Status>", "</Status><Expiration><Date>2026-12-01T00:00:00Z</Date></Expiration>", 1)
		}, []string{"FAIL\tBUCKET-LIFECYCLE cle2wa-s3-trail-master\t", "; expire on 2026-12-01T00:00:00Z (synthesized: "}},
		"old versions capped by count": {func(a *verifytest.Account) {
			b := a.Buckets["cle2wa-s3-accesslog-master"]
			b.Lifecycle = strings.Replace(b.Lifecycle, "</Status>", "</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>", 1)
		}, []string{"FAIL\tBUCKET-LIFECYCLE cle2wa-s3-accesslog-master\t", "; expire noncurrent after 1 days keeping 1 newer versions (synthesized: "}},
		"management events of KMS excluded": {func(a *verifytest.Account) {
			a.Selectors = []any{map[string]any{"ReadWriteType": "All", "IncludeManagementEvents": true, "ExcludeManagementEventSources": []any{"kms.amazonaws.com"}}}
		}, []string{"FAIL\tTRAIL-SELECTORS\tbasic All management=true excluding [kms.amazonaws.com]; synthesized: basic All management=true"}},
		// The stack's keys are usable and rotate.
		"the trail key scheduled for deletion": {func(a *verifytest.Account) {
			k := a.Keys["alias/kms-trail-master"]
			k.State, k.Deletion = "PendingDeletion", now.Add(7*24*time.Hour)
			a.Keys["alias/kms-trail-master"] = k
		}, []string{"FAIL\tKEY-STATE alias/kms-trail-master\tPendingDeletion, deleted at " + now.Add(7*24*time.Hour).UTC().Format(time.RFC3339) + " (synthesized: Enabled)"}},
		"the Logs key's rotation turned off": {func(a *verifytest.Account) {
			k := a.Keys["alias/kms-logs-master"]
			k.Rotating = false
			a.Keys["alias/kms-logs-master"] = k
		}, []string{"FAIL\tKEY-ROTATION alias/kms-logs-master\tautomatic rotation false (synthesized: true)"}},
		"a policy in the 2008 language": {func(a *verifytest.Account) {
			a.BucketPolicies["cle2wa-s3-accesslog-master"] = strings.Replace(a.BucketPolicies["cle2wa-s3-accesslog-master"], "2012-10-17", "2008-10-17", 1)
		}, []string{"FAIL\tDRIFT-BUCKET-POLICY cle2wa-s3-accesslog-master\tVersion: live \"2008-10-17\", synthesized \"2012-10-17\""}},
		"the lifecycle deleted": {func(a *verifytest.Account) { a.Buckets["cle2wa-s3-accesslog-master"].Lifecycle = "" }, []string{"FAIL\tBUCKET-LIFECYCLE cle2wa-s3-accesslog-master\ts3:GetLifecycleConfiguration on bucket cle2wa-s3-accesslog-master: NoSuchLifecycleConfiguration"}},
		// What the caller can read: the audit role reads the newest log
		// file, an administrator is refused it.
		"the audit role reads the evidence": {func(a *verifytest.Account) {}, []string{
			"PASS\tACCESS-READ-EVIDENCE\tthe audit role read and decrypted s3://cle2wa-s3-trail-master/AWSLogs/111122223333/CloudTrail/us-east-1/" + now.UTC().Format("2006/01/02") + "/111122223333_CloudTrail_us-east-1_" + now.UTC().Format("20060102") + "T0005Z_BBBBBBBBBBBBBBBB.json.gz, as it must",
		}},
		"an administrator is refused the evidence": {func(a *verifytest.Account) {
			a.CallerARN, a.Unreadable = "arn:aws:sts::111122223333:assumed-role/AdministratorRole/bob", true
		}, []string{"PASS\tACCESS-READ-EVIDENCE\tarn:aws:sts::111122223333:assumed-role/AdministratorRole/bob was refused s3://cle2wa-s3-trail-master/AWSLogs/111122223333/CloudTrail/us-east-1/", "by the trail key (AccessDenied: kms:Decrypt), as everyone but the audit role role-audit must be"}},
		"the audit role of another account": {func(a *verifytest.Account) {
			a.CallerARN, a.Unreadable = "arn:aws:sts::444455556666:assumed-role/role-audit/eve", true
		}, []string{"PASS\tACCESS-READ-EVIDENCE\tarn:aws:sts::444455556666:assumed-role/role-audit/eve was refused"}},
		"an administrator reads the evidence": {func(a *verifytest.Account) {
			a.CallerARN = "arn:aws:sts::111122223333:assumed-role/AdministratorRole/bob"
		}, []string{"FAIL\tACCESS-READ-EVIDENCE\tarn:aws:sts::111122223333:assumed-role/AdministratorRole/bob read and decrypted s3://cle2wa-s3-trail-master/", "only the audit role role-audit may"}},
		"the audit role is refused the evidence": {func(a *verifytest.Account) { a.Unreadable = true }, []string{"FAIL\tACCESS-READ-EVIDENCE\tthe audit role was refused s3://cle2wa-s3-trail-master/AWSLogs/", "(AccessDenied: User: arn:aws:sts::111122223333:assumed-role/role-audit/alice is not authorized to perform: kms:Decrypt"}},
		// An organization trail's files are under the organization's
		// folder: the newest of the caller's account is found there.
		"an organization trail's evidence": {func(a *verifytest.Account) {
			for i, k := range a.LogFiles {
				a.LogFiles[i] = strings.Replace(k, "AWSLogs/", "AWSLogs/o-exampleorgid/", 1)
			}
		}, []string{"PASS\tACCESS-READ-EVIDENCE\tthe audit role read and decrypted s3://cle2wa-s3-trail-master/AWSLogs/o-exampleorgid/111122223333/CloudTrail/us-east-1/"}},
		"no log file yet": {func(a *verifytest.Account) { a.LogFiles = nil }, []string{"ERROR\tACCESS-READ-EVIDENCE\tcould not check: no log file of account 111122223333 in us-east-1 since "}},
		"an administrator added to the audit group": {func(a *verifytest.Account) {
			a.IAM["GetGroup group-audit"] = strings.Replace(a.IAM["GetGroup group-audit"], "</Users>", "<member><UserName>mallory</UserName><Path>/</Path><UserId>AIDAMALLORY</UserId><Arn>arn:aws:iam::111122223333:user/mallory</Arn><CreateDate>2026-11-29T00:00:00Z</CreateDate></member></Users>", 1)
		}, []string{"FAIL\tDRIFT-GROUP-MEMBERS group-audit\tmembers: mallory, user-audit (synthesized: user-audit)"}},
		"AdministratorAccess attached to the audit role": {func(a *verifytest.Account) {
			a.IAM["ListAttachedRolePolicies role-audit"] = `<AttachedPolicies><member><PolicyName>AdministratorAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>`
		}, []string{"FAIL\tDRIFT-ROLE-ATTACHMENTS role-audit\tmanaged policies: arn:aws:iam::aws:policy/AdministratorAccess (synthesized: none)"}},
		"the audit role's trust opened": {func(a *verifytest.Account) {
			a.IAM["GetRole role-audit"] = strings.Replace(a.IAM["GetRole role-audit"], url.PathEscape("user/user-audit"), url.PathEscape("root"), 1)
		}, []string{"FAIL\tDRIFT-ROLE-TRUST role-audit\tchanged "}},
		// Each kind of policy document, widened in place.
		"the audit role's read policy widened": {func(a *verifytest.Account) {
			a.IAM["GetRolePolicy read-cloudtrail-logs"] = strings.Replace(a.IAM["GetRolePolicy read-cloudtrail-logs"], url.PathEscape(`"kms:GetKeyPolicy"`), url.PathEscape(`"kms:*"`), 1)
		}, []string{"FAIL\tDRIFT-ROLE-POLICY role-audit/read-cloudtrail-logs\tchanged ReadKeyPolicies: Actions: live "}},
		"the group's policy lets auditors assume another role": {func(a *verifytest.Account) {
			a.IAM["GetGroupPolicy assume-audit-role-with-mfa"] = strings.Replace(a.IAM["GetGroupPolicy assume-audit-role-with-mfa"], url.PathEscape("role/role-audit"), url.PathEscape("role/*"), 1)
		}, []string{"FAIL\tDRIFT-GROUP-POLICY group-audit/assume-audit-role-with-mfa\tchanged AssumeAuditRoleWithMFA: Resources: live "}},
		"a statement removed from the Logs key's policy": {func(a *verifytest.Account) {
			k := a.Keys["alias/kms-logs-master"]
			var doc map[string]any
			json.Unmarshal([]byte(k.Policy), &doc)
			doc["Statement"] = doc["Statement"].([]any)[1:]
			b, _ := json.Marshal(doc)
			k.Policy = string(b)
			a.Keys["alias/kms-logs-master"] = k
		}, []string{"FAIL\tDRIFT-KEY-POLICY alias/kms-logs-master\tmissing: "}},
		"AdministratorAccess attached to an auditor": {func(a *verifytest.Account) {
			a.IAM["ListAttachedUserPolicies user-audit"] = `<AttachedPolicies><member><PolicyName>AdministratorAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>`
		}, []string{"FAIL\tDRIFT-USER-POLICIES user-audit\tpolicies: arn:aws:iam::aws:policy/AdministratorAccess (synthesized: none)"}},
		// A new default version empties the deny of log reads without
		// touching its attachment.
		"a new default version of the deny policy": {func(a *verifytest.Account) {
			a.IAM["GetPolicy policy-deny-trail-log-reads"] = strings.Replace(a.IAM["GetPolicy policy-deny-trail-log-reads"], "v1", "v2", 1)
			a.IAM["GetPolicyVersion policy-deny-trail-log-reads"] = `<PolicyVersion><Document>` + url.PathEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`) + `</Document><VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>`
		}, []string{"FAIL\tDRIFT-MANAGED-POLICY policy-deny-trail-log-reads\tversion v2: "}},
		"an inline policy added to the audit group": {func(a *verifytest.Account) {
			a.IAM["ListGroupPolicies group-audit"] = strings.Replace(a.IAM["ListGroupPolicies group-audit"], "</PolicyNames>", "<member>decrypt-everything</member></PolicyNames>", 1)
		}, []string{"FAIL\tDRIFT-GROUP-POLICIES group-audit\tinline policies: assume-audit-role-with-mfa, decrypt-everything (synthesized: assume-audit-role-with-mfa)"}},
		"the topic's policy changed": {func(a *verifytest.Account) {
			a.TopicPolicy = strings.Replace(a.TopicPolicy, `"Service":"cloudwatch.amazonaws.com"`, `"AWS":"*"`, 1)
		}, []string{"FAIL\tDRIFT-TOPIC-POLICY arn:aws:sns:us-east-1:111122223333:topic-audit-alarms\tchanged CloudWatchAlarmsOfThisAccountPublish: Principals"}},
		// The outside review's departures: each class fails its check,
		// naming the resource, the field, the live and the synthesized
		// value.
		"an alarm's actions disabled": {func(a *verifytest.Account) {
			a.Alarms["cis-4.5-cloudtrail-changes"]["ActionsEnabled"] = false
		}, []string{"FAIL\tALARM cis-4.5-cloudtrail-changes\tactions_enabled: live false, synthesized true"}},
		"an alarm's action sent to another topic": {func(a *verifytest.Account) {
			a.Alarms["watch-key-policy-changes"]["AlarmActions"] = []any{"arn:aws:sns:us-east-1:111122223333:elsewhere"}
		}, []string{"FAIL\tALARM watch-key-policy-changes\talarm_actions: live arn:aws:sns:us-east-1:111122223333:elsewhere, synthesized arn:aws:sns:us-east-1:111122223333:topic-audit-alarms"}},
		"an alarm deleted": {func(a *verifytest.Account) { delete(a.Alarms, "watch-trail-heartbeat") }, []string{"FAIL\tALARM watch-trail-heartbeat\tmissing: DescribeAlarms does not find it"}},
		"an alarm's threshold raised": {func(a *verifytest.Account) {
			a.Alarms["cis-4.3-root-account-usage"]["Threshold"] = 1000.0
		}, []string{"FAIL\tALARM cis-4.3-root-account-usage\tthreshold: live 1000, synthesized 1"}},
		"a metric filter's pattern narrowed": {func(a *verifytest.Account) {
			for _, f := range a.MetricFilters {
				if f := f.(map[string]any); f["filterName"] == "cis-4.5-cloudtrail-changes" {
					f["filterPattern"] = `{ $.eventName = "Nothing" }`
				}
			}
		}, []string{"FAIL\tLOG-METRIC-FILTER cis-4.5-cloudtrail-changes\tpattern: live { $.eventName = \"Nothing\" }, synthesized { ($.eventName = CreateTrail) || "}},
		"a metric filter counting into another metric": {func(a *verifytest.Account) {
			for _, f := range a.MetricFilters {
				if f := f.(map[string]any); f["filterName"] == "cis-4.5-cloudtrail-changes" {
					f["metricTransformations"] = []any{map[string]any{"metricName": "Elsewhere", "metricNamespace": "Other", "metricValue": "1"}}
				}
			}
		}, []string{"FAIL\tLOG-METRIC-FILTER cis-4.5-cloudtrail-changes\tmetric_transformation.name: live Elsewhere, synthesized CloudTrailChanges; metric_transformation.namespace: live Other, synthesized CISBenchmark"}},
		"a metric filter deleted": {func(a *verifytest.Account) { a.MetricFilters = a.MetricFilters[1:] }, []string{"FAIL\tLOG-METRIC-FILTER ", "missing: the log group has no metric filter of that name"}},
		"a subscription filter streams the log group out": {func(a *verifytest.Account) {
			a.SubscriptionFilters = []any{map[string]any{"filterName": "copy", "logGroupName": "cloudtrail/trail-master", "filterPattern": "", "destinationArn": "arn:aws:kinesis:us-east-1:444455556666:stream/exfiltration"}}
		}, []string{"FAIL\tLOG-SUBSCRIPTION-FILTERS cloudtrail/trail-master\tsubscription filters: copy to arn:aws:kinesis:us-east-1:444455556666:stream/exfiltration (synthesized: none)"}},
		"the log group's retention shortened": {func(a *verifytest.Account) {
			a.LogGroups[0].(map[string]any)["retentionInDays"] = 1
		}, []string{"FAIL\tLOG-GROUP cloudtrail/trail-master\tretention_in_days: live 1, synthesized 365"}},
		"the log group's key removed": {func(a *verifytest.Account) {
			delete(a.LogGroups[0].(map[string]any), "kmsKeyId")
		}, []string{"FAIL\tLOG-GROUP cloudtrail/trail-master\tkms_key_id: live none, synthesized " + verifytest.KeyARN("monitoring_logs_key")}},
		"an address subscribed to the topic": {func(a *verifytest.Account) {
			a.Subscriptions = []string{"email mallory@example.com"}
		}, []string{"FAIL\tTOPIC-SUBSCRIPTIONS arn:aws:sns:us-east-1:111122223333:topic-audit-alarms\tsubscriptions: email mallory@example.com (synthesized: none)"}},
		"the topic's encryption removed": {func(a *verifytest.Account) { delete(a.Topic, "KmsMasterKeyId") }, []string{
			"FAIL\tTOPIC arn:aws:sns:us-east-1:111122223333:topic-audit-alarms\tkms_master_key_id: live none, synthesized " + verifytest.KeyARN("monitoring_topic_key")}},
		"an auditor added to an administrators' group": {func(a *verifytest.Account) {
			a.IAM["ListGroupsForUser user-audit"] = strings.Replace(a.IAM["ListGroupsForUser user-audit"], "</Groups>", "<member><GroupName>admins</GroupName><Path>/</Path><GroupId>AGPAADMINS</GroupId><Arn>arn:aws:iam::111122223333:group/admins</Arn><CreateDate>2026-11-29T00:00:00Z</CreateDate></member></Groups>", 1)
		}, []string{"FAIL\tIAM-USER user-audit\tgroups (aws_iam_group_membership): live admins, group-audit, synthesized group-audit"}},
		"the audit role's sessions lengthened": {func(a *verifytest.Account) {
			a.IAM["GetRole role-audit"] = strings.Replace(a.IAM["GetRole role-audit"], "<MaxSessionDuration>3600<", "<MaxSessionDuration>43200<", 1)
		}, []string{"FAIL\tIAM-ROLE role-audit\tmax_session_duration: live 43200, synthesized 3600"}},
		"an inventory of the log bucket": {func(a *verifytest.Account) {
			a.Buckets["cle2wa-s3-trail-master"].Inventory = `<InventoryConfiguration><Id>everything</Id><IsEnabled>true</IsEnabled><Destination><S3BucketDestination><Bucket>arn:aws:s3:::exfiltration</Bucket><Format>CSV</Format></S3BucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>`
		}, []string{"FAIL\tBUCKET-INVENTORY cle2wa-s3-trail-master\tinventory: everything to arn:aws:s3:::exfiltration (synthesized: none)"}},
		"an analytics export of the log bucket": {func(a *verifytest.Account) {
			a.Buckets["cle2wa-s3-trail-master"].Analytics = `<AnalyticsConfiguration><Id>export</Id><StorageClassAnalysis><DataExport><OutputSchemaVersion>V_1</OutputSchemaVersion><Destination><S3BucketDestination><Format>CSV</Format><Bucket>arn:aws:s3:::exfiltration</Bucket></S3BucketDestination></Destination></DataExport></StorageClassAnalysis></AnalyticsConfiguration>`
		}, []string{"FAIL\tBUCKET-ANALYTICS cle2wa-s3-trail-master\tanalytics: export to arn:aws:s3:::exfiltration (synthesized: none)"}},
		"event notifications of the access-log bucket": {func(a *verifytest.Account) {
			a.Buckets["cle2wa-s3-accesslog-master"].Notification = `<TopicConfiguration><Id>new</Id><Topic>arn:aws:sns:us-east-1:444455556666:exfiltration</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration>`
		}, []string{"FAIL\tBUCKET-NOTIFICATIONS cle2wa-s3-accesslog-master\tnotifications: SNS arn:aws:sns:us-east-1:444455556666:exfiltration (synthesized: none)"}},
		"Requester Pays on the log bucket": {func(a *verifytest.Account) { a.Buckets["cle2wa-s3-trail-master"].Payer = "Requester" }, []string{"FAIL\tBUCKET-REQUEST-PAYMENT cle2wa-s3-trail-master\tpayer Requester (synthesized: BucketOwner)"}},
		"a bucket in another region":       {func(a *verifytest.Account) { a.Buckets["cle2wa-s3-accesslog-master"].Location = "eu-west-1" }, []string{"FAIL\tBUCKET-REGION cle2wa-s3-accesslog-master\tregion eu-west-1 (synthesized: us-east-1)"}},
		"a trail of another home region":   {func(a *verifytest.Account) { a.Trail["HomeRegion"] = "eu-west-1" }, []string{"FAIL\tTRAIL-REGION\thome region eu-west-1 (synthesized: us-east-1)"}},
		"a key made multi-Region":          {func(a *verifytest.Account) { a.Keys["alias/kms-trail-master"].Metadata["MultiRegion"] = true }, []string{"FAIL\tKEY-SETTINGS alias/kms-trail-master\tmulti_region: live true, synthesized false"}},
		"DescribeAlarms denied": {func(a *verifytest.Account) { a.Denied = map[string]bool{"DescribeAlarms": true} }, []string{
			"ERROR\tALARM cis-4.5-cloudtrail-changes\tcould not check: cloudwatch:DescribeAlarms on alarm cis-4.5-cloudtrail-changes was denied"}},
		"DescribeSubscriptionFilters denied": {func(a *verifytest.Account) { a.Denied = map[string]bool{"DescribeSubscriptionFilters": true} }, []string{
			"ERROR\tLOG-SUBSCRIPTION-FILTERS cloudtrail/trail-master\tcould not check: logs:DescribeSubscriptionFilters on log group cloudtrail/trail-master was denied"}},
		// The evidence deny is gone from the log bucket's policy.
		"a bucket policy statement removed": {func(a *verifytest.Account) {
			var doc map[string]any
			json.Unmarshal([]byte(a.BucketPolicies["cle2wa-s3-trail-master"]), &doc)
			var kept []any
			for _, st := range doc["Statement"].([]any) {
				if st.(map[string]any)["Sid"] != "DenyEvidenceDestructionButBreakGlass" {
					kept = append(kept, st)
				}
			}
			doc["Statement"] = kept
			b, _ := json.Marshal(doc)
			a.BucketPolicies["cle2wa-s3-trail-master"] = string(b)
		}, []string{"FAIL\tDRIFT-BUCKET-POLICY cle2wa-s3-trail-master\tmissing: {\"Sid\":\"DenyEvidenceDestructionButBreakGlass\""}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			inProject(t)
			a := verifytest.Matching(t, goldenAudit(t), now)
			c.change(a)
			t.Setenv("AWS_ENDPOINT_URL", a.Start(t))
			cloudtest.Credentials(t)
			var out, errs bytes.Buffer
			code := commands.Verify(nil, &out, &errs)
			// The exit status: 1 when a check fails, else 3 when one
			// could not be made.
			wantCode := 0
			for _, want := range c.fail {
				switch {
				case strings.HasPrefix(want, "FAIL"):
					wantCode = 1
				case strings.HasPrefix(want, "ERROR") && wantCode == 0:
					wantCode = 3
				}
			}
			if code != wantCode {
				t.Errorf("expected exit %d, found %d:\n%s%s", wantCode, code, out.String(), errs.String())
			}
			for _, want := range append(c.fail, "as "+a.CallerARN) {
				if !strings.Contains(out.String(), want) {
					t.Errorf("expected %q in:\n%s", want, out.String())
				}
			}
			if os.Getenv("AUDIT_TRAIL_SHOW_OUTPUT") != "" {
				t.Log(out.String())
			}
			if failed := strings.Count(out.String(), "FAIL\t"); wantCode == 1 && name != "a missing trail" && failed != 1 {
				t.Errorf("expected one check to fail, found %d:\n%s", failed, out.String())
			}
		})
	}
}

// verifyMatching runs verify against the matching account, which must
// pass every check; it returns the account and verify's output. The rest
// of the test runs in the project's root (inProject).
func verifyMatching(t *testing.T) (*verifytest.Account, bytes.Buffer) {
	t.Helper()
	inProject(t)
	a := verifytest.Matching(t, goldenAudit(t), time.Now())
	t.Setenv("AWS_ENDPOINT_URL", a.Start(t))
	cloudtest.Credentials(t)
	var out, errs bytes.Buffer
	if code := commands.Verify(nil, &out, &errs); code != 0 {
		t.Fatalf("expected exit 0, found %d:\n%s%s", code, out.String(), errs.String())
	}
	return a, out
}

// TestVerifyPermissions: every call verify makes is allowed to the audit
// role by the synthesized policies (its own and the key, bucket and topic
// policies), and to a principal with docs/commands.md's minimal policy for
// verify, of which every statement is needed by some call.
func TestVerifyPermissions(t *testing.T) {
	a, _ := verifyMatching(t)
	golden, err := tfjson.Load("testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	m, ok := access.Find(golden.Stacks)
	audit := golden.Stack(stacks.AuditName)
	if !ok || audit == nil {
		t.Fatal("no audit stack")
	}
	// The model names each key by its Terraform name; the fake account
	// by an ARN of its own.
	keys := map[string]string{}
	for _, k := range audit.Resources("aws_kms_key") {
		keys[verifytest.KeyARN(k.Name)] = k.Address
	}
	request := func(c iameval.Caller, x verifytest.Call) iameval.Request {
		r := iameval.Request{Caller: c, Action: x.Action, Resource: x.Resource, ResourceAccount: access.Account, Kind: iameval.IdentityOnly,
			Context: map[string][]string{"aws:securetransport": {"true"}, "aws:multifactorauthpresent": {"true"}}}
		service, _, _ := strings.Cut(x.Action, ":")
		switch service {
		case "kms":
			address := keys[x.Resource]
			r.Resource, r.Kind, r.ResourcePolicy = m.Env.Key(strings.TrimPrefix(address, "aws_kms_key.")), iameval.KeyPolicy, m.KeyPolicy(address)
			for _, alias := range audit.Referring("aws_kms_alias", "target_key_id", address) {
				r.Context["kms:resourcealiases"] = append(r.Context["kms:resourcealiases"], alias.Attrs["name"].(string))
			}
		case "s3":
			bucket, _, _ := strings.Cut(strings.TrimPrefix(x.Resource, "arn:aws:s3:::"), "/")
			for _, b := range audit.Resources("aws_s3_bucket") {
				if b.Attrs["bucket"] == bucket {
					r.Kind, r.ResourcePolicy = iameval.Union, m.BucketPolicy(b.Address)
				}
			}
		case "sns":
			r.Kind, r.ResourcePolicy = iameval.Union, m.TopicPolicy(audit.Resources("aws_sns_topic")[0].Address)
		}
		if r.Kind == iameval.IdentityOnly && service == "s3" {
			t.Fatalf("%s: not a bucket of the stack", x.Resource)
		}
		return r
	}
	calls := a.Calls()
	if len(calls) < 30 {
		t.Fatalf("expected verify's calls to be recorded, found %d", len(calls))
	}
	var role iameval.Caller
	for _, p := range m.Personas() {
		if strings.HasPrefix(p.Name, "audit role") {
			role = p.Caller
		}
	}
	for _, x := range calls {
		if d := iameval.Evaluate(request(role, x)); !d.Allowed {
			t.Errorf("the audit role is refused %s on %s: %s", x.Action, x.Resource, d)
		}
	}

	// The minimal policy for verify that docs/commands.md gives.
	page, err := os.ReadFile("docs/commands.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(page), "the same test evaluates every recorded call with it")
	_, rest, _ = strings.Cut(rest, "```json\n")
	block, _, _ := strings.Cut(rest, "```")
	statements, err := verify.ParsePolicy(block)
	if err != nil {
		t.Fatalf("docs/commands.md's policy for verify: %v", err)
	}
	policy := func(skip int) iameval.Policy {
		p := iameval.Policy{Name: "docs/commands.md"}
		for i, s := range statements {
			if i == skip {
				continue
			}
			p.Statements = append(p.Statements, s)
		}
		return p
	}
	verifier := func(p iameval.Policy) iameval.Caller {
		return iameval.Caller{ARN: "arn:aws:iam::" + access.Account + ":role/verifier", Account: access.Account, Identity: []iameval.Policy{p}}
	}
	needed := make([]bool, len(statements))
	for _, x := range calls {
		if x.Action == "s3:GetObject" {
			continue // left out on purpose: the evidence check passes by IAM's refusal
		}
		if d := iameval.Evaluate(request(verifier(policy(-1)), x)); !d.Allowed {
			t.Errorf("docs/commands.md's policy for verify does not allow %s on %s: %s", x.Action, x.Resource, d)
		}
		for i := range statements {
			if !iameval.Evaluate(request(verifier(policy(i)), x)).Allowed {
				needed[i] = true
			}
		}
	}
	for i, n := range needed {
		if !n {
			t.Errorf("docs/commands.md's policy for verify: statement %s is needed by no call", statements[i].Sid)
		}
	}
}

// TestVerifyCannotStart: without credentials, or with settings that name
// another trail than the synthesis, verify stops before any check with
// exit status 2 and says why.
func TestVerifyCannotStart(t *testing.T) {
	golden, err := filepath.Abs("../../testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("no credentials", func(t *testing.T) {
		inProject(t)
		for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
			"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"} {
			t.Setenv(k, v)
		}
		var out, errs bytes.Buffer
		if code := commands.Verify(nil, &out, &errs); code != 2 || !strings.Contains(errs.String(), "error: no AWS credentials") || out.Len() > 0 {
			t.Errorf("expected exit 2 saying there are no credentials, found %d:\n%s%s", code, out.String(), errs.String())
		}
	})
	t.Run("settings of another trail", func(t *testing.T) {
		t.Setenv(commands.OutdirEnv, golden)
		cloudtest.Credentials(t)
		t.Chdir(t.TempDir())
		if err := os.WriteFile("cdktf.json", []byte(`{"app": "go run .", "context": {"accountName": "prod"}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errs bytes.Buffer
		want := `was synthesized for trail "trail-master" in us-east-1, and cdktf.json now says "trail-prod" in us-east-1: run ` + "`go run .`" + ` first`
		if code := commands.Verify(nil, &out, &errs); code != 2 || !strings.Contains(errs.String(), want) {
			t.Errorf("expected exit 2 saying %q, found %d:\n%s%s", want, code, out.String(), errs.String())
		}
	})
	// -role names the role of the log-archive layout's member accounts:
	// without accounts it has no use, and a role name IAM refuses is
	// refused before any call.
	for args, wants := range map[string][]string{
		"-role Reader":      {`-role "Reader" is for the log-archive layout (the setting accounts), and cdktf.json has none`},
		"-role role/Reader": {`-role: "role/Reader" is not a valid IAM role name`, `-role "role/Reader" is for the log-archive layout`},
	} {
		t.Run(args, func(t *testing.T) {
			inProject(t)
			cloudtest.Credentials(t)
			var out, errs bytes.Buffer
			code := commands.Verify(strings.Fields(args), &out, &errs)
			for _, want := range wants {
				if code != 2 || !strings.Contains(errs.String(), want) || out.Len() > 0 {
					t.Errorf("expected exit 2 saying %q, found %d:\n%s%s", want, code, out.String(), errs.String())
				}
			}
		})
	}
}

// TestVerifyComparesEveryAttribute: every attribute that the golden
// audit stack sets, on every resource type it synthesizes, is compared
// by a check of verify (verify.Compared) or has a reviewed reason why it
// cannot be read back (verify.Unread); each check named is one that
// verify reports against the matching account; each reason is for an
// attribute the stack sets.
func TestVerifyComparesEveryAttribute(t *testing.T) {
	_, out := verifyMatching(t)
	reported := map[string]bool{}
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Split(line, "\t"); len(f) == 3 {
			name, _, _ := strings.Cut(f[1], " ")
			reported[name] = true
		}
	}
	set := map[string]map[string]bool{}
	for typ, resources := range goldenAudit(t).Raw()["resource"].(map[string]any) {
		set[typ] = map[string]bool{}
		for _, r := range resources.(map[string]any) {
			for attr := range r.(map[string]any) {
				if slices.Contains(verify.Meta, attr) {
					continue
				}
				set[typ][attr] = true
				check, compared := verify.Compared[typ][attr]
				reason, unread := verify.Unread[typ][attr]
				switch {
				case compared && unread:
					t.Errorf("%s.%s: both compared (%s) and unread (%s)", typ, attr, check, reason)
				case !compared && !unread:
					t.Errorf("%s.%s: the golden audit stack sets it and verify has no comparison for it (verify.Compared) nor a reason why it cannot be read back (verify.Unread)", typ, attr)
				case compared && !reported[check]:
					t.Errorf("%s.%s: compared by %s, which verify does not report against the matching account:\n%s", typ, attr, check, out.String())
				}
			}
		}
	}
	// A check id means one fact everywhere: an id that package check
	// also reports is one of verify.SameFact.
	for _, c := range check.Pack {
		if reported[c.ID] && verify.SameFact[c.ID] == "" {
			t.Errorf("verify reports %s, which package check reports for another fact (%s): name verify's check otherwise, or give the one fact in verify.SameFact", c.ID, c.Description)
		}
	}
	for id := range verify.SameFact {
		if !reported[id] || !slices.ContainsFunc(check.Pack, func(c *check.Check) bool { return c.ID == id }) {
			t.Errorf("verify.SameFact names %s, which verify and check do not both report", id)
		}
	}
	for typ, attrs := range verify.Unread {
		for attr, reason := range attrs {
			if !set[typ][attr] || len(reason) < 20 {
				t.Errorf("%s.%s: a reason (%q) for an attribute the golden audit stack does not set, or no reason", typ, attr, reason)
			}
		}
	}
}

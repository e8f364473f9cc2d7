package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/cloud/cloudtest"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/stacks"
	"github.com/cle2wa/audit-trail/internal/verify"
)

// fakeAccount is the account verify checks: the answers of CloudTrail,
// KMS, S3, IAM, SNS and STS on loopback, in the API Reference's shapes.
type fakeAccount struct {
	trail     map[string]any // nil: no trail
	status    map[string]any
	selectors []any
	keyARN    string
	callerARN string
	// keys are the stack's keys by alias: their ARN and deployed policy;
	// bucketPolicies the deployed bucket policies by bucket.
	keys           map[string]fakeKey
	bucketPolicies map[string]string
	// iam are the answers of IAM by action and name ("GetRole role-audit"),
	// as XML result bodies; topicPolicy the alarm topic's policy.
	iam         map[string]string
	topicPolicy string
	// topic are the alarm topic's other attributes (KmsMasterKeyId,
	// DisplayName); subscriptions its subscriptions as "protocol endpoint".
	topic         map[string]string
	subscriptions []string
	// alarms are CloudWatch's metric alarms by name, in DescribeAlarms'
	// MetricAlarm shape; logGroups, metricFilters and subscriptionFilters
	// CloudWatch Logs' answers, in its JSON shapes.
	alarms                                        map[string]map[string]any
	logGroups, metricFilters, subscriptionFilters []any
	// buckets are each bucket's settings, as S3 answers them.
	buckets map[string]*fakeBucket
	// denied are the operations refused to the caller, as each service
	// refuses them.
	denied map[string]bool
	// logFiles are the keys of the log bucket's objects; unreadable says
	// that S3 refuses the caller their content (as it does when the key
	// policy denies kms:Decrypt).
	logFiles   []string
	unreadable bool
	// calls are the requests answered.
	mu    sync.Mutex
	calls []call
}

// call is a request the fake account answered, as IAM authorizes it:
// the action and the resource's ARN.
type call struct{ action, resource string }

// s3Actions are the IAM actions of the bucket subresources verify reads
// ("Actions, resources, and condition keys for Amazon S3",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
var s3Actions = map[string]string{
	"policy": "s3:GetBucketPolicy", "versioning": "s3:GetBucketVersioning", "encryption": "s3:GetEncryptionConfiguration",
	"publicAccessBlock": "s3:GetBucketPublicAccessBlock", "ownershipControls": "s3:GetBucketOwnershipControls",
	"logging": "s3:GetBucketLogging", "lifecycle": "s3:GetLifecycleConfiguration", "object-lock": "s3:GetBucketObjectLockConfiguration",
	"list-type": "s3:ListBucket", "replication": "s3:GetReplicationConfiguration",
	"location": "s3:GetBucketLocation", "requestPayment": "s3:GetBucketRequestPayment", "inventory": "s3:GetInventoryConfiguration",
	"analytics": "s3:GetAnalyticsConfiguration", "notification": "s3:GetBucketNotification",
}

// record notes the request r as the IAM action it needs and its resource
// (sts:GetCallerIdentity needs none).
func (a *fakeAccount) record(r *http.Request, target, op string, in fakeRequest) {
	const account = "111122223333"
	add := func(action, resource string) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.calls = append(a.calls, call{action, resource})
	}
	switch {
	case strings.HasPrefix(target, "CloudTrail_20131101."):
		add("cloudtrail:"+op, "arn:aws:cloudtrail:us-east-1:"+account+":trail/trail-master")
	case strings.HasPrefix(target, "TrentService."):
		for alias, k := range a.keys {
			if alias == in.KeyId || strings.HasSuffix(k.arn, "/"+in.KeyId) {
				add("kms:"+op, k.arn)
			}
		}
	case strings.HasPrefix(target, "Logs_20140328.") && op == "DescribeLogGroups":
		// DescribeLogGroups has no resource type: "*".
		add("logs:"+op, "*")
	case strings.HasPrefix(target, "Logs_20140328."):
		add("logs:"+op, "arn:aws:logs:us-east-1:"+account+":log-group:"+in.LogGroupName)
	case strings.HasPrefix(r.URL.Path, "/service/GraniteServiceVersion20100801/operation/"):
		for _, name := range in.AlarmNames {
			add("cloudwatch:"+op, "arn:aws:cloudwatch:us-east-1:"+account+":alarm:"+name)
		}
	case r.Form.Get("Action") == "GetCallerIdentity":
	case r.Form.Get("TopicArn") != "":
		add("sns:"+r.Form.Get("Action"), r.Form.Get("TopicArn"))
	case r.Form.Get("RoleName") != "":
		add("iam:"+r.Form.Get("Action"), "arn:aws:iam::"+account+":role/"+r.Form.Get("RoleName"))
	case r.Form.Get("GroupName") != "":
		add("iam:"+r.Form.Get("Action"), "arn:aws:iam::"+account+":group/"+r.Form.Get("GroupName"))
	case r.Form.Get("UserName") != "":
		add("iam:"+r.Form.Get("Action"), "arn:aws:iam::"+account+":user/"+r.Form.Get("UserName"))
	case r.Form.Get("PolicyArn") != "":
		add("iam:"+r.Form.Get("Action"), r.Form.Get("PolicyArn"))
	default:
		bucket, object, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if object != "" {
			add("s3:GetObject", "arn:aws:s3:::"+bucket+"/"+object)
			return
		}
		for sub, action := range s3Actions {
			if r.URL.Query().Has(sub) {
				add(action, "arn:aws:s3:::"+bucket)
			}
		}
	}
}

// list answers S3 ListObjectsV2 on the log bucket: the keys under prefix,
// or, with a delimiter, the folders below it.
func (a *fakeAccount) list(w http.ResponseWriter, q url.Values) {
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	var contents, folders []string
	seen := map[string]bool{}
	for _, k := range a.logFiles {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if i := strings.Index(rest, delimiter); delimiter != "" && i >= 0 {
			if folder := prefix + rest[:i+1]; !seen[folder] {
				seen[folder] = true
				folders = append(folders, "<CommonPrefixes><Prefix>"+folder+"</Prefix></CommonPrefixes>")
			}
			continue
		}
		contents = append(contents, "<Contents><Key>"+k+"</Key><Size>100</Size></Contents>")
	}
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `<ListBucketResult><Name>cle2wa-s3-trail-master</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>%s%s</ListBucketResult>`,
		prefix, len(contents)+len(folders), strings.Join(contents, ""), strings.Join(folders, ""))
}

// fakeBucket is a bucket's settings.
type fakeBucket struct {
	versioning, algorithm, key, ownership, logTarget, logPrefix, lockMode string
	// lifecycle is the rules' XML ("" for none); replicateTo the ARN of
	// a replication destination ("" for none).
	lifecycle, replicateTo  string
	lockDays                int
	publicAccess, bucketKey bool
	// location is the bucket's LocationConstraint ("" in us-east-1),
	// payer who pays for requests; inventory, analytics and notification
	// the XML of those configurations ("" for none).
	location, payer, inventory, analytics, notification string
}

// answer writes S3's XML answer for the bucket setting the query asks for.
func (b *fakeBucket) answer(w http.ResponseWriter, q url.Values) bool {
	w.Header().Set("Content-Type", "application/xml")
	switch {
	case q.Has("location"):
		if b.location == "" {
			fmt.Fprint(w, `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`)
		} else {
			fmt.Fprintf(w, `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">%s</LocationConstraint>`, b.location)
		}
	case q.Has("requestPayment"):
		fmt.Fprintf(w, `<RequestPaymentConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Payer>%s</Payer></RequestPaymentConfiguration>`, b.payer)
	case q.Has("inventory"):
		fmt.Fprintf(w, `<ListInventoryConfigurationsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>%s</ListInventoryConfigurationsResult>`, b.inventory)
	case q.Has("analytics"):
		fmt.Fprintf(w, `<ListBucketAnalyticsConfigurationResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>%s</ListBucketAnalyticsConfigurationResult>`, b.analytics)
	case q.Has("notification"):
		fmt.Fprintf(w, `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">%s</NotificationConfiguration>`, b.notification)
	case q.Has("versioning"):
		fmt.Fprintf(w, `<VersioningConfiguration><Status>%s</Status></VersioningConfiguration>`, b.versioning)
	case q.Has("encryption"):
		key := ""
		if b.key != "" {
			key = "<KMSMasterKeyID>" + b.key + "</KMSMasterKeyID>"
		}
		fmt.Fprintf(w, `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>%s</SSEAlgorithm>%s</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>%v</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`, b.algorithm, key, b.bucketKey)
	case q.Has("publicAccessBlock"):
		fmt.Fprintf(w, `<PublicAccessBlockConfiguration><BlockPublicAcls>%[1]v</BlockPublicAcls><IgnorePublicAcls>%[1]v</IgnorePublicAcls><BlockPublicPolicy>%[1]v</BlockPublicPolicy><RestrictPublicBuckets>%[1]v</RestrictPublicBuckets></PublicAccessBlockConfiguration>`, b.publicAccess)
	case q.Has("ownershipControls"):
		fmt.Fprintf(w, `<OwnershipControls><Rule><ObjectOwnership>%s</ObjectOwnership></Rule></OwnershipControls>`, b.ownership)
	case q.Has("logging"):
		if b.logTarget == "" {
			fmt.Fprint(w, `<BucketLoggingStatus/>`)
		} else {
			fmt.Fprintf(w, `<BucketLoggingStatus><LoggingEnabled><TargetBucket>%s</TargetBucket><TargetPrefix>%s</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`, b.logTarget, b.logPrefix)
		}
	case q.Has("replication"):
		if b.replicateTo == "" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `<Error><Code>ReplicationConfigurationNotFoundError</Code><Message>The replication configuration was not found</Message></Error>`)
		} else {
			fmt.Fprintf(w, `<ReplicationConfiguration><Role>arn:aws:iam::111122223333:role/replication</Role><Rule><ID>copy</ID><Status>Enabled</Status><Priority>1</Priority><Filter/><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication><Destination><Bucket>%s</Bucket></Destination></Rule></ReplicationConfiguration>`, b.replicateTo)
		}
	case q.Has("lifecycle"):
		if b.lifecycle == "" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `<Error><Code>NoSuchLifecycleConfiguration</Code><Message>The lifecycle configuration does not exist</Message></Error>`)
		} else {
			fmt.Fprintf(w, `<LifecycleConfiguration>%s</LifecycleConfiguration>`, b.lifecycle)
		}
	case q.Has("object-lock"):
		if b.lockMode == "" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `<Error><Code>ObjectLockConfigurationNotFoundError</Code><Message>Object Lock configuration does not exist for this bucket</Message></Error>`)
		} else {
			fmt.Fprintf(w, `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>%s</Mode><Days>%d</Days></DefaultRetention></Rule></ObjectLockConfiguration>`, b.lockMode, b.lockDays)
		}
	default:
		return false
	}
	return true
}

// fakeKey is a key of the fake account: its ARN, policy, state
// (Enabled, Disabled, PendingDeletion), the date of a scheduled deletion
// and whether it rotates.
type fakeKey struct {
	// metadata are the other KeyMetadata fields KMS reports: the key's
	// Description, KeySpec, KeyUsage and MultiRegion.
	metadata           map[string]any
	arn, policy, state string
	deletion           time.Time
	rotating           bool
}

// goldenAudit reads the golden audit stack.
func goldenAudit(t *testing.T) map[string]any {
	t.Helper()
	return readJSON(t, "testdata/golden/stacks/audit/cdk.tf.json")
}

// rendered is a policy document of the golden stack as Terraform renders
// it for AWS, written here and not by package verify: statements in
// reverse order, a single value as a string, the partition and account of
// the fake account.
func rendered(t *testing.T, doc map[string]any, name string) string {
	t.Helper()
	one := func(v []any) any {
		if len(v) == 1 {
			return v[0]
		}
		return v
	}
	statements := doc["data"].(map[string]any)["aws_iam_policy_document"].(map[string]any)[name].(map[string]any)["statement"].([]any)
	var out []any
	for i := len(statements) - 1; i >= 0; i-- {
		st := statements[i].(map[string]any)
		r := map[string]any{"Sid": st["sid"], "Effect": st["effect"]}
		for from, to := range map[string]string{"actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource"} {
			if v, ok := st[from].([]any); ok {
				r[to] = one(v)
			}
		}
		if ps, ok := st["principals"].([]any); ok {
			principal := map[string]any{}
			for _, p := range ps {
				p := p.(map[string]any)
				if p["type"] == "*" {
					r["Principal"] = "*"
					continue
				}
				principal[p["type"].(string)] = one(p["identifiers"].([]any))
			}
			if len(principal) > 0 {
				r["Principal"] = principal
			}
		}
		if cs, ok := st["condition"].([]any); ok {
			condition := map[string]any{}
			for _, c := range cs {
				c := c.(map[string]any)
				test := c["test"].(string)
				if condition[test] == nil {
					condition[test] = map[string]any{}
				}
				condition[test].(map[string]any)[c["variable"].(string)] = one(c["values"].([]any))
			}
			r["Condition"] = condition
		}
		out = append(out, r)
	}
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": out})
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`\$\{aws_kms_key\.(\w+)\.arn\}`)
	return keys.ReplaceAllStringFunc(strings.NewReplacer("${data.aws_partition.current_partition.partition}", "aws", "${data.aws_caller_identity.current_account.account_id}", "111122223333").Replace(string(b)),
		func(ref string) string { return fakeKeyARN(keys.FindStringSubmatch(ref)[1]) })
}

// fakeKeyARN is the ARN of the stack's key named name (its Terraform
// name) in the fake account.
func fakeKeyARN(name string) string {
	if name == "trail_key" {
		return trailKeyARN
	}
	return fmt.Sprintf("arn:aws:kms:us-east-1:111122223333:key/%08x-0000-0000-0000-000000000000", crc32.ChecksumIEEE([]byte(name)))
}

// matching is an account where the golden audit stack is deployed and
// working.
// trailKeyARN is the trail key of the fake account.
const trailKeyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func matching(t *testing.T, now time.Time) *fakeAccount {
	const account = "111122223333"
	keyARN := trailKeyARN
	doc := goldenAudit(t)
	resources := doc["resource"].(map[string]any)
	policyOf := func(ref any) string {
		return rendered(t, doc, strings.Split(ref.(string), ".")[2])
	}
	keys := map[string]fakeKey{}
	for _, a := range resources["aws_kms_alias"].(map[string]any) {
		a := a.(map[string]any)
		key := strings.Split(a["target_key_id"].(string), ".")[1]
		k := resources["aws_kms_key"].(map[string]any)[key].(map[string]any)
		keys[a["name"].(string)] = fakeKey{arn: fakeKeyARN(key), policy: policyOf(k["policy"]), state: "Enabled", rotating: true,
			metadata: map[string]any{"Description": k["description"], "KeySpec": k["customer_master_key_spec"], "KeyUsage": k["key_usage"], "MultiRegion": k["multi_region"]}}
	}
	buckets := map[string]string{}
	for _, p := range resources["aws_s3_bucket_policy"].(map[string]any) {
		p := p.(map[string]any)
		bucket := resources["aws_s3_bucket"].(map[string]any)[strings.Split(p["bucket"].(string), ".")[1]].(map[string]any)["bucket"].(string)
		buckets[bucket] = policyOf(p["policy"])
	}
	// The buckets as the audit stack deploys them: the log bucket
	// encrypted with the trail key, logging to the access-log bucket,
	// under Object Lock; the access-log bucket with SSE-S3.
	// Both keep every version, moving it to Glacier Instant Retrieval
	// after 90 days (the default settings: no logRetentionDays).
	const retention = `<Rule><ID>retention</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>` +
		`<Transition><Days>90</Days><StorageClass>GLACIER_IR</StorageClass></Transition>` +
		`<NoncurrentVersionTransition><NoncurrentDays>90</NoncurrentDays><StorageClass>GLACIER_IR</StorageClass></NoncurrentVersionTransition>` +
		`<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`
	settings := map[string]*fakeBucket{
		"cle2wa-s3-trail-master": {versioning: "Enabled", algorithm: "aws:kms", key: keyARN, ownership: "BucketOwnerEnforced",
			logTarget: "cle2wa-s3-accesslog-master", logPrefix: "cle2wa-s3-trail-master/", lockMode: "GOVERNANCE", lockDays: 365, publicAccess: true, lifecycle: retention, bucketKey: true},
		"cle2wa-s3-accesslog-master": {versioning: "Enabled", algorithm: "AES256", ownership: "BucketOwnerEnforced", publicAccess: true, lifecycle: retention},
	}
	for _, p := range resources["aws_s3_bucket_request_payment_configuration"].(map[string]any) {
		p := p.(map[string]any)
		bucket := resources["aws_s3_bucket"].(map[string]any)[strings.Split(p["bucket"].(string), ".")[1]].(map[string]any)["bucket"].(string)
		settings[bucket].payer = p["payer"].(string)
	}
	// IAM as the stack deploys it, policy documents URL-encoded as IAM
	// returns them (RFC 3986: a space is %20).
	enc := url.PathEscape
	docs := func(name string) string { return enc(rendered(t, doc, name)) }
	// A role's description and maximum session duration as synthesized
	// (IAM's default of an hour where the stack sets none).
	role := func(name string) string {
		r := resources["aws_iam_role"].(map[string]any)[name].(map[string]any)
		hours := 1.0
		if d, ok := r["max_session_duration"].(float64); ok {
			hours = d / 3600
		}
		return fmt.Sprintf(`<Description>%s</Description><MaxSessionDuration>%d</MaxSessionDuration>`, r["description"], int(hours*3600))
	}
	answers := map[string]string{
		"GetRole role-audit":                           `<Role><RoleName>role-audit</RoleName><Path>/</Path><RoleId>AROAEXAMPLE1</RoleId><Arn>arn:aws:iam::111122223333:role/role-audit</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate>` + role("audit_role") + `<AssumeRolePolicyDocument>` + docs("audit_role_trust") + `</AssumeRolePolicyDocument></Role>`,
		"GetRole role-trail-logs":                      `<Role><RoleName>role-trail-logs</RoleName><Path>/</Path><RoleId>AROAEXAMPLE2</RoleId><Arn>arn:aws:iam::111122223333:role/role-trail-logs</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate>` + role("monitoring_role") + `<AssumeRolePolicyDocument>` + docs("monitoring_role_trust") + `</AssumeRolePolicyDocument></Role>`,
		"GetUser user-audit":                           `<User><UserName>user-audit</UserName><Path>/</Path><UserId>AIDAEXAMPLE</UserId><Arn>arn:aws:iam::111122223333:user/user-audit</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate></User>`,
		"ListGroupsForUser user-audit":                 `<Groups><member><GroupName>group-audit</GroupName><Path>/</Path><GroupId>AGPAEXAMPLE</GroupId><Arn>arn:aws:iam::111122223333:group/group-audit</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate></member></Groups><IsTruncated>false</IsTruncated>`,
		"ListRolePolicies role-audit":                  `<PolicyNames><member>read-cloudtrail-logs</member></PolicyNames><IsTruncated>false</IsTruncated>`,
		"ListRolePolicies role-trail-logs":             `<PolicyNames><member>write-trail-log-group</member></PolicyNames><IsTruncated>false</IsTruncated>`,
		"GetRolePolicy read-cloudtrail-logs":           `<RoleName>role-audit</RoleName><PolicyName>read-cloudtrail-logs</PolicyName><PolicyDocument>` + docs("audit_role_read") + `</PolicyDocument>`,
		"GetRolePolicy write-trail-log-group":          `<RoleName>role-trail-logs</RoleName><PolicyName>write-trail-log-group</PolicyName><PolicyDocument>` + docs("monitoring_role_policy") + `</PolicyDocument>`,
		"ListAttachedRolePolicies role-audit":          `<AttachedPolicies/><IsTruncated>false</IsTruncated>`,
		"ListAttachedRolePolicies role-trail-logs":     `<AttachedPolicies/><IsTruncated>false</IsTruncated>`,
		"GetGroupPolicy assume-audit-role-with-mfa":    `<GroupName>group-audit</GroupName><PolicyName>assume-audit-role-with-mfa</PolicyName><PolicyDocument>` + docs("audit_group_policy") + `</PolicyDocument>`,
		"ListUserPolicies user-audit":                  `<PolicyNames/><IsTruncated>false</IsTruncated>`,
		"ListAttachedUserPolicies user-audit":          `<AttachedPolicies/><IsTruncated>false</IsTruncated>`,
		"GetPolicy policy-deny-trail-log-reads":        `<Policy><PolicyName>policy-deny-trail-log-reads</PolicyName><DefaultVersionId>v1</DefaultVersionId><PolicyId>ANPAEXAMPLE</PolicyId><Path>/</Path><Arn>arn:aws:iam::111122223333:policy/policy-deny-trail-log-reads</Arn><Description>` + resources["aws_iam_policy"].(map[string]any)["deny_log_reads"].(map[string]any)["description"].(string) + `</Description><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable></Policy>`,
		"GetPolicyVersion policy-deny-trail-log-reads": `<PolicyVersion><Document>` + docs("deny_log_reads") + `</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>`,
		"ListGroupPolicies group-audit":                `<PolicyNames><member>assume-audit-role-with-mfa</member></PolicyNames><IsTruncated>false</IsTruncated>`,
		"ListAttachedGroupPolicies group-audit":        `<AttachedPolicies><member><PolicyName>ReadOnlyAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn></member><member><PolicyName>policy-deny-trail-log-reads</PolicyName><PolicyArn>arn:aws:iam::111122223333:policy/policy-deny-trail-log-reads</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>`,
		"GetGroup group-audit":                         `<Group><GroupName>group-audit</GroupName><Path>/</Path><GroupId>AGPAEXAMPLE</GroupId><Arn>arn:aws:iam::111122223333:group/group-audit</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate></Group><Users><member><UserName>user-audit</UserName><Path>/</Path><UserId>AIDAEXAMPLE</UserId><Arn>arn:aws:iam::111122223333:user/user-audit</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate></member></Users><IsTruncated>false</IsTruncated>`,
	}
	// Today's log files in the trail's home region, and a digest.
	day := now.UTC().Format("2006/01/02")
	stamp := now.UTC().Format("20060102")
	folder := "AWSLogs/" + account + "/CloudTrail/us-east-1/" + day + "/"
	logFiles := []string{
		folder + account + "_CloudTrail_us-east-1_" + stamp + "T0000Z_AAAAAAAAAAAAAAAA.json.gz",
		folder + account + "_CloudTrail_us-east-1_" + stamp + "T0005Z_BBBBBBBBBBBBBBBB.json.gz",
		"AWSLogs/" + account + "/CloudTrail-Digest/us-east-1/" + day + "/" + account + "_CloudTrail-Digest_us-east-1_trail-master_us-east-1_" + stamp + "T010000Z.json.gz",
	}
	alarms, logGroups, filters := monitoringState(resources)
	topic := resources["aws_sns_topic"].(map[string]any)["monitoring_topic"].(map[string]any)
	return &fakeAccount{
		alarms: alarms, logGroups: logGroups, metricFilters: filters, subscriptionFilters: []any{},
		topic:    map[string]string{"KmsMasterKeyId": fakeKeyARN(strings.Split(topic["kms_master_key_id"].(string), ".")[1]), "DisplayName": topic["display_name"].(string)},
		logFiles: logFiles,
		iam:      answers, topicPolicy: rendered(t, doc, "monitoring_topic_policy"),
		keys: keys, bucketPolicies: buckets, buckets: settings,
		trail: map[string]any{
			"Name": "trail-master", "TrailARN": "arn:aws:cloudtrail:us-east-1:" + account + ":trail/trail-master", "HomeRegion": "us-east-1",
			"S3BucketName": "cle2wa-s3-trail-master", "IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true,
			"LogFileValidationEnabled": true, "IsOrganizationTrail": false, "KmsKeyId": keyARN,
			"CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:" + account + ":log-group:cloudtrail/trail-master:*",
			"CloudWatchLogsRoleArn":     "arn:aws:iam::" + account + ":role/role-trail-logs",
		},
		status: map[string]any{"IsLogging": true, "StartLoggingTime": float64(now.Add(-72 * time.Hour).Unix()),
			"LatestDeliveryTime": float64(now.Add(-5 * time.Minute).Unix()), "LatestDigestDeliveryTime": float64(now.Add(-40 * time.Minute).Unix())},
		selectors: []any{map[string]any{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []any{}, "ExcludeManagementEventSources": []any{}}},
		keyARN:    keyARN,
		callerARN: "arn:aws:sts::" + account + ":assumed-role/role-audit/alice",
	}
}

// monitoringState is the golden stack's log group, metric filters and
// alarms as CloudWatch Logs and CloudWatch describe them, the references
// resolved here (not by package verify) to the fake account's values.
func monitoringState(resources map[string]any) (alarms map[string]map[string]any, logGroups, filters []any) {
	const account = "111122223333"
	filterOf := regexp.MustCompile(`^\$\{aws_cloudwatch_log_metric_filter\.(\w+)\.metric_transformation\[0\]\.(\w+)\}$`)
	value := func(v any) string {
		s, _ := v.(string)
		switch {
		case filterOf.MatchString(s):
			m := filterOf.FindStringSubmatch(s)
			return resources["aws_cloudwatch_log_metric_filter"].(map[string]any)[m[1]].(map[string]any)["metric_transformation"].(map[string]any)[m[2]].(string)
		case strings.HasPrefix(s, "${aws_sns_topic."):
			name := resources["aws_sns_topic"].(map[string]any)[strings.Split(s, ".")[1]].(map[string]any)["name"].(string)
			return "arn:aws:sns:us-east-1:" + account + ":" + name
		case strings.HasPrefix(s, "${aws_cloudwatch_log_group."):
			return resources["aws_cloudwatch_log_group"].(map[string]any)[strings.Split(s, ".")[1]].(map[string]any)["name"].(string)
		case strings.HasPrefix(s, "${aws_kms_key."):
			return fakeKeyARN(strings.Split(s, ".")[1])
		}
		return s
	}
	values := func(v any) []any {
		var out []any
		for _, x := range v.([]any) {
			out = append(out, value(x))
		}
		return out
	}
	for _, g := range resources["aws_cloudwatch_log_group"].(map[string]any) {
		g := g.(map[string]any)
		arn := "arn:aws:logs:us-east-1:" + account + ":log-group:" + g["name"].(string)
		logGroups = append(logGroups, map[string]any{"logGroupName": g["name"], "arn": arn + ":*", "logGroupArn": arn,
			"kmsKeyId": value(g["kms_key_id"]), "retentionInDays": g["retention_in_days"], "metricFilterCount": len(resources["aws_cloudwatch_log_metric_filter"].(map[string]any))})
	}
	for _, f := range resources["aws_cloudwatch_log_metric_filter"].(map[string]any) {
		f := f.(map[string]any)
		m := f["metric_transformation"].(map[string]any)
		filters = append(filters, map[string]any{"filterName": f["name"], "filterPattern": f["pattern"], "logGroupName": value(f["log_group_name"]),
			"metricTransformations": []any{map[string]any{"metricName": m["name"], "metricNamespace": m["namespace"], "metricValue": m["value"]}}})
	}
	alarms = map[string]map[string]any{}
	for _, a := range resources["aws_cloudwatch_metric_alarm"].(map[string]any) {
		a := a.(map[string]any)
		name := a["alarm_name"].(string)
		alarm := map[string]any{"AlarmName": name, "AlarmArn": "arn:aws:cloudwatch:us-east-1:" + account + ":alarm:" + name, "StateValue": "OK"}
		for from, to := range map[string]string{"alarm_description": "AlarmDescription", "actions_enabled": "ActionsEnabled", "metric_name": "MetricName", "namespace": "Namespace",
			"statistic": "Statistic", "period": "Period", "evaluation_periods": "EvaluationPeriods", "datapoints_to_alarm": "DatapointsToAlarm", "threshold": "Threshold",
			"comparison_operator": "ComparisonOperator", "treat_missing_data": "TreatMissingData"} {
			if v, ok := a[from]; ok {
				alarm[to] = v
				if s, ok := v.(string); ok {
					alarm[to] = value(s)
				}
			}
		}
		for from, to := range map[string]string{"alarm_actions": "AlarmActions", "ok_actions": "OKActions"} {
			if v, ok := a[from]; ok {
				alarm[to] = values(v)
			}
		}
		if d, ok := a["dimensions"].(map[string]any); ok {
			var dimensions []any
			for k, v := range d {
				dimensions = append(dimensions, map[string]any{"Name": k, "Value": value(v)})
			}
			alarm["Dimensions"] = dimensions
		}
		alarms[name] = alarm
	}
	return alarms, logGroups, filters
}

// asCBOR is a value of the fake account in CBOR, as CloudWatch's RPC v2
// CBOR protocol carries it: the integers CloudWatch types as integers
// (Period, EvaluationPeriods, DatapointsToAlarm) as CBOR integers, other
// numbers as doubles.
func asCBOR(key string, v any) cbor.Value {
	switch v := v.(type) {
	case string:
		return cbor.String(v)
	case bool:
		return cbor.Bool(v)
	case float64:
		if key == "Period" || key == "EvaluationPeriods" || key == "DatapointsToAlarm" {
			return cbor.Uint(uint64(v))
		}
		return cbor.Float64(v)
	case []any:
		l := cbor.List{}
		for _, x := range v {
			l = append(l, asCBOR(key, x))
		}
		return l
	case map[string]any:
		m := cbor.Map{}
		for k, x := range v {
			m[k] = asCBOR(k, x)
		}
		return m
	}
	return &cbor.Nil{}
}

// fakeRequest is what the fake account reads of a JSON or CBOR request.
type fakeRequest struct {
	KeyId, LogGroupName, LogGroupNamePrefix string
	AlarmNames                              []string
}

func (a *fakeAccount) start(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	reply := func(w http.ResponseWriter, status int, body any) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		op := target[strings.LastIndex(target, ".")+1:]
		var in fakeRequest
		// CloudWatch: Smithy RPC v2 CBOR, the protocol of the SDK's
		// cloudwatch client (POST /service/<service>/operation/<op>).
		granite := r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor"
		switch {
		case granite:
			op = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
			body, _ := io.ReadAll(r.Body)
			if v, err := cbor.Decode(body); err == nil {
				if m, ok := v.(cbor.Map); ok {
					if names, ok := m["AlarmNames"].(cbor.List); ok {
						for _, n := range names {
							in.AlarmNames = append(in.AlarmNames, string(n.(cbor.String)))
						}
					}
				}
			}
		case target != "":
			json.NewDecoder(r.Body).Decode(&in)
		default:
			r.ParseForm()
		}
		a.record(r, target, op, in)
		if granite {
			w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
			w.Header().Set("Content-Type", "application/cbor")
			if a.denied[op] {
				w.WriteHeader(http.StatusBadRequest)
				w.Write(cbor.Encode(cbor.Map{"__type": cbor.String("AccessDenied"), "message": cbor.String("User: " + a.callerARN + " is not authorized to perform: cloudwatch:" + op)}))
				return
			}
			var found []any
			for _, n := range in.AlarmNames {
				if alarm, ok := a.alarms[n]; ok {
					found = append(found, alarm)
				}
			}
			w.Write(cbor.Encode(asCBOR("", map[string]any{"MetricAlarms": found, "CompositeAlarms": []any{}})))
			return
		}
		if b := a.buckets[strings.Trim(r.URL.Path, "/")]; b != nil && target == "" && b.answer(w, r.URL.Query()) {
			return
		}
		switch {
		case r.URL.Path == "/cle2wa-s3-trail-master" && r.URL.Query().Get("list-type") == "2":
			a.list(w, r.URL.Query())
		case strings.HasPrefix(r.URL.Path, "/cle2wa-s3-trail-master/") && a.unreadable:
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>User: `+a.callerARN+` is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access</Message></Error>`)
		case strings.HasPrefix(r.URL.Path, "/cle2wa-s3-trail-master/") && r.Header.Get("Range") == "bytes=0-0":
			w.Header().Set("Content-Range", "bytes 0-0/100")
			w.WriteHeader(http.StatusPartialContent)
			fmt.Fprint(w, "\x1f")
		case a.denied[op]:
			reply(w, http.StatusBadRequest, map[string]any{"__type": "AccessDeniedException", "message": "User: " + a.callerARN + " is not authorized to perform: kms:" + op})
		case r.URL.Query().Has("policy") && a.denied["GetBucketPolicy"]:
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
		case target == "" && r.ParseForm() == nil && a.denied[r.Form.Get("Action")]:
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: %s is not authorized to perform: iam:%s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, a.callerARN, r.Form.Get("Action"))
		case r.URL.Query().Has("policy"):
			// S3 GetBucketPolicy, path-style: the policy document itself.
			policy, ok := a.bucketPolicies[strings.Trim(r.URL.Path, "/")]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprint(w, `<Error><Code>NoSuchBucketPolicy</Code><Message>The bucket policy does not exist</Message></Error>`)
				return
			}
			fmt.Fprint(w, policy)
		case strings.HasPrefix(target, "CloudTrail_20131101.") && a.trail == nil:
			reply(w, http.StatusBadRequest, map[string]any{"__type": "TrailNotFoundException", "Message": "Unknown trail: trail-master for the user: 111122223333"})
		case op == "GetTrail":
			reply(w, http.StatusOK, map[string]any{"Trail": a.trail})
		case op == "GetTrailStatus":
			reply(w, http.StatusOK, a.status)
		case op == "GetEventSelectors":
			reply(w, http.StatusOK, map[string]any{"TrailARN": a.trail["TrailARN"], "EventSelectors": a.selectors})
		case op == "DescribeLogGroups":
			var found []any
			for _, g := range a.logGroups {
				if strings.HasPrefix(g.(map[string]any)["logGroupName"].(string), in.LogGroupNamePrefix) {
					found = append(found, g)
				}
			}
			reply(w, http.StatusOK, map[string]any{"logGroups": found})
		case op == "DescribeMetricFilters":
			reply(w, http.StatusOK, map[string]any{"metricFilters": a.metricFilters})
		case op == "DescribeSubscriptionFilters":
			reply(w, http.StatusOK, map[string]any{"subscriptionFilters": a.subscriptionFilters})
		case op == "DescribeKey":
			k, ok := a.keys[in.KeyId]
			if !ok {
				reply(w, http.StatusBadRequest, map[string]any{"__type": "NotFoundException", "message": "Alias " + in.KeyId + " is not found."})
				return
			}
			metadata := map[string]any{"KeyId": k.arn[strings.LastIndex(k.arn, "/")+1:], "Arn": k.arn, "Enabled": k.state == "Enabled", "KeyState": k.state, "KeyManager": "CUSTOMER"}
			for field, v := range k.metadata {
				metadata[field] = v
			}
			if !k.deletion.IsZero() {
				metadata["DeletionDate"] = float64(k.deletion.Unix())
			}
			reply(w, http.StatusOK, map[string]any{"KeyMetadata": metadata})
		case op == "GetKeyRotationStatus":
			for _, k := range a.keys {
				if strings.HasSuffix(k.arn, "/"+in.KeyId) {
					reply(w, http.StatusOK, map[string]any{"KeyRotationEnabled": k.rotating, "KeyId": k.arn})
					return
				}
			}
			reply(w, http.StatusBadRequest, map[string]any{"__type": "NotFoundException"})
		case op == "GetKeyPolicy":
			for _, k := range a.keys {
				if strings.HasSuffix(k.arn, "/"+in.KeyId) {
					reply(w, http.StatusOK, map[string]any{"Policy": k.policy, "PolicyName": "default"})
					return
				}
			}
			reply(w, http.StatusBadRequest, map[string]any{"__type": "NotFoundException"})
		case target == "" && r.ParseForm() == nil && r.Form.Get("Action") == "GetTopicAttributes":
			w.Header().Set("Content-Type", "text/xml")
			var policy bytes.Buffer
			xml.EscapeText(&policy, []byte(a.topicPolicy))
			var attributes strings.Builder
			for k, v := range a.topic {
				attributes.WriteString("<entry><key>" + k + "</key><value>")
				xml.EscapeText(&attributes, []byte(v))
				attributes.WriteString("</value></entry>")
			}
			fmt.Fprintf(w, `<GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetTopicAttributesResult><Attributes><entry><key>Policy</key><value>%s</value></entry>%s</Attributes></GetTopicAttributesResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetTopicAttributesResponse>`, policy.String(), attributes.String())
		case target == "" && r.Form.Get("Action") == "ListSubscriptionsByTopic":
			w.Header().Set("Content-Type", "text/xml")
			var members strings.Builder
			for i, sub := range a.subscriptions {
				protocol, endpoint, _ := strings.Cut(sub, " ")
				fmt.Fprintf(&members, `<member><TopicArn>%[1]s</TopicArn><Protocol>%[2]s</Protocol><SubscriptionArn>%[1]s:%08[4]d-0000-0000-0000-000000000000</SubscriptionArn><Owner>111122223333</Owner><Endpoint>%[3]s</Endpoint></member>`, r.Form.Get("TopicArn"), protocol, endpoint, i)
			}
			fmt.Fprintf(w, `<ListSubscriptionsByTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListSubscriptionsByTopicResult><Subscriptions>%s</Subscriptions></ListSubscriptionsByTopicResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListSubscriptionsByTopicResponse>`, members.String())
		case target == "" && r.Form.Get("Action") != "GetCallerIdentity":
			action := r.Form.Get("Action")
			policy := r.Form.Get("PolicyArn")
			name := cmp.Or(r.Form.Get("PolicyName"), r.Form.Get("RoleName"), r.Form.Get("GroupName"), r.Form.Get("UserName"), policy[strings.LastIndex(policy, "/")+1:])
			body, ok := a.iam[action+" "+name]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>%s %s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, action, name)
				return
			}
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<%[1]sResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><%[1]sResult>%[2]s</%[1]sResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></%[1]sResponse>`, action, body)
		case target == "":
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, a.callerARN)
		default:
			reply(w, http.StatusBadRequest, map[string]any{"__type": "UnknownOperationException"})
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestVerify runs `verify` with the real SDK against the fake account:
// everything passes where the golden stack is deployed and working, and
// each departure fails its check, and only its check.
func TestVerify(t *testing.T) {
	now := time.Now()
	cases := map[string]struct {
		change func(a *fakeAccount)
		fail   []string
	}{
		"deployed and working": {func(*fakeAccount) {}, nil},
		"logging stopped": {func(a *fakeAccount) {
			a.status["IsLogging"], a.status["StopLoggingTime"] = false, float64(now.Add(-3*time.Hour).Unix())
		}, []string{"FAIL\tTRAIL-LOGGING\tlogging stopped at"}},
		// A delivery error names the statements the delivery rests on.
		"a delivery error":                 {func(a *fakeAccount) { a.status["LatestDeliveryError"] = "AccessDenied" }, []string{"FAIL\tDELIVERY-S3\tlatest error: AccessDenied; this delivery rests on aws_kms_key.trail_key CloudTrailEncryptsLogs, aws_kms_key.trail_key CloudTrailDescribesKey, aws_kms_key.trail_key CloudTrailUsesBucketKey, aws_s3_bucket_policy.log_bucket_policy CloudTrailAclCheck, aws_s3_bucket_policy.log_bucket_policy CloudTrailWrite (their conditions: docs/service-conditions.md)"}},
		"a CloudWatch Logs delivery error": {func(a *fakeAccount) { a.status["LatestCloudWatchLogsDeliveryError"] = "AccessDeniedException" }, []string{"FAIL\tDELIVERY-CLOUDWATCH\tlatest error: AccessDeniedException; this delivery rests on aws_kms_key.monitoring_logs_key CloudWatchLogsUseKeyForTheTrailGroup, aws_iam_role.monitoring_role trust CloudTrailAssumesRole"}},
		"no digest for hours": {func(a *fakeAccount) {
			a.status["LatestDigestDeliveryTime"] = float64(now.Add(-5 * time.Hour).Unix())
		}, []string{"FAIL\tDELIVERY-RECENT\tlast digest 5h0m0s ago"}},
		"another key": {func(a *fakeAccount) {
			a.trail["KmsKeyId"] = "arn:aws:kms:us-east-1:111122223333:key/ffffffff-0000-0000-0000-000000000000"
		}, []string{"FAIL\tTRAIL-KMS\tencrypts with arn:aws:kms:us-east-1:111122223333:key/ffffffff"}},
		"validation turned off": {func(a *fakeAccount) { a.trail["LogFileValidationEnabled"] = false }, []string{"FAIL\tTRAIL-LOG-VALIDATION\tlog file validation: false"}},
		"write events only": {func(a *fakeAccount) {
			a.selectors = []any{map[string]any{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}}
		}, []string{"FAIL\tTRAIL-SELECTORS\tbasic WriteOnly management=true; synthesized: basic All management=true"}},
		"a missing trail": {func(a *fakeAccount) { a.trail = nil }, []string{"FAIL\tTRAIL-EXISTS\tcloudtrail:GetTrail on trail trail-master: TrailNotFoundException"}},
		// A caller without a permission: those checks cannot be made,
		// the others are, and the exit status says no verdict (3).
		"GetKeyPolicy, GetBucketPolicy and GetRole denied": {func(a *fakeAccount) {
			a.denied = map[string]bool{"GetKeyPolicy": true, "GetBucketPolicy": true, "GetRole": true}
		}, []string{
			"ERROR\tDRIFT-KEY-POLICY alias/kms-trail-master\tcould not check: kms:GetKeyPolicy on alias/kms-trail-master was denied; the caller needs kms:GetKeyPolicy on it",
			"ERROR\tDRIFT-BUCKET-POLICY cle2wa-s3-trail-master\tcould not check: s3:GetBucketPolicy on bucket cle2wa-s3-trail-master was denied; the caller needs s3:GetBucketPolicy on it (Access Denied)",
			"ERROR\tDRIFT-ROLE-TRUST role-audit\tcould not check: iam:GetRole on role role-audit was denied; the caller needs iam:GetRole on it",
			"PASS\tDRIFT-GROUP-MEMBERS group-audit", "PASS\tTRAIL-LOGGING",
		}},
		// Someone granted themselves decryption with the trail key.
		"a key policy widened": {func(a *fakeAccount) {
			k := a.keys["alias/kms-trail-master"]
			k.policy = strings.Replace(k.policy, `"AWS":"arn:aws:iam::111122223333:role/role-audit"`, `"AWS":["arn:aws:iam::111122223333:role/role-audit","arn:aws:iam::111122223333:user/mallory"]`, 1)
			a.keys["alias/kms-trail-master"] = k
		}, []string{"FAIL\tDRIFT-KEY-POLICY alias/kms-trail-master\tchanged ", "user/mallory"}},
		"versioning suspended":    {func(a *fakeAccount) { a.buckets["cle2wa-s3-accesslog-master"].versioning = "Suspended" }, []string{"FAIL\tBUCKET-VERSIONING cle2wa-s3-accesslog-master\tversioning Suspended (synthesized: Enabled)"}},
		"public access unblocked": {func(a *fakeAccount) { a.buckets["cle2wa-s3-trail-master"].publicAccess = false }, []string{"FAIL\tBUCKET-PUBLIC-ACCESS cle2wa-s3-trail-master\tblock_public_acls=false"}},
		"access logging off":      {func(a *fakeAccount) { a.buckets["cle2wa-s3-trail-master"].logTarget = "" }, []string{"FAIL\tBUCKET-LOGGING cle2wa-s3-trail-master\taccess logs to no access logging (synthesized: s3://cle2wa-s3-accesslog-master/cle2wa-s3-trail-master/)"}},
		"default encryption with another key": {func(a *fakeAccount) {
			a.buckets["cle2wa-s3-trail-master"].key = "arn:aws:kms:us-east-1:111122223333:key/other"
		}, []string{"FAIL\tBUCKET-ENCRYPTION cle2wa-s3-trail-master"}},
		"the trail delivers to CloudWatch Logs as another role": {func(a *fakeAccount) {
			a.trail["CloudWatchLogsRoleArn"] = "arn:aws:iam::111122223333:role/admin"
		}, []string{"FAIL\tTRAIL-CLOUDWATCH\tdelivers to arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail/trail-master:* as arn:aws:iam::111122223333:role/admin (synthesized: log group cloudtrail/trail-master, role role-trail-logs)"}},
		"the trail notifies a topic": {func(a *fakeAccount) {
			a.trail["SnsTopicARN"] = "arn:aws:sns:us-east-1:111122223333:elsewhere"
		}, []string{"FAIL\tTRAIL-NOTIFICATIONS\tfile delivery notices to arn:aws:sns:us-east-1:111122223333:elsewhere (synthesized: no topic)"}},
		"the log files replicated elsewhere": {func(a *fakeAccount) {
			a.buckets["cle2wa-s3-trail-master"].replicateTo = "arn:aws:s3:::exfiltration"
		}, []string{"FAIL\tBUCKET-REPLICATION cle2wa-s3-trail-master\treplicates to arn:aws:s3:::exfiltration (synthesized: no replication)"}},
		"the bucket key turned off": {func(a *fakeAccount) { a.buckets["cle2wa-s3-trail-master"].bucketKey = false }, []string{"FAIL\tBUCKET-ENCRYPTION cle2wa-s3-trail-master\tdefault encryption aws:kms " + trailKeyARN + ", bucket key false (synthesized: aws:kms " + trailKeyARN + ", bucket key true)"}},
		"Object Lock shortened":     {func(a *fakeAccount) { a.buckets["cle2wa-s3-trail-master"].lockDays = 1 }, []string{"FAIL\tBUCKET-OBJECT-LOCK cle2wa-s3-trail-master\tGOVERNANCE for 1 days (synthesized: GOVERNANCE for 365 days)"}},
		// Someone lets the evidence expire after a day.
		"an expiration added to the lifecycle": {func(a *fakeAccount) {
			b := a.buckets["cle2wa-s3-trail-master"]
			b.lifecycle = strings.Replace(b.lifecycle, "</Status>", "</Status><Expiration><Days>1</Days></Expiration>", 1)
		}, []string{"FAIL\tBUCKET-LIFECYCLE cle2wa-s3-trail-master\tlifecycle rule \"retention\" Enabled on \"\": abort uploads after 7 days; transitions [after 90 days to GLACIER_IR]; noncurrent transitions [after 90 days to GLACIER_IR]; expire after 1 days (synthesized: rule \"retention\""}},
		"an expiration on a date added to the lifecycle": {func(a *fakeAccount) {
			b := a.buckets["cle2wa-s3-trail-master"]
			b.lifecycle = strings.Replace(b.lifecycle, "</Status>", "</Status><Expiration><Date>2026-12-01T00:00:00Z</Date></Expiration>", 1)
		}, []string{"FAIL\tBUCKET-LIFECYCLE cle2wa-s3-trail-master\t", "; expire on 2026-12-01T00:00:00Z (synthesized: "}},
		"old versions capped by count": {func(a *fakeAccount) {
			b := a.buckets["cle2wa-s3-accesslog-master"]
			b.lifecycle = strings.Replace(b.lifecycle, "</Status>", "</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>", 1)
		}, []string{"FAIL\tBUCKET-LIFECYCLE cle2wa-s3-accesslog-master\t", "; expire noncurrent after 1 days keeping 1 newer versions (synthesized: "}},
		"management events of KMS excluded": {func(a *fakeAccount) {
			a.selectors = []any{map[string]any{"ReadWriteType": "All", "IncludeManagementEvents": true, "ExcludeManagementEventSources": []any{"kms.amazonaws.com"}}}
		}, []string{"FAIL\tTRAIL-SELECTORS\tbasic All management=true excluding [kms.amazonaws.com]; synthesized: basic All management=true"}},
		// The stack's keys are usable and rotate.
		"the trail key scheduled for deletion": {func(a *fakeAccount) {
			k := a.keys["alias/kms-trail-master"]
			k.state, k.deletion = "PendingDeletion", now.Add(7*24*time.Hour)
			a.keys["alias/kms-trail-master"] = k
		}, []string{"FAIL\tKEY-STATE alias/kms-trail-master\tPendingDeletion, deleted at " + now.Add(7*24*time.Hour).UTC().Format(time.RFC3339) + " (synthesized: Enabled)"}},
		"the Logs key's rotation turned off": {func(a *fakeAccount) {
			k := a.keys["alias/kms-logs-master"]
			k.rotating = false
			a.keys["alias/kms-logs-master"] = k
		}, []string{"FAIL\tKEY-ROTATION alias/kms-logs-master\tautomatic rotation false (synthesized: true)"}},
		"a policy in the 2008 language": {func(a *fakeAccount) {
			a.bucketPolicies["cle2wa-s3-accesslog-master"] = strings.Replace(a.bucketPolicies["cle2wa-s3-accesslog-master"], "2012-10-17", "2008-10-17", 1)
		}, []string{"FAIL\tDRIFT-BUCKET-POLICY cle2wa-s3-accesslog-master\tVersion: live \"2008-10-17\", synthesized \"2012-10-17\""}},
		"the lifecycle deleted": {func(a *fakeAccount) { a.buckets["cle2wa-s3-accesslog-master"].lifecycle = "" }, []string{"FAIL\tBUCKET-LIFECYCLE cle2wa-s3-accesslog-master\ts3:GetLifecycleConfiguration on bucket cle2wa-s3-accesslog-master: NoSuchLifecycleConfiguration"}},
		// What the caller can read: the audit role reads the newest log
		// file, an administrator is refused it.
		"the audit role reads the evidence": {func(a *fakeAccount) {}, []string{
			"PASS\tACCESS-READ-EVIDENCE\tthe audit role read and decrypted s3://cle2wa-s3-trail-master/AWSLogs/111122223333/CloudTrail/us-east-1/" + now.UTC().Format("2006/01/02") + "/111122223333_CloudTrail_us-east-1_" + now.UTC().Format("20060102") + "T0005Z_BBBBBBBBBBBBBBBB.json.gz, as it must",
		}},
		"an administrator is refused the evidence": {func(a *fakeAccount) {
			a.callerARN, a.unreadable = "arn:aws:sts::111122223333:assumed-role/AdministratorRole/bob", true
		}, []string{"PASS\tACCESS-READ-EVIDENCE\tarn:aws:sts::111122223333:assumed-role/AdministratorRole/bob was refused s3://cle2wa-s3-trail-master/AWSLogs/111122223333/CloudTrail/us-east-1/", "by the trail key (AccessDenied: kms:Decrypt), as everyone but the audit role role-audit must be"}},
		"the audit role of another account": {func(a *fakeAccount) {
			a.callerARN, a.unreadable = "arn:aws:sts::444455556666:assumed-role/role-audit/eve", true
		}, []string{"PASS\tACCESS-READ-EVIDENCE\tarn:aws:sts::444455556666:assumed-role/role-audit/eve was refused"}},
		"an administrator reads the evidence": {func(a *fakeAccount) {
			a.callerARN = "arn:aws:sts::111122223333:assumed-role/AdministratorRole/bob"
		}, []string{"FAIL\tACCESS-READ-EVIDENCE\tarn:aws:sts::111122223333:assumed-role/AdministratorRole/bob read and decrypted s3://cle2wa-s3-trail-master/", "only the audit role role-audit may"}},
		"the audit role is refused the evidence": {func(a *fakeAccount) { a.unreadable = true }, []string{"FAIL\tACCESS-READ-EVIDENCE\tthe audit role was refused s3://cle2wa-s3-trail-master/AWSLogs/", "(AccessDenied: User: arn:aws:sts::111122223333:assumed-role/role-audit/alice is not authorized to perform: kms:Decrypt"}},
		// An organization trail's files are under the organization's
		// folder: the newest of the caller's account is found there.
		"an organization trail's evidence": {func(a *fakeAccount) {
			for i, k := range a.logFiles {
				a.logFiles[i] = strings.Replace(k, "AWSLogs/", "AWSLogs/o-exampleorgid/", 1)
			}
		}, []string{"PASS\tACCESS-READ-EVIDENCE\tthe audit role read and decrypted s3://cle2wa-s3-trail-master/AWSLogs/o-exampleorgid/111122223333/CloudTrail/us-east-1/"}},
		"no log file yet": {func(a *fakeAccount) { a.logFiles = nil }, []string{"ERROR\tACCESS-READ-EVIDENCE\tcould not check: no log file of account 111122223333 in us-east-1 since "}},
		"an administrator added to the audit group": {func(a *fakeAccount) {
			a.iam["GetGroup group-audit"] = strings.Replace(a.iam["GetGroup group-audit"], "</Users>", "<member><UserName>mallory</UserName><Path>/</Path><UserId>AIDAMALLORY</UserId><Arn>arn:aws:iam::111122223333:user/mallory</Arn><CreateDate>2026-11-29T00:00:00Z</CreateDate></member></Users>", 1)
		}, []string{"FAIL\tDRIFT-GROUP-MEMBERS group-audit\tmembers: mallory, user-audit (synthesized: user-audit)"}},
		"AdministratorAccess attached to the audit role": {func(a *fakeAccount) {
			a.iam["ListAttachedRolePolicies role-audit"] = `<AttachedPolicies><member><PolicyName>AdministratorAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>`
		}, []string{"FAIL\tDRIFT-ROLE-ATTACHMENTS role-audit\tmanaged policies: arn:aws:iam::aws:policy/AdministratorAccess (synthesized: none)"}},
		"the audit role's trust opened": {func(a *fakeAccount) {
			a.iam["GetRole role-audit"] = strings.Replace(a.iam["GetRole role-audit"], url.PathEscape("user/user-audit"), url.PathEscape("root"), 1)
		}, []string{"FAIL\tDRIFT-ROLE-TRUST role-audit\tchanged "}},
		// Each kind of policy document, widened in place.
		"the audit role's read policy widened": {func(a *fakeAccount) {
			a.iam["GetRolePolicy read-cloudtrail-logs"] = strings.Replace(a.iam["GetRolePolicy read-cloudtrail-logs"], url.PathEscape(`"kms:GetKeyPolicy"`), url.PathEscape(`"kms:*"`), 1)
		}, []string{"FAIL\tDRIFT-ROLE-POLICY role-audit/read-cloudtrail-logs\tchanged ReadKeyPolicies: Actions: live "}},
		"the group's policy lets auditors assume another role": {func(a *fakeAccount) {
			a.iam["GetGroupPolicy assume-audit-role-with-mfa"] = strings.Replace(a.iam["GetGroupPolicy assume-audit-role-with-mfa"], url.PathEscape("role/role-audit"), url.PathEscape("role/*"), 1)
		}, []string{"FAIL\tDRIFT-GROUP-POLICY group-audit/assume-audit-role-with-mfa\tchanged AssumeAuditRoleWithMFA: Resources: live "}},
		"a statement removed from the Logs key's policy": {func(a *fakeAccount) {
			k := a.keys["alias/kms-logs-master"]
			var doc map[string]any
			json.Unmarshal([]byte(k.policy), &doc)
			doc["Statement"] = doc["Statement"].([]any)[1:]
			b, _ := json.Marshal(doc)
			k.policy = string(b)
			a.keys["alias/kms-logs-master"] = k
		}, []string{"FAIL\tDRIFT-KEY-POLICY alias/kms-logs-master\tmissing: "}},
		"AdministratorAccess attached to an auditor": {func(a *fakeAccount) {
			a.iam["ListAttachedUserPolicies user-audit"] = `<AttachedPolicies><member><PolicyName>AdministratorAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>`
		}, []string{"FAIL\tDRIFT-USER-POLICIES user-audit\tpolicies: arn:aws:iam::aws:policy/AdministratorAccess (synthesized: none)"}},
		// A new default version empties the deny of log reads without
		// touching its attachment.
		"a new default version of the deny policy": {func(a *fakeAccount) {
			a.iam["GetPolicy policy-deny-trail-log-reads"] = strings.Replace(a.iam["GetPolicy policy-deny-trail-log-reads"], "v1", "v2", 1)
			a.iam["GetPolicyVersion policy-deny-trail-log-reads"] = `<PolicyVersion><Document>` + url.PathEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`) + `</Document><VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>`
		}, []string{"FAIL\tDRIFT-MANAGED-POLICY policy-deny-trail-log-reads\tversion v2: "}},
		"an inline policy added to the audit group": {func(a *fakeAccount) {
			a.iam["ListGroupPolicies group-audit"] = strings.Replace(a.iam["ListGroupPolicies group-audit"], "</PolicyNames>", "<member>decrypt-everything</member></PolicyNames>", 1)
		}, []string{"FAIL\tDRIFT-GROUP-POLICIES group-audit\tinline policies: assume-audit-role-with-mfa, decrypt-everything (synthesized: assume-audit-role-with-mfa)"}},
		"the topic's policy changed": {func(a *fakeAccount) {
			a.topicPolicy = strings.Replace(a.topicPolicy, `"Service":"cloudwatch.amazonaws.com"`, `"AWS":"*"`, 1)
		}, []string{"FAIL\tDRIFT-TOPIC-POLICY arn:aws:sns:us-east-1:111122223333:topic-audit-alarms\tchanged CloudWatchAlarmsOfThisAccountPublish: Principals"}},
		// The outside review's departures: each class fails its check,
		// naming the resource, the field, the live and the synthesized
		// value.
		"an alarm's actions disabled": {func(a *fakeAccount) {
			a.alarms["cis-4.5-cloudtrail-changes"]["ActionsEnabled"] = false
		}, []string{"FAIL\tALARM cis-4.5-cloudtrail-changes\tactions_enabled: live false, synthesized true"}},
		"an alarm's action sent to another topic": {func(a *fakeAccount) {
			a.alarms["watch-key-policy-changes"]["AlarmActions"] = []any{"arn:aws:sns:us-east-1:111122223333:elsewhere"}
		}, []string{"FAIL\tALARM watch-key-policy-changes\talarm_actions: live arn:aws:sns:us-east-1:111122223333:elsewhere, synthesized arn:aws:sns:us-east-1:111122223333:topic-audit-alarms"}},
		"an alarm deleted": {func(a *fakeAccount) { delete(a.alarms, "watch-trail-heartbeat") }, []string{"FAIL\tALARM watch-trail-heartbeat\tmissing: DescribeAlarms does not find it"}},
		"an alarm's threshold raised": {func(a *fakeAccount) {
			a.alarms["cis-4.3-root-account-usage"]["Threshold"] = 1000.0
		}, []string{"FAIL\tALARM cis-4.3-root-account-usage\tthreshold: live 1000, synthesized 1"}},
		"a metric filter's pattern narrowed": {func(a *fakeAccount) {
			for _, f := range a.metricFilters {
				if f := f.(map[string]any); f["filterName"] == "cis-4.5-cloudtrail-changes" {
					f["filterPattern"] = `{ $.eventName = "Nothing" }`
				}
			}
		}, []string{"FAIL\tLOG-METRIC-FILTER cis-4.5-cloudtrail-changes\tpattern: live { $.eventName = \"Nothing\" }, synthesized { ($.eventName = CreateTrail) || "}},
		"a metric filter counting into another metric": {func(a *fakeAccount) {
			for _, f := range a.metricFilters {
				if f := f.(map[string]any); f["filterName"] == "cis-4.5-cloudtrail-changes" {
					f["metricTransformations"] = []any{map[string]any{"metricName": "Elsewhere", "metricNamespace": "Other", "metricValue": "1"}}
				}
			}
		}, []string{"FAIL\tLOG-METRIC-FILTER cis-4.5-cloudtrail-changes\tmetric_transformation.name: live Elsewhere, synthesized CloudTrailChanges; metric_transformation.namespace: live Other, synthesized CISBenchmark"}},
		"a metric filter deleted": {func(a *fakeAccount) { a.metricFilters = a.metricFilters[1:] }, []string{"FAIL\tLOG-METRIC-FILTER ", "missing: the log group has no metric filter of that name"}},
		"a subscription filter streams the log group out": {func(a *fakeAccount) {
			a.subscriptionFilters = []any{map[string]any{"filterName": "copy", "logGroupName": "cloudtrail/trail-master", "filterPattern": "", "destinationArn": "arn:aws:kinesis:us-east-1:444455556666:stream/exfiltration"}}
		}, []string{"FAIL\tLOG-SUBSCRIPTION-FILTERS cloudtrail/trail-master\tsubscription filters: copy to arn:aws:kinesis:us-east-1:444455556666:stream/exfiltration (synthesized: none)"}},
		"the log group's retention shortened": {func(a *fakeAccount) {
			a.logGroups[0].(map[string]any)["retentionInDays"] = 1
		}, []string{"FAIL\tLOG-GROUP cloudtrail/trail-master\tretention_in_days: live 1, synthesized 365"}},
		"the log group's key removed": {func(a *fakeAccount) {
			delete(a.logGroups[0].(map[string]any), "kmsKeyId")
		}, []string{"FAIL\tLOG-GROUP cloudtrail/trail-master\tkms_key_id: live none, synthesized " + fakeKeyARN("monitoring_logs_key")}},
		"an address subscribed to the topic": {func(a *fakeAccount) {
			a.subscriptions = []string{"email mallory@example.com"}
		}, []string{"FAIL\tTOPIC-SUBSCRIPTIONS arn:aws:sns:us-east-1:111122223333:topic-audit-alarms\tsubscriptions: email mallory@example.com (synthesized: none)"}},
		"the topic's encryption removed": {func(a *fakeAccount) { delete(a.topic, "KmsMasterKeyId") }, []string{
			"FAIL\tTOPIC arn:aws:sns:us-east-1:111122223333:topic-audit-alarms\tkms_master_key_id: live none, synthesized " + fakeKeyARN("monitoring_topic_key")}},
		"an auditor added to an administrators' group": {func(a *fakeAccount) {
			a.iam["ListGroupsForUser user-audit"] = strings.Replace(a.iam["ListGroupsForUser user-audit"], "</Groups>", "<member><GroupName>admins</GroupName><Path>/</Path><GroupId>AGPAADMINS</GroupId><Arn>arn:aws:iam::111122223333:group/admins</Arn><CreateDate>2026-11-29T00:00:00Z</CreateDate></member></Groups>", 1)
		}, []string{"FAIL\tIAM-USER user-audit\tgroups (aws_iam_group_membership): live admins, group-audit, synthesized group-audit"}},
		"the audit role's sessions lengthened": {func(a *fakeAccount) {
			a.iam["GetRole role-audit"] = strings.Replace(a.iam["GetRole role-audit"], "<MaxSessionDuration>3600<", "<MaxSessionDuration>43200<", 1)
		}, []string{"FAIL\tIAM-ROLE role-audit\tmax_session_duration: live 43200, synthesized 3600"}},
		"an inventory of the log bucket": {func(a *fakeAccount) {
			a.buckets["cle2wa-s3-trail-master"].inventory = `<InventoryConfiguration><Id>everything</Id><IsEnabled>true</IsEnabled><Destination><S3BucketDestination><Bucket>arn:aws:s3:::exfiltration</Bucket><Format>CSV</Format></S3BucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>`
		}, []string{"FAIL\tBUCKET-INVENTORY cle2wa-s3-trail-master\tinventory: everything to arn:aws:s3:::exfiltration (synthesized: none)"}},
		"an analytics export of the log bucket": {func(a *fakeAccount) {
			a.buckets["cle2wa-s3-trail-master"].analytics = `<AnalyticsConfiguration><Id>export</Id><StorageClassAnalysis><DataExport><OutputSchemaVersion>V_1</OutputSchemaVersion><Destination><S3BucketDestination><Format>CSV</Format><Bucket>arn:aws:s3:::exfiltration</Bucket></S3BucketDestination></Destination></DataExport></StorageClassAnalysis></AnalyticsConfiguration>`
		}, []string{"FAIL\tBUCKET-ANALYTICS cle2wa-s3-trail-master\tanalytics: export to arn:aws:s3:::exfiltration (synthesized: none)"}},
		"event notifications of the access-log bucket": {func(a *fakeAccount) {
			a.buckets["cle2wa-s3-accesslog-master"].notification = `<TopicConfiguration><Id>new</Id><Topic>arn:aws:sns:us-east-1:444455556666:exfiltration</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration>`
		}, []string{"FAIL\tBUCKET-NOTIFICATIONS cle2wa-s3-accesslog-master\tnotifications: SNS arn:aws:sns:us-east-1:444455556666:exfiltration (synthesized: none)"}},
		"Requester Pays on the log bucket": {func(a *fakeAccount) { a.buckets["cle2wa-s3-trail-master"].payer = "Requester" }, []string{"FAIL\tBUCKET-REQUEST-PAYMENT cle2wa-s3-trail-master\tpayer Requester (synthesized: BucketOwner)"}},
		"a bucket in another region":       {func(a *fakeAccount) { a.buckets["cle2wa-s3-accesslog-master"].location = "eu-west-1" }, []string{"FAIL\tBUCKET-REGION cle2wa-s3-accesslog-master\tregion eu-west-1 (synthesized: us-east-1)"}},
		"a trail of another home region":   {func(a *fakeAccount) { a.trail["HomeRegion"] = "eu-west-1" }, []string{"FAIL\tTRAIL-REGION\thome region eu-west-1 (synthesized: us-east-1)"}},
		"a key made multi-Region":          {func(a *fakeAccount) { a.keys["alias/kms-trail-master"].metadata["MultiRegion"] = true }, []string{"FAIL\tKEY-SETTINGS alias/kms-trail-master\tmulti_region: live true, synthesized false"}},
		"DescribeAlarms denied": {func(a *fakeAccount) { a.denied = map[string]bool{"DescribeAlarms": true} }, []string{
			"ERROR\tALARM cis-4.5-cloudtrail-changes\tcould not check: cloudwatch:DescribeAlarms on alarm cis-4.5-cloudtrail-changes was denied"}},
		"DescribeSubscriptionFilters denied": {func(a *fakeAccount) { a.denied = map[string]bool{"DescribeSubscriptionFilters": true} }, []string{
			"ERROR\tLOG-SUBSCRIPTION-FILTERS cloudtrail/trail-master\tcould not check: logs:DescribeSubscriptionFilters on log group cloudtrail/trail-master was denied"}},
		// The evidence deny is gone from the log bucket's policy.
		"a bucket policy statement removed": {func(a *fakeAccount) {
			var doc map[string]any
			json.Unmarshal([]byte(a.bucketPolicies["cle2wa-s3-trail-master"]), &doc)
			var kept []any
			for _, st := range doc["Statement"].([]any) {
				if st.(map[string]any)["Sid"] != "DenyEvidenceDestructionButBreakGlass" {
					kept = append(kept, st)
				}
			}
			doc["Statement"] = kept
			b, _ := json.Marshal(doc)
			a.bucketPolicies["cle2wa-s3-trail-master"] = string(b)
		}, []string{"FAIL\tDRIFT-BUCKET-POLICY cle2wa-s3-trail-master\tmissing: {\"Sid\":\"DenyEvidenceDestructionButBreakGlass\""}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			a := matching(t, now)
			c.change(a)
			endpoint := a.start(t)
			t.Setenv("CDKTF_OUTDIR", "testdata/golden")
			t.Setenv("AWS_ENDPOINT_URL", endpoint)
			cloudtest.Credentials(t)
			var out, errs bytes.Buffer
			code := run([]string{"verify"}, nil, &out, &errs)
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
			for _, want := range append(c.fail, "as "+a.callerARN) {
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
// pass every check; it returns the account and verify's output.
func verifyMatching(t *testing.T) (*fakeAccount, bytes.Buffer) {
	t.Helper()
	a := matching(t, time.Now())
	t.Setenv("CDKTF_OUTDIR", "testdata/golden")
	t.Setenv("AWS_ENDPOINT_URL", a.start(t))
	cloudtest.Credentials(t)
	var out, errs bytes.Buffer
	if code := run([]string{"verify"}, nil, &out, &errs); code != 0 {
		t.Fatalf("expected exit 0, found %d:\n%s%s", code, out.String(), errs.String())
	}
	return a, out
}

// TestVerifyPermissions: every call verify makes is allowed to the audit
// role by the synthesized policies (its own and the key, bucket and topic
// policies), and to a principal with the README's minimal policy for
// verify, of which every statement is needed by some call.
func TestVerifyPermissions(t *testing.T) {
	a, _ := verifyMatching(t)
	golden, err := check.Load("testdata/golden")
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
		keys[fakeKeyARN(k.Name)] = k.Address
	}
	request := func(c iameval.Caller, x call) iameval.Request {
		r := iameval.Request{Caller: c, Action: x.action, Resource: x.resource, ResourceAccount: access.Account, Kind: iameval.IdentityOnly,
			Context: map[string][]string{"aws:securetransport": {"true"}, "aws:multifactorauthpresent": {"true"}}}
		service, _, _ := strings.Cut(x.action, ":")
		switch service {
		case "kms":
			address := keys[x.resource]
			r.Resource, r.Kind, r.ResourcePolicy = m.KeyARN(strings.TrimPrefix(address, "aws_kms_key.")), iameval.KeyPolicy, m.KeyPolicy(address)
			for _, alias := range audit.Referring("aws_kms_alias", "target_key_id", address) {
				r.Context["kms:resourcealiases"] = append(r.Context["kms:resourcealiases"], alias.Attrs["name"].(string))
			}
		case "s3":
			bucket, _, _ := strings.Cut(strings.TrimPrefix(x.resource, "arn:aws:s3:::"), "/")
			for _, b := range audit.Resources("aws_s3_bucket") {
				if b.Attrs["bucket"] == bucket {
					r.Kind, r.ResourcePolicy = iameval.Union, m.BucketPolicy(b.Address)
				}
			}
		case "sns":
			r.Kind, r.ResourcePolicy = iameval.Union, m.TopicPolicy(audit.Resources("aws_sns_topic")[0].Address)
		}
		if r.Kind == iameval.IdentityOnly && service == "s3" {
			t.Fatalf("%s: not a bucket of the stack", x.resource)
		}
		return r
	}
	if len(a.calls) < 30 {
		t.Fatalf("expected verify's calls to be recorded, found %d", len(a.calls))
	}
	var role iameval.Caller
	for _, p := range m.Personas() {
		if strings.HasPrefix(p.Name, "audit role") {
			role = p.Caller
		}
	}
	for _, x := range a.calls {
		if d := iameval.Evaluate(request(role, x)); !d.Allowed {
			t.Errorf("the audit role is refused %s on %s: %s", x.action, x.resource, d)
		}
	}

	// The README's minimal policy.
	_, rest, _ := strings.Cut(strings.Join(documentation(t), "\n"), "the same test evaluates every recorded call with it")
	_, rest, _ = strings.Cut(rest, "```json\n")
	block, _, _ := strings.Cut(rest, "```")
	statements, err := verify.ParsePolicy(block)
	if err != nil {
		t.Fatalf("the README's policy for verify: %v", err)
	}
	policy := func(skip int) iameval.Policy {
		p := iameval.Policy{Name: "README"}
		for i, s := range statements {
			if i == skip {
				continue
			}
			st := iameval.Statement{Sid: s.Sid, Effect: iameval.Effect(s.Effect), Actions: s.Actions, Resources: s.Resources}
			for k, v := range s.Conditions {
				op, key, _ := strings.Cut(k, " ")
				st.Conditions = append(st.Conditions, iameval.Condition{Operator: op, Key: key, Values: v})
			}
			p.Statements = append(p.Statements, st)
		}
		return p
	}
	verifier := func(p iameval.Policy) iameval.Caller {
		return iameval.Caller{ARN: "arn:aws:iam::" + access.Account + ":role/verifier", Account: access.Account, Identity: []iameval.Policy{p}}
	}
	needed := make([]bool, len(statements))
	for _, x := range a.calls {
		if x.action == "s3:GetObject" {
			continue // left out on purpose: the evidence check passes by IAM's refusal
		}
		if d := iameval.Evaluate(request(verifier(policy(-1)), x)); !d.Allowed {
			t.Errorf("the README's policy for verify does not allow %s on %s: %s", x.action, x.resource, d)
		}
		for i := range statements {
			if !iameval.Evaluate(request(verifier(policy(i)), x)).Allowed {
				needed[i] = true
			}
		}
	}
	for i, n := range needed {
		if !n {
			t.Errorf("the README's policy for verify: statement %s is needed by no call", statements[i].Sid)
		}
	}
}

// TestVerifyCannotStart: without credentials, or with settings that name
// another trail than the synthesis, verify stops before any check with
// exit status 2 and says why.
func TestVerifyCannotStart(t *testing.T) {
	golden, err := filepath.Abs("testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("no credentials", func(t *testing.T) {
		t.Setenv("CDKTF_OUTDIR", golden)
		for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
			"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"} {
			t.Setenv(k, v)
		}
		var out, errs bytes.Buffer
		if code := run([]string{"verify"}, nil, &out, &errs); code != 2 || !strings.Contains(errs.String(), "error: no AWS credentials") || out.Len() > 0 {
			t.Errorf("expected exit 2 saying there are no credentials, found %d:\n%s%s", code, out.String(), errs.String())
		}
	})
	t.Run("settings of another trail", func(t *testing.T) {
		t.Setenv("CDKTF_OUTDIR", golden)
		cloudtest.Credentials(t)
		t.Chdir(t.TempDir())
		if err := os.WriteFile("cdktf.json", []byte(`{"app": "go run .", "context": {"accountName": "prod"}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errs bytes.Buffer
		want := `was synthesized for trail "trail-master" in us-east-1, and cdktf.json now says "trail-prod" in us-east-1: run ` + "`go run .`" + ` first`
		if code := run([]string{"verify"}, nil, &out, &errs); code != 2 || !strings.Contains(errs.String(), want) {
			t.Errorf("expected exit 2 saying %q, found %d:\n%s%s", want, code, out.String(), errs.String())
		}
	})
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
	for typ, resources := range goldenAudit(t)["resource"].(map[string]any) {
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

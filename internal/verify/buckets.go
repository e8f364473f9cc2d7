package verify

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Buckets compares each bucket's settings with its synthesized
// companions: versioning, default encryption (and its key), the public
// access block, object ownership, server access logging and Object Lock.
func Buckets(ctx context.Context, c Clients, audit *tfjson.Doc, resolve func(string) string) []Result {
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
		result := func(aspect string, err error, pass bool, live, want string) {
			r := Result{Check: "BUCKET-" + aspect + " " + name, Pass: err == nil && pass}
			switch {
			case err != nil:
				r.Evidence = err.Error()
			case pass:
				r.Evidence = live
			default:
				r.Evidence = fmt.Sprintf("%s (synthesized: %s)", live, want)
			}
			out = append(out, r)
		}
		if v, ok := companion("aws_s3_bucket_versioning"); ok {
			want := str(tfjson.Get(v.Attrs, "versioning_configuration", "status"))
			got, err := c.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &name})
			live := ""
			if err == nil {
				live = string(got.Status)
			}
			result("VERSIONING", err, live == want, "versioning "+cmpOr(live, "never enabled"), want)
		}
		if e, ok := companion("aws_s3_bucket_server_side_encryption_configuration"); ok {
			byDefault := tfjson.Get(e.Attrs, "rule", "apply_server_side_encryption_by_default")
			want := str(tfjson.Get(byDefault, "sse_algorithm")) + " " + resolve(str(tfjson.Get(byDefault, "kms_master_key_id")))
			got, err := c.S3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &name})
			live := ""
			if err == nil && got.ServerSideEncryptionConfiguration != nil && len(got.ServerSideEncryptionConfiguration.Rules) > 0 {
				d := got.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
				if d != nil {
					live = string(d.SSEAlgorithm) + " " + aws.ToString(d.KMSMasterKeyID)
				}
			}
			result("ENCRYPTION", err, strings.TrimSpace(live) == strings.TrimSpace(want), "default encryption "+strings.TrimSpace(live), strings.TrimSpace(want))
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
			result("PUBLIC-ACCESS", err, strings.Join(live, " ") == strings.Join(want, " "), strings.Join(live, " "), strings.Join(want, " "))
		}
		if o, ok := companion("aws_s3_bucket_ownership_controls"); ok {
			want := str(tfjson.Get(o.Attrs, "rule", "object_ownership"))
			got, err := c.S3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &name})
			live := ""
			if err == nil && got.OwnershipControls != nil && len(got.OwnershipControls.Rules) > 0 {
				live = string(got.OwnershipControls.Rules[0].ObjectOwnership)
			}
			result("OWNERSHIP", err, live == want, "object ownership "+live, want)
		}
		if l, ok := companion("aws_s3_bucket_logging"); ok {
			want := "s3://" + resolve(str(l.Attrs["target_bucket"])) + "/" + str(l.Attrs["target_prefix"])
			got, err := c.S3.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: &name})
			live := "no access logging"
			if err == nil && got.LoggingEnabled != nil {
				live = "s3://" + aws.ToString(got.LoggingEnabled.TargetBucket) + "/" + aws.ToString(got.LoggingEnabled.TargetPrefix)
			}
			result("LOGGING", err, live == want, "access logs to "+live, want)
		}
		if l, ok := companion("aws_s3_bucket_object_lock_configuration"); ok {
			retention := tfjson.Get(l.Attrs, "rule", "default_retention")
			want := fmt.Sprintf("%v for %v days", tfjson.Get(retention, "mode"), tfjson.Get(retention, "days"))
			got, err := c.S3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &name})
			live := "no Object Lock"
			if err == nil && got.ObjectLockConfiguration != nil && got.ObjectLockConfiguration.Rule != nil && got.ObjectLockConfiguration.Rule.DefaultRetention != nil {
				d := got.ObjectLockConfiguration.Rule.DefaultRetention
				live = fmt.Sprintf("%s for %d days", d.Mode, aws.ToInt32(d.Days))
			}
			result("OBJECT-LOCK", err, live == want, live, want)
		}
	}
	return out
}

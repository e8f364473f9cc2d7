package verify

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Account is where the stack is deployed: what the synthesized
// references resolve to.
type Account struct {
	Partition, ID, Region string
	// Organization is the organization's ID, for an organization trail
	// ("" when unknown: references to it stay unresolved).
	Organization string
}

// reference is a Terraform reference in the synthesized JSON.
var reference = regexp.MustCompile(`\$\{((?:data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+))\.([a-z0-9_]+)\}`)

// metricReference is an alarm's reference to its metric filter's metric
// ("${aws_cloudwatch_log_metric_filter.<name>.metric_transformation[0].name}").
var metricReference = regexp.MustCompile(`\$\{(aws_cloudwatch_log_metric_filter\.[A-Za-z0-9_-]+)\.metric_transformation\[0\]\.([a-z_]+)\}`)

// resolver resolves the synthesized references to the account's values:
// ARNs built from the resources' names, as AWS builds them, and the keys'
// ARNs and IDs as KMS reports them for their aliases (keys holds them by
// Terraform address).
func resolver(d *tfjson.Doc, a Account, keys map[string]*kms.DescribeKeyOutput) func(string) string {
	return func(s string) string {
		s = metricReference.ReplaceAllStringFunc(s, func(ref string) string {
			m := metricReference.FindStringSubmatch(ref)
			if b, found := d.Find(m[1]); found {
				return str(tfjson.Get(b.Attrs, "metric_transformation", m[2]))
			}
			return ref
		})
		return reference.ReplaceAllStringFunc(s, func(ref string) string {
			m := reference.FindStringSubmatch(ref)
			address, typ, attr := m[1], m[2], m[4]
			b, found := d.Find(address)
			name := func(key string) string { return str(b.Attrs[key]) }
			switch {
			case typ == "aws_partition":
				return a.Partition
			case typ == "aws_caller_identity":
				return a.ID
			case typ == "aws_organizations_organization" && attr == "id" && a.Organization != "":
				return a.Organization
			case !found:
				return ref
			case typ == "aws_kms_key" && keys[address] != nil && attr == "arn":
				return aws.ToString(keys[address].KeyMetadata.Arn)
			case typ == "aws_kms_key" && keys[address] != nil && attr == "key_id":
				return aws.ToString(keys[address].KeyMetadata.KeyId)
			case typ == "aws_s3_bucket" && (attr == "id" || attr == "bucket"):
				return name("bucket")
			case typ == "aws_s3_bucket" && attr == "arn":
				return fmt.Sprintf("arn:%s:s3:::%s", a.Partition, name("bucket"))
			case typ == "aws_iam_role" && attr == "arn":
				return fmt.Sprintf("arn:%s:iam::%s:role/%s", a.Partition, a.ID, name("name"))
			case typ == "aws_iam_policy" && attr == "arn":
				return fmt.Sprintf("arn:%s:iam::%s:policy/%s", a.Partition, a.ID, name("name"))
			case typ == "aws_iam_user" && attr == "arn":
				return fmt.Sprintf("arn:%s:iam::%s:user/%s", a.Partition, a.ID, name("name"))
			case typ == "aws_cloudwatch_log_group" && attr == "arn":
				return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", a.Partition, a.Region, a.ID, name("name"))
			case typ == "aws_sns_topic" && attr == "arn":
				return fmt.Sprintf("arn:%s:sns:%s:%s:%s", a.Partition, a.Region, a.ID, name("name"))
			case typ == "aws_cloudtrail" && attr == "arn":
				return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", a.Partition, a.Region, a.ID, name("name"))
			case attr == "name":
				return name("name")
			}
			return ref
		})
	}
}

// Drift compares the deployed buckets' settings and the key and bucket
// policies with the synthesized stack, the policies semantically
// (statement order and formatting do not count): this is how a team
// learns that someone granted themselves decryption or opened a bucket.
func Drift(ctx context.Context, c Clients, audit *tfjson.Doc, a Account) []Result {
	var out []Result
	keys := map[string]*kms.DescribeKeyOutput{}
	for _, k := range audit.Resources("aws_kms_key") {
		aliases := audit.Referring("aws_kms_alias", "target_key_id", k.Address)
		if len(aliases) == 0 {
			continue
		}
		alias := str(aliases[0].Attrs["name"])
		d, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &alias})
		if err != nil {
			out = append(out, callFailed("DRIFT-KEY-POLICY "+alias, "kms:DescribeKey", alias, err))
			continue
		}
		keys[k.Address] = d
	}
	resolve := resolver(audit, a, keys)
	out = append(out, Buckets(ctx, c, audit, resolve)...)
	out = append(out, Identities(ctx, c, audit, resolve)...)
	out = append(out, Monitoring(ctx, c, audit, resolve)...)
	for _, k := range audit.Resources("aws_kms_key") {
		d := keys[k.Address]
		if d == nil {
			continue
		}
		alias := str(audit.Referring("aws_kms_alias", "target_key_id", k.Address)[0].Attrs["name"])
		out = append(out, keyState(alias, d.KeyMetadata))
		out = append(out, keySettings(alias, k, d.KeyMetadata))
		rotation, err := c.KMS.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: d.KeyMetadata.KeyId})
		if err != nil {
			out = append(out, callFailed("KEY-ROTATION "+alias, "kms:GetKeyRotationStatus", alias, err))
		} else {
			want := k.Attrs["enable_key_rotation"] == true
			out = append(out, Result{Check: "KEY-ROTATION " + alias, Pass: rotation.KeyRotationEnabled == want,
				Evidence: fmt.Sprintf("automatic rotation %v (synthesized: %v)", rotation.KeyRotationEnabled, want)})
		}
		p, err := c.KMS.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: d.KeyMetadata.KeyId, PolicyName: aws.String("default")})
		if err != nil {
			out = append(out, callFailed("DRIFT-KEY-POLICY "+alias, "kms:GetKeyPolicy", alias, err))
			continue
		}
		out = append(out, compare("DRIFT-KEY-POLICY "+alias, aws.ToString(p.Policy), audit, k.Attrs["policy"], resolve))
	}
	for _, p := range audit.Resources("aws_s3_bucket_policy") {
		bucket := resolve(str(p.Attrs["bucket"]))
		got, err := c.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
		if err != nil {
			out = append(out, callFailed("DRIFT-BUCKET-POLICY "+bucket, "s3:GetBucketPolicy", "bucket "+bucket, err))
			continue
		}
		out = append(out, compare("DRIFT-BUCKET-POLICY "+bucket, aws.ToString(got.Policy), audit, p.Attrs["policy"], resolve))
	}
	return out
}

// keyState checks that a key of the stack is enabled and not scheduled
// for deletion: a disabled key stops delivery, a deleted one makes the
// evidence it encrypted unreadable (KeyMetadata,
// https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html).
func keyState(alias string, m *kmstypes.KeyMetadata) Result {
	r := Result{Check: "KEY-STATE " + alias, Pass: m.KeyState == kmstypes.KeyStateEnabled && m.DeletionDate == nil, Evidence: string(m.KeyState)}
	if m.DeletionDate != nil {
		r.Evidence += ", deleted at " + m.DeletionDate.UTC().Format(time.RFC3339)
	}
	if !r.Pass {
		r.Evidence += " (synthesized: Enabled)"
	}
	return r
}

// keySettings compares a key's description, spec, usage and whether it
// is multi-Region (DescribeKey's KeyMetadata) with the synthesized ones;
// where the synthesis leaves one out, KMS's default applies
// (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, single-Region: CreateKey,
// https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
func keySettings(alias string, k tfjson.Block, m *kmstypes.KeyMetadata) Result {
	multiRegion := "false"
	if v, ok := k.Attrs["multi_region"].(bool); ok {
		multiRegion = fmt.Sprint(v)
	}
	return attributes("KEY-SETTINGS "+alias, []attribute{
		{"description", aws.ToString(m.Description), str(k.Attrs["description"])},
		{"customer_master_key_spec", string(m.KeySpec), cmp.Or(str(k.Attrs["customer_master_key_spec"]), string(kmstypes.KeySpecSymmetricDefault))},
		{"key_usage", string(m.KeyUsage), cmp.Or(str(k.Attrs["key_usage"]), string(kmstypes.KeyUsageTypeEncryptDecrypt))},
		{"multi_region", fmt.Sprint(aws.ToBool(m.MultiRegion)), multiRegion},
	})
}

// compare is the drift result of a live policy against the synthesized
// document that value refers to.
func compare(check, live string, audit *tfjson.Doc, value any, resolve func(string) string) Result {
	r := Result{Check: check}
	synthesized, ok := audit.Policy(value)
	if !ok {
		r.Evidence = "the synthesized policy is not a policy document of the stack"
		return r
	}
	got, err := ParsePolicy(live)
	if err != nil {
		r.Evidence = err.Error()
		return r
	}
	want := make([]Statement, len(synthesized))
	for i, s := range synthesized {
		want[i] = FromSynthesized(s, resolve)
	}
	diff := Diff(got, want)
	if v := Version(live); v != policyVersion {
		diff = append(diff, fmt.Sprintf("Version: live %q, synthesized %q", v, policyVersion))
	}
	r.Pass = len(diff) == 0
	r.Evidence = "matches the synthesized policy (1 statement)"
	if len(want) != 1 {
		r.Evidence = fmt.Sprintf("matches the synthesized policy (%d statements)", len(want))
	}
	if !r.Pass {
		r.Evidence = strings.Join(diff, "; ")
	}
	return r
}

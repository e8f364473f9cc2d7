package verify

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Account is where the stack is deployed: what the synthesized
// references resolve to.
type Account struct {
	arn.Env
	// Organization is the organization's ID, for an organization trail
	// ("" when unknown: references to it stay unresolved); Management its
	// management account, which the log-archive layout's member stacks
	// read from the organization ("" when unknown).
	Organization, Management string
}

// Resolver reads audit in the account a: its keys' ARNs and IDs as KMS
// reports them for their aliases (keys holds them by Terraform address,
// a data source's too: the key of another account the log-archive
// layout reads through its alias), and the organization's ID and
// management account when they are known.
func (a Account) Resolver(audit *tfjson.Doc, keys map[string]*kms.DescribeKeyOutput) *tfjson.Resolver {
	known := map[string]string{}
	for address, k := range keys {
		id := aws.ToString(k.KeyMetadata.KeyId)
		known[address+".arn"], known[address+".key_id"], known[address+".id"] = aws.ToString(k.KeyMetadata.Arn), id, id
	}
	for _, o := range audit.DataSources("aws_organizations_organization") {
		if a.Organization != "" {
			known[o.Address+".id"] = a.Organization
		}
		if a.Management != "" {
			known[o.Address+".master_account_id"] = a.Management
		}
	}
	return audit.Resolver(a.Env, known)
}

// describeKeys describes the keys the stack reads through a data source
// (aws_kms_key with a key_id, such as an alias ARN of another account),
// by their data source's address.
func describeKeys(ctx context.Context, c Clients, audit *tfjson.Doc, keys map[string]*kms.DescribeKeyOutput) []Result {
	var out []Result
	for _, k := range audit.DataSources("aws_kms_key") {
		id := str(k.Attrs["key_id"])
		d, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
		if err != nil {
			out = append(out, callFailed("KEY-READ "+id, "kms:DescribeKey", id, err))
			continue
		}
		keys[k.Address] = d
	}
	return out
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
	out = append(out, describeKeys(ctx, c, audit, keys)...)
	refs := a.Resolver(audit, keys)
	out = append(out, Buckets(ctx, c, audit, refs)...)
	out = append(out, Identities(ctx, c, audit, refs)...)
	out = append(out, Monitoring(ctx, c, audit, refs)...)
	out = append(out, IdentityCenter(ctx, c.SSOAdmin, audit, refs)...)
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
		out = append(out, compare("DRIFT-KEY-POLICY "+alias, aws.ToString(p.Policy), refs, k.Attrs["policy"]))
	}
	for _, p := range audit.Resources("aws_s3_bucket_policy") {
		bucket := refs.Resolve(str(p.Attrs["bucket"]))
		got, err := c.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
		if err != nil {
			out = append(out, callFailed("DRIFT-BUCKET-POLICY "+bucket, "s3:GetBucketPolicy", "bucket "+bucket, err))
			continue
		}
		out = append(out, compare("DRIFT-BUCKET-POLICY "+bucket, aws.ToString(got.Policy), refs, p.Attrs["policy"]))
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
func compare(check, live string, refs *tfjson.Resolver, value any) Result {
	r := Result{Check: check}
	synthesized, ok := refs.Policy(value)
	if !ok {
		r.Evidence = "the synthesized policy is not a policy document of the stack"
		return r
	}
	got, err := ParsePolicy(live)
	if err != nil {
		r.Evidence = err.Error()
		return r
	}
	want := make([]iameval.Statement, len(synthesized))
	for i, s := range synthesized {
		want[i] = Canonical(s)
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

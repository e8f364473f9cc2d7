package change

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// guardedBy maps each bucket companion resource to the S3 action that
// applying it calls: the actions the buckets' evidence deny refuses to
// everyone but the break-glass principals (logbucket.EvidenceActions).
var guardedBy = map[string]string{
	"aws_s3_bucket_object_lock_configuration": "s3:PutBucketObjectLockConfiguration",
	"aws_s3_bucket_lifecycle_configuration":   "s3:PutLifecycleConfiguration",
	"aws_s3_bucket_versioning":                "s3:PutBucketVersioning",
	"aws_s3_bucket_policy":                    "s3:PutBucketPolicy",
	"aws_s3_bucket_replication_configuration": "s3:PutReplicationConfiguration",
}

// compareBreakGlass notes each bucket setting added, changed (beyond
// Terraform's meta-arguments) or removed on a bucket the base already
// protects: the deployed policy denies the call to everyone but the
// break-glass principals, so the apply must run as one of them (or it
// stops part-way with AccessDenied). Removing a setting calls the same
// action (the provider's delete of an Object Lock configuration puts one
// without a rule), but for the policy itself, which DeleteBucketPolicy
// removes.
func (r *Report) compareBreakGlass(stack string, base, head *tfjson.Doc) {
	if base == nil || head == nil {
		return
	}
	was, is := blocks(base), blocks(head)
	for _, c := range r.Resources {
		action, guarded := guardedBy[typeOf(c.Address)]
		if c.Stack != stack || !guarded || c.Kind == "moved" || (c.Kind == "changed" && onlyMeta(was[c.Address], is[c.Address])) {
			continue
		}
		b, inHead := is[c.Address]
		if !inHead {
			b = was[c.Address]
			if action == "s3:PutBucketPolicy" {
				action = "s3:DeleteBucketPolicy"
			}
		}
		bucket, _, ok := tfjson.Ref(b.Attrs["bucket"])
		if _, deployed := was[bucket]; !ok || !deployed {
			continue
		}
		for _, p := range base.Referring("aws_s3_bucket_policy", "bucket", bucket) {
			statements, _ := base.Policy(p.Attrs["policy"])
			for _, s := range statements {
				if s.Effect != "Deny" || !slices.Contains(s.Actions, action) {
					continue
				}
				who := s.Condition("ArnNotEquals", "aws:PrincipalArn")
				r.BreakGlass = append(r.BreakGlass, fmt.Sprintf("`%s:%s` (%s): the deployed policy of %s denies %s to all but %s: apply as one of them",
					stack, c.Address, c.Kind, bucket, action, strings.Join(who, ", ")))
			}
		}
	}
}

// onlyMeta reports whether two versions of a resource differ only in
// Terraform's meta-arguments, which call no API.
func onlyMeta(a, b tfjson.Block) bool {
	strip := func(attrs map[string]any) map[string]any {
		out := maps.Clone(attrs)
		for _, k := range []string{"depends_on", "lifecycle", "//"} {
			delete(out, k)
		}
		return out
	}
	return reflect.DeepEqual(strip(a.Attrs), strip(b.Attrs))
}

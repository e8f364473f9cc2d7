package verify

import (
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// reliedOn names the statements of the audit stack that let AWS services
// make the deliveries a DELIVERY-* check reports on, as "<policy> <Sid>":
// where a delivery error points. Delivery to S3 (log files and digests)
// rests on CloudTrail's statements in the bucket and key policies;
// delivery to CloudWatch Logs on CloudTrail's trust in the writer role and
// Logs' use of its key (the role's own permissions come with it).
// docs/service-conditions.md shows the condition keys of each, and which
// of them no AWS page shows the service sending.
func reliedOn(audit *tfjson.Doc, check string) []string {
	var out []string
	for _, s := range access.New(audit).ServiceStatements() {
		kind, _, _ := strings.Cut(s.Policy, ".")
		byTrail := slices.Contains(s.Services, arn.CloudTrail)
		byLogs := slices.ContainsFunc(s.Services, func(p string) bool { return strings.HasPrefix(p, "logs.") })
		var relied bool
		switch check {
		case "DELIVERY-S3", "DELIVERY-DIGEST":
			relied = byTrail && (kind == "aws_s3_bucket_policy" || kind == "aws_kms_key")
		case "DELIVERY-CLOUDWATCH":
			relied = (byTrail && kind == "aws_iam_role") || (byLogs && kind == "aws_kms_key")
		}
		if relied {
			out = append(out, s.Policy+" "+s.Sid)
		}
	}
	return out
}

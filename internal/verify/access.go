package verify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/internal/layout"
)

// Reader says who is meant to read the evidence and where it is.
type Reader struct {
	// CallerARN is the identity that runs the checks (STS
	// GetCallerIdentity); AuditRole the name of the one role that may
	// read and decrypt the log files.
	CallerARN, AuditRole string
	// Bucket and Prefix locate the log files.
	Bucket, Prefix string
	// Env is the caller's account (whose folder is read) and the trail's
	// home region.
	Env arn.Env
	// Now is the time of the check: log files of this UTC day and the day
	// before are looked for.
	Now time.Time
	// Lister lists the log files when the caller may not (the log-archive
	// layout's management account, which the bucket policy refuses); nil:
	// the caller lists.
	Lister S3API
	// Check names the result; "" is ACCESS-READ-EVIDENCE.
	Check string
	// AuditAccount is the account of the audit role, when it is not
	// Env's (the log-archive layout's security account).
	AuditAccount string
}

// Access checks what the caller can do with the evidence: it reads the
// first byte of the newest log file in the caller's account folder (S3
// GetObject with a Range, which makes S3 decrypt with the trail key on
// the caller's behalf, "Specifying server-side encryption with AWS KMS
// (SSE-KMS)",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html).
// It changes nothing; the read is itself recorded (S3 server access log,
// and a KMS Decrypt event in the trail). The audit role must succeed;
// anyone else must be refused: S3 answers 403 AccessDenied when the key
// policy denies the caller kms:Decrypt.
//
// KMS Decrypt with DryRun would need the ciphertext of the object's data
// key, which S3 does not expose: a read is the only way to ask S3 and KMS
// together.
func Access(ctx context.Context, c Clients, r Reader) Result {
	out := Result{Check: cmp.Or(r.Check, "ACCESS-READ-EVIDENCE")}
	lister := r.Lister
	if lister == nil {
		lister = c.S3
	}
	key, err := newestLogFile(ctx, lister, r)
	if err != nil {
		return callFailed(out.Check, "s3:ListBucket", "bucket "+r.Bucket, err)
	}
	if key == "" {
		out.Error = true
		out.Evidence = fmt.Sprintf("could not check: no log file of account %s in %s since %s to read", r.Env.Account, r.Env.Region, r.Now.UTC().AddDate(0, 0, -1).Format(time.DateOnly))
		return out
	}
	location := "s3://" + r.Bucket + "/" + key
	got, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &r.Bucket, Key: &key, Range: aws.String("bytes=0-0")})
	var api smithy.APIError
	denied := refused(err) && errors.As(err, &api)
	if err != nil && !denied {
		return callFailed(out.Check, "s3:GetObject", location, err)
	}
	if got != nil {
		got.Body.Close()
	}
	auditRole := isRole(r.CallerARN, cmp.Or(r.AuditAccount, r.Env.Account), r.AuditRole)
	out.Pass = auditRole == !denied
	switch {
	case auditRole && !denied:
		out.Evidence = fmt.Sprintf("the audit role read and decrypted %s, as it must", location)
	case auditRole:
		out.Evidence = fmt.Sprintf("the audit role was refused %s (%s: %s): the auditors cannot read the evidence", location, api.ErrorCode(), api.ErrorMessage())
	case denied && strings.Contains(api.ErrorMessage(), "kms:Decrypt"):
		out.Evidence = fmt.Sprintf("%s was refused %s by the trail key (%s: kms:Decrypt), as everyone but the audit role %s must be", r.CallerARN, location, api.ErrorCode(), r.AuditRole)
	case denied:
		// S3 answers AccessDenied whether IAM, the bucket policy or the
		// key refused; the caller cannot read the evidence either way.
		out.Evidence = fmt.Sprintf("%s was refused %s (%s; S3 does not say whether IAM, the bucket policy or the key refused), as everyone but the audit role %s must be", r.CallerARN, location, api.ErrorCode(), r.AuditRole)
	default:
		out.Evidence = fmt.Sprintf("%s read and decrypted %s: only the audit role %s may; see the policy drift checks", r.CallerARN, location, r.AuditRole)
	}
	return out
}

// isRole says whether caller is a session of the role named role in
// account (arn:<partition>:sts::<account>:assumed-role/<role>/<session>).
func isRole(caller, account, role string) bool {
	parts := strings.SplitN(caller, ":", 6)
	return len(parts) == 6 && parts[2] == "sts" && parts[4] == account && strings.HasPrefix(parts[5], "assumed-role/"+role+"/")
}

// newestLogFile is the key of the newest log file of r's account and home
// region, today's or yesterday's, or "" when there is none. An
// organization trail writes the account's files under
// AWSLogs/<organization ID>/<account ID>/ ("Finding your CloudTrail log
// files", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html),
// so the organization's folder is found by listing AWSLogs/.
func newestLogFile(ctx context.Context, lister S3API, r Reader) (string, error) {
	prefix := strings.TrimSuffix(r.Prefix, "/")
	base := layout.Root(prefix)
	organizations := []string{""} // the account's own folder first
	top, err := lister.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &r.Bucket, Prefix: &base, Delimiter: aws.String("/")})
	if err != nil {
		return "", err
	}
	for _, p := range top.CommonPrefixes {
		if name := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(p.Prefix), base), "/"); strings.HasPrefix(name, "o-") {
			organizations = append(organizations, name)
		}
	}
	for _, day := range []time.Time{r.Now.UTC(), r.Now.UTC().AddDate(0, 0, -1)} {
		newest := ""
		for _, organization := range organizations {
			folder := layout.LogFolder(prefix, organization, r.Env.Account, r.Env.Region) + day.Format("2006/01/02") + "/"
			pages := s3.NewListObjectsV2Paginator(lister, &s3.ListObjectsV2Input{Bucket: &r.Bucket, Prefix: &folder})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return "", err
				}
				// Keys sort by their time stamp within a day's folder
				// (<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_...).
				for _, o := range page.Contents {
					if k := aws.ToString(o.Key); strings.HasSuffix(k, ".json.gz") && lastName(k) > lastName(newest) {
						newest = k
					}
				}
			}
		}
		if newest != "" {
			return newest, nil
		}
	}
	return "", nil
}

// lastName is the file name of key.
func lastName(key string) string {
	return key[strings.LastIndex(key, "/")+1:]
}

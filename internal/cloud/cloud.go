// Package cloud connects the post-deploy commands to AWS through the AWS
// SDK for Go v2: the standard credential chain and region resolution, and
// its standard endpoint overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>),
// by which the tests point it at servers on 127.0.0.1.
package cloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/cle2wa/audit-trail/internal/integrity"
)

// Clients are the SDK's clients of the commands.
type Clients struct {
	Account       *account.Client
	S3            *s3.Client
	CloudTrail    *cloudtrail.Client
	STS           *sts.Client
	Organizations *organizations.Client
	KMS           *kms.Client
	IAM           *iam.Client
	SNS           *sns.Client
	CloudWatch    *cloudwatch.Client
	Logs          *cloudwatchlogs.Client
	// config is what they were made of, for Assume.
	config aws.Config
}

// New loads the SDK's configuration for region (the home region of the
// trail, where its bucket is), gets its credentials (asking on stderr for
// an MFA code when the profile assumes a role with mfa_serial, as the
// audit role requires) and makes the clients. The SDK's own log lines
// (such as its fallback to IMDSv1 when no instance role exists) are
// silenced: the commands report every failure themselves.
func New(ctx context.Context, region string, prompt io.Writer) (*Clients, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region), config.WithLogger(logging.Nop{}),
		config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
			o.TokenProvider = func() (string, error) {
				fmt.Fprintf(prompt, "MFA code for %s: ", aws.ToString(o.SerialNumber))
				var code string
				_, err := fmt.Fscanln(os.Stdin, &code)
				return code, err
			}
		}))
	if err != nil {
		return nil, err
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("no AWS credentials (from the environment, a profile, SSO or an instance role): %w", err)
	}
	return clients(cfg), nil
}

// Assume makes the clients of a session of the role roleARN, which the
// caller of c assumes (STS AssumeRole, named session): the log-archive
// layout's member accounts, read from the management account.
func (c *Clients) Assume(ctx context.Context, roleARN, session string) (*Clients, error) {
	cfg := c.config.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(c.STS, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = session
	}))
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("sts:AssumeRole %s: %w", roleARN, err)
	}
	return clients(cfg), nil
}

// clients are the SDK's clients of cfg.
func clients(cfg aws.Config) *Clients {
	return &Clients{
		config: cfg,
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			// A server of one's own (AWS_ENDPOINT_URL_S3) answers at its
			// address, not at <bucket>.<address>.
			o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
			// Log files carry no S3 checksum unless one was sent with them:
			// their integrity is what the digests prove.
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		Account:       account.NewFromConfig(cfg),
		CloudTrail:    cloudtrail.NewFromConfig(cfg),
		STS:           sts.NewFromConfig(cfg),
		Organizations: organizations.NewFromConfig(cfg),
		KMS:           kms.NewFromConfig(cfg),
		IAM:           iam.NewFromConfig(cfg),
		SNS:           sns.NewFromConfig(cfg),
		CloudWatch:    cloudwatch.NewFromConfig(cfg),
		Logs:          cloudwatchlogs.NewFromConfig(cfg),
	}
}

// SSOAdmin is a client of IAM Identity Center in its region, which may
// not be the clients' (its permission sets are read in its primary
// region only).
func (c *Clients) SSOAdmin(region string) *ssoadmin.Client {
	return ssoadmin.NewFromConfig(c.config, func(o *ssoadmin.Options) { o.Region = region })
}

// Caller is who runs the command.
type Caller struct {
	Account, ARN, Partition string
}

// Identity asks STS who the caller is.
func (c *Clients) Identity(ctx context.Context) (Caller, error) {
	out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Caller{}, err
	}
	arn := aws.ToString(out.Arn)
	partition := "aws"
	if parts := strings.Split(arn, ":"); len(parts) > 1 {
		partition = parts[1]
	}
	return Caller{Account: aws.ToString(out.Account), ARN: arn, Partition: partition}, nil
}

// Organization returns the ID of the caller's organization
// (DescribeOrganization).
func (c *Clients) Organization(ctx context.Context) (string, error) {
	id, _, err := c.Membership(ctx)
	return id, err
}

// Membership returns the ID of the caller's organization and its
// management account (DescribeOrganization).
func (c *Clients) Membership(ctx context.Context) (id, management string, err error) {
	out, err := c.Organizations.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return "", "", err
	}
	return aws.ToString(out.Organization.Id), aws.ToString(out.Organization.MasterAccountId), nil
}

// Regions lists the caller's account's enabled regions (Account
// Management ListRegions, opt-in status ENABLED or ENABLED_BY_DEFAULT):
// the regions a multi-region trail logs, "all AWS Regions that are
// enabled in your account"
// (https://docs.aws.amazon.com/accounts/latest/reference/API_ListRegions.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-regional-and-multi-region-trails).
// The second list holds the regions enabled by default, which every
// account has enabled.
func (c *Clients) Regions(ctx context.Context) (enabled, byDefault []string, err error) {
	p := account.NewListRegionsPaginator(c.Account, &account.ListRegionsInput{
		RegionOptStatusContains: []accounttypes.RegionOptStatus{accounttypes.RegionOptStatusEnabled, accounttypes.RegionOptStatusEnabledByDefault},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range page.Regions {
			enabled = append(enabled, aws.ToString(r.RegionName))
			if r.RegionOptStatus == accounttypes.RegionOptStatusEnabledByDefault {
				byDefault = append(byDefault, aws.ToString(r.RegionName))
			}
		}
	}
	return enabled, byDefault, nil
}

// MultiRegion reports whether the trail of arn logs every enabled region
// (GetTrail's IsMultiRegionTrail; a single-region trail logs its home
// region only).
func (c *Clients) MultiRegion(ctx context.Context, arn string) (bool, error) {
	out, err := c.CloudTrail.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: &arn})
	if err != nil {
		return false, err
	}
	return aws.ToBool(out.Trail.IsMultiRegionTrail), nil
}

// Accounts lists the organization's active accounts that joined before
// end, with the time each joined (Organizations ListAccounts, from the
// management account): the accounts an organization trail logs.
func (c *Clients) Accounts(ctx context.Context, end time.Time) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	p := organizations.NewListAccountsPaginator(c.Organizations, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range page.Accounts {
			if a.State == orgtypes.AccountStateActive && a.JoinedTimestamp != nil && a.JoinedTimestamp.Before(end) {
				out[aws.ToString(a.Id)] = *a.JoinedTimestamp
			}
		}
	}
	return out, nil
}

// Store is a bucket read through S3 (integrity.Store).
type Store struct{ Client *s3.Client }

// Folders lists the folders under prefix (ListObjectsV2 with a
// delimiter).
func (s Store) Folders(ctx context.Context, bucket, prefix string) ([]string, error) {
	var out []string
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix, Delimiter: aws.String("/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, cp := range page.CommonPrefixes {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), prefix), "/"))
		}
	}
	return out, nil
}

// Keys lists the keys under prefix after startAfter, page by page.
func (s Store) Keys(ctx context.Context, bucket, prefix, startAfter string, fn func(string) bool) error {
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix, StartAfter: &startAfter})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			if !fn(aws.ToString(o.Key)) {
				return nil
			}
		}
	}
	return nil
}

// Open gets an object; the SDK gives its user metadata by lower-case
// name.
func (s Store) Open(ctx context.Context, bucket, key string) (io.ReadCloser, map[string]string, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		var missing *types.NoSuchKey
		var api smithy.APIError
		if errors.As(err, &missing) || (errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound")) {
			return nil, nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, integrity.ErrNotFound)
		}
		return nil, nil, err
	}
	meta := map[string]string{}
	for k, v := range out.Metadata {
		meta[strings.ToLower(k)] = v
	}
	return out.Body, meta, nil
}

// Versions lists the noncurrent versions of key, newest first
// (ListObjectVersions; integrity.Versions): what was overwritten or hidden
// by a delete marker in the versioned log bucket. The audit role may call
// it (s3:ListBucketVersions) and read them (s3:GetObjectVersion).
func (s Store) Versions(ctx context.Context, bucket, key string) ([]integrity.Version, error) {
	var out []integrity.Version
	in := &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &key}
	for pages := 0; pages < 4; pages++ {
		page, err := s.Client.ListObjectVersions(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Key) == key && !aws.ToBool(v.IsLatest) {
				out = append(out, integrity.Version{ID: aws.ToString(v.VersionId)})
			}
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
	return out, nil
}

// OpenVersion gets one version of an object.
func (s Store) OpenVersion(ctx context.Context, bucket, key, version string) (io.ReadCloser, map[string]string, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, VersionId: &version})
	if err != nil {
		return nil, nil, err
	}
	return out.Body, nil, nil
}

// Keys reads CloudTrail's public keys (integrity.Keys).
type Keys struct{ Client *cloudtrail.Client }

// PublicKeys calls ListPublicKeys in region: "CloudTrail uses different
// private and public key pairs per Region"
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListPublicKeys.html).
func (k Keys) PublicKeys(ctx context.Context, region string, start, end time.Time) ([]integrity.PublicKey, error) {
	var out []integrity.PublicKey
	in := &cloudtrail.ListPublicKeysInput{StartTime: &start, EndTime: &end}
	for {
		page, err := k.Client.ListPublicKeys(ctx, in, func(o *cloudtrail.Options) { o.Region = region })
		if err != nil {
			return nil, err
		}
		for _, p := range page.PublicKeyList {
			out = append(out, integrity.PublicKey{Fingerprint: aws.ToString(p.Fingerprint), Value: p.Value})
		}
		if page.NextToken == nil || *page.NextToken == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

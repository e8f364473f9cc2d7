// Package logbucket is a hardened S3 bucket for audit evidence: CloudTrail
// log files, the server access logs of another such bucket, or Terraform
// state.
//
// Every bucket it makes is versioned, encrypted by default, closed to the
// public by all four public-access-block flags, owner-enforced (no ACLs),
// owner-pays, TLS-only, and protected from deletion both by AWS
// (force_destroy off) and by Terraform (prevent_destroy). None of that is
// a setting. Its lifecycle may move old objects to a cheaper storage class
// but never expires them before the retention period ends.
package logbucket

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/block"
	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/retention"
	"github.com/cle2wa/audit-trail/constructs/tfaws"
	"github.com/cle2wa/audit-trail/constructs/tfname"
)

// Config describes one log bucket.
type Config struct {
	// Name is required: the globally unique bucket name (S3 naming rules).
	Name string
	// ARN is required: the bucket's ARN, predicted from its name (see
	// package arn), so that Grants can name it.
	ARN string
	// KMSKeyARN is optional: the customer-managed key for default SSE-KMS
	// encryption, with an S3 Bucket Key. Default (""): SSE-S3 (AES256),
	// the only default encryption that S3 server access logging supports
	// without a key policy for the logging service.
	KMSKeyARN string
	// AccessLogs is optional: where S3 writes this bucket's server access
	// logs. Default (nil): no access logging, for a bucket that is itself
	// the target of access logs.
	AccessLogs *AccessLogs
	// Retention is optional: the zero value keeps every object forever in
	// the STANDARD class.
	Retention Retention
	// Lock is optional: the S3 Object Lock default retention of every new
	// object version. Default (zero): no Object Lock, as a target of
	// server access logs must be (NewPair refuses one there).
	Lock Lock
	// Operators is required: the deployers, who alone may change the
	// bucket's protection (ProtectionActions), and the break-glass
	// principals, who alone may also destroy evidence (DestroyActions).
	Operators policy.Operators
	// Grants is optional: the statements of the bucket policy beyond the
	// TLS-only deny and the evidence deny that every log bucket has.
	// Constructs that use the bucket add theirs with AddToResourcePolicy.
	Grants []policy.Statement
}

// AccessLogs is the target of a bucket's S3 server access logs.
type AccessLogs struct {
	// Bucket is required: the target bucket's name (or a token for it).
	Bucket string
	// Prefix is required: the key prefix of the log objects, ending in "/".
	Prefix string
	// TargetPolicy is optional: the address of the target bucket's
	// policy, which lets S3
	// write the logs; logging starts only once it exists. Default (nil):
	// no ordering, for a target managed elsewhere.
	TargetPolicy string
}

// Retention says how long objects are kept and where they move meanwhile.
type Retention struct {
	// TransitionDays is optional: after this many days objects (current
	// and noncurrent versions) move to StorageClass. Default 0: never.
	TransitionDays int
	// StorageClass is required when TransitionDays is set: one of
	// StorageClasses.
	StorageClass string
	// ExpireDays is optional: after this many days objects expire (and
	// noncurrent versions this many days after they became noncurrent).
	// Default 0: never. When set it must be at least MinExpireDays.
	ExpireDays int
}

// Lock is an S3 Object Lock default retention: every new object version
// is locked for Days from its creation, in Mode.
//
// S3 turns Object Lock on for an existing versioned bucket
// (PutObjectLockConfiguration: "You can enable Object Lock for new or
// existing buckets",
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLockConfiguration.html),
// and it cannot be turned off again ("After you enable Object Lock on a
// bucket, you can't disable Object Lock or suspend versioning for that
// bucket",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html).
// The construct uses aws_s3_bucket_object_lock_configuration, which
// sends ObjectLockEnabled with the rule, and never sets the bucket's own
// object_lock_enabled, which forces a new bucket in the provider: the
// evidence already in the bucket stays where it is.
type Lock struct {
	// Mode is GOVERNANCE (principals with s3:BypassGovernanceRetention can
	// still delete a version or shorten its retention) or COMPLIANCE
	// (nobody can, the root user included, until the retention ends), or
	// "" for no Object Lock.
	Mode string
	// Days is required with a Mode: the retention of each new version,
	// MinLockDays to MaxDays.
	Days int
}

// LockModes are the Object Lock retention modes
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html).
var LockModes = []string{"GOVERNANCE", "COMPLIANCE"}

// MinLockDays is the shortest default retention this package accepts:
// the project's minimum for audit evidence.
const MinLockDays = retention.MinDays

// Validate reports every problem of the lock at once.
func (l Lock) Validate() error {
	if l.Mode == "" {
		if l.Days != 0 {
			return field.Invalid("Days", l.Days, "needs a Mode")
		}
		return nil
	}
	var errs []error
	if !slices.Contains(LockModes, l.Mode) {
		errs = append(errs, field.Invalid("Mode", l.Mode, "must be one of %s", strings.Join(LockModes, ", ")))
	}
	if l.Days < MinLockDays || l.Days > MaxDays {
		errs = append(errs, field.Invalid("Days", l.Days, "must be between %d and %d", MinLockDays, MaxDays))
	}
	return errors.Join(errs...)
}

// MinExpireDays is the shortest retention this package accepts: the
// project's minimum for audit evidence.
const MinExpireDays = retention.MinDays

// MinTransitionDays is the earliest transition S3 accepts to STANDARD_IA,
// and the earliest this package accepts for any class.
const MinTransitionDays = 30

// MaxDays is the largest number of days this package accepts (100 years).
const MaxDays = 36500

// StorageClasses are the transition targets this package accepts. One Zone
// classes are left out: audit evidence must survive the loss of a zone.
var StorageClasses = []string{"STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"}

// Validate reports every problem of the retention settings at once, each
// a *field.Error with the Retention field's name as its path.
func (r Retention) Validate() error {
	var errs []error
	if r.TransitionDays != 0 && (r.TransitionDays < MinTransitionDays || r.TransitionDays > MaxDays) {
		errs = append(errs, field.Invalid("TransitionDays", r.TransitionDays, "must be 0 (never) or between %d and %d", MinTransitionDays, MaxDays))
	}
	if r.TransitionDays != 0 && !slices.Contains(StorageClasses, r.StorageClass) {
		errs = append(errs, field.Invalid("StorageClass", r.StorageClass, "must be one of %s", strings.Join(StorageClasses, ", ")))
	}
	if r.ExpireDays != 0 && (r.ExpireDays < MinExpireDays || r.ExpireDays > MaxDays) {
		errs = append(errs, field.Invalid("ExpireDays", r.ExpireDays, "must be 0 (keep forever) or between %d and %d", MinExpireDays, MaxDays))
	}
	if r.ExpireDays != 0 && r.TransitionDays != 0 && r.TransitionDays >= r.ExpireDays {
		errs = append(errs, &field.Error{Path: "TransitionDays", Value: r.TransitionDays, Problem: "must be less than", Other: "ExpireDays", OtherValue: r.ExpireDays})
	}
	return errors.Join(errs...)
}

var (
	bucketChars    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
	ipAddress      = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	reservedPrefix = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedSuffix = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// ValidateName reports why name is not a valid general purpose S3 bucket
// name, or nil: a *field.Error without a path, for the caller to root.
func ValidateName(name string) error {
	var problems []string
	if len(name) < 3 || len(name) > 63 {
		problems = append(problems, fmt.Sprintf("must be 3 to 63 characters long, not %d", len(name)))
	}
	if !bucketChars.MatchString(name) {
		problems = append(problems, "must be lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit")
	}
	if strings.Contains(name, "..") {
		problems = append(problems, "must not contain two adjacent dots")
	}
	if ipAddress.MatchString(name) {
		problems = append(problems, "must not look like an IP address")
	}
	for _, p := range reservedPrefix {
		if strings.HasPrefix(name, p) {
			problems = append(problems, fmt.Sprintf("must not begin with the reserved %q", p))
		}
	}
	for _, s := range reservedSuffix {
		if strings.HasSuffix(name, s) {
			problems = append(problems, fmt.Sprintf("must not end with the reserved %q", s))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return field.Invalid("", name, "is not a valid S3 bucket name: %s", strings.Join(problems, "; "))
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	errs := []error{field.Under("Name", ValidateName(c.Name))}
	if c.ARN == "" {
		errs = append(errs, field.Required("ARN", "the bucket's ARN, predicted from its name"))
	}
	errs = append(errs, field.Under("Operators", c.Operators.Validate()))
	if c.AccessLogs != nil {
		if c.AccessLogs.Bucket == "" {
			errs = append(errs, field.Required("AccessLogs.Bucket", "the target bucket of the access logs"))
		}
		if !strings.HasSuffix(c.AccessLogs.Prefix, "/") || strings.HasPrefix(c.AccessLogs.Prefix, "/") {
			errs = append(errs, field.Invalid("AccessLogs.Prefix", c.AccessLogs.Prefix, `must end with "/" and not begin with one`))
		}
	}
	errs = append(errs, field.Under("Retention", c.Retention.Validate()), field.Under("Lock", c.Lock.Validate()))
	if c.Lock.Mode != "" && c.Retention.ExpireDays > c.Lock.Days {
		// Evidence stays locked for as long as it is kept.
		errs = append(errs, &field.Error{Path: "Lock.Days", Value: c.Lock.Days, Problem: "must be at least", Other: "Retention.ExpireDays", OtherValue: c.Retention.ExpireDays})
	}
	return errors.Join(errs...)
}

// Bucket is a log bucket and the resources that harden it.
type Bucket struct {
	// Construct is the scope that holds the resources.
	Construct constructs.Construct
	// Address is the aws_s3_bucket's.
	Address string
	// Policy is the address of the aws_s3_bucket_policy: depend on it
	// before anything writes to the bucket.
	Policy string
	// Encryption is the address of the default encryption configuration.
	Encryption string
	// ARN is the bucket's ARN as predicted from its name.
	ARN string
	// Statements are the statements of the bucket policy, in order.
	Statements []policy.Statement
	// document is the bucket policy's aws_iam_policy_document.
	document policy.Source
}

// Ref is the reference to the bucket's attribute attr.
func (b *Bucket) Ref(attr string) string { return block.Ref(b.Address, attr) }

// AddToResourcePolicy adds statements to the bucket policy: a construct
// that uses the bucket grants itself what it needs, as the AWS CDK's
// addToResourcePolicy does. A statement whose Sid the policy has already
// is refused.
func (b *Bucket) AddToResourcePolicy(statements ...policy.Statement) error {
	all := append(slices.Clone(b.Statements), statements...)
	if err := b.document.Update(policy.Document{Statements: all}); err != nil {
		return fmt.Errorf("bucket %s: %w", b.ARN, err)
	}
	b.Statements = all
	return nil
}

// New validates cfg and adds the bucket to scope. The bucket itself has the
// Terraform address aws_s3_bucket.<id>; its companions are <id>_<aspect>.
func New(scope constructs.Construct, id string, cfg Config) (*Bucket, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))

	blocks := block.In(c)
	bucket := blocks.Resource("Default", id, tfaws.S3Bucket{
		Bucket:       cfg.Name,
		ForceDestroy: false,
		Lifecycle:    block.Lifecycle{PreventDestroy: true},
	})
	bucketID := block.Ref(bucket, "id")
	versioning := blocks.Resource("versioning", tfname.Part(id, "versioning"), tfaws.S3BucketVersioning{
		Bucket:                  bucketID,
		VersioningConfiguration: tfaws.VersioningConfiguration{Status: "Enabled"},
	})

	byDefault := tfaws.EncryptionByDefault{SSEAlgorithm: "AES256"}
	if cfg.KMSKeyARN != "" {
		byDefault = tfaws.EncryptionByDefault{SSEAlgorithm: "aws:kms", KMSMasterKeyID: cfg.KMSKeyARN}
	}
	encryption := blocks.Resource("encryption", tfname.Part(id, "encryption"), tfaws.S3BucketServerSideEncryptionConfiguration{
		Bucket: bucketID,
		Rule:   []tfaws.EncryptionRule{{ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: cfg.KMSKeyARN != ""}},
	})

	publicAccess := blocks.Resource("public_access", tfname.Part(id, "public_access"), tfaws.S3BucketPublicAccessBlock{
		Bucket:                bucketID,
		BlockPublicAcls:       true,
		BlockPublicPolicy:     true,
		IgnorePublicAcls:      true,
		RestrictPublicBuckets: true,
	})
	blocks.Resource("ownership", tfname.Part(id, "ownership"), tfaws.S3BucketOwnershipControls{
		Bucket: bucketID,
		Rule:   tfaws.OwnershipRule{ObjectOwnership: "BucketOwnerEnforced"},
	})
	blocks.Resource("request_payment", tfname.Part(id, "request_payment"), tfaws.S3BucketRequestPaymentConfiguration{Bucket: bucketID, Payer: "BucketOwner"})
	lifecycle := blocks.Resource("lifecycle", tfname.Part(id, "lifecycle"), tfaws.S3BucketLifecycleConfiguration{
		Bucket:    bucketID,
		Rule:      cfg.Retention.rules(),
		DependsOn: []string{versioning},
	})

	// The bucket policy denies changing the Object Lock configuration
	// and versioning: it waits for both.
	protections := []string{publicAccess, versioning, lifecycle}
	if cfg.Lock.Mode != "" {
		protections = append(protections, blocks.Resource("object_lock", tfname.Part(id, "object_lock"), tfaws.S3BucketObjectLockConfiguration{
			Bucket:            bucketID,
			ObjectLockEnabled: "Enabled",
			Rule:              tfaws.ObjectLockRule{DefaultRetention: tfaws.DefaultRetention{Mode: cfg.Lock.Mode, Days: cfg.Lock.Days}},
			// S3 enables Object Lock on a versioned bucket only.
			DependsOn: []string{versioning},
		}))
	}

	statements := append([]policy.Statement{denyInsecureTransport(cfg.ARN)}, protect(cfg.ARN, cfg.Operators)...)
	statements = append(statements, cfg.Grants...)
	doc, err := policy.New(blocks, "policy_document", tfname.Part(id, "policy"), policy.Document{Statements: statements})
	if err != nil {
		return nil, fmt.Errorf("bucket %q: %w", cfg.Name, err)
	}
	bucketPolicy := blocks.Resource("policy", tfname.Part(id, "policy"), tfaws.S3BucketPolicy{
		Bucket: bucketID,
		Policy: doc.JSON(),
		// The policy denies changing versioning, the lifecycle and Object
		// Lock to all but the operators: it comes last, so that the first
		// apply can set them, and so that a change of deployers applies
		// every other change of the bucket before it hands over.
		DependsOn: protections,
	})

	if cfg.AccessLogs != nil {
		var after []string
		if cfg.AccessLogs.TargetPolicy != "" {
			after = []string{cfg.AccessLogs.TargetPolicy}
		}
		blocks.Resource("access_logging", tfname.Part(id, "access_logging"), tfaws.S3BucketLogging{
			Bucket:       bucketID,
			TargetBucket: cfg.AccessLogs.Bucket,
			TargetPrefix: cfg.AccessLogs.Prefix,
			DependsOn:    after,
		})
	}

	return &Bucket{Construct: c, Address: bucket, Policy: bucketPolicy, Encryption: encryption, ARN: cfg.ARN, Statements: statements, document: doc}, nil
}

// DestroyActions destroy or hide evidence: permanent deletion of object
// versions, bypassing an Object Lock governance retention, deleting the
// bucket policy (which lifts every protection at once) and copying the
// evidence elsewhere by replication; and placing a retention or a legal
// hold on a version, which would make evidence undeletable, and billed,
// for as long as the caller likes; and changing an existing object's
// encryption (s3:UpdateObjectEncryption), which could take a log file out
// of the trail key's protection. The stacks call none of them: only
// break-glass principals may. Deleting an object (not a version) only
// adds a delete marker to a versioned bucket, and stays allowed
// (Terraform's S3 backend removes its lock file so).
var DestroyActions = []string{
	"s3:BypassGovernanceRetention",
	"s3:DeleteBucketPolicy",
	"s3:DeleteObjectVersion",
	"s3:PutObjectLegalHold",
	"s3:PutObjectRetention",
	"s3:PutReplicationConfiguration",
	"s3:UpdateObjectEncryption",
}

// ProtectionActions change what protects the evidence: the bucket policy,
// versioning, the lifecycle and the Object Lock configuration. The stacks
// call each when their settings change (a change of the organization
// trail, the log prefix, the retention or the lock): deployers and
// break-glass principals may.
var ProtectionActions = []string{
	"s3:PutBucketObjectLockConfiguration",
	"s3:PutBucketPolicy",
	"s3:PutBucketVersioning",
	"s3:PutLifecycleConfiguration",
}

// The Sids of the two statements that protect the evidence.
const (
	SidDenyDestruction       = "DenyEvidenceDestructionButBreakGlass"
	SidDenyProtectionChanges = "DenyProtectionChangesButOperators"
)

// protect are the statements that deny DestroyActions to every principal
// but the break-glass ones, and ProtectionActions to every principal but
// the deployers and the break-glass ones.
func protect(bucketARN string, o policy.Operators) []policy.Statement {
	resources := []string{bucketARN, bucketARN + "/*"}
	return []policy.Statement{
		policy.DenyBut(SidDenyDestruction, DestroyActions, resources, o.BreakGlass),
		policy.DenyBut(SidDenyProtectionChanges, ProtectionActions, resources, o.MayProtect()),
	}
}

// denyInsecureTransport is the statement every log bucket starts with:
// no request over plain HTTP, from anyone (CIS 2.1.1, Security Hub S3.5).
func denyInsecureTransport(bucketARN string) policy.Statement {
	return policy.Statement{
		Sid:        "DenyInsecureTransport",
		Effect:     policy.Deny,
		Principals: []policy.Principal{{Type: policy.PrincipalAny, Identifiers: []string{"*"}}},
		Actions:    []string{"s3:*"},
		Resources:  []string{bucketARN, bucketARN + "/*"},
		Conditions: []policy.Condition{{Test: "Bool", Variable: policy.SecureTransport, Values: []string{"false"}}},
	}
}

// DenyOutsideOrganization are the statements that keep a bucket to the
// organization organizationID. The first denies any request by a
// principal of an account outside it (or of no organization, or
// anonymous), and not AWS services acting as themselves (CloudTrail
// delivering, S3 writing access logs). The IAM User Guide's global
// condition keys page
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
// aws:PrincipalOrgID "is included in the request context only if the
// principal is a member of an organization", and a policy on it alone
// would also stop "AWS CloudTrail sending log data to your Amazon S3
// buckets"; aws:PrincipalIsAWSService "is set to true when a service uses
// a service principal to perform a direct action on your resources" and
// is present on every signed request. Both tests are IfExists, so that a
// request without the key (an account outside any organization, or
// anonymous) is denied too. AWS's Security Reference Architecture has the
// same deny for its organization trail's bucket ("DenyExternalPrincipals").
// The second denies AWS services acting for another organization's
// resources: aws:SourceOrgID "is included in the request context only
// when the call to your resource is being made directly by an AWS service
// principal on behalf of a resource owned by an account which is a member
// of an organization" (same page), so the deny tests that it is present
// (Null false) and names another organization, and holds whether a
// service sends it or not; the pattern of AWS's confused-deputy resource
// control policies
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
func DenyOutsideOrganization(bucketARN, organizationID string) []policy.Statement {
	resources := []string{bucketARN, bucketARN + "/*"}
	anyone := []policy.Principal{{Type: policy.PrincipalAny, Identifiers: []string{"*"}}}
	return []policy.Statement{
		{
			Sid:        "DenyOutsideTheOrganization",
			Effect:     policy.Deny,
			Principals: anyone,
			Actions:    []string{"s3:*"},
			Resources:  resources,
			Conditions: []policy.Condition{
				{Test: "StringNotEqualsIfExists", Variable: policy.PrincipalOrgID, Values: []string{organizationID}},
				{Test: "BoolIfExists", Variable: policy.PrincipalIsAWSService, Values: []string{"false"}},
			},
		},
		{
			Sid:        "DenyServicesForOtherOrganizations",
			Effect:     policy.Deny,
			Principals: anyone,
			Actions:    []string{"s3:*"},
			Resources:  resources,
			Conditions: []policy.Condition{
				{Test: "Bool", Variable: policy.PrincipalIsAWSService, Values: []string{"true"}},
				{Test: "Null", Variable: policy.SourceOrgID, Values: []string{"false"}},
				{Test: "StringNotEquals", Variable: policy.SourceOrgID, Values: []string{organizationID}},
			},
		},
	}
}

// RootSCP is a service control policy for AWS Organizations, for the
// account that holds the log buckets bucketARNs in an organization's
// log-archive layout: it denies that account's root user the calls that
// no bucket policy can deny it ("the root principal in a bucket owner's
// AWS account can perform the GetBucketPolicy, PutBucketPolicy, and
// DeleteBucketPolicy API actions, even if their bucket policy explicitly
// denies the root principal's access. Bucket owner root principals can
// only be blocked from performing these API actions by VPC endpoint
// policies and AWS Organizations policies",
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html):
// replacing or deleting the policy, which lifts every other protection
// at once. SCPs bind member accounts' root users and never the management
// account's
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html),
// so it is for the log-archive account. Reading the policy stays allowed.
// A short-term root session the management account starts there
// (sts:AssumeRoot, S3UnlockBucketPolicy) is the root user too (its
// aws:PrincipalArn). To change the policy as root, the organization
// detaches the SCP first: a change the organization trail records.
func RootSCP(bucketARNs []string) policy.Document {
	return policy.Document{Statements: []policy.Statement{{
		Sid:        "DenyRootBucketPolicyChanges",
		Effect:     policy.Deny,
		Actions:    []string{"s3:DeleteBucketPolicy", "s3:PutBucketPolicy"},
		Resources:  bucketARNs,
		Conditions: []policy.Condition{{Test: "ArnLike", Variable: policy.PrincipalArn, Values: []string{"arn:*:iam::*:root"}}},
	}}}
}

// rules is the lifecycle: incomplete multipart uploads are cleaned up
// (they are not evidence), and objects move and expire as r says.
func (r Retention) rules() []tfaws.LifecycleRule {
	rule := tfaws.LifecycleRule{
		ID:                             "retention",
		Status:                         "Enabled",
		Filter:                         []tfaws.LifecycleFilter{{Prefix: ""}},
		AbortIncompleteMultipartUpload: []tfaws.AbortIncompleteMultipartUpload{{DaysAfterInitiation: 7}},
	}
	if r.TransitionDays > 0 {
		rule.Transition = []tfaws.Transition{{Days: r.TransitionDays, StorageClass: r.StorageClass}}
		rule.NoncurrentVersionTransition = []tfaws.NoncurrentVersionTransition{{NoncurrentDays: r.TransitionDays, StorageClass: r.StorageClass}}
	}
	if r.ExpireDays > 0 {
		rule.Expiration = []tfaws.Expiration{{Days: r.ExpireDays}}
		rule.NoncurrentVersionExpiration = []tfaws.NoncurrentVersionExpiration{{NoncurrentDays: r.ExpireDays}}
	}
	return []tfaws.LifecycleRule{rule}
}

// accessLogGrants are the bucket policy statements that let S3 server access
// logging write the logs of the bucket sourceARN, owned by accountID, under
// prefix in the target bucket targetARN. Both conditions are the S3 User
// Guide's own statement for this write ("Enable Amazon S3 server access
// logging", permissions for log delivery: ArnLike aws:SourceArn of the
// source bucket, StringEquals aws:SourceAccount,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
func accessLogGrants(targetARN, prefix, sourceARN, accountID string) []policy.Statement {
	return []policy.Statement{{
		Sid:        "S3ServerAccessLogsWrite",
		Effect:     policy.Allow,
		Principals: []policy.Principal{{Type: policy.PrincipalService, Identifiers: []string{arn.S3Logging}}},
		Actions:    []string{"s3:PutObject"},
		Resources:  []string{targetARN + "/" + prefix + "*"},
		Conditions: []policy.Condition{
			{Test: "ArnLike", Variable: policy.SourceArn, Values: []string{sourceARN}},
			{Test: "StringEquals", Variable: policy.SourceAccount, Values: []string{accountID}},
		},
	}}
}

// PairConfig describes a bucket and the access-log bucket that receives
// its server access logs.
type PairConfig struct {
	// Env is required: the partition and account of both buckets.
	Env arn.Env
	// Bucket is required: the bucket. NewPair sets its ARN and AccessLogs.
	Bucket Config
	// AccessLog is required: the access-log bucket, which is SSE-S3 and
	// logs nothing itself. NewPair sets its ARN and its grant to S3 server
	// access logging.
	AccessLog Config
}

// Pair is a bucket and its access-log bucket.
type Pair struct {
	Bucket, AccessLog *Bucket
}

// NewPair adds a bucket whose every access is logged to an access-log
// bucket of its own, under the prefix "<bucket name>/", and lets S3
// server access logging write there for this bucket only. The two buckets
// have the ids id and accessLogID in scope: the pair adds no construct
// level, so their Terraform addresses and construct paths are those of two
// buckets made with New.
func NewPair(scope constructs.Construct, id, accessLogID string, cfg PairConfig) (*Pair, error) {
	if cfg.Env.Partition == "" || cfg.Env.Account == "" {
		return nil, field.Required("Env", "the partition and account")
	}
	bucketARN, accessLogARN := cfg.Env.Bucket(cfg.Bucket.Name), cfg.Env.Bucket(cfg.AccessLog.Name)
	prefix := cfg.Bucket.Name + "/"
	var errs []error
	if cfg.AccessLog.Lock.Mode != "" {
		// "S3 buckets with Object Lock can't be used as destination
		// buckets for server access logs":
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html
		// and "You can't enable S3 Object Lock on the target bucket":
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
		errs = append(errs, field.Invalid("AccessLog.Lock.Mode", cfg.AccessLog.Lock.Mode, "must be empty: S3 does not deliver server access logs to a bucket with Object Lock"))
	}
	accessLogCfg := cfg.AccessLog
	accessLogCfg.ARN, accessLogCfg.KMSKeyARN, accessLogCfg.AccessLogs = accessLogARN, "", nil
	accessLogCfg.Grants = append(slices.Clone(accessLogCfg.Grants), accessLogGrants(accessLogARN, prefix, bucketARN, cfg.Env.Account)...)
	bucketCfg := cfg.Bucket
	bucketCfg.ARN = bucketARN
	// Validate both before adding either, so that every problem shows and
	// nothing is added for a bad configuration.
	errs = append(errs, field.Under("AccessLog", accessLogCfg.Validate()), field.Under("Bucket", bucketCfg.Validate()))
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	accessLog, err := New(scope, accessLogID, accessLogCfg)
	if err != nil {
		return nil, err
	}
	bucketCfg.AccessLogs = &AccessLogs{Bucket: accessLog.Ref("id"), Prefix: prefix, TargetPolicy: accessLog.Policy}
	bucket, err := New(scope, id, bucketCfg)
	if err != nil {
		return nil, err
	}
	return &Pair{Bucket: bucket, AccessLog: accessLog}, nil
}

package tfaws

import "github.com/cle2wa/audit-trail/constructs/block"

// S3Bucket is aws_s3_bucket.
type S3Bucket struct {
	Bucket       string          `json:"bucket"`
	ForceDestroy bool            `json:"force_destroy"`
	Lifecycle    block.Lifecycle `json:"lifecycle"`
}

func (S3Bucket) Type() string { return "aws_s3_bucket" }

// The bucket's companion resources, and their nested blocks.
type (
	S3BucketVersioning struct {
		Bucket                  string                  `json:"bucket"`
		VersioningConfiguration VersioningConfiguration `json:"versioning_configuration"`
	}
	VersioningConfiguration struct {
		Status string `json:"status"`
	}

	S3BucketServerSideEncryptionConfiguration struct {
		Bucket string           `json:"bucket"`
		Rule   []EncryptionRule `json:"rule"`
	}
	EncryptionRule struct {
		ApplyServerSideEncryptionByDefault EncryptionByDefault `json:"apply_server_side_encryption_by_default"`
		BucketKeyEnabled                   bool                `json:"bucket_key_enabled"`
	}
	EncryptionByDefault struct {
		KMSMasterKeyID string `json:"kms_master_key_id,omitempty"`
		SSEAlgorithm   string `json:"sse_algorithm"`
	}

	S3BucketPublicAccessBlock struct {
		BlockPublicAcls       bool   `json:"block_public_acls"`
		BlockPublicPolicy     bool   `json:"block_public_policy"`
		Bucket                string `json:"bucket"`
		IgnorePublicAcls      bool   `json:"ignore_public_acls"`
		RestrictPublicBuckets bool   `json:"restrict_public_buckets"`
	}

	S3BucketOwnershipControls struct {
		Bucket string        `json:"bucket"`
		Rule   OwnershipRule `json:"rule"`
	}
	OwnershipRule struct {
		ObjectOwnership string `json:"object_ownership"`
	}

	S3BucketRequestPaymentConfiguration struct {
		Bucket string `json:"bucket"`
		Payer  string `json:"payer"`
	}

	S3BucketLifecycleConfiguration struct {
		Bucket    string          `json:"bucket"`
		DependsOn []string        `json:"depends_on,omitempty"`
		Rule      []LifecycleRule `json:"rule"`
	}
	LifecycleRule struct {
		AbortIncompleteMultipartUpload []AbortIncompleteMultipartUpload `json:"abort_incomplete_multipart_upload,omitempty"`
		Expiration                     []Expiration                     `json:"expiration,omitempty"`
		Filter                         []LifecycleFilter                `json:"filter"`
		ID                             string                           `json:"id"`
		NoncurrentVersionExpiration    []NoncurrentVersionExpiration    `json:"noncurrent_version_expiration,omitempty"`
		NoncurrentVersionTransition    []NoncurrentVersionTransition    `json:"noncurrent_version_transition,omitempty"`
		Status                         string                           `json:"status"`
		Transition                     []Transition                     `json:"transition,omitempty"`
	}
	LifecycleFilter struct {
		// Prefix "" is written: the rule applies to every object.
		Prefix string `json:"prefix"`
	}
	AbortIncompleteMultipartUpload struct {
		DaysAfterInitiation int `json:"days_after_initiation"`
	}
	Expiration struct {
		Days int `json:"days"`
	}
	NoncurrentVersionExpiration struct {
		NoncurrentDays int `json:"noncurrent_days"`
	}
	Transition struct {
		Days         int    `json:"days"`
		StorageClass string `json:"storage_class"`
	}
	NoncurrentVersionTransition struct {
		NoncurrentDays int    `json:"noncurrent_days"`
		StorageClass   string `json:"storage_class"`
	}

	S3BucketObjectLockConfiguration struct {
		Bucket            string         `json:"bucket"`
		DependsOn         []string       `json:"depends_on,omitempty"`
		ObjectLockEnabled string         `json:"object_lock_enabled"`
		Rule              ObjectLockRule `json:"rule"`
	}
	ObjectLockRule struct {
		DefaultRetention DefaultRetention `json:"default_retention"`
	}
	DefaultRetention struct {
		Days int    `json:"days"`
		Mode string `json:"mode"`
	}

	S3BucketPolicy struct {
		Bucket    string   `json:"bucket"`
		DependsOn []string `json:"depends_on,omitempty"`
		Policy    string   `json:"policy"`
	}

	S3BucketLogging struct {
		Bucket       string   `json:"bucket"`
		DependsOn    []string `json:"depends_on,omitempty"`
		TargetBucket string   `json:"target_bucket"`
		TargetPrefix string   `json:"target_prefix"`
	}
)

func (S3BucketVersioning) Type() string { return "aws_s3_bucket_versioning" }
func (S3BucketServerSideEncryptionConfiguration) Type() string {
	return "aws_s3_bucket_server_side_encryption_configuration"
}
func (S3BucketPublicAccessBlock) Type() string { return "aws_s3_bucket_public_access_block" }
func (S3BucketOwnershipControls) Type() string { return "aws_s3_bucket_ownership_controls" }
func (S3BucketRequestPaymentConfiguration) Type() string {
	return "aws_s3_bucket_request_payment_configuration"
}
func (S3BucketLifecycleConfiguration) Type() string { return "aws_s3_bucket_lifecycle_configuration" }
func (S3BucketObjectLockConfiguration) Type() string {
	return "aws_s3_bucket_object_lock_configuration"
}
func (S3BucketPolicy) Type() string  { return "aws_s3_bucket_policy" }
func (S3BucketLogging) Type() string { return "aws_s3_bucket_logging" }

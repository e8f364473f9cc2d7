package coverage

// The reasons shared by several actions below.
const (
	restores       = "restores or strengthens what the stack set: it cannot hide, remove or open anything"
	otherCreds     = "a credential for other services (CodeCommit, Keyspaces, SSH, SOAP signing), not for the AWS console or API: it cannot assume the audit role, which requires the user's own MFA session"
	injectOnly     = "adds events to the CloudWatch Logs copy (a false alarm at worst); it cannot remove or change the trail's events, and the evidence is the S3 files with their signed digests"
	exists         = "the resource exists and the stack owns it: the call can only fail for it"
	noReplication  = "acts only under a replication configuration, which the bucket policy denies to all but break-glass principals"
	versionKept    = "the bucket is versioned, its versions are locked and their deletion denied: the version stays, and validate-logs reports the file as missing or changed"
	metadataOnly   = "publishes or configures object metadata (keys, sizes, dates), never the log files' content, which stays encrypted under the trail key"
	noPublicAccess = "the bucket blocks all public access and owner-enforces ownership: a website or CORS rule opens nothing"
	annotationOnly = "adds or removes a user annotation beside an object; the object, its version and its lock are untouched"
)

// Harmless are the in-scope actions that neither the policies deny nor an
// alarm watches, each with the reviewed reason it cannot blind the trail,
// silence the alarms or open the evidence.
var Harmless = map[string]string{
	"cloudwatch:EnableAlarmActions": restores,
	"cloudwatch:PutLogAlarm":        "creates an alarm of its own; changing or deleting the stack's alarms is watched (watch-monitoring-changes)",

	"iam:ChangePassword":                  "a user changes their own password; reading still needs their MFA device",
	"iam:CreateServiceLinkedRole":         "a role for an AWS service, under the path aws-service-role/: it cannot be the audit role",
	"iam:DeleteServiceLinkedRole":         "IAM refuses to delete a service-linked role while its service uses it (CloudTrail's, for an organization trail)",
	"iam:CreateServiceSpecificCredential": otherCreds,
	"iam:DeleteServiceSpecificCredential": otherCreds,
	"iam:ResetServiceSpecificCredential":  otherCreds,
	"iam:UpdateServiceSpecificCredential": otherCreds,
	"iam:UploadSigningCertificate":        otherCreds,
	"iam:UpdateSigningCertificate":        otherCreds,
	"iam:DeleteSigningCertificate":        otherCreds,
	"iam:UploadSSHPublicKey":              otherCreds,
	"iam:UpdateSSHPublicKey":              otherCreds,
	"iam:DeleteSSHPublicKey":              otherCreds,
	"iam:DeleteAccessKey":                 "takes a credential away (the stack gives auditors none); creating or enabling one is watched (watch-audit-user-credentials)",
	"iam:PassRole":                        "the audit role trusts the auditors only: no service can be given it",
	"iam:UpdateRole":                      "changes a role's description or session length (the audit role's trust and permissions are watched)",
	"iam:UpdateRoleDescription":           "changes a role's description only",

	"kms:CancelKeyDeletion":         restores,
	"kms:EnableKey":                 restores,
	"kms:EnableKeyRotation":         restores,
	"kms:RotateKeyOnDemand":         "rotates the key material; what it encrypted stays readable by the old material, which KMS keeps",
	"kms:UpdateKeyDescription":      "changes a key's description only",
	"kms:DeleteImportedKeyMaterial": "only for keys with imported material; the stack's keys have AWS-generated material, so the call fails",
	"kms:UpdatePrimaryRegion":       "only for multi-Region keys; the stack's keys are single-Region, so the call fails",

	"logs:CreateLogGroup":                exists,
	"logs:CreateLogStream":               injectOnly,
	"logs:PutLogEvents":                  injectOnly,
	"logs:PutSyslogConfiguration":        injectOnly,
	"logs:DeleteSyslogConfiguration":     injectOnly,
	"logs:PutBearerTokenAuthentication":  injectOnly,
	"logs:DeleteDataProtectionPolicy":    "removes masking from the copy; reading the copy is denied by the deny-reads policy and the SCP as before",
	"logs:DeleteSubscriptionFilter":      "stops a copy out of the log group; adding one is denied and watched",
	"logs:DeleteTransformer":             "removes a transformer; adding or changing one is watched",
	"logs:PutLogGroupDeletionProtection": "protects the log group from deletion (turning it off lets a deletion through, which watch-monitoring-changes reports)",

	"s3:CreateBucket":                                     exists,
	"s3:DeleteBucket":                                     "S3 refuses to delete a bucket that holds object versions, and deleting them is denied and locked",
	"s3:AbortMultipartUpload":                             "abandons an upload in progress; CloudTrail retries a failed delivery, and a file never delivered is reported missing by validate-logs",
	"s3:DeleteObject":                                     versionKept,
	"s3:PutObject":                                        versionKept,
	"s3:RestoreObject":                                    "makes a temporary readable copy of an archived version, for those who may read it",
	"s3:InitiateReplication":                              noReplication,
	"s3:PauseReplication":                                 noReplication,
	"s3:ReplicateDelete":                                  noReplication,
	"s3:ReplicateObject":                                  noReplication,
	"s3:ReplicateObjectAnnotation":                        noReplication,
	"s3:PutObjectAnnotation":                              annotationOnly,
	"s3:PutObjectVersionAnnotation":                       annotationOnly,
	"s3:DeleteObjectAnnotation":                           annotationOnly,
	"s3:DeleteObjectVersionAnnotation":                    annotationOnly,
	"s3:PutBucketNotification":                            metadataOnly,
	"s3:PutInventoryConfiguration":                        metadataOnly,
	"s3:PutAnalyticsConfiguration":                        metadataOnly,
	"s3:PutMetricsConfiguration":                          metadataOnly,
	"s3:PutIntelligentTieringConfiguration":               "moves objects between access tiers; it deletes nothing and changes no lock",
	"s3:CreateBucketMetadataTableConfiguration":           metadataOnly,
	"s3:DeleteBucketMetadataTableConfiguration":           metadataOnly,
	"s3:UpdateBucketMetadataAnnotationTableConfiguration": metadataOnly,
	"s3:UpdateBucketMetadataInventoryTableConfiguration":  metadataOnly,
	"s3:UpdateBucketMetadataJournalTableConfiguration":    metadataOnly,
	"s3:PutAccelerateConfiguration":                       "changes the bucket's transfer endpoint, not who may use it",
	"s3:PutBucketCORS":                                    noPublicAccess,
	"s3:PutBucketWebsite":                                 noPublicAccess,
	"s3:DeleteBucketWebsite":                              noPublicAccess,

	"sns:CreateTopic":         exists,
	"sns:Subscribe":           "adds a recipient of the alarms (their names, no evidence); removing one is watched",
	"sns:ConfirmSubscription": "a recipient confirms a subscription",
	"sns:Publish":             "sends a message to the alarm's recipients: noise at worst; it cannot stop an alarm",
}

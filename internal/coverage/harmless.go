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

// IdentityCenterHarmless are the actions of IAM Identity Center's
// services (IdentityCenterServices) that no alarm watches, each with the
// reviewed reason it cannot make anyone an auditor, blind the trail or
// open the evidence: in scope with auditors of Identity Center only.
var IdentityCenterHarmless = map[string]string{
	"sso:AddRegion":    otherRegion,
	"sso:RemoveRegion": otherRegion,
	"sso:CreateInstanceAccessControlAttributeConfiguration": attributes,
	"sso:DeleteInstanceAccessControlAttributeConfiguration": attributes,
	"sso:UpdateInstanceAccessControlAttributeConfiguration": attributes,
	"sso:CreateInstance":           "makes an account instance of Identity Center, which holds no permission sets; the stacks' permission set is the organization instance's",
	"sso:StartSSO":                 "turns Identity Center on; the stacks' permission set is in an instance already on",
	"sso:CreateTrustedTokenIssuer": tokenIssuer,
	"sso:DeleteTrustedTokenIssuer": tokenIssuer,
	"sso:UpdateTrustedTokenIssuer": tokenIssuer,

	"sso:CreateApplication":                                     application,
	"sso:CreateApplicationAssignment":                           application,
	"sso:CreateApplicationInstance":                             application,
	"sso:CreateApplicationInstanceCertificate":                  application,
	"sso:CreateManagedApplicationInstance":                      application,
	"sso:DeleteApplication":                                     application,
	"sso:DeleteApplicationAccessScope":                          application,
	"sso:DeleteApplicationAssignment":                           application,
	"sso:DeleteApplicationAuthenticationMethod":                 application,
	"sso:DeleteApplicationGrant":                                application,
	"sso:DeleteApplicationInstance":                             application,
	"sso:DeleteApplicationInstanceCertificate":                  application,
	"sso:DeleteManagedApplicationInstance":                      application,
	"sso:ImportApplicationInstanceServiceProviderMetadata":      application,
	"sso:PutApplicationAccessScope":                             application,
	"sso:PutApplicationAssignmentConfiguration":                 application,
	"sso:PutApplicationAuthenticationMethod":                    application,
	"sso:PutApplicationGrant":                                   application,
	"sso:PutApplicationSessionConfiguration":                    application,
	"sso:UpdateApplication":                                     application,
	"sso:UpdateApplicationInstanceActiveCertificate":            application,
	"sso:UpdateApplicationInstanceDisplayData":                  application,
	"sso:UpdateApplicationInstanceResponseConfiguration":        application,
	"sso:UpdateApplicationInstanceResponseSchemaConfiguration":  application,
	"sso:UpdateApplicationInstanceSecurityConfiguration":        application,
	"sso:UpdateApplicationInstanceServiceProviderConfiguration": application,
	"sso:UpdateApplicationInstanceStatus":                       application,
	"sso:UpdateManagedApplicationInstanceStatus":                application,

	"sso-directory:CreateAlias":              "sets the AWS access portal's URL alias: who signs in, and with which permission set, is unchanged",
	"sso-directory:CreateGroup":              noGrant,
	"sso-directory:CreateUser":               noGrant,
	"sso-directory:DeleteBearerToken":        takesAway,
	"sso-directory:DeleteGroup":              takesAway,
	"sso-directory:DeleteProvisioningTenant": takesAway,
	"sso-directory:DeleteUser":               takesAway,
	"sso-directory:DisableUser":              takesAway,
	"sso-directory:RemoveMemberFromGroup":    takesAway,
	"sso-directory:UpdateGroup":              groupName,
	"sso-directory:UpdateGroupDisplayName":   groupName,
	"sso-directory:VerifyEmail":              "a person verifies their own e-mail address; changing it is watched",

	"identitystore:AddRegion":             otherRegion,
	"identitystore:RemoveRegion":          otherRegion,
	"identitystore:CreateGroup":           noGrant,
	"identitystore:CreateUser":            noGrant,
	"identitystore:ReserveUser":           noGrant,
	"identitystore:CreateIdentityStore":   "makes the identity store of a new instance; the stacks' instance keeps its own, whose changes are watched",
	"identitystore:DeleteGroup":           takesAway,
	"identitystore:DeleteGroupMembership": takesAway,
	"identitystore:DeleteUser":            takesAway,
	"identitystore:UpdateGroup":           groupName,
}

// The reasons shared by Identity Center's actions above.
const (
	otherRegion = "replicates Identity Center to another Region, or removes one: where people sign in, not who has which permission set"
	attributes  = "attributes for access control pass a person's attributes as session tags; no policy of the stacks reads a principal's tags"
	tokenIssuer = "a trusted token issuer exchanges tokens for applications (trusted identity propagation), never for a role in an AWS account"
	application = "an application of Identity Center (its assignments, grants, scopes, sign-in and certificates): access to the application, never a role in an AWS account"
	noGrant     = "makes or reserves a user or a group: no role comes from it until a member is added to an assigned group or the permission set is assigned, both watched"
	takesAway   = "removes a person, a group, a membership, a SCIM tenant or token: it only takes access away, and what they did stays in the trail"
	groupName   = "changes a group's name or description: its members and assignments are unchanged"
)

// noAuditUsers is the reason for an action on IAM users when the stacks
// make none (auditors of Identity Center only).
const noAuditUsers = "the stacks make no IAM user and the audit role trusts none (auditors of Identity Center only): no user's credentials, of any user, make an auditor"

package monitoring

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/internal/filterpattern"
)

// Watch is an alarm on changes to the stack's own resources that the CIS
// families do not single out: the changes that would let someone erase
// the evidence or read it as an auditor. Its patterns all count into one
// metric, which one alarm watches; a watch of many names is split into
// several filters, because CloudWatch Logs limits a pattern to
// filterpattern.MaxLength characters.
type Watch struct {
	// Name is the short name of the alarm (watch-<Name>) and of its
	// filters (watch-<Name>-<n>).
	Name string
	// Metric is the CloudWatch metric the filters count into.
	Metric string
	// Title says what the alarm watches for.
	Title string
	// Patterns are the filters' patterns.
	Patterns []string
}

// Protected are the stack's resources the watches guard, by the names and
// ARNs that CloudTrail events carry.
type Protected struct {
	// Keys are the ARNs of the stack's KMS keys; Terraform references are
	// allowed (a watch of keys matches resources[0].ARN).
	Keys []string
	// Aliases are the names of their aliases ("alias/..."): pointing one
	// at another key swaps the key that readers and checks find by it.
	Aliases []string
	// Roles are the names of the stack's IAM roles.
	Roles []string
	// ReservedRoles are patterns of the names of roles another service
	// makes that the audit role trusts (Identity Center's
	// AWSReservedSSO_<permission set>_*): the role watch matches them too,
	// so that a role made or changed under that name alarms, where no
	// service control policy denies it (the management account).
	ReservedRoles []string
	// Users are the names of the audit users.
	Users []string
	// AuditorsOn is optional: the account and path of the audit users,
	// when the audit role trusts a path (the log-archive layout's
	// security account), instead of Users: the credential watch then
	// matches every user's credential changes in that account by anyone
	// but a user on the path (the auditors' own device and password),
	// whatever the number of auditors.
	AuditorsOn *AuditorPath
	// Group is the name of the audit group.
	Group string
	// IdentityCenter is optional: set when an IAM Identity Center
	// permission set may assume the audit role, for the watch of Identity
	// Center's permission sets, assignments and the auditors' groups.
	IdentityCenter *IdentityCenterAuditors
	// Buckets are the names of the stack's S3 buckets.
	Buckets []string
	// LogGroup, Topic and AlarmPrefixes are the monitoring itself: the log
	// group's name, the alarm topic's ARN (a Terraform reference is
	// allowed) and the prefixes of the alarms' names. Optional: without a
	// log group there is no monitoring watch.
	LogGroup, Topic string
	AlarmPrefixes   []string
}

// IdentityCenterAuditors are the Identity Store IDs of the groups the
// auditors' permission set is assigned to (none: users only).
type IdentityCenterAuditors struct{ Groups []string }

// AuditorPath is the account of the audit users and the ARN of their path
// (arn:<partition>:iam::<account>:user/<path>/, a Terraform reference
// allowed for the partition).
type AuditorPath struct{ Account, ARN string }

// WatchNamespace is the CloudWatch namespace of the watches' metrics.
const WatchNamespace = "AuditTrail"

// maxKeyARN is the longest ARN a key of the stacks can have, for the
// length of a pattern that holds key ARNs still unknown at synth:
// arn:<partition>:kms:<region>:<account>:key/<36-character key id>, with
// the longest partition (aws-us-gov) and region names and a margin.
const maxKeyARN = 100

// Sources of the event shapes the watches rely on; the tests match
// AWS's sample events from these pages.
const (
	// KMS events name the key in resources[0].ARN: "Logging AWS KMS API
	// calls with AWS CloudTrail" and its examples.
	kmsEvents = "https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html"
	// IAM events carry the request's parameters (userName, roleName,
	// groupName) and, in userIdentity, who made the call: "Logging IAM and
	// AWS STS API calls with AWS CloudTrail".
	iamEvents = "https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html"
	// S3 bucket-level events carry requestParameters.bucketName: "Logging
	// Amazon S3 API calls using AWS CloudTrail".
	s3Events = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html"
	// A short-term root session is recorded as eventName AssumeRoot from
	// sts.amazonaws.com in the account that starts it: "Track privileged
	// tasks in AWS CloudTrail".
	rootSessions = "https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-track-privileged-tasks.html"
)

// KeyEvents change who may use a key: its policy and its grants
// (kmsEvents).
var KeyEvents = []string{"PutKeyPolicy", "CreateGrant", "RetireGrant", "RevokeGrant", "DisableKeyRotation"}

// AliasEvents change which key an alias names. Their events carry the
// alias in requestParameters.aliasName (resources[0] is the alias for
// UpdateAlias and DeleteAlias, the target key for CreateAlias: AWS's
// samples, "CreateAlias", "UpdateAlias", "DeleteAlias" under kmsEvents).
var AliasEvents = []string{"CreateAlias", "UpdateAlias", "DeleteAlias"}

// RoleEvents change who may assume a role or what it may do (iamEvents).
var RoleEvents = []string{"UpdateAssumeRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "DeleteRole", "CreateRole"}

// UserEvents give a user a new credential or take one away, or rename
// the user (UpdateUser, whose userName is the name before); each names the
// user in requestParameters.userName (iamEvents). Creating and
// deleting a virtual MFA device are left out: their parameters name a
// device, not a user (CreateVirtualMFADevice, DeleteVirtualMFADevice in
// the IAM API Reference), a device becomes a user's credential only
// through EnableMFADevice, and "You must deactivate a user's virtual MFA
// device before you can delete it"
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteVirtualMFADevice.html):
// both steps that touch a user are watched.
var UserEvents = []string{"CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile", "CreateAccessKey", "UpdateAccessKey", "EnableMFADevice", "DeactivateMFADevice", "ResyncMFADevice", "UpdateUser", "DeleteUser", "CreateUser"}

// GroupEvents change who is in a group or what its members may do
// (iamEvents).
var GroupEvents = []string{"AddUserToGroup", "RemoveUserFromGroup", "PutGroupPolicy", "DeleteGroupPolicy", "AttachGroupPolicy", "DetachGroupPolicy", "UpdateGroup", "DeleteGroup", "CreateGroup"}

// BucketEvents would let evidence expire, stop its versions or its lock,
// copy it elsewhere, or stop logging who reads it (s3Events; S3 records PutBucketLifecycleConfiguration
// as PutBucketLifecycle). No AWS page shows the event name of
// PutObjectLockConfiguration, so both the API's name and the IAM
// action's (s3:PutBucketObjectLockConfiguration) are watched.
var BucketEvents = []string{"PutBucketLifecycle", "DeleteBucketLifecycle", "PutBucketVersioning", "PutObjectLockConfiguration", "PutBucketObjectLockConfiguration", "PutBucketReplication", "DeleteBucketReplication", "PutBucketLogging", "PutBucketEncryption", "DeleteBucketEncryption", "PutBucketRequestPayment", "PutBucketAbac"}

// MonitoringEvents would blind the monitoring itself, by service: remove
// or change the metric filters, the log group or its retention and key,
// or copy its events out (CloudWatch Logs, by requestParameters.logGroupName);
// delete, disable or change the alarms (CloudWatch, whose eventSource is
// monitoring.amazonaws.com, by alarmNames or alarmName); delete the topic,
// change its policy or key, or unsubscribe from it (SNS, by topicArn, or
// subscriptionArn, which is the topic's ARN and an ID). The request
// parameters are the APIs' own, as CloudTrail records them
// ("CloudTrail record contents",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
var MonitoringEvents = map[string][]string{
	// A data protection policy masks the events as they arrive, and a
	// transformer rewrites them: both change the copy the alarms read.
	"logs.amazonaws.com":       {"DeleteMetricFilter", "PutMetricFilter", "DeleteLogGroup", "DeleteLogStream", "PutRetentionPolicy", "DeleteRetentionPolicy", "AssociateKmsKey", "DisassociateKmsKey", "PutSubscriptionFilter", "CreateExportTask", "PutDataProtectionPolicy", "PutTransformer"},
	"monitoring.amazonaws.com": {"DeleteAlarms", "DisableAlarmActions", "PutMetricAlarm", "SetAlarmState", "PutCompositeAlarm"},
	// SetSubscriptionAttributes sets a subscription's filter policy,
	// which can drop every notification.
	// PutDataProtectionPolicy can deny or mask what is published.
	"sns.amazonaws.com": {"DeleteTopic", "SetTopicAttributes", "SetSubscriptionAttributes", "RemovePermission", "Unsubscribe", "PutDataProtectionPolicy"},
}

// AccountLogEvents set or remove CloudWatch Logs policies of the whole
// account, which apply to every log group without naming it: a
// subscription filter policy copies every group's events out, a data
// protection policy masks them (their requests name a policy, not a
// group, so every such call is watched).
var AccountLogEvents = []string{"PutAccountPolicy", "DeleteAccountPolicy", "CreateLogAnomalyDetector"}

// AlarmMuteEvents create or change an alarm mute rule, which silences
// the alarms it names for a schedule; watched whatever they name.
var AlarmMuteEvents = []string{"PutAlarmMuteRule"}

// TrailEvents change what a trail records without touching the trail
// resource CIS 4.5 watches: its event selectors (a switch to read-only
// events, or a service left out, blinds every alarm at once) and its
// Insights selectors. Every trail's, whatever its name: a request may
// name the trail by name or ARN.
var TrailEvents = []string{"PutEventSelectors", "PutInsightSelectors", "PutEventConfiguration"}

// OrganizationEvents take CloudTrail's trusted access away from the
// organization, which an organization trail needs to record the member
// accounts ("Enabling CloudTrail as a trusted service",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-an-organizational-trail-prepare.html);
// CIS 4.15 does not list it.
var OrganizationEvents = []string{"DisableAWSServiceAccess"}

// IdentityCenterEvents change a permission set, what it may do or who
// has it in which account, in IAM Identity Center (eventSource
// sso.amazonaws.com): the API's calls and the console's own names for
// them (PutPermissionsPolicy, AssociateProfile: the console operations of
// "IAM Identity Center information in CloudTrail",
// https://docs.aws.amazon.com/singlesignon/latest/userguide/sso-info-in-cloudtrail.html).
// Every permission set's, whatever it names: a call names a permission
// set by ARN (the API) or by ID (the console, as in AWS's sample
// DescribePermissionsPolicies), and one made with the auditors' name as
// its prefix would match the audit role's trust.
var IdentityCenterEvents = []string{
	"CreateAccountAssignment", "DeleteAccountAssignment", "CreatePermissionSet", "UpdatePermissionSet", "DeletePermissionSet",
	"ProvisionPermissionSet", "PutInlinePolicyToPermissionSet", "DeleteInlinePolicyFromPermissionSet",
	"AttachManagedPolicyToPermissionSet", "DetachManagedPolicyFromPermissionSet",
	"AttachCustomerManagedPolicyReferenceToPermissionSet", "DetachCustomerManagedPolicyReferenceFromPermissionSet",
	"PutPermissionsBoundaryToPermissionSet", "DeletePermissionsBoundaryFromPermissionSet",
	"PutPermissionsPolicy", "DeletePermissionsPolicy", "AssociateProfile", "DisassociateProfile",
	"CreateProfile", "UpdateProfile", "DeleteProfile", "UpdateInstance", "DeleteInstance",
}

// GroupMembershipEvents add a member to an Identity Center group, by
// service: the Identity Store API (identitystore.amazonaws.com, "Identity
// Store sends service events to EventBridge via AWS CloudTrail",
// https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-identitystore.html)
// and the console's identity store operations (sso-directory.amazonaws.com,
// the page above); both name the group in
// requestParameters.groupId (GroupId of CreateGroupMembership,
// https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateGroupMembership.html).
// Removals only take access away, and DeleteGroupMembership names a
// membership, not a group.
var GroupMembershipEvents = map[string][]string{
	"identitystore.amazonaws.com": {"CreateGroupMembership"},
	"sso-directory.amazonaws.com": {"AddMemberToGroup"},
}

// IdentitySourceEvents change where Identity Center's people come from
// or how they sign in: the identity source (a directory, an external
// identity provider and its SAML configuration) and the MFA settings
// that stand for the audit role's MFA. AWS lists them among the console's
// and the identity store's operations ("IAM Identity Center information
// in CloudTrail",
// https://docs.aws.amazon.com/singlesignon/latest/userguide/sso-info-in-cloudtrail.html)
// without their event source: sso.amazonaws.com or
// sso-directory.amazonaws.com, so both are watched.
// The external identity provider's signing certificate, the SCIM access
// token an identity provider provisions with, the sign-in configuration
// and a directory trust are the same kind of change (IAM actions of
// "AWS IAM Identity Center directory" and "AWS IAM Identity Center",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiamidentitycenterdirectory.html).
var IdentitySourceEvents = []string{
	"AssociateDirectory", "DisassociateDirectory", "UpdateDirectoryAssociation",
	"CreateExternalIdPConfigurationForDirectory", "UpdateExternalIdPConfigurationForDirectory",
	"EnableExternalIdPConfigurationForDirectory", "DisableExternalIdPConfigurationForDirectory",
	"DeleteExternalIdPConfigurationForDirectory", "PutMfaDeviceManagementForDirectory",
	"ImportExternalIdPCertificate", "DeleteExternalIdPCertificate", "CreateBearerToken",
	"UpdateSSOConfiguration", "CreateTrust", "UpdateTrust", "CreateProvisioningTenant",
}

// DirectoryEvents take over a person of Identity Center's own directory
// (a password reset, an MFA device registered, removed or changed for
// them, a new e-mail address or user name, a disabled user enabled
// again), or change the directory itself. Their requests name the user,
// not the groups, so every user's alarm: an auditor is any member of an
// assigned group, now or later (the directory's operations, AWS's list
// above; the Identity Store API's UpdateUser and the identity store's
// own changes, "AWS Identity Store" in the Service Authorization
// Reference,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentitystore.html).
var DirectoryEvents = map[string][]string{
	"sso-directory.amazonaws.com": {"UpdatePassword", "DeleteMfaDeviceForUser", "UpdateMfaDeviceForUser", "UpdateUser", "UpdateUserName", "EnableUser",
		"StartVirtualMfaDeviceRegistration", "CompleteVirtualMfaDeviceRegistration", "StartWebAuthnDeviceRegistration", "CompleteWebAuthnDeviceRegistration"},
	"identitystore.amazonaws.com": {"UpdateUser", "UpdateIdentityStore", "DeleteIdentityStore"},
}

// SCIMGroupEvents change an Identity Center group through SCIM, as an
// external identity provider does: the event source is
// identitystore-scim.amazonaws.com and the group is requestParameters.id;
// the operations (members added or removed) are hidden
// ("HIDDEN_DUE_TO_SECURITY_REASONS"), so every change of an auditors'
// group alarms ("Logging SCIM API calls with AWS CloudTrail": tokens made
// before September 2024 must be rotated for these events,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/scim-logging-using-cloudtrail.html).
var SCIMGroupEvents = []string{"PatchGroup"}

// SAMLProviderEvents make, change or delete an IAM SAML provider, which
// the roles of Identity Center's permission sets trust for their
// sessions: a changed provider would let its new issuer sign in as
// anyone. Every provider's, whatever it names.
var SAMLProviderEvents = []string{"CreateSAMLProvider", "UpdateSAMLProvider", "DeleteSAMLProvider"}

// Watches are the stack's watches of p, in a fixed order.
func Watches(p Protected) ([]Watch, error) {
	var errs []error
	for _, names := range []struct {
		field  string
		values []string
	}{{"Keys", p.Keys}, {"Aliases", p.Aliases}, {"Roles", p.Roles}, {"Users", p.Users}, {"Group", []string{p.Group}}, {"Buckets", p.Buckets}} {
		for i, v := range names.values {
			if v == "" {
				errs = append(errs, field.Required(fmt.Sprintf("%s[%d]", names.field, i), "a name to watch"))
			}
		}
	}
	watch := func(name, metric, title, head string, clauses []string, measure func(string) int) Watch {
		patterns, err := pack(head, clauses, measure)
		if err != nil {
			errs = append(errs, field.Invalid(name, strings.Join(clauses, " || "), "%v", err))
		}
		return Watch{Name: name, Metric: metric, Title: title, Patterns: patterns}
	}
	keys := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		keys[i] = equals("$.resources[0].ARN", k)
	}
	// A key ARN may be a reference still unknown at synth: measure it as
	// the longest ARN a key can have.
	keyLength := func(pattern string) int {
		n := len(pattern)
		for _, k := range p.Keys {
			n += strings.Count(pattern, `"`+k+`"`) * (maxKeyARN - len(k))
		}
		return n
	}
	plain := func(pattern string) int { return len(pattern) }
	users := make([]string, len(p.Users))
	for i, u := range p.Users {
		// Anyone but the user: another kind of identity, or an IAM user of
		// another name. userIdentity.type is in every event, and userName
		// in every IAMUser identity, so the clause does not depend on how
		// a != treats a missing property.
		users[i] = fmt.Sprintf(`(%s && (%s || %s))`, equals("$.requestParameters.userName", u),
			notEquals("$.userIdentity.type", "IAMUser"), notEquals("$.userIdentity.userName", u))
	}
	if a := p.AuditorsOn; a != nil {
		// Every user of the auditors' account, by anyone but a user on
		// their path: recipientAccountId "represents the account ID that
		// received this event"
		// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
		// and a "*" at the end of a value matches any text there.
		users = []string{fmt.Sprintf(`(%s && (%s || %s))`, equals("$.recipientAccountId", a.Account),
			notEquals("$.userIdentity.type", "IAMUser"), notEquals("$.userIdentity.arn", a.ARN+"*"))}
	}
	keyWatch := watch("key-policy-changes", "StackKeyPolicyChanges", "Key policy, grant and alias changes on the stack's keys",
		head("kms.amazonaws.com", KeyEvents), keys, keyLength)
	if len(p.Aliases) > 0 {
		keyWatch.Patterns = append(keyWatch.Patterns, watch(keyWatch.Name, keyWatch.Metric, keyWatch.Title,
			head("kms.amazonaws.com", AliasEvents), each("$.requestParameters.aliasName", p.Aliases), plain).Patterns...)
	}
	out := []Watch{
		keyWatch,
		watch("role-changes", "StackRoleChanges", "Trust and permission changes of the stack's roles",
			head("iam.amazonaws.com", RoleEvents), each("$.requestParameters.roleName", append(slices.Clone(p.Roles), p.ReservedRoles...)), plain),
	}
	// Without IAM users (Identity Center's auditors only), no credential
	// of an auditor is IAM's.
	if len(users) > 0 {
		out = append(out, watch("audit-user-credentials", "AuditUserCredentialChanges", "Credential changes of an audit user by anyone but that user",
			head("iam.amazonaws.com", UserEvents), users, plain))
	}
	out = append(out,
		watch("audit-group-changes", "AuditGroupChanges", "Membership and policy changes of the audit group",
			head("iam.amazonaws.com", GroupEvents), each("$.requestParameters.groupName", []string{p.Group}), plain),
		watch("evidence-bucket-changes", "EvidenceBucketChanges", "Lifecycle, versioning, Object Lock, replication and access logging changes of the stack's buckets",
			head("s3.amazonaws.com", BucketEvents), each("$.requestParameters.bucketName", p.Buckets), plain),
	)
	if ic := p.IdentityCenter; ic != nil {
		w := watch("identity-center-changes", "IdentityCenterChanges", "IAM Identity Center permission set, assignment, identity source and MFA setting changes, people's credentials reset, SAML provider changes, and members added to the auditors' groups",
			equals("$.eventSource", "sso.amazonaws.com"), each("$.eventName", IdentityCenterEvents), plain)
		if len(ic.Groups) > 0 {
			for _, source := range []string{"identitystore.amazonaws.com", "sso-directory.amazonaws.com"} {
				w.Patterns = append(w.Patterns, watch(w.Name, w.Metric, w.Title,
					head(source, GroupMembershipEvents[source]), each("$.requestParameters.groupId", ic.Groups), plain).Patterns...)
			}
			w.Patterns = append(w.Patterns, watch(w.Name, w.Metric, w.Title,
				head("identitystore-scim.amazonaws.com", SCIMGroupEvents), each("$.requestParameters.id", ic.Groups), plain).Patterns...)
		}
		for _, source := range []string{"sso.amazonaws.com", "sso-directory.amazonaws.com"} {
			w.Patterns = append(w.Patterns, watch(w.Name, w.Metric, w.Title,
				equals("$.eventSource", source), each("$.eventName", IdentitySourceEvents), plain).Patterns...)
		}
		for _, source := range []string{"sso-directory.amazonaws.com", "identitystore.amazonaws.com"} {
			w.Patterns = append(w.Patterns, watch(w.Name, w.Metric, w.Title,
				equals("$.eventSource", source), each("$.eventName", DirectoryEvents[source]), plain).Patterns...)
		}
		w.Patterns = append(w.Patterns, watch(w.Name, w.Metric, w.Title,
			equals("$.eventSource", "iam.amazonaws.com"), each("$.eventName", SAMLProviderEvents), plain).Patterns...)
		out = append(out, w)
	}
	// Root's powers no policy removes: the root user may always put or
	// delete a bucket's policy, and in an organization the management
	// account (or IAM's delegated administrator) starts short-term root
	// sessions in member accounts with sts:AssumeRoot, scoped for example
	// by the task policy S3UnlockBucketPolicy to exactly that. Root's own
	// calls alarm through CIS 4.3 (root account usage); the start of
	// such a session is recorded in the calling account as AssumeRoot
	// (rootSessions).
	selectors := watch("trail-selector-changes", "TrailSelectorChanges", "Changes of what a trail records: its event and Insights selectors, and an organization's trusted access for CloudTrail",
		equals("$.eventSource", "cloudtrail.amazonaws.com"), each("$.eventName", TrailEvents), plain)
	selectors.Patterns = append(selectors.Patterns, watch(selectors.Name, selectors.Metric, selectors.Title,
		equals("$.eventSource", "organizations.amazonaws.com"), each("$.eventName", OrganizationEvents), plain).Patterns...)
	out = append(out, selectors)
	out = append(out, watch("root-sessions", "RootSessions", "Short-term root sessions started in member accounts (sts:AssumeRoot)",
		equals("$.eventSource", "sts.amazonaws.com"), []string{equals("$.eventName", "AssumeRoot")}, plain))
	if p.LogGroup != "" {
		var alarms []string
		for _, prefix := range p.AlarmPrefixes {
			// Any of the names a call lists ([*]), or the one it names.
			alarms = append(alarms, equals("$.requestParameters.alarmNames[*]", prefix+"*"), equals("$.requestParameters.alarmName", prefix+"*"))
		}
		topic := []string{equals("$.requestParameters.topicArn", p.Topic), equals("$.requestParameters.subscriptionArn", p.Topic+":*"), equals("$.requestParameters.resourceArn", p.Topic)}
		// The topic's ARN may be a reference: measure it as the longest
		// ARN the topic can have.
		topicLength := func(pattern string) int {
			return len(pattern) + strings.Count(pattern, p.Topic)*(maxKeyARN+len("topic-")-len(p.Topic))
		}
		w := Watch{Name: "monitoring-changes", Metric: "MonitoringChanges", Title: "Changes that would blind the monitoring: its filters, log group, alarms and topic"}
		for _, part := range []struct {
			source  string
			clauses []string
			measure func(string) int
		}{
			{"logs.amazonaws.com", each("$.requestParameters.logGroupName", []string{p.LogGroup}), plain},
			{"monitoring.amazonaws.com", alarms, plain},
			{"sns.amazonaws.com", topic, topicLength},
		} {
			patterns, err := pack(head(part.source, MonitoringEvents[part.source]), part.clauses, part.measure)
			if err != nil {
				errs = append(errs, field.Invalid(w.Name, part.source, "%v", err))
			}
			w.Patterns = append(w.Patterns, patterns...)
		}
		accountPolicies, err := pack(equals("$.eventSource", "logs.amazonaws.com"), each("$.eventName", AccountLogEvents), plain)
		if err != nil {
			errs = append(errs, field.Invalid(w.Name, "account policies", "%v", err))
		}
		w.Patterns = append(w.Patterns, accountPolicies...)
		mutes, err := pack(equals("$.eventSource", "monitoring.amazonaws.com"), each("$.eventName", AlarmMuteEvents), plain)
		if err != nil {
			errs = append(errs, field.Invalid(w.Name, "alarm mute rules", "%v", err))
		}
		w.Patterns = append(w.Patterns, mutes...)
		out = append(out, w)
	}
	return out, errors.Join(errs...)
}

// head is the part of a pattern every filter of a watch shares: the
// service and the event names.
func head(source string, events []string) string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = equals("$.eventName", e)
	}
	return fmt.Sprintf("%s && (%s)", equals("$.eventSource", source), strings.Join(names, " || "))
}

func each(selector string, values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = equals(selector, v)
	}
	return out
}

func equals(selector, value string) string    { return fmt.Sprintf(`(%s = "%s")`, selector, value) }
func notEquals(selector, value string) string { return fmt.Sprintf(`(%s != "%s")`, selector, value) }

// pack puts the clauses, in order, into as few patterns "{ head && (c ||
// c ...) }" as fit filterpattern.MaxLength by measure.
func pack(head string, clauses []string, measure func(string) int) ([]string, error) {
	if len(clauses) == 0 {
		return nil, errors.New("names nothing to watch")
	}
	render := func(cs []string) string { return "{ " + head + " && (" + strings.Join(cs, " || ") + ") }" }
	var out []string
	var current []string
	for _, c := range clauses {
		if measure(render(append(current, c))) <= filterpattern.MaxLength {
			current = append(current, c)
			continue
		}
		if len(current) == 0 {
			return nil, fmt.Errorf("makes a pattern longer than the %d characters CloudWatch Logs accepts", filterpattern.MaxLength)
		}
		out = append(out, render(current))
		current = []string{c}
		if measure(render(current)) > filterpattern.MaxLength {
			return nil, fmt.Errorf("makes a pattern longer than the %d characters CloudWatch Logs accepts", filterpattern.MaxLength)
		}
	}
	return append(out, render(current)), nil
}

package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/auditors"
	"github.com/cle2wa/audit-trail/constructs/block"
	"github.com/cle2wa/audit-trail/constructs/cmk"
	"github.com/cle2wa/audit-trail/constructs/identitycenter"
	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/constructs/monitoring"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/tfaws"
	"github.com/cle2wa/audit-trail/constructs/trail"
	"github.com/cle2wa/audit-trail/constructs/trailkey"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// LogArchiveName is the log-archive account's stack in the log-archive
// layout (settings.Accounts): its directory is
// cdktf.out/stacks/<LogArchiveName>.
const LogArchiveName = "logarchive"

// LogArchive is the log-archive account's stack: the log bucket and its
// access-log bucket.
type LogArchive struct {
	TerraformStack cdktf.TerraformStack
	// Buckets are the log bucket and its access-log bucket.
	Buckets *logbucket.Pair
}

// membership adds the aws_organizations_organization data source to the
// stack of the member account named account (a member may read its
// organization, and the provider reads what a member may) and returns the environment of the
// organization's management account, where the organization trail is,
// and the organization's ID. Its postcondition stops the plan when the
// account is the management account itself: the layout's point is
// evidence out of the management account, where no service control
// policy binds the root user
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
func membership(stack cdktf.TerraformStack, env arn.Env, account, what string) (management arn.Env, organizationID string) {
	org := block.In(stack).Data("organization", "organization", tfaws.DataOrganizationsOrganization{
		Lifecycle: &block.Lifecycle{Postcondition: []block.Condition{{
			Condition:    fmt.Sprintf(`${self.master_account_id != "%s"}`, account),
			ErrorMessage: fmt.Sprintf("the %s account is the organization's management account: accounts names member accounts, which the management account's service control policies bind", what),
		}}},
	})
	return arn.Env{Partition: env.Partition, Account: block.Ref(org, "master_account_id"), Region: env.Region}, block.Ref(org, "id")
}

// member is the start of a member account's stack in the log-archive
// layout.
type member struct {
	stack cdktf.TerraformStack
	// env is the member account's; management the management account's,
	// where the organization trail is; organizationID the organization's.
	env, management arn.Env
	ops             policy.Operators
	organizationID  string
}

// newMember adds the stack name to app, for the member account that the
// setting accounts.<setting> names: its backend, its provider, which
// assumes the layout's role there, and its organization (membership).
func newMember(app constructs.Construct, s settings.Settings, name, account, setting string) member {
	stack := cdktf.NewTerraformStack(app, jsii.String(name))
	Configure(stack, name, s)
	env, ops, _ := newAccountProvider(stack, s.Region, s, account)
	management, organizationID := membership(stack, env, account, setting)
	return member{stack: stack, env: env, management: management, ops: ops, organizationID: organizationID}
}

// trailKeyARN adds a data source that reads the trail key's ARN through
// its alias ARN in the account that holds it (KMS DescribeKey accepts an
// alias ARN across accounts: "For cryptographic operations, DescribeKey,
// and GetPublicKey, use the key ARN or alias ARN of the KMS key",
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html),
// so that no stack reads another's state.
func trailKeyARN(stack cdktf.TerraformStack, keys arn.Env, alias string) string {
	return block.Ref(block.In(stack).Data("trail_key", "trail_key", tfaws.DataKMSKey{KeyID: keys.Alias(alias)}), "arn")
}

// keysEnv is the account that holds the trail key in the layout a.
func keysEnv(a *settings.Accounts, management arn.Env) arn.Env {
	if a.Keys() == settings.KeysInManagement {
		return management
	}
	keys := management
	keys.Account = a.Security
	return keys
}

// NewLogArchive adds the log-archive account's stack to app, for settings
// s with Accounts that All has validated: the log bucket (encrypted with
// the trail key of the keys' account) and its access-log bucket, with the
// evidence protections of every log bucket; the statements CloudTrail
// needs for the management account's organization trail
// (trail.BucketGrants); the audit role of the security account's reads
// (auditors.BucketGrants, which its own policy matches); and nothing for
// anyone outside the organization, nor for AWS services acting for another
// organization (logbucket.DenyOutsideOrganization); and, as an output for the
// management account to attach, the service control policy that denies
// the account's root user the bucket policy changes no bucket policy can
// deny it (logbucket.RootSCP).
func NewLogArchive(app constructs.Construct, s settings.Settings) (*LogArchive, error) {
	names := s.Names()
	m := newMember(app, s, LogArchiveName, s.Accounts.LogArchive, "logArchive")
	stack, env, ops, management, organizationID := m.stack, m.env, m.ops, m.management, m.organizationID
	key := trailKeyARN(stack, keysEnv(s.Accounts, management), names.KeyAlias)

	pair, err := logbucket.NewPair(stack, "log_bucket", "access_log_bucket", logbucket.PairConfig{
		Env:       env,
		Bucket:    logbucket.Config{Name: names.LogBucket, KMSKeyARN: key, Retention: s.Retention, Lock: s.Lock(), Operators: ops},
		AccessLog: logbucket.Config{Name: names.AccessLogBucket, Retention: s.Retention, Operators: ops},
	})
	if err != nil {
		return nil, err
	}
	auditRole := arn.Env{Partition: env.Partition, Account: s.Accounts.Security}.Role(names.Role)
	grants := append(trail.BucketGrants(management, names.Trail, s.LogPrefix, pair.Bucket.ARN, organizationID), auditors.BucketGrants(auditRole, pair.Bucket.ARN)...)
	if err := pair.Bucket.AddToResourcePolicy(append(grants, logbucket.DenyOutsideOrganization(pair.Bucket.ARN, organizationID)...)...); err != nil {
		return nil, err
	}
	if err := pair.AccessLog.AddToResourcePolicy(append(auditors.BucketGrants(auditRole, pair.AccessLog.ARN), logbucket.DenyOutsideOrganization(pair.AccessLog.ARN, organizationID)...)...); err != nil {
		return nil, err
	}
	if err := outputSCP(stack, "root_scp", logbucket.RootSCP([]string{pair.Bucket.ARN, pair.AccessLog.ARN}),
		"Service control policy (AWS Organizations) for the log-archive account: denies its root user replacing or deleting the log buckets' policies, which no bucket policy can deny; attach it from the management account"); err != nil {
		return nil, err
	}
	return &LogArchive{TerraformStack: stack, Buckets: pair}, nil
}

// AuditorsPath is the IAM path of the security account's auditors: the
// audit role trusts the users on it, whatever their number, and the
// output auditors_scp keeps making, moving and taking over users there to
// the account's operators.
const AuditorsPath = "/auditors/"

// SecurityName is the security account's stack in the log-archive
// layout: its directory is cdktf.out/stacks/<SecurityName>.
const SecurityName = "security"

// Security is the security account's stack: the audit identities and,
// unless the layout keeps it in the management account, the trail key.
type Security struct {
	TerraformStack cdktf.TerraformStack
	Auditors       *auditors.Auditors
	// Key is the trail key; nil when the management account holds it.
	Key *cmk.Key
}

// NewSecurity adds the security account's stack to app, for settings s
// with Accounts that All has validated: the audit group, users and role
// (which read the log-archive account's buckets, whose policies grant
// them, and decrypt), the output auditors_scp (auditors.SCP) that keeps
// them to the account's operators, and, with keys in the security account, the trail
// key, for the management account's organization trail
// (trailkey.Config.TrailEnv), whose ARN the other accounts' stacks read
// through its alias (trailkey.Config.Describers).
func NewSecurity(app constructs.Construct, s settings.Settings) (*Security, error) {
	names := s.Names()
	m := newMember(app, s, SecurityName, s.Accounts.Security, "security")
	stack, env, ops, management := m.stack, m.env, m.ops, m.management

	audit, err := auditors.New(stack, "audit", auditors.Config{GroupName: names.Group, RoleName: names.Role, UserNames: s.AuditUsers, PermissionSet: s.PermissionSet(), Env: env, Path: AuditorsPath})
	if err != nil {
		return nil, err
	}
	out := &Security{TerraformStack: stack, Auditors: audit}
	var keyARN string
	if s.Accounts.Keys() == settings.KeysInSecurity {
		logArchive := arn.Env{Partition: env.Partition, Account: s.Accounts.LogArchive}
		if out.Key, err = trailkey.New(stack, "trail_key", trailkey.Config{
			Alias: names.KeyAlias, Env: env, TrailName: names.Trail, TrailEnv: management,
			DecryptorARN: audit.RoleARN, Decryptor: audit.Role, Operators: ops,
			Describers: []string{management.Root(), logArchive.Root()},
		}); err != nil {
			return nil, err
		}
		keyARN = out.Key.ARN()
	} else {
		// The key of the management account's keys stack, which names
		// this stack's audit role (KMS refuses a key policy that names a
		// principal that does not exist) and so is applied after it: by
		// the account's keys, not by an ARN read from it. Across
		// accounts, the key policy must allow the role too, and only that
		// key's does.
		keyARN = management.Key("*")
	}
	// The SCP that keeps the audit identities to the account's operators,
	// for the management account to attach to this member account.
	onPath := []string{auditors.UserARN(env, AuditorsPath, "*")}
	scp := auditors.SCP(audit.RoleARN, env.Group(names.Group), onPath, ops.MayProtect())
	if s.IdentityCenter != nil {
		// The audit role trusts roles on Identity Center's path, which
		// trust its SAML provider.
		scp.Statements = append(scp.Statements, identitycenter.ReservedForIdentityCenter(env)...)
	}
	if err := outputSCP(stack, "auditors_scp", scp,
		"Service control policy (AWS Organizations) for the security account: denies changing the audit role, making or taking over an auditor's user and changing the audit group to all but the account's deployers and break-glass principals; attach it from the management account"); err != nil {
		return nil, err
	}
	buckets := arn.Env{Partition: env.Partition}
	if _, err := auditors.NewReadPolicy(stack, "audit_role_read", auditors.ReadConfig{
		Role:       audit.Role,
		BucketARNs: []string{buckets.Bucket(names.LogBucket), buckets.Bucket(names.AccessLogBucket)},
		KeyARN:     keyARN,
		Configuration: auditors.Configuration{RoleARNs: []string{audit.RoleARN}, GroupARNs: []string{env.Group(names.Group)},
			UserARNs: onPath, Organization: true},
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// NewManagement adds the management account's stack of the log-archive
// layout to app, for settings s with Accounts that All has validated: the
// organization trail, which delivers to the log-archive account's bucket
// with the security account's key (trail.Delivery, the key's ARN read
// through its alias), and its CloudWatch Logs copy with the alarms, which
// must be in the trail's own account ("You must use a log group that
// exists in your account",
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html).
// Nobody reads the copy (monitoring.Config.Reader): the readers are the
// security account's, and CloudWatch Logs reads are the account's own; it
// feeds the alarms, whose watches see the member accounts' events too
// (an organization trail delivers them to the same log group). A trail key
// in the management account is the keys stack's (NewKeys).
func NewManagement(app constructs.Construct, s settings.Settings) (*Audit, error) {
	names := s.Names()
	stack := cdktf.NewTerraformStack(app, jsii.String(AuditName))
	backend := Configure(stack, AuditName, s)
	env, ops, _ := newProvider(stack, s.Region, s)
	organizationID := organization(stack, env, controlTower(s.Accounts.ControlTower)...)
	keyARN := trailKeyARN(stack, keysEnv(s.Accounts, env), names.KeyAlias)
	buckets := arn.Env{Partition: env.Partition}

	var cloudWatch *trail.CloudWatch
	var watch *monitoring.Monitoring
	if s.Monitoring {
		var err error
		watch, err = monitoring.New(stack, "monitoring", monitoring.Config{
			Env: env, TrailName: names.Trail, LogGroupName: names.LogGroup, RetentionDays: s.LogGroupRetentionDays,
			RoleName: names.TrailLogsRole, LogsKeyAlias: names.LogsKeyAlias, TopicKeyAlias: names.AlarmKeyAlias,
			TopicName: names.AlarmTopic, Emails: s.AlarmEmails, OrganizationID: organizationID, Operators: ops,
			Protected: monitoring.Protected{
				Keys: []string{keyARN}, Aliases: []string{names.KeyAlias}, Roles: []string{names.Role},
				Group: names.Group, Buckets: evidenceBuckets(s),
				// The security account's auditors, on their path, by
				// account: the watch does not grow with them.
				AuditorsOn: &monitoring.AuditorPath{Account: s.Accounts.Security,
					ARN: auditors.UserARN(arn.Env{Partition: env.Partition, Account: s.Accounts.Security}, AuditorsPath, "")},
				IdentityCenter: identityCenterWatch(s),
				ReservedRoles:  reservedRoles(s),
			},
		})
		if err != nil {
			return nil, err
		}
		cloudWatch = &trail.CloudWatch{LogGroupARN: block.Ref(watch.LogGroup, "arn"), RoleARN: block.Ref(watch.Role, "arn"), RolePolicy: watch.RolePolicy}
	}
	// The permission set, made where Identity Center is administered,
	// assigned in the security account, where the audit role is.
	if s.IdentityCenter != nil {
		if err := addIdentityCenter(stack, s, env, s.Accounts.Security, arn.Env{Partition: env.Partition, Account: s.Accounts.Security}.Role(names.Role)); err != nil {
			return nil, err
		}
	}
	t, err := trail.New(stack, "trail", trail.Config{
		Name: names.Trail, Env: env, KeyPrefix: s.LogPrefix,
		Delivery:   &trail.Delivery{BucketName: names.LogBucket, KeyARN: keyARN},
		CloudWatch: cloudWatch, Insights: s.Insights, DataEvents: s.DataEvents,
		OwnBuckets:         []string{buckets.Bucket(names.LogBucket), buckets.Bucket(names.AccessLogBucket)},
		OrganizationID:     organizationID,
		ManagementEventsBy: managementEventsBy(s.Accounts.ControlTower),
	})
	if err != nil {
		return nil, err
	}
	// The published values are the audit stack's (Outputs), read where
	// they are: the trail's here, the names and ARNs of the other
	// accounts' resources as the settings give them.
	security := arn.Env{Partition: env.Partition, Account: s.Accounts.Security}
	out := Outputs{
		TrailARN: jsii.String(block.Ref(t, "arn")), TrailName: jsii.String(block.Ref(t, "name")),
		LogBucketName: jsii.String(names.LogBucket), LogBucketARN: jsii.String(buckets.Bucket(names.LogBucket)),
		AccessLogBucketName: jsii.String(names.AccessLogBucket),
		KMSKeyARN:           jsii.String(keyARN), KMSKeyAlias: jsii.String(names.KeyAlias),
		AuditGroupName: jsii.String(names.Group), AuditRoleARN: jsii.String(security.Role(names.Role)),
		AuditUserNames: jsii.Strings(s.AuditUsers...), AccountID: jsii.String(env.Account),
		OrganizationID: jsii.String(organizationID),
	}
	if watch != nil {
		out.LogGroupName, out.AlarmTopicARN = jsii.String(block.Ref(watch.LogGroup, "name")), jsii.String(block.Ref(watch.Topic, "arn"))
	}
	return publish(stack, backend, out), nil
}

// controlTower are the postconditions of the organization that the
// setting accounts.controlTower (mode) needs: unset, that AWS Control
// Tower does not manage the organization (its baseline trail would record
// every management event a second time, unasked); "adds-data-events",
// that it does (or nothing would record them); "records-everything",
// none. Detected without side effects, from the principals the
// organization trusts (the aws_organizations_organization data source);
// Control Tower's own ListLandingZones "creates an ARN for existing
// accounts" when called
// (https://docs.aws.amazon.com/controltower/latest/APIReference/API_ListLandingZones.html).
func controlTower(mode string) []block.Condition {
	switch mode {
	case "":
		return []block.Condition{{
			Condition: "${!" + strings.TrimPrefix(trail.ControlTowerManages, "${"),
			ErrorMessage: fmt.Sprintf(`AWS Control Tower manages this organization (it trusts %s): its trail %s records every account's management events. Set "accounts": {"controlTower": "%s"} to record only data events here, or "%s" to record the management events a second time (billed), in evidence these stacks protect; Control Tower's own trail and buckets are never touched`,
				trail.ControlTowerPrincipal, trail.ControlTowerTrail, settings.ControlTowerAddsDataEvents, settings.ControlTowerRecordsEverything),
		}}
	case settings.ControlTowerAddsDataEvents:
		return []block.Condition{{
			Condition: trail.ControlTowerManages,
			ErrorMessage: fmt.Sprintf(`accounts.controlTower is %q, but AWS Control Tower does not manage this organization (it does not trust %s): no trail would record the management events; remove the setting`,
				settings.ControlTowerAddsDataEvents, trail.ControlTowerPrincipal),
		}}
	}
	return nil
}

// managementEventsBy is the trail that records the management events in
// the Control Tower mode mode, or "" for this one.
func managementEventsBy(mode string) string {
	if mode == settings.ControlTowerAddsDataEvents {
		return trail.ControlTowerTrail
	}
	return ""
}

// KeysName is the stack of the trail key when the log-archive layout
// keeps it in the management account (settings.KeysInManagement): its
// directory is cdktf.out/stacks/<KeysName>.
const KeysName = "keys"

// NewKeys adds the management account's keys stack to app, for settings
// s with Accounts that keep the trail key in the management account (as
// AWS Control Tower requires, "Key is in the management account",
// https://docs.aws.amazon.com/controltower/latest/userguide/configure-kms-keys.html):
// the trail key for the account's own organization trail, decrypted by
// the security account's audit role only, described by the other
// accounts' stacks. It is a stack of its own because of the order of
// applies: the key names the audit role, which must exist (the security
// stack first), and the log-archive stack reads the key's ARN, and the
// trail waits for the log-archive bucket's policy: security, keys, log
// archive, then the management account's audit stack.
func NewKeys(app constructs.Construct, s settings.Settings) (*cmk.Key, error) {
	if s.Accounts.Keys() != settings.KeysInManagement {
		return nil, fmt.Errorf("accounts.keysIn is %q: the trail key is the security stack's", s.Accounts.Keys())
	}
	names := s.Names()
	stack := cdktf.NewTerraformStack(app, jsii.String(KeysName))
	Configure(stack, KeysName, s)
	env, ops, _ := newProvider(stack, s.Region, s)
	member := func(account string) arn.Env { return arn.Env{Partition: env.Partition, Account: account} }
	return trailkey.New(stack, "trail_key", trailkey.Config{
		Alias: names.KeyAlias, Env: env, TrailName: names.Trail,
		DecryptorARN: member(s.Accounts.Security).Role(names.Role), Operators: ops,
		Describers: []string{member(s.Accounts.LogArchive).Root(), member(s.Accounts.Security).Root()},
	})
}

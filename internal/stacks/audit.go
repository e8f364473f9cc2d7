// Package stacks assembles the stacks of the app from the settings:
//
//   - "audit" (NewAudit): the access-log bucket, the log bucket, the trail
//     key, the audit identities, the trail and (unless turned off) its
//     monitoring, with the outputs other stacks consume;
//   - "state" (NewState): the bucket for remote state, deployed first;
//   - "exports" (NewExports): the audit stack's outputs, read from its
//     state and published again.
//
// Every stack gets the backend the settings choose (Configure).
package stacks

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/auditors"
	"github.com/cle2wa/audit-trail/constructs/auditstate"
	"github.com/cle2wa/audit-trail/constructs/block"
	"github.com/cle2wa/audit-trail/constructs/identitycenter"
	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/constructs/monitoring"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/tfaws"
	"github.com/cle2wa/audit-trail/constructs/trail"
	"github.com/cle2wa/audit-trail/constructs/trailkey"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// AuditName is the audit stack's name: its directory is
// cdktf.out/stacks/<AuditName>.
const AuditName = "audit"

// Audit is the audit stack and the values it publishes.
type Audit struct {
	// TerraformStack is the stack itself.
	TerraformStack cdktf.TerraformStack
	// Backend is where its state is, which the exports stack reads.
	Backend cdktf.TerraformBackend
	// Outputs are the stack's published values.
	Outputs Outputs
}

// Outputs are the stack's published values: Terraform references, or
// the literal names and ARNs the settings give (the log-archive layout).
type Outputs struct {
	TrailARN, TrailName, LogBucketName, LogBucketARN, AccessLogBucketName *string
	KMSKeyARN, KMSKeyAlias, AuditGroupName, AuditRoleARN                  *string
	AuditUserNames                                                        *[]*string
	// LogGroupName and AlarmTopicARN are nil when monitoring is off.
	LogGroupName, AlarmTopicARN *string
	// AccountID is the account the stack is deployed to.
	AccountID *string
	// OrganizationID is the organization an organization trail records;
	// nil for a trail of this account only.
	OrganizationID *string
}

// NewAudit adds the audit stack to app, for settings s that All has
// validated.
func NewAudit(app constructs.Construct, s settings.Settings) (*Audit, error) {
	names := s.Names()
	stack := cdktf.NewTerraformStack(app, jsii.String(AuditName))
	backend := Configure(stack, AuditName, s)
	env, ops, caller := newProvider(stack, s.Region, s)
	firstApplyByOperator(stack, s, ops, caller, names.Role)

	audit, err := auditors.New(stack, "audit", auditors.Config{
		GroupName:     names.Group,
		RoleName:      names.Role,
		UserNames:     s.AuditUsers,
		PermissionSet: s.PermissionSet(),
		Env:           env,
	})
	if err != nil {
		return nil, err
	}

	key, err := trailkey.New(stack, "trail_key", trailkey.Config{
		Alias:        names.KeyAlias,
		Env:          env,
		TrailName:    names.Trail,
		DecryptorARN: audit.RoleARN,
		Decryptor:    audit.Role,
		Operators:    ops,
	})
	if err != nil {
		return nil, err
	}

	buckets, err := logbucket.NewPair(stack, "log_bucket", "access_log_bucket", logbucket.PairConfig{
		Env:       env,
		Bucket:    logbucket.Config{Name: names.LogBucket, KMSKeyARN: key.ARN(), Retention: s.Retention, Lock: s.Lock(), Operators: ops},
		AccessLog: logbucket.Config{Name: names.AccessLogBucket, Retention: s.Retention, Operators: ops},
	})
	if err != nil {
		return nil, err
	}
	logs, accessLogs := buckets.Bucket, buckets.AccessLog

	var organizationID string
	if s.OrganizationTrail {
		organizationID = organization(stack, env)
	}

	var watch *monitoring.Monitoring
	var cloudWatch *trail.CloudWatch
	read := auditors.ReadConfig{
		Role:       audit.Role,
		BucketARNs: []string{logs.ARN, accessLogs.ARN},
		KeyARN:     key.ARN(),
		Configuration: auditors.Configuration{RoleARNs: []string{audit.RoleARN}, GroupARNs: []string{env.Group(names.Group)}, UserARNs: userARNs(env, s.AuditUsers),
			Organization: s.OrganizationTrail, IdentityCenter: s.IdentityCenter != nil},
	}
	if s.Monitoring {
		if watch, err = addMonitoring(stack, s, env, ops, audit, key.ARN(), organizationID); err != nil {
			return nil, err
		}
		cloudWatch = &trail.CloudWatch{LogGroupARN: block.Ref(watch.LogGroup, "arn"), RoleARN: block.Ref(watch.Role, "arn"), RolePolicy: watch.RolePolicy}
		read.LogGroupARN = watch.LogGroupARN
		read.Configuration.KeyARNs = watch.KeyARNs
		read.Configuration.RoleARNs = append(read.Configuration.RoleARNs, env.Role(names.TrailLogsRole))
		read.Configuration.TopicARNs = []string{env.Topic(names.AlarmTopic)}
		read.Configuration.AlarmARNs = watch.AlarmARNs
		read.Configuration.LogGroupARNs = []string{watch.LogGroupARN, watch.LogGroupARN + ":*"}
		read.Configuration.PolicyARNs = []string{env.Policy(names.DenyLogReadsPolicy)}
	}
	if _, err := auditors.NewReadPolicy(stack, "audit_role_read", read); err != nil {
		return nil, err
	}

	t, err := trail.New(stack, "trail", trail.Config{
		Name:           names.Trail,
		Env:            env,
		Bucket:         logs,
		Key:            key,
		KeyPrefix:      s.LogPrefix,
		CloudWatch:     cloudWatch,
		Insights:       s.Insights,
		DataEvents:     s.DataEvents,
		OwnBuckets:     []string{logs.ARN, accessLogs.ARN},
		OrganizationID: organizationID,
	})
	if err != nil {
		return nil, err
	}

	if s.IdentityCenter != nil {
		// The permission set's roles read the log group through the
		// audit role only, as the group's members do.
		var deny []policy.Statement
		if watch != nil {
			deny = monitoring.DenyReads(watch.LogGroupARN).Statements
		}
		if err := addIdentityCenter(stack, s, env, env.Account, audit.RoleARN, deny...); err != nil {
			return nil, err
		}
	}

	userNames := make([]*string, 0, len(audit.Users))
	for _, u := range audit.Users {
		userNames = append(userNames, jsii.String(block.Ref(u, "name")))
	}
	out := Outputs{
		TrailARN:            jsii.String(block.Ref(t, "arn")),
		TrailName:           jsii.String(block.Ref(t, "name")),
		LogBucketName:       jsii.String(logs.Ref("bucket")),
		LogBucketARN:        jsii.String(logs.Ref("arn")),
		AccessLogBucketName: jsii.String(accessLogs.Ref("bucket")),
		KMSKeyARN:           jsii.String(key.ARN()),
		KMSKeyAlias:         jsii.String(key.AliasName()),
		AuditGroupName:      jsii.String(block.Ref(audit.Group, "name")),
		AuditRoleARN:        jsii.String(block.Ref(audit.Role, "arn")),
		AuditUserNames:      &userNames,
		AccountID:           jsii.String(env.Account),
	}
	if organizationID != "" {
		out.OrganizationID = jsii.String(organizationID)
	}
	if watch != nil {
		out.LogGroupName, out.AlarmTopicARN = jsii.String(block.Ref(watch.LogGroup, "name")), jsii.String(block.Ref(watch.Topic, "arn"))
	}
	return publish(stack, backend, out), nil
}

// identityCenterWatch is what the watches guard of s.IdentityCenter, or
// nil.
func identityCenterWatch(s settings.Settings) *monitoring.IdentityCenterAuditors {
	if s.IdentityCenter == nil {
		return nil
	}
	return &monitoring.IdentityCenterAuditors{Groups: s.IdentityCenter.Groups}
}

// IdentityCenterProvider is the alias of the provider in Identity
// Center's region, when it is not the settings' region.
const IdentityCenterProvider = "identity_center"

// reservedRoles are the patterns of the names of the roles of the
// permission set of s.IdentityCenter, or none.
func reservedRoles(s settings.Settings) []string {
	if s.IdentityCenter == nil {
		return nil
	}
	return []string{identitycenter.RoleName(s.IdentityCenter.PermissionSet)}
}

// addIdentityCenter adds the permission set of s.IdentityCenter to the
// stack, assigned in account, that may assume the audit role roleARN,
// with the statements deny: its roles there trust it
// (auditors.Config.PermissionSet). It is made where Identity Center is
// administered: the management account (or its delegated administrator),
// which the instances' postcondition checks at plan.
func addIdentityCenter(stack cdktf.TerraformStack, s settings.Settings, env arn.Env, account, roleARN string, deny ...policy.Statement) error {
	ic := s.IdentityCenter
	cfg := identitycenter.Config{
		InstanceARN: ic.InstanceARN, PermissionSet: ic.PermissionSet, Groups: ic.Groups, Users: ic.Users,
		Account: account, AuditRoleARN: roleARN, Env: env, Deny: deny, Region: ic.RegionOr(s.Region),
	}
	if cfg.Region != s.Region {
		cfg.Provider = regionalProvider(stack, cfg.Region, s, IdentityCenterProvider)
	}
	_, err := identitycenter.New(stack, "identity_center", cfg)
	return err
}

// publish adds the outputs out to the audit stack: the contract other
// stacks read (package auditstate).
func publish(stack cdktf.TerraformStack, backend cdktf.TerraformBackend, out Outputs) *Audit {
	for _, o := range out.List() {
		cdktf.NewTerraformOutput(stack, jsii.String(o.Name), &cdktf.TerraformOutputConfig{
			Value:       o.Value,
			Description: jsii.String(o.Description),
		})
	}
	return &Audit{TerraformStack: stack, Backend: backend, Outputs: out}
}

// Output is one published value: its name in the contract (package
// auditstate), its token and its description.
type Output struct {
	Name, Description string
	Value             interface{}
}

// List is every published value of the contract, in the order the stacks
// declare them.
func (o Outputs) List() []Output {
	list := []Output{
		{auditstate.OutputTrailARN, "ARN of the CloudTrail trail", o.TrailARN},
		{auditstate.OutputTrailName, "Name of the CloudTrail trail", o.TrailName},
		{auditstate.OutputLogBucketName, "Name of the S3 bucket that receives the CloudTrail log files", o.LogBucketName},
		{auditstate.OutputLogBucketARN, "ARN of the S3 bucket that receives the CloudTrail log files", o.LogBucketARN},
		{auditstate.OutputAccessLogBucketName, "Name of the S3 bucket that receives the log bucket's server access logs", o.AccessLogBucketName},
		{auditstate.OutputKMSKeyARN, "ARN of the KMS key that encrypts the CloudTrail log files", o.KMSKeyARN},
		{auditstate.OutputKMSKeyAlias, "Alias of the KMS key that encrypts the CloudTrail log files", o.KMSKeyAlias},
		{auditstate.OutputAuditGroupName, "Name of the IAM group of auditors", o.AuditGroupName},
		{auditstate.OutputAuditRoleARN, "ARN of the IAM role that reads and decrypts the log files (MFA required)", o.AuditRoleARN},
		{auditstate.OutputAuditUserNames, "Names of the IAM users in the audit group", o.AuditUserNames},
		{auditstate.OutputAccountID, "ID of the AWS account of the trail", o.AccountID},
	}
	if o.LogGroupName != nil {
		list = append(list,
			Output{auditstate.OutputLogGroupName, "Name of the CloudWatch Logs log group with a copy of the trail's events", o.LogGroupName},
			Output{auditstate.OutputAlarmTopicARN, "ARN of the SNS topic the CIS section 4 alarms notify", o.AlarmTopicARN})
	}
	if o.OrganizationID != nil {
		list = append(list, Output{auditstate.OutputOrganizationID, "ID of the AWS Organizations organization whose every account the trail records", o.OrganizationID})
	}
	return list
}

// CloudTrailPrincipal is the service principal an organization must trust
// (trusted access) before its management account can create an
// organization trail: "aws organizations enable-aws-service-access
// --service-principal cloudtrail.amazonaws.com"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-an-organizational-trail-prepare.html).
const CloudTrailPrincipal = "cloudtrail.amazonaws.com"

// organization adds the aws_organizations_organization data source, read
// at plan time, and returns the organization's ID. Its postconditions stop
// the plan, with what to do, where CreateTrail would fail at apply: an
// account outside an organization (the read itself fails), an account
// that is not the management account (only the management account can
// make a trail an organization trail, "Creating a trail for an
// organization",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html),
// and an organization without trusted access for CloudTrail (which also
// needs all features enabled: without them the provider reads no service
// principals).
func organization(stack cdktf.TerraformStack, env arn.Env, more ...block.Condition) string {
	postconditions := append([]block.Condition{
		{
			Condition:    fmt.Sprintf(`${self.master_account_id == %s}`, block.Expression(env.Account)),
			ErrorMessage: `organizationTrail is true, but this account is not the organization's management account: deploy the audit stack with credentials of the management account, or set "organizationTrail": false`,
		},
		{
			Condition:    fmt.Sprintf(`${contains(self.aws_service_access_principals, "%s")}`, CloudTrailPrincipal),
			ErrorMessage: "organizationTrail is true, but the organization does not trust CloudTrail: from the management account, with all features enabled in the organization, run: aws organizations enable-aws-service-access --service-principal " + CloudTrailPrincipal,
		},
	}, more...)
	org := block.In(stack).Data("organization", "organization", tfaws.DataOrganizationsOrganization{
		Lifecycle: &block.Lifecycle{Postcondition: postconditions},
	})
	return block.Ref(org, "id")
}

// evidenceBuckets are the buckets of the app that hold evidence: the log
// bucket and its access-log bucket, and the state stack's buckets when
// the app builds them.
func evidenceBuckets(s settings.Settings) []string {
	names := s.Names()
	out := []string{names.LogBucket, names.AccessLogBucket}
	if s.State.TFCOrganization == "" {
		out = append(out, names.StateBucket, names.StateAccessLogBucket)
	}
	return out
}

// addMonitoring adds the CloudWatch Logs copy of the events, the CIS
// alarms and their topic, and closes the log group to everyone but the
// audit role: an IAM policy that denies reads, attached to the audit group
// (its members must use the role), and, as an output, a service control
// policy that does the same for the whole account. The watches guard the
// trail key (trailKeyARN), the audit identities and the evidence buckets.
func addMonitoring(stack cdktf.TerraformStack, s settings.Settings, env arn.Env, ops policy.Operators, audit *auditors.Auditors, trailKeyARN string, organizationID string) (*monitoring.Monitoring, error) {
	names := s.Names()
	watch, err := monitoring.New(stack, "monitoring", monitoring.Config{
		Env:            env,
		TrailName:      names.Trail,
		LogGroupName:   names.LogGroup,
		RetentionDays:  s.LogGroupRetentionDays,
		RoleName:       names.TrailLogsRole,
		LogsKeyAlias:   names.LogsKeyAlias,
		TopicKeyAlias:  names.AlarmKeyAlias,
		TopicName:      names.AlarmTopic,
		Emails:         s.AlarmEmails,
		Reader:         audit.RoleARN,
		ReaderRole:     audit.Role,
		OrganizationID: organizationID,
		Operators:      ops,
		Protected: monitoring.Protected{
			Keys:           []string{trailKeyARN},
			Aliases:        []string{names.KeyAlias},
			Roles:          []string{names.Role},
			Users:          s.AuditUsers,
			Group:          names.Group,
			Buckets:        evidenceBuckets(s),
			IdentityCenter: identityCenterWatch(s),
			ReservedRoles:  reservedRoles(s),
		},
	})
	if err != nil {
		return nil, err
	}
	blocks := block.In(stack)
	deny, err := policy.New(blocks, "deny_log_reads_document", "deny_log_reads", monitoring.DenyReads(watch.LogGroupARN))
	if err != nil {
		return nil, err
	}
	denyPolicy := blocks.Resource("deny_log_reads", "deny_log_reads", tfaws.IAMPolicy{
		Name:        names.DenyLogReadsPolicy,
		Path:        "/",
		Description: "Denies reading the CloudWatch Logs copy of the trail's events; attach it to every group and role but the audit role",
		Policy:      deny.JSON(),
	})
	blocks.Resource("audit_group_deny_log_reads", "audit_group_deny_log_reads", tfaws.IAMGroupPolicyAttachment{
		Group:     block.Ref(audit.Group, "name"),
		PolicyARN: block.Ref(denyPolicy, "arn"),
	})
	if err := outputSCP(stack, "log_group_read_scp", monitoring.ReadSCP(watch.LogGroupARN, jsii.String(audit.RoleARN)),
		"Service control policy (AWS Organizations) that denies reading the trail's log group to every principal of the account but the audit role"); err != nil {
		return nil, err
	}
	return watch, nil
}

// outputSCP adds the service control policy doc to the stack as the
// output name, with its description, for the management account to
// attach (an SCP is an organization's, not the stack's, to attach).
func outputSCP(stack cdktf.TerraformStack, name string, doc policy.Document, description string) error {
	scp, err := policy.New(block.In(stack), name+"_document", name, doc)
	if err != nil {
		return err
	}
	cdktf.NewTerraformOutput(stack, jsii.String(name), &cdktf.TerraformOutputConfig{Value: jsii.String(scp.JSON()), Description: jsii.String(description)})
	return nil
}

// userARNs are the ARNs of the IAM users named names.
func userARNs(env arn.Env, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = env.User(n)
	}
	return out
}

package monitoring

// Family is one CIS AWS Foundations Benchmark section 4 event family: the
// metric filter pattern the benchmark publishes, and the names of the
// filter, metric and alarm that watch for it.
type Family struct {
	// Control is the benchmark's control number (v3.0/v4.0 numbering).
	Control string
	// Name is the short name of the filter and alarm: cis-<Control>-<Name>.
	Name string
	// Metric is the CloudWatch metric the filter counts into.
	Metric string
	// Title says what the alarm watches for.
	Title string
	// Pattern is the benchmark's CloudWatch Logs filter pattern.
	Pattern string
}

// Families are the section 4 event families, in the benchmark's order.
var Families = []Family{
	{"4.1", "unauthorized-api-calls", "UnauthorizedAPICalls", "Unauthorized API calls",
		`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }`},
	{"4.2", "console-signin-without-mfa", "ConsoleSigninWithoutMFA", "Management Console sign-in without MFA",
		`{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`},
	{"4.3", "root-account-usage", "RootAccountUsage", `Use of the "root" account`,
		`{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`},
	{"4.4", "iam-policy-changes", "IAMPolicyChanges", "IAM policy changes",
		`{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }`},
	{"4.5", "cloudtrail-changes", "CloudTrailChanges", "CloudTrail configuration changes",
		`{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`},
	{"4.6", "console-authentication-failures", "ConsoleAuthenticationFailures", "Management Console authentication failures",
		`{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`},
	{"4.7", "cmk-disable-or-deletion", "CMKDisableOrDeletion", "Disabling or scheduled deletion of customer-managed keys",
		`{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }`},
	{"4.8", "s3-bucket-policy-changes", "S3BucketPolicyChanges", "S3 bucket policy changes",
		`{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }`},
	{"4.9", "config-changes", "AWSConfigChanges", "AWS Config configuration changes",
		`{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }`},
	{"4.10", "security-group-changes", "SecurityGroupChanges", "Security group changes",
		`{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }`},
	{"4.11", "nacl-changes", "NACLChanges", "Network access control list changes",
		`{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }`},
	{"4.12", "network-gateway-changes", "NetworkGatewayChanges", "Network gateway changes",
		`{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }`},
	{"4.13", "route-table-changes", "RouteTableChanges", "Route table changes",
		`{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }`},
	{"4.14", "vpc-changes", "VPCChanges", "VPC changes",
		`{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }`},
	{"4.15", "organizations-changes", "OrganizationsChanges", "AWS Organizations changes",
		`{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }`},
}

// Namespace is the CloudWatch namespace of the metrics.
const Namespace = "CISBenchmark"

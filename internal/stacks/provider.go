package stacks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/block"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/tfaws"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// newProvider adds to stack the AWS provider for region, tagging every
// taggable resource with tags, and the aws_partition and
// aws_caller_identity data sources, and returns them as an arn.Env, with
// the stack's operators (operators) and the caller identity. The caller identity stops the plan,
// before anything changes, when the break-glass principals or deployers
// of s are of another account than the one deployed to.
func newProvider(stack cdktf.TerraformStack, region string, s settings.Settings) (arn.Env, policy.Operators, string) {
	return newAccountProvider(stack, region, s, "")
}

// newAccountProvider is newProvider for a stack of another account than
// the credentials' (the log-archive layout's member accounts): the
// provider assumes the role s.Accounts names in account, and refuses to
// work in any other account (allowed_account_ids). account "" is the
// credentials' own account.
func newAccountProvider(stack cdktf.TerraformStack, region string, s settings.Settings, account string) (arn.Env, policy.Operators, string) {
	blocks := block.In(stack)
	blocks.Provider(tfaws.ProviderSource, tfaws.ProviderVersion, providerConfig(region, s, account))
	caller := blocks.Data("current_account", "current_account", tfaws.DataCallerIdentity{Lifecycle: operatorsAccount(s)})
	env := arn.Env{
		Partition: block.Ref(blocks.Data("current_partition", "current_partition", tfaws.DataPartition{}), "partition"),
		Account:   block.Ref(caller, "account_id"),
		Region:    region,
	}
	return env, operators(stack, s, env, caller), caller
}

// regionalProvider adds to stack a provider like its own (of the
// credentials' account) in another region, under alias, for the services
// that live there.
func regionalProvider(stack cdktf.TerraformStack, region string, s settings.Settings, alias string) string {
	config := providerConfig(region, s, "")
	config.Alias = alias
	block.In(stack).Provider(tfaws.ProviderSource, tfaws.ProviderVersion, config)
	return config.Type() + "." + alias
}

// providerConfig is the configuration of the provider of s in region
// and account ("": the credentials' own).
func providerConfig(region string, s settings.Settings, account string) tfaws.Provider {
	config := tfaws.Provider{Region: region, DefaultTags: []tfaws.DefaultTags{{Tags: s.Tags}}}
	if config.DefaultTags[0].Tags == nil {
		config.DefaultTags[0].Tags = map[string]string{}
	}
	if account != "" {
		role := arn.Env{Partition: settings.PartitionOf(region), Account: account}.Role(s.Accounts.Role())
		config.AssumeRole = []tfaws.AssumeRole{{RoleARN: role, SessionName: "audit-trail"}}
		config.AllowedAccountIDs = []string{account}
	}
	return config
}

// operatorsAccount is the postcondition that the account deployed to is
// the one breakGlassPrincipals and deployers name (settings.Validate has
// checked that they name one), or nil when both are left to their
// defaults. A list of another account's principals only would leave
// nobody of this account able to change the evidence's protection.
func operatorsAccount(s settings.Settings) *block.Lifecycle {
	account := s.OperatorsAccount()
	if account == "" {
		return nil
	}
	return &block.Lifecycle{Postcondition: []block.Condition{{
		Condition:    fmt.Sprintf(`${self.account_id == "%s"}`, account),
		ErrorMessage: fmt.Sprintf("breakGlassPrincipals and deployers are principals of the account %s, but these credentials deploy to another account (${self.account_id}): list principals of the account the stacks are deployed to", account),
	}}}
}

// FirstDeployer is the Terraform address of the record of the principal
// that made a stack's first apply: the deployer when the deployers
// setting is empty.
const FirstDeployer = "terraform_data.first_deployer"

// firstDeployer is the arguments of Terraform's built-in terraform_data
// resource that records the first deployer.
type firstDeployer struct {
	Input     string          `json:"input"`
	Lifecycle block.Lifecycle `json:"lifecycle"`
}

func (firstDeployer) Type() string { return "terraform_data" }

// operators are the stack's deployers and break-glass principals: the
// settings, or by default the account's root user for break-glass and,
// as deployer, the principal that made the stack's first apply.
//
// The default deployer is recorded once: a terraform_data resource takes
// the caller's IAM identity at the first apply and keeps it
// (ignore_changes), so that later applies by others do not move it. The
// caller of an assumed-role session is its role: the
// aws_iam_session_context data source maps the session ARN
// (arn:aws:sts::<account>:assumed-role/<role>/<session>) to the role's
// ARN with its path, and returns any other ARN as it is; the role's ARN
// is what aws:PrincipalArn holds for the session
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
// So whoever makes the first apply, an administrator's role or a
// pipeline's, can apply later changes without root credentials, and
// nobody else can until the deployers setting names them.
func operators(stack cdktf.TerraformStack, s settings.Settings, env arn.Env, caller string) policy.Operators {
	o := policy.Operators{BreakGlass: s.BreakGlassPrincipals, Deployers: s.Deployers}
	if len(o.BreakGlass) == 0 {
		o.BreakGlass = []string{env.Root()}
	}
	if len(o.Deployers) == 0 {
		blocks := block.In(stack)
		session := blocks.Data("deployer_session", "deployer_session", tfaws.DataIAMSessionContext{ARN: block.Ref(caller, "arn")})
		// A string: the policies compare it with aws:PrincipalArn as it
		// is. They read input, not output: input is known when the first
		// apply is planned (the session is read at plan time), so the
		// first plan shows the policies, and ignore_changes keeps it as it
		// was from then on.
		first := blocks.Resource("first_deployer", "first_deployer", firstDeployer{
			Input:     block.Ref(session, "issuer_arn"),
			Lifecycle: block.Lifecycle{IgnoreChanges: []string{"input"}},
		})
		o.Deployers = []string{block.Ref(first, "input")}
	}
	return o
}

// firstApplyByOperator stops the plan of a first apply, before anything
// changes, when the deployers setting names the deployers and the caller
// is none of them nor a break-glass principal. The first apply creates
// the keys, whose policies let only operators change them, and KMS
// refuses to create a key whose policy would not let its caller change
// it later ("The key policy must allow the calling principal to make a
// subsequent PutKeyPolicy request",
// https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html):
// the apply would stop half-way, with the buckets made and no key. A
// first apply is one where the stack's role named deployedRole does not
// exist yet (data.aws_iam_roles, read at plan time). Later plans are not
// stopped: a read-only role may plan any change, and the review of the
// change says who can apply it. With the default deployer (whoever makes
// the first apply) every first apply is an operator's.
func firstApplyByOperator(stack cdktf.TerraformStack, s settings.Settings, ops policy.Operators, caller string, deployedRole string) {
	if len(s.Deployers) == 0 {
		return
	}
	blocks := block.In(stack)
	roles := blocks.Data("deployed_role", "deployed_role", tfaws.DataIAMRoles{NameRegex: "^" + regexp.QuoteMeta(deployedRole) + "$"})
	quoted := make([]string, 0, len(ops.MayProtect()))
	for _, p := range ops.MayProtect() {
		quoted = append(quoted, `"`+p+`"`)
	}
	blocks.Data("caller", "caller", tfaws.DataIAMSessionContext{
		ARN: block.Ref(caller, "arn"),
		Lifecycle: &block.Lifecycle{Postcondition: []block.Condition{{
			Condition: fmt.Sprintf("${length(%s.names) > 0 || contains([%s], self.issuer_arn)}", roles, strings.Join(quoted, ", ")),
			ErrorMessage: fmt.Sprintf("The first apply must run as a deployer or a break-glass principal (%s), but these credentials are ${self.issuer_arn}: it creates the KMS keys, whose policies let only them change the keys, and KMS refuses to create a key that would lock its caller out. Run it as one of them, or add this principal to \"deployers\".",
				strings.Join(ops.MayProtect(), ", ")),
		}}},
	})
}

// Package access turns a synthesized audit stack into concrete IAM policies
// and decides, with package iameval, every cross-service interaction the
// stack relies on (Interactions, each with the AWS page that documents the
// request context of the call) and who can do what to the evidence (the
// access matrix of the review report).
//
// The stack's Terraform references are resolved to example values: account
// 111122223333, partition aws, the stack's region, and ARNs built from
// each resource's name. In the log-archive layout, the model spans the
// trail's stack and the member accounts' stacks, each read in the account
// its provider is bound to, and every request is decided in the account
// of its resource. AWS managed policies the stack attaches are
// modelled explicitly (ManagedPolicies): they are not in the synthesized
// JSON.
package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// The example account and the other account of the model, and for an
// organization trail the organization, a member account of it and
// another organization.
const (
	Account           = "111122223333"
	OtherAccount      = "444455556666"
	partition         = "aws"
	Organization      = "o-exampleorgid"
	MemberAccount     = "777788889999"
	OtherOrganization = "o-otherorgid"
	// FirstDeployer is the model's principal that made the first apply
	// (stacks.FirstDeployer records it): a pipeline's role.
	FirstDeployer = "arn:aws:iam::" + Account + ":role/first-deployer"
)

// example is the model's account, for ARNs without a region (IAM's).
var example = arn.Env{Partition: partition, Account: Account}

// stack is one synthesized stack of the model, read in its account.
type stack struct {
	doc *tfjson.Doc
	*tfjson.Resolver
}

// Model is the audit stack with its references resolved: in the
// log-archive layout, the trail's stack and the stacks of the other
// accounts that hold its bucket, its key and its readers, each resolved
// in its own account.
type Model struct {
	// stack is the trail's.
	*stack
	// stacks are the model's stacks, the trail's first.
	stacks []*stack
	// other is an account outside the model's, for the requests of
	// another account.
	other string
}

// otherAccounts are the accounts the model may take as another
// account's, the first that none of its stacks is in (the log-archive
// layout's member accounts may be any).
var otherAccounts = []string{OtherAccount, "999900001111", "888800002222"}

// The addresses whose stacks belong to the model besides the trail's.
var modelled = []string{logBucket, accessLogBucket, trailKey, auditRole, auditGroup}

// New models the synthesized audit stack d in the example account: its
// keys' IDs are their Terraform names, the organization is Organization
// and the first deployer is FirstDeployer.
func New(d *tfjson.Doc) *Model { return newModel([]*tfjson.Doc{d}) }

// Find returns the model of the stack that holds the trail, if any, with
// the stacks of other accounts (the log-archive layout) that hold the
// trail's bucket, key or readers.
func Find(docs []*tfjson.Doc) (*Model, bool) {
	for _, d := range docs {
		if _, ok := d.Find(trail); !ok {
			continue
		}
		in := []*tfjson.Doc{d}
		for _, other := range docs {
			if other != d && slices.ContainsFunc(modelled, func(a string) bool { _, ok := other.Find(a); return ok }) {
				in = append(in, other)
			}
		}
		return newModel(in), true
	}
	return nil, false
}

// newModel reads docs, the trail's first: a stack whose provider works in
// one account only (the layout's member accounts) in that account, any
// other in the example account; each key's ARN in its stack's account,
// also where a data source reads it through its alias.
func newModel(docs []*tfjson.Doc) *Model {
	envs := make(map[*tfjson.Doc]arn.Env, len(docs))
	used := map[string]bool{}
	for _, d := range docs {
		env := example
		env.Region = "us-east-1"
		if r, ok := tfjson.Get(d.Raw(), "provider", "aws", "region").(string); ok {
			env.Region = r
		}
		if ids := tfjson.Strings(tfjson.Get(d.Raw(), "provider", "aws", "allowed_account_ids")); len(ids) == 1 {
			env.Account = ids[0]
		}
		envs[d], used[env.Account] = env, true
	}
	m := &Model{other: OtherAccount}
	for _, a := range otherAccounts {
		if !used[a] {
			m.other = a
			break
		}
	}
	management := envs[docs[0]].Account
	for _, d := range docs {
		env := envs[d]
		known := map[string]string{"terraform_data.first_deployer.input": env.Role("first-deployer")}
		for _, k := range d.Resources("aws_kms_key") {
			known[k.Address+".arn"], known[k.Address+".key_id"] = env.Key(k.Name), k.Name
		}
		for _, k := range d.DataSources("aws_kms_key") {
			if in, key, ok := d.Key("${" + k.Address + ".arn}"); ok && envs[in].Account != "" {
				known[k.Address+".arn"], known[k.Address+".id"] = envs[in].Key(key.Name), key.Name
			}
		}
		for _, o := range d.DataSources("aws_organizations_organization") {
			known[o.Address+".id"], known[o.Address+".master_account_id"] = Organization, management
		}
		m.stacks = append(m.stacks, &stack{doc: d, Resolver: d.Resolver(env, known)})
	}
	m.stack = m.stacks[0]
	return m
}

// find returns the block at address and the model's stack that holds it,
// the trail's first.
func (m *Model) find(address string) (*stack, tfjson.Block, bool) {
	for _, s := range m.stacks {
		if b, ok := s.doc.Find(address); ok {
			return s, b, true
		}
	}
	return m.stack, tfjson.Block{}, false
}

// of is the stack that holds the block at address, or the trail's.
func (m *Model) of(address string) *stack {
	s, _, _ := m.find(address)
	return s
}

// located is a block of the model and its stack.
type located struct {
	stack *stack
	tfjson.Block
}

// resources are the model's resources of type typ, stack by stack.
func (m *Model) resources(typ string) []located {
	var out []located
	for _, s := range m.stacks {
		for _, b := range s.doc.Resources(typ) {
			out = append(out, located{s, b})
		}
	}
	return out
}

// Attr is the resolved argument attr of the block at address, in the
// account of its stack, or "".
func (m *Model) Attr(address, attr string) string { return m.of(address).Attr(address, attr) }

// name is the name of the policy of the block at address in the reasons
// of a decision: its address, prefixed with its stack outside the
// trail's.
func (m *Model) name(s *stack, address string) string {
	if s == m.stack {
		return address
	}
	return s.doc.Stack + ":" + address
}

// policy is the policy document value, resolved in the account of s.
func (s *stack) policy(name string, value any) *iameval.Policy {
	statements, ok := s.Resolver.Policy(value)
	if !ok {
		return nil
	}
	return &iameval.Policy{Name: name, Statements: statements}
}

// resourcePolicy returns the policy of type typ (a bucket or topic policy)
// whose attribute attr refers to the resource at address.
func (m *Model) resourcePolicy(typ, attr, address string) *iameval.Policy {
	s := m.of(address)
	for _, b := range s.doc.Referring(typ, attr, address) {
		return s.policy(m.name(s, b.Address), b.Attrs["policy"])
	}
	return nil
}

// BucketPolicy is the policy of the bucket at address.
func (m *Model) BucketPolicy(address string) *iameval.Policy {
	return m.resourcePolicy("aws_s3_bucket_policy", "bucket", address)
}

// TopicPolicy is the policy of the topic at address.
func (m *Model) TopicPolicy(address string) *iameval.Policy {
	return m.resourcePolicy("aws_sns_topic_policy", "arn", address)
}

// KeyPolicy is the key policy of the key at address.
func (m *Model) KeyPolicy(address string) *iameval.Policy {
	s, b, ok := m.find(address)
	if !ok {
		return nil
	}
	return s.policy(m.name(s, address), b.Attrs["policy"])
}

// TrustPolicy is the trust policy of the role at address.
func (m *Model) TrustPolicy(address string) *iameval.Policy {
	s, b, ok := m.find(address)
	if !ok {
		return nil
	}
	return s.policy(m.name(s, address)+" trust", b.Attrs["assume_role_policy"])
}

// RolePolicies are the identity policies of the role at address.
func (m *Model) RolePolicies(address string) []iameval.Policy {
	return m.identityPolicies("role", address)
}

// GroupPolicies are the identity policies of the group at address.
func (m *Model) GroupPolicies(address string) []iameval.Policy {
	return m.identityPolicies("group", address)
}

// identityPolicies are the identity policies of the role or group (kind)
// at address: inline ones, policies of its stack attached to it, and AWS
// managed policies as modelled in ManagedPolicies.
func (m *Model) identityPolicies(kind, address string) []iameval.Policy {
	s := m.of(address)
	var out []iameval.Policy
	for _, b := range s.doc.Referring("aws_iam_"+kind+"_policy", kind, address) {
		if p := s.policy(m.name(s, b.Address), b.Attrs["policy"]); p != nil {
			out = append(out, *p)
		}
	}
	for _, b := range s.doc.Referring("aws_iam_"+kind+"_policy_attachment", kind, address) {
		out = append(out, m.attached(s, b)...)
	}
	return out
}

// attached is the policy a policy attachment of s attaches.
func (m *Model) attached(s *stack, b tfjson.Block) []iameval.Policy {
	if ref, _, ok := tfjson.Ref(b.Attrs["policy_arn"]); ok {
		if pb, found := s.doc.Find(ref); found {
			if p := s.policy(m.name(s, ref), pb.Attrs["policy"]); p != nil {
				return []iameval.Policy{*p}
			}
		}
		return nil
	}
	arn := s.Resolve(fmt.Sprint(b.Attrs["policy_arn"]))
	name := arn[strings.LastIndex(arn, "/")+1:]
	if p, ok := ManagedPolicies[name]; ok {
		return []iameval.Policy{p}
	}
	return nil
}

// GroupOf returns the address of the group whose membership lists the
// user at address.
func (m *Model) GroupOf(user string) (string, bool) {
	for _, mb := range m.resources("aws_iam_group_membership") {
		for _, u := range tfjson.Strings(mb.Attrs["users"]) {
			if addr, _, ok := tfjson.Ref(u); ok && addr == user {
				g, _, ok := tfjson.Ref(mb.Attrs["group"])
				return g, ok
			}
		}
	}
	return "", false
}

// OrganizationTrail reports whether the stack's trail records an
// organization's accounts.
func (m *Model) OrganizationTrail() bool {
	return m.Attr(trail, "is_organization_trail") == "true"
}

// Layout reports whether the model spans accounts (the log-archive
// layout).
func (m *Model) Layout() bool { return len(m.Accounts()) > 1 }

// Accounts are the model's accounts, the trail's first.
func (m *Model) Accounts() []string {
	var out []string
	for _, s := range m.stacks {
		if !slices.Contains(out, s.Env.Account) {
			out = append(out, s.Env.Account)
		}
	}
	return out
}

// First returns the address of the first resource of type typ, or "".
func (m *Model) First(typ string) string {
	if rs := m.resources(typ); len(rs) > 0 {
		return rs[0].Address
	}
	return ""
}

// ref is the model's value of the computed attribute attr of the resource
// at address, in the account of its stack, or "".
func (m *Model) ref(address, attr string) string {
	v, _ := m.of(address).Value(address, attr)
	return v
}

// Root is the ARN of the model account's root user.
func Root() string { return example.Root() }

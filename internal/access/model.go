// Package access turns a synthesized audit stack into concrete IAM policies
// and decides, with package iameval, every cross-service interaction the
// stack relies on (Interactions, each with the AWS page that documents the
// request context of the call) and who can do what to the evidence (the
// access matrix of the review report).
//
// The stack's Terraform references are resolved to example values: account
// 111122223333, partition aws, the stack's region, and ARNs built from
// each resource's name. AWS managed policies the stack attaches are
// modelled explicitly (ManagedPolicies): they are not in the synthesized
// JSON.
package access

import (
	"fmt"
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

// example and another are the model's account and the other account,
// for ARNs without a region (IAM's).
var (
	example = arn.Env{Partition: partition, Account: Account}
	another = arn.Env{Partition: partition, Account: OtherAccount}
)

// another is the other account in the stack's region.
func (m *Model) another() arn.Env {
	e := m.Env
	e.Account = OtherAccount
	return e
}

// Model is the audit stack with its references resolved.
type Model struct {
	doc *tfjson.Doc
	*tfjson.Resolver
}

// New models the synthesized audit stack d in the example account: its
// keys' IDs are their Terraform names, the organization is Organization
// and the first deployer is FirstDeployer.
func New(d *tfjson.Doc) *Model {
	region := "us-east-1"
	if r, ok := tfjson.Get(d.Raw(), "provider", "aws", "region").(string); ok {
		region = r
	}
	env := example
	env.Region = region
	known := map[string]string{"terraform_data.first_deployer.input": FirstDeployer}
	for _, k := range d.Resources("aws_kms_key") {
		known[k.Address+".arn"], known[k.Address+".key_id"] = env.Key(k.Name), k.Name
	}
	for _, o := range d.DataSources("aws_organizations_organization") {
		known[o.Address+".id"] = Organization
	}
	return &Model{doc: d, Resolver: d.Resolver(env, known)}
}

// Policy is the resolved policy document that value refers to, named
// name.
func (m *Model) Policy(name string, value any) *iameval.Policy {
	statements, ok := m.Resolver.Policy(value)
	if !ok {
		return nil
	}
	return &iameval.Policy{Name: name, Statements: statements}
}

// resourcePolicy returns the policy of type typ (a bucket or topic policy)
// whose attribute attr refers to the resource at address.
func (m *Model) resourcePolicy(typ, attr, address string) *iameval.Policy {
	for _, b := range m.doc.Referring(typ, attr, address) {
		return m.Policy(b.Address, b.Attrs["policy"])
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
	b, ok := m.doc.Find(address)
	if !ok {
		return nil
	}
	return m.Policy(address, b.Attrs["policy"])
}

// TrustPolicy is the trust policy of the role at address.
func (m *Model) TrustPolicy(address string) *iameval.Policy {
	b, ok := m.doc.Find(address)
	if !ok {
		return nil
	}
	return m.Policy(address+" trust", b.Attrs["assume_role_policy"])
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
// at address: inline ones, policies of the stack attached to it, and AWS
// managed policies as modelled in ManagedPolicies.
func (m *Model) identityPolicies(kind, address string) []iameval.Policy {
	var out []iameval.Policy
	for _, b := range m.doc.Referring("aws_iam_"+kind+"_policy", kind, address) {
		if p := m.Policy(b.Address, b.Attrs["policy"]); p != nil {
			out = append(out, *p)
		}
	}
	for _, b := range m.doc.Referring("aws_iam_"+kind+"_policy_attachment", kind, address) {
		out = append(out, m.attached(b)...)
	}
	return out
}

// attached is the policy a policy attachment attaches.
func (m *Model) attached(b tfjson.Block) []iameval.Policy {
	if ref, _, ok := tfjson.Ref(b.Attrs["policy_arn"]); ok {
		if pb, found := m.doc.Find(ref); found {
			if p := m.Policy(ref, pb.Attrs["policy"]); p != nil {
				return []iameval.Policy{*p}
			}
		}
		return nil
	}
	arn := m.Resolve(fmt.Sprint(b.Attrs["policy_arn"]))
	name := arn[strings.LastIndex(arn, "/")+1:]
	if p, ok := ManagedPolicies[name]; ok {
		return []iameval.Policy{p}
	}
	return nil
}

// GroupOf returns the address of the group whose membership lists the
// user at address.
func (m *Model) GroupOf(user string) (string, bool) {
	for _, mb := range m.doc.Resources("aws_iam_group_membership") {
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

// First returns the address of the first resource of type typ, or "".
func (m *Model) First(typ string) string {
	if rs := m.doc.Resources(typ); len(rs) > 0 {
		return rs[0].Address
	}
	return ""
}

// Root is the ARN of the model account's root user.
func Root() string { return example.Root() }

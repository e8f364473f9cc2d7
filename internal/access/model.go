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
	"regexp"
	"strings"

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

// Model is the audit stack with its references resolved.
type Model struct {
	doc    *tfjson.Doc
	Region string
}

// New models the synthesized audit stack d.
func New(d *tfjson.Doc) *Model {
	m := &Model{doc: d, Region: "us-east-1"}
	if r, ok := tfjson.Get(d.Raw(), "provider", "aws", "region").(string); ok {
		m.Region = r
	}
	return m
}

var reference = regexp.MustCompile(`\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z0-9_]+)\}`)

// Resolve replaces the Terraform references in s with the model's values;
// a reference the model cannot resolve is left as it is, and so matches
// nothing.
func (m *Model) Resolve(s string) string {
	return reference.ReplaceAllStringFunc(s, func(ref string) string {
		parts := reference.FindStringSubmatch(ref)
		if v, ok := m.value(parts[1], parts[2]); ok {
			return v
		}
		return ref
	})
}

// value is the attribute attr of the block at address.
func (m *Model) value(address, attr string) (string, bool) {
	b, ok := m.doc.Find(address)
	if !ok {
		return "", false
	}
	name := func(key string) string { return m.Resolve(fmt.Sprint(b.Attrs[key])) }
	switch b.Type + "." + attr {
	case "aws_partition.partition":
		return partition, true
	case "aws_caller_identity.account_id":
		return Account, true
	case "aws_organizations_organization.id":
		return Organization, true
	case "aws_s3_bucket.id", "aws_s3_bucket.bucket":
		return name("bucket"), true
	case "aws_s3_bucket.arn":
		return "arn:aws:s3:::" + name("bucket"), true
	case "aws_kms_key.arn":
		return m.KeyARN(b.Name), true
	case "aws_kms_key.key_id":
		return b.Name, true
	case "aws_iam_role.arn":
		return "arn:aws:iam::" + Account + ":role/" + name("name"), true
	case "aws_iam_user.arn":
		return "arn:aws:iam::" + Account + ":user/" + name("name"), true
	case "aws_iam_group.arn":
		return "arn:aws:iam::" + Account + ":group/" + name("name"), true
	case "aws_iam_role.name", "aws_iam_user.name", "aws_iam_group.name", "aws_cloudwatch_log_group.name", "aws_iam_policy.name":
		return name("name"), true
	case "aws_iam_policy.arn":
		return "arn:aws:iam::" + Account + ":policy/" + name("name"), true
	case "aws_cloudwatch_log_group.arn":
		return m.LogGroupARN(name("name")), true
	case "aws_sns_topic.arn":
		return "arn:aws:sns:" + m.Region + ":" + Account + ":" + name("name"), true
	case "aws_cloudtrail.arn":
		return m.TrailARN(name("name")), true
	case "terraform_data.input":
		if b.Name == "first_deployer" {
			return FirstDeployer, true
		}
	}
	return "", false
}

// KeyARN is the model's ARN of the aws_kms_key named name.
func (m *Model) KeyARN(name string) string {
	return "arn:aws:kms:" + m.Region + ":" + Account + ":key/" + name
}

// LogGroupARN is the ARN of the log group named name.
func (m *Model) LogGroupARN(name string) string {
	return "arn:aws:logs:" + m.Region + ":" + Account + ":log-group:" + name
}

// TrailARN is the ARN of the trail named name.
func (m *Model) TrailARN(name string) string {
	return "arn:aws:cloudtrail:" + m.Region + ":" + Account + ":trail/" + name
}

// Attr is a resolved attribute of the block at address, or "".
func (m *Model) Attr(address, attr string) string {
	b, ok := m.doc.Find(address)
	if !ok {
		return ""
	}
	return m.Resolve(fmt.Sprint(b.Attrs[attr]))
}

// Policy is the resolved policy document that value refers to.
func (m *Model) Policy(name string, value any) *iameval.Policy {
	statements, ok := m.doc.Policy(value)
	if !ok {
		return nil
	}
	p := &iameval.Policy{Name: name}
	for _, s := range statements {
		st := iameval.Statement{
			Sid: s.Sid, Effect: iameval.Effect(s.Effect),
			Principals: m.principals(s.Principals), NotPrincipals: m.principals(s.NotPrincipals),
			Actions: s.Actions, NotActions: s.NotActions,
			Resources: m.all(s.Resources), NotResources: m.all(s.NotResources),
		}
		for _, c := range s.Conditions {
			st.Conditions = append(st.Conditions, iameval.Condition{Operator: c.Test, Key: c.Variable, Values: m.all(c.Values)})
		}
		p.Statements = append(p.Statements, st)
	}
	return p
}

func (m *Model) principals(in map[string][]string) map[string][]string {
	if len(in) == 0 {
		return nil
	}
	out := map[string][]string{}
	for typ, ids := range in {
		out[typ] = m.all(ids)
	}
	return out
}

func (m *Model) all(in []string) []string {
	var out []string
	for _, s := range in {
		out = append(out, m.Resolve(s))
	}
	return out
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

package tfjson

import (
	"fmt"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/internal/iameval"
)

// Resolver replaces the Terraform references of a synthesized stack with
// the values they have in one account: the one resolver of every reader
// (the review's example account, the access model, the live account of
// verify).
//
// A reference resolves, in this order, to a value the caller knows (Known:
// what only the account can say, such as a key's ID), to the value AWS
// derives from the resource's arguments (an ARN built from a name, with
// Env, as the build side builds it), or to the argument it names as the
// synthesis gives it (a name, a bucket, metric_transformation[0].name).
// A reference it cannot resolve is left as it is, and so matches nothing.
type Resolver struct {
	doc *Doc
	// Env is the account, partition and region the stack is read in.
	Env arn.Env
	// Known holds values by reference ("aws_kms_key.trail_key.arn",
	// "data.aws_organizations_organization.organization.id").
	Known map[string]string
}

// Resolver reads d in the account env; known are the values only the
// account can say, by reference (address.attribute).
func (d *Doc) Resolver(env arn.Env, known map[string]string) *Resolver {
	return &Resolver{doc: d, Env: env, Known: known}
}

// maxDepth bounds the references followed through arguments: a stack's
// names refer to a few values at most, and a cycle (a hand-edited file)
// must not recurse forever.
const maxDepth = 8

// Resolve replaces every reference in s that the resolver can resolve.
func (r *Resolver) Resolve(s string) string { return r.resolve(s, 0) }

func (r *Resolver) resolve(s string, depth int) string {
	if depth > maxDepth || !strings.Contains(s, "${") {
		return s
	}
	return reference.ReplaceAllStringFunc(s, func(ref string) string {
		m := reference.FindStringSubmatch(ref)
		if v, ok := r.value(m[1], m[2], depth); ok {
			return v
		}
		return ref
	})
}

// Attr is the resolved argument attr of the block at address, or "".
func (r *Resolver) Attr(address, attr string) string {
	b, ok := r.doc.Find(address)
	if !ok {
		return ""
	}
	return r.Resolve(fmt.Sprint(b.Attrs[attr]))
}

// All resolves every string of in.
func (r *Resolver) All(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = r.Resolve(s)
	}
	return out
}

// Value is the resolved attribute attr (a path such as
// metric_transformation[0].name) of the block at address.
func (r *Resolver) Value(address, attr string) (string, bool) { return r.value(address, attr, 0) }

func (r *Resolver) value(address, attr string, depth int) (string, bool) {
	if v, ok := r.Known[address+"."+attr]; ok {
		return v, true
	}
	e := r.Env
	// The partition and the account are the environment's, whichever
	// data source names them.
	typ, _, _ := strings.Cut(strings.TrimPrefix(address, "data."), ".")
	switch typ + "." + attr {
	case "aws_partition.partition":
		return e.Partition, true
	case "aws_caller_identity.account_id":
		return e.Account, true
	}
	b, ok := r.doc.Find(address)
	if !ok {
		return "", false
	}
	if b.Type == "aws_iam_user" && attr == "arn" {
		// A user's ARN carries its path: user/<path without the leading
		// slash><name>.
		path := strings.TrimPrefix(r.resolve(str(b.Attrs["path"]), depth+1), "/")
		return e.User(path + r.resolve(str(b.Attrs["name"]), depth+1)), true
	}
	if d, ok := derived[b.Type+"."+attr]; ok {
		return d.value(e, r.resolve(str(b.Attrs[d.from]), depth+1)), true
	}
	// An argument the synthesis sets is what the resource is given,
	// unless Terraform ignores its changes: then it holds what the first
	// apply gave it (terraform_data.first_deployer's input), which only
	// the account can say.
	path := strings.Split(strings.ReplaceAll(attr, "[0]", ""), ".")
	if ignored(b, path[0]) {
		return "", false
	}
	if s, ok := Get(b.Attrs, path...).(string); ok {
		return r.resolve(s, depth+1), true
	}
	return "", false
}

// derived are the attributes AWS derives from an argument (by type and
// attribute): the argument, and the value made of it in an account.
var derived = map[string]struct {
	from  string
	value func(arn.Env, string) string
}{
	"aws_s3_bucket.id":             {"bucket", func(_ arn.Env, name string) string { return name }},
	"aws_s3_bucket.arn":            {"bucket", arn.Env.Bucket},
	"aws_iam_role.arn":             {"name", arn.Env.Role},
	"aws_iam_group.arn":            {"name", arn.Env.Group},
	"aws_iam_policy.arn":           {"name", arn.Env.Policy},
	"aws_cloudwatch_log_group.arn": {"name", arn.Env.LogGroup},
	"aws_sns_topic.arn":            {"name", arn.Env.Topic},
	"aws_cloudtrail.arn":           {"name", arn.Env.Trail},
}

// ignored reports whether the block's lifecycle ignores changes to the
// argument (or to all of them).
func ignored(b Block, argument string) bool {
	switch v := Get(b.Attrs, "lifecycle", "ignore_changes").(type) {
	case string:
		return v == "all"
	case []any:
		for _, x := range v {
			if x == argument {
				return true
			}
		}
	}
	return false
}

// Policy returns the resolved statements of the aws_iam_policy_document
// that value refers to ("${data.aws_iam_policy_document.x.json}").
func (r *Resolver) Policy(value any) ([]iameval.Statement, bool) {
	statements, ok := r.doc.Policy(value)
	if !ok {
		return nil, false
	}
	for i, s := range statements {
		statements[i] = r.Statement(s)
	}
	return statements, true
}

// Statement is s with its references resolved (actions are never
// references).
func (r *Resolver) Statement(s iameval.Statement) iameval.Statement {
	principals := func(in map[string][]string) map[string][]string {
		if len(in) == 0 {
			return nil
		}
		out := make(map[string][]string, len(in))
		for typ, ids := range in {
			out[typ] = r.All(ids)
		}
		return out
	}
	out := s
	out.Principals, out.NotPrincipals = principals(s.Principals), principals(s.NotPrincipals)
	out.Resources, out.NotResources = r.All(s.Resources), r.All(s.NotResources)
	out.Conditions = nil
	for _, c := range s.Conditions {
		out.Conditions = append(out.Conditions, iameval.Condition{Operator: c.Operator, Key: c.Key, Values: r.All(c.Values)})
	}
	return out
}

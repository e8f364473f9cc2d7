// Package policy builds IAM policy documents from typed Go values.
//
// A Document becomes an aws_iam_policy_document data source (written in
// Go, package block), so the synthesized Terraform JSON shows every
// statement, principal, action, resource and condition as structured
// values that a reviewer and a test can read, with Terraform references
// left in place.
package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/cle2wa/audit-trail/constructs/block"
	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/tfaws"
)

// RoleChanges are the IAM actions that change who may assume a role or
// what it may do, each an action of the Service Authorization Reference on
// the role resource
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
var RoleChanges = []string{"iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
	"iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"}

// Effect is the effect of a statement.
type Effect string

// The two effects IAM knows.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Principal types used in resource and trust policies.
const (
	PrincipalAWS     = "AWS"
	PrincipalService = "Service"
	// PrincipalAny with the identifier "*" renders as "Principal": "*".
	PrincipalAny = "*"
)

// The global and service condition keys the stacks' policies use, in
// IAM's spelling. Which call carries which key is documented by AWS, per
// service: each statement that relies on one cites its page.
const (
	SourceArn              = "aws:SourceArn"
	SourceAccount          = "aws:SourceAccount"
	SecureTransport        = "aws:SecureTransport"
	MultiFactorAuthPresent = "aws:MultiFactorAuthPresent"
	PrincipalArn           = "aws:PrincipalArn"
	PrincipalIsAWSService  = "aws:PrincipalIsAWSService"
	// SourceOrgID is the organization of the account whose resource a
	// service principal acts for, when that account is in one.
	SourceOrgID = "aws:SourceOrgID"
	// PrincipalOrgID is the organization of the caller's account;
	// absent for a service principal and for an account outside any
	// organization.
	PrincipalOrgID = "aws:PrincipalOrgID"
	// ViaService is the service that made a KMS request on behalf of
	// its caller.
	ViaService = "kms:ViaService"
	// TrailContext is the encryption context key CloudTrail sets to the
	// trail's ARN when it encrypts a log file.
	TrailContext = "kms:EncryptionContext:aws:cloudtrail:arn"
	// LogGroupContext is the encryption context key CloudWatch Logs sets
	// to the log group's ARN.
	LogGroupContext = "kms:EncryptionContext:aws:logs:arn"
	// S3ACL is the canned ACL of an S3 write request.
	S3ACL = "s3:x-amz-acl"
)

// Document is an IAM policy document: its statements in order.
type Document struct {
	// Statements is required: at least one statement.
	Statements []Statement
}

// Statement is one statement of a policy document.
type Statement struct {
	// Sid is required and unique within the document: it names the
	// statement for reviewers and tests.
	Sid string
	// Effect is required: Allow or Deny.
	Effect Effect
	// Principals is required in resource and trust policies and must be
	// empty in identity policies.
	Principals []Principal
	// Actions lists the actions the statement covers; exactly one of
	// Actions and NotActions is required.
	Actions []string
	// NotActions lists the actions the statement does not cover.
	NotActions []string
	// Resources is optional: empty for trust policies.
	Resources []string
	// Conditions is optional; all of them must hold (IAM's AND).
	Conditions []Condition
}

// Principal names who a statement applies to.
type Principal struct {
	// Type is required: PrincipalAWS, PrincipalService or PrincipalAny.
	Type string
	// Identifiers is required: ARNs, service names, or "*".
	Identifiers []string
}

// Condition is one condition of a statement.
type Condition struct {
	// Test is required: the condition operator, for example StringEquals.
	Test string
	// Variable is required: the condition key, for example aws:SourceArn.
	Variable string
	// Values is required: at least one value; any of them may match.
	Values []string
}

var sidPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// Validate reports every problem of the document at once, each a
// *field.Error with a path such as Statements[2].Sid.
func (d Document) Validate() error {
	var errs []error
	if len(d.Statements) == 0 {
		errs = append(errs, field.Required("Statements", "at least one statement"))
	}
	seen := map[string]bool{}
	for i, s := range d.Statements {
		at := func(path string) string { return fmt.Sprintf("Statements[%d]%s", i, path) }
		if !sidPattern.MatchString(s.Sid) {
			errs = append(errs, field.Invalid(at(".Sid"), s.Sid, "must be letters and digits only"))
		}
		if seen[s.Sid] {
			errs = append(errs, field.Invalid(at(".Sid"), s.Sid, "is used twice"))
		}
		seen[s.Sid] = true
		if s.Effect != Allow && s.Effect != Deny {
			errs = append(errs, field.Invalid(at(".Effect"), string(s.Effect), "is neither Allow nor Deny"))
		}
		if (len(s.Actions) == 0) == (len(s.NotActions) == 0) {
			errs = append(errs, field.Required(at(".Actions"), "exactly one of Actions and NotActions"))
		}
		for j, p := range s.Principals {
			if p.Type != PrincipalAWS && p.Type != PrincipalService && p.Type != PrincipalAny {
				errs = append(errs, field.Invalid(at(fmt.Sprintf(".Principals[%d].Type", j)), p.Type, "is not AWS, Service or *"))
			}
			if len(p.Identifiers) == 0 {
				errs = append(errs, field.Required(at(fmt.Sprintf(".Principals[%d].Identifiers", j)), "at least one identifier"))
			}
		}
		for j, c := range s.Conditions {
			if c.Test == "" || c.Variable == "" || len(c.Values) == 0 {
				errs = append(errs, field.Required(at(fmt.Sprintf(".Conditions[%d]", j)), "an operator, a key and at least one value"))
			}
		}
	}
	return errors.Join(errs...)
}

// Source is a document written as an aws_iam_policy_document data
// source.
type Source struct {
	scope block.Scope
	// Address is the data source's, "data.aws_iam_policy_document.<name>".
	Address string
}

// New validates doc and writes it in scope as the aws_iam_policy_document
// data source named name (construct id id).
func New(scope block.Scope, id, name string, doc Document) (Source, error) {
	if err := doc.Validate(); err != nil {
		return Source{}, err
	}
	return Source{scope: scope, Address: scope.Data(id, name, doc.arguments())}, nil
}

// JSON is the reference to the rendered policy.
func (s Source) JSON() string { return block.Ref(s.Address, "json") }

// Update validates doc and makes it the content of the data source, for
// a resource policy that grows as constructs add the grants they need.
func (s Source) Update(doc Document) error {
	if err := doc.Validate(); err != nil {
		return err
	}
	s.scope.Replace(s.Address, doc.arguments())
	return nil
}

// arguments are the document as the aws_iam_policy_document data
// source's arguments.
func (d Document) arguments() tfaws.DataIAMPolicyDocument {
	out := tfaws.DataIAMPolicyDocument{Version: "2012-10-17"}
	for _, s := range d.Statements {
		st := tfaws.PolicyStatement{Sid: s.Sid, Effect: string(s.Effect), Actions: s.Actions, NotActions: s.NotActions, Resources: s.Resources}
		for _, p := range s.Principals {
			st.Principals = append(st.Principals, tfaws.PolicyPrincipals{Type: p.Type, Identifiers: p.Identifiers})
		}
		for _, c := range s.Conditions {
			st.Condition = append(st.Condition, tfaws.PolicyCondition{Test: c.Test, Variable: c.Variable, Values: c.Values})
		}
		out.Statement = append(out.Statement, st)
	}
	return out
}

// JSON renders the document as IAM policy JSON, without white space,
// the way IAM measures a policy against its size quotas ("IAM does not
// count white space when calculating the size of a policy",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
// One-element lists are written as lists: the aws_iam_policy_document
// data source may write them as strings, which is shorter, so the length
// is an upper bound.
func (d Document) JSON() []byte {
	type principal map[string][]string
	type statement struct {
		Sid       string                         `json:"Sid,omitempty"`
		Effect    Effect                         `json:"Effect"`
		Principal any                            `json:"Principal,omitempty"`
		Action    []string                       `json:"Action,omitempty"`
		NotAction []string                       `json:"NotAction,omitempty"`
		Resource  []string                       `json:"Resource,omitempty"`
		Condition map[string]map[string][]string `json:"Condition,omitempty"`
	}
	out := struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{Version: "2012-10-17"}
	for _, s := range d.Statements {
		st := statement{Sid: s.Sid, Effect: s.Effect, Action: s.Actions, NotAction: s.NotActions, Resource: s.Resources}
		if len(s.Principals) > 0 {
			p := principal{}
			for _, pr := range s.Principals {
				if pr.Type == PrincipalAny {
					st.Principal = "*"
					break
				}
				p[pr.Type] = append(p[pr.Type], pr.Identifiers...)
			}
			if st.Principal == nil {
				st.Principal = p
			}
		}
		for _, c := range s.Conditions {
			if st.Condition == nil {
				st.Condition = map[string]map[string][]string{}
			}
			if st.Condition[c.Test] == nil {
				st.Condition[c.Test] = map[string][]string{}
			}
			st.Condition[c.Test][c.Variable] = append(st.Condition[c.Test][c.Variable], c.Values...)
		}
		out.Statement = append(out.Statement, st)
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err) // strings and maps of strings always marshal
	}
	return b
}

package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/constructs/trail"
	"github.com/cle2wa/audit-trail/internal/settings"
)

// TestSecondApplyIsQuiet: after a first apply, a plan of the same
// synthesis changes nothing, for every stack and every optional setting.
// Nothing here can apply, so the state a first apply would leave is built
// from the plan itself: each resource as the real provider plans it, the
// values it leaves unknown until apply filled by their schema type (an
// ARN, an ID, a name), then planned again, until the plans agree with the
// state. A resource that still changes after that (a value the provider
// normalizes differently from the configuration, a policy that never
// settles) fails the test, with its changed attributes.
func TestSecondApplyIsQuiet(t *testing.T) {
	tf := terraformCLI(t)
	config := mirrorConfig(t, providerMirror(t))
	variants := map[string]func(*settings.Settings){
		"defaults": nil,
		"every option": func(s *settings.Settings) {
			s.OrganizationTrail, s.Insights, s.DataEvents = true, true, trail.DataEventsReadWrite
			s.AlarmEmails = []string{"security@example.com"}
			s.LogPrefix = "org/trails"
			s.Retention.ExpireDays = 3650
			s.ObjectLock = settings.ObjectLock{Mode: "COMPLIANCE", Days: 3650}
			s.Deployers = []string{"arn:aws:iam::111122223333:role/ci"}
			s.BreakGlassPrincipals = []string{"arn:aws:iam::111122223333:role/break-glass"}
		},
		"no monitoring": func(s *settings.Settings) { s.Monitoring = false; s.ObjectLock.Mode = settings.LockOff },
	}
	org := fakeOrganization{ID: "o-exampleorgid", Management: "111122223333", Trusted: []string{"cloudtrail.amazonaws.com"}, Roles: []string{"role-audit"},
		Caller: "arn:aws:sts::111122223333:assumed-role/ci/run-1"}
	// The synths one at a time in this process (the jsii kernel takes
	// one), then the plans side by side, beside the other tests.
	outs := map[string]string{}
	for name, edit := range variants {
		outs[name] = synthWith(t, edit)
	}
	t.Parallel()
	for _, name := range slices.Sorted(maps.Keys(outs)) {
		for _, stack := range []string{"audit", "state"} {
			if name == "no monitoring" && stack == "state" {
				continue // the state stack has no monitoring
			}
			t.Run(name+"/"+stack, func(t *testing.T) {
				t.Parallel()
				try := quietAfterFirstApply(t, tf, config, filepath.Join(outs[name], "stacks", stack), org)
				if name == "defaults" && stack == "audit" && try != nil {
					retire(t, try)
				}
			})
		}
	}
}

// quietAfterFirstApply plans the stack in dir over the state its own plan
// describes, as TestSecondApplyIsQuiet says, and returns how to run
// Terraform over that state, or nil when the plans did not settle.
func quietAfterFirstApply(t *testing.T, tf, config, dir string, org fakeOrganization) func(...string) (string, error) {
	t.Helper()
	work, try := offline(t, tf, config, dir, org)
	run := func(args ...string) string {
		out, err := try(args...)
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	run("init", "-input=false", "-no-color")
	schemas := providerSchemas(t, run("providers", "schema", "-json"))

	var state map[string]any
	var changing []string
	const rounds = 4
	for round := 0; round < rounds; round++ {
		run("plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.bin")
		var p firstPlan
		if err := json.Unmarshal([]byte(run("show", "-json", "plan.bin")), &p); err != nil {
			t.Fatal(err)
		}
		changing = p.changing()
		if round > 0 && len(changing) == 0 {
			return try
		}

		state = p.state(t, schemas, round)
		writeJSON(t, filepath.Join(work, "terraform.tfstate"), state)
	}
	t.Errorf("expected a plan without changes over the state of a first apply, found after %d rounds:\n%s", rounds, strings.Join(changing, "\n"))
	return nil
}

// retireKeeps are the resources the README's "Retiring the stack" takes
// out of Terraform's hands, by address prefix: the evidence, its keys and
// log group, and who reads them.
var retireKeeps = []string{"aws_s3_bucket", "aws_kms_key.", "aws_kms_alias.", "aws_cloudwatch_log_group.", "aws_iam_role.audit_role", "aws_iam_role_policy.audit_role_read", "aws_iam_policy.deny_log_reads", "aws_iam_user.", "aws_iam_group"}

// retire follows the README's "Retiring the stack" over the state of a
// first apply: `terraform destroy` is refused (prevent_destroy), and once
// the evidence and its readers are removed from the state it plans to
// delete the rest, the trail among them, and nothing kept.
func retire(t *testing.T, try func(...string) (string, error)) {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)[strings.Index(string(readme), "### Retiring the stack"):]
	for _, k := range retireKeeps {
		if !strings.Contains(section, "`"+strings.TrimSuffix(k, ".")) {
			t.Errorf("expected the README's \"Retiring the stack\" to name %s", k)
		}
	}
	kept := func(address string) bool {
		return slices.ContainsFunc(retireKeeps, func(k string) bool { return strings.HasPrefix(address, k) })
	}
	run := func(args ...string) string {
		out, err := try(args...)
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	destroy := []string{"plan", "-destroy", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=destroy.bin"}
	if out, err := try(destroy...); err == nil || !strings.Contains(out, "prevent_destroy") {
		t.Errorf("expected terraform destroy refused by prevent_destroy, found %v:\n%s", err, out)
	}
	var removed []string
	for _, a := range strings.Fields(run("state", "list")) {
		if kept(a) {
			removed = append(removed, a)
		}
	}
	run(append([]string{"state", "rm"}, removed...)...)
	run(destroy...)
	var p firstPlan
	if err := json.Unmarshal([]byte(run("show", "-json", "destroy.bin")), &p); err != nil {
		t.Fatal(err)
	}
	deleted := map[string]bool{}
	for _, rc := range p.ResourceChanges {
		if slices.Contains(rc.Change.Actions, "delete") {
			deleted[rc.Address] = true
			if kept(rc.Address) {
				t.Errorf("expected %s kept by the retirement, found it deleted", rc.Address)
			}
		}
	}
	if !deleted["aws_cloudtrail.trail"] || len(removed) < 20 {
		t.Errorf("expected the retirement to keep the evidence (%d resources) and delete the trail, found deletions %v", len(removed), deleted)
	}
}

// firstPlan is the part of `terraform show -json` read here.
type firstPlan struct {
	ResourceChanges []struct {
		Address, Mode, Type, Name string
		Change                    struct {
			Actions      []string
			Before       map[string]any
			After        map[string]any
			AfterUnknown map[string]any `json:"after_unknown"`
			// AfterSensitive marks the sensitive values, which a state
			// records as such (Terraform plans an update when it does
			// not).
			AfterSensitive any `json:"after_sensitive"`
		}
	} `json:"resource_changes"`
}

// changing lists each managed resource the plan changes, with the
// attributes that differ.
func (p firstPlan) changing() []string {
	var out []string
	for _, rc := range p.ResourceChanges {
		if rc.Mode != "managed" || slices.Equal(rc.Change.Actions, []string{"no-op"}) {
			continue
		}
		var attrs []string
		for k, v := range rc.Change.After {
			if fmt.Sprint(rc.Change.Before[k]) != fmt.Sprint(v) {
				attrs = append(attrs, k)
			}
		}
		for k := range rc.Change.AfterUnknown {
			attrs = append(attrs, k+" (unknown)")
		}
		sort.Strings(attrs)
		if len(attrs) == 0 {
			// A difference Terraform hides (a sensitive value, null
			// against empty): both sides in full.
			before, _ := json.Marshal(rc.Change.Before)
			after, _ := json.Marshal(rc.Change.After)
			attrs = append(attrs, "before "+string(before)+" after "+string(after))
		}
		out = append(out, fmt.Sprintf("%s %v: %s", rc.Address, rc.Change.Actions, strings.Join(attrs, ", ")))
	}
	sort.Strings(out)
	return out
}

// providerSchema is a resource type's schema version and attribute types.
type providerSchema struct {
	version int
	types   map[string]any
}

// providerSchemas reads `terraform providers schema -json`.
func providerSchemas(t *testing.T, raw string) map[string]providerSchema {
	t.Helper()
	var s struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas map[string]struct {
				Version int `json:"version"`
				Block   struct {
					Attributes map[string]struct {
						Type any `json:"type"`
					} `json:"attributes"`
				} `json:"block"`
			} `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatal(err)
	}
	out := map[string]providerSchema{}
	for _, p := range s.ProviderSchemas {
		for typ, r := range p.ResourceSchemas {
			types := map[string]any{}
			for name, a := range r.Block.Attributes {
				types[name] = a.Type
			}
			out[typ] = providerSchema{version: r.Version, types: types}
		}
	}
	return out
}

// state is the state a first apply of the plan would leave: every
// managed resource with its planned values, each value unknown until
// apply filled by its type.
func (p firstPlan) state(t *testing.T, schemas map[string]providerSchema, serial int) map[string]any {
	t.Helper()
	var resources []any
	for _, rc := range p.ResourceChanges {
		if rc.Mode != "managed" {
			continue
		}
		attrs := map[string]any{}
		for k, v := range rc.Change.After {
			attrs[k] = v
		}
		schema := schemas[rc.Type]
		provider := `provider["registry.terraform.io/hashicorp/aws"]`
		if rc.Type == "terraform_data" {
			provider = `provider["terraform.io/builtin/terraform"]`
			schema.version = 0
		}
		for k, unknown := range rc.Change.AfterUnknown {
			if unknown != true {
				continue // a nested value unknown: kept as planned
			}
			attrs[k] = filled(rc.Type, rc.Name, k, attrs, schema.types[k])
		}
		if rc.Type == "terraform_data" {
			// Its values are dynamic: the state keeps each with its type.
			for _, k := range []string{"input", "output"} {
				if v, ok := attrs[k].(string); ok {
					attrs[k] = map[string]any{"value": v, "type": "string"}
				}
			}
		}
		instance := map[string]any{"schema_version": schema.version, "attributes": attrs}
		if paths := sensitivePaths(rc.Change.AfterSensitive, nil); len(paths) > 0 {
			instance["sensitive_attributes"] = paths
		}
		resources = append(resources, map[string]any{"mode": "managed", "type": rc.Type, "name": rc.Name, "provider": provider,
			"instances": []any{instance}})
	}
	return map[string]any{"version": 4, "terraform_version": "1.11.4", "serial": serial + 1, "lineage": "first-apply", "outputs": map[string]any{}, "resources": resources}
}

// filled is the value a first apply gives an attribute the plan left
// unknown: for an ARN or an ID one of the form AWS gives, else the zero
// value of its type (an empty string, no list).
func filled(typ, name, attr string, attrs map[string]any, schemaType any) any {
	const account, region = "111122223333", "us-east-1"
	own := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := attrs[k].(string); ok && v != "" {
				return v
			}
		}
		return name
	}
	switch attr {
	case "arn":
		switch typ {
		case "aws_kms_key":
			return "arn:aws:kms:" + region + ":" + account + ":key/" + keyID(name)
		case "aws_s3_bucket":
			return "arn:aws:s3:::" + own("bucket")
		case "aws_iam_role", "aws_iam_user", "aws_iam_group", "aws_iam_policy":
			return "arn:aws:iam::" + account + ":" + strings.TrimPrefix(typ, "aws_iam_") + "/" + own("name")
		case "aws_cloudwatch_log_group":
			return "arn:aws:logs:" + region + ":" + account + ":log-group:" + own("name")
		case "aws_sns_topic":
			return "arn:aws:sns:" + region + ":" + account + ":" + own("name")
		case "aws_cloudtrail":
			return "arn:aws:cloudtrail:" + region + ":" + account + ":trail/" + own("name")
		case "aws_cloudwatch_metric_alarm":
			return "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:" + own("alarm_name")
		case "aws_kms_alias":
			return "arn:aws:kms:" + region + ":" + account + ":" + own("name")
		}
		return "arn:aws:" + typ + ":" + region + ":" + account + ":" + name
	case "key_id":
		return keyID(name)
	case "id":
		if typ == "aws_kms_key" {
			return keyID(name)
		}
		return own("bucket", "name", "alarm_name")
	case "output":
		return attrs["input"]
	case "owner", "account_id":
		return account
	case "region":
		return region
	}
	switch schemaType {
	case "string":
		// What AWS returns for an optional value nobody set; a reference
		// to it settles in the next round.
		return ""
	case "number":
		return 0
	case "bool":
		return false
	}
	if l, ok := schemaType.([]any); ok && len(l) > 0 {
		switch l[0] {
		case "list", "set":
			return []any{}
		case "map":
			return map[string]any{}
		}
	}
	return nil
}

// keyID is a KMS key ID of the form AWS gives, the same for one name.
func keyID(name string) string {
	h := fmt.Sprintf("%032x", []byte(name+"--------------------------------"))[:32]
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// sensitivePaths are the paths of the values marked true in a plan's
// after_sensitive, in the state's notation.
func sensitivePaths(marks any, at []any) []any {
	switch m := marks.(type) {
	case bool:
		if m && len(at) > 0 {
			return []any{slices.Clone(at)}
		}
	case map[string]any:
		var out []any
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, sensitivePaths(m[k], append(at, map[string]any{"type": "get_attr", "value": k}))...)
		}
		return out
	case []any:
		var out []any
		for i, v := range m {
			out = append(out, sensitivePaths(v, append(at, map[string]any{"type": "index", "value": map[string]any{"value": i, "type": "number"}}))...)
		}
		return out
	}
	return nil
}

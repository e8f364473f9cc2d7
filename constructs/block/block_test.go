package block_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/block"
)

type topic struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"display_name,omitempty"`
	Tags        []string `json:"tags,omitempty"`
}

func (topic) Type() string { return "aws_sns_topic" }

type document struct {
	Version string `json:"version"`
}

func (document) Type() string { return "aws_iam_policy_document" }

// synth synthesizes a stack that build writes into and returns its JSON
// as cdktf writes it, metadata included.
func synth(t *testing.T, build func(stack cdktf.TerraformStack)) map[string]any {
	t.Helper()
	stack := cdktf.NewTerraformStack(cdktf.Testing_App(nil), jsii.String("test"))
	build(stack)
	return written(t, stack)
}

func written(t *testing.T, stack cdktf.TerraformStack) map[string]any {
	t.Helper()
	dir := *cdktf.Testing_FullSynth(stack)
	data, err := os.ReadFile(filepath.Join(dir, "stacks", *stack.Node().Id(), "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func at(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

func TestBlocksRenderAsCdktfRendersResources(t *testing.T) {
	var topicAddress, docAddress string
	out := synth(t, func(stack cdktf.TerraformStack) {
		part := constructs.NewConstruct(stack, jsii.String("part"))
		s := block.In(part)
		topicAddress = s.Resource("topic", "part_topic", topic{Name: "alarms"})
		docAddress = s.Data("document", "part_document", document{Version: "2012-10-17"})
		block.In(stack).Moved("aws_sns_topic.old", topicAddress)
	})
	if topicAddress != "aws_sns_topic.part_topic" || docAddress != "data.aws_iam_policy_document.part_document" {
		t.Errorf("expected the addresses aws_sns_topic.part_topic and data.aws_iam_policy_document.part_document, found %s and %s", topicAddress, docAddress)
	}
	for _, c := range []struct {
		path []string
		want any
	}{
		{[]string{"resource", "aws_sns_topic", "part_topic", "name"}, "alarms"},
		// An empty optional argument is left out, as cdktf leaves out an
		// unset one.
		{[]string{"resource", "aws_sns_topic", "part_topic", "display_name"}, nil},
		{[]string{"resource", "aws_sns_topic", "part_topic", "//", "metadata"}, map[string]any{"path": "test/part/topic", "uniqueId": "part_topic"}},
		{[]string{"data", "aws_iam_policy_document", "part_document", "//", "metadata"}, map[string]any{"path": "test/part/document", "uniqueId": "part_document"}},
		{[]string{"moved"}, []any{map[string]any{"from": "aws_sns_topic.old", "to": "aws_sns_topic.part_topic"}}},
	} {
		if got := at(out, c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("expected %v at %v, found %v", c.want, c.path, got)
		}
	}
}

func TestReplaceKeepsTheMetadata(t *testing.T) {
	out := synth(t, func(stack cdktf.TerraformStack) {
		s := block.In(stack)
		address := s.Resource("topic", "topic", topic{Name: "first"})
		s.Replace(address, topic{Name: "second", Tags: []string{"x"}})
	})
	got := at(out, "resource", "aws_sns_topic", "topic")
	want := map[string]any{"name": "second", "tags": []any{"x"}, "//": map[string]any{"metadata": map[string]any{"path": "test/topic", "uniqueId": "topic"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("expected %v, found %v", want, got)
	}
}

func TestANameWrittenTwicePanics(t *testing.T) {
	stack := cdktf.NewTerraformStack(cdktf.Testing_App(nil), jsii.String("test"))
	s := block.In(stack)
	s.Resource("a", "same", topic{Name: "a"})
	defer func() {
		if recover() == nil {
			t.Error("expected a panic for the second aws_sns_topic.same, found none")
		}
	}()
	s.Resource("b", "same", topic{Name: "b"})
}

// Each stack has its own blocks, and a scope found again writes into the
// same element.
func TestEachStackHasItsOwnBlocks(t *testing.T) {
	app := cdktf.Testing_App(nil)
	one := cdktf.NewTerraformStack(app, jsii.String("one"))
	two := cdktf.NewTerraformStack(app, jsii.String("two"))
	block.In(one).Resource("a", "a", topic{Name: "a"})
	block.In(one).Resource("b", "b", topic{Name: "b"})
	block.In(two).Resource("c", "c", topic{Name: "c"})
	for stack, want := range map[cdktf.TerraformStack][]string{one: {"a", "b"}, two: {"c"}} {
		topics, _ := at(written(t, stack), "resource", "aws_sns_topic").(map[string]any)
		if len(topics) != len(want) {
			t.Errorf("expected the topics %v in %s, found %v", want, *stack.Node().Id(), topics)
		}
		for _, name := range want {
			if topics[name] == nil {
				t.Errorf("expected the topic %s in %s, found %v", name, *stack.Node().Id(), topics)
			}
		}
	}
}

type provider struct {
	Alias  string `json:"alias,omitempty"`
	Region string `json:"region"`
}

func (provider) Type() string { return "aws" }

// The first provider configuration is the default, later ones carry
// their alias, and the provider is required at the source and version
// given, beside cdktf's backend in the terraform block.
func TestProvidersAreRequired(t *testing.T) {
	out := synth(t, func(stack cdktf.TerraformStack) {
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: jsii.String("state")})
		s := block.In(stack)
		s.Provider("aws", "5.88.0", provider{Region: "us-east-1"})
		s.Provider("aws", "5.88.0", provider{Alias: "other", Region: "eu-west-1"})
	})
	for _, c := range []struct {
		path []string
		want any
	}{
		{[]string{"provider", "aws"}, []any{map[string]any{"region": "us-east-1"}, map[string]any{"alias": "other", "region": "eu-west-1"}}},
		{[]string{"terraform", "required_providers", "aws"}, map[string]any{"source": "aws", "version": "5.88.0"}},
		{[]string{"terraform", "backend", "local", "path"}, "state"},
	} {
		if got := at(out, c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("expected %v at %v, found %v", c.want, c.path, got)
		}
	}
}

func TestExpression(t *testing.T) {
	for ref, want := range map[string]string{
		"${data.aws_caller_identity.current_account.account_id}": "data.aws_caller_identity.current_account.account_id",
		"123456789012": "123456789012",
		"arn:${data.aws_partition.p.partition}:s3:::b": "arn:${data.aws_partition.p.partition}:s3:::b",
		"${a.b.c}-${d.e.f}":                            "${a.b.c}-${d.e.f}",
	} {
		if got := block.Expression(ref); got != want {
			t.Errorf("Expression(%q): expected %q, found %q", ref, want, got)
		}
	}
}

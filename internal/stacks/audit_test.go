package stacks_test

import (
	"encoding/json"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/constructs/arn"
	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/constructs/policy"
	"github.com/cle2wa/audit-trail/constructs/trail"
	"github.com/cle2wa/audit-trail/constructs/trailkey"
	"github.com/cle2wa/audit-trail/internal/access"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/stacks"
	tfdoc "github.com/cle2wa/audit-trail/internal/tfjson"
)

// synth builds the stack for s in a fresh testing app and returns the
// synthesized JSON, raw and parsed.
func synth(t *testing.T, s settings.Settings) (string, *tfjson) {
	t.Helper()
	app := cdktf.Testing_App(nil)
	stack, err := stacks.NewAudit(app, s)
	if err != nil {
		t.Fatalf("stacks.NewAudit: %v", err)
	}
	raw := *cdktf.Testing_Synth(stack.TerraformStack, jsii.Bool(true))
	var parsed map[string]any
	if err := json.Unmarshal([]byte(raw), &parsed); err != nil {
		t.Fatalf("synthesized JSON does not parse: %v", err)
	}
	return raw, &tfjson{t: t, doc: parsed}
}

// tfjson is a parsed cdk.tf.json with lookups that fail the test.
type tfjson struct {
	t   *testing.T
	doc map[string]any
}

func (j *tfjson) block(kind, typ, name string) map[string]any {
	j.t.Helper()
	b, ok := dig(j.doc, kind, typ, name).(map[string]any)
	if !ok {
		j.t.Fatalf("no %s %s.%s in the synthesized stack", kind, typ, name)
	}
	return b
}

func (j *tfjson) resource(typ, name string) map[string]any { return j.block("resource", typ, name) }

func (j *tfjson) has(kind, typ string) bool {
	_, ok := dig(j.doc, kind, typ).(map[string]any)
	return ok
}

// statement returns the statement with sid of the policy document data
// source name.
func (j *tfjson) statement(document, sid string) map[string]any {
	j.t.Helper()
	for _, s := range j.statements(document) {
		if s["sid"] == sid {
			return s
		}
	}
	j.t.Fatalf("policy document %s has no statement %q", document, sid)
	return nil
}

func (j *tfjson) statements(document string) []map[string]any {
	j.t.Helper()
	list, _ := j.block("data", "aws_iam_policy_document", document)["statement"].([]any)
	var out []map[string]any
	for _, s := range list {
		out = append(out, s.(map[string]any))
	}
	return out
}

// dig follows path through the parsed JSON.
var dig = tfdoc.Get

// first returns the first element of a block list such as "rule".
func first(v any) map[string]any {
	if l, ok := v.([]any); ok && len(l) > 0 {
		m, _ := l[0].(map[string]any)
		return m
	}
	m, _ := v.(map[string]any)
	return m
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// condition returns the values of the condition test/variable of s.
func condition(s map[string]any, test, variable string) []string {
	conds, _ := s["condition"].([]any)
	for _, c := range conds {
		m := c.(map[string]any)
		if m["test"] == test && m["variable"] == variable {
			return strs(m["values"])
		}
	}
	return nil
}

func principals(s map[string]any) map[string][]string {
	out := map[string][]string{}
	ps, _ := s["principals"].([]any)
	for _, p := range ps {
		m := p.(map[string]any)
		out[m["type"].(string)] = strs(m["identifiers"])
	}
	return out
}

// matches reports whether the IAM action pattern (with * wildcards) covers
// action.
func matches(pattern, action string) bool {
	ok, _ := path.Match(strings.ToLower(pattern), strings.ToLower(action))
	return ok
}

func expect(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: expected %#v, found %#v", what, want, got)
	}
}

const (
	partition = "${data.aws_partition.current_partition.partition}"
	account   = "${data.aws_caller_identity.current_account.account_id}"
	trailARN  = "arn:" + partition + ":cloudtrail:us-east-1:" + account + ":trail/trail-master"
	logARN    = "arn:" + partition + ":s3:::cle2wa-s3-trail-master"
	accessARN = "arn:" + partition + ":s3:::cle2wa-s3-accesslog-master"
	// roleARN is the audit role's ARN as policies name it: built from its
	// name, so that they render at plan time.
	roleARN   = "arn:" + partition + ":iam::" + account + ":role/role-audit"
	writerARN = "arn:" + partition + ":iam::" + account + ":role/role-trail-logs"
	keyARN    = "${aws_kms_key.trail_key.arn}"
)

func TestLogBucket(t *testing.T) {
	raw, j := synth(t, settings.Defaults())

	if !*cdktf.Testing_ToHaveResourceWithProperties(jsii.String(raw), jsii.String("aws_s3_bucket"), &map[string]any{
		"bucket":        "cle2wa-s3-trail-master",
		"force_destroy": false,
		"lifecycle":     map[string]any{"prevent_destroy": true},
	}) {
		t.Errorf("expected aws_s3_bucket cle2wa-s3-trail-master with force_destroy false and prevent_destroy true")
	}
	for _, b := range []string{"log_bucket", "access_log_bucket"} {
		bucket := j.resource("aws_s3_bucket", b)
		expect(t, b+" force_destroy", bucket["force_destroy"], false)
		expect(t, b+" prevent_destroy", dig(bucket, "lifecycle", "prevent_destroy"), true)
		expect(t, b+" versioning", first(j.resource("aws_s3_bucket_versioning", b+"_versioning")["versioning_configuration"])["status"], "Enabled")
		pab := j.resource("aws_s3_bucket_public_access_block", b+"_public_access")
		for _, flag := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
			expect(t, b+" "+flag, pab[flag], true)
		}
		expect(t, b+" object ownership", first(j.resource("aws_s3_bucket_ownership_controls", b+"_ownership")["rule"])["object_ownership"], "BucketOwnerEnforced")
		expect(t, b+" payer", j.resource("aws_s3_bucket_request_payment_configuration", b+"_request_payment")["payer"], "BucketOwner")
		policy := j.resource("aws_s3_bucket_policy", b+"_policy")
		expect(t, b+" policy document", policy["policy"], "${data.aws_iam_policy_document."+b+"_policy.json}")
		// Last, after what its evidence deny then keeps anyone but the
		// break-glass principals from changing.
		after := []any{"aws_s3_bucket_public_access_block." + b + "_public_access", "aws_s3_bucket_versioning." + b + "_versioning", "aws_s3_bucket_lifecycle_configuration." + b + "_lifecycle"}
		if b == "log_bucket" {
			after = append(after, "aws_s3_bucket_object_lock_configuration.log_bucket_object_lock")
		}
		expect(t, b+" policy depends on the public access block, versioning, lifecycle and Object Lock", policy["depends_on"], after)
		destroy := j.statement(b+"_policy", "DenyEvidenceDestructionButBreakGlass")
		expect(t, b+" destruction deny effect", destroy["effect"], "Deny")
		expect(t, b+" destruction deny spares the root user only by default", condition(destroy, "ArnNotEquals", "aws:PrincipalArn"), []string{"arn:" + partition + ":iam::" + account + ":root"})
		for _, a := range []string{"s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:DeleteBucketPolicy", "s3:PutObjectRetention"} {
			if !slices.Contains(strs(destroy["actions"]), a) {
				t.Errorf("%s: expected the destruction deny to cover %s, found %v", b, a, destroy["actions"])
			}
		}
		protection := j.statement(b+"_policy", "DenyProtectionChangesButOperators")
		expect(t, b+" protection deny effect", protection["effect"], "Deny")
		expect(t, b+" protection deny spares the first deployer and the root user by default", condition(protection, "ArnNotEquals", "aws:PrincipalArn"), []string{"${terraform_data.first_deployer.input}", "arn:" + partition + ":iam::" + account + ":root"})
		for _, a := range []string{"s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutBucketObjectLockConfiguration"} {
			if !slices.Contains(strs(protection["actions"]), a) {
				t.Errorf("%s: expected the protection deny to cover %s, found %v", b, a, protection["actions"])
			}
		}

		arn := map[string]string{"log_bucket": logARN, "access_log_bucket": accessARN}[b]
		tls := j.statement(b+"_policy", "DenyInsecureTransport")
		expect(t, b+" TLS statement effect", tls["effect"], "Deny")
		expect(t, b+" TLS statement principal", principals(tls), map[string][]string{"*": {"*"}})
		expect(t, b+" TLS statement actions", strs(tls["actions"]), []string{"s3:*"})
		expect(t, b+" TLS statement resources", strs(tls["resources"]), []string{arn, arn + "/*"})
		expect(t, b+" TLS statement condition", condition(tls, "Bool", "aws:SecureTransport"), []string{"false"})
	}

	sse := first(first(j.resource("aws_s3_bucket_server_side_encryption_configuration", "log_bucket_encryption")["rule"])["apply_server_side_encryption_by_default"])
	expect(t, "log bucket SSE algorithm", sse["sse_algorithm"], "aws:kms")
	expect(t, "log bucket SSE key", sse["kms_master_key_id"], keyARN)
	expect(t, "log bucket bucket key", first(j.resource("aws_s3_bucket_server_side_encryption_configuration", "log_bucket_encryption")["rule"])["bucket_key_enabled"], true)

	acl := j.statement("log_bucket_policy", "CloudTrailAclCheck")
	expect(t, "AclCheck effect", acl["effect"], "Allow")
	expect(t, "AclCheck principal", principals(acl), map[string][]string{"Service": {"cloudtrail.amazonaws.com"}})
	expect(t, "AclCheck actions", strs(acl["actions"]), []string{"s3:GetBucketAcl"})
	expect(t, "AclCheck resources", strs(acl["resources"]), []string{logARN})
	expect(t, "AclCheck aws:SourceArn", condition(acl, "StringEquals", "aws:SourceArn"), []string{trailARN})

	write := j.statement("log_bucket_policy", "CloudTrailWrite")
	expect(t, "Write effect", write["effect"], "Allow")
	expect(t, "Write principal", principals(write), map[string][]string{"Service": {"cloudtrail.amazonaws.com"}})
	expect(t, "Write actions", strs(write["actions"]), []string{"s3:PutObject"})
	expect(t, "Write resources", strs(write["resources"]), []string{logARN + "/AWSLogs/" + account + "/*"})
	expect(t, "Write x-amz-acl", condition(write, "StringEquals", "s3:x-amz-acl"), []string{"bucket-owner-full-control"})
	expect(t, "Write aws:SourceArn", condition(write, "StringEquals", "aws:SourceArn"), []string{trailARN})
	expect(t, "log bucket policy statement count", len(j.statements("log_bucket_policy")), 5)

	logging := j.resource("aws_s3_bucket_logging", "log_bucket_access_logging")
	expect(t, "access logging source", logging["bucket"], "${aws_s3_bucket.log_bucket.id}")
	expect(t, "access logging target", logging["target_bucket"], "${aws_s3_bucket.access_log_bucket.id}")
	expect(t, "access logging prefix", logging["target_prefix"], "cle2wa-s3-trail-master/")
}

func TestAccessLogBucket(t *testing.T) {
	_, j := synth(t, settings.Defaults())
	rule := first(j.resource("aws_s3_bucket_server_side_encryption_configuration", "access_log_bucket_encryption")["rule"])
	expect(t, "access-log bucket SSE algorithm (SSE-S3 is what S3 logging supports)", first(rule["apply_server_side_encryption_by_default"])["sse_algorithm"], "AES256")
	expect(t, "access-log bucket has no KMS key", first(rule["apply_server_side_encryption_by_default"])["kms_master_key_id"], nil)

	grant := j.statement("access_log_bucket_policy", "S3ServerAccessLogsWrite")
	expect(t, "access log grant principal", principals(grant), map[string][]string{"Service": {"logging.s3.amazonaws.com"}})
	expect(t, "access log grant actions", strs(grant["actions"]), []string{"s3:PutObject"})
	expect(t, "access log grant resources", strs(grant["resources"]), []string{accessARN + "/cle2wa-s3-trail-master/*"})
	expect(t, "access log grant aws:SourceArn", condition(grant, "ArnLike", "aws:SourceArn"), []string{logARN})
	expect(t, "access log grant aws:SourceAccount", condition(grant, "StringEquals", "aws:SourceAccount"), []string{account})

	logging, _ := dig(j.doc, "resource", "aws_s3_bucket_logging").(map[string]any)
	if _, ok := logging["access_log_bucket_access_logging"]; ok || len(logging) != 1 {
		t.Errorf("expected access logging on the log bucket only, found %v", logging)
	}
}

func TestLifecycle(t *testing.T) {
	cases := map[string]struct {
		retention, transition int
		class                 string
	}{
		"default keeps forever": {0, 90, "GLACIER_IR"},
		"retention set":         {400, 30, "STANDARD_IA"},
		"no transition":         {3650, 0, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := settings.Defaults()
			s.Retention.ExpireDays, s.Retention.TransitionDays, s.Retention.StorageClass = c.retention, c.transition, c.class
			_, j := synth(t, s)
			for _, b := range []string{"log_bucket", "access_log_bucket"} {
				lc := j.resource("aws_s3_bucket_lifecycle_configuration", b+"_lifecycle")
				expect(t, b+" lifecycle depends on versioning", lc["depends_on"], []any{"aws_s3_bucket_versioning." + b + "_versioning"})
				rules := lc["rule"].([]any)
				if len(rules) != 1 {
					t.Fatalf("%s: expected one lifecycle rule, found %d", b, len(rules))
				}
				rule := rules[0].(map[string]any)
				expect(t, b+" abort incomplete uploads", first(rule["abort_incomplete_multipart_upload"])["days_after_initiation"], 7.0)
				if c.retention == 0 {
					expect(t, b+" expiration", rule["expiration"], nil)
					expect(t, b+" noncurrent expiration", rule["noncurrent_version_expiration"], nil)
				} else {
					expect(t, b+" expiration days", first(rule["expiration"])["days"], float64(c.retention))
					expect(t, b+" noncurrent expiration days", first(rule["noncurrent_version_expiration"])["noncurrent_days"], float64(c.retention))
				}
				if c.transition == 0 {
					expect(t, b+" transition", rule["transition"], nil)
				} else {
					expect(t, b+" transition", first(rule["transition"]), map[string]any{"days": float64(c.transition), "storage_class": c.class})
					expect(t, b+" noncurrent transition", first(rule["noncurrent_version_transition"]), map[string]any{"noncurrent_days": float64(c.transition), "storage_class": c.class})
				}
			}
		})
	}
}

func TestTrailKey(t *testing.T) {
	_, j := synth(t, settings.Defaults())
	key := j.resource("aws_kms_key", "trail_key")
	// The key policy names the audit role by its ARN, built from the name;
	// the key waits for the role (KMS refuses a policy naming a principal
	// that does not exist).
	expect(t, "key after the audit role", key["depends_on"], []any{"aws_iam_role.audit_role"})
	expect(t, "key rotation", key["enable_key_rotation"], true)
	expect(t, "deletion window", key["deletion_window_in_days"], 30.0)
	expect(t, "key spec", key["customer_master_key_spec"], "SYMMETRIC_DEFAULT")
	expect(t, "key usage", key["key_usage"], "ENCRYPT_DECRYPT")
	expect(t, "key policy", key["policy"], "${data.aws_iam_policy_document.trail_key_policy.json}")
	expect(t, "key prevent_destroy", dig(key, "lifecycle", "prevent_destroy"), true)
	alias := j.resource("aws_kms_alias", "trail_key_alias")
	expect(t, "alias name", alias["name"], "alias/kms-trail-master")
	expect(t, "alias target", alias["target_key_id"], "${aws_kms_key.trail_key.key_id}")

	admin := j.statement("trail_key_policy", "AccountAdministersKeyWithoutUse")
	expect(t, "admin principal", principals(admin), map[string][]string{"AWS": {"arn:" + partition + ":iam::" + account + ":root"}})
	for _, pattern := range strs(admin["actions"]) {
		for _, use := range []string{"kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:CreateGrant"} {
			if matches(pattern, use) {
				t.Errorf("the account's administration statement must not allow use of the key: %q allows %s", pattern, use)
			}
		}
	}
	if !slices.Contains(strs(admin["actions"]), "kms:Put*") {
		t.Errorf("the account must keep kms:PutKeyPolicy (kms:Put*) to avoid a lock-out, found %v", admin["actions"])
	}

	encrypt := j.statement("trail_key_policy", "CloudTrailEncryptsLogs")
	expect(t, "encrypt principal", principals(encrypt), map[string][]string{"Service": {"cloudtrail.amazonaws.com"}})
	expect(t, "encrypt actions", strs(encrypt["actions"]), []string{"kms:GenerateDataKey*"})
	expect(t, "encrypt context", condition(encrypt, "StringLike", "kms:EncryptionContext:aws:cloudtrail:arn"), []string{"arn:" + partition + ":cloudtrail:*:" + account + ":trail/*"})
	expect(t, "encrypt aws:SourceArn", condition(encrypt, "StringEquals", "aws:SourceArn"), []string{trailARN})

	describe := j.statement("trail_key_policy", "CloudTrailDescribesKey")
	expect(t, "describe actions", strs(describe["actions"]), []string{"kms:DescribeKey"})
	expect(t, "describe principal", principals(describe), map[string][]string{"Service": {"cloudtrail.amazonaws.com"}})

	bucketKey := j.statement("trail_key_policy", "CloudTrailUsesBucketKey")
	expect(t, "bucket key decrypt principal", principals(bucketKey), map[string][]string{"Service": {"cloudtrail.amazonaws.com"}})
	// No page shows CloudTrail sending these keys on this call: they are
	// tested only when present (internal/access decides both requests).
	expect(t, "bucket key decrypt aws:SourceArn, if present", condition(bucketKey, "StringEqualsIfExists", "aws:SourceArn"), []string{trailARN})
	expect(t, "bucket key decrypt aws:SourceAccount, if present", condition(bucketKey, "StringEqualsIfExists", "aws:SourceAccount"), []string{account})

	decrypt := j.statement("trail_key_policy", "AuditRoleDecryptsLogs")
	expect(t, "decrypt principal", principals(decrypt), map[string][]string{"AWS": {roleARN}})
	expect(t, "decrypt actions", strs(decrypt["actions"]), []string{"kms:Decrypt"})
	expect(t, "decrypt needs the CloudTrail encryption context", condition(decrypt, "Null", "kms:EncryptionContext:aws:cloudtrail:arn"), []string{"false"})

	deny := j.statement("trail_key_policy", "DenyDecryptToAllOthers")
	expect(t, "deny effect", deny["effect"], "Deny")
	expect(t, "deny principal", principals(deny), map[string][]string{"*": {"*"}})
	expect(t, "deny actions", strs(deny["actions"]), []string{"kms:Decrypt", "kms:ReEncryptFrom"})
	expect(t, "deny exempts the audit role", condition(deny, "ArnNotEquals", "aws:PrincipalArn"), []string{roleARN})
	expect(t, "deny exempts AWS services", condition(deny, "Bool", "aws:PrincipalIsAWSService"), []string{"false"})

	// The invariant behind the statements: an Allow of a decrypting action
	// names only the audit role or CloudTrail itself.
	for _, s := range j.statements("trail_key_policy") {
		if s["effect"] != "Allow" {
			continue
		}
		for _, a := range strs(s["actions"]) {
			if a == "kms:*" || strings.HasPrefix(a, "kms:Decrypt") || strings.HasPrefix(a, "kms:ReEncrypt") {
				p := principals(s)
				if !reflect.DeepEqual(p, map[string][]string{"AWS": {roleARN}}) && !reflect.DeepEqual(p, map[string][]string{"Service": {"cloudtrail.amazonaws.com"}}) {
					t.Errorf("statement %v allows %s to %v", s["sid"], a, p)
				}
			}
		}
	}
}

// TestBreakGlassPrincipals: whoever breakGlassPrincipals names, only they
// may destroy evidence. Every interaction is decided as the stack needs:
// the break-glass principal deletes a log file version and schedules the
// trail key's deletion, and the root user, when the setting leaves it
// out, does neither (a bucket policy it may still delete, which no policy
// can stop: docs/operating.md).
func TestBreakGlassPrincipals(t *testing.T) {
	role := func(name string) string { return "arn:aws:iam::" + access.Account + ":role/" + name }
	cases := map[string]struct {
		breakGlass, deployers []string
		// rootRefused: the root user's rows apply, and refuse it.
		rootRefused bool
	}{
		"the root user (default)":     {nil, nil, false},
		"roles only":                  {[]string{role("break-glass"), role("incident")}, nil, true},
		"roles only, with deployers":  {[]string{role("break-glass")}, []string{role("deploy")}, true},
		"the root user and a role":    {[]string{access.Root(), role("break-glass")}, nil, false},
		"a role before the root user": {[]string{role("break-glass"), access.Root()}, nil, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := settings.Defaults()
			s.BreakGlassPrincipals, s.Deployers = c.breakGlass, c.deployers
			raw, _ := synth(t, s)
			doc, err := tfdoc.Parse("audit", []byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			m := access.New(doc)
			var rootRows []string
			for _, in := range m.Applicable() {
				if strings.HasPrefix(in.Name, "the root user, not a break-glass principal") {
					rootRows = append(rootRows, in.Name)
				}
				if d := iameval.Evaluate(in.Request(m)); d.Allowed != in.Allowed {
					t.Errorf("%s: expected allowed=%v (%s), found %v", in.Name, in.Allowed, in.Keys, d)
				}
			}
			if c.rootRefused && len(rootRows) != 2 {
				t.Errorf("expected the root user refused the log file version and the key deletion, found the rows %q", rootRows)
			}
			if !c.rootRefused && len(rootRows) != 0 {
				t.Errorf("expected no row refusing the root user, a break-glass principal, found %q", rootRows)
			}
		})
	}
}

func TestAuditors(t *testing.T) {
	s := settings.Defaults()
	s.AuditUsers = []string{"alice", "bob"}
	_, j := synth(t, s)

	expect(t, "group name", j.resource("aws_iam_group", "audit_group")["name"], "group-audit")
	expect(t, "group read-only policy", j.resource("aws_iam_group_policy_attachment", "audit_group_read_only")["policy_arn"], "arn:"+partition+":iam::aws:policy/ReadOnlyAccess")
	for _, name := range s.AuditUsers {
		u := j.resource("aws_iam_user", "audit_"+name)
		expect(t, "user name", u["name"], name)
		// Removing an auditor deletes what they enrolled with them (IAM refuses
		// to delete a user who still has a password or an MFA device).
		expect(t, "user force_destroy", u["force_destroy"], true)
	}
	membership := j.resource("aws_iam_group_membership", "audit_group_membership")
	expect(t, "membership group", membership["group"], "${aws_iam_group.audit_group.name}")
	expect(t, "membership users", strs(membership["users"]), []string{"${aws_iam_user.audit_alice.name}", "${aws_iam_user.audit_bob.name}"})
	for _, secret := range []string{"aws_iam_access_key", "aws_iam_user_login_profile", "aws_iam_service_specific_credential", "aws_iam_signing_certificate"} {
		if j.has("resource", secret) {
			t.Errorf("expected no %s (its secret would sit in Terraform state), found one", secret)
		}
	}

	role := j.resource("aws_iam_role", "audit_role")
	expect(t, "role name", role["name"], "role-audit")
	expect(t, "role session", role["max_session_duration"], 3600.0)
	expect(t, "role trust", role["assume_role_policy"], "${data.aws_iam_policy_document.audit_role_trust.json}")
	trust := j.statements("audit_role_trust")
	expect(t, "trust statements", len(trust), 1)
	expect(t, "trust principal", principals(trust[0]), map[string][]string{"AWS": {"arn:" + partition + ":iam::" + account + ":root"}})
	expect(t, "trust actions", strs(trust[0]["actions"]), []string{"sts:AssumeRole"})
	expect(t, "trust users", condition(trust[0], "ArnEquals", "aws:PrincipalArn"), []string{"arn:" + partition + ":iam::" + account + ":user/alice", "arn:" + partition + ":iam::" + account + ":user/bob"})
	expect(t, "trust MFA", condition(trust[0], "Bool", "aws:MultiFactorAuthPresent"), []string{"true"})

	assume := j.statement("audit_group_policy", "AssumeAuditRoleWithMFA")
	expect(t, "group assume actions", strs(assume["actions"]), []string{"sts:AssumeRole"})
	expect(t, "group assume resources", strs(assume["resources"]), []string{roleARN})
	expect(t, "group assume MFA", condition(assume, "Bool", "aws:MultiFactorAuthPresent"), []string{"true"})
	noMFA := j.statement("audit_group_policy", "DenyAllButCredentialsWithoutMFA")
	expect(t, "group deny without MFA effect", noMFA["effect"], "Deny")
	expect(t, "group deny without MFA condition", condition(noMFA, "BoolIfExists", "aws:MultiFactorAuthPresent"), []string{"false"})
	if slices.Contains(strs(noMFA["not_actions"]), "sts:AssumeRole") {
		t.Errorf("assuming the audit role must need MFA, but the MFA deny exempts sts:AssumeRole")
	}
	for _, sid := range []string{"SetOwnPassword", "ManageOwnMFADevice", "DeactivateOwnMFADeviceOnlyWithMFA"} {
		for _, r := range strs(j.statement("audit_group_policy", sid)["resources"]) {
			if r != "arn:"+partition+":iam::"+account+":user/&{aws:username}" {
				t.Errorf("%s must be limited to the caller's own user, found resource %q", sid, r)
			}
		}
	}
	// The IAM User Guide's example "Allows MFA-authenticated IAM users to
	// manage their own MFA device": a virtual device of any name (the
	// console's name is free-form), deactivation only with MFA present,
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html
	expect(t, "create any virtual MFA device", strs(j.statement("audit_group_policy", "CreateVirtualMFADevice")["resources"]), []string{"arn:" + partition + ":iam::" + account + ":mfa/*"})
	expect(t, "manage own MFA device", strs(j.statement("audit_group_policy", "ManageOwnMFADevice")["actions"]), []string{"iam:EnableMFADevice", "iam:GetMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"})
	expect(t, "deactivate only with MFA", condition(j.statement("audit_group_policy", "DeactivateOwnMFADeviceOnlyWithMFA"), "Bool", "aws:MultiFactorAuthPresent"), []string{"true"})
	for _, a := range []string{"iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ListUsers", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "iam:ChangePassword"} {
		if !slices.Contains(strs(noMFA["not_actions"]), a) {
			t.Errorf("expected %s allowed before MFA (the example's list and the first password change), found %v", a, noMFA["not_actions"])
		}
	}
	if slices.Contains(strs(noMFA["not_actions"]), "iam:DeactivateMFADevice") {
		t.Errorf("deactivating an MFA device must need MFA")
	}

	read := j.resource("aws_iam_role_policy", "audit_role_read")
	expect(t, "read policy role", read["role"], "${aws_iam_role.audit_role.name}")
	expect(t, "read decrypt resource", strs(j.statement("audit_role_read", "DecryptLogs")["resources"]), []string{keyARN})
	expect(t, "read objects", strs(j.statement("audit_role_read", "ReadLogObjects")["resources"]), []string{logARN + "/*", accessARN + "/*"})
}

func TestTrail(t *testing.T) {
	raw, j := synth(t, settings.Defaults())
	if !*cdktf.Testing_ToHaveResourceWithProperties(jsii.String(raw), jsii.String("aws_cloudtrail"), &map[string]any{
		"name":                          "trail-master",
		"is_multi_region_trail":         true,
		"include_global_service_events": true,
		"enable_log_file_validation":    true,
		"kms_key_id":                    keyARN,
	}) {
		t.Errorf("expected a multi-region trail-master with global events, log file validation and the trail key")
	}
	trail := j.resource("aws_cloudtrail", "trail")
	expect(t, "trail bucket", trail["s3_bucket_name"], "${aws_s3_bucket.log_bucket.id}")
	expect(t, "trail logging", trail["enable_logging"], true)
	expect(t, "trail organization", trail["is_organization_trail"], false)
	expect(t, "trail key prefix", trail["s3_key_prefix"], nil)
	expect(t, "trail event selectors", trail["event_selector"], []any{map[string]any{"read_write_type": "All", "include_management_events": true}})
	if trail["advanced_event_selector"] != nil {
		t.Errorf("expected no data events by default, found advanced selectors %v", trail["advanced_event_selector"])
	}
	deps := strs(trail["depends_on"])
	for _, want := range []string{"aws_s3_bucket_policy.log_bucket_policy", "aws_kms_key.trail_key"} {
		if !slices.Contains(deps, want) {
			t.Errorf("the trail must be ordered after %s, depends_on is %v", want, deps)
		}
	}
}

func TestSettingsReachTheStack(t *testing.T) {
	s := settings.Defaults()
	s.Prefix, s.AccountName, s.Region, s.LogPrefix = "acme", "prod", "eu-west-2", "org/logs"
	s.Tags = map[string]string{"Owner": "security"}
	_, j := synth(t, s)

	expect(t, "log bucket name", j.resource("aws_s3_bucket", "log_bucket")["bucket"], "acme-s3-trail-prod")
	expect(t, "access-log bucket name", j.resource("aws_s3_bucket", "access_log_bucket")["bucket"], "acme-s3-accesslog-prod")
	expect(t, "trail name", j.resource("aws_cloudtrail", "trail")["name"], "trail-prod")
	expect(t, "trail key prefix", j.resource("aws_cloudtrail", "trail")["s3_key_prefix"], "org/logs")
	expect(t, "key alias", j.resource("aws_kms_alias", "trail_key_alias")["name"], "alias/kms-trail-prod")
	prodTrail := "arn:" + partition + ":cloudtrail:eu-west-2:" + account + ":trail/trail-prod"
	prodBucket := "arn:" + partition + ":s3:::acme-s3-trail-prod"
	write := j.statement("log_bucket_policy", "CloudTrailWrite")
	expect(t, "write resource under the prefix", strs(write["resources"]), []string{prodBucket + "/org/logs/AWSLogs/" + account + "/*"})
	expect(t, "write aws:SourceArn in the home region", condition(write, "StringEquals", "aws:SourceArn"), []string{prodTrail})
	expect(t, "key aws:SourceArn", condition(j.statement("trail_key_policy", "CloudTrailEncryptsLogs"), "StringEquals", "aws:SourceArn"), []string{prodTrail})

	aws := first(dig(j.doc, "provider", "aws"))
	expect(t, "provider region", aws["region"], "eu-west-2")
	expect(t, "provider default tags", first(aws["default_tags"])["tags"], map[string]any{"Owner": "security"})
}

func TestBackendAndOutputs(t *testing.T) {
	_, j := synth(t, settings.Defaults())
	statePath, _ := dig(j.doc, "terraform", "backend", "local", "path").(string)
	if statePath == "" || filepath.IsAbs(statePath) {
		t.Fatalf("expected a relative local state path, found %q", statePath)
	}
	stackDir := filepath.Join("project", "cdktf.out", "stacks", stacks.AuditName)
	state := filepath.Join(stackDir, statePath)
	if strings.HasPrefix(state, filepath.Join("project", "cdktf.out")+string(filepath.Separator)) || filepath.Dir(state) != "project" {
		t.Errorf("state path %q resolves to %q: expected the project root, outside cdktf.out", statePath, state)
	}

	outputs, _ := j.doc["output"].(map[string]any)
	want := map[string]string{
		"trail_arn":              "${aws_cloudtrail.trail.arn}",
		"trail_name":             "${aws_cloudtrail.trail.name}",
		"log_bucket_name":        "${aws_s3_bucket.log_bucket.bucket}",
		"log_bucket_arn":         "${aws_s3_bucket.log_bucket.arn}",
		"access_log_bucket_name": "${aws_s3_bucket.access_log_bucket.bucket}",
		"kms_key_arn":            "${aws_kms_key.trail_key.arn}",
		"kms_key_alias":          "${aws_kms_alias.trail_key_alias.name}",
		"audit_group_name":       "${aws_iam_group.audit_group.name}",
		"audit_role_arn":         "${aws_iam_role.audit_role.arn}",
		"log_group_name":         "${aws_cloudwatch_log_group.monitoring_log_group.name}",
		"alarm_topic_arn":        "${aws_sns_topic.monitoring_topic.arn}",
		"log_group_read_scp":     "${data.aws_iam_policy_document.log_group_read_scp.json}",
		"account_id":             "${data.aws_caller_identity.current_account.account_id}",
	}
	for name, value := range want {
		o, ok := outputs[name].(map[string]any)
		if !ok {
			t.Errorf("expected output %s, found none", name)
			continue
		}
		expect(t, name+" value", o["value"], value)
		if d, _ := o["description"].(string); d == "" {
			t.Errorf("output %s has no description", name)
		}
	}
	users, _ := outputs["audit_user_names"].(map[string]any)
	expect(t, "audit_user_names value", users["value"], []any{"${aws_iam_user.audit_user-audit.name}"})
	expect(t, "output count", len(outputs), len(want)+1)
}

func TestInvalidSettingsBuildNothing(t *testing.T) {
	app := cdktf.Testing_App(nil)
	s := settings.Defaults()
	s.Region = "mars-1"
	if err := stacks.All(app, s); err == nil || !strings.Contains(err.Error(), `region: "mars-1"`) {
		t.Fatalf("expected an error naming region and its value, found %v", err)
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("expected nothing added to the app for invalid settings, found %d constructs", n)
	}
}

func TestTrailGrantsItselfTheBucket(t *testing.T) {
	app := cdktf.Testing_App(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("test"))
	partition, account := "aws", "123456789012"
	env := arn.Env{Partition: partition, Account: account, Region: "us-east-1"}
	bucket, err := logbucket.New(stack, "bucket", logbucket.Config{Name: "bucket-of-a-trail", ARN: env.Bucket("bucket-of-a-trail"), Operators: policy.Operators{Deployers: []string{env.Role("deploy")}, BreakGlass: []string{env.Root()}}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := trailkey.New(stack, "key", trailkey.Config{Alias: "alias/k", Env: env, TrailName: "trail-master", DecryptorARN: "arn:aws:iam::123456789012:role/r", Operators: policy.Operators{Deployers: []string{"arn:aws:iam::123456789012:role/deploy"}, BreakGlass: []string{"arn:aws:iam::123456789012:root"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trail.New(stack, "trail", trail.Config{Name: "trail-master", Env: env, Bucket: bucket, Key: key, KeyPrefix: "org"}); err != nil {
		t.Fatal(err)
	}
	d, err := tfdoc.Parse("test", []byte(*cdktf.Testing_Synth(stack, jsii.Bool(false))))
	if err != nil {
		t.Fatal(err)
	}
	policies := d.Resources("aws_s3_bucket_policy")
	if len(policies) != 1 {
		t.Fatalf("expected one bucket policy, found %d", len(policies))
	}
	statements, _ := d.Policy(policies[0].Attrs["policy"])
	var sids []string
	for _, st := range statements {
		sids = append(sids, st.Sid)
		if st.Sid == "CloudTrailWrite" {
			if want := []string{"arn:aws:s3:::bucket-of-a-trail/org/AWSLogs/123456789012/*"}; !slices.Equal(st.Resources, want) {
				t.Errorf("expected the write grant on %v, found %v", want, st.Resources)
			}
			if want := []string{"arn:aws:cloudtrail:us-east-1:123456789012:trail/trail-master"}; !slices.Equal(st.Condition("StringEquals", "aws:SourceArn"), want) {
				t.Errorf("expected the write grant for this trail only, found %+v", st.Conditions)
			}
		}
	}
	if want := []string{"DenyInsecureTransport", "DenyEvidenceDestructionButBreakGlass", "DenyProtectionChangesButOperators", "CloudTrailAclCheck", "CloudTrailWrite"}; !slices.Equal(sids, want) {
		t.Errorf("expected the bucket policy %v, found %v", want, sids)
	}

	// A second trail on the same bucket would need statements of its own;
	// the same Sids twice are refused, naming the bucket.
	_, err = trail.New(stack, "trail_2", trail.Config{Name: "trail-other", Env: env, Bucket: bucket, Key: key})
	if err == nil || !strings.Contains(err.Error(), `Statements[5].Sid: "CloudTrailAclCheck" is used twice`) || !strings.Contains(err.Error(), "bucket-of-a-trail") {
		t.Errorf("expected a second grant with the same Sid refused, found %v", err)
	}
}

// TestTrailDeliversToAnotherAccount: a trail whose bucket and key are
// other accounts' (Delivery) names them by name and key ARN, adds no
// bucket policy to its own stack and waits for nothing there; the bucket's
// stack adds what BucketGrants says for the management account's trail.
func TestTrailDeliversToAnotherAccount(t *testing.T) {
	app := cdktf.Testing_App(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("management"))
	management := arn.Env{Partition: "aws", Account: "111122223333", Region: "us-east-1"}
	keyARN := "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	if _, err := trail.New(stack, "trail", trail.Config{Name: "trail-master", Env: management, Delivery: &trail.Delivery{BucketName: "logs-of-the-organization", KeyARN: keyARN}, OrganizationID: "o-exampleorgid"}); err != nil {
		t.Fatal(err)
	}
	d, err := tfdoc.Parse("management", []byte(*cdktf.Testing_Synth(stack, jsii.Bool(false))))
	if err != nil {
		t.Fatal(err)
	}
	got := d.Resources("aws_cloudtrail")[0].Attrs
	if got["s3_bucket_name"] != "logs-of-the-organization" || got["kms_key_id"] != keyARN || got["depends_on"] != nil {
		t.Errorf("expected the trail to name the other accounts' bucket and key and wait for nothing, found bucket %v, key %v, depends_on %v", got["s3_bucket_name"], got["kms_key_id"], got["depends_on"])
	}
	if n := len(d.Resources("aws_s3_bucket_policy")); n != 0 {
		t.Errorf("expected no bucket policy in the trail's stack, found %d", n)
	}
	// The log-archive account's grants name the management account's
	// trail and both of its paths.
	grants := trail.BucketGrants(management, "trail-master", "", "arn:aws:s3:::logs-of-the-organization", "o-exampleorgid")
	var paths []string
	for _, g := range grants {
		if g.Sid != "CloudTrailAclCheck" {
			paths = append(paths, g.Resources...)
		}
		if !slices.ContainsFunc(g.Conditions, func(c policy.Condition) bool {
			return c.Variable == policy.SourceArn && slices.Equal(c.Values, []string{management.Trail("trail-master")})
		}) {
			t.Errorf("%s: expected it for the management account's trail only, found %+v", g.Sid, g.Conditions)
		}
	}
	if want := []string{"arn:aws:s3:::logs-of-the-organization/AWSLogs/111122223333/*", "arn:aws:s3:::logs-of-the-organization/AWSLogs/o-exampleorgid/*"}; !slices.Equal(paths, want) {
		t.Errorf("expected the writes on %v, found %v", want, paths)
	}
}

// TestTrailInsights checks the insights setting: off by default (billed
// per event analyzed), both Insights types when on, on a trail that logs
// the read and write management events they analyze, with Insights
// events delivered under the prefix CloudTrail's bucket grant covers.
func TestTrailInsights(t *testing.T) {
	_, j := synth(t, settings.Defaults())
	if got := j.resource("aws_cloudtrail", "trail")["insight_selector"]; got != nil {
		t.Errorf("expected no Insights by default, found %v", got)
	}
	s := settings.Defaults()
	s.Insights = true
	_, j = synth(t, s)
	trail := j.resource("aws_cloudtrail", "trail")
	expect(t, "insight selectors", trail["insight_selector"], []any{
		map[string]any{"insight_type": "ApiCallRateInsight"},
		map[string]any{"insight_type": "ApiErrorRateInsight"},
	})
	expect(t, "management events Insights analyze", trail["event_selector"], []any{map[string]any{"read_write_type": "All", "include_management_events": true}})
	// Insights events go to AWSLogs/<account>/CloudTrail-Insight/.
	write := j.statement("log_bucket_policy", "CloudTrailWrite")
	if r := strs(write["resources"]); len(r) != 1 || !strings.HasSuffix(r[0], "/AWSLogs/${data.aws_caller_identity.current_account.account_id}/*") {
		t.Errorf("expected CloudTrail's write grant to cover AWSLogs/<account>/*, where Insights events go too, found %v", r)
	}
}

// TestTrailDataEvents checks the dataEvents setting: off by default (the
// basic selector of all management events); with WRITE or READ_WRITE,
// advanced selectors (a trail has one kind or the other) that keep every
// management event and add S3 object events on every bucket but the
// trail's own log and access-log buckets, whose deliveries would
// otherwise record events without end.
func TestTrailDataEvents(t *testing.T) {
	_, j := synth(t, settings.Defaults())
	if got := j.resource("aws_cloudtrail", "trail")["advanced_event_selector"]; got != nil {
		t.Errorf("expected no data events by default, found %v", got)
	}
	for _, kind := range []string{"WRITE", "READ_WRITE"} {
		s := settings.Defaults()
		s.DataEvents = kind
		_, j := synth(t, s)
		trail := j.resource("aws_cloudtrail", "trail")
		expect(t, kind+" basic selectors", trail["event_selector"], nil)
		selectors, _ := trail["advanced_event_selector"].([]any)
		if len(selectors) != 2 {
			t.Fatalf("%s: expected two advanced selectors, management and data, found %v", kind, trail["advanced_event_selector"])
		}
		expect(t, kind+" management selector", first(selectors[0])["field_selector"], []any{map[string]any{"field": "eventCategory", "equals": []any{"Management"}}})
		own := []any{}
		for _, b := range []string{"log_bucket", "access_log_bucket"} {
			own = append(own, "arn:${data.aws_partition.current_partition.partition}:s3:::"+j.resource("aws_s3_bucket", b)["bucket"].(string)+"/")
		}
		want := []any{
			map[string]any{"field": "eventCategory", "equals": []any{"Data"}},
			map[string]any{"field": "resources.type", "equals": []any{"AWS::S3::Object"}},
			map[string]any{"field": "resources.ARN", "not_starts_with": own},
		}
		if kind == "WRITE" {
			want = append(want, map[string]any{"field": "readOnly", "equals": []any{"false"}})
		}
		expect(t, kind+" data selector", first(selectors[1])["field_selector"], want)
	}
}

package monitoring

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cle2wa/audit-trail/internal/events"
	"github.com/cle2wa/audit-trail/internal/filterpattern"
)

const (
	trailKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	otherKey = "arn:aws:kms:us-east-1:123456789012:key/0987dcba-09fe-87dc-65ba-ab0987654321"
)

func protected() Protected {
	return Protected{
		Keys:    []string{trailKey},
		Aliases: []string{"alias/kms-trail-master"},
		Roles:   []string{"role-audit", "role-trail-logs"},
		Users:   []string{"user-audit", "bob.smith"},
		Group:   "group-audit",
		Buckets: []string{"cle2wa-s3-trail-master", "cle2wa-s3-accesslog-master"},
	}
}

// matches reports whether any pattern of w matches the sample, under
// every reading of what the guide leaves open; a pattern whose outcome
// depends on the reading fails the test.
func matches(t *testing.T, w Watch, s events.Sample) bool {
	t.Helper()
	found := false
	for _, text := range w.Patterns {
		p, err := filterpattern.Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
		var got []bool
		for _, o := range filterpattern.Readings {
			m, err := p.Match(s.JSON(), o)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, m)
		}
		if slices.Contains(got, true) && slices.Contains(got, false) {
			t.Errorf("%s: whether %s matches %s depends on how != treats a missing property", w.Name, text, s.JSON())
		}
		found = found || got[0]
	}
	return found
}

func watch(t *testing.T, name string) Watch {
	t.Helper()
	ws, err := Watches(protected())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no watch %s", name)
	return Watch{}
}

// Actors of the IAM samples: an administrator's role session, the root
// user, and IAM users, with the identities the CloudTrail guide documents.
func actors() map[string]events.Sample {
	role := events.Load("identity-AssumedRole")
	root := events.Load("iam-EnableMFADevice-root")
	iamUser := func(name string) events.Sample {
		return events.Load("iam-AddUserToGroup").With(map[string]any{"userIdentity.userName": name, "userIdentity.arn": "arn:aws:iam::123456789012:user/" + name})
	}
	return map[string]events.Sample{"a role session": role, "the root user": root, "the IAM user Alice": iamUser("Alice"), "the IAM user user-audit": iamUser("user-audit")}
}

// iamCall is the documented IAM sample (AddUserToGroup) as the call name
// with the request's parameters, made by actor.
func iamCall(name string, params map[string]any, actor events.Sample) events.Sample {
	return events.Load("iam-AddUserToGroup").With(map[string]any{"eventName": name, "requestParameters": params}).Identity(actor)
}

func TestKeyWatch(t *testing.T) {
	w := watch(t, "key-policy-changes")
	for _, name := range []string{"kms-PutKeyPolicy", "kms-CreateGrant", "kms-RetireGrant", "kms-RevokeGrant"} {
		s := events.Load(name)
		if _, ok := s.Get("resources.0.ARN"); !ok {
			t.Fatalf("%s (%s): expected the key in resources[0].ARN", name, s.Source)
		}
		if !matches(t, w, s.With(map[string]any{"resources.0.ARN": trailKey})) {
			t.Errorf("%s (%s) on the trail key: expected a match", name, s.Source)
		}
		if matches(t, w, s.With(map[string]any{"resources.0.ARN": otherKey})) {
			t.Errorf("%s on another key: expected no match", name)
		}
	}
	if matches(t, w, events.Load("kms-PutKeyPolicy").With(map[string]any{"resources.0.ARN": trailKey, "eventName": "DescribeKey"})) {
		t.Error("DescribeKey on the trail key: expected no match")
	}
}

// TestAliasWatch: pointing, deleting or creating the stack's alias (the
// way to swap the key behind it) matches, by the alias name AWS's samples
// carry in requestParameters; another alias and a read do not.
func TestAliasWatch(t *testing.T) {
	w := watch(t, "key-policy-changes")
	for _, name := range []string{"kms-CreateAlias", "kms-UpdateAlias", "kms-DeleteAlias"} {
		s := events.Load(name)
		if _, ok := s.Get("requestParameters.aliasName"); !ok {
			t.Fatalf("%s (%s): expected the alias in requestParameters.aliasName", name, s.Source)
		}
		if !matches(t, w, s.With(map[string]any{"requestParameters.aliasName": "alias/kms-trail-master"})) {
			t.Errorf("%s (%s) of the trail key's alias: expected a match", name, s.Source)
		}
		if matches(t, w, s) {
			t.Errorf("%s of another alias: expected no match", name)
		}
	}
	if matches(t, w, events.Load("kms-UpdateAlias").With(map[string]any{"requestParameters.aliasName": "alias/kms-trail-master", "eventName": "ListAliases"})) {
		t.Error("ListAliases: expected no match")
	}
}

func TestRoleWatch(t *testing.T) {
	w := watch(t, "role-changes")
	admin := actors()["a role session"]
	for _, e := range RoleEvents {
		if !matches(t, w, iamCall(e, map[string]any{"roleName": "role-audit", "policyName": "x"}, admin)) {
			t.Errorf("%s on role-audit: expected a match", e)
		}
		if !matches(t, w, iamCall(e, map[string]any{"roleName": "role-trail-logs"}, admin)) {
			t.Errorf("%s on role-trail-logs: expected a match", e)
		}
		if matches(t, w, iamCall(e, map[string]any{"roleName": "role-other"}, admin)) {
			t.Errorf("%s on another role: expected no match", e)
		}
	}
	if matches(t, w, iamCall("GetRole", map[string]any{"roleName": "role-audit"}, admin)) {
		t.Error("GetRole on role-audit: expected no match")
	}
}

func TestUserWatch(t *testing.T) {
	w := watch(t, "audit-user-credentials")
	for _, e := range UserEvents {
		for who, actor := range actors() {
			call := iamCall(e, map[string]any{"userName": "user-audit"}, actor)
			want := who != "the IAM user user-audit"
			if got := matches(t, w, call); got != want {
				t.Errorf("%s on user-audit by %s: expected match=%v, found %v", e, who, want, got)
			}
			if matches(t, w, iamCall(e, map[string]any{"userName": "carol"}, actor)) {
				t.Errorf("%s on carol (not an auditor) by %s: expected no match", e, who)
			}
		}
		// A user acting on itself may leave UserName out.
		if matches(t, w, iamCall(e, nil, actors()["the IAM user user-audit"])) {
			t.Errorf("%s without a user name: expected no match", e)
		}
	}
	// AWS's own sample: the root user enables an MFA device (here on an
	// auditor).
	root := events.Load("iam-EnableMFADevice-root")
	if !matches(t, w, root.With(map[string]any{"requestParameters.userName": "bob.smith"})) {
		t.Errorf("the documented EnableMFADevice by the root user (%s) on bob.smith: expected a match", root.Source)
	}
	if matches(t, w, root) {
		t.Error("the documented EnableMFADevice on the root user itself: expected no match")
	}
}

func TestGroupWatch(t *testing.T) {
	w := watch(t, "audit-group-changes")
	sample := events.Load("iam-AddUserToGroup")
	if matches(t, w, sample) {
		t.Errorf("the documented AddUserToGroup (%s) on the group admin: expected no match", sample.Source)
	}
	for _, e := range GroupEvents {
		if !matches(t, w, sample.With(map[string]any{"eventName": e, "requestParameters.groupName": "group-audit"})) {
			t.Errorf("%s on group-audit: expected a match", e)
		}
	}
}

func TestBucketWatch(t *testing.T) {
	w := watch(t, "evidence-bucket-changes")
	sample := events.Load("s3-GetBucketVersioning")
	if matches(t, w, sample.With(map[string]any{"requestParameters.bucketName": "cle2wa-s3-trail-master"})) {
		t.Errorf("the documented GetBucketVersioning (%s) on the log bucket: expected no match", sample.Source)
	}
	for _, e := range BucketEvents {
		for _, b := range protected().Buckets {
			if !matches(t, w, sample.With(map[string]any{"eventName": e, "requestParameters.bucketName": b})) {
				t.Errorf("%s on %s: expected a match", e, b)
			}
		}
		if matches(t, w, sample.With(map[string]any{"eventName": e, "requestParameters.bucketName": "someone-elses-bucket"})) {
			t.Errorf("%s on another bucket: expected no match", e)
		}
	}
}

// TestWatchesSplit: many long names make several patterns, each within
// CloudWatch Logs' limit even with the longest key ARNs, and each name in
// exactly one of them.
func TestWatchesSplit(t *testing.T) {
	p := protected()
	p.Users = nil
	for i := range 40 {
		p.Users = append(p.Users, fmt.Sprintf("%s%02d", strings.Repeat("u", 62), i))
	}
	p.Keys = []string{"${aws_kms_key.trail_key.arn}", "${aws_kms_key.monitoring_logs_key.arn}", "${aws_kms_key.monitoring_topic_key.arn}"}
	ws, err := Watches(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		for _, text := range w.Patterns {
			if _, err := filterpattern.Parse(text); err != nil {
				t.Errorf("%s: %v", w.Name, err)
			}
		}
		if w.Name == "key-policy-changes" && len(strings.Join(w.Patterns, "")) > filterpattern.MaxLength-3*(maxKeyARN-len(p.Keys[0])) {
			t.Errorf("%s: expected room for key ARNs of %d characters, found %d characters", w.Name, maxKeyARN, len(w.Patterns[0]))
		}
	}
	users := ws[2]
	if len(users.Patterns) < 2 {
		t.Fatalf("expected 40 long names to need several patterns, found %d", len(users.Patterns))
	}
	for _, u := range p.Users {
		n := 0
		for _, text := range users.Patterns {
			n += strings.Count(text, `= "`+u+`")`) / 2
		}
		if n != 1 {
			t.Errorf("expected %s in exactly one pattern, found it in %d", u, n)
		}
	}
	if total := len(Families) + len(users.Patterns) + len(ws) - 1; total > 100 {
		t.Errorf("expected at most the 100 metric filters a log group may have, found %d", total)
	}
}

func TestWatchNeedsNames(t *testing.T) {
	p := protected()
	p.Roles, p.Buckets = nil, nil
	_, err := Watches(p)
	if err == nil || !strings.Contains(err.Error(), "role-changes") || !strings.Contains(err.Error(), "evidence-bucket-changes") {
		t.Errorf("expected errors naming role-changes and evidence-bucket-changes, found %v", err)
	}
}

// TestFamiliesParse: the CIS patterns are valid filter patterns.
func TestFamiliesParse(t *testing.T) {
	for _, f := range Families {
		if _, err := filterpattern.Parse(f.Pattern); err != nil {
			t.Errorf("CIS %s: %v", f.Control, err)
		}
	}
}

// TestWatchesCoverTheTakeoverPaths: the calls that would take over an
// auditor, widen a key or role, or let evidence go, written out here as
// the specification (not read from the code's lists), each made by a role
// session on the stack's resource, must match.
func TestWatchesCoverTheTakeoverPaths(t *testing.T) {
	admin := actors()["a role session"]
	spec := map[string][]events.Sample{}
	for _, e := range []string{"PutKeyPolicy", "CreateGrant", "RetireGrant", "RevokeGrant"} {
		spec["key-policy-changes"] = append(spec["key-policy-changes"], events.Load("kms-PutKeyPolicy").Identity(admin).With(map[string]any{"eventName": e, "resources.0.ARN": trailKey}))
	}
	for _, e := range []string{"UpdateAlias", "DeleteAlias", "CreateAlias"} {
		spec["key-policy-changes"] = append(spec["key-policy-changes"], events.Load("kms-UpdateAlias").Identity(admin).With(map[string]any{"eventName": e, "requestParameters.aliasName": "alias/kms-trail-master"}))
	}
	for _, e := range []string{"UpdateAssumeRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy"} {
		spec["role-changes"] = append(spec["role-changes"], iamCall(e, map[string]any{"roleName": "role-audit"}, admin))
	}
	for _, e := range []string{"CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile", "CreateAccessKey", "EnableMFADevice", "DeactivateMFADevice", "ResyncMFADevice", "UpdateUser"} {
		spec["audit-user-credentials"] = append(spec["audit-user-credentials"], iamCall(e, map[string]any{"userName": "bob.smith"}, admin))
	}
	for _, e := range []string{"AddUserToGroup", "RemoveUserFromGroup"} {
		spec["audit-group-changes"] = append(spec["audit-group-changes"], iamCall(e, map[string]any{"groupName": "group-audit", "userName": "mallory"}, admin))
	}
	for _, e := range []string{"PutBucketLifecycle", "DeleteBucketLifecycle", "PutBucketVersioning", "PutObjectLockConfiguration", "PutBucketReplication", "DeleteBucketReplication", "PutBucketLogging"} {
		spec["evidence-bucket-changes"] = append(spec["evidence-bucket-changes"], events.Load("s3-GetBucketVersioning").Identity(admin).With(map[string]any{"eventName": e, "requestParameters.bucketName": "cle2wa-s3-trail-master"}))
	}
	for name, want := range spec {
		w := watch(t, name)
		for _, e := range want {
			if got, _ := e.Get("eventName"); !matches(t, w, e) {
				t.Errorf("%s: expected %v to match", name, got)
			}
		}
	}
}

// TestRootSessionWatch: AWS's own AssumeRoot event (a management
// account's role starting a root session in a member account with the
// S3UnlockBucketPolicy task policy) matches; another STS call does not.
func TestRootSessionWatch(t *testing.T) {
	w := watch(t, "root-sessions")
	s := events.Load("sts-AssumeRoot")
	if s.Source != rootSessions {
		t.Errorf("expected the sample from %s, found %s", rootSessions, s.Source)
	}
	if !matches(t, w, s) {
		t.Errorf("%s (%s): expected a match", s.Name, s.Source)
	}
	if matches(t, w, s.With(map[string]any{"eventName": "AssumeRole"})) {
		t.Error("AssumeRole: expected no match")
	}
}

// TestFiltersFitTheLogGroup: the watches of the default names fit the
// log group's quota of metric filters with the CIS families; a thousand
// auditors (one clause each) would not, and are refused.
func TestFiltersFitTheLogGroup(t *testing.T) {
	ws, err := Watches(protected())
	if err != nil {
		t.Fatal(err)
	}
	if err := fitFilters(ws); err != nil {
		t.Errorf("expected the default watches to fit, found %v", err)
	}
	p := protected()
	for i := 0; i < 1000; i++ {
		p.Users = append(p.Users, fmt.Sprintf("auditor-%04d", i))
	}
	if ws, err = Watches(p); err != nil {
		t.Fatal(err)
	}
	if err := fitFilters(ws); err == nil || !strings.Contains(err.Error(), "are more than the 100 CloudWatch Logs allows on one log group") {
		t.Errorf("expected a thousand auditors' filters refused, found %v", err)
	}
}

// TestAuditorsOnAPath: with the auditors on a path of the security
// account, the credential watch matches a credential change of any user
// of that account by anyone but a user on the path (an auditor's own
// device or password), and nothing in another account; its patterns do
// not grow with the auditors.
func TestAuditorsOnAPath(t *testing.T) {
	p := protected()
	p.Users, p.AuditorsOn = nil, &AuditorPath{Account: "444455556666", ARN: "arn:aws:iam::444455556666:user/auditors/"}
	ws, err := Watches(p)
	if err != nil {
		t.Fatal(err)
	}
	var w Watch
	for _, x := range ws {
		if x.Name == "audit-user-credentials" {
			w = x
		}
	}
	if len(w.Patterns) != 1 {
		t.Fatalf("expected one pattern, found %v", w.Patterns)
	}
	auditor := events.Load("iam-AddUserToGroup").With(map[string]any{"userIdentity.userName": "alice", "userIdentity.arn": "arn:aws:iam::444455556666:user/auditors/alice"})
	in := func(account string, actor events.Sample) events.Sample {
		return iamCall("CreateLoginProfile", map[string]any{"userName": "alice"}, actor).With(map[string]any{"recipientAccountId": account})
	}
	for name, c := range map[string]struct {
		event events.Sample
		want  bool
	}{
		"a role session in the security account":     {in("444455556666", actors()["a role session"]), true},
		"the root user of the security account":      {in("444455556666", actors()["the root user"]), true},
		"an IAM user elsewhere in the account":       {in("444455556666", actors()["the IAM user Alice"]), true},
		"an auditor, on the path, on their own user": {in("444455556666", auditor), false},
		"a role session in another account":          {in("111122223333", actors()["a role session"]), false},
	} {
		if got := matches(t, w, c.event); got != c.want {
			t.Errorf("%s: expected match=%v, found %v", name, c.want, got)
		}
	}
}

// TestIdentityCenterWatch: with auditors of IAM Identity Center, every
// change of a permission set or an assignment alarms (AWS's sample
// Identity Center event, with each watched name and the API's request
// parameters), a read does not (the sample as AWS gives it), and a
// member added to an auditors' group alarms, through the Identity Store
// API, the console or SCIM, while another group's does not; so does a
// change of the identity source or the MFA settings, and a person's
// password, MFA device or e-mail reset; without
// Identity Center there is no such watch, and with a hundred groups the
// watches still fit the log group.
func TestIdentityCenterWatch(t *testing.T) {
	for _, w := range mustWatches(t, protected()) {
		if w.Name == "identity-center-changes" {
			t.Fatal("expected no Identity Center watch without Identity Center")
		}
	}
	const group = "a1b2c3d4-5678-90ab-cdef-111122223333"
	p := protected()
	p.IdentityCenter = &IdentityCenterAuditors{Groups: []string{group}}
	var w Watch
	for _, x := range mustWatches(t, p) {
		if x.Name == "identity-center-changes" {
			w = x
		}
	}
	sample := events.Load("sso-DescribePermissionsPolicies")
	if !strings.HasPrefix(sample.Source, "https://docs.aws.amazon.com/singlesignon/") {
		t.Errorf("expected Identity Center's own sample, found %s", sample.Source)
	}
	if matches(t, w, sample) {
		t.Error("DescribePermissionsPolicies (a read): expected no match")
	}
	for _, name := range IdentityCenterEvents {
		s := sample.With(map[string]any{"eventName": name, "readOnly": false, "requestParameters": map[string]any{
			"instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef", "permissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef",
			"principalId": group, "principalType": "GROUP", "targetId": "444455556666", "targetType": "AWS_ACCOUNT"}})
		if !matches(t, w, s) {
			t.Errorf("%s: expected a match", name)
		}
	}
	for source, names := range GroupMembershipEvents {
		for _, name := range names {
			for id, want := range map[string]bool{group: true, "ffffffff-5678-90ab-cdef-111122223333": false} {
				s := sample.With(map[string]any{"eventSource": source, "eventName": name, "requestParameters": map[string]any{
					"identityStoreId": "d-1234567890", "groupId": id, "memberId": map[string]any{"userId": "b1b2c3d4-5678-90ab-cdef-111122223333"}}})
				if got := matches(t, w, s); got != want {
					t.Errorf("%s %s of group %s: expected match=%v, found %v", source, name, id, want, got)
				}
			}
		}
	}
	for id, want := range map[string]bool{group: true, "ffffffff-5678-90ab-cdef-111122223333": false} {
		// The shape of AWS's SCIM sample, with the group's ID.
		s := sample.With(map[string]any{"eventSource": "identitystore-scim.amazonaws.com", "eventName": "PatchGroup", "requestParameters": map[string]any{
			"httpBody": map[string]any{"operations": []any{map[string]any{"op": "ADD", "value": "HIDDEN_DUE_TO_SECURITY_REASONS"}}}, "tenantId": "xxxx", "id": id}})
		if got := matches(t, w, s); got != want {
			t.Errorf("SCIM PatchGroup of group %s: expected match=%v, found %v", id, want, got)
		}
	}
	for _, source := range []string{"sso.amazonaws.com", "sso-directory.amazonaws.com"} {
		for _, name := range IdentitySourceEvents {
			if !matches(t, w, sample.With(map[string]any{"eventSource": source, "eventName": name, "readOnly": false})) {
				t.Errorf("%s %s: expected a match", source, name)
			}
		}
	}
	for source, names := range DirectoryEvents {
		for _, name := range names {
			if !matches(t, w, sample.With(map[string]any{"eventSource": source, "eventName": name, "readOnly": false, "requestParameters": map[string]any{"userId": "b1b2c3d4-5678-90ab-cdef-111122223333"}})) {
				t.Errorf("%s %s: expected a match", source, name)
			}
		}
	}
	if matches(t, w, sample.With(map[string]any{"eventSource": "identitystore.amazonaws.com", "eventName": "DescribeUser"})) {
		t.Error("identitystore DescribeUser (a read): expected no match")
	}
	for i := 0; i < 99; i++ {
		p.IdentityCenter.Groups = append(p.IdentityCenter.Groups, fmt.Sprintf("a1b2c3d4-5678-90ab-cdef-%012d", i))
	}
	if err := fitFilters(mustWatches(t, p)); err != nil {
		t.Errorf("expected the watches of a hundred groups to fit, found %v", err)
	}
}

func mustWatches(t *testing.T, p Protected) []Watch {
	t.Helper()
	ws, err := Watches(p)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// TestReservedRolesWatch: with auditors of Identity Center, making or
// changing a role named as the permission set's roles (which the audit
// role trusts, and which no SCP guards in the management account) alarms
// through the role watch, another role's does not; making, changing or
// deleting a SAML provider, which those roles trust, alarms through the
// Identity Center watch.
func TestReservedRolesWatch(t *testing.T) {
	p := protected()
	p.ReservedRoles = []string{"AWSReservedSSO_AuditReader_*"}
	p.IdentityCenter = &IdentityCenterAuditors{}
	ws := mustWatches(t, p)
	byName := map[string]Watch{}
	for _, w := range ws {
		byName[w.Name] = w
	}
	iam := events.Load("iam-AddUserToGroup")
	for _, event := range []string{"CreateRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "AttachRolePolicy"} {
		for role, want := range map[string]bool{"AWSReservedSSO_AuditReader_0123456789abcdef": true, "AWSReservedSSO_Admin_0123456789abcdef": false} {
			s := iam.With(map[string]any{"eventName": event, "requestParameters": map[string]any{"roleName": role, "path": "/aws-reserved/sso.amazonaws.com/"}})
			if got := matches(t, byName["role-changes"], s); got != want {
				t.Errorf("%s of %s: expected match=%v, found %v", event, role, want, got)
			}
		}
	}
	for _, event := range SAMLProviderEvents {
		s := iam.With(map[string]any{"eventName": event, "requestParameters": map[string]any{"sAMLProviderArn": "arn:aws:iam::123456789012:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"}})
		if !matches(t, byName["identity-center-changes"], s) {
			t.Errorf("%s: expected a match", event)
		}
	}
	if matches(t, byName["identity-center-changes"], iam.With(map[string]any{"eventName": "GetSAMLProvider"})) {
		t.Error("GetSAMLProvider (a read): expected no match")
	}
}

// Package settings reads and validates the application's settings: the
// "context" object of cdktf.json, as the cdktf CLI passes it in
// CDKTF_CONTEXT_JSON, or as read from cdktf.json when the app runs alone.
//
// Every key is known: an unknown key, a value of the wrong JSON type or a
// value out of range is an error that names the key and the value, and all
// errors are reported together.
package settings

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cle2wa/audit-trail/constructs/auditors"
	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/constructs/monitoring"
	"github.com/cle2wa/audit-trail/constructs/retention"
	"github.com/cle2wa/audit-trail/constructs/trail"
	"github.com/cle2wa/audit-trail/internal/input"
)

// Settings are the validated settings of one audit stack.
type Settings struct {
	// Prefix is the global prefix that makes bucket names unique.
	Prefix string
	// AccountName names the account in resource names.
	AccountName string
	// Region is the home region of the trail, the key and the buckets.
	Region string
	// AuditUsers are the IAM users of the audit group, in order.
	AuditUsers []string
	// Tags are applied to every taggable resource (provider default tags).
	Tags map[string]string
	// LogPrefix is the S3 key prefix of the CloudTrail log files.
	LogPrefix string
	// Retention is the lifecycle of both log buckets.
	Retention logbucket.Retention
	// State says where the stacks keep their Terraform state.
	State State
	// Monitoring turns on the CloudWatch Logs copy of the events, the CIS
	// section 4 metric filters and alarms, and their SNS topic.
	Monitoring bool
	// LogGroupRetentionDays is the retention of the CloudWatch Logs copy.
	LogGroupRetentionDays int
	// AlarmEmails are subscribed to the alarm topic.
	AlarmEmails []string
	// BreakGlassPrincipals may still do what destroys evidence
	// (logbucket.DestroyActions, cmk.DestroyActions), and what deployers
	// may; empty means the account's root user only.
	BreakGlassPrincipals []string
	// Deployers may apply changes to what protects the evidence
	// (logbucket.ProtectionActions, cmk.ProtectionActions); empty means
	// the principal that made each stack's first apply (stacks records
	// it).
	Deployers []string
	// Insights turns on CloudTrail Insights on the trail (API call rate
	// and API error rate of management events); billed per event
	// analyzed, so off unless asked for.
	Insights bool
	// DataEvents records S3 object-level events on the account's buckets
	// but the trail's own: trail.DataEventsOff (default), DataEventsWrite
	// or DataEventsReadWrite.
	DataEvents string
	// ObjectLock is the Object Lock of the log bucket (Lock gives the
	// logbucket.Lock it means).
	ObjectLock ObjectLock
	// OrganizationTrail makes the trail an organization trail: created in
	// the organization's management account, it records every account of
	// the organization, those created or invited later too.
	OrganizationTrail bool
	// Accounts is the log-archive layout (nil: everything in one account).
	Accounts *Accounts
	// IdentityCenter gives the audit role to an IAM Identity Center
	// permission set too (nil: to the IAM users of AuditUsers only).
	IdentityCenter *IdentityCenter
}

// ObjectLock is the objectLock setting.
type ObjectLock struct {
	// Mode is LockGovernance (default), "COMPLIANCE" or LockOff.
	Mode string `json:"mode"`
	// Days is the default retention; 0 means the default: the log
	// retention when one is set, else retention.MinDays.
	Days int `json:"days"`
}

// The objectLock modes of the settings beyond logbucket.LockModes.
const (
	LockGovernance = "GOVERNANCE"
	LockOff        = "OFF"
)

// Lock is the log bucket's Object Lock the settings mean.
func (s Settings) Lock() logbucket.Lock {
	if s.ObjectLock.Mode == LockOff {
		return logbucket.Lock{}
	}
	days := s.ObjectLock.Days
	if days == 0 {
		days = max(s.Retention.ExpireDays, retention.MinDays)
	}
	return logbucket.Lock{Mode: s.ObjectLock.Mode, Days: days}
}

// State is where the stacks keep their Terraform state: a local file by
// default, an S3 bucket when Bucket is set, or HCP Terraform when
// TFCOrganization is set.
type State struct {
	// Bucket is the S3 bucket of the state; "" for local state.
	Bucket string
	// Key is the key prefix of the state objects: each stack's state is
	// <Key>/<stack>.tfstate. "" means <prefix>/<accountName>.
	Key string
	// Region is the bucket's region; "" means the stack region.
	Region string
	// KMSKeyID is the ARN of a KMS key that encrypts the state objects;
	// "" means the bucket's default encryption (SSE-S3).
	KMSKeyID string
	// TFCOrganization and TFCWorkspace select HCP Terraform instead: each
	// stack's workspace is <TFCWorkspace>-<stack>.
	TFCOrganization string
	TFCWorkspace    string
}

// Defaults are the settings used for every key cdktf.json does not set.
func Defaults() Settings {
	return Settings{
		Prefix:      "cle2wa",
		AccountName: "master",
		Region:      "us-east-1",
		AuditUsers:  []string{"user-audit"},
		Tags:        map[string]string{"ManagedBy": "cdktf", "Purpose": "audit"},
		Retention: logbucket.Retention{
			TransitionDays: 90,
			StorageClass:   "GLACIER_IR",
		},
		Monitoring:            true,
		LogGroupRetentionDays: retention.MinDays,
		ObjectLock:            ObjectLock{Mode: LockGovernance},
	}
}

// Names are the resource names derived from the settings.
type Names struct {
	LogBucket       string
	AccessLogBucket string
	Trail           string
	KeyAlias        string
	Group           string
	Role            string
	// StateBucket is the bucket the state stack creates: State.Bucket if
	// set, else <prefix>-s3-tfstate-<accountName>.
	StateBucket string
	// StateAccessLogBucket receives the state bucket's server access logs.
	StateAccessLogBucket string
	// StateKey is the key prefix of the state objects.
	StateKey string
	// StateRegion is the region of the state bucket.
	StateRegion string
	// LogGroup, TrailLogsRole, LogsKeyAlias, AlarmKeyAlias, AlarmTopic and
	// DenyLogReadsPolicy name the monitoring resources.
	LogGroup, TrailLogsRole, LogsKeyAlias, AlarmKeyAlias, AlarmTopic, DenyLogReadsPolicy string
}

// Names derives every resource name, following the lab's style guide:
// <prefix>-s3-<purpose>-<account> for globally unique bucket names,
// <type>-<purpose> for names unique within the account.
func (s Settings) Names() Names {
	return Names{
		LogBucket:            fmt.Sprintf("%s-s3-trail-%s", s.Prefix, s.AccountName),
		AccessLogBucket:      fmt.Sprintf("%s-s3-accesslog-%s", s.Prefix, s.AccountName),
		Trail:                "trail-" + s.AccountName,
		KeyAlias:             "alias/kms-trail-" + s.AccountName,
		Group:                "group-audit",
		Role:                 "role-audit",
		StateBucket:          cmp.Or(s.State.Bucket, fmt.Sprintf("%s-s3-tfstate-%s", s.Prefix, s.AccountName)),
		StateAccessLogBucket: fmt.Sprintf("%s-s3-tfstate-log-%s", s.Prefix, s.AccountName),
		StateKey:             cmp.Or(s.State.Key, s.Prefix+"/"+s.AccountName),
		StateRegion:          cmp.Or(s.State.Region, s.Region),
		LogGroup:             "cloudtrail/trail-" + s.AccountName,
		TrailLogsRole:        "role-trail-logs",
		LogsKeyAlias:         "alias/kms-logs-" + s.AccountName,
		AlarmKeyAlias:        "alias/kms-alarms-" + s.AccountName,
		AlarmTopic:           "topic-audit-alarms",
		DenyLogReadsPolicy:   "policy-deny-trail-log-reads",
	}
}

// key describes one setting: its name in cdktf.json and how to decode it.
type key struct {
	name   string
	decode func(raw json.RawMessage, s *Settings) error
}

// keys are the settings, in the order they are documented.
var keys = []key{
	{"prefix", func(raw json.RawMessage, s *Settings) error { return decodeString(raw, &s.Prefix) }},
	{"accountName", func(raw json.RawMessage, s *Settings) error { return decodeString(raw, &s.AccountName) }},
	{"region", func(raw json.RawMessage, s *Settings) error { return decodeString(raw, &s.Region) }},
	{"auditUsers", func(raw json.RawMessage, s *Settings) error { return decodeStrings(raw, &s.AuditUsers) }},
	{"tags", func(raw json.RawMessage, s *Settings) error {
		// Added to the default tags; a default key given again takes the
		// new value.
		var tags map[string]string
		if err := decodeStringMap(raw, &tags); err != nil {
			return err
		}
		merged := maps.Clone(s.Tags)
		maps.Copy(merged, tags)
		s.Tags = merged
		return nil
	}},
	{"logPrefix", func(raw json.RawMessage, s *Settings) error { return decodeString(raw, &s.LogPrefix) }},
	{"logRetentionDays", func(raw json.RawMessage, s *Settings) error { return decodeInt(raw, &s.Retention.ExpireDays) }},
	{"logTransitionDays", func(raw json.RawMessage, s *Settings) error { return decodeInt(raw, &s.Retention.TransitionDays) }},
	{"logTransitionStorageClass", func(raw json.RawMessage, s *Settings) error {
		return decodeString(raw, &s.Retention.StorageClass)
	}},
	{"stateBucket", func(raw json.RawMessage, s *Settings) error { return decodeString(raw, &s.State.Bucket) }},
	{"stateKey", func(raw json.RawMessage, s *Settings) error {
		if err := decodeString(raw, &s.State.Key); err != nil {
			return err
		}
		if s.State.Key == "" {
			return errors.New(`"" must not be empty; remove stateKey to use the default <prefix>/<accountName>`)
		}
		return nil
	}},
	{"stateRegion", func(raw json.RawMessage, s *Settings) error { return decodeString(raw, &s.State.Region) }},
	{"stateKmsKeyId", func(raw json.RawMessage, s *Settings) error { return decodeString(raw, &s.State.KMSKeyID) }},
	{"tfcOrganization", func(raw json.RawMessage, s *Settings) error { return decodeString(raw, &s.State.TFCOrganization) }},
	{"tfcWorkspace", func(raw json.RawMessage, s *Settings) error { return decodeString(raw, &s.State.TFCWorkspace) }},
	{"monitoring", func(raw json.RawMessage, s *Settings) error { return decodeBool(raw, &s.Monitoring) }},
	{"logGroupRetentionDays", func(raw json.RawMessage, s *Settings) error { return decodeInt(raw, &s.LogGroupRetentionDays) }},
	{"alarmEmails", func(raw json.RawMessage, s *Settings) error { return decodeStrings(raw, &s.AlarmEmails) }},
	{"breakGlassPrincipals", func(raw json.RawMessage, s *Settings) error { return decodeStrings(raw, &s.BreakGlassPrincipals) }},
	{"deployers", func(raw json.RawMessage, s *Settings) error { return decodeStrings(raw, &s.Deployers) }},
	{"insights", func(raw json.RawMessage, s *Settings) error { return decodeBool(raw, &s.Insights) }},
	{"dataEvents", func(raw json.RawMessage, s *Settings) error { return decodeString(raw, &s.DataEvents) }},
	{"objectLock", decodeObjectLock},
	{"organizationTrail", func(raw json.RawMessage, s *Settings) error { return decodeBool(raw, &s.OrganizationTrail) }},
	{"accounts", decodeAccounts},
	{"identityCenter", decodeIdentityCenter},
}

// decodeAccounts reads {"logArchive": ..., "security": ..., "keysIn":
// ..., "roleName": ...}; a key left out keeps its default ("" for the
// accounts, which Validate then names).
func decodeAccounts(raw json.RawMessage, s *Settings) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || isNull(raw) {
		return fmt.Errorf(`expected an object such as {"logArchive": "555566667777", "security": "444455556666"}, got %s`, raw)
	}
	a := &Accounts{}
	targets := map[string]*string{"logArchive": &a.LogArchive, "security": &a.Security, "keysIn": &a.KeysIn, "roleName": &a.RoleName, "controlTower": &a.ControlTower}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		target, ok := targets[k]
		if !ok {
			errs = append(errs, field.Invalid(k, string(fields[k]), `is not a key of accounts (its keys: "logArchive", "security", "keysIn", "roleName", "controlTower")`))
			continue
		}
		errs = append(errs, field.Under(k, decodeString(fields[k], target)))
	}
	s.Accounts = a
	return errors.Join(errs...)
}

// decodeObjectLock reads {"mode": ..., "days": N}; a key left out keeps
// its default.
func decodeObjectLock(raw json.RawMessage, s *Settings) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || isNull(raw) {
		return fmt.Errorf(`expected an object such as {"mode": "GOVERNANCE", "days": 365}, got %s`, raw)
	}
	var errs []error
	for k, v := range fields {
		switch k {
		case "mode":
			errs = append(errs, field.Under("mode", decodeString(v, &s.ObjectLock.Mode)))
		case "days":
			errs = append(errs, field.Under("days", decodeInt(v, &s.ObjectLock.Days)))
		default:
			errs = append(errs, field.Invalid(k, string(v), `is not a key of objectLock (its keys: "mode", "days")`))
		}
	}
	return errors.Join(errs...)
}

// cdktfKeys are context keys that the cdktf CLI adds for itself.
var cdktfKeys = map[string]bool{"cdktfRelativeModules": true, "cdktfStaticModuleAssetHash": true}

// Keys lists the names of every setting, in documentation order.
func Keys() []string {
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.name)
	}
	return names
}

// ContextEnv is the variable in which the cdktf CLI passes the context.
const ContextEnv = "CDKTF_CONTEXT_JSON"

// Load reads the settings from the "context" of the file cdktfJSON, the
// one source of settings.
//
// The file is read within bounds (a regular file of at most
// input.SettingsBytes, JSON nested at most maxDepth deep) and checked as
// a whole (checkFile): a key given twice, a setting outside "context" or a
// "Context" would make the CLI and a plain `go run .` read different
// settings, or a reviewer read the wrong one.
//
// The cdktf CLI passes the same context in ContextEnv. When that variable
// is set it must say what the file says (the keys the CLI adds for itself
// aside): a value left in a shell or set by whoever controls a CI job's
// environment never replaces the reviewed file.
func Load(cdktfJSON string) (Settings, error) {
	data, err := input.File(cdktfJSON, input.SettingsBytes)
	if err != nil {
		return Settings{}, err
	}
	if err := input.Depth(data, maxDepth); err != nil {
		return Settings{}, fmt.Errorf("%s: %w", cdktfJSON, err)
	}
	if fileErr := checkFile(data); fileErr != nil {
		return Settings{}, &Error{Source: cdktfJSON, Err: fileErr}
	}
	var file struct {
		Context json.RawMessage `json:"context"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return Settings{}, fmt.Errorf("%s: %s", cdktfJSON, describeJSONError(data, err))
	}
	context, source := file.Context, cdktfJSON+": context"
	if len(context) == 0 || string(context) == "null" {
		context, source = []byte("{}"), cdktfJSON
	}
	s, err := Parse(context, source)
	if err != nil {
		return Settings{}, err
	}
	if env, ok := os.LookupEnv(ContextEnv); ok {
		if err := agree(context, env, cdktfJSON); err != nil {
			return Settings{}, err
		}
	}
	return s, nil
}

// maxDepth is the deepest nesting a settings file may have: its deepest
// value (objectLock's days) is three levels down.
const maxDepth = 8

// agree checks that the context env (ContextEnv's value) says what the
// context of the file cdktfJSON says, the keys the cdktf CLI adds for
// itself aside, and names every key where they differ.
func agree(context []byte, env, cdktfJSON string) error {
	refuse := func(problem string) error {
		return fmt.Errorf("%s is set and %s; it is how the cdktf CLI passes cdktf.json's context, and the settings come from %s only: unset it (`unset %s`), or put the settings in %s", ContextEnv, problem, cdktfJSON, ContextEnv, cdktfJSON)
	}
	if len(env) > input.SettingsBytes {
		return refuse(fmt.Sprintf("is %d bytes, more than the %d a context may have", len(env), input.SettingsBytes))
	}
	if err := input.Depth([]byte(env), maxDepth); err != nil {
		return refuse(err.Error())
	}
	var fromEnv, fromFile map[string]any
	if err := json.Unmarshal([]byte(env), &fromEnv); err != nil || fromEnv == nil {
		return refuse("is not a JSON object: " + field.Show(env))
	}
	if err := json.Unmarshal(context, &fromFile); err != nil {
		return err
	}
	var differ []string
	for _, k := range slices.Sorted(maps.Keys(fromEnv)) {
		if _, inFile := fromFile[k]; !inFile && !cdktfKeys[k] {
			differ = append(differ, fmt.Sprintf("%s is %s there and not set in %s", k, compact(fromEnv[k]), cdktfJSON))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(fromFile)) {
		v, inEnv := fromEnv[k]
		switch {
		case cdktfKeys[k]:
			// The CLI sets its own keys, whatever the file says.
		case !inEnv:
			differ = append(differ, fmt.Sprintf("%s is not set there and is %s in %s", k, compact(fromFile[k]), cdktfJSON))
		case !reflect.DeepEqual(v, fromFile[k]):
			differ = append(differ, fmt.Sprintf("%s is %s there and %s in %s", k, compact(v), compact(fromFile[k]), cdktfJSON))
		}
	}
	if len(differ) > 0 {
		return refuse("disagrees with " + cdktfJSON + ": " + strings.Join(differ, "; "))
	}
	return nil
}

// compact is v as compact JSON, cut to field.MaxValue characters.
func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > field.MaxValue {
		return string(b[:field.MaxValue]) + "…"
	}
	return string(b)
}

// Parse decodes and validates a context object; source names where it came
// from in error messages.
func Parse(context []byte, source string) (Settings, error) {
	if len(context) > input.SettingsBytes {
		return Settings{}, fmt.Errorf("%s: %d bytes, more than the %d settings may have", source, len(context), input.SettingsBytes)
	}
	if err := input.Depth(context, maxDepth); err != nil {
		return Settings{}, fmt.Errorf("%s: %w", source, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(context, &raw); err != nil {
		return Settings{}, fmt.Errorf("%s: %s", source, describeJSONError(context, err))
	}
	s := Defaults()
	var errs []error
	known := map[string]bool{}
	for _, k := range keys {
		known[k.name] = true
		value, ok := raw[k.name]
		if !ok {
			continue
		}
		errs = append(errs, field.Under(k.name, k.decode(value, &s)))
	}
	var unknown []string
	for name := range raw {
		if !known[name] && !cdktfKeys[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		problem := "unknown setting"
		if near := nearest(name, Keys()); near != "" {
			problem += fmt.Sprintf(" (did you mean %q?)", near)
		}
		errs = append(errs, &field.Error{Path: name, Problem: problem + "; the settings are " + strings.Join(Keys(), ", ")})
	}
	if errors.Join(errs...) == nil {
		errs = append(errs, s.Validate())
	}
	if err := errors.Join(errs...); err != nil {
		return Settings{}, &Error{Source: source, Err: err}
	}
	return s, nil
}

// Error is a settings error: every problem found in one source.
type Error struct {
	Source string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid settings in %s:", e.Source)
	for _, line := range strings.Split(e.Err.Error(), "\n") {
		fmt.Fprintf(&b, "\n  - %s", line)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

var (
	namePart      = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	stateKeyPart  = regexp.MustCompile(`^[A-Za-z0-9!_.*'()-]+$`)
	kmsKeyARN     = regexp.MustCompile(`^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:[0-9]{12}:(key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|key/mrk-[0-9a-f]{32}|alias/[A-Za-z0-9/_-]+)$`)
	tfcName       = regexp.MustCompile(`^[A-Za-z0-9_-]{1,90}$`)
	principalARN  = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(root|(role|user)(/[A-Za-z0-9+=,.@_-]+)+)$`)
	tagKeyPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// Validate reports every problem of s at once, each naming the setting.
func (s Settings) Validate() error {
	var errs []error
	add := func(setting string, err error) { errs = append(errs, field.Under(setting, err)) }
	partsOK := true
	for _, p := range []struct{ setting, value string }{{"prefix", s.Prefix}, {"accountName", s.AccountName}} {
		if !namePart.MatchString(p.value) || len(p.value) > 40 {
			add(p.setting, field.Invalid("", p.value, "must be 1 to 40 lower-case letters, digits and hyphens, beginning and ending with a letter or digit"))
			partsOK = false
		}
	}
	if partsOK {
		n := s.Names()
		for _, b := range []struct{ what, name string }{{"log bucket", n.LogBucket}, {"access-log bucket", n.AccessLogBucket}, {"state access-log bucket", n.StateAccessLogBucket}} {
			if err := logbucket.ValidateName(b.name); err != nil {
				add("prefix/accountName", fmt.Errorf("%q and %q make the %s name invalid: %w", s.Prefix, s.AccountName, b.what, err))
			}
		}
		if err := trail.ValidateName(n.Trail); err != nil {
			add("accountName", fmt.Errorf("%q makes an invalid trail name: %w", s.AccountName, err))
		}
	}
	if !knownRegion(s.Region) {
		add("region", field.Invalid("", s.Region, "is not a region the pinned AWS provider knows (such as us-east-1 or eu-west-2)%s", suggestRegion(s.Region)))
	}
	// The log-archive layout's audit role trusts the auditors' path, not
	// each name: no trust policy quota caps them.
	validateUsers := func(names []string) error { return auditors.ValidateUserNames(names, s.PermissionSet()) }
	if s.Accounts != nil {
		validateUsers = auditors.ValidateUsers
	}
	// With Identity Center, IAM users are optional.
	if s.IdentityCenter == nil || len(s.AuditUsers) > 0 {
		for _, err := range unjoin(validateUsers(s.AuditUsers)) {
			add("auditUsers", err)
		}
	}
	if s.IdentityCenter != nil {
		for _, err := range unjoin(s.IdentityCenter.validate(PartitionOf(s.Region))) {
			add("identityCenter", err)
		}
		// Identity Center's administrators may work from a delegated
		// administrator's account, where its Identity Store and
		// assignment changes are recorded: only an organization trail
		// records them for the watch.
		if !s.OrganizationTrail {
			add("organizationTrail", field.Invalid("", false, "with identityCenter: Identity Center's delegated administrator changes who reads from its own account, which only an organization trail records for the alarms; set \"organizationTrail\": true (the stacks' account is then the organization's management account)"))
		}
	}
	add("tags", validateTags(s.Tags))
	for _, err := range unjoin(s.validateState()) {
		errs = append(errs, err)
	}
	add("logGroupRetentionDays", monitoring.ValidateRetention(s.LogGroupRetentionDays))
	for _, err := range unjoin(monitoring.ValidateEmails(s.AlarmEmails)) {
		add("alarmEmails", err)
	}
	errs = append(errs, s.validateOperators())
	if s.Accounts != nil {
		for _, err := range unjoin(s.Accounts.withDefaults().validate()) {
			add("accounts", err)
		}
		// Each account's stack has operators of its own account: by
		// default its first deployer and its root user. Lists of one
		// account's principals would lock the others out of their own
		// evidence protections.
		if len(s.Deployers) > 0 || len(s.BreakGlassPrincipals) > 0 {
			add("accounts", field.Invalid("", "deployers and breakGlassPrincipals", "are principals of one account; in the log-archive layout each account's stack is changed by its own first deployer and root user: leave both empty"))
		}
		// A log archive holds the whole organization's evidence: only an
		// organization trail writes the member accounts' files there.
		if !s.OrganizationTrail {
			add("organizationTrail", field.Invalid("", false, "with accounts: a log-archive account holds an organization's evidence, which only an organization trail writes there; set \"organizationTrail\": true"))
		}
		// Beside Control Tower's trail, this one records the data events
		// only: it needs some, and its CloudWatch Logs copy would hold no
		// management event for the alarms to watch (Control Tower's trail
		// sends its own to its log group).
		if s.Accounts.ControlTower == ControlTowerAddsDataEvents {
			if !trail.DataEventsOn(s.DataEvents) {
				add("dataEvents", field.Invalid("", s.DataEvents, "with accounts.controlTower %q the trail records data events only: set \"dataEvents\" to %q or %q", ControlTowerAddsDataEvents, trail.DataEventsWrite, trail.DataEventsReadWrite))
			}
			if s.Monitoring {
				add("monitoring", field.Invalid("", true, "with accounts.controlTower %q the trail records no management event for the alarms to watch (Control Tower's trail sends its own to its log group): set \"monitoring\": false", ControlTowerAddsDataEvents))
			}
			if s.Insights {
				add("insights", field.Invalid("", true, "with accounts.controlTower %q: Insights analyze management events, which Control Tower's trail records, not this one: set \"insights\": false", ControlTowerAddsDataEvents))
			}
		}
	}
	if !s.Monitoring && len(s.AlarmEmails) > 0 {
		add("alarmEmails", field.Invalid("", s.AlarmEmails, "are set but monitoring is false: there are no alarms to notify"))
	}
	add("logPrefix", trail.ValidateKeyPrefix(s.LogPrefix))
	add("dataEvents", trail.ValidateDataEvents(s.DataEvents))
	errs = append(errs, s.validateObjectLock())
	for _, e := range field.All(s.Retention.Validate()) {
		e.Path, e.Other = retentionKeys[e.Path], retentionKeys[e.Other]
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// validateObjectLock checks the objectLock setting: a known mode, and a
// retention of at least the log retention, so that evidence stays locked
// for as long as it is kept.
func (s Settings) validateObjectLock() error {
	l := s.ObjectLock
	modes := append([]string{LockOff}, logbucket.LockModes...)
	if !slices.Contains(modes, l.Mode) {
		return field.Invalid("objectLock.mode", l.Mode, "must be one of %s", strings.Join(modes, ", "))
	}
	if l.Mode == LockOff {
		if l.Days != 0 {
			return field.Invalid("objectLock.days", l.Days, `is set but mode is "OFF"`)
		}
		return nil
	}
	if l.Days == 0 {
		if l.Mode == "COMPLIANCE" {
			// Nobody can lift it: its length is never a default.
			return field.Invalid("objectLock.days", l.Days, `is required with mode "COMPLIANCE", which nobody, the root user included, can lift before each version's retention ends`)
		}
		return nil
	}
	if l.Days < logbucket.MinLockDays || l.Days > logbucket.MaxDays {
		return field.Invalid("objectLock.days", l.Days, "must be between %d and %d", logbucket.MinLockDays, logbucket.MaxDays)
	}
	if s.Retention.ExpireDays > l.Days {
		return &field.Error{Path: "objectLock.days", Value: l.Days, Problem: "must be at least", Other: "logRetentionDays", OtherValue: s.Retention.ExpireDays}
	}
	return nil
}

// MaxOperators is the most principals breakGlassPrincipals and deployers
// may each list: every one is a condition value in each evidence
// bucket's and key's policy, whose size AWS bounds (20 KB for a bucket
// policy, 32 KB for a key policy).
const MaxOperators = 10

// validateOperators checks breakGlassPrincipals and deployers. Each lands
// in the buckets' and keys' Denies as an aws:PrincipalArn exemption,
// compared with ArnNotEquals, which IAM matches like ArnNotLike: so no *
// or ?, and no policy variable, may widen it (the pattern admits
// neither). Each must be a principal of the partition of the stack's
// region, and all of one account: a principal of another account gains
// nothing from the exemption (the policies allow it nothing), and a list
// of such principals only would leave nobody able to change the
// protection. That the account is the one deployed to is checked when
// Terraform plans (stacks.OperatorsAccount). A deployer is never the root
// user (running Terraform as root needs root access keys, which CIS and
// Security Hub IAM.4 fail) nor a break-glass principal (a pipeline that
// may destroy evidence is not the separation the two lists make).
func (s Settings) validateOperators() error {
	var errs []error
	accounts := map[string]bool{}
	partition := partitionOf(s.Region)
	lists := []struct {
		setting    string
		principals []string
	}{{"breakGlassPrincipals", s.BreakGlassPrincipals}, {"deployers", s.Deployers}}
	breakGlass := map[string]int{}
	for _, l := range lists {
		if len(l.principals) > MaxOperators {
			errs = append(errs, field.Invalid(l.setting, fmt.Sprintf("%d principals", len(l.principals)), "are too many: at most %d (each is a condition value of every evidence policy)", MaxOperators))
		}
		seen := map[string]int{}
		for i, p := range l.principals {
			at := fmt.Sprintf("%s[%d]", l.setting, i)
			if !principalARN.MatchString(p) {
				errs = append(errs, field.Invalid(at, p, "is not the ARN of the account's root user, an IAM role or an IAM user (arn:%s:iam::<account>:root, :role/<name> or :user/<name>)", partition))
				continue
			}
			parts := strings.SplitN(p, ":", 6)
			if parts[1] != partition {
				errs = append(errs, field.Invalid(at, p, "is in the partition %s, but the stack's region %s is in %s: no such principal can exist there", parts[1], s.Region, partition))
			}
			accounts[parts[4]] = true
			// IAM names are unique whatever their case.
			key := strings.ToLower(p)
			if first, ok := seen[key]; ok {
				errs = append(errs, field.Invalid(at, p, "is %s[%d] again (IAM names do not differ by case)", l.setting, first))
			}
			seen[key] = i
			switch {
			case l.setting == "breakGlassPrincipals":
				breakGlass[key] = i
			case strings.HasSuffix(p, ":root"):
				errs = append(errs, field.Invalid(at, p, "is the root user: deployers run Terraform, and root access keys fail CIS and Security Hub IAM.4; the root user is break-glass (the default breakGlassPrincipals)"))
			default:
				if j, ok := breakGlass[key]; ok {
					errs = append(errs, field.Invalid(at, p, "is also breakGlassPrincipals[%d]: a deployer applies reviewed changes and may not destroy evidence; list it in one of the two", j))
				}
			}
		}
	}
	if len(accounts) > 1 {
		errs = append(errs, field.Invalid("breakGlassPrincipals/deployers", append(slices.Clone(s.BreakGlassPrincipals), s.Deployers...), "name the accounts %s: every break-glass principal and deployer must be of the account the stacks are deployed to (a principal of another account gains nothing from the exemption)", strings.Join(slices.Sorted(maps.Keys(accounts)), ", ")))
	}
	return errors.Join(errs...)
}

// OperatorsAccount is the account every breakGlassPrincipals and
// deployers ARN names, or "" when both settings are empty (the deploying
// account's root user and first deployer).
func (s Settings) OperatorsAccount() string {
	for _, list := range [][]string{s.BreakGlassPrincipals, s.Deployers} {
		if len(list) > 0 {
			return strings.SplitN(list[0], ":", 6)[4]
		}
	}
	return ""
}

// validateState checks the state settings: each valid on its own, and
// only in combinations that mean one thing.
func (s Settings) validateState() error {
	var errs []error
	add := func(setting string, err error) { errs = append(errs, field.Under(setting, err)) }
	st := s.State
	if st.Bucket != "" {
		add("stateBucket", logbucket.ValidateName(st.Bucket))
		n := s.Names()
		if st.Bucket == n.LogBucket || st.Bucket == n.AccessLogBucket || st.Bucket == n.StateAccessLogBucket {
			add("stateBucket", field.Invalid("", st.Bucket, "is a log bucket of this stack; Terraform state must live in a bucket of its own"))
		}
	}
	for _, dependent := range []struct{ key, value string }{{"stateKey", st.Key}, {"stateRegion", st.Region}, {"stateKmsKeyId", st.KMSKeyID}} {
		if dependent.value != "" && st.Bucket == "" {
			add(dependent.key, field.Invalid("", dependent.value, "is set but stateBucket is not; set stateBucket to keep state in S3, or remove %s", dependent.key))
		}
	}
	if st.Key != "" {
		add("stateKey", validateStateKey(st.Key))
	}
	if st.Region != "" && !knownRegion(st.Region) {
		add("stateRegion", field.Invalid("", st.Region, "is not a region the pinned AWS provider knows (such as us-east-1 or eu-west-2)%s", suggestRegion(st.Region)))
	}
	if st.KMSKeyID != "" && !kmsKeyARN.MatchString(st.KMSKeyID) {
		add("stateKmsKeyId", field.Invalid("", st.KMSKeyID, "is not the ARN of a KMS key or alias (arn:aws:kms:<region>:<account>:key/<id> or ...:alias/<name>)"))
	} else if parts := strings.Split(st.KMSKeyID, ":"); st.KMSKeyID != "" && st.Bucket != "" {
		region := s.Names().StateRegion
		switch {
		case parts[1] != partitionOf(region):
			add("stateKmsKeyId", field.Invalid("", st.KMSKeyID, "is in the partition %s, but the state bucket's region %s is in %s: no such key can exist there", parts[1], region, partitionOf(region)))
		case parts[3] != region:
			// S3 encrypts with a key of the bucket's own region only.
			add("stateKmsKeyId", field.Invalid("", st.KMSKeyID, "is a key in %s, but the state bucket is in %s (stateRegion): S3 uses a KMS key of the bucket's region only", parts[3], region))
		}
	}
	if (st.TFCOrganization == "") != (st.TFCWorkspace == "") {
		add("tfcOrganization/tfcWorkspace", fmt.Errorf("organization %q and workspace %q: set both to use HCP Terraform, or neither", st.TFCOrganization, st.TFCWorkspace))
	}
	if st.TFCOrganization != "" && !tfcName.MatchString(st.TFCOrganization) {
		add("tfcOrganization", field.Invalid("", st.TFCOrganization, "must be 1 to 90 letters, digits, underscores or hyphens"))
	}
	if st.TFCWorkspace != "" && !tfcName.MatchString(st.TFCWorkspace) {
		add("tfcWorkspace", field.Invalid("", st.TFCWorkspace, "must be 1 to 90 letters, digits, underscores or hyphens"))
	}
	if st.TFCOrganization != "" && st.Bucket != "" {
		add("stateBucket/tfcOrganization", fmt.Errorf("%q and %q: choose one place for the state, S3 or HCP Terraform", st.Bucket, st.TFCOrganization))
	}
	return errors.Join(errs...)
}

// validateStateKey applies the S3 backend's key rules to a key prefix.
func validateStateKey(key string) error {
	switch {
	case strings.HasPrefix(key, "/"):
		return field.Invalid("", key, "must not begin with \"/\"")
	case strings.HasSuffix(key, "/"):
		return field.Invalid("", key, "must not end with \"/\" (each stack's state is <stateKey>/<stack>.tfstate)")
	case strings.Contains(key, "//"):
		return field.Invalid("", key, "must not contain \"//\"")
	case len(key) > 900:
		return field.Invalid("", key, "is %d characters long; at most 900 leave room for the stack name", len(key))
	}
	for _, part := range strings.Split(key, "/") {
		if !stateKeyPart.MatchString(part) || part == "." || part == ".." {
			return field.Invalid("", key, "has the segment %s: segments must be letters, digits and !_.*'()- only, and not . or ..", field.Show(part))
		}
	}
	return nil
}

// retentionKeys maps logbucket.Retention fields to their settings.
var retentionKeys = map[string]string{
	"TransitionDays": "logTransitionDays",
	"StorageClass":   "logTransitionStorageClass",
	"ExpireDays":     "logRetentionDays",
}

// unjoin splits an error made by errors.Join into its parts.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}

// validateTags applies the AWS tag rules, each problem at the tag's path
// (tags["Key"]). Keys equal but for case are refused: IAM users and roles
// take the provider's default tags, and IAM does not tell such keys apart
// ("Case sensitivity", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#case-sensitivity),
// so the apply would fail.
func validateTags(tags map[string]string) error {
	var errs []error
	if len(tags) > 50 {
		errs = append(errs, field.Invalid("", fmt.Sprintf("%d tags", len(tags)), "are too many: AWS allows at most 50"))
	}
	names := make([]string, 0, len(tags))
	for k := range tags {
		names = append(names, k)
	}
	sort.Strings(names)
	seen := map[string]string{}
	for _, k := range names {
		v := tags[k]
		at := "[" + strconv.Quote(k) + "]"
		switch {
		case k == "" || utf8.RuneCountInString(k) > 128:
			errs = append(errs, field.Invalid(at, k, "must be a key of 1 to 128 characters"))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			errs = append(errs, field.Invalid(at, k, "uses the prefix aws:, reserved for AWS"))
		case !tagKeyPattern.MatchString(k):
			errs = append(errs, field.Invalid(at, k, "is a key with characters AWS does not allow: only letters, digits, spaces and _.:/=+-@"))
		}
		if first, ok := seen[strings.ToLower(k)]; ok {
			errs = append(errs, field.Invalid(at, k, "is the same key as %q for IAM, which ignores case in tag keys: keep one", first))
		}
		seen[strings.ToLower(k)] = k
		if utf8.RuneCountInString(v) > 256 || !tagKeyPattern.MatchString(v) {
			errs = append(errs, field.Invalid(at, v, "must be a value of at most 256 letters, digits, spaces and _.:/=+-@"))
		}
	}
	return errors.Join(errs...)
}

func decodeString(raw json.RawMessage, out *string) error {
	if err := json.Unmarshal(raw, out); err != nil || isNull(raw) {
		return fmt.Errorf("expected a string, got %s", raw)
	}
	return nil
}

func decodeBool(raw json.RawMessage, out *bool) error {
	if err := json.Unmarshal(raw, out); err != nil || isNull(raw) {
		return fmt.Errorf("expected true or false, got %s", raw)
	}
	return nil
}

func decodeStrings(raw json.RawMessage, out *[]string) error {
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil || isNull(raw) {
		return fmt.Errorf("expected a list of strings, got %s", raw)
	}
	*out = list
	return nil
}

func decodeStringMap(raw json.RawMessage, out *map[string]string) error {
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil || isNull(raw) {
		return fmt.Errorf("expected an object of string values, got %s", raw)
	}
	*out = m
	return nil
}

func decodeInt(raw json.RawMessage, out *int) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(&v)
	n, isNumber := v.(json.Number)
	if err != nil || !isNumber {
		return fmt.Errorf("expected a whole number, got %s", raw)
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
		return fmt.Errorf("expected a whole number of days from 0 to %d, got %s", math.MaxInt32, raw)
	}
	*out = int(f)
	return nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// describeJSONError turns a decoding error into a message with the line and
// column of a syntax error.
func describeJSONError(data []byte, err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		line, col := position(data, syntax.Offset)
		return fmt.Sprintf("malformed JSON at line %d, column %d: %v", line, col, err)
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf("expected a JSON object, got a %s", typeErr.Value)
	}
	return "malformed JSON: " + err.Error()
}

func position(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset-1 && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// suggestRegion is a "did you mean" for a region name close to a known one.
func suggestRegion(region string) string {
	if near := nearest(region, providerRegions); near != "" {
		return fmt.Sprintf("; did you mean %q?", near)
	}
	return ""
}

// nearest returns the candidate closest to name by edit distance, if it is
// close enough to be a likely typo.
func nearest(name string, candidates []string) string {
	best, bestDist := "", 4
	for _, c := range candidates {
		if d := distance(strings.ToLower(name), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

package settings

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/logbucket"
)

func TestParseAcceptsValidSettings(t *testing.T) {
	cases := map[string]struct {
		context string
		check   func(Settings) (got, want any)
	}{
		"empty context gives the defaults": {`{}`, func(s Settings) (any, any) { return s, Defaults() }},
		"prefix":                           {`{"prefix": "acme"}`, func(s Settings) (any, any) { return s.Names().LogBucket, "acme-s3-trail-master" }},
		"accountName": {`{"accountName": "prod"}`, func(s Settings) (any, any) {
			return []string{s.Names().Trail, s.Names().KeyAlias, s.Names().AccessLogBucket}, []string{"trail-prod", "alias/kms-trail-prod", "cle2wa-s3-accesslog-prod"}
		}},
		"region":     {`{"region": "eu-west-2"}`, func(s Settings) (any, any) { return s.Region, "eu-west-2" }},
		"gov region": {`{"region": "us-gov-west-1"}`, func(s Settings) (any, any) { return s.Region, "us-gov-west-1" }},
		"auditUsers": {`{"auditUsers": ["alice", "bob.smith@example.com"]}`, func(s Settings) (any, any) {
			return s.AuditUsers, []string{"alice", "bob.smith@example.com"}
		}},
		"tags": {`{"tags": {"Owner": "security team", "cost-center": "42"}}`, func(s Settings) (any, any) {
			return s.Tags, map[string]string{"ManagedBy": "cdktf", "Purpose": "audit", "Owner": "security team", "cost-center": "42"}
		}},
		"deployers": {`{"deployers": ["arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:role/path/admin"]}`, func(s Settings) (any, any) {
			return s.Deployers, []string{"arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:role/path/admin"}
		}},
		"break-glass principals": {`{"breakGlassPrincipals": ["arn:aws:iam::123456789012:role/break-glass", "arn:aws:iam::123456789012:root"]}`, func(s Settings) (any, any) {
			return s.BreakGlassPrincipals, []string{"arn:aws:iam::123456789012:role/break-glass", "arn:aws:iam::123456789012:root"}
		}},
		"tags override a default": {`{"tags": {"Purpose": "security evidence"}}`, func(s Settings) (any, any) {
			return s.Tags, map[string]string{"ManagedBy": "cdktf", "Purpose": "security evidence"}
		}},
		"logPrefix": {`{"logPrefix": "org/trail-logs"}`, func(s Settings) (any, any) { return s.LogPrefix, "org/trail-logs" }},
		"retention": {`{"logRetentionDays": 2555, "logTransitionDays": 30, "logTransitionStorageClass": "STANDARD_IA"}`, func(s Settings) (any, any) {
			return s.Retention, logbucket.Retention{ExpireDays: 2555, TransitionDays: 30, StorageClass: "STANDARD_IA"}
		}},
		"no transition":               {`{"logTransitionDays": 0}`, func(s Settings) (any, any) { return s.Retention.TransitionDays, 0 }},
		"keys the cdktf CLI adds":     {`{"cdktfRelativeModules": [], "cdktfStaticModuleAssetHash": "x"}`, func(s Settings) (any, any) { return s, Defaults() }},
		"whole number written as 4e2": {`{"logRetentionDays": 4e2}`, func(s Settings) (any, any) { return s.Retention.ExpireDays, 400 }},
		"local state by default": {`{}`, func(s Settings) (any, any) {
			n := s.Names()
			return []string{s.State.Bucket, n.StateBucket, n.StateKey, n.StateRegion}, []string{"", "cle2wa-s3-tfstate-master", "cle2wa/master", "us-east-1"}
		}},
		"state in S3": {`{"stateBucket": "acme-tfstate", "stateKey": "platform/audit", "stateRegion": "eu-west-1", "stateKmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"}`, func(s Settings) (any, any) {
			n := s.Names()
			return []string{n.StateBucket, n.StateKey, n.StateRegion, s.State.KMSKeyID}, []string{"acme-tfstate", "platform/audit", "eu-west-1", "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"}
		}},
		"state key defaults with a bucket": {`{"stateBucket": "acme-tfstate"}`, func(s Settings) (any, any) {
			return []string{s.Names().StateKey, s.Names().StateRegion}, []string{"cle2wa/master", "us-east-1"}
		}},
		"state key alias": {`{"stateBucket": "acme-tfstate", "stateKmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/tfstate"}`, func(s Settings) (any, any) {
			return s.State.KMSKeyID, "arn:aws:kms:us-east-1:123456789012:alias/tfstate"
		}},
		"HCP Terraform": {`{"tfcOrganization": "acme", "tfcWorkspace": "audit-trail"}`, func(s Settings) (any, any) {
			return []string{s.State.TFCOrganization, s.State.TFCWorkspace}, []string{"acme", "audit-trail"}
		}},
		"monitoring off":         {`{"monitoring": false}`, func(s Settings) (any, any) { return s.Monitoring, false }},
		"insights on":            {`{"insights": true}`, func(s Settings) (any, any) { return s.Insights, true }},
		"write data events":      {`{"dataEvents": "WRITE"}`, func(s Settings) (any, any) { return s.DataEvents, "WRITE" }},
		"object lock by default": {`{}`, func(s Settings) (any, any) { return s.Lock(), logbucket.Lock{Mode: "GOVERNANCE", Days: 365} }},
		"object lock as long as the logs are kept": {`{"logRetentionDays": 2555}`, func(s Settings) (any, any) {
			return s.Lock(), logbucket.Lock{Mode: "GOVERNANCE", Days: 2555}
		}},
		"object lock in compliance mode": {`{"objectLock": {"mode": "COMPLIANCE", "days": 3650}, "logRetentionDays": 3650}`, func(s Settings) (any, any) {
			return s.Lock(), logbucket.Lock{Mode: "COMPLIANCE", Days: 3650}
		}},
		"object lock days alone":   {`{"objectLock": {"days": 400}}`, func(s Settings) (any, any) { return s.Lock(), logbucket.Lock{Mode: "GOVERNANCE", Days: 400} }},
		"object lock off":          {`{"objectLock": {"mode": "OFF"}}`, func(s Settings) (any, any) { return s.Lock(), logbucket.Lock{} }},
		"log group kept ten years": {`{"logGroupRetentionDays": 3653}`, func(s Settings) (any, any) { return s.LogGroupRetentionDays, 3653 }},
		"log group kept forever":   {`{"logGroupRetentionDays": 0}`, func(s Settings) (any, any) { return s.LogGroupRetentionDays, 0 }},
		"alarm emails": {`{"alarmEmails": ["security@example.com", "oncall+aws@example.org"]}`, func(s Settings) (any, any) {
			return s.AlarmEmails, []string{"security@example.com", "oncall+aws@example.org"}
		}},
		"longest prefix and account": {`{"prefix": "abcdefghijklmnopqrstuvw", "accountName": "abcdefghijklmnopqrstuvwx"}`, func(s Settings) (any, any) { return len(s.Names().StateAccessLogBucket), 63 }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := Parse([]byte(c.context), "test")
			if err != nil {
				t.Fatalf("expected %s to be accepted, found error:\n%v", c.context, err)
			}
			if got, want := c.check(s); !reflect.DeepEqual(got, want) {
				t.Errorf("expected %#v, found %#v", want, got)
			}
		})
	}
}

func TestParseRejectsInvalidSettings(t *testing.T) {
	long := strings.Repeat("a", 41)
	cases := map[string]struct {
		context string
		want    []string // fragments of the message, each naming the key and the value
	}{
		"unknown key":                             {`{"regoin": "us-east-1"}`, []string{`regoin: unknown setting (did you mean "region"?)`}},
		"unknown key without neighbor":            {`{"flavour": "x"}`, []string{"flavour: unknown setting; the settings are prefix, accountName"}},
		"prefix not a string":                     {`{"prefix": 5}`, []string{"prefix: expected a string, got 5"}},
		"data events of a kind that is not one":   {`{"dataEvents": "ALL"}`, []string{`dataEvents: "ALL" is not "OFF", "WRITE" or "READ_WRITE"`}},
		"insights as a word":                      {`{"insights": "yes"}`, []string{`insights: expected true or false, got "yes"`}},
		"organization trail as a word":            {`{"organizationTrail": "yes"}`, []string{`organizationTrail: expected true or false, got "yes"`}},
		"object lock mode misspelt":               {`{"objectLock": {"mode": "GOVERNANSE"}}`, []string{`objectLock.mode: "GOVERNANSE" must be one of OFF, GOVERNANCE, COMPLIANCE`}},
		"object lock shorter than a year":         {`{"objectLock": {"days": 30}}`, []string{`objectLock.days: 30 must be between 365 and 36500`}},
		"object lock shorter than the retention":  {`{"objectLock": {"days": 400}, "logRetentionDays": 3650}`, []string{`objectLock.days: 400 must be at least logRetentionDays (3650)`}},
		"object lock off with days":               {`{"objectLock": {"mode": "OFF", "days": 400}}`, []string{`objectLock.days: 400 is set but mode is "OFF"`}},
		"object lock with an unknown key":         {`{"objectLock": {"mode": "GOVERNANCE", "retention": 400}}`, []string{`objectLock.retention: "400" is not a key of objectLock`}},
		"object lock not an object":               {`{"objectLock": "GOVERNANCE"}`, []string{`objectLock: expected an object such as {"mode": "GOVERNANCE", "days": 365}, got "GOVERNANCE"`}},
		"prefix null":                             {`{"prefix": null}`, []string{"prefix: expected a string, got null"}},
		"users not a list":                        {`{"auditUsers": "alice"}`, []string{`auditUsers: expected a list of strings, got "alice"`}},
		"tags not strings":                        {`{"tags": {"a": 1}}`, []string{`tags: expected an object of string values, got {"a": 1}`}},
		"days as a string":                        {`{"logRetentionDays": "400"}`, []string{`logRetentionDays: expected a whole number, got "400"`}},
		"days fractional":                         {`{"logTransitionDays": 1.5}`, []string{"logTransitionDays: expected a whole number of days from 0 to 2147483647, got 1.5"}},
		"days negative":                           {`{"logTransitionDays": -30}`, []string{"logTransitionDays: expected a whole number of days from 0 to 2147483647, got -30"}},
		"prefix upper case":                       {`{"prefix": "Acme"}`, []string{`prefix: "Acme" must be 1 to 40 lower-case letters`}},
		"prefix empty":                            {`{"prefix": ""}`, []string{`prefix: "" must be`}},
		"prefix trailing hyphen":                  {`{"prefix": "acme-"}`, []string{`prefix: "acme-" must be`}},
		"prefix with a dot":                       {`{"prefix": "acme.io"}`, []string{`prefix: "acme.io" must be`}},
		"prefix too long":                         {`{"prefix": "` + long + `"}`, []string{`prefix: "` + long + `" must be 1 to 40`}},
		"account name invalid":                    {`{"accountName": "prod_1"}`, []string{`accountName: "prod_1" must be`}},
		"derived bucket name too long":            {`{"prefix": "` + long[:40] + `", "accountName": "` + long[:30] + `"}`, []string{"prefix/accountName:", "log bucket name", "must be 3 to 63 characters long, not 80"}},
		"derived bucket name reserved":            {`{"prefix": "xn--abc"}`, []string{`prefix/accountName: "xn--abc" and "master" make the log bucket name invalid`, `reserved "xn--"`}},
		"derived trail name invalid":              {`{"accountName": "a--b"}`, []string{`accountName: "a--b" makes an invalid trail name: "trail-a--b" is not a valid trail name`}},
		"region malformed":                        {`{"region": "us-east"}`, []string{`region: "us-east" is not a region the pinned AWS provider knows (such as us-east-1 or eu-west-2); did you mean "us-east-1"?`}},
		"region upper case":                       {`{"region": "US-EAST-1"}`, []string{`region: "US-EAST-1"`}},
		"no audit users":                          {`{"auditUsers": []}`, []string{"auditUsers: is required: at least one audit user"}},
		"user name with a space":                  {`{"auditUsers": ["bob smith"]}`, []string{`auditUsers[0]: "bob smith" is not a valid IAM user name: it must be 1 to 64`}},
		"user name too long":                      {`{"auditUsers": ["` + strings.Repeat("u", 65) + `"]}`, []string{`auditUsers[0]: "` + strings.Repeat("u", 65) + `" is not a valid IAM user name`}},
		"same user twice":                         {`{"auditUsers": ["Bob", "bob"]}`, []string{`auditUsers[1]: "bob" is the same IAM user as "Bob"`}},
		"tag key reserved":                        {`{"tags": {"aws:owner": "x"}}`, []string{`tags["aws:owner"]: "aws:owner" uses the prefix aws:, reserved for AWS`}},
		"tag key empty":                           {`{"tags": {"": "x"}}`, []string{`tags[""]: "" must be a key of 1 to 128 characters`}},
		"tag key bad character":                   {`{"tags": {"a#b": "x"}}`, []string{`tags["a#b"]: "a#b" is a key with characters AWS does not allow`}},
		"a break-glass principal that is not one": {`{"breakGlassPrincipals": ["arn:aws:iam::123456789012:group/admins"]}`, []string{`breakGlassPrincipals[0]: "arn:aws:iam::123456789012:group/admins" is not the ARN of the account's root user, an IAM role or an IAM user`}},
		// Break-glass ARNs land in the buckets' ArnNotEquals exemption,
		// which IAM matches like ArnNotLike: nothing may widen it.
		"a break-glass wildcard role":                    {`{"breakGlassPrincipals": ["arn:aws:iam::123456789012:role/*"]}`, []string{`breakGlassPrincipals[0]: "arn:aws:iam::123456789012:role/*" is not the ARN`}},
		"a break-glass account pattern":                  {`{"breakGlassPrincipals": ["arn:aws:iam::*:root"]}`, []string{`breakGlassPrincipals[0]: "arn:aws:iam::*:root" is not the ARN`}},
		"a break-glass policy variable":                  {`{"breakGlassPrincipals": ["arn:aws:iam::123456789012:user/${aws:username}"]}`, []string{`is not the ARN`}},
		"a break-glass role of no partition":             {`{"breakGlassPrincipals": ["arn:aws-bogus-:iam::123456789012:role/x"]}`, []string{`breakGlassPrincipals[0]: "arn:aws-bogus-:iam::123456789012:role/x" is not the ARN`}},
		"a break-glass role of another partition":        {`{"breakGlassPrincipals": ["arn:aws-cn:iam::123456789012:role/x"]}`, []string{`breakGlassPrincipals[0]: "arn:aws-cn:iam::123456789012:role/x" is in the partition aws-cn, but the stack's region us-east-1 is in aws`}},
		"a made-up partition":                            {`{"breakGlassPrincipals": ["arn:aws-bogus:iam::123456789012:role/x"]}`, []string{`is in the partition aws-bogus, but the stack's region us-east-1 is in aws`}},
		"a GovCloud role in GovCloud":                    {`{"region": "us-gov-west-1", "breakGlassPrincipals": ["arn:aws:iam::123456789012:role/x"]}`, []string{`is in the partition aws, but the stack's region us-gov-west-1 is in aws-us-gov`}},
		"a break-glass role twice, but for case":         {`{"breakGlassPrincipals": ["arn:aws:iam::123456789012:role/Deploy", "arn:aws:iam::123456789012:role/deploy"]}`, []string{`breakGlassPrincipals[1]: "arn:aws:iam::123456789012:role/deploy" is breakGlassPrincipals[0] again`}},
		"break-glass principals of two accounts":         {`{"breakGlassPrincipals": ["arn:aws:iam::123456789012:root", "arn:aws:iam::444455556666:role/x"]}`, []string{`name the accounts 123456789012, 444455556666: every break-glass principal and deployer must be of the account the stacks are deployed to`}},
		"a deployer of another account than break-glass": {`{"breakGlassPrincipals": ["arn:aws:iam::123456789012:root"], "deployers": ["arn:aws:iam::444455556666:role/ci"]}`, []string{`breakGlassPrincipals/deployers: ["arn:aws:iam::123456789012:root" "arn:aws:iam::444455556666:role/ci"] name the accounts 123456789012, 444455556666`}},
		"the root user as deployer":                      {`{"deployers": ["arn:aws:iam::123456789012:root"]}`, []string{`deployers[0]: "arn:aws:iam::123456789012:root" is the root user: deployers run Terraform, and root access keys fail CIS and Security Hub IAM.4`}},
		"a deployer that is break-glass too":             {`{"breakGlassPrincipals": ["arn:aws:iam::123456789012:role/CI"], "deployers": ["arn:aws:iam::123456789012:role/ci"]}`, []string{`deployers[0]: "arn:aws:iam::123456789012:role/ci" is also breakGlassPrincipals[0]: a deployer applies reviewed changes and may not destroy evidence`}},
		"a deployer wildcard":                            {`{"deployers": ["arn:aws:iam::123456789012:role/ci-*"]}`, []string{`deployers[0]: "arn:aws:iam::123456789012:role/ci-*" is not the ARN`}},
		"a deployer twice":                               {`{"deployers": ["arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:role/ci"]}`, []string{`deployers[1]: "arn:aws:iam::123456789012:role/ci" is deployers[0] again`}},
		"eleven deployers":                               {`{"deployers": ["arn:aws:iam::123456789012:role/a0", "arn:aws:iam::123456789012:role/a1", "arn:aws:iam::123456789012:role/a2", "arn:aws:iam::123456789012:role/a3", "arn:aws:iam::123456789012:role/a4", "arn:aws:iam::123456789012:role/a5", "arn:aws:iam::123456789012:role/a6", "arn:aws:iam::123456789012:role/a7", "arn:aws:iam::123456789012:role/a8", "arn:aws:iam::123456789012:role/a9", "arn:aws:iam::123456789012:role/b0"]}`, []string{`deployers: "11 principals" are too many: at most 10`}},
		"deployers not a list":                           {`{"deployers": "arn:aws:iam::123456789012:role/ci"}`, []string{`deployers: expected a list of strings`}},
		"a state key of another partition":               {`{"stateBucket": "acme-tfstate", "stateKmsKeyId": "arn:aws-cn:kms:us-east-1:123456789012:alias/tfstate"}`, []string{`stateKmsKeyId: "arn:aws-cn:kms:us-east-1:123456789012:alias/tfstate" is in the partition aws-cn, but the state bucket's region us-east-1 is in aws`}},
		"a region that does not exist":                   {`{"region": "us-east-9"}`, []string{`region: "us-east-9" is not a region the pinned AWS provider knows`}},
		"tag keys equal but for case":                    {`{"tags": {"Owner": "a", "owner": "b"}}`, []string{`tags["owner"]: "owner" is the same key as "Owner" for IAM, which ignores case in tag keys`}},
		"state key in another region":                    {`{"stateBucket": "acme-tfstate", "stateRegion": "eu-west-1", "stateKmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/tfstate"}`, []string{`stateKmsKeyId: "arn:aws:kms:us-east-1:123456789012:alias/tfstate" is a key in us-east-1, but the state bucket is in eu-west-1 (stateRegion)`}},
		"state key in another region, default":           {`{"region": "eu-west-2", "stateBucket": "acme-tfstate", "stateKmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/tfstate"}`, []string{`is a key in us-east-1, but the state bucket is in eu-west-2`}},
		"log prefix with a dot segment":                  {`{"logPrefix": "a/../b"}`, []string{`logPrefix: "a/../b" has the segment "..": no segment may be . or ..`}},
		"state key with a dot segment":                   {`{"stateBucket": "acme-tfstate", "stateKey": "a/./b"}`, []string{`stateKey: "a/./b" has the segment ".": segments must be`}},
		"a long value is cut":                            {`{"prefix": "` + strings.Repeat("p", 500) + `"}`, []string{`prefix: "` + strings.Repeat("p", 80) + `"… (500 characters) must be 1 to 40`}},
		"tag value too long":                             {`{"tags": {"k": "` + strings.Repeat("v", 257) + `"}}`, []string{`tags["k"]: "` + strings.Repeat("v", 80) + `"… (257 characters) must be a value of at most 256`}},
		"log prefix leading slash":                       {`{"logPrefix": "/logs"}`, []string{`logPrefix: "/logs" is not a usable log file prefix: it must be`}},
		"log prefix trailing slash":                      {`{"logPrefix": "logs/"}`, []string{`logPrefix: "logs/" is not a usable log file prefix`}},
		"log prefix double slash":                        {`{"logPrefix": "a//b"}`, []string{`logPrefix: "a//b" is not a usable log file prefix`}},
		"retention under a year":                         {`{"logRetentionDays": 90}`, []string{"logRetentionDays: 90 must be 0 (keep forever) or between 365 and 36500"}},
		"retention over a century":                       {`{"logRetentionDays": 40000}`, []string{"logRetentionDays: 40000 must be 0 (keep forever) or between 365"}},
		"transition too early":                           {`{"logTransitionDays": 10}`, []string{"logTransitionDays: 10 must be 0 (never) or between 30 and 36500"}},
		"transition not before expiry":                   {`{"logRetentionDays": 365, "logTransitionDays": 365}`, []string{"logTransitionDays: 365 must be less than logRetentionDays (365)"}},
		"one-zone storage class":                         {`{"logTransitionStorageClass": "ONEZONE_IA"}`, []string{`logTransitionStorageClass: "ONEZONE_IA" must be one of STANDARD_IA`}},
		"missing storage class":                          {`{"logTransitionStorageClass": ""}`, []string{`logTransitionStorageClass: "" must be one of`}},
		"state bucket invalid":                           {`{"stateBucket": "Acme_State"}`, []string{`stateBucket: "Acme_State" is not a valid S3 bucket name`}},
		"state bucket is the log bucket":                 {`{"stateBucket": "cle2wa-s3-trail-master"}`, []string{`stateBucket: "cle2wa-s3-trail-master" is a log bucket of this stack`}},
		"state bucket is the access-log bucket":          {`{"stateBucket": "cle2wa-s3-accesslog-master"}`, []string{`stateBucket: "cle2wa-s3-accesslog-master" is a log bucket`}},
		"state bucket is its access-log bucket":          {`{"stateBucket": "cle2wa-s3-tfstate-log-master"}`, []string{`stateBucket: "cle2wa-s3-tfstate-log-master" is a log bucket`}},
		"derived state access-log name too long":         {`{"prefix": "abcdefghijklmnopqrstuvw", "accountName": "abcdefghijklmnopqrstuvwxy"}`, []string{"make the state access-log bucket name invalid", "not 64"}},
		"state key without bucket":                       {`{"stateKey": "audit"}`, []string{`stateKey: "audit" is set but stateBucket is not`}},
		"state region without bucket":                    {`{"stateRegion": "eu-west-1"}`, []string{`stateRegion: "eu-west-1" is set but stateBucket is not`}},
		"state KMS key without bucket":                   {`{"stateKmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/x"}`, []string{"stateKmsKeyId:", "is set but stateBucket is not"}},
		"state key empty":                                {`{"stateBucket": "acme-tfstate", "stateKey": ""}`, []string{`stateKey: "" must not be empty`}},
		"state key leading slash":                        {`{"stateBucket": "acme-tfstate", "stateKey": "/audit"}`, []string{`stateKey: "/audit" must not begin with "/"`}},
		"state key double slash":                         {`{"stateBucket": "acme-tfstate", "stateKey": "a//b"}`, []string{`stateKey: "a//b" must not contain "//"`}},
		"state key trailing slash":                       {`{"stateBucket": "acme-tfstate", "stateKey": "audit/"}`, []string{`stateKey: "audit/" must not end with "/"`}},
		"state key bad character":                        {`{"stateBucket": "acme-tfstate", "stateKey": "audit trail"}`, []string{`stateKey: "audit trail" has the segment "audit trail"`}},
		"state region invalid":                           {`{"stateBucket": "acme-tfstate", "stateRegion": "Europe"}`, []string{`stateRegion: "Europe" is not a region the pinned AWS provider knows`}},
		"state KMS key not an ARN":                       {`{"stateBucket": "acme-tfstate", "stateKmsKeyId": "alias/tfstate"}`, []string{`stateKmsKeyId: "alias/tfstate" is not the ARN of a KMS key`}},
		"HCP organization only":                          {`{"tfcOrganization": "acme"}`, []string{`tfcOrganization/tfcWorkspace: organization "acme" and workspace "": set both`}},
		"HCP workspace only":                             {`{"tfcWorkspace": "audit"}`, []string{`tfcOrganization/tfcWorkspace: organization "" and workspace "audit"`}},
		"HCP workspace invalid":                          {`{"tfcOrganization": "acme", "tfcWorkspace": "audit trail"}`, []string{`tfcWorkspace: "audit trail" must be 1 to 90`}},
		"S3 and HCP together":                            {`{"stateBucket": "acme-tfstate", "tfcOrganization": "acme", "tfcWorkspace": "audit"}`, []string{`stateBucket/tfcOrganization: "acme-tfstate" and "acme": choose one place for the state`}},
		"not an object":                                  {`[1, 2]`, []string{"test: expected a JSON object, got a array"}},
		"malformed":                                      {"{\n  \"prefix\": \"a\",\n}", []string{"test: malformed JSON at line 3, column 1"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(c.context), "test")
			if err == nil {
				t.Fatalf("expected %s to be rejected, it was accepted", c.context)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("expected the error to contain %q, found:\n%v", w, err)
				}
			}
			// One error shape: every problem found in a JSON object is a
			// field.Error whose path starts with a key of that object or a
			// setting.
			var e *Error
			if !strings.HasPrefix(c.context, "{") || !errors.As(err, &e) {
				return
			}
			for _, p := range field.All(e.Err) {
				key := strings.FieldsFunc(p.Path, func(r rune) bool { return r == '/' || r == '.' || r == '[' })
				if len(key) == 0 || !slices.Contains(Keys(), key[0]) && !strings.Contains(c.context, `"`+key[0]+`"`) {
					t.Errorf("expected every problem to name its setting, found %q", p)
				}
			}
		})
	}
}

func TestParseReportsEveryProblemAtOnce(t *testing.T) {
	_, err := Parse([]byte(`{"prefix": "Bad", "region": "nowhere", "auditUsers": [], "logRetentionDays": 7, "colour": 1}`), "cdktf.json: context")
	if err == nil {
		t.Fatal("expected an error, found none")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "invalid settings in cdktf.json: context:\n") {
		t.Errorf("expected the message to name its source first, found:\n%s", msg)
	}
	for _, key := range []string{"colour:"} {
		if !strings.Contains(msg, "  - "+key) {
			t.Errorf("expected a line for %s, found:\n%s", key, msg)
		}
	}
	// Type and key problems come first; validation runs once they are fixed.
	_, err = Parse([]byte(`{"prefix": "Bad", "region": "nowhere", "auditUsers": [], "logRetentionDays": 7}`), "test")
	for _, key := range []string{"prefix:", "region:", "auditUsers:", "logRetentionDays:"} {
		if !strings.Contains(err.Error(), "  - "+key) {
			t.Errorf("expected a line for %s, found:\n%v", key, err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero")); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		file, env string
		// path is a special file of dir to read instead of file.
		path   string
		want   string // an error fragment, or "" for success
		region string
	}{
		"file context":                          {file: `{"app": "go run .", "context": {"region": "eu-west-1"}}`, region: "eu-west-1"},
		"file without context":                  {file: `{"app": "go run ."}`, region: "us-east-1"},
		"as the cdktf CLI passes it":            {file: `{"context": {"region": "eu-west-1", "logRetentionDays": 365}}`, env: `{"region": "eu-west-1", "logRetentionDays": 365.0, "cdktfRelativeModules": [], "cdktfStaticModuleAssetHash": "x"}`, region: "eu-west-1"},
		"the CLI's own keys in both, differing": {file: `{"context": {"region": "eu-west-1", "cdktfRelativeModules": ["a"]}}`, env: `{"region": "eu-west-1", "cdktfRelativeModules": []}`, region: "eu-west-1"},
		"malformed file":                        {file: "{\n\"context\": {\"region\": \"eu-west-1\"\n}", want: "cdktf.json: malformed JSON at line 3"},
		"context not an object":                 {file: `{"context": ["region"]}`, want: "expected a JSON object, got a array"},
		"bad value in file":                     {file: `{"context": {"region": 1}}`, want: "invalid settings in " + filepath.Join(dir, "cdktf.json") + ": context:\n  - region: expected a string, got 1"},
		// Hostile or careless environments: a context left in a shell,
		// or set by whoever controls a CI job, never replaces the file.
		"another region left in the shell":   {file: `{"context": {"region": "eu-west-1"}}`, env: `{"region": "ap-south-1"}`, want: `CDKTF_CONTEXT_JSON is set and disagrees with ` + filepath.Join(dir, "cdktf.json") + `: region is "ap-south-1" there and "eu-west-1" in`},
		"an empty context left in the shell": {file: `{"context": {"auditUsers": ["alice"]}}`, env: `{}`, want: `auditUsers is not set there and is ["alice"] in`},
		"another person as the only auditor": {file: `{"context": {}}`, env: `{"auditUsers": ["mallory"]}`, want: `auditUsers is ["mallory"] there and not set in`},
		"a bad value in the variable":        {file: `{}`, env: `{"region": 1}`, want: `region is 1 there and not set in`},
		"a variable that is not an object":   {file: `{}`, env: `["region"]`, want: `CDKTF_CONTEXT_JSON is set and is not a JSON object: "[\"region\"]"`},
		"a variable nested too deeply":       {file: `{}`, env: strings.Repeat("[", 100_000), want: "CDKTF_CONTEXT_JSON is set and nested too deeply: more than 8 levels"},
		"a variable too large":               {file: `{}`, env: `{"x": "` + strings.Repeat("a", 1<<20) + `"}`, want: "CDKTF_CONTEXT_JSON is set and is 1048585 bytes, more than the 1048576 a context may have"},
		"a file nested too deeply":           {file: `{"context": ` + strings.Repeat("[", 300_000), want: "cdktf.json: nested too deeply: more than 8 levels of arrays and objects at byte 20"},
		"a file too large":                   {file: `{"context": {}, "x": "` + strings.Repeat("a", 1<<20) + `"}`, want: "bytes, more than the 1048576 this input may have"},
		"missing file":                       {want: "no such file or directory"},
		"a setting given twice":              {file: "{\"context\": {\n\"region\": \"eu-west-1\",\n\"region\": \"eu-west-2\"}}", want: "context.region: is given twice (lines 2 and 3): every JSON reader keeps the last one"},
		"twice, under the CLI":               {file: "{\"context\": {\n\"prefix\": \"a\",\n\"prefix\": \"b\"}}", env: `{"prefix": "b"}`, want: "context.prefix: is given twice"},
		"a FIFO":                             {path: "fifo", want: "is a named pipe (FIFO), not a regular file"},
		"a link to /dev/zero":                {path: "zero", want: "is a device, not a regular file"},
		"a top-level key twice":              {file: "{\"app\": \"x\",\n\"app\": \"y\"}", want: "app: is given twice"},
		"a setting at the top":               {file: `{"region": "eu-west-1", "context": {}}`, want: `region: is a setting at the top level of cdktf.json, where cdktf does not read it: move it into "context"`},
		"Context":                            {file: `{"Context": {"region": "eu-west-1"}}`, want: `Context: is not read by the cdktf CLI: the key is "context", in lower case`},
		"Context under the CLI":              {file: `{"Context": {"region": "eu-west-1"}}`, env: `{}`, want: `Context: is not read by the cdktf CLI`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, "absent.json")
			if c.file != "" {
				path = write("cdktf.json", c.file)
			}
			if c.path != "" {
				path = filepath.Join(dir, c.path)
			}
			if c.env != "" {
				t.Setenv(ContextEnv, c.env)
			} else {
				// An unset variable, not an empty one.
				t.Setenv(ContextEnv, "")
				os.Unsetenv(ContextEnv)
			}
			s, err := Load(path)
			if c.want != "" {
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("expected an error containing %q, found %v", c.want, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("expected success, found %v", err)
			}
			if s.Region != c.region {
				t.Errorf("expected region %q, found %q", c.region, s.Region)
			}
		})
	}
}

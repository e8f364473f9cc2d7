package verifytest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/cle2wa/audit-trail/internal/cloud/cloudtest"
)

// s3Actions are the IAM actions of the bucket subresources verify reads
// ("Actions, resources, and condition keys for Amazon S3",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
var s3Actions = map[string]string{
	"policy": "s3:GetBucketPolicy", "versioning": "s3:GetBucketVersioning", "encryption": "s3:GetEncryptionConfiguration",
	"publicAccessBlock": "s3:GetBucketPublicAccessBlock", "ownershipControls": "s3:GetBucketOwnershipControls",
	"logging": "s3:GetBucketLogging", "lifecycle": "s3:GetLifecycleConfiguration", "object-lock": "s3:GetBucketObjectLockConfiguration",
	"list-type": "s3:ListBucket", "replication": "s3:GetReplicationConfiguration",
	"location": "s3:GetBucketLocation", "requestPayment": "s3:GetBucketRequestPayment", "inventory": "s3:GetInventoryConfiguration",
	"analytics": "s3:GetAnalyticsConfiguration", "notification": "s3:GetBucketNotification",
}

// record notes the request r as the IAM action it needs and its resource
// (sts:GetCallerIdentity needs none).
func (a *Account) record(r *http.Request, target, op string, in request) {
	account := cmp.Or(a.ID, Example)
	add := func(action, resource string) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.calls = append(a.calls, Call{action, resource})
	}
	switch {
	case strings.HasPrefix(target, "CloudTrail_20131101."):
		add("cloudtrail:"+op, "arn:aws:cloudtrail:us-east-1:"+account+":trail/trail-master")
	case strings.HasPrefix(target, "TrentService."):
		for alias, k := range a.Keys {
			if alias == in.KeyId || strings.HasSuffix(k.ARN, "/"+in.KeyId) {
				add("kms:"+op, k.ARN)
			}
		}
	case strings.HasPrefix(target, "SWBExternalService."):
		// The permission set's reads: the instance's, the permission
		// set's or the account's, all covered by the audit role's "*".
		add("sso:"+op, cmp.Or(in.PermissionSetArn, in.InstanceArn))
	case strings.HasPrefix(target, "Logs_20140328.") && op == "DescribeLogGroups":
		// DescribeLogGroups has no resource type: "*".
		add("logs:"+op, "*")
	case strings.HasPrefix(target, "Logs_20140328."):
		add("logs:"+op, "arn:aws:logs:us-east-1:"+account+":log-group:"+in.LogGroupName)
	case strings.HasPrefix(r.URL.Path, "/service/GraniteServiceVersion20100801/operation/"):
		for _, name := range in.AlarmNames {
			add("cloudwatch:"+op, "arn:aws:cloudwatch:us-east-1:"+account+":alarm:"+name)
		}
	case r.Form.Get("Action") == "GetCallerIdentity":
	case r.Form.Get("TopicArn") != "":
		add("sns:"+r.Form.Get("Action"), r.Form.Get("TopicArn"))
	case r.Form.Get("RoleName") != "":
		add("iam:"+r.Form.Get("Action"), "arn:aws:iam::"+account+":role/"+r.Form.Get("RoleName"))
	case r.Form.Get("GroupName") != "":
		add("iam:"+r.Form.Get("Action"), "arn:aws:iam::"+account+":group/"+r.Form.Get("GroupName"))
	case r.Form.Get("UserName") != "":
		add("iam:"+r.Form.Get("Action"), "arn:aws:iam::"+account+":user/"+r.Form.Get("UserName"))
	case r.Form.Get("PolicyArn") != "":
		add("iam:"+r.Form.Get("Action"), r.Form.Get("PolicyArn"))
	default:
		bucket, object, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if object != "" {
			add("s3:GetObject", "arn:aws:s3:::"+bucket+"/"+object)
			return
		}
		for sub, action := range s3Actions {
			if r.URL.Query().Has(sub) {
				add(action, "arn:aws:s3:::"+bucket)
			}
		}
	}
}

// list answers S3 ListObjectsV2 on the log bucket: the keys under prefix,
// or, with a delimiter, the folders below it.
func (a *Account) list(w http.ResponseWriter, q url.Values) {
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	var contents, folders []string
	seen := map[string]bool{}
	for _, k := range a.LogFiles {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if i := strings.Index(rest, delimiter); delimiter != "" && i >= 0 {
			if folder := prefix + rest[:i+1]; !seen[folder] {
				seen[folder] = true
				folders = append(folders, "<CommonPrefixes><Prefix>"+folder+"</Prefix></CommonPrefixes>")
			}
			continue
		}
		contents = append(contents, "<Contents><Key>"+k+"</Key><Size>100</Size></Contents>")
	}
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `<ListBucketResult><Name>cle2wa-s3-trail-master</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>%s%s</ListBucketResult>`,
		prefix, len(contents)+len(folders), strings.Join(contents, ""), strings.Join(folders, ""))
}

// answer writes S3's XML answer for the bucket setting the query asks for.
func (b *Bucket) answer(w http.ResponseWriter, q url.Values) bool {
	w.Header().Set("Content-Type", "application/xml")
	switch {
	case q.Has("location"):
		if b.Location == "" {
			fmt.Fprint(w, `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`)
		} else {
			fmt.Fprintf(w, `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">%s</LocationConstraint>`, b.Location)
		}
	case q.Has("requestPayment"):
		fmt.Fprintf(w, `<RequestPaymentConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Payer>%s</Payer></RequestPaymentConfiguration>`, b.Payer)
	case q.Has("inventory"):
		fmt.Fprintf(w, `<ListInventoryConfigurationsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>%s</ListInventoryConfigurationsResult>`, b.Inventory)
	case q.Has("analytics"):
		fmt.Fprintf(w, `<ListBucketAnalyticsConfigurationResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>%s</ListBucketAnalyticsConfigurationResult>`, b.Analytics)
	case q.Has("notification"):
		fmt.Fprintf(w, `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">%s</NotificationConfiguration>`, b.Notification)
	case q.Has("versioning"):
		fmt.Fprintf(w, `<VersioningConfiguration><Status>%s</Status></VersioningConfiguration>`, b.Versioning)
	case q.Has("encryption"):
		key := ""
		if b.Key != "" {
			key = "<KMSMasterKeyID>" + b.Key + "</KMSMasterKeyID>"
		}
		fmt.Fprintf(w, `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>%s</SSEAlgorithm>%s</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>%v</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`, b.Algorithm, key, b.BucketKey)
	case q.Has("publicAccessBlock"):
		fmt.Fprintf(w, `<PublicAccessBlockConfiguration><BlockPublicAcls>%[1]v</BlockPublicAcls><IgnorePublicAcls>%[1]v</IgnorePublicAcls><BlockPublicPolicy>%[1]v</BlockPublicPolicy><RestrictPublicBuckets>%[1]v</RestrictPublicBuckets></PublicAccessBlockConfiguration>`, b.PublicAccess)
	case q.Has("ownershipControls"):
		fmt.Fprintf(w, `<OwnershipControls><Rule><ObjectOwnership>%s</ObjectOwnership></Rule></OwnershipControls>`, b.Ownership)
	case q.Has("logging"):
		if b.LogTarget == "" {
			fmt.Fprint(w, `<BucketLoggingStatus/>`)
		} else {
			fmt.Fprintf(w, `<BucketLoggingStatus><LoggingEnabled><TargetBucket>%s</TargetBucket><TargetPrefix>%s</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`, b.LogTarget, b.LogPrefix)
		}
	case q.Has("replication"):
		if b.ReplicateTo == "" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `<Error><Code>ReplicationConfigurationNotFoundError</Code><Message>The replication configuration was not found</Message></Error>`)
		} else {
			fmt.Fprintf(w, `<ReplicationConfiguration><Role>arn:aws:iam::111122223333:role/replication</Role><Rule><ID>copy</ID><Status>Enabled</Status><Priority>1</Priority><Filter/><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication><Destination><Bucket>%s</Bucket></Destination></Rule></ReplicationConfiguration>`, b.ReplicateTo)
		}
	case q.Has("lifecycle"):
		if b.Lifecycle == "" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `<Error><Code>NoSuchLifecycleConfiguration</Code><Message>The lifecycle configuration does not exist</Message></Error>`)
		} else {
			fmt.Fprintf(w, `<LifecycleConfiguration>%s</LifecycleConfiguration>`, b.Lifecycle)
		}
	case q.Has("object-lock"):
		if b.LockMode == "" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `<Error><Code>ObjectLockConfigurationNotFoundError</Code><Message>Object Lock configuration does not exist for this bucket</Message></Error>`)
		} else {
			fmt.Fprintf(w, `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>%s</Mode><Days>%d</Days></DefaultRetention></Rule></ObjectLockConfiguration>`, b.LockMode, b.LockDays)
		}
	default:
		return false
	}
	return true
}

// asCBOR is a value of the fake account in CBOR, as CloudWatch's RPC v2
// CBOR protocol carries it: the integers CloudWatch types as integers
// (Period, EvaluationPeriods, DatapointsToAlarm) as CBOR integers, other
// numbers as doubles.
func asCBOR(key string, v any) cbor.Value {
	switch v := v.(type) {
	case string:
		return cbor.String(v)
	case bool:
		return cbor.Bool(v)
	case float64:
		if key == "Period" || key == "EvaluationPeriods" || key == "DatapointsToAlarm" {
			return cbor.Uint(uint64(v))
		}
		return cbor.Float64(v)
	case []any:
		l := cbor.List{}
		for _, x := range v {
			l = append(l, asCBOR(key, x))
		}
		return l
	case map[string]any:
		m := cbor.Map{}
		for k, x := range v {
			m[k] = asCBOR(k, x)
		}
		return m
	}
	return &cbor.Nil{}
}

// request is what the fake account reads of a JSON or CBOR request.
type request struct {
	KeyId, LogGroupName, LogGroupNamePrefix  string
	AlarmNames                               []string
	InstanceArn, PermissionSetArn, AccountId string
}

// Start serves the account on loopback until the test ends, and returns
// its URL, for AWS_ENDPOINT_URL: CloudTrail, KMS, CloudWatch Logs (JSON
// 1.1), CloudWatch (Smithy RPC v2 CBOR), S3 (path-style), IAM, SNS and
// STS (query) all answer there. Change the account before, not after.
func (a *Account) Start(t testing.TB) string {
	t.Helper()
	return cloudtest.Serve(t, a.handler())
}

// ServeLayout answers for the accounts of the log-archive layout (by
// ID, as Layout makes them) on one loopback address, until the test
// ends, and returns it. A request signed with the test credentials
// (cloudtest.Credentials) is the management account's, Example's; STS
// AssumeRole of a role of another of the accounts gives credentials whose
// requests are that account's, and makes the session its caller;
// Organizations DescribeOrganization answers Organization, managed by
// Example. A role of any other account is refused.
func ServeLayout(t testing.TB, accounts map[string]*Account) string {
	t.Helper()
	handlers := map[string]http.Handler{}
	for id, a := range accounts {
		handlers[id] = a.handler()
	}
	credential := regexp.MustCompile(`Credential=([A-Za-z0-9]+)/`)
	return cloudtest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		account := Example
		if m := credential.FindStringSubmatch(r.Header.Get("Authorization")); m != nil && strings.HasPrefix(m[1], "ASIA") {
			account = strings.TrimPrefix(m[1], "ASIA")
		}
		if r.Header.Get("X-Amz-Target") == "AWSOrganizationsV20161128.DescribeOrganization" {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			json.NewEncoder(w).Encode(map[string]any{"Organization": map[string]any{"Id": Organization, "MasterAccountId": Example, "FeatureSet": "ALL",
				"Arn": "arn:aws:organizations::" + Example + ":organization/" + Organization}})
			return
		}
		if r.Header.Get("X-Amz-Target") == "" && r.ParseForm() == nil && r.Form.Get("Action") == "AssumeRole" {
			role := r.Form.Get("RoleArn")
			parts := strings.SplitN(role, ":", 6)
			target, ok := accounts[parts[min(4, len(parts)-1)]]
			if len(parts) != 6 || !ok || account != Example {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: sts:AssumeRole on resource: %s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, role)
				return
			}
			session := "arn:aws:sts::" + parts[4] + ":assumed-role/" + strings.TrimPrefix(parts[5], "role/") + "/" + r.Form.Get("RoleSessionName")
			target.CallerARN = session
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA%s</AccessKeyId><SecretAccessKey>test</SecretAccessKey><SessionToken>test</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>%s</Arn><AssumedRoleId>AROAEXAMPLE:%s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`, parts[4], session, r.Form.Get("RoleSessionName"))
			return
		}
		h, ok := handlers[account]
		if !ok {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<Error><Code>InvalidAccessKeyId</Code><Message>unknown account</Message></Error>`)
			return
		}
		h.ServeHTTP(w, r)
	}))
}

// handler answers as the account.
func (a *Account) handler() http.Handler {
	reply := func(w http.ResponseWriter, status int, body any) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		op := target[strings.LastIndex(target, ".")+1:]
		var in request
		// CloudWatch: Smithy RPC v2 CBOR, the protocol of the SDK's
		// cloudwatch client (POST /service/<service>/operation/<op>).
		granite := r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor"
		switch {
		case granite:
			op = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
			body, _ := io.ReadAll(r.Body)
			if v, err := cbor.Decode(body); err == nil {
				if m, ok := v.(cbor.Map); ok {
					if names, ok := m["AlarmNames"].(cbor.List); ok {
						for _, n := range names {
							in.AlarmNames = append(in.AlarmNames, string(n.(cbor.String)))
						}
					}
				}
			}
		case target != "":
			json.NewDecoder(r.Body).Decode(&in)
		default:
			r.ParseForm()
		}
		a.record(r, target, op, in)
		if granite {
			w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
			w.Header().Set("Content-Type", "application/cbor")
			if a.Denied[op] {
				w.WriteHeader(http.StatusBadRequest)
				w.Write(cbor.Encode(cbor.Map{"__type": cbor.String("AccessDenied"), "message": cbor.String("User: " + a.CallerARN + " is not authorized to perform: cloudwatch:" + op)}))
				return
			}
			var found []any
			for _, n := range in.AlarmNames {
				if alarm, ok := a.Alarms[n]; ok {
					found = append(found, alarm)
				}
			}
			w.Write(cbor.Encode(asCBOR("", map[string]any{"MetricAlarms": found, "CompositeAlarms": []any{}})))
			return
		}
		if b := a.Buckets[strings.Trim(r.URL.Path, "/")]; b != nil && target == "" && b.answer(w, r.URL.Query()) {
			return
		}
		switch {
		case a.Refused && (r.URL.Path == "/"+logBucket || strings.HasPrefix(r.URL.Path, "/"+logBucket+"/")):
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
		case r.URL.Path == "/cle2wa-s3-trail-master" && r.URL.Query().Get("list-type") == "2":
			a.list(w, r.URL.Query())
		case strings.HasPrefix(r.URL.Path, "/cle2wa-s3-trail-master/") && a.Unreadable:
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>User: `+a.CallerARN+` is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access</Message></Error>`)
		case strings.HasPrefix(r.URL.Path, "/cle2wa-s3-trail-master/") && r.Header.Get("Range") == "bytes=0-0":
			w.Header().Set("Content-Range", "bytes 0-0/100")
			w.WriteHeader(http.StatusPartialContent)
			fmt.Fprint(w, "\x1f")
		case a.Denied[op]:
			reply(w, http.StatusBadRequest, map[string]any{"__type": "AccessDeniedException", "message": "User: " + a.CallerARN + " is not authorized to perform: kms:" + op})
		case r.URL.Query().Has("policy") && a.Denied["GetBucketPolicy"]:
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
		case target == "" && r.ParseForm() == nil && a.Denied[r.Form.Get("Action")]:
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: %s is not authorized to perform: iam:%s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, a.CallerARN, r.Form.Get("Action"))
		case r.URL.Query().Has("policy"):
			// S3 GetBucketPolicy, path-style: the policy document itself.
			policy, ok := a.BucketPolicies[strings.Trim(r.URL.Path, "/")]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprint(w, `<Error><Code>NoSuchBucketPolicy</Code><Message>The bucket policy does not exist</Message></Error>`)
				return
			}
			fmt.Fprint(w, policy)
		case strings.HasPrefix(target, "CloudTrail_20131101.") && a.Trail == nil:
			reply(w, http.StatusBadRequest, map[string]any{"__type": "TrailNotFoundException", "Message": "Unknown trail: trail-master for the user: 111122223333"})
		case op == "GetTrail":
			reply(w, http.StatusOK, map[string]any{"Trail": a.Trail})
		case op == "GetTrailStatus":
			reply(w, http.StatusOK, a.Status)
		case op == "GetEventSelectors":
			reply(w, http.StatusOK, map[string]any{"TrailARN": a.Trail["TrailARN"], "EventSelectors": a.Selectors})
		case strings.HasPrefix(target, "SWBExternalService."):
			a.identityCenter(w, op, in, reply)
		case op == "DescribeLogGroups":
			var found []any
			for _, g := range a.LogGroups {
				if strings.HasPrefix(g.(map[string]any)["logGroupName"].(string), in.LogGroupNamePrefix) {
					found = append(found, g)
				}
			}
			reply(w, http.StatusOK, map[string]any{"logGroups": found})
		case op == "DescribeMetricFilters":
			reply(w, http.StatusOK, map[string]any{"metricFilters": a.MetricFilters})
		case op == "DescribeSubscriptionFilters":
			reply(w, http.StatusOK, map[string]any{"subscriptionFilters": a.SubscriptionFilters})
		case op == "DescribeKey":
			k, ok := a.Keys[in.KeyId]
			if !ok {
				reply(w, http.StatusBadRequest, map[string]any{"__type": "NotFoundException", "message": "Alias " + in.KeyId + " is not found."})
				return
			}
			metadata := map[string]any{"KeyId": k.ARN[strings.LastIndex(k.ARN, "/")+1:], "Arn": k.ARN, "Enabled": k.State == "Enabled", "KeyState": k.State, "KeyManager": "CUSTOMER"}
			for field, v := range k.Metadata {
				metadata[field] = v
			}
			if !k.Deletion.IsZero() {
				metadata["DeletionDate"] = float64(k.Deletion.Unix())
			}
			reply(w, http.StatusOK, map[string]any{"KeyMetadata": metadata})
		case op == "GetKeyRotationStatus":
			for _, k := range a.Keys {
				if strings.HasSuffix(k.ARN, "/"+in.KeyId) {
					reply(w, http.StatusOK, map[string]any{"KeyRotationEnabled": k.Rotating, "KeyId": k.ARN})
					return
				}
			}
			reply(w, http.StatusBadRequest, map[string]any{"__type": "NotFoundException"})
		case op == "GetKeyPolicy":
			for _, k := range a.Keys {
				if strings.HasSuffix(k.ARN, "/"+in.KeyId) {
					reply(w, http.StatusOK, map[string]any{"Policy": k.Policy, "PolicyName": "default"})
					return
				}
			}
			reply(w, http.StatusBadRequest, map[string]any{"__type": "NotFoundException"})
		case target == "" && r.ParseForm() == nil && r.Form.Get("Action") == "GetTopicAttributes":
			w.Header().Set("Content-Type", "text/xml")
			var policy bytes.Buffer
			xml.EscapeText(&policy, []byte(a.TopicPolicy))
			var attributes strings.Builder
			for k, v := range a.Topic {
				attributes.WriteString("<entry><key>" + k + "</key><value>")
				xml.EscapeText(&attributes, []byte(v))
				attributes.WriteString("</value></entry>")
			}
			fmt.Fprintf(w, `<GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetTopicAttributesResult><Attributes><entry><key>Policy</key><value>%s</value></entry>%s</Attributes></GetTopicAttributesResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetTopicAttributesResponse>`, policy.String(), attributes.String())
		case target == "" && r.Form.Get("Action") == "ListSubscriptionsByTopic":
			w.Header().Set("Content-Type", "text/xml")
			var members strings.Builder
			for i, sub := range a.Subscriptions {
				protocol, endpoint, _ := strings.Cut(sub, " ")
				fmt.Fprintf(&members, `<member><TopicArn>%[1]s</TopicArn><Protocol>%[2]s</Protocol><SubscriptionArn>%[1]s:%08[4]d-0000-0000-0000-000000000000</SubscriptionArn><Owner>111122223333</Owner><Endpoint>%[3]s</Endpoint></member>`, r.Form.Get("TopicArn"), protocol, endpoint, i)
			}
			fmt.Fprintf(w, `<ListSubscriptionsByTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListSubscriptionsByTopicResult><Subscriptions>%s</Subscriptions></ListSubscriptionsByTopicResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListSubscriptionsByTopicResponse>`, members.String())
		case target == "" && r.Form.Get("Action") != "GetCallerIdentity":
			action := r.Form.Get("Action")
			policy := r.Form.Get("PolicyArn")
			name := cmp.Or(r.Form.Get("PolicyName"), r.Form.Get("RoleName"), r.Form.Get("GroupName"), r.Form.Get("UserName"), policy[strings.LastIndex(policy, "/")+1:])
			body, ok := a.IAM[action+" "+name]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>%s %s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, action, name)
				return
			}
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<%[1]sResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><%[1]sResult>%[2]s</%[1]sResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></%[1]sResponse>`, action, body)
		case target == "":
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, a.CallerARN, cmp.Or(a.ID, Example))
		default:
			reply(w, http.StatusBadRequest, map[string]any{"__type": "UnknownOperationException"})
		}
	})
}

// identityCenter answers IAM Identity Center's reads of a permission set
// (JSON 1.1, X-Amz-Target SWBExternalService.<op>), in the API
// Reference's shapes.
func (a *Account) identityCenter(w http.ResponseWriter, op string, in request, reply func(http.ResponseWriter, int, any)) {
	var set *PermissionSet
	var name string
	for n, s := range a.PermissionSets {
		if s.ARN == in.PermissionSetArn {
			set, name = s, n
		}
	}
	if op != "ListPermissionSets" && set == nil {
		reply(w, http.StatusBadRequest, map[string]any{"__type": "ResourceNotFoundException", "Message": "no permission set " + in.PermissionSetArn})
		return
	}
	switch op {
	case "ListPermissionSets":
		arns := []string{}
		for _, s := range a.PermissionSets {
			arns = append(arns, s.ARN)
		}
		slices.Sort(arns)
		reply(w, http.StatusOK, map[string]any{"PermissionSets": arns})
	case "DescribePermissionSet":
		reply(w, http.StatusOK, map[string]any{"PermissionSet": map[string]any{"Name": name, "PermissionSetArn": set.ARN, "SessionDuration": set.SessionDuration, "Description": set.Description}})
	case "GetInlinePolicyForPermissionSet":
		reply(w, http.StatusOK, map[string]any{"InlinePolicy": set.InlinePolicy})
	case "ListManagedPoliciesInPermissionSet":
		managed := []any{}
		for _, arn := range set.Managed {
			managed = append(managed, map[string]any{"Arn": arn, "Name": arn[strings.LastIndex(arn, "/")+1:]})
		}
		reply(w, http.StatusOK, map[string]any{"AttachedManagedPolicies": managed})
	case "ListCustomerManagedPolicyReferencesInPermissionSet":
		refs := []any{}
		for _, r := range set.Customer {
			path, name, _ := strings.Cut(r, "/")
			refs = append(refs, map[string]any{"Path": "/" + path + "/", "Name": name})
		}
		reply(w, http.StatusOK, map[string]any{"CustomerManagedPolicyReferences": refs})
	case "ListAccountAssignments":
		assigned := []any{}
		for _, x := range set.Assignments[in.AccountId] {
			kind, id, _ := strings.Cut(x, " ")
			assigned = append(assigned, map[string]any{"AccountId": in.AccountId, "PermissionSetArn": set.ARN, "PrincipalType": kind, "PrincipalId": id})
		}
		reply(w, http.StatusOK, map[string]any{"AccountAssignments": assigned})
	default:
		reply(w, http.StatusBadRequest, map[string]any{"__type": "UnknownOperationException"})
	}
}

// Package layout is CloudTrail's object layout in its bucket, written
// once: the folders of an account's or an organization's files, and the
// names of log files and digest files. The bucket policies, the checks,
// the access model, verify and validate-logs all take it from here.
//
// Sources (CloudTrail User Guide):
//   - "Finding your CloudTrail log files": log files under
//     [prefix/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
//     <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz, and an
//     organization trail's under AWSLogs/<organization ID>/<account>/,
//     https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html;
//   - "CloudTrail digest file structure": digests under
//     [prefix/]AWSLogs/[<organization ID>/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
//     <account>_CloudTrail-Digest_<region>_<trail>_<home region>_<end>[_backfill].json.gz,
//     https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html.
package layout

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Root is the folder of every account's files: [prefix/]AWSLogs/.
func Root(prefix string) string {
	return strings.TrimPrefix(prefix+"/", "/") + "AWSLogs/"
}

// Owner is the key prefix under which CloudTrail writes the files of an
// account, or of an organization's accounts:
// [prefix/]AWSLogs/<account or organization ID>/.
func Owner(prefix, owner string) string {
	return Root(prefix) + owner + "/"
}

// Account is the folder of one account's files:
// [prefix/]AWSLogs/[<organization ID>/]<account>/ (organization "" for a
// trail of one account).
func Account(prefix, organization, account string) string {
	folder := Root(prefix)
	if organization != "" {
		folder += organization + "/"
	}
	return folder + account + "/"
}

// LogFolder is the folder of an account's log files of a region:
// <Account>/CloudTrail/<region>/.
func LogFolder(prefix, organization, account, region string) string {
	return Account(prefix, organization, account) + "CloudTrail/" + region + "/"
}

// LogKey is the key of a log file delivered at for an account and region,
// unique being the end of its name that tells it from others.
func LogKey(prefix, organization, account, region string, at time.Time, unique string) string {
	at = at.UTC()
	return LogFolder(prefix, organization, account, region) + at.Format("2006/01/02") + "/" +
		fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", account, region, at.Format("20060102T1504Z"), unique)
}

// DigestFolder is the folder of an account's digests of a region:
// <Account>/CloudTrail-Digest/<region>/ (region "": the folder of the
// regions).
func DigestFolder(prefix, organization, account, region string) string {
	folder := Account(prefix, organization, account) + "CloudTrail-Digest/"
	if region != "" {
		folder += region + "/"
	}
	return folder
}

// keyTime is the time format in digest keys.
const keyTime = "20060102T150405Z"

// DigestKey is the key of the digest that the trail, whose home region
// is home, delivers for an account and region at end.
func DigestKey(prefix, organization, account, region, trail, home string, end time.Time) string {
	end = end.UTC()
	return DigestFolder(prefix, organization, account, region) + end.Format("2006/01/02") + "/" +
		fmt.Sprintf("%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz", account, region, trail, home, end.Format(keyTime))
}

// Digest is what a digest's key says of it.
type Digest struct {
	// Prefix and Organization locate its account's folder.
	Prefix, Organization string
	Account, Region      string
	Trail, Home          string
	End                  time.Time
	// Backfill is true for a digest delivered late with log files its
	// hour's digest did not list (the name ends in _backfill).
	Backfill bool
}

// digestFile matches a digest's key under its region's folder.
var digestFile = regexp.MustCompile(`^([0-9]{4}/[0-9]{2}/[0-9]{2})/([0-9]{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z0-9-]+)_([0-9]{8}T[0-9]{6}Z)(_backfill)?\.json\.gz$`)

// ParseDigestKey reads a digest key relative to its region's folder
// (YYYY/MM/DD/<name>); the day folder must be the day of its end time.
// Prefix and Organization are left empty.
func ParseDigestKey(rel string) (Digest, bool) {
	m := digestFile.FindStringSubmatch(rel)
	if m == nil {
		return Digest{}, false
	}
	end, err := time.Parse(keyTime, m[6])
	if err != nil || end.Format("2006/01/02") != m[1] {
		return Digest{}, false
	}
	return Digest{Account: m[2], Region: m[3], Trail: m[4], Home: m[5], End: end, Backfill: m[7] != ""}, true
}

// digestPath matches a digest's whole key.
var digestPath = regexp.MustCompile(`^(?:(.+)/)?AWSLogs/(?:(o-[a-z0-9]{10,32})/)?([0-9]{12})/CloudTrail-Digest/([a-z0-9-]+)/(.+)$`)

// ParseDigestPath reads a digest's whole key, its prefix and organization
// included; false when it is no digest's key.
func ParseDigestPath(key string) (Digest, bool) {
	m := digestPath.FindStringSubmatch(key)
	if m == nil {
		return Digest{}, false
	}
	d, ok := ParseDigestKey(m[5])
	if !ok || d.Account != m[3] || d.Region != m[4] {
		return Digest{}, false
	}
	d.Prefix, d.Organization = m[1], m[2]
	return d, true
}

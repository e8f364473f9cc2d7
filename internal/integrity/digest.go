// Package integrity validates CloudTrail log files and their digest files
// the way CloudTrail documents it, and the way `aws cloudtrail
// validate-logs` does, one digest at a time so that memory does not grow
// with the range.
//
// Sources (CloudTrail User Guide):
//   - "CloudTrail digest file structure": the digest's fields, its
//     location AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
//     <account>_CloudTrail-Digest_<region>_<trail>_<home region>_<end>.json.gz,
//     the signature in the object metadata x-amz-meta-signature (hex), the
//     log files' hashValue ("The hexadecimal encoded hash value of the
//     uncompressed log file content"), previousDigestHashValue (of "the
//     uncompressed contents of the previous digest file"), and the null
//     previous fields of a starting digest:
//     https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html
//   - "Custom implementations of CloudTrail log file integrity validation":
//     the data signing string (end time, S3 path, SHA-256 of the digest,
//     previous signature, one per line) and SHA256withRSA:
//     https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-custom-validation.html
//   - The AWS CLI's implementation (awscli/customizations/cloudtrail/
//     validation.py): the hash is of the uncompressed digest, and a
//     starting digest signs the literal "null" as previous signature.
package integrity

import (
	"compress/gzip"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"
)

// Digest is a digest file's content, as far as validation reads it.
type Digest struct {
	AWSAccountID                string    `json:"awsAccountId"`
	DigestStartTime             string    `json:"digestStartTime"`
	DigestEndTime               string    `json:"digestEndTime"`
	DigestS3Bucket              string    `json:"digestS3Bucket"`
	DigestS3Object              string    `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string    `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string    `json:"digestSignatureAlgorithm"`
	PreviousDigestS3Bucket      *string   `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string   `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string   `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string   `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string   `json:"previousDigestSignature"`
	LogFiles                    []LogFile `json:"logFiles"`
}

// LogFile is one log file a digest lists.
type LogFile struct {
	S3Bucket      string `json:"s3Bucket"`
	S3Object      string `json:"s3Object"`
	HashValue     string `json:"hashValue"`
	HashAlgorithm string `json:"hashAlgorithm"`
}

// required are the keys a digest must have (null allowed), as the AWS CLI
// requires them.
var required = []string{"digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object", "previousDigestSignature", "digestEndTime", "digestStartTime"}

// ParseDigest reads an uncompressed digest file.
func ParseDigest(data []byte) (*Digest, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return nil, err
	}
	for _, k := range required {
		if _, ok := keys[k]; !ok {
			return nil, fmt.Errorf("no %s", k)
		}
	}
	var d Digest
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// StringToSign is the data signing string of a digest whose uncompressed
// content is inflated: "<digestEndTime>\n<bucket>/<key>\n<hex SHA-256 of
// the content>\n<previous signature, or null>".
func (d *Digest) StringToSign(inflated []byte) []byte {
	previous := "null"
	if d.PreviousDigestSignature != nil {
		previous = *d.PreviousDigestSignature
	}
	sum := sha256.Sum256(inflated)
	return []byte(fmt.Sprintf("%s\n%s/%s\n%s\n%s", d.DigestEndTime, d.DigestS3Bucket, d.DigestS3Object, hex.EncodeToString(sum[:]), previous))
}

// Verify checks the hex signature of the digest with key (SHA256withRSA,
// PKCS #1 v1.5).
func (d *Digest) Verify(inflated []byte, signatureHex string, key *rsa.PublicKey) error {
	sig, err := hex.DecodeString(signatureHex)
	if err != nil {
		return fmt.Errorf("the signature is not hexadecimal: %w", err)
	}
	sum := sha256.Sum256(d.StringToSign(inflated))
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig)
}

// PublicKey is a CloudTrail public key: ListPublicKeys returns "The DER
// encoded public key value in PKCS#1 format", with its fingerprint
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PublicKey.html).
type PublicKey struct {
	Fingerprint string
	Value       []byte
}

// RSA parses the key: PKCS #1 DER, else X.509 SubjectPublicKeyInfo DER
// (one of the guide's own samples is in that form), each also when the
// value arrives base64-encoded once more ("The encoding for the binary
// fields for ListPublicKeys is subject to change").
func (k PublicKey) RSA() (*rsa.PublicKey, error) {
	candidates := [][]byte{k.Value}
	if decoded, err := base64.StdEncoding.DecodeString(string(k.Value)); err == nil {
		candidates = append(candidates, decoded)
	}
	for _, der := range candidates {
		if key, err := x509.ParsePKCS1PublicKey(der); err == nil {
			return key, nil
		}
		if key, err := x509.ParsePKIXPublicKey(der); err == nil {
			if rsaKey, ok := key.(*rsa.PublicKey); ok {
				return rsaKey, nil
			}
		}
	}
	return nil, errors.New("not an RSA public key in PKCS #1 or X.509 DER")
}

// MaxInflated is the most a digest file may inflate to: one lists every
// log file of an hour of one region, a few megabytes for the busiest
// account. A larger one (a gzip bomb planted in the bucket) is refused
// before it exhausts memory.
const MaxInflated = 256 << 20

// Inflate reads a gzip stream whole (digest files are small), up to
// MaxInflated bytes.
func Inflate(r io.Reader) ([]byte, error) { return inflate(r, MaxInflated) }

func inflate(r io.Reader, limit int64) ([]byte, error) {
	z, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	data, err := io.ReadAll(io.LimitReader(z, limit+1))
	if err == nil && int64(len(data)) > limit {
		return nil, fmt.Errorf("inflates to more than %d bytes, more than any digest file", limit)
	}
	return data, err
}

// HashInflated returns the hex SHA-256 of the uncompressed content of a
// gzip stream, reading it in pieces.
func HashInflated(r io.Reader) (string, error) {
	z, err := gzip.NewReader(r)
	if err != nil {
		return "", err
	}
	defer z.Close()
	h := sha256.New()
	if _, err := io.Copy(h, z); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// DigestKey is the key of the digest that a trail's home region
// homeRegion delivers for region, for the account, at end, under prefix
// (and the organization's folder, for an organization trail).
func DigestKey(prefix, organization, account, region, trail, homeRegion string, end time.Time) string {
	key := "AWSLogs/"
	if organization != "" {
		key += organization + "/"
	}
	key += fmt.Sprintf("%s/CloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz",
		account, region, end.UTC().Format("2006/01/02"), account, region, trail, homeRegion, end.UTC().Format(keyTime))
	if prefix != "" {
		key = prefix + "/" + key
	}
	return key
}

// keyTime is the time format in digest keys.
const keyTime = "20060102T150405Z"

// DigestFolder is the folder of a region's digests:
// [prefix/]AWSLogs/[organization/]<account>/CloudTrail-Digest/<region>/.
func DigestFolder(prefix, organization, account, region string) string {
	folder := "AWSLogs/"
	if organization != "" {
		folder += organization + "/"
	}
	folder += account + "/CloudTrail-Digest/"
	if region != "" {
		folder += region + "/"
	}
	if prefix != "" {
		folder = prefix + "/" + folder
	}
	return folder
}

// digestName matches a digest key's file name and captures the region,
// trail name, home region, end time and whether it is a backfill digest
// (delivered late with log files its hour's digest did not list).
var digestName = regexp.MustCompile(`/\d{12}_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z0-9-]+)_(\d{8}T\d{6}Z)(_backfill)?\.json\.gz$`)

// digestTime returns the end time and trail of a digest key, and whether
// it is one.
func digestTime(key string) (end time.Time, trail, home string, backfill, ok bool) {
	m := digestName.FindStringSubmatch(key)
	if m == nil {
		return time.Time{}, "", "", false, false
	}
	t, err := time.Parse(keyTime, m[4])
	if err != nil {
		return time.Time{}, "", "", false, false
	}
	return t, m[2], m[3], m[5] != "", true
}

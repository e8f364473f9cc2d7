// Package integrity validates CloudTrail log files and their digest files
// the way CloudTrail documents it, and the way `aws cloudtrail
// validate-logs` does, one digest at a time so that memory does not grow
// with the range.
//
// Sources (CloudTrail User Guide):
//   - "CloudTrail digest file structure": the digest's fields, its
//     location (package layout), the signature in the object metadata x-amz-meta-signature (hex), the
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
	"bufio"
	"bytes"
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

// required are the top-level keys a digest must have, spelled exactly so
// (null allowed), as the AWS CLI requires them.
var required = []string{"digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object", "previousDigestSignature", "digestEndTime", "digestStartTime"}

// ParseDigest reads an uncompressed digest file.
func ParseDigest(data []byte) (*Digest, error) {
	var files []LogFile
	d, _, err := decodeDigest(bytes.NewReader(data), func(f LogFile) { files = append(files, f) })
	if d != nil {
		d.LogFiles = files
	}
	return d, err
}

// decodeDigest reads an uncompressed digest from r, key by key, exactly
// as the structure page spells the keys (encoding/json alone would also
// take "DigestS3Object"), and returns it with the hex SHA-256 of every
// byte read. Each log file listed goes to each as it is read, so that
// memory does not grow with the digest; the Digest's LogFiles stay
// empty.
func decodeDigest(r io.Reader, each func(LogFile)) (*Digest, string, error) {
	h := sha256.New()
	dec := json.NewDecoder(io.TeeReader(r, h))
	d := &Digest{}
	if err := expect(dec, json.Delim('{')); err != nil {
		return nil, "", err
	}
	fields := map[string]any{
		"awsAccountId": &d.AWSAccountID, "digestStartTime": &d.DigestStartTime, "digestEndTime": &d.DigestEndTime,
		"digestS3Bucket": &d.DigestS3Bucket, "digestS3Object": &d.DigestS3Object,
		"digestPublicKeyFingerprint": &d.DigestPublicKeyFingerprint, "digestSignatureAlgorithm": &d.DigestSignatureAlgorithm,
		"previousDigestS3Bucket": &d.PreviousDigestS3Bucket, "previousDigestS3Object": &d.PreviousDigestS3Object,
		"previousDigestHashValue": &d.PreviousDigestHashValue, "previousDigestHashAlgorithm": &d.PreviousDigestHashAlgorithm,
		"previousDigestSignature": &d.PreviousDigestSignature,
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, "", err
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, "", fmt.Errorf("the key %q appears twice", key)
		}
		seen[key] = true
		switch into, known := fields[key]; {
		case known:
			err = dec.Decode(into)
		case key == "logFiles":
			err = decodeLogFiles(dec, each)
		default:
			// Fields this code does not read (newestEventTime and any
			// AWS adds): skipped, and hashed with the rest.
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", key, err)
		}
	}
	if err := expect(dec, json.Delim('}')); err != nil {
		return nil, "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, "", err
		}
		return nil, "", errors.New("data after the digest's JSON object")
	}
	for _, k := range required {
		if !seen[k] {
			return nil, "", fmt.Errorf("no %s", k)
		}
	}
	return d, hex.EncodeToString(h.Sum(nil)), nil
}

// decodeLogFiles reads the logFiles array one entry at a time.
func decodeLogFiles(dec *json.Decoder, each func(LogFile)) error {
	if err := expect(dec, json.Delim('[')); err != nil {
		return err
	}
	for dec.More() {
		var entry map[string]json.RawMessage
		if err := dec.Decode(&entry); err != nil {
			return err
		}
		var f LogFile
		for name, into := range map[string]*string{"s3Bucket": &f.S3Bucket, "s3Object": &f.S3Object, "hashValue": &f.HashValue, "hashAlgorithm": &f.HashAlgorithm} {
			raw, ok := entry[name]
			if !ok {
				return fmt.Errorf("a log file without %s", name)
			}
			if err := json.Unmarshal(raw, into); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		each(f)
	}
	return expect(dec, json.Delim(']'))
}

// expect reads the next token, which must be want.
func expect(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("expected %v, found %v", want, tok)
	}
	return nil
}

// StringToSign is the data signing string of a digest whose uncompressed
// content has the hex SHA-256 contentHash: "<digestEndTime>\n<bucket>/<key>\n
// <contentHash>\n<previous signature, or null>".
func (d *Digest) StringToSign(contentHash string) []byte {
	previous := "null"
	if d.PreviousDigestSignature != nil {
		previous = *d.PreviousDigestSignature
	}
	return []byte(fmt.Sprintf("%s\n%s/%s\n%s\n%s", d.DigestEndTime, d.DigestS3Bucket, d.DigestS3Object, contentHash, previous))
}

// Verify checks the hex signature of the digest whose uncompressed
// content has the hex SHA-256 contentHash, with key (SHA256withRSA,
// PKCS #1 v1.5).
func (d *Digest) Verify(contentHash, signatureHex string, key *rsa.PublicKey) error {
	sig, err := hex.DecodeString(signatureHex)
	if err != nil {
		return fmt.Errorf("the signature is not hexadecimal: %w", err)
	}
	sum := sha256.Sum256(d.StringToSign(contentHash))
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
// log file of an hour of one region, about 300 bytes each, so this is
// room for some 100,000 log files an hour, far more than CloudTrail
// delivers. A larger one (a gzip bomb planted in the bucket) is refused
// as soon as it passes the bound. The bound is also what one digest can
// hold in memory (one JSON value read whole), and one digest is read at
// a time.
const MaxInflated = 32 << 20

// MaxLogInflated is the most a log file may inflate to before it is
// refused: it is hashed as it is read, so this bounds time, not memory.
const MaxLogInflated = 4 << 30

// FormatError is a file that is not in the documented format: not gzip,
// more than one gzip member or data after it, too large once inflated,
// or not a digest's JSON.
type FormatError struct {
	// Reason says what is wrong.
	Reason string
	// Beyond is true for what Debian's AWS CLI 2.9.19 does not refuse:
	// it inflates the first gzip member only and ignores what follows
	// (AWS's CLI refuses data after the first member since 2026, pull
	// requests 10324 and 10326), and it reads any size.
	Beyond bool
}

func (e *FormatError) Error() string { return e.Reason }

// readError is an error of the object's transfer, not of its content: it
// says nothing about the evidence.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// source tags the errors of the transfer (not io.EOF) as readErrors.
type source struct{ r io.Reader }

func (s source) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// member reads the uncompressed content of a gzip stream that must be one
// gzip member and nothing after it, at most limit bytes. Its errors are
// sorted by contentError.
type member struct {
	src      *bufio.Reader
	z        *gzip.Reader
	n, limit int64
	err      error
}

func gunzip(r io.Reader, limit int64) (*member, error) {
	src := bufio.NewReader(source{r})
	z, err := gzip.NewReader(src)
	if err != nil {
		return nil, err
	}
	// One member: Go's reader would otherwise go on into a second one.
	z.Multistream(false)
	return &member{src: src, z: z, limit: limit}, nil
}

func (m *member) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	if room := m.limit - m.n + 1; int64(len(p)) > room {
		p = p[:room]
	}
	k, err := m.z.Read(p)
	m.n += int64(k)
	switch {
	case m.n > m.limit:
		m.err = &FormatError{Reason: "invalid format: inflates past " + size(m.limit), Beyond: true}
	case err == io.EOF:
		if _, after := m.src.ReadByte(); after != io.EOF {
			m.err = after
			if after == nil {
				m.err = &FormatError{Reason: "invalid format: data after the first gzip member", Beyond: true}
			}
			return k, m.err
		}
		m.err = io.EOF
	case err != nil:
		m.err = err
	}
	return k, m.err
}

// size is a number of bytes, in MiB when whole.
func size(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// contentError sorts an error of reading a file: transfer is true for an
// error of the transfer (no verdict on the file); otherwise fe says what
// is wrong with its content ("invalid format" when nothing more precise).
func contentError(err error) (fe *FormatError, transfer bool) {
	var re *readError
	if errors.As(err, &re) {
		return nil, true
	}
	if !errors.As(err, &fe) {
		fe = &FormatError{Reason: "invalid format"}
	}
	return fe, false
}

// Inflate reads a gzip stream whole, up to MaxInflated bytes (for tests
// and small files).
func Inflate(r io.Reader) ([]byte, error) {
	m, err := gunzip(r, MaxInflated)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(m)
}

// ReadDigest reads a gzipped digest file as a stream and returns it with
// the hex SHA-256 of its uncompressed content; each log file it lists
// goes to each as it is read.
func ReadDigest(r io.Reader, each func(LogFile)) (*Digest, string, error) {
	m, err := gunzip(r, MaxInflated)
	if err != nil {
		return nil, "", err
	}
	d, sum, err := decodeDigest(m, each)
	if err != nil {
		if fe, transfer := contentError(err); !transfer {
			return nil, "", fe
		}
		return nil, "", err
	}
	return d, sum, nil
}

// HashInflated returns the hex SHA-256 of the uncompressed content of a
// gzipped log file, reading it in pieces.
func HashInflated(r io.Reader) (string, error) {
	m, err := gunzip(r, MaxLogInflated)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, m); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

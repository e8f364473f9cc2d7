// Package integritytest makes CloudTrail log files and digest chains in
// the documented format, signed with a test RSA key, and the cases that
// validation must catch: a modified or deleted log file, a modified or
// deleted digest, a broken previous-signature link, a digest signed with
// another key, and a digest that names another bucket. Tests of package
// integrity, of the validate-logs command and of the agreement with the
// AWS CLI share them.
package integritytest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cle2wa/audit-trail/internal/integrity"
	"github.com/cle2wa/audit-trail/internal/layout"
)

// Object is a stored object: its body and user metadata.
type Object struct {
	Body []byte
	Meta map[string]string
}

// Bucket is an in-memory bucket that implements integrity.Store.
type Bucket struct {
	mu      sync.Mutex
	Name    string
	Objects map[string]Object
	// Versioned keeps what Put overwrites and Delete hides as noncurrent
	// versions (the log bucket is versioned, under Object Lock).
	Versioned bool
	// noncurrent are each key's earlier versions, oldest first; a nil
	// body is a delete marker.
	noncurrent map[string][]Object
}

// Signer is a region's key pair, as ListPublicKeys would return its
// public half.
type Signer struct {
	Key         *rsa.PrivateKey
	Fingerprint string
	DER         []byte
}

// NewSigner returns a 2048-bit key. Its public half is X.509
// SubjectPublicKeyInfo DER, the form of one of the guide's sample keys and
// the only one the AWS CLI's cryptography library loads (the API Reference
// says PKCS #1; package integrity reads both); its fingerprint is the hex
// MD5 of those bytes, as the fingerprints of the guide's sample keys are.
// Keys come in turn from a pool of at most poolSize, made as first needed
// (making one takes a tenth of a second or more): the signers of one
// chain and any "other" key a test asks for after them are distinct.
func NewSigner() *Signer {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	n := pool.next % poolSize
	pool.next++
	if n == len(pool.signers) {
		pool.signers = append(pool.signers, newSigner())
	}
	return pool.signers[n]
}

// poolSize is how many keys NewSigner hands out in turn.
const poolSize = 16

var pool struct {
	mu      sync.Mutex
	signers []*Signer
	next    int
}

func newSigner() *Signer {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		panic(err)
	}
	sum := md5.Sum(der)
	return &Signer{Key: k, Fingerprint: hex.EncodeToString(sum[:]), DER: der}
}

// Chain writes a trail's files into a bucket.
type Chain struct {
	Bucket                             *Bucket
	Prefix, Account, Trail, HomeRegion string
	// Organization is the organization's ID for an organization trail,
	// whose files are under AWSLogs/<organization ID>/<account ID>/.
	Organization string
	// Signers are each region's key pair.
	Signers map[string]*Signer
	// The last digest of each region, which the next one links to.
	previousSignature, previousKey, previousHash, previousBucket map[string]string
}

// New starts an empty chain for trail in account, whose home region is
// home, writing to a bucket named bucket under prefix.
func New(bucket, prefix, account, trail, home string) *Chain {
	return &Chain{
		Bucket: NewBucket(bucket),
		Prefix: prefix, Account: account, Trail: trail, HomeRegion: home,
		Signers:           map[string]*Signer{},
		previousSignature: map[string]string{}, previousKey: map[string]string{}, previousHash: map[string]string{}, previousBucket: map[string]string{},
	}
}

// Signer returns region's signer, made on first use.
func (c *Chain) Signer(region string) *Signer {
	if c.Signers[region] == nil {
		c.Signers[region] = NewSigner()
	}
	return c.Signers[region]
}

// Hours delivers, for region, one digest per hour from from for hours
// hours, each listing logs log files of that hour, chained to the
// region's last digest (the first one starts a chain).
func (c *Chain) Hours(region string, from time.Time, hours, logs int) []string {
	var keys []string
	for h := 0; h < hours; h++ {
		end := from.Add(time.Duration(h+1) * time.Hour)
		var files []integrity.LogFile
		for i := 0; i < logs; i++ {
			files = append(files, c.log(region, end.Add(-time.Duration(i+1)*time.Minute), i))
		}
		keys = append(keys, c.digest(region, end.Add(-time.Hour), end, files))
	}
	return keys
}

// Move makes the trail deliver to bucket under prefix from now on, as
// UpdateTrail does: the next digest of each region names its predecessor
// where it was.
func (c *Chain) Move(bucket *Bucket, prefix string) {
	c.Bucket, c.Prefix = bucket, prefix
}

// NewBucket is an empty bucket.
func NewBucket(name string) *Bucket { return &Bucket{Name: name, Objects: map[string]Object{}} }

// Buckets are several buckets, one Store.
type Buckets []*Bucket

func (bs Buckets) find(name string) *Bucket {
	for _, b := range bs {
		if b.Name == name {
			return b
		}
	}
	return NewBucket(name)
}

// Folders implements integrity.Store.
func (bs Buckets) Folders(ctx context.Context, bucket, prefix string) ([]string, error) {
	return bs.find(bucket).Folders(ctx, bucket, prefix)
}

// Keys implements integrity.Store.
func (bs Buckets) Keys(ctx context.Context, bucket, prefix, startAfter string, fn func(string) bool) error {
	return bs.find(bucket).Keys(ctx, bucket, prefix, startAfter, fn)
}

// Open implements integrity.Store.
func (bs Buckets) Open(ctx context.Context, bucket, key string) (io.ReadCloser, map[string]string, error) {
	return bs.find(bucket).Open(ctx, bucket, key)
}

// Restart makes the next digest of region a starting digest, as after
// logging was stopped and started again.
func (c *Chain) Restart(region string) {
	delete(c.previousKey, region)
}

func (c *Chain) log(region string, at time.Time, n int) integrity.LogFile {
	key := layout.LogKey(c.Prefix, c.Organization, c.Account, region, at, fmt.Sprintf("%04dEXAMPLE", n))
	content := fmt.Sprintf(`{"Records":[{"eventVersion":"1.09","eventTime":"%s","eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"%s","recipientAccountId":"%s"}]}`,
		at.UTC().Format(time.RFC3339), region, c.Account)
	c.Bucket.Put(key, Gzip(content), nil)
	sum := sha256.Sum256([]byte(content))
	return integrity.LogFile{S3Bucket: c.Bucket.Name, S3Object: key, HashValue: hex.EncodeToString(sum[:]), HashAlgorithm: "SHA-256"}
}

func (c *Chain) digest(region string, start, end time.Time, files []integrity.LogFile) string {
	key := layout.DigestKey(c.Prefix, c.Organization, c.Account, region, c.Trail, c.HomeRegion, end)
	signer := c.Signer(region)
	d := map[string]any{
		"awsAccountId": c.Account, "digestStartTime": start.UTC().Format(time.RFC3339), "digestEndTime": end.UTC().Format(time.RFC3339),
		"digestS3Bucket": c.Bucket.Name, "digestS3Object": key, "digestPublicKeyFingerprint": signer.Fingerprint,
		"digestSignatureAlgorithm": "SHA256withRSA", "newestEventTime": nil, "oldestEventTime": nil,
		"previousDigestS3Bucket": nil, "previousDigestS3Object": nil, "previousDigestHashValue": nil,
		"previousDigestHashAlgorithm": nil, "previousDigestSignature": nil, "logFiles": files,
	}
	if files == nil {
		d["logFiles"] = []integrity.LogFile{}
	}
	if prev, ok := c.previousKey[region]; ok {
		d["previousDigestS3Bucket"], d["previousDigestS3Object"] = c.previousBucket[region], prev
		d["previousDigestHashValue"], d["previousDigestHashAlgorithm"] = c.previousHash[region], "SHA-256"
		d["previousDigestSignature"] = c.previousSignature[region]
	}
	content, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	signature := c.Sign(signer, content)
	c.Bucket.Put(key, Gzip(string(content)), map[string]string{"signature": signature, "signature-algorithm": "SHA256withRSA"})
	sum := sha256.Sum256(content)
	c.previousKey[region], c.previousHash[region], c.previousSignature[region] = key, hex.EncodeToString(sum[:]), signature
	c.previousBucket[region] = c.Bucket.Name
	return key
}

// Sign returns the hex signature of a digest's uncompressed content with
// signer's key, whatever its keys (encoding/json reads them in any case,
// so that a test can sign what CloudTrail would not write).
func (c *Chain) Sign(signer *Signer, content []byte) string {
	var d integrity.Digest
	if err := json.Unmarshal(content, &d); err != nil {
		panic(err)
	}
	contentHash := sha256.Sum256(content)
	sum := sha256.Sum256(d.StringToSign(hex.EncodeToString(contentHash[:])))
	sig, err := rsa.SignPKCS1v15(rand.Reader, signer.Key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(sig)
}

// Edit changes the uncompressed JSON of a digest with change and, when
// resign is true, signs it again (with signer, or the region's own).
func (c *Chain) Edit(key string, change func(map[string]any), resign bool, signer *Signer) {
	o := c.Bucket.Objects[key]
	content, err := integrity.Inflate(bytes.NewReader(o.Body))
	if err != nil {
		panic(err)
	}
	var d map[string]any
	if err := json.Unmarshal(content, &d); err != nil {
		panic(err)
	}
	change(d)
	content, err = json.Marshal(d)
	if err != nil {
		panic(err)
	}
	meta := o.Meta
	if resign {
		if signer == nil {
			d, _ := layout.ParseDigestPath(key)
			signer = c.Signers[d.Region]
		}
		meta = map[string]string{"signature": c.Sign(signer, content), "signature-algorithm": "SHA256withRSA"}
	}
	c.Bucket.Put(key, Gzip(string(content)), meta)
}

// RelinkAfter signs again every digest of chain after the one at index
// i, each linked to the one before it as it now is: the chain as
// CloudTrail would have made it had digest i been delivered so.
func (c *Chain) RelinkAfter(chain []string, i int) {
	for j := i + 1; j < len(chain); j++ {
		c.relink(chain[j], chain[j-1])
	}
}

func (c *Chain) relink(key, previous string) {
	content, err := integrity.Inflate(bytes.NewReader(c.Bucket.Objects[previous].Body))
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(content)
	signature := c.Bucket.Objects[previous].Meta["signature"]
	c.Edit(key, func(d map[string]any) {
		d["previousDigestHashValue"], d["previousDigestSignature"] = hex.EncodeToString(sum[:]), signature
	}, true, nil)
}

// Digest returns the uncompressed digest at key.
func (c *Chain) Digest(key string) *integrity.Digest {
	content, err := integrity.Inflate(bytes.NewReader(c.Bucket.Objects[key].Body))
	if err != nil {
		panic(err)
	}
	d, err := integrity.ParseDigest(content)
	if err != nil {
		panic(err)
	}
	return d
}

// PublicKeys implements integrity.Keys with the chain's signers.
func (c *Chain) PublicKeys(_ context.Context, region string, _, _ time.Time) ([]integrity.PublicKey, error) {
	if s := c.Signers[region]; s != nil {
		return []integrity.PublicKey{{Fingerprint: s.Fingerprint, Value: s.DER}}, nil
	}
	return nil, nil
}

// Put stores an object.
func (b *Bucket) Put(key string, body []byte, meta map[string]string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.keep(key)
	b.Objects[key] = Object{Body: body, Meta: meta}
}

// Delete removes an object (in a versioned bucket, puts a delete marker
// over it).
func (b *Bucket) Delete(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.keep(key)
	delete(b.Objects, key)
}

// keep makes the current version of key noncurrent, in a versioned
// bucket.
func (b *Bucket) keep(key string) {
	if !b.Versioned {
		return
	}
	if b.noncurrent == nil {
		b.noncurrent = map[string][]Object{}
	}
	current, ok := b.Objects[key]
	if !ok {
		current = Object{} // a delete marker
	}
	b.noncurrent[key] = append(b.noncurrent[key], current)
}

// Versions implements integrity.Versions: the noncurrent versions, newest
// first, named v1, v2, ... from the oldest.
func (b *Bucket) Versions(_ context.Context, bucket, key string) ([]integrity.Version, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []integrity.Version
	for i := len(b.noncurrent[key]) - 1; i >= 0; i-- {
		out = append(out, integrity.Version{ID: fmt.Sprintf("v%d", i+1), DeleteMarker: b.noncurrent[key][i].Body == nil})
	}
	return out, nil
}

// OpenVersion implements integrity.Versions.
func (b *Bucket) OpenVersion(_ context.Context, bucket, key, version string) (io.ReadCloser, map[string]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, o := range b.noncurrent[key] {
		if fmt.Sprintf("v%d", i+1) == version && o.Body != nil {
			return io.NopCloser(bytes.NewReader(o.Body)), o.Meta, nil
		}
	}
	return nil, nil, fmt.Errorf("s3://%s/%s?versionId=%s: %w", bucket, key, version, integrity.ErrNotFound)
}

// sorted returns the keys in order.
func (b *Bucket) sorted() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	keys := make([]string, 0, len(b.Objects))
	for k := range b.Objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Folders implements integrity.Store.
func (b *Bucket) Folders(_ context.Context, bucket, prefix string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, k := range b.sorted() {
		if rest, ok := strings.CutPrefix(k, prefix); ok && strings.Contains(rest, "/") {
			name := strings.SplitN(rest, "/", 2)[0]
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// Keys implements integrity.Store.
func (b *Bucket) Keys(_ context.Context, bucket, prefix, startAfter string, fn func(string) bool) error {
	for _, k := range b.sorted() {
		if strings.HasPrefix(k, prefix) && k > startAfter && !fn(k) {
			return nil
		}
	}
	return nil
}

// Open implements integrity.Store.
func (b *Bucket) Open(_ context.Context, bucket, key string) (io.ReadCloser, map[string]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.Objects[key]
	if !ok || bucket != b.Name {
		return nil, nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, integrity.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(o.Body)), o.Meta, nil
}

// Gzip is data as one gzip member, as CloudTrail writes its files.
func Gzip(data string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(data))
	w.Close()
	return b.Bytes()
}

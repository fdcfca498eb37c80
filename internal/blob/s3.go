package blob

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go/aws-http-auth/credentials"
	"github.com/aws/smithy-go/aws-http-auth/sigv4"
	v4 "github.com/aws/smithy-go/aws-http-auth/v4"
)

// S3Config configures an S3 store.
type S3Config struct {
	Endpoint  string // host or host:port, without scheme
	AccessKey string
	SecretKey string
	Bucket    string
	// Prefix, when set, is put with a slash before every key, so that
	// several stores can share one bucket. It must be a valid key.
	Prefix       string
	Region       string // empty: ask the server
	Secure       bool   // use HTTPS
	CreateBucket bool   // create the bucket when it is missing
}

// ParseS3URL parses a store URL of the form
//
//	s3://ACCESS:SECRET@HOST[:PORT]/BUCKET[/PREFIX][?region=R&secure=false&create=true]
//
// Query parameters: region (default: ask the server), secure (HTTPS,
// default true) and create (create a missing bucket, default false).
// Characters such as '/', '@' and ':' in the access key or secret must be
// percent-encoded.
func ParseS3URL(s string) (S3Config, error) {
	cfg, err := parseS3URL(s)
	if err != nil {
		return S3Config{}, fmt.Errorf("blob: parse S3 URL: %w", err)
	}
	return cfg, nil
}

func parseS3URL(s string) (S3Config, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url.Error quotes the URL, secret included; keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return S3Config{}, err
	}
	if u.Scheme != "s3" {
		return S3Config{}, fmt.Errorf("scheme %q, want s3", u.Scheme)
	}
	if u.Host == "" {
		return S3Config{}, errors.New("no host")
	}
	secret, ok := u.User.Password()
	if u.User == nil || u.User.Username() == "" || !ok {
		return S3Config{}, fmt.Errorf("%s: no ACCESS:SECRET@ credentials", u.Redacted())
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	prefix = strings.TrimSuffix(prefix, "/")
	if bucket == "" {
		return S3Config{}, fmt.Errorf("%s: no bucket", u.Redacted())
	}
	if prefix != "" && !ValidKey(prefix) {
		return S3Config{}, fmt.Errorf("%s: key prefix %q: %w", u.Redacted(), prefix, ErrBadKey)
	}
	cfg := S3Config{
		Endpoint:  u.Host,
		AccessKey: u.User.Username(),
		SecretKey: secret,
		Bucket:    bucket,
		Prefix:    prefix,
		Secure:    true,
	}
	for name, vals := range u.Query() {
		v := vals[len(vals)-1]
		switch name {
		case "region":
			cfg.Region = v
		case "secure", "create":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return S3Config{}, fmt.Errorf("%s: %s=%q: want true or false", u.Redacted(), name, v)
			}
			if name == "secure" {
				cfg.Secure = b
			} else {
				cfg.CreateBucket = b
			}
		default:
			return S3Config{}, fmt.Errorf("%s: unknown parameter %q (want region, secure or create)", u.Redacted(), name)
		}
	}
	return cfg, nil
}

// S3 is a Store in a bucket of an S3-compatible object store (AWS S3,
// MinIO, versitygw, Ceph RGW, R2, …), spoken to with S3's REST API and
// AWS Signature Version 4 (signed by the AWS signing module). Objects are
// named by their keys, after S3Config.Prefix if set; Put is atomic because
// S3 makes a new object visible only once it is complete.
type S3 struct {
	client   *http.Client
	signer   *sigv4.Signer
	creds    credentials.Credentials
	scheme   string
	endpoint string // host[:port]
	bucket   string
	virtual  bool   // address the bucket as a host name (AWS) instead of a path
	prefix   string // "" or ending in "/"
	create   bool   // create the bucket when it is missing

	mu     sync.Mutex
	region string // "" until asked of the server
}

var _ Store = (*S3)(nil)

// s3PartSize is the part size of multipart uploads, and so about the
// memory that one Put of a large or unsized file buffers.
const s3PartSize = 8 << 20

// s3DeleteBatch is how many keys one multi-object delete names (S3's most).
const s3DeleteBatch = 1000

// s3ErrorBody bounds how much of an error reply is read.
const s3ErrorBody = 64 << 10

// NewS3 connects to the bucket that cfg describes and checks that it
// exists, creating it if it does not and cfg.CreateBucket is set. A
// server that cannot be reached is not an error here (see Check).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Prefix != "" && !ValidKey(cfg.Prefix) {
		return nil, fmt.Errorf("blob: s3 key prefix %q: %w", cfg.Prefix, ErrBadKey)
	}
	s := &S3{
		client: &http.Client{
			Transport: s3Transport(),
			// S3 answers a request to the wrong region or host with a
			// redirect that must not be followed with this signature.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		signer: sigv4.New(func(o *v4.SignerOptions) {
			o.DisableDoublePathEscape = true
			o.AddPayloadHashHeader = true
		}),
		creds:    credentials.Credentials{AccessKeyID: cfg.AccessKey, SecretAccessKey: cfg.SecretKey},
		scheme:   "http",
		endpoint: cfg.Endpoint,
		bucket:   cfg.Bucket,
		region:   cfg.Region,
		create:   cfg.CreateBucket,
	}
	if cfg.Secure {
		s.scheme = "https"
	}
	// AWS wants buckets named as hosts; a dotted name would not match
	// its certificate, and other servers take the bucket in the path.
	host, _, _ := strings.Cut(cfg.Endpoint, ":")
	s.virtual = strings.HasSuffix(host, ".amazonaws.com") && !strings.Contains(cfg.Bucket, ".")
	// A server that does not answer now is an outage, not a bad setting
	// (as far as can be told): the store is usable once it is back, and
	// Check says when (creating the bucket then, if asked to).
	if err := s.ensureBucket(ctx); err != nil && !transient(err) {
		return nil, err
	}
	if cfg.Prefix != "" {
		s.prefix = cfg.Prefix + "/"
	}
	return s, nil
}

// ensureBucket checks that the bucket exists, creating it if it does not
// and the store was asked to.
func (s *S3) ensureBucket(ctx context.Context) error {
	exists, err := s.bucketExists(ctx)
	if err != nil {
		return fmt.Errorf("blob: s3 bucket %q at %s: %w", s.bucket, s.endpoint, err)
	}
	if !exists {
		if !s.create {
			return fmt.Errorf("blob: s3 bucket %q at %s does not exist (create it, or add create=true to the URL)", s.bucket, s.endpoint)
		}
		if err := s.makeBucket(ctx); err != nil && errorCode(err) != "BucketAlreadyOwnedByYou" {
			return fmt.Errorf("blob: s3 create bucket %q at %s: %w", s.bucket, s.endpoint, err)
		}
	}
	return nil
}

func (s *S3) bucketExists(ctx context.Context) (bool, error) {
	resp, err := s.send(ctx, http.MethodHead, "", nil, nil, nil)
	if err != nil {
		if errorCode(err) == "NoSuchBucket" {
			return false, nil
		}
		return false, err
	}
	resp.Body.Close()
	return true, nil
}

func (s *S3) makeBucket(ctx context.Context) error {
	region, err := s.regionOf(ctx)
	if err != nil {
		return err
	}
	var body []byte
	if region != "us-east-1" {
		body, _ = xml.Marshal(struct {
			XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CreateBucketConfiguration"`
			Location string   `xml:"LocationConstraint"`
		}{Location: region})
	}
	return s.call(ctx, http.MethodPut, "", nil, body, nil, nil)
}

// regionOf is the bucket's region: the configured one, else the one the
// server says (GetBucketLocation, asked once), us-east-1 for a bucket
// that is not there yet.
func (s *S3) regionOf(ctx context.Context) (string, error) {
	s.mu.Lock()
	region := s.region
	s.mu.Unlock()
	if region != "" {
		return region, nil
	}
	var loc struct {
		Location string `xml:",chardata"`
	}
	err := s.callAs(ctx, "us-east-1", http.MethodGet, "", url.Values{"location": {""}}, nil, nil, &loc)
	switch {
	case errorCode(err) == "NoSuchBucket":
		return "us-east-1", nil
	case err != nil:
		return "", fmt.Errorf("bucket location: %w", err)
	}
	region = strings.TrimSpace(loc.Location)
	switch region {
	case "":
		region = "us-east-1"
	case "EU":
		region = "eu-west-1"
	}
	s.mu.Lock()
	s.region = region
	s.mu.Unlock()
	return region, nil
}

// s3Error turns S3's "no such key" into ErrNotFound.
func s3Error(err error) error {
	if errorCode(err) == "NoSuchKey" {
		return ErrNotFound
	}
	return err
}

// s3Reply is an S3 request that failed: the server's status, and its
// error code and message when its reply had them.
type s3Reply struct {
	Status  int
	Code    string
	Message string
}

func (e *s3Reply) Error() string {
	msg := e.Code
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return fmt.Sprintf("s3: %s (HTTP %d)", msg, e.Status)
}

// errorCode is S3's error code of err ("NoSuchKey", "SlowDown", …), or "".
func errorCode(err error) string {
	var r *s3Reply
	if errors.As(err, &r) {
		return r.Code
	}
	return ""
}

// objectURL is the address of key in the bucket ("" for the bucket).
// Keys and bucket names are plain ASCII (ValidKey), so they need no
// escaping.
func (s *S3) objectURL(key string, query url.Values) *url.URL {
	u := &url.URL{Scheme: s.scheme, Host: s.endpoint, Path: "/" + s.bucket + "/" + key}
	if s.virtual {
		u.Host, u.Path = s.bucket+"."+s.endpoint, "/"+key
	}
	if key == "" && !s.virtual {
		u.Path = "/" + s.bucket
	}
	u.RawQuery = encodeQuery(query)
	return u
}

// encodeQuery writes query the way SigV4 reads it: sorted, with every
// byte but A–Z a–z 0–9 - _ . ~ escaped (a space as %20, not +).
func encodeQuery(query url.Values) string {
	return strings.ReplaceAll(query.Encode(), "+", "%20")
}

// send signs and sends one request; body, if not nil, is its whole
// payload. A reply of 300 or more is returned as an *s3Reply error.
func (s *S3) send(ctx context.Context, method, key string, query url.Values, body []byte, header http.Header) (*http.Response, error) {
	region, err := s.regionOf(ctx)
	if err != nil {
		return nil, err
	}
	return s.sendAs(ctx, region, method, key, query, body, header)
}

func (s *S3) sendAs(ctx context.Context, region, method, key string, query url.Values, body []byte, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.objectURL(key, query).String(), nil)
	if err != nil {
		return nil, err
	}
	if len(body) > 0 {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	req.ContentLength = int64(len(body))
	for k, v := range header {
		req.Header[k] = v
	}
	hash := sha256.Sum256(body)
	if err := s.signer.SignRequest(&sigv4.SignRequestInput{
		Request: req, PayloadHash: hash[:], Credentials: s.creds, Service: "s3", Region: region,
	}); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, replyError(resp, key == "")
	}
	return resp, nil
}

// replyError reads S3's error reply. A reply without a body (to a HEAD)
// is named by its status, and its request: of the bucket, or of an object.
func replyError(resp *http.Response, ofBucket bool) error {
	r := &s3Reply{Status: resp.StatusCode}
	var doc struct {
		Code    string
		Message string
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, s3ErrorBody))
	if xml.Unmarshal(data, &doc) == nil {
		r.Code, r.Message = doc.Code, doc.Message
	}
	if r.Code == "" {
		switch resp.StatusCode {
		case http.StatusNotFound:
			r.Code = "NoSuchKey"
			if ofBucket {
				r.Code = "NoSuchBucket"
			}
		case http.StatusServiceUnavailable:
			r.Code = "ServiceUnavailable"
		default:
			r.Code = strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
		}
	}
	return r
}

// call sends one request and decodes its XML reply into out, if not nil.
func (s *S3) call(ctx context.Context, method, key string, query url.Values, body []byte, header http.Header, out any) error {
	region, err := s.regionOf(ctx)
	if err != nil {
		return err
	}
	return s.callAs(ctx, region, method, key, query, body, header, out)
}

func (s *S3) callAs(ctx context.Context, region, method, key string, query url.Values, body []byte, header http.Header, out any) error {
	resp, err := s.sendAs(ctx, region, method, key, query, body, header)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, err := io.Copy(io.Discard, io.LimitReader(resp.Body, s3ErrorBody))
		return err
	}
	// Some replies (CompleteMultipartUpload) are an error despite the 200.
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	var probe struct{ XMLName xml.Name }
	if xml.Unmarshal(data, &probe) == nil && probe.XMLName.Local == "Error" {
		return replyError(&http.Response{StatusCode: resp.StatusCode, Body: io.NopCloser(bytes.NewReader(data))}, key == "")
	}
	if err := xml.Unmarshal(data, out); err != nil {
		return fmt.Errorf("s3 reply to %s: %w", method, err)
	}
	return nil
}

// Put implements Store: one PUT of a file up to 8 MiB, else a multipart
// upload in parts of 8 MiB (read one at a time, so one Put buffers at
// most a part).
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if !ValidKey(key) {
		return fmt.Errorf("blob: put %q: %w", key, ErrBadKey)
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	if err := s.put(ctx, s.prefix+key, r, size, contentType); err != nil {
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	return nil
}

func (s *S3) put(ctx context.Context, name string, r io.Reader, size int64, contentType string) error {
	if size >= 0 {
		r = io.LimitReader(r, size)
	}
	src := &sourceReader{r: r, size: size}
	bufSize := int64(s3PartSize)
	if size >= 0 {
		bufSize = min(size, s3PartSize)
	}
	buf := make([]byte, bufSize)
	n, err := readPart(src, buf)
	if err != nil {
		return err
	}
	header := http.Header{"Content-Type": {contentType}}
	if n < s3PartSize || size == s3PartSize {
		return s.call(ctx, http.MethodPut, name, nil, buf[:n], header, nil)
	}
	return s.multipart(ctx, name, src, buf, header)
}

// readPart fills buf from r as far as r goes: it returns fewer bytes than
// len(buf) only at the end of r, and no error then.
func readPart(r io.Reader, buf []byte) (int, error) {
	n, err := io.ReadFull(r, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	return n, err
}

// multipart uploads first and the rest of src as the parts of one
// object, and aborts the upload if any part fails.
func (s *S3) multipart(ctx context.Context, name string, src io.Reader, first []byte, header http.Header) (err error) {
	var started struct {
		UploadID string `xml:"UploadId"`
	}
	if err := s.call(ctx, http.MethodPost, name, url.Values{"uploads": {""}}, nil, header, &started); err != nil {
		return fmt.Errorf("start multipart upload: %w", err)
	}
	upload := url.Values{"uploadId": {started.UploadID}}
	defer func() {
		if err != nil {
			abort, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_ = s.call(abort, http.MethodDelete, name, upload, nil, nil, nil)
		}
	}()
	type part struct {
		Number int    `xml:"PartNumber"`
		ETag   string `xml:"ETag"`
	}
	var parts []part
	buf := first
	for n := 1; len(buf) > 0; n++ {
		q := url.Values{"uploadId": {started.UploadID}, "partNumber": {strconv.Itoa(n)}}
		resp, err := s.send(ctx, http.MethodPut, name, q, buf, nil)
		if err != nil {
			return fmt.Errorf("part %d: %w", n, err)
		}
		resp.Body.Close()
		parts = append(parts, part{n, resp.Header.Get("ETag")})
		got, err := readPart(src, first[:cap(first)])
		if err != nil {
			return err
		}
		buf = first[:got]
	}
	done, _ := xml.Marshal(struct {
		XMLName xml.Name `xml:"CompleteMultipartUpload"`
		Parts   []part   `xml:"Part"`
	}{Parts: parts})
	var result struct{ ETag string }
	if err := s.call(ctx, http.MethodPost, name, upload, done, nil, &result); err != nil {
		return fmt.Errorf("complete multipart upload: %w", err)
	}
	return nil
}

// sourceReader reads a Put's data and turns an EOF before size bytes
// into a short-body error.
type sourceReader struct {
	r    io.Reader
	size int64 // -1 if unknown
	n    int64
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if err == io.EOF && s.size >= 0 && s.n < s.size {
		err = shortBody(s.n, s.size)
	}
	return n, err
}

// Get implements Store. The returned reader streams the object from a
// single GET request, so it reads one version whole even while the key is
// overwritten.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if !ValidKey(key) {
		return nil, Info{}, fmt.Errorf("blob: get %q: %w", key, ErrBadKey)
	}
	resp, err := s.send(ctx, http.MethodGet, s.prefix+key, nil, nil, nil)
	if err != nil {
		return nil, Info{}, fmt.Errorf("blob: get %q: %w", key, s3Error(err))
	}
	return resp.Body, s.info(key, resp), nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if !ValidKey(key) {
		return Info{}, fmt.Errorf("blob: stat %q: %w", key, ErrBadKey)
	}
	resp, err := s.send(ctx, http.MethodHead, s.prefix+key, nil, nil, nil)
	if err != nil {
		return Info{}, fmt.Errorf("blob: stat %q: %w", key, s3Error(err))
	}
	resp.Body.Close()
	return s.info(key, resp), nil
}

func (s *S3) info(key string, resp *http.Response) Info {
	modTime, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
	size, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	if err != nil {
		size = resp.ContentLength
	}
	return Info{Key: key, Size: size, ContentType: resp.Header.Get("Content-Type"), ModTime: modTime}
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("blob: delete %q: %w", key, ErrBadKey)
	}
	if err := s.call(ctx, http.MethodDelete, s.prefix+key, nil, nil, nil, nil); err != nil && errorCode(err) != "NoSuchKey" {
		return fmt.Errorf("blob: delete %q: %w", key, err)
	}
	return nil
}

// DeletePrefix implements Store: it lists the objects under prefix and
// removes them in batches (multi-object delete). Objects whose names are
// not valid keys are removed too.
func (s *S3) DeletePrefix(ctx context.Context, prefix string) error {
	if err := s.deletePrefix(ctx, prefix); err != nil {
		return fmt.Errorf("blob: delete prefix %q: %w", prefix, err)
	}
	return nil
}

func (s *S3) deletePrefix(ctx context.Context, prefix string) error {
	p, err := checkPrefix(prefix, false)
	if err != nil {
		return err
	}
	batch := make([]string, 0, s3DeleteBatch)
	err = s.list(ctx, s.prefix+p+"/", func(o s3Object) error {
		if batch = append(batch, o.Key); len(batch) == s3DeleteBatch {
			err := s.deleteObjects(ctx, batch)
			batch = batch[:0]
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.deleteObjects(ctx, batch)
}

// deleteObjects removes the named objects in one multi-object delete.
func (s *S3) deleteObjects(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	type object struct {
		Key string
	}
	req := struct {
		XMLName xml.Name `xml:"Delete"`
		Quiet   bool
		Objects []object `xml:"Object"`
	}{Quiet: true}
	for _, n := range names {
		req.Objects = append(req.Objects, object{n})
	}
	body, err := xml.Marshal(req)
	if err != nil {
		return err
	}
	sum := md5.Sum(body) // S3 requires Content-MD5 on a multi-object delete
	var result struct {
		Errors []struct {
			Key     string
			Code    string
			Message string
		} `xml:"Error"`
	}
	header := http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString(sum[:])}, "Content-Type": {"application/xml"}}
	if err := s.call(ctx, http.MethodPost, "", url.Values{"delete": {""}}, body, header, &result); err != nil {
		return err
	}
	for _, e := range result.Errors {
		if e.Code != "NoSuchKey" {
			return fmt.Errorf("remove %q: %w", e.Key, &s3Reply{Status: http.StatusOK, Code: e.Code, Message: e.Message})
		}
	}
	return nil
}

// s3Object is one object of a listing.
type s3Object struct {
	Key          string
	Size         int64
	LastModified time.Time
}

// list calls fn for every object whose name starts with prefix, in
// lexical order (ListObjectsV2, a page of up to 1000 at a time).
func (s *S3) list(ctx context.Context, prefix string, fn func(s3Object) error) error {
	token := ""
	for {
		q := url.Values{"list-type": {"2"}, "prefix": {prefix}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		var page struct {
			Contents              []s3Object
			IsTruncated           bool
			NextContinuationToken string
		}
		if err := s.call(ctx, http.MethodGet, "", q, nil, nil, &page); err != nil {
			return err
		}
		for _, o := range page.Contents {
			if err := fn(o); err != nil {
				return err
			}
		}
		if !page.IsTruncated || page.NextContinuationToken == "" {
			return nil
		}
		token = page.NextContinuationToken
	}
}

// List implements Store. Objects whose names are not valid keys are
// skipped. Keys come in lexical order.
func (s *S3) List(ctx context.Context, prefix string, fn func(Info) error) error {
	p, err := checkPrefix(prefix, true)
	if err != nil {
		return fmt.Errorf("blob: list %q: %w", prefix, err)
	}
	if p != "" {
		p += "/"
	}
	var fnErr error
	err = s.list(ctx, s.prefix+p, func(o s3Object) error {
		key := strings.TrimPrefix(o.Key, s.prefix)
		if !ValidKey(key) {
			return nil
		}
		fnErr = fn(Info{Key: key, Size: o.Size, ModTime: o.LastModified})
		return fnErr
	})
	if err != nil && err == fnErr {
		return err
	}
	if err != nil {
		return fmt.Errorf("blob: list %q: %w", prefix, err)
	}
	return nil
}

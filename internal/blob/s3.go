package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
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
// MinIO, versitygw, Ceph RGW, R2, …). Objects are named by their keys,
// after S3Config.Prefix if set; Put is atomic because S3 makes a new
// object visible only once it is complete.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
	region string
	create bool // create the bucket when it is missing
}

var _ Store = (*S3)(nil)

// s3PartSize is the part size of multipart uploads, and so about the
// memory that one Put of a large or unsized file buffers.
const s3PartSize = 8 << 20

// NewS3 connects to the bucket that cfg describes and checks that it
// exists, creating it if it does not and cfg.CreateBucket is set. A
// server that cannot be reached is not an error here (see Check).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Prefix != "" && !ValidKey(cfg.Prefix) {
		return nil, fmt.Errorf("blob: s3 key prefix %q: %w", cfg.Prefix, ErrBadKey)
	}
	transport, err := s3Transport(cfg.Secure)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 client for %s: %w", cfg.Endpoint, err)
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     cfg.Secure,
		Region:     cfg.Region,
		Transport:  transport,
		MaxRetries: s3MaxRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 client for %s: %w", cfg.Endpoint, err)
	}
	s := &S3{client: client, bucket: cfg.Bucket, region: cfg.Region, create: cfg.CreateBucket}
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
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blob: s3 bucket %q at %s: %w", s.bucket, s.client.EndpointURL().Host, err)
	}
	if !exists {
		if !s.create {
			return fmt.Errorf("blob: s3 bucket %q at %s does not exist (create it, or add create=true to the URL)", s.bucket, s.client.EndpointURL().Host)
		}
		err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
		if code := minio.ToErrorResponse(err).Code; err != nil && code != "BucketAlreadyOwnedByYou" {
			return fmt.Errorf("blob: s3 create bucket %q at %s: %w", s.bucket, s.client.EndpointURL().Host, err)
		}
	}
	return nil
}

// s3Error turns S3's "no such key" into ErrNotFound.
func s3Error(err error) error {
	if minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return ErrNotFound
	}
	return err
}

// Put implements Store with one PutObject, uploaded in parts of 8 MiB
// when the file is larger or its size unknown.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if !ValidKey(key) {
		return fmt.Errorf("blob: put %q: %w", key, ErrBadKey)
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	// minio-go retries failed requests, which cannot help when r itself
	// fails or ends early; canceling the context stops the retries.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	src := &sourceReader{r: r, size: size, cancel: cancel}
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, src, size, minio.PutObjectOptions{
		ContentType: contentType,
		PartSize:    s3PartSize,
	})
	if src.err != nil {
		err = src.err
	}
	if err != nil {
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	return nil
}

// sourceReader reads a Put's data, and on a read error, or an EOF before
// size bytes, records the error and cancels the upload.
type sourceReader struct {
	r      io.Reader
	size   int64 // -1 if unknown
	n      int64
	err    error
	cancel context.CancelCauseFunc
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if err == io.EOF && s.size >= 0 && s.n < s.size {
		err = shortBody(s.n, s.size)
	}
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
		s.cancel(err)
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
	// minio.Client.GetObject would send a HEAD, then a GET that fails if
	// the object changed in between; Core.GetObject sends just the GET.
	body, oi, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, fmt.Errorf("blob: get %q: %w", key, s3Error(err))
	}
	return body, s.info(key, oi), nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if !ValidKey(key) {
		return Info{}, fmt.Errorf("blob: stat %q: %w", key, ErrBadKey)
	}
	oi, err := s.client.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("blob: stat %q: %w", key, s3Error(err))
	}
	return s.info(key, oi), nil
}

func (s *S3) info(key string, oi minio.ObjectInfo) Info {
	return Info{Key: key, Size: oi.Size, ContentType: oi.ContentType, ModTime: oi.LastModified}
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("blob: delete %q: %w", key, ErrBadKey)
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil {
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing if removal fails
	var listErr error
	objects := func(yield func(minio.ObjectInfo) bool) {
		opts := minio.ListObjectsOptions{Prefix: s.prefix + p + "/", Recursive: true}
		for oi := range s.client.ListObjectsIter(ctx, s.bucket, opts) {
			if oi.Err != nil {
				listErr = oi.Err
				return
			}
			if !yield(oi) {
				return
			}
		}
	}
	results, err := s.client.RemoveObjectsWithIter(ctx, s.bucket, objects, minio.RemoveObjectsOptions{})
	if err != nil {
		return err
	}
	for res := range results {
		if res.Err != nil {
			return fmt.Errorf("remove %q: %w", res.ObjectName, res.Err)
		}
	}
	if listErr != nil {
		return listErr
	}
	return ctx.Err()
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when fn fails
	opts := minio.ListObjectsOptions{Prefix: s.prefix + p, Recursive: true}
	for oi := range s.client.ListObjectsIter(ctx, s.bucket, opts) {
		if oi.Err != nil {
			return fmt.Errorf("blob: list %q: %w", prefix, oi.Err)
		}
		key := strings.TrimPrefix(oi.Key, s.prefix)
		if !ValidKey(key) {
			continue
		}
		if err := fn(Info{Key: key, Size: oi.Size, ModTime: oi.LastModified}); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: list %q: %w", prefix, err)
	}
	return nil
}

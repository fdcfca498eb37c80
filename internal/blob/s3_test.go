package blob

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/s3test"
)

func TestS3(t *testing.T) {
	const access, secret = s3test.Access, s3test.Secret
	addr := s3test.Start(t).Addr
	var buckets atomic.Int64
	newStore := func(t *testing.T) Store {
		url := fmt.Sprintf("s3://%s:%s@%s/pv-test-%d?region=us-east-1&secure=false&create=true",
			access, secret, addr, buckets.Add(1))
		s, err := Open(t.Context(), url, "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	testStore(t, newStore)

	t.Run("Prefix", func(t *testing.T) {
		// Two stores in one bucket under different prefixes do not see each other.
		url := func(prefix string) string {
			return fmt.Sprintf("s3://%s:%s@%s/pv-shared/%s?secure=false&create=true", access, secret, addr, prefix)
		}
		a, err := Open(t.Context(), url("a"), "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := Open(t.Context(), url("b/c"), "")
		if err != nil {
			t.Fatal(err)
		}
		put(t, a, "1/x", "in a", "")
		put(t, b, "1/x", "in b", "")
		if data, _ := get(t, a, "1/x"); data != "in a" {
			t.Errorf("a: Get = %q", data)
		}
		if err := b.DeletePrefix(t.Context(), "1"); err != nil {
			t.Fatal(err)
		}
		if got := list(t, a, ""); len(got) != 1 || got[0] != "1/x" {
			t.Errorf("a after b's DeletePrefix: List = %q", got)
		}
		if got := list(t, b, ""); len(got) != 0 {
			t.Errorf("b after DeletePrefix: List = %q", got)
		}
	})

	t.Run("MissingBucket", func(t *testing.T) {
		url := fmt.Sprintf("s3://%s:%s@%s/pv-missing?secure=false", access, secret, addr)
		if _, err := Open(t.Context(), url, ""); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("Open of a missing bucket without create: %v", err)
		}
	})

	t.Run("WrongSecret", func(t *testing.T) {
		url := fmt.Sprintf("s3://%s:wrong-secret@%s/pv-test-1?secure=false", access, addr)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if _, err := Open(ctx, url, ""); err == nil {
			t.Error("Open with a wrong secret succeeded")
		} else if strings.Contains(err.Error(), "wrong-secret") {
			t.Errorf("error shows the secret: %v", err)
		}
	})
}

// FuzzS3Reply feeds arbitrary bytes to the readers of S3's replies: an
// error reply, and a 200 reply that may be an error or a listing. None
// may panic, and an error reply always gives an *s3Reply with its status.
func FuzzS3Reply(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist</Message></Error>`))
	f.Add([]byte(`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><Contents><Key>1/a</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified><Size>434234</Size></Contents></ListBucketResult>`))
	f.Add([]byte(`<DeleteResult><Error><Key>1/x</Key><Code>AccessDenied</Code><Message>no</Message></Error></DeleteResult>`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		err := replyError(&http.Response{StatusCode: 503, Body: io.NopCloser(bytes.NewReader(data))}, false)
		var r *s3Reply
		if !errors.As(err, &r) || r.Status != 503 || r.Code == "" {
			t.Fatalf("replyError = %#v", err)
		}
		var page struct {
			Contents    []s3Object
			IsTruncated bool
		}
		_ = xml.Unmarshal(data, &page)
	})
}

package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/s3test"
)

// TestSpoolKeepsUploadsThroughAnOutage: while S3 is down, PutSafe keeps
// an upload on local disk (readable at once by this server), a restart
// finds it again, and once S3 is back Run moves it there byte for byte;
// a file deleted meanwhile is not brought back.
func TestSpoolKeepsUploadsThroughAnOutage(t *testing.T) {
	srv := s3test.Start(t)
	ctx := t.Context()
	s3, err := Open(ctx, srv.URL("pv-spool"), "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sp, err := NewSpool(NewGuard(s3, GuardOptions{}), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if spooled, err := PutSafe(ctx, sp, "1/uploads/a/0", bytes.NewReader([]byte("up")), -1, ""); err != nil || spooled {
		t.Fatalf("PutSafe with S3 up: spooled %v, %v", spooled, err)
	}
	if n, _ := sp.Waiting(); n != 0 {
		t.Fatalf("%d files spooled with S3 up", n)
	}

	srv.Stop()
	data := make([]byte, 9<<20+123) // more than one 8 MiB part
	for i := range data {
		data[i] = byte(rand.IntN(256))
	}
	spooled, err := PutSafe(ctx, sp, "1/uploads/b/0", bytes.NewReader(data), -1, "application/zip")
	if err != nil || !spooled {
		t.Fatalf("PutSafe with S3 down: spooled %v, %v", spooled, err)
	}
	if got, info := get(t, sp, "1/uploads/b/0"); got != string(data) || info.Size != int64(len(data)) {
		t.Errorf("Get of the spooled file: %d bytes, %+v", len(got), info)
	}
	if _, err := PutSafe(ctx, sp, "1/uploads/c/0", bytes.NewReader([]byte("deleted soon")), -1, ""); err != nil {
		t.Fatal(err)
	}
	if err := sp.Delete(ctx, "1/uploads/c/0"); !Unavailable(err) {
		t.Errorf("Delete with S3 down: %v", err)
	}
	if _, err := PutSafe(ctx, sp, "1/uploads/d/0", &errReader{n: 10}, -1, ""); err == nil || Unavailable(err) {
		t.Errorf("PutSafe of a broken upload with S3 down: %v, want the reader's error", err)
	}
	if n, size := sp.Waiting(); n != 1 || size != int64(len(data)) {
		t.Fatalf("spool holds %d files, %d bytes; want the one upload", n, size)
	}
	if _, err := sp.Flush(ctx); !Unavailable(err) {
		t.Errorf("Flush with S3 down: %v", err)
	}
	// Another app server has no copy: the file is not there for it yet.
	if _, _, err := NewGuard(s3, GuardOptions{}).Get(ctx, "1/uploads/b/0"); !Unavailable(err) {
		t.Errorf("another server's Get while S3 is down: %v", err)
	}

	// The process restarts: the spool is found again.
	sp, err = NewSpool(NewGuard(s3, GuardOptions{}), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go sp.Run(runCtx)
	for t0 := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if n, _ := sp.Waiting(); n == 0 {
			break
		}
		if time.Since(t0) > 20*time.Second {
			t.Fatal("spooled file not moved 20 s after S3 came back")
		}
	}
	rc, _, err := s3.Get(ctx, "1/uploads/b/0")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("S3 holds %d bytes, want the %d uploaded", len(got), len(data))
	}
	if _, err := s3.Stat(ctx, "1/uploads/c/0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the file deleted during the outage: %v, want not found", err)
	}
}

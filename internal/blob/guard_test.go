package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/s3test"
)

func TestGuardLocal(t *testing.T) {
	testStore(t, func(t *testing.T) Store {
		l, err := NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return NewGuard(l, GuardOptions{})
	})
}

// outcomes records what a Guard reports to its Observe hook.
type outcomes struct {
	mu  sync.Mutex
	got map[string]int
}

func (o *outcomes) observe(op string, _ time.Duration, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.got == nil {
		o.got = map[string]int{}
	}
	o.got[op+" "+outcome]++
}

func (o *outcomes) n(key string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.got[key]
}

// TestGuardS3Outage: with the S3 server stopped, a Guard answers
// ErrUnavailable (never "not found") within a second, refuses at once
// once the circuit is open, reports the outage in Check, and when the
// server is back the first Check closes the circuit and every file is
// still there.
func TestGuardS3Outage(t *testing.T) {
	srv := s3test.Start(t)
	ctx := t.Context()
	s3, err := Open(ctx, srv.URL("pv-guard"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Conformance", func(t *testing.T) {
		n := 0
		testStore(t, func(t *testing.T) Store {
			n++
			s, err := Open(ctx, srv.URL(fmt.Sprintf("pv-guard-%d", n)), "")
			if err != nil {
				t.Fatal(err)
			}
			return NewGuard(s, GuardOptions{})
		})
	})
	var seen outcomes
	g := NewGuard(s3, GuardOptions{OpenFor: time.Second, Observe: seen.observe})
	put(t, g, "7/thumbs/1/256.png", "a picture", "image/png")
	if err := g.Check(ctx); err != nil {
		t.Fatalf("Check with the server up: %v", err)
	}

	srv.Stop()
	for i := range 3 {
		t0 := time.Now()
		_, _, err := g.Get(ctx, "7/thumbs/1/256.png")
		if !Unavailable(err) || errors.Is(err, ErrNotFound) {
			t.Fatalf("Get %d while S3 is down: %v, want ErrUnavailable", i, err)
		}
		if took := time.Since(t0); took > 500*time.Millisecond {
			t.Errorf("Get %d while S3 is down took %s, want under 0.5 s", i, took)
		}
	}
	if !g.Open() {
		t.Fatal("circuit still closed after 3 failures")
	}
	t0 := time.Now()
	_, err = g.Stat(ctx, "7/thumbs/1/256.png")
	if !Unavailable(err) || time.Since(t0) > 50*time.Millisecond {
		t.Errorf("Stat with the circuit open: %v after %s, want ErrUnavailable at once", err, time.Since(t0))
	}
	if err := g.Put(ctx, "7/x", strings.NewReader("new"), 3, ""); !Unavailable(err) {
		t.Errorf("Put while S3 is down: %v", err)
	}
	if seen.n("stat refused") != 1 || seen.n("get unavailable") != 3 {
		t.Errorf("observed %v", seen.got)
	}
	if err := g.Check(ctx); !Unavailable(err) {
		t.Errorf("Check while S3 is down: %v", err)
	}
	// A Put whose reader fails is the caller's problem, even now.
	if err := g.Put(ctx, "7/y", &errReader{}, 100, ""); Unavailable(err) && !g.Open() {
		t.Errorf("Put with a failing reader: %v", err)
	}

	srv.Start()
	if err := g.Check(ctx); err != nil {
		t.Fatalf("Check with the server back: %v", err)
	}
	if g.Open() {
		t.Error("circuit still open after a good Check")
	}
	if data, _ := get(t, g, "7/thumbs/1/256.png"); data != "a picture" {
		t.Errorf("after the outage: %q", data)
	}
	if _, _, err := g.Get(ctx, "7/none"); !errors.Is(err, ErrNotFound) || Unavailable(err) {
		t.Errorf("Get of a missing file: %v, want ErrNotFound", err)
	}
}

// TestGuardReaderFault: an upload whose reader fails is not a storage
// failure: it is returned as it is and never opens the circuit.
func TestGuardReaderFault(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	g := NewGuard(l, GuardOptions{FailAfter: 1})
	for range 3 {
		err := g.Put(context.Background(), "1/a", &errReader{}, 100, "")
		if err == nil || Unavailable(err) {
			t.Fatalf("Put with a failing reader: %v", err)
		}
	}
	if g.Open() {
		t.Error("a client's broken upload opened the circuit")
	}
}

// TestGuardPatience: in a patient context (a background job) a call made
// while S3 is down waits for it and succeeds once it is back, instead of
// failing; a reader that cannot be rewound is not sent twice.
func TestGuardPatience(t *testing.T) {
	srv := s3test.Start(t)
	ctx := t.Context()
	s3, err := Open(ctx, srv.URL("pv-patience"), "")
	if err != nil {
		t.Fatal(err)
	}
	g := NewGuard(s3, GuardOptions{OpenFor: 500 * time.Millisecond})
	put(t, g, "3/a", "before", "")
	srv.Stop()
	patient := WithPatience(ctx, time.Minute)
	done := make(chan error, 2)
	go func() { done <- g.Put(patient, "3/b", strings.NewReader("during"), 6, "") }()
	go func() {
		rc, _, err := g.Get(patient, "3/a")
		if err == nil {
			rc.Close()
		}
		done <- err
	}()
	time.Sleep(3 * time.Second)
	select {
	case err := <-done:
		t.Fatalf("a patient call returned while S3 was down: %v", err)
	default:
	}
	if _, _, err := g.Get(ctx, "3/a"); !Unavailable(err) {
		t.Errorf("an impatient Get while S3 is down: %v", err)
	}
	srv.Start()
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("patient call after S3 came back: %v", err)
			}
		case <-time.After(45 * time.Second):
			t.Fatal("patient calls still waiting 45 s after S3 came back")
		}
	}
	if data, _ := get(t, g, "3/b"); data != "during" {
		t.Errorf("the patient Put stored %q", data)
	}
	// A reader that was read and cannot be rewound is not retried.
	srv.Stop()
	g2 := NewGuard(s3, GuardOptions{})
	err = g2.Put(WithPatience(ctx, time.Minute), "3/c", io.MultiReader(strings.NewReader("x")), 1, "")
	if !Unavailable(err) {
		t.Errorf("patient Put of a one-shot reader while S3 is down: %v, want ErrUnavailable at once", err)
	}
}

// TestGuardBatchDefersSyncs checks that a Batch on a Guard in front of
// Local keeps Local's one sync at Commit (the app always puts a Guard in
// front of its store) and reports its calls to the Guard.
func TestGuardBatchDefersSyncs(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var seen outcomes
	b := NewBatch(NewGuard(l, GuardOptions{Observe: seen.observe}))
	defer b.Close()
	gb, ok := b.(*guardedBatch)
	if !ok {
		t.Fatalf("NewBatch(Guard(Local)) = %T, want a batch deferring its syncs", b)
	}
	if err := b.Put(t.Context(), "3/blobs/a", strings.NewReader("data"), 4, ""); err != nil {
		t.Fatal(err)
	}
	if len(gb.b.dirty) != 1 {
		t.Fatalf("%d files waiting for the sync, want 1", len(gb.b.dirty))
	}
	if err := b.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if seen.got["put ok"] != 1 || seen.got["sync ok"] != 1 {
		t.Fatalf("observed %v, want one put and one sync", seen.got)
	}
}

package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testStore is the conformance suite that every Store implementation
// passes. newStore returns a new, empty store for each subtest.
func testStore(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("PutGetStat", func(t *testing.T) { testPutGetStat(t, newStore(t)) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, newStore(t)) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, newStore(t)) })
	t.Run("ListTenantIsolation", func(t *testing.T) { testList(t, newStore(t)) })
	t.Run("DeletePrefix", func(t *testing.T) { testDeletePrefix(t, newStore(t)) })
	t.Run("BadKeys", func(t *testing.T) { testBadKeys(t, newStore(t)) })
	t.Run("ShortBody", func(t *testing.T) { testShortBody(t, newStore(t)) })
	t.Run("UnknownSize", func(t *testing.T) { testUnknownSize(t, newStore(t)) })
	t.Run("Canceled", func(t *testing.T) { testCanceled(t, newStore(t)) })
	t.Run("ConcurrentPuts", func(t *testing.T) { testConcurrentPuts(t, newStore(t)) })
	t.Run("Large", func(t *testing.T) { testLarge(t, newStore(t)) })
	t.Run("LargeUnsized", func(t *testing.T) { testLargeUnsized(t, newStore(t)) })
	t.Run("Batch", func(t *testing.T) { testBatch(t, newStore(t)) })
}

// testBatch stores files through a Batch from several goroutines (content
// types implied by the key or not, a file replaced) and commits; a short
// body fails its Put and stores nothing.
func testBatch(t *testing.T, s Store) {
	put(t, s, "7/thumbs/1/256.png", "old", "application/x-old")
	b := NewBatch(s)
	defer b.Close()
	want := map[string][2]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 40 {
		key, ct := fmt.Sprintf("7/blobs/%02d/%d", i%5, i), "application/octet-stream"
		switch i % 4 {
		case 1:
			ct = "image/png"
		case 2:
			key, ct = fmt.Sprintf("7/thumbs/%d/256.png", i/4), "image/png"
		}
		data := strings.Repeat(fmt.Sprint(i), i)
		mu.Lock()
		want[key] = [2]string{data, ct}
		mu.Unlock()
		wg.Go(func() {
			if err := b.Put(t.Context(), key, strings.NewReader(data), int64(len(data)), ct); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := b.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	for key, w := range want {
		if data, info := get(t, s, key); data != w[0] || info.ContentType != w[1] {
			t.Errorf("%s: %q %q, want %q %q", key, data, info.ContentType, w[0], w[1])
		}
	}
	if err := b.Put(t.Context(), "7/more/b", strings.NewReader("b"), 5, ""); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Put with a short body: %v", err)
	}
	if _, _, err := s.Get(t.Context(), "7/more/b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the short body was stored: %v", err)
	}
	if err := b.Put(t.Context(), "../x", strings.NewReader(""), 0, ""); !errors.Is(err, ErrBadKey) {
		t.Errorf("Put with a bad key: %v", err)
	}
	if err := b.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func put(t *testing.T, s Store, key, data, contentType string) {
	t.Helper()
	if err := s.Put(t.Context(), key, strings.NewReader(data), int64(len(data)), contentType); err != nil {
		t.Fatal(err)
	}
}

// get returns the file under key, checking that Get's Info agrees with
// its content.
func get(t *testing.T, s Store, key string) (string, Info) {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	if info.Key != key || info.Size != int64(len(b)) {
		t.Errorf("Get(%q) info = %+v, read %d bytes", key, info, len(b))
	}
	return string(b), info
}

// list returns the sorted keys under prefix.
func list(t *testing.T, s Store, prefix string) []string {
	t.Helper()
	var keys []string
	err := s.List(t.Context(), prefix, func(info Info) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	slices.Sort(keys)
	return keys
}

func testPutGetStat(t *testing.T, s Store) {
	start := time.Now().Add(-time.Minute)
	key := Key(7, "patterns", "345", "feather.qli")
	put(t, s, key, "QLI data", "application/x-qli")

	data, info := get(t, s, key)
	if data != "QLI data" {
		t.Errorf("Get = %q, want %q", data, "QLI data")
	}
	if info.ContentType != "application/x-qli" {
		t.Errorf("Get content type = %q, want application/x-qli", info.ContentType)
	}
	if info.ModTime.Before(start) || info.ModTime.After(time.Now().Add(time.Minute)) {
		t.Errorf("Get mod time = %v, want about now", info.ModTime)
	}

	st, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	if st.Key != key || st.Size != 8 || st.ContentType != "application/x-qli" || !st.ModTime.Equal(info.ModTime) {
		t.Errorf("Stat = %+v, want it to match Get's %+v", st, info)
	}

	// No content type: the S3 default.
	put(t, s, Key(7, "x.bin"), "", "")
	if _, info := get(t, s, Key(7, "x.bin")); info.ContentType != "application/octet-stream" || info.Size != 0 {
		t.Errorf("empty file without content type: info = %+v", info)
	}
}

func testNotFound(t *testing.T, s Store) {
	ctx := t.Context()
	put(t, s, "1/a/b", "x", "")
	for _, key := range []string{"1/missing", "2/a/b", "1/a", "1/a/b/c"} {
		if _, _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) error = %v, want ErrNotFound", key, err)
		} else if !strings.Contains(err.Error(), key) {
			t.Errorf("Get(%q) error %q does not name the key", key, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat(%q) error = %v, want ErrNotFound", key, err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q) of a missing key: %v", key, err)
		}
	}
	if got := list(t, s, ""); !slices.Equal(got, []string{"1/a/b"}) {
		t.Errorf("after deleting missing keys, List = %q", got)
	}
}

func testOverwrite(t *testing.T, s Store) {
	put(t, s, "1/thumbs/9/256.png", "first version", "image/png")
	put(t, s, "1/thumbs/9/256.png", "v2", "image/webp")
	data, info := get(t, s, "1/thumbs/9/256.png")
	if data != "v2" || info.ContentType != "image/webp" {
		t.Errorf("after overwrite: %q, %q; want v2, image/webp", data, info.ContentType)
	}
}

func testDelete(t *testing.T, s Store) {
	ctx := t.Context()
	put(t, s, "1/a", "a", "")
	put(t, s, "1/b", "b", "")
	if err := s.Delete(ctx, "1/a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "1/a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat after Delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "1/a"); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if got := list(t, s, "1"); !slices.Equal(got, []string{"1/b"}) {
		t.Errorf("List after Delete = %q, want [1/b]", got)
	}
}

// tenantFiles puts files for tenants 1, 12 and 123 and under look-alike
// names, so that a prefix without a segment boundary would catch them.
func tenantFiles(t *testing.T, s Store) {
	for _, key := range []string{
		"1/patterns/5/a.qli", "1/patterns/5/b.dxf", "1/patterns/50/c.qli", "1/thumbs/5/256.png", "1/top",
		"12/patterns/5/a.qli", "123/x", "1-old/x", "1.bak", "10/x",
	} {
		put(t, s, key, "data of "+key, "")
	}
}

func testList(t *testing.T, s Store) {
	tenantFiles(t, s)
	tenant1 := []string{"1/patterns/5/a.qli", "1/patterns/5/b.dxf", "1/patterns/50/c.qli", "1/thumbs/5/256.png", "1/top"}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"1", tenant1},
		{"1/", tenant1},
		{Key(1), tenant1},
		{"12", []string{"12/patterns/5/a.qli"}},
		{"1/patterns/5", []string{"1/patterns/5/a.qli", "1/patterns/5/b.dxf"}},
		{"1/patterns/5/", []string{"1/patterns/5/a.qli", "1/patterns/5/b.dxf"}},
		{"1/top", nil}, // a file, not a prefix
		{"2", nil},
		{"1/patterns/5/a.qli/x", nil},
		{"", []string{"1-old/x", "1.bak", "1/patterns/5/a.qli", "1/patterns/5/b.dxf", "1/patterns/50/c.qli",
			"1/thumbs/5/256.png", "1/top", "10/x", "12/patterns/5/a.qli", "123/x"}},
	} {
		if got := list(t, s, tc.prefix); !slices.Equal(got, tc.want) {
			t.Errorf("List(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
	}

	// Info carries sizes and times.
	err := s.List(t.Context(), "12", func(info Info) error {
		if info.Size != int64(len("data of "+info.Key)) || info.ModTime.IsZero() {
			t.Errorf("List info = %+v", info)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// An error from fn stops the walk and comes back unchanged.
	stop := errors.New("stop")
	calls := 0
	err = s.List(t.Context(), "", func(Info) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("List with failing fn: err = %v after %d calls, want %v after 1", err, calls, stop)
	}
}

func testDeletePrefix(t *testing.T, s Store) {
	ctx := t.Context()
	tenantFiles(t, s)
	if err := s.DeletePrefix(ctx, "1/patterns/5"); err != nil {
		t.Fatal(err)
	}
	if got, want := list(t, s, "1"), []string{"1/patterns/50/c.qli", "1/thumbs/5/256.png", "1/top"}; !slices.Equal(got, want) {
		t.Errorf("after DeletePrefix(1/patterns/5): List(1) = %q, want %q", got, want)
	}
	if err := s.DeletePrefix(ctx, "1/top"); err != nil { // a file: nothing under it
		t.Fatal(err)
	}
	if err := s.DeletePrefix(ctx, "1/"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePrefix(ctx, "1"); err != nil { // again: nothing left
		t.Fatal(err)
	}
	if err := s.DeletePrefix(ctx, "99"); err != nil {
		t.Fatal(err)
	}
	want := []string{"1-old/x", "1.bak", "10/x", "12/patterns/5/a.qli", "123/x"}
	if got := list(t, s, ""); !slices.Equal(got, want) {
		t.Errorf("after DeletePrefix(1): List() = %q, want %q", got, want)
	}
	if _, err := s.Stat(ctx, "1/top"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat(1/top) after DeletePrefix(1): %v, want ErrNotFound", err)
	}
	if err := s.DeletePrefix(ctx, ""); !errors.Is(err, ErrBadKey) {
		t.Errorf("DeletePrefix(\"\") error = %v, want ErrBadKey", err)
	}
}

var badKeys = []string{
	"", "/", "../x", "1/../../x", "/abs", "a//b", "a/./b", "a/.", "..", ".", "a/", "a\\b", "a b", "a/b?c",
	"ü", "a\x00b", "a~b", "1/x~type", "1/~tmp-x", strings.Repeat("a/", 256) + "a", "1/" + strings.Repeat("s", 201),
}

func testBadKeys(t *testing.T, s Store) {
	ctx := t.Context()
	put(t, s, "1/ok", "ok", "")
	for _, key := range badKeys {
		if err := s.Put(ctx, key, strings.NewReader("x"), 1, ""); !errors.Is(err, ErrBadKey) {
			t.Errorf("Put(%q) error = %v, want ErrBadKey", key, err)
		}
		if _, _, err := s.Get(ctx, key); !errors.Is(err, ErrBadKey) {
			t.Errorf("Get(%q) error = %v, want ErrBadKey", key, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, ErrBadKey) {
			t.Errorf("Stat(%q) error = %v, want ErrBadKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, ErrBadKey) {
			t.Errorf("Delete(%q) error = %v, want ErrBadKey", key, err)
		}
		if key == "" || key == "a/" || key == "/" {
			continue // valid or empty prefixes, tested elsewhere
		}
		if err := s.DeletePrefix(ctx, key); !errors.Is(err, ErrBadKey) {
			t.Errorf("DeletePrefix(%q) error = %v, want ErrBadKey", key, err)
		}
		if err := s.List(ctx, key, func(Info) error { return nil }); !errors.Is(err, ErrBadKey) {
			t.Errorf("List(%q) error = %v, want ErrBadKey", key, err)
		}
	}
	if err := s.DeletePrefix(ctx, "/"); !errors.Is(err, ErrBadKey) {
		t.Errorf("DeletePrefix(/) error = %v, want ErrBadKey", err)
	}
	if got := list(t, s, ""); !slices.Equal(got, []string{"1/ok"}) {
		t.Errorf("after bad keys, List = %q, want [1/ok]", got)
	}
}

// errReader fails after yielding some data, like an upload cut short.
type errReader struct{ n int }

var errBroken = errors.New("connection reset by client")

func (r *errReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errBroken
	}
	n := min(len(p), r.n)
	clear(p[:n])
	r.n -= n
	return n, nil
}

func testShortBody(t *testing.T, s Store) {
	ctx := t.Context()
	put(t, s, "1/f", "old", "text/plain")
	for _, key := range []string{"1/f", "1/g"} {
		start := time.Now()
		err := s.Put(ctx, key, strings.NewReader("short"), 10, "")
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("Put(%q) of 5 bytes with size 10: error = %v, want io.ErrUnexpectedEOF", key, err)
		}
		err = s.Put(ctx, key, &errReader{n: 100 << 10}, 200<<10, "")
		if !errors.Is(err, errBroken) {
			t.Errorf("Put(%q) from a failing reader: error = %v, want %v", key, err, errBroken)
		}
		err = s.Put(ctx, key, &errReader{n: 100 << 10}, -1, "")
		if !errors.Is(err, errBroken) {
			t.Errorf("Put(%q) of unknown size from a failing reader: error = %v, want %v", key, err, errBroken)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("failing Puts took %v: retrying what cannot succeed?", d)
		}
	}
	if data, info := get(t, s, "1/f"); data != "old" || info.ContentType != "text/plain" {
		t.Errorf("after failed overwrites, Get = %q, %q; want old, text/plain", data, info.ContentType)
	}
	if got := list(t, s, ""); !slices.Equal(got, []string{"1/f"}) {
		t.Errorf("after failed Puts, List = %q, want [1/f]", got)
	}
}

func testUnknownSize(t *testing.T, s Store) {
	ctx := t.Context()
	data := strings.Repeat("unsized ", 1000)
	if err := s.Put(ctx, "1/u", io.MultiReader(strings.NewReader(data)), -1, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if got, info := get(t, s, "1/u"); got != data || info.ContentType != "text/plain" {
		t.Errorf("Put with size -1: got %d bytes, type %q", len(got), info.ContentType)
	}
}

func testCanceled(t *testing.T, s Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Put(ctx, "1/c", strings.NewReader("x"), 1, ""); err == nil {
		t.Error("Put with a canceled context succeeded")
	}
	if got := list(t, s, ""); len(got) != 0 {
		t.Errorf("after a canceled Put, List = %q", got)
	}
}

// testConcurrentPuts overwrites one key from several goroutines while
// others read it: every read must be one whole version.
func testConcurrentPuts(t *testing.T, s Store) {
	ctx := t.Context()
	const (
		key     = "1/patterns/1/busy.qli"
		writers = 4
		rounds  = 5
		size    = 256 << 10
	)
	version := func(w int) []byte { return bytes.Repeat([]byte{'a' + byte(w)}, size+w) }
	if err := s.Put(ctx, key, bytes.NewReader(version(0)), int64(size), ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			v := version(w)
			for range rounds {
				if err := s.Put(ctx, key, bytes.NewReader(v), int64(len(v)), ""); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var readers sync.WaitGroup
	reads := make([]int, 2)
	for r := range reads {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				rc, info, err := s.Get(ctx, key)
				if err != nil {
					t.Error(err)
					return
				}
				b, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Error(err)
					return
				}
				w := len(b) - size
				if w < 0 || w >= writers || int64(len(b)) != info.Size || !bytes.Equal(b, version(w)) {
					t.Errorf("torn read: %d bytes (Info.Size %d), first %q last %q", len(b), info.Size, b[:1], b[len(b)-1:])
					return
				}
				reads[r]++
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	if reads[0]+reads[1] == 0 {
		t.Error("no read completed")
	}
	if got := list(t, s, ""); !slices.Equal(got, []string{key}) {
		t.Errorf("after concurrent Puts, List = %q, want only %q", got, key)
	}
}

// patternReader yields n bytes of a repeating pattern without holding them,
// counting what it has given out.
type patternReader struct {
	n, read int64
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n-r.read)]
	for i := range p {
		p[i] = byte((r.read + int64(i)) % 251)
	}
	r.read += int64(len(p))
	return len(p), nil
}

// heapAllocs returns the bytes allocated on the heap so far, process-wide.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// testLarge round-trips a 40 MiB file made on the fly and checks that
// neither Put nor Get allocates anything near its size, so both stream.
func testLarge(t *testing.T, s Store) {
	if testing.Short() {
		t.Skip("large file skipped in -short mode")
	}
	ctx := t.Context()
	const size = 40 << 20
	src := &patternReader{n: size}
	want := sha256.New()
	io.Copy(want, &patternReader{n: size})

	before := heapAllocs()
	if err := s.Put(ctx, "1/patterns/big/big.dxf", src, size, "image/vnd.dxf"); err != nil {
		t.Fatal(err)
	}
	putAllocs := heapAllocs() - before
	if src.read != size {
		t.Errorf("Put read %d bytes, want %d", src.read, size)
	}

	before = heapAllocs()
	rc, info, err := s.Get(ctx, "1/patterns/big/big.dxf")
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	n, err := io.Copy(got, rc)
	rc.Close()
	getAllocs := heapAllocs() - before
	if err != nil {
		t.Fatal(err)
	}
	if n != size || info.Size != size {
		t.Errorf("Get: read %d bytes, Info.Size %d, want %d", n, info.Size, size)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Error("Get returned different bytes from those Put")
	}
	t.Logf("heap allocated: Put %d KiB, Get %d KiB for a %d KiB file", putAllocs>>10, getAllocs>>10, size>>10)
	const limit = size / 2
	if putAllocs > limit || getAllocs > limit {
		t.Errorf("allocated %d bytes in Put and %d in Get for a %d-byte file: not streaming", putAllocs, getAllocs, size)
	}
}

// testLargeUnsized puts a file of unknown size larger than an upload
// part (S3: a multipart upload), and one that ends early, which must
// leave nothing behind.
func testLargeUnsized(t *testing.T, s Store) {
	if testing.Short() {
		t.Skip("large file skipped in -short mode")
	}
	ctx := t.Context()
	const size = 20<<20 + 12345
	if err := s.Put(ctx, "1/big", &patternReader{n: size}, -1, ""); err != nil {
		t.Fatal(err)
	}
	rc, info, err := s.Get(ctx, "1/big")
	if err != nil {
		t.Fatal(err)
	}
	got, want := sha256.New(), sha256.New()
	n, err := io.Copy(got, rc)
	rc.Close()
	io.Copy(want, &patternReader{n: size})
	if err != nil || n != size || info.Size != size || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Errorf("Get after an unsized Put: %d bytes (Info.Size %d), err %v, same bytes %v; want %d",
			n, info.Size, err, bytes.Equal(got.Sum(nil), want.Sum(nil)), size)
	}

	// Said to be 20 MiB, ends after 12: an error, and no object.
	if err := s.Put(ctx, "1/short", &patternReader{n: 12 << 20}, 20<<20, ""); err == nil {
		t.Error("Put of a large file that ended early succeeded")
	}
	if _, err := s.Stat(ctx, "1/short"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat after a failed large Put: %v, want ErrNotFound", err)
	}
}

func TestValidKey(t *testing.T) {
	for _, key := range badKeys {
		if ValidKey(key) {
			t.Errorf("ValidKey(%q) = true", key)
		}
	}
	long := strings.Repeat(strings.Repeat("s", 200)+"/", 3)[:MaxKeyLen]
	for _, key := range []string{
		"1", "1/patterns/345/feather.qli", "12/thumbs/345/256.png", "A-Z_a.z-0", "1/...", "1/.hidden", "1/-x",
		long,
	} {
		if !ValidKey(key) {
			t.Errorf("ValidKey(%q) = false", key)
		}
	}
	if ValidKey(long + "x") {
		t.Errorf("ValidKey accepts a %d-byte key", len(long)+1)
	}
}

func TestKey(t *testing.T) {
	if got := Key(12, "patterns", "345", "feather.qli"); got != "12/patterns/345/feather.qli" {
		t.Errorf("Key = %q", got)
	}
	if got := Key(12); got != "12" {
		t.Errorf("Key(12) = %q", got)
	}
	sum := sha256.Sum256([]byte("hello"))
	got := SHA256Key(12, sum)
	want := "12/blobs/2c/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
	if got != want {
		t.Errorf("SHA256Key = %q, want %q", got, want)
	}
	if !ValidKey(got) {
		t.Errorf("SHA256Key gives invalid key %q", got)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	l, ok := s.(*Local)
	if !ok || l.Dir() != dir+"/files" {
		t.Fatalf("Open(\"\") = %#v, want Local at %s/files", s, dir)
	}
	for _, spec := range []string{"ftp://x/y", "/var/files", "s3://host/bucket"} {
		if _, err := Open(t.Context(), spec, dir); err == nil {
			t.Errorf("Open(%q) succeeded", spec)
		}
	}
	if _, err := Open(t.Context(), "", ""); err == nil {
		t.Error("Open with no data directory succeeded")
	}
}

func TestParseS3URL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want S3Config
	}{
		{"s3://AK:SK@127.0.0.1:7070/files?region=us-east-1&secure=false",
			S3Config{Endpoint: "127.0.0.1:7070", AccessKey: "AK", SecretKey: "SK", Bucket: "files", Region: "us-east-1"}},
		{"s3://AK:S%2FK%40@s3.example.com/pv/prod/?create=true",
			S3Config{Endpoint: "s3.example.com", AccessKey: "AK", SecretKey: "S/K@", Bucket: "pv", Prefix: "prod", Secure: true, CreateBucket: true}},
	} {
		got, err := ParseS3URL(tc.url)
		if err != nil {
			t.Errorf("ParseS3URL(%q): %v", tc.url, err)
		} else if got != tc.want {
			t.Errorf("ParseS3URL(%q) = %+v, want %+v", tc.url, got, tc.want)
		}
	}
	for _, bad := range []string{
		"s3://AK:SECRETXYZ@host", "s3://host/b", "s3://AK@host/b", "s3://AK:SECRETXYZ@/b", "http://AK:SECRETXYZ@host/b",
		"s3://AK:SECRETXYZ@host/b?secure=maybe", "s3://AK:SECRETXYZ@host/b?regoin=x", "s3://AK:SECRETXYZ@host/b/../x",
		"s3://AK:SECRETXYZ@host/b/a//c", "s3://AK:SECRET XYZ%zz@host/b",
	} {
		_, err := ParseS3URL(bad)
		if err == nil {
			t.Errorf("ParseS3URL(%q) succeeded", bad)
		} else if strings.Contains(err.Error(), "SECRETXYZ") {
			t.Errorf("ParseS3URL(%q) error shows the secret: %v", bad, err)
		}
	}
}

func ExampleKey() {
	fmt.Println(Key(12, "thumbs", "345", "256.png"))
	fmt.Println(SHA256Key(12, sha256.Sum256([]byte("hello")))[:22] + "…")
	// Output:
	// 12/thumbs/345/256.png
	// 12/blobs/2c/2cf24dba5f…
}

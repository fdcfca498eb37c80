package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func newLocal(t *testing.T) *Local {
	t.Helper()
	l, err := NewLocal(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLocal(t *testing.T) {
	testStore(t, func(t *testing.T) Store { return newLocal(t) })
}

// TestLocalCrash plays a crash between writing a temporary file and
// renaming it: the leftovers stay invisible until SweepTemp removes them.
func TestLocalCrash(t *testing.T) {
	ctx := t.Context()
	l := newLocal(t)
	put(t, l, "1/p/kept.qli", "whole", "application/x-qli")
	dir := filepath.Join(l.Dir(), "1", "p")
	old := time.Now().Add(-2 * time.Hour)
	for name, age := range map[string]time.Time{
		"~tmp-CRASHED":   old,        // data of a Put that never renamed
		"lost.qli~type":  old,        // its sidecar, renamed before the crash
		"~tmp-RUNNING":   time.Now(), // a Put under way
		"kept.qli~type":  old,        // an old sidecar whose file is there
		"kept.qli~extra": old,        // not ours: left alone
	} {
		file := filepath.Join(dir, name)
		if name != "kept.qli~type" {
			if err := os.WriteFile(file, []byte("half a fi"), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chtimes(file, age, age); err != nil {
			t.Fatal(err)
		}
	}

	if got := list(t, l, ""); !slices.Equal(got, []string{"1/p/kept.qli"}) {
		t.Errorf("List with leftovers = %q, want only 1/p/kept.qli", got)
	}
	if _, _, err := l.Get(ctx, "1/p/lost.qli"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of the crashed Put's key: %v, want ErrNotFound", err)
	}

	n, err := l.SweepTemp(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("SweepTemp removed %d files, want 2", n)
	}
	var left []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{"kept.qli", "kept.qli~extra", "kept.qli~type", "~tmp-RUNNING"}
	if !slices.Equal(left, want) {
		t.Errorf("after SweepTemp the directory holds %q, want %q", left, want)
	}
	if _, info := get(t, l, "1/p/kept.qli"); info.ContentType != "application/x-qli" {
		t.Errorf("content type after SweepTemp = %q", info.ContentType)
	}
}

func TestLocalPermissions(t *testing.T) {
	l := newLocal(t)
	put(t, l, "1/patterns/5/a.qli", "x", "")
	if err := fs.WalkDir(os.DirFS(l.Dir()), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o640)
		if d.IsDir() {
			want = 0o750
		}
		if name != "." && fi.Mode().Perm()&^want != 0 {
			t.Errorf("%s has mode %v, want at most %v", name, fi.Mode().Perm(), want)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestLocalHandPlaced checks files put in the directory by other means:
// their content type comes from the extension.
func TestLocalHandPlaced(t *testing.T) {
	l := newLocal(t)
	dir := filepath.Join(l.Dir(), "3", "thumbs")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"256.png", "design.qli"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	for key, want := range map[string]string{"3/thumbs/256.png": "image/png", "3/thumbs/design.qli": "application/octet-stream"} {
		info, err := l.Stat(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		if info.ContentType != want {
			t.Errorf("Stat(%q).ContentType = %q, want %q", key, info.ContentType, want)
		}
	}
}

// TestLocalSymlink checks that a symbolic link planted in the directory
// does not lead out of it.
func TestLocalSymlink(t *testing.T) {
	l := newLocal(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(l.Dir(), "1"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(l.Dir(), "1", "evil")); err != nil {
		t.Skip("no symbolic links:", err)
	}
	if _, _, err := l.Get(t.Context(), "1/evil/secret"); err == nil {
		t.Error("Get followed a symbolic link out of the store")
	}
	if err := l.Put(t.Context(), "1/evil/planted", nil, 0, ""); err == nil {
		t.Error("Put followed a symbolic link out of the store")
	}
	if got := list(t, l, ""); len(got) != 0 {
		t.Errorf("List followed a symbolic link: %q", got)
	}
}

// TestLocalBothBlobLayouts stores a file under the content address of
// before 2026-12 ("blobs/ab/cd/sum") and the same content under today's
// ("blobs/ab/sum") through a batch: both are read, listed and deleted
// alike, in the one directory "ab" they share.
func TestLocalBothBlobLayouts(t *testing.T) {
	ctx := t.Context()
	l := newLocal(t)
	sum := sha256.Sum256([]byte("feather"))
	h := hex.EncodeToString(sum[:])
	old := Key(7, "blobs", h[0:2], h[2:4], h)
	put(t, l, old, "feather", "")
	b := NewBatch(l)
	defer b.Close()
	cur := SHA256Key(7, sum)
	if cur == old || path.Dir(cur) != path.Dir(path.Dir(old)) {
		t.Fatalf("SHA256Key = %q beside %q", cur, old)
	}
	for i := range 2 { // the second time into the directory the batch holds
		if err := b.Put(ctx, cur, strings.NewReader("feather"), 7, ""); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var listed []string
	if err := l.List(ctx, Key(7, "blobs"), func(i Info) error { listed = append(listed, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(listed)
	if want := []string{old, cur}; !slices.Equal(listed, want) {
		t.Errorf("List = %q, want %q", listed, want)
	}
	for _, k := range []string{old, cur} {
		if got, _ := get(t, l, k); got != "feather" {
			t.Errorf("Get %s = %q", k, got)
		}
		if err := l.Delete(ctx, k); err != nil {
			t.Errorf("Delete %s: %v", k, err)
		}
	}
}

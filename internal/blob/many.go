package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Batch stores files whose durability is settled together: Put stores a
// file at once (atomically, as Store.Put does, and visible to Get), but a
// new file is certain to survive a crash only once Commit returns (a Put
// that replaces a file is durable at once, so that a crash never loses
// the file it replaced). An import puts
// a few hundred files from several goroutines, then commits once before
// recording them in the database: on Local that is one file-system sync
// instead of three syncs a file, which is what makes an import of
// thousands of designs fast. A Batch is safe for concurrent use; after
// Commit it may be used again for the next files.
type Batch interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Commit(ctx context.Context) error
	// Close releases what the batch holds open; files put since the last
	// Commit are not made durable.
	Close() error
}

// NewBatch returns a Batch on s: Local defers its syncs to Commit; other
// stores (S3) store durably in Put, and Commit does nothing.
// A Guard in front of Local keeps Local's deferred syncs, its calls going
// through the Guard's breaker as its own Puts do.
func NewBatch(s Store) Batch {
	switch s := s.(type) {
	case *Local:
		return &localBatch{l: s}
	case *Guard:
		if l, ok := s.inner.(*Local); ok {
			return &guardedBatch{g: s, b: &localBatch{l: l}}
		}
	}
	return directBatch{s}
}

// guardedBatch is a Batch on a Local behind a Guard: each Put and Commit
// goes through the Guard (a failing disk opens its circuit and is
// reported as ErrUnavailable, as for a Put on the Guard itself).
type guardedBatch struct {
	g *Guard
	b *localBatch
}

func (b *guardedBatch) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	return b.g.put(ctx, key, r, func(src io.Reader) error { return b.b.Put(ctx, key, src, size, contentType) })
}

func (b *guardedBatch) Commit(ctx context.Context) error {
	return b.g.patiently(ctx, func() error {
		return b.g.call(ctx, "sync", "", func() error { return b.b.Commit(ctx) }, nil)
	}, nil, false)
}

func (b *guardedBatch) Close() error { return b.b.Close() }

// directBatch is a Batch on a store whose Puts are durable.
type directBatch struct{ s Store }

func (b directBatch) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	return b.s.Put(ctx, key, r, size, contentType)
}

func (directBatch) Commit(context.Context) error { return nil }

func (directBatch) Close() error { return nil }

// localBatch renames each file into place unsynced, and syncs the whole
// file system (or, where there is no syncfs, each file and directory) on
// Commit. It keeps the store's root and the directories of its keys' first
// two segments ("12/blobs", "12/thumbs") open until Close, so that a Put
// takes a third of the system calls of a walk from the top.
type localBatch struct {
	l     *Local
	mu    sync.Mutex
	dirty []string // keys put since the last Commit (for the fallback)
	root  *os.Root
	tops  map[string]*os.Root
}

// maxTops bounds the directories a batch keeps open.
const maxTops = 64

func (b *localBatch) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if !ValidKey(key) {
		return fmt.Errorf("blob: put %q: %w", key, ErrBadKey)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	dir, rest, err := b.top(key)
	if err == nil {
		err = putUnsyncedIn(ctx, dir, key, rest, r, size, contentType)
	}
	if err != nil {
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	b.mu.Lock()
	b.dirty = append(b.dirty, key)
	b.mu.Unlock()
	return nil
}

// top returns the open directory of key's first two segments and the rest
// of the key below it (or the store's root and the whole key, for a key of
// fewer segments).
func (b *localBatch) top(key string) (*os.Root, string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.root == nil {
		root, err := os.OpenRoot(b.l.dir)
		if err != nil {
			return nil, "", err
		}
		b.root, b.tops = root, map[string]*os.Root{}
	}
	first, rest, ok := strings.Cut(key, "/")
	second, rest2, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		return b.root, key, nil
	}
	name := first + "/" + second
	if d, ok := b.tops[name]; ok {
		return d, rest2, nil
	}
	if len(b.tops) >= maxTops {
		return b.root, key, nil // enough kept open: walk from the top
	}
	if err := b.root.MkdirAll(name, dirPerm); err != nil {
		return nil, "", err
	}
	d, err := b.root.OpenRoot(name)
	if err != nil {
		return nil, "", err
	}
	b.tops[name] = d
	return d, rest2, nil
}

func (b *localBatch) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range b.tops {
		d.Close()
	}
	b.tops = nil
	if b.root != nil {
		b.root.Close()
		b.root = nil
	}
	return nil
}

func (b *localBatch) Commit(ctx context.Context) error {
	b.mu.Lock()
	dirty := b.dirty
	b.dirty = nil
	b.mu.Unlock()
	if len(dirty) == 0 {
		return nil
	}
	if err := b.l.syncKeys(ctx, dirty); err != nil {
		b.mu.Lock()
		b.dirty = append(b.dirty, dirty...)
		b.mu.Unlock()
		return fmt.Errorf("blob: commit %d files: %w", len(dirty), err)
	}
	return nil
}

// errNoSyncFS means the system cannot sync a whole file system at once.
var errNoSyncFS = errors.New("no syncfs")

// syncKeys makes the files under keys, and their names, durable: with one
// syncfs where the system has it, else file by file and directory by
// directory.
func (l *Local) syncKeys(ctx context.Context, keys []string) error {
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	d, err := root.Open(".")
	if err != nil {
		return err
	}
	err = syncFS(d)
	d.Close()
	if err != errNoSyncFS {
		return err
	}
	dirs := map[string]bool{}
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := syncDir(root, k); err != nil {
			return err
		}
		dirs[dirOf(k)] = true
	}
	for dir := range dirs {
		if err := syncDir(root, dir); err != nil {
			return err
		}
	}
	return nil
}

package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
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
// Commit. It keeps the store's root and the directories its keys go to
// open until Close, so that a Put into a directory it holds is four system
// calls (look, create, write and close, rename), not a walk from the top;
// it creates a directory only when it is missing.
type localBatch struct {
	l     *Local
	mu    sync.Mutex
	dirty []string // keys put since the last Commit (for the fallback)
	root  *os.Root
	dirs  map[string]*os.Root
}

// maxDirs bounds the directories a batch keeps open. It keeps those it
// finds already there: content-addressed files share 256 directories a
// tenant, used again and again, while a directory it had to create (a new
// design's thumbnails) is seldom used a second time.
const maxDirs = 512

func (b *localBatch) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if !ValidKey(key) {
		return fmt.Errorf("blob: put %q: %w", key, ErrBadKey)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	dir, release, err := b.dir(path.Dir(key))
	if err == nil {
		err = putUnsyncedIn(ctx, dir, key, path.Base(key), r, size, contentType)
		release()
	}
	if err != nil {
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	b.mu.Lock()
	b.dirty = append(b.dirty, key)
	b.mu.Unlock()
	return nil
}

// dir returns the open directory name of the store, creating it if it is
// missing, and what to call once done with it (which closes it unless
// the batch keeps it).
func (b *localBatch) dir(name string) (*os.Root, func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.root == nil {
		root, err := os.OpenRoot(b.l.dir)
		if err != nil {
			return nil, nil, err
		}
		b.root, b.dirs = root, map[string]*os.Root{}
	}
	keep := func() {}
	if name == "." {
		return b.root, keep, nil
	}
	if d, ok := b.dirs[name]; ok {
		return d, keep, nil
	}
	d, err := b.root.OpenRoot(name)
	if err == nil && len(b.dirs) < maxDirs {
		b.dirs[name] = d
		return d, keep, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		if err = b.root.MkdirAll(name, dirPerm); err == nil {
			d, err = b.root.OpenRoot(name)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return d, func() { d.Close() }, nil
}

func (b *localBatch) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range b.dirs {
		d.Close()
	}
	b.dirs = nil
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

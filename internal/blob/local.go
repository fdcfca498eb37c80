package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"strings"
	"syscall"
	"time"
)

// Local is a Store that keeps each file at its key under a directory:
// key "12/thumbs/345/256.png" is the file DIR/12/thumbs/345/256.png.
// Directories are created 0750 and files 0640.
//
// Put writes a temporary file "~tmp-*" in the key's directory, syncs it and
// renames it over the key, so readers never see part of a file, and a
// crash leaves at most a temporary file that List and Get ignore and
// SweepTemp removes.
//
// The content type lives in a sidecar file "NAME~type" beside the file,
// renamed into place just before it. A file without a sidecar, such as
// one copied in by hand, gets the type that its extension implies. The
// sidecar is not written together with the file, so two Puts racing on one
// key with different content types may leave one's data with the other's
// type; stored files are immutable, so PatternVault never does that. Names
// containing "~" are never valid keys, so neither kind of helper file can
// collide with a stored file.
//
// As on a file system, a key cannot also be a prefix of other keys: with
// "1/a/b" stored, a Put of "1/a" fails (S3 would allow it).
//
// Every access goes through an os.Root, so even a symbolic link planted in
// the directory cannot lead outside it.
type Local struct {
	dir string
}

const (
	dirPerm    = 0o750
	filePerm   = 0o640
	tempPrefix = "~tmp-"
	typeSuffix = "~type"
)

var _ Store = (*Local)(nil)

// NewLocal returns a Local store keeping its files under dir, which it
// creates if needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fmt.Errorf("blob: local store: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: local store: %w", err)
	}
	root.Close()
	return &Local{dir: dir}, nil
}

// Dir returns the directory that l keeps its files in.
func (l *Local) Dir() string { return l.dir }

// Put implements Store.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := l.put(ctx, key, r, size, contentType); err != nil {
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	return nil
}

func (l *Local) put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if !ValidKey(key) {
		return ErrBadKey
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	st, err := stage(ctx, root, key, r, size, contentType, true)
	if err != nil {
		return err
	}
	defer st.close()
	if err := st.commit(); err != nil {
		return err
	}
	return syncDir(st.dir, ".")
}

// staged is a Put whose data (and content type, unless the key's
// extension implies it) sit in temporary files beside the key, in the
// key's directory dir (opened once, so that each step is one system call
// instead of one for every directory of the key).
type staged struct {
	key, base  string
	dir        *os.Root
	ownDir     bool   // dir was opened for this Put (close closes it)
	data, meta string // temporary names in dir; meta "" when no sidecar is needed
	synced     bool   // the temporary files were synced
	isNew      bool   // nothing was stored under the key
}

// stage writes the temporary files of a Put, synced when sync is set.
// Both are written before either is renamed, so that a failing r, the
// likeliest failure, changes nothing.
func stage(ctx context.Context, root *os.Root, key string, r io.Reader, size int64, contentType string, sync bool) (*staged, error) {
	dirName := path.Dir(key)
	dir, err := root.OpenRoot(dirName)
	if errors.Is(err, fs.ErrNotExist) {
		if err = root.MkdirAll(dirName, dirPerm); err == nil {
			dir, err = root.OpenRoot(dirName)
		}
	}
	if err != nil {
		return nil, err
	}
	st, err := stageIn(ctx, dir, path.Base(key), r, size, contentType, sync)
	if err != nil {
		dir.Close()
		return nil, err
	}
	st.key, st.ownDir = key, true
	return st, nil
}

// stageIn is stage of the file base in the open directory dir, which the
// caller keeps open until the staged Put is committed or discarded.
func stageIn(ctx context.Context, dir *os.Root, base string, r io.Reader, size int64, contentType string, sync bool) (*staged, error) {
	if contentType == "" {
		contentType = defaultContentType
	}
	st := &staged{key: base, base: base, dir: dir}
	var err error
	if _, err := dir.Lstat(st.base); errors.Is(err, fs.ErrNotExist) {
		st.isNew = true
	} else if !sync {
		// Never replace a file unsynced: it may be one a crash must
		// not lose.
		sync = true
	}
	st.synced = sync
	if st.data, err = writeTemp(ctx, dir, ".", r, size, sync); err != nil {
		return nil, err
	}
	if contentType != impliedType(base) {
		ct := strings.NewReader(contentType)
		if st.meta, err = writeTemp(ctx, dir, ".", ct, ct.Size(), sync); err != nil {
			st.discard()
			return nil, err
		}
	}
	return st, nil
}

// commit renames the temporary files over the key: the sidecar first (or
// an old sidecar away), then the data.
func (st *staged) commit() error {
	var err error
	if st.meta != "" {
		err = st.dir.Rename(st.meta, st.base+typeSuffix)
	} else if st.isNew {
		// No old sidecar to clear: Delete removes a file's sidecar
		// before the file.
	} else if rerr := st.dir.Remove(st.base + typeSuffix); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = rerr
	}
	if err == nil {
		err = st.dir.Rename(st.data, st.base)
	}
	if err != nil {
		st.discard()
	}
	return err
}

// discard removes the temporary files.
func (st *staged) discard() {
	st.dir.Remove(st.data)
	if st.meta != "" {
		st.dir.Remove(st.meta)
	}
}

// close releases the key's directory, if the Put opened it.
func (st *staged) close() {
	if st.ownDir {
		st.dir.Close()
	}
}

// impliedType is the content type a file without a sidecar gets: the one
// its extension implies, or the default.
func impliedType(key string) string {
	if ct := mime.TypeByExtension(path.Ext(key)); ct != "" {
		return ct
	}
	return defaultContentType
}

// putUnsyncedIn is put without syncing, of the file base in the open
// directory dir (key is the whole key, for errors): the file is in place,
// whole, but only durable after a later sync of the file system
// (Batch.Commit).
func putUnsyncedIn(ctx context.Context, dir *os.Root, key, base string, r io.Reader, size int64, contentType string) error {
	st, err := stageIn(ctx, dir, base, r, size, contentType, false)
	if err != nil {
		return err
	}
	st.key = key
	if err := st.commit(); err != nil {
		return err
	}
	if st.synced { // it replaced a file: make that durable now
		return syncDir(st.dir, ".")
	}
	return nil
}

// dirOf is the directory of a key ("." for none).
func dirOf(key string) string { return path.Dir(key) }

// writeTemp writes size bytes from r (all of r when size is -1) to a new
// temporary file in dir, syncs it when sync is set and returns its name.
func writeTemp(ctx context.Context, root *os.Root, dir string, r io.Reader, size int64, sync bool) (name string, err error) {
	name = path.Join(dir, tempPrefix+rand.Text())
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(name)
			name = ""
		}
	}()
	src := ctxReader{ctx, r}
	if br, ok := r.(*bytes.Reader); ok && (size < 0 || size == int64(br.Len())) {
		// In memory: one write, no copy buffer.
		_, err = br.WriteTo(f)
	} else if size < 0 {
		_, err = io.Copy(f, src)
	} else {
		var n int64
		n, err = io.CopyN(f, src, size)
		if err == io.EOF {
			err = shortBody(n, size)
		}
	}
	if err != nil {
		return "", err
	}
	if sync {
		if err = f.Sync(); err != nil {
			return "", err
		}
	}
	return name, f.Close()
}

// syncDir syncs the file or directory name of root (for a directory: makes
// the renames in it durable).
func syncDir(root *os.Root, name string) error {
	d, err := root.Open(name)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Get implements Store.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	f, info, err := l.get(ctx, key)
	if err != nil {
		return nil, Info{}, fmt.Errorf("blob: get %q: %w", key, err)
	}
	return f, info, nil
}

func (l *Local) get(ctx context.Context, key string) (*os.File, Info, error) {
	if !ValidKey(key) {
		return nil, Info{}, ErrBadKey
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, err
	}
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return nil, Info{}, err
	}
	defer root.Close()
	f, err := root.Open(key)
	if err != nil {
		return nil, Info{}, notFound(err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = ErrNotFound
	}
	if err != nil {
		f.Close()
		return nil, Info{}, err
	}
	return f, fileInfo(root, key, fi), nil
}

// Stat implements Store.
func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	info, err := l.stat(ctx, key)
	if err != nil {
		return Info{}, fmt.Errorf("blob: stat %q: %w", key, err)
	}
	return info, nil
}

func (l *Local) stat(ctx context.Context, key string) (Info, error) {
	if !ValidKey(key) {
		return Info{}, ErrBadKey
	}
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return Info{}, err
	}
	defer root.Close()
	fi, err := root.Stat(key)
	if err != nil {
		return Info{}, notFound(err)
	}
	if !fi.Mode().IsRegular() {
		return Info{}, ErrNotFound
	}
	return fileInfo(root, key, fi), nil
}

// fileInfo describes the file at key, reading its content type from the
// sidecar or, lacking one, guessing it from the extension.
func fileInfo(root *os.Root, key string, fi fs.FileInfo) Info {
	ct := ""
	if b, err := root.ReadFile(key + typeSuffix); err == nil && len(b) <= 256 {
		ct = string(b)
	}
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(key))
	}
	if ct == "" {
		ct = defaultContentType
	}
	return Info{Key: key, Size: fi.Size(), ContentType: ct, ModTime: fi.ModTime()}
}

// notFound turns the errors that mean "no such file" into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return ErrNotFound
	}
	return err
}

// Delete implements Store.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := l.delete(ctx, key); err != nil {
		return fmt.Errorf("blob: delete %q: %w", key, err)
	}
	return nil
}

func (l *Local) delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return ErrBadKey
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	fi, err := root.Lstat(key)
	if err != nil {
		if notFound(err) == ErrNotFound {
			return nil
		}
		return err
	}
	if fi.IsDir() {
		return nil // a prefix, not a file
	}
	// The sidecar first, so that a sidecar never outlives its file and a
	// later Put of the key without one need not look for it.
	if err := root.Remove(key + typeSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// DeletePrefix implements Store. It removes the prefix's directory tree.
func (l *Local) DeletePrefix(ctx context.Context, prefix string) error {
	if err := l.deletePrefix(ctx, prefix); err != nil {
		return fmt.Errorf("blob: delete prefix %q: %w", prefix, err)
	}
	return nil
}

func (l *Local) deletePrefix(ctx context.Context, prefix string) error {
	p, err := checkPrefix(prefix, false)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	fi, err := root.Lstat(p)
	if err != nil {
		if notFound(err) == ErrNotFound {
			return nil
		}
		return err
	}
	if !fi.IsDir() {
		return nil // a file, not a prefix: nothing lies under it
	}
	return root.RemoveAll(p)
}

// List implements Store. It walks the prefix's directory tree, skipping
// temporary and sidecar files.
func (l *Local) List(ctx context.Context, prefix string, fn func(Info) error) error {
	var fnErr error
	err := l.walk(ctx, prefix, func(root *os.Root, name string, fi fs.FileInfo) error {
		if !validSegment(path.Base(name)) {
			return nil
		}
		fnErr = fn(Info{Key: name, Size: fi.Size(), ModTime: fi.ModTime()})
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("blob: list %q: %w", prefix, err)
	}
	return nil
}

// walk calls fn for each regular file under prefix, including helper
// files, but not descending into directories that are not key segments.
func (l *Local) walk(ctx context.Context, prefix string, fn func(root *os.Root, name string, fi fs.FileInfo) error) error {
	p, err := checkPrefix(prefix, true)
	if err != nil {
		return err
	}
	start := p
	if start == "" {
		start = "."
	}
	root, err := os.OpenRoot(l.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return fs.WalkDir(root.FS(), start, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if notFound(err) == ErrNotFound {
				return nil // removed while we walked, or a missing prefix
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if name == start {
			if !d.IsDir() {
				return fs.SkipAll // a file, not a prefix
			}
			return nil
		}
		if d.IsDir() {
			if !validSegment(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if notFound(err) == ErrNotFound {
				return nil
			}
			return err
		}
		return fn(root, name, fi)
	})
}

// SweepTemp removes what interrupted Puts and Deletes left behind:
// temporary files, and sidecars whose file is gone, last modified more than
// olderThan ago. Younger ones may belong to a Put still under way. It
// reports how many files it removed. Run it at start-up or now and then,
// for example with olderThan set to an hour.
func (l *Local) SweepTemp(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	removed := 0
	err := l.walk(ctx, "", func(root *os.Root, name string, fi fs.FileInfo) error {
		base := path.Base(name)
		switch {
		case fi.ModTime().After(cutoff):
			return nil
		case strings.HasPrefix(base, tempPrefix):
		case strings.HasSuffix(base, typeSuffix):
			if _, err := root.Lstat(strings.TrimSuffix(name, typeSuffix)); !errors.Is(err, fs.ErrNotExist) {
				return nil // its file is there (or cannot be checked)
			}
		default:
			return nil
		}
		if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		removed++
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("blob: sweep temporary files: %w", err)
	}
	return removed, nil
}

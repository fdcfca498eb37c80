package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Spool is a Store in front of another (an S3 store behind a Guard) that
// keeps the files which must not be lost — uploads, which exist nowhere
// else — on local disk while the store is down, and moves them to the
// store by itself once it is back (Run). Every other call goes to the
// store as it is.
//
// Spooled files live in one directory (PV_DATA_DIR/spool): each as
// NAME.data with NAME.json (key, content type, size, when), NAME being
// the SHA-256 of the key. Until one reaches the store, Get and Stat of its
// key answer from the spool, so the server that took the upload can read
// it at once; another server sees ErrNotFound until it has been moved, so
// callers that read uploads treat a missing one as "not there yet" (see
// library's import job).
type Spool struct {
	Store
	dir  string
	log  *slog.Logger
	wake chan struct{}
	mu   sync.Mutex // serialises moving a file with deleting it
}

// spoolEntry is a spooled file's NAME.json.
type spoolEntry struct {
	Key         string    `json:"key"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SpooledAt   time.Time `json:"spooled_at"`
}

// NewSpool returns a Spool in front of s keeping files in dir, and drops
// what a crash left half-written there.
func NewSpool(s Store, dir string, log *slog.Logger) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob: spool: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sp := &Spool{Store: s, dir: dir, log: log, wake: make(chan struct{}, 1)}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: spool: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, tempPrefix):
			os.Remove(filepath.Join(dir, name))
		case strings.HasSuffix(name, ".data"):
			if _, err := os.Stat(filepath.Join(dir, strings.TrimSuffix(name, ".data")+".json")); errors.Is(err, os.ErrNotExist) {
				os.Remove(filepath.Join(dir, name)) // never recorded: its Put failed
			}
		}
	}
	return sp, nil
}

// PutSafe stores a file that must not be lost (an upload): like Put, but
// when the store cannot be reached (ErrUnavailable) the whole file is kept
// in the spool instead, synced, and spooled is true; Run moves it later.
// Any other failure (the reader's, a bad key) is returned and nothing is
// kept. A Store that is not a Spool just Puts.
func PutSafe(ctx context.Context, s Store, key string, r io.Reader, size int64, contentType string) (spooled bool, err error) {
	if sp, ok := s.(*Spool); ok {
		return sp.PutSafe(ctx, key, r, size, contentType)
	}
	return false, s.Put(ctx, key, r, size, contentType)
}

// PutSafe is the package function PutSafe on sp. The file is copied to
// local disk as it streams to the store, so that a store that fails half
// way loses nothing of what was already read.
func (sp *Spool) PutSafe(ctx context.Context, key string, r io.Reader, size int64, contentType string) (bool, error) {
	if !ValidKey(key) {
		return false, fmt.Errorf("blob: put %q: %w", key, ErrBadKey)
	}
	tmp, err := os.CreateTemp(sp.dir, tempPrefix+"*")
	if err != nil {
		return false, fmt.Errorf("blob: spool %q: %w", key, err)
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	src := &trackedReader{r: r}
	down := sp.Store.Put(ctx, key, io.TeeReader(src, tmp), size, contentType)
	switch {
	case down == nil:
		return false, nil
	case !Unavailable(down) || src.err != nil || ctx.Err() != nil:
		return false, down
	}
	// The store is down: read the rest, and keep the whole file here.
	if _, err := io.Copy(tmp, src); err != nil {
		return false, fmt.Errorf("blob: spool %q: %w", key, err)
	}
	n, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return false, fmt.Errorf("blob: spool %q: %w", key, err)
	}
	if size >= 0 && n != size {
		return false, fmt.Errorf("blob: spool %q: %w", key, shortBody(n, size))
	}
	if err := tmp.Sync(); err != nil {
		return false, fmt.Errorf("blob: spool %q: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("blob: spool %q: %w", key, err)
	}
	name := sp.name(key)
	if err := os.Rename(tmp.Name(), name+".data"); err != nil {
		return false, fmt.Errorf("blob: spool %q: %w", key, err)
	}
	keep = true
	meta, _ := json.Marshal(spoolEntry{Key: key, ContentType: contentType, Size: n, SpooledAt: time.Now().UTC()})
	if err := writeSynced(name+".json", meta); err != nil {
		os.Remove(name + ".data")
		return false, fmt.Errorf("blob: spool %q: %w", key, err)
	}
	syncPath(sp.dir)
	sp.log.WarnContext(ctx, "blob: storage unreachable; file kept in the spool until it is back", "key", key, "bytes", n, "cause", down)
	select {
	case sp.wake <- struct{}{}:
	default:
	}
	return true, nil
}

// name is the path, without extension, of key's spooled file.
func (sp *Spool) name(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(sp.dir, hex.EncodeToString(sum[:16]))
}

func writeSynced(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

func syncPath(path string) {
	if d, err := os.Open(path); err == nil {
		d.Sync()
		d.Close()
	}
}

// spooled returns key's entry when it waits in the spool.
func (sp *Spool) spooled(key string) (*spoolEntry, bool) {
	b, err := os.ReadFile(sp.name(key) + ".json")
	if err != nil {
		return nil, false
	}
	var e spoolEntry
	if json.Unmarshal(b, &e) != nil || e.Key != key {
		return nil, false
	}
	return &e, true
}

// Get implements Store: a file still in the spool is read from there.
func (sp *Spool) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if e, ok := sp.spooled(key); ok {
		if f, err := os.Open(sp.name(key) + ".data"); err == nil {
			return f, e.info(), nil
		}
	}
	return sp.Store.Get(ctx, key)
}

func (e *spoolEntry) info() Info {
	ct := e.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	return Info{Key: e.Key, Size: e.Size, ContentType: ct, ModTime: e.SpooledAt}
}

// Stat implements Store, answering for spooled files too.
func (sp *Spool) Stat(ctx context.Context, key string) (Info, error) {
	if e, ok := sp.spooled(key); ok {
		return e.info(), nil
	}
	return sp.Store.Stat(ctx, key)
}

// Delete implements Store: a spooled file is dropped too, so that Run
// never brings back a file that was deleted.
func (sp *Spool) Delete(ctx context.Context, key string) error {
	sp.drop(func(e *spoolEntry) bool { return e.Key == key })
	return sp.Store.Delete(ctx, key)
}

// DeletePrefix implements Store, dropping spooled files under prefix too.
func (sp *Spool) DeletePrefix(ctx context.Context, prefix string) error {
	if p, err := checkPrefix(prefix, false); err == nil {
		sp.drop(func(e *spoolEntry) bool { return strings.HasPrefix(e.Key, p+"/") })
	}
	return sp.Store.DeletePrefix(ctx, prefix)
}

// drop removes the spooled files that match.
func (sp *Spool) drop(match func(*spoolEntry) bool) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for _, e := range sp.entries() {
		if match(e) {
			name := sp.name(e.Key)
			os.Remove(name + ".json")
			os.Remove(name + ".data")
		}
	}
}

// entries lists the spooled files, oldest first.
func (sp *Spool) entries() []*spoolEntry {
	names, _ := filepath.Glob(filepath.Join(sp.dir, "*.json"))
	var out []*spoolEntry
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			continue
		}
		var e spoolEntry
		if json.Unmarshal(b, &e) == nil && ValidKey(e.Key) {
			out = append(out, &e)
		}
	}
	slices.SortFunc(out, func(a, b *spoolEntry) int { return a.SpooledAt.Compare(b.SpooledAt) })
	return out
}

// Waiting returns how many files wait in the spool and their bytes.
func (sp *Spool) Waiting() (files int, bytes int64) {
	for _, e := range sp.entries() {
		files++
		bytes += e.Size
	}
	return files, bytes
}

// Run moves spooled files to the store until ctx ends: at once when
// started and when a file is spooled, then, while the store is down, after
// a pause that grows from a second to 15 s.
func (sp *Spool) Run(ctx context.Context) {
	pause := time.Second
	for {
		moved, err := sp.Flush(ctx)
		if moved > 0 {
			sp.log.Info("blob: spooled files moved to storage", "files", moved)
		}
		wait := pause
		if err == nil {
			pause, wait = time.Second, time.Hour
		} else {
			pause = min(2*pause, 15*time.Second)
		}
		select {
		case <-ctx.Done():
			return
		case <-sp.wake:
		case <-time.After(wait):
		}
	}
}

// Flush moves every spooled file it can to the store, oldest first, and
// returns how many it moved and the first failure (it stops at a store
// that is down).
func (sp *Spool) Flush(ctx context.Context) (int, error) {
	moved := 0
	for _, e := range sp.entries() {
		if err := sp.move(ctx, e); err != nil {
			if !Unavailable(err) {
				sp.log.Error("blob: cannot move a spooled file to storage; it stays in the spool", "key", e.Key, "err", err)
			}
			return moved, err
		}
		moved++
	}
	return moved, nil
}

func (sp *Spool) move(ctx context.Context, e *spoolEntry) error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	name := sp.name(e.Key)
	if _, err := os.Stat(name + ".json"); err != nil {
		return nil // deleted meanwhile
	}
	f, err := os.Open(name + ".data")
	if err != nil {
		return fmt.Errorf("blob: spool %q: %w", e.Key, err)
	}
	defer f.Close()
	if err := sp.Store.Put(ctx, e.Key, f, e.Size, e.ContentType); err != nil {
		return err
	}
	// Stored: the entry goes first, so that a crash between the two
	// removals leaves a stray .data that NewSpool drops, never an entry
	// without its file.
	os.Remove(name + ".json")
	os.Remove(name + ".data")
	return nil
}

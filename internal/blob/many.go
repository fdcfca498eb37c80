package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Item is one file for PutMany: what Put takes.
type Item struct {
	Key         string
	Body        io.Reader
	Size        int64 // -1 when unknown
	ContentType string
}

// manyPutter is implemented by stores that make many files durable at
// once cheaper than one by one.
type manyPutter interface {
	putMany(ctx context.Context, items []Item) error
}

// putManyWorkers bounds the Puts that PutMany runs at once on a store
// without a batch of its own (S3: one request each).
const putManyWorkers = 8

// PutMany stores every item as Put would; when it returns nil, all of
// them are stored durably. On an error some items may be stored and
// others not (each is still whole or absent). Local makes the whole batch
// durable with two file-system syncs instead of three syncs a file, which
// is what makes an import of thousands of designs fast; other stores run
// up to eight Puts at once.
func PutMany(ctx context.Context, s Store, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	if m, ok := s.(manyPutter); ok {
		return m.putMany(ctx, items)
	}
	sem := make(chan struct{}, putManyWorkers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, it := range items {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.Put(ctx, it.Key, it.Body, it.Size, it.ContentType); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return fmt.Errorf("blob: put %d files: %w", len(items), first)
	}
	return nil
}

// errNoSyncFS means the system cannot sync a whole file system at once.
var errNoSyncFS = errors.New("no syncfs")

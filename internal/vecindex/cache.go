package vecindex

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Loader reads a tenant's vectors of one provider at the tenant's current
// version.
type Loader func(ctx context.Context, tenantID int64) (*Index, error)

// Cache keeps the indexes of recently searched tenants within a memory
// budget. It is safe for concurrent use; concurrent loads of one tenant
// share one database read.
type Cache struct {
	load   Loader
	budget int64

	group singleflight.Group

	mu      sync.Mutex
	bytes   int64
	lru     *list.List // of *entry, most recent first
	entries map[int64]*list.Element
	loads   int64
}

type entry struct {
	tenantID int64
	ix       *Index
}

// NewCache returns a cache that loads indexes with load and keeps at most
// budget bytes of them (the most recently used index stays even when it
// alone is larger).
func NewCache(load Loader, budget int64) *Cache {
	return &Cache{load: load, budget: budget, lru: list.New(), entries: map[int64]*list.Element{}}
}

// Get returns the tenant's index if it is at version (the tenant's
// current search version, read by the caller), loading it otherwise.
// A version of 0 accepts whatever index is cached.
func (c *Cache) Get(ctx context.Context, tenantID, version int64) (*Index, error) {
	if ix := c.cached(tenantID); ix != nil && (version == 0 || ix.version == version) {
		return ix, nil
	}
	v, err, _ := c.group.Do(fmt.Sprint(tenantID), func() (any, error) {
		if ix := c.cached(tenantID); ix != nil && (version == 0 || ix.version >= version) {
			return ix, nil
		}
		ix, err := c.load(context.WithoutCancel(ctx), tenantID)
		if err != nil {
			return nil, err
		}
		c.put(tenantID, ix)
		return ix, nil
	})
	if err != nil {
		return nil, fmt.Errorf("vecindex: load tenant %d: %w", tenantID, err)
	}
	return v.(*Index), nil
}

// Cached returns the tenant's index if one is in memory, at any version.
func (c *Cache) Cached(tenantID int64) *Index { return c.cached(tenantID) }

func (c *Cache) cached(tenantID int64) *Index {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[tenantID]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*entry).ix
}

func (c *Cache) put(tenantID int64, ix *Index) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loads++
	if el, ok := c.entries[tenantID]; ok {
		c.bytes -= el.Value.(*entry).ix.Bytes()
		c.lru.Remove(el)
	}
	c.entries[tenantID] = c.lru.PushFront(&entry{tenantID: tenantID, ix: ix})
	c.bytes += ix.Bytes()
	for c.bytes > c.budget && c.lru.Len() > 1 {
		last := c.lru.Back()
		e := last.Value.(*entry)
		c.lru.Remove(last)
		delete(c.entries, e.tenantID)
		c.bytes -= e.ix.Bytes()
	}
}

// Stats reports the cache's size: tenants held, bytes held, and loads so
// far.
func (c *Cache) Stats() (tenants int, bytes int64, loads int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.bytes, c.loads
}

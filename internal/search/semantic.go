package search

import (
	clist "container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/patternvault/patternvault/internal/embed"
	"github.com/patternvault/patternvault/internal/embed/local"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/vecindex"
)

// Semantic is the vector side of search: it embeds designs in the
// background, keeps each tenant's vectors in an exact in-memory index,
// and finds the designs nearest to a query or to another design.
type Semantic struct {
	Provider embed.Provider
	Store    *store.Store
	// Images, when set, gives a design's thumbnail to providers that see
	// pictures.
	Images func(ctx context.Context, tenantID, patternID int64) ([]byte, error)
	Log    *slog.Logger
	// Batch is how many designs go to the provider at once.
	Batch int
	// OnChange, when set, is told of every tenant whose searchable words
	// changed, on any app server, as Run hears of it.
	OnChange func(tenantID int64)

	index   *vecindex.Cache
	queries *queryCache

	mu    sync.Mutex
	dirty map[int64]time.Time // tenant → when it may be embedded next
	wake  chan struct{}
}

// DefaultIndexBudget bounds the memory of the in-memory indexes: about
// 1,000 tenants of 1,000 designs, or 250 of 15,000, with the local
// provider's 256 dimensions.
const DefaultIndexBudget = 1 << 30

// NewSemantic returns the vector side of search over provider, keeping at
// most budget bytes of indexes in memory.
func NewSemantic(st *store.Store, provider embed.Provider, budget int64, log *slog.Logger) *Semantic {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Semantic{Provider: provider, Store: st, Log: log, Batch: 128,
		queries: newQueryCache(4096), dirty: map[int64]time.Time{}, wake: make(chan struct{}, 1)}
	s.index = vecindex.NewCache(s.load, budget)
	return s
}

// Index returns the cache of per-tenant indexes.
func (s *Semantic) Index() *vecindex.Cache { return s.index }

func (s *Semantic) load(ctx context.Context, tenantID int64) (*vecindex.Index, error) {
	ids, vectors, version, pending, err := s.Store.Embeddings(ctx, tenantID, s.Provider.Name(), s.Provider.Dim())
	if err != nil {
		return nil, err
	}
	if pending > 0 {
		s.MarkDirty(tenantID) // a lost notification is caught up here
	}
	return vecindex.New(s.Provider.Dim(), ids, vectors, version)
}

// minSimilarity is the least cosine similarity a vector result needs:
// below it, closeness is chance (hash collisions of the local concepts,
// noise of a model).
const minSimilarity = 0.15

// relates reports whether designs found by vector alone may be shown as
// related to a search (never as matches). A learned model's nearness
// can (from minSimilarity). The local concepts' cannot: a word they do
// not know lands on a hashed dimension that unrelated designs share, and
// on the demo library their nearness alone scored noise ("xylophone"
// 0.60, "mandalorian" 0.45) as high as kinship ("insect" → a butterfly
// 0.49); what they do know, the thesaurus already gives the words.
func (s *Semantic) relates() bool {
	_, isLocal := s.Provider.(*local.Provider)
	return !isLocal
}

// Nearest returns the live designs passing f whose vectors are nearest to
// text, best first, at most k. The index is checked against the tenant's
// current search version in the same query that applies the filters, so
// a search never answers from vectors older than the last change it can
// see.
func (s *Semantic) Nearest(ctx context.Context, tenantID int64, text string, f store.SearchFilter, k int) ([]store.RankedID, error) {
	qv, err := s.queryVector(ctx, text)
	if err != nil || qv == nil {
		return nil, err
	}
	return s.nearestTo(ctx, tenantID, qv, 0, f, k)
}

// nearestTo searches the tenant's index for vector qv, leaving out id
// skip, and keeps the live designs passing f.
func (s *Semantic) nearestTo(ctx context.Context, tenantID int64, qv []float32, skip int64, f store.SearchFilter, k int) ([]store.RankedID, error) {
	ix, err := s.index.Get(ctx, tenantID, 0)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		matches := ix.Search(qv, 2*k, func(id int64) bool { return id == skip })
		ids := make([]int64, len(matches))
		for i, m := range matches {
			ids[i] = m.ID
		}
		live, version, err := s.Store.FilterCandidates(ctx, tenantID, ids, f)
		if err != nil {
			return nil, err
		}
		if version != ix.Version() && attempt == 0 {
			if ix, err = s.index.Get(ctx, tenantID, version); err != nil {
				return nil, err
			}
			continue
		}
		byID := make(map[int64]store.RankedID, len(live))
		for _, r := range live {
			byID[r.ID] = r
		}
		out := make([]store.RankedID, 0, k)
		for _, m := range matches {
			if r, ok := byID[m.ID]; ok && len(out) < k && m.Score >= minSimilarity {
				r.Score = float64(m.Score)
				out = append(out, r)
			}
		}
		return out, nil
	}
}

// queryVector embeds a query, remembering recent ones.
func (s *Semantic) queryVector(ctx context.Context, text string) ([]float32, error) {
	if text == "" {
		return nil, nil
	}
	if v, ok := s.queries.get(text); ok {
		return v, nil
	}
	vs, _, err := s.Provider.Embed(ctx, embed.Query, []embed.Input{{Text: text}})
	if err != nil {
		return nil, fmt.Errorf("search: embed query: %w", err)
	}
	if len(vs) != 1 {
		return nil, fmt.Errorf("search: embed query: %d vectors for one query", len(vs))
	}
	s.queries.put(text, vs[0])
	return vs[0], nil
}

// MarkDirty asks for the tenant's new and changed designs to be embedded.
func (s *Semantic) MarkDirty(tenantID int64) {
	s.mu.Lock()
	if _, ok := s.dirty[tenantID]; !ok {
		s.dirty[tenantID] = time.Now()
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// EmbedTenant embeds every live design of the tenant that lacks a vector
// and returns how many it embedded. App servers take turns per tenant.
func (s *Semantic) EmbedTenant(ctx context.Context, tenantID int64) (int, error) {
	done := 0
	err := s.Store.WithAdvisoryLock(ctx, embedLockKey(tenantID), func() error {
		// Newest first, a page at a time down the ids. A design whose
		// text changes meanwhile (its vector dropped) above where this
		// run has reached is taken by the next run, which its change
		// wakes.
		before := int64(0)
		for {
			batch, err := s.Store.PendingEmbeddings(ctx, tenantID, s.Provider.Name(), max(s.Batch, 1), before)
			if err != nil || len(batch) == 0 {
				return err
			}
			before = batch[len(batch)-1].ID
			inputs := make([]embed.Input, len(batch))
			ids := make([]int64, len(batch))
			for i, b := range batch {
				ids[i] = b.ID
				inputs[i] = embed.Input{Text: b.Text, Name: b.Name, Keywords: b.Keywords}
				if s.Images != nil {
					img, err := s.Images(ctx, tenantID, b.ID)
					if err != nil {
						s.Log.Warn("search: thumbnail for embedding", "tenant", tenantID, "pattern", b.ID, "err", err)
					}
					inputs[i].Image = img
				}
			}
			vectors, usage, err := s.Provider.Embed(ctx, embed.Document, inputs)
			if err != nil {
				return fmt.Errorf("embed %d designs: %w", len(batch), err)
			}
			if err := s.Store.RecordEmbeddingUsage(ctx, tenantID, s.Provider.Name(), usage.Tokens, len(batch)); err != nil {
				return err
			}
			if err := s.Store.SaveEmbeddings(ctx, tenantID, s.Provider.Name(), ids, vectors); err != nil {
				return err
			}
			done += len(batch)
		}
	})
	if err != nil {
		return done, fmt.Errorf("search: embed tenant %d: %w", tenantID, err)
	}
	return done, nil
}

// embedLockKey is the advisory lock of a tenant's embedding writer.
func embedLockKey(tenantID int64) int64 { return 0x5056_0000_0000_0000 | tenantID }

// Run embeds designs as they change until ctx ends: it listens for
// changes (every app server hears every change), sweeps every tenant once
// at start for work a stopped server left, and retries failures with
// backoff.
func (s *Semantic) Run(ctx context.Context) {
	go s.listen(ctx)
	go func() {
		tenants, err := s.Store.TenantsWithPendingEmbeddings(ctx, s.Provider.Name())
		if err != nil && ctx.Err() == nil {
			s.Log.Error("search: start-up embedding sweep", "err", err)
		}
		for _, t := range tenants {
			s.MarkDirty(t)
		}
	}()
	backoff := map[int64]time.Duration{}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-tick.C:
		}
		// Let a burst of changes (an import) gather before embedding.
		time.Sleep(200 * time.Millisecond)
		for _, t := range s.takeDue() {
			n, err := s.EmbedTenant(ctx, t)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				backoff[t] = min(max(2*backoff[t], time.Second), 5*time.Minute)
				s.Log.Error("search: embedding failed; will retry", "tenant", t, "retry_in", backoff[t], "err", err)
				s.mu.Lock()
				s.dirty[t] = time.Now().Add(backoff[t])
				s.mu.Unlock()
				continue
			}
			delete(backoff, t)
			if n > 0 {
				s.Log.Debug("search: embedded designs", "tenant", t, "designs", n)
			}
		}
	}
}

// takeDue removes and returns the dirty tenants whose time has come.
func (s *Semantic) takeDue() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var due []int64
	for t, at := range s.dirty {
		if !at.After(now) {
			due = append(due, t)
			delete(s.dirty, t)
		}
	}
	return due
}

// listen marks tenants dirty as their changes commit, reconnecting after
// errors.
func (s *Semantic) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.Store.Listen(ctx, store.SearchChangedChannel, func(payload string) {
			if t, ok := store.TenantOfSchema(payload); ok {
				s.MarkDirty(t)
				if s.OnChange != nil {
					s.OnChange(t)
				}
			}
		})
		if ctx.Err() != nil || errors.Is(err, context.Canceled) {
			return
		}
		s.Log.Warn("search: listening for changes failed; retrying", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// queryCache is a small LRU of query vectors.
type queryCache struct {
	mu    sync.Mutex
	max   int
	lru   *clist.List
	items map[string]*clist.Element
}

type queryEntry struct {
	text string
	v    []float32
}

func newQueryCache(n int) *queryCache {
	return &queryCache{max: n, lru: clist.New(), items: map[string]*clist.Element{}}
}

func (c *queryCache) get(text string) ([]float32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[text]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(el)
	return el.Value.(*queryEntry).v, true
}

func (c *queryCache) put(text string, v []float32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[text]; ok {
		return
	}
	c.items[text] = c.lru.PushFront(&queryEntry{text: text, v: v})
	if c.lru.Len() > c.max {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.items, last.Value.(*queryEntry).text)
	}
}

// lexicon gives the local embedding the search package's words and
// thesaurus.
type lexicon struct{ *Thesaurus }

// Words implements local.Lexicon.
func (lexicon) Words(text string) []string { return Words(text) }

// LocalProvider returns the built-in "local concepts" embedding over the
// project's thesaurus.
func LocalProvider() *local.Provider { return local.New(lexicon{Builtin()}) }

// NearestDesigns returns the live designs whose vectors are nearest to
// design id's, best first, at most k (none when id has no vector yet).
func (s *Semantic) NearestDesigns(ctx context.Context, tenantID, id int64, k int) ([]store.RankedID, error) {
	ix, err := s.index.Get(ctx, tenantID, 0)
	if err != nil {
		return nil, err
	}
	v := ix.Vector(id)
	if v == nil {
		return nil, nil
	}
	return s.nearestTo(ctx, tenantID, v, id, store.SearchFilter{}, k)
}

package search

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/english"
	"github.com/patternvault/patternvault/internal/metrics"
	"github.com/patternvault/patternvault/internal/store"
)

// Service searches tenants' libraries.
type Service struct {
	Store     *store.Store
	Thesaurus *Thesaurus

	// Metrics, when set, counts searches.
	Metrics *metrics.Metrics
	// Semantic, when set, adds the designs nearest by vector.
	Semantic *Semantic
	// Quota, when set, allows the remote model by plan (quota.go).
	Quota Quota

	mu         sync.Mutex
	vocab      map[int64]*vocabulary
	changed    map[int64]time.Time // tenant → when its words last changed
	vocabLoads singleflight.Group
}

// vocabulary is a tenant's words (keywords and words of names), kept a
// short while in memory: typo tolerance compares typed words against it.
type vocabulary struct {
	words []string
	known map[string]bool
	at    time.Time
}

// vocabTTL is how long a vocabulary is used before it is read again
// (each app server keeps its own); a stale one still answers while the
// new one loads in the background.
const vocabTTL = 60 * time.Second

// New returns a search service with the built-in thesaurus.
func New(st *store.Store) *Service {
	return &Service{Store: st, Thesaurus: Builtin(), vocab: map[int64]*vocabulary{}, changed: map[int64]time.Time{}}
}

// vocabularyOf returns the tenant's vocabulary. The first search of a
// tenant loads it (concurrent searches share the load); later, a stale
// one answers at once and is reloaded in the background, so no search
// waits for the reload.
func (s *Service) vocabularyOf(ctx context.Context, tenantID int64) (*vocabulary, error) {
	s.mu.Lock()
	v := s.vocab[tenantID]
	s.mu.Unlock()
	if v != nil {
		if time.Since(v.at) >= vocabTTL {
			go s.loadVocabulary(context.WithoutCancel(ctx), tenantID)
		}
		return v, nil
	}
	return s.loadVocabulary(ctx, tenantID)
}

// WordsChanged marks the tenant's vocabulary stale, as its words
// changed: the next search still uses it and reads it again in the
// background (Semantic.OnChange calls this on every app server).
func (s *Service) WordsChanged(tenantID int64) {
	s.mu.Lock()
	if v := s.vocab[tenantID]; v != nil {
		s.vocab[tenantID] = &vocabulary{words: v.words, known: v.known}
		s.changed[tenantID] = time.Now()
	}
	s.mu.Unlock()
}

// Warm loads, in the background, what a tenant's first search would wait
// for (its vocabulary and its vector index) when it is not in memory;
// the library page calls it, so the quilter's first search is quick.
func (s *Service) Warm(tenantID int64) {
	s.mu.Lock()
	_, ok := s.vocab[tenantID]
	s.mu.Unlock()
	if ok {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		english.Len() // the word list, read once per process
		s.loadVocabulary(ctx, tenantID)
		if s.Semantic != nil {
			s.Semantic.Index().Get(ctx, tenantID, 0)
		}
	}()
}

// loadVocabulary reads the tenant's vocabulary, once at a time per tenant.
func (s *Service) loadVocabulary(ctx context.Context, tenantID int64) (*vocabulary, error) {
	res, err, _ := s.vocabLoads.Do(strconv.FormatInt(tenantID, 10), func() (any, error) {
		start := time.Now()
		words, err := s.Store.Vocabulary(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		v := &vocabulary{words: words, known: make(map[string]bool, len(words)), at: start}
		for _, w := range words {
			v.known[w] = true
		}
		if len(words) == 0 {
			return v, nil // an empty library: read again once it fills
		}
		s.mu.Lock()
		if len(s.vocab) > 1000 { // bound memory: forget every tenant now and then
			s.vocab, s.changed = map[int64]*vocabulary{}, map[int64]time.Time{}
		}
		if s.changed[tenantID].After(start) {
			v.at = time.Time{} // words changed while it was read: stale already
		}
		s.vocab[tenantID] = v
		s.mu.Unlock()
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	return res.(*vocabulary), nil
}

// respell reads the typed words against the tenant's own words (its
// vocabulary: keywords and words of names) and returns the query as read,
// for "did you mean", or "" when it read every word as typed:
//
//   - an adjective in -y also finds the noun the library or the
//     thesaurus knows ("swirly" → swirl, "starry" → star, "curly" → curl
//     and its synonyms), silently;
//   - a word the library does not know, and that is not an English word,
//     is split into words it does know ("startrek" → "star trek"), which
//     then match as a phrase;
//   - two typed words the library knows joined ("spider web" →
//     spiderweb) match as one too, silently;
//   - a word that is neither the library's, nor English, nor the
//     thesaurus's, and that finds nothing as it is, is corrected to the
//     library's nearest word within two edits ("lonship" → longship).
//
// An English word is never corrected: "boat" is not a typo of "bat", and
// "wars" not of "warp", whatever the library holds.
func (s *Service) respell(ctx context.Context, tenantID int64, q *Query) string {
	v, err := s.vocabularyOf(ctx, tenantID)
	if err != nil || len(v.words) == 0 {
		return ""
	}
	known := func(w string) bool { return v.known[w] || v.known[Singular(w)] }
	real := func(w string) bool {
		sg := Singular(w)
		return english.Known(w) || english.Known(sg) || s.Thesaurus != nil && (s.Thesaurus.Known(w) || s.Thesaurus.Known(sg))
	}
	changed := false
	out := make([]string, len(q.Terms))
	for i := range q.Terms {
		t := &q.Terms[i]
		out[i] = t.Word
		if t.Type != "" || i >= maxRespelt || len(t.Word) > maxWordBytes {
			continue // bounds the work a long query can ask for
		}
		for _, base := range adjectiveBases(t.Word) {
			switch {
			case known(base):
				t.Alts = appendNew(t.Alts, base) // swirly → swirl, silently
			case s.Thesaurus != nil && s.Thesaurus.Known(base):
				t.Alts = appendNew(t.Alts, base) // curly → curl, and its synonyms
				for _, e := range s.Thesaurus.Expand(base) {
					t.Alts = appendNew(t.Alts, e)
				}
			}
		}
		if known(t.Word) {
			continue
		}
		if real(t.Word) {
			continue
		}
		if parts := split(t.Word, known, 3); len(parts) > 1 {
			phrase := strings.Join(parts, " ")
			t.Alts = appendNew(t.Alts, phrase)
			out[i], changed = phrase, true
			continue
		}
		if len([]rune(t.Word)) < 4 || s.hasHits(ctx, tenantID, t.Word, i == len(q.Terms)-1) {
			continue
		}
		if best, ok := closest(t.Word, v.words); ok {
			t.Alts = appendNew(t.Alts, best)
			out[i], changed = best, true
		}
	}
	for i := 0; i+1 < len(q.Terms); i++ {
		a, b := &q.Terms[i], &q.Terms[i+1]
		if a.Type != "" || b.Type != "" {
			continue
		}
		if joined := a.Word + b.Word; known(joined) {
			a.Alts = appendNew(a.Alts, joined)
			b.Alts = appendNew(b.Alts, joined)
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(out, " ")
}

// What respell reads: the first maxRespelt words of a query, each of at
// most maxWordBytes (a longer one is no name and no typo of one).
const (
	maxRespelt   = 10
	maxWordBytes = 48
)

// adjectiveBases returns the nouns an adjective in -y may come from, for
// the library to confirm: swirly → swirl, starry → star, wavy → wave,
// bubbly → bubble. Bases are of four letters or more.
func adjectiveBases(w string) []string {
	n := len(w)
	if n < 5 || w[n-1] != 'y' {
		return nil
	}
	out := []string{w[:n-1], w[:n-1] + "e"}
	if w[n-2] == w[n-3] {
		out = append(out, w[:n-2])
	}
	var keep []string
	for _, b := range out {
		if len(b) >= 4 {
			keep = append(keep, b)
		}
	}
	return keep
}

// split returns w as two or more words that known accepts, each of at
// least three letters ("startrek" → star, trek), the most even split
// first; nil when there is none. parts bounds how many words.
func split(w string, known func(string) bool, parts int) []string {
	r := []rune(w)
	var best []string
	bestShort := 0
	for i := 3; i+3 <= len(r); i++ {
		left, right := string(r[:i]), string(r[i:])
		if !known(left) {
			continue
		}
		var tail []string
		if known(right) {
			tail = []string{right}
		} else if parts > 2 {
			tail = split(right, known, parts-1)
		}
		if tail == nil {
			continue
		}
		short := len([]rune(left))
		for _, p := range tail {
			short = min(short, len([]rune(p)))
		}
		if short > bestShort {
			best, bestShort = append([]string{left}, tail...), short
		}
	}
	return best
}

// hasHits reports whether w alone (as a prefix when it is the word being
// typed) matches any design: a word of the notes or a designer's name
// is not the library's vocabulary, but it is not a typo either.
func (s *Service) hasHits(ctx context.Context, tenantID int64, w string, typing bool) bool {
	hits, err := s.Store.SearchFullText(ctx, tenantID, store.TextQuery{Terms: [][]string{{w}}, Prefix: typing}, store.SearchFilter{}, 1)
	return err == nil && len(hits) > 0
}

// Hit is one result, best first, with why it matched.
type Hit struct {
	ID    int64    `json:"id"`
	Score float64  `json:"score"`
	Why   []string `json:"why"`
}

// Result is a whole search.
type Result struct {
	Query Query
	// Hits are the designs that match: they hold every typed word (or its
	// plural, synonym, split or correction) in their name, keywords,
	// designer, type or notes, or are named exactly as typed.
	Hits []Hit
	// Related are designs below that floor, for "no close matches;
	// related designs": those holding some of the words only, and those
	// near by vector alone. At most maxRelated, none of them in Hits.
	Related    []Hit
	DidYouMean string
	Took       time.Duration
	// Note, when set, says why the search used words only (the plan).
	Note string
}

// maxHits bounds each way of searching; results are paged from the fusion.
const maxHits = 200

// maxExact bounds the designs named exactly as typed.
const maxExact = 5

// maxRelated bounds the related designs shown beside (or instead of)
// the matches.
const maxRelated = 12

// rrfK damps reciprocal-rank fusion (the usual 60).
const rrfK = 60

// Search runs a plain-words search with the filters the page chose (a
// format or favourites written in words fills the one the page left
// empty; a type word is a term, see Parse).
func (s *Service) Search(ctx context.Context, tenantID, userID int64, raw string, f store.SearchFilter) (*Result, error) {
	t0 := time.Now()
	q := Parse(raw, s.Thesaurus)
	if f.Format == "" {
		f.Format = q.Format
	}
	f.Favorites = f.Favorites || q.Favorites
	f.UserID = userID
	f.Not = append(f.Not, q.Not...)
	res := &Result{Query: q}
	if q.Empty() && len(q.Not) == 0 {
		return res, nil
	}
	suggestion := s.respell(ctx, tenantID, &q)
	res.Query = q
	// The vector part runs beside the full-text queries.
	type vectorResult struct {
		hits []store.RankedID
		err  error
	}
	vecDone := make(chan vectorResult, 1)
	if text := q.Text(); s.Semantic != nil && text != "" && s.allowVectors(ctx, tenantID, res) {
		go func() {
			hits, err := s.Semantic.Nearest(ctx, tenantID, text, f, vectorHits)
			vecDone <- vectorResult{hits, err}
		}()
	} else {
		vecDone <- vectorResult{}
	}
	tq := store.TextQuery{Not: q.Not, Phrases: q.Phrases, Prefix: true}
	for _, t := range q.Terms {
		tq.Terms = append(tq.Terms, append([]string{t.Word}, t.Alts...))
	}
	// Every word, and a name typed exactly: one round trip.
	var name string
	if len(q.Terms) > 0 {
		names := make([]string, len(q.Terms))
		for i, t := range q.Terms {
			names[i] = t.Word
		}
		name = strings.Join(names, " ")
	}
	full, exact, err := s.Store.SearchWords(ctx, tenantID, tq, name, f, maxHits, maxExact)
	if err != nil {
		return nil, err
	}
	var some []store.RankedID
	if len(full) == 0 && len(tq.Terms)+len(tq.Phrases) > 1 {
		// Nothing has every word: what has any of them is related, not a
		// match ("star wars" is not any star).
		var any []string
		for _, g := range tq.Terms {
			any = append(any, g...)
		}
		for _, p := range tq.Phrases {
			any = append(any, strings.Join(p, " "))
		}
		or := store.TextQuery{Terms: [][]string{any}}
		if some, err = s.Store.SearchFullText(ctx, tenantID, or, f, maxHits); err != nil {
			return nil, err
		}
	}
	vec := <-vecDone
	if vec.err != nil {
		// Words still answer when the vector side cannot (a remote
		// model down, say): the search degrades, it does not fail.
		s.Semantic.Log.WarnContext(ctx, "search: vector part failed; answering by words", "tenant", tenantID, "err", vec.err)
		vec.hits = nil
	}
	// Nearness by vector reorders the matches; alone, it only relates.
	matched := map[int64]bool{}
	for _, list := range [][]store.RankedID{exact, full} {
		for _, r := range list {
			matched[r.ID] = true
		}
	}
	var near, nearOnly []store.RankedID
	for _, r := range vec.hits {
		if matched[r.ID] {
			near = append(near, r)
		} else if s.Semantic.relates() {
			nearOnly = append(nearOnly, r)
		}
	}
	res.Hits = fuse(exact, ranked{full, 1}, ranked{near, vectorWeight})
	some = slices.DeleteFunc(some, func(r store.RankedID) bool { return matched[r.ID] })
	res.Related = fuse(nil, ranked{some, 1}, ranked{nearOnly, vectorWeight})
	if len(res.Related) > maxRelated {
		res.Related = res.Related[:maxRelated]
	}
	res.DidYouMean = suggestion
	info := map[int64]store.RankedID{}
	for _, list := range [][]store.RankedID{exact, full, some, vec.hits} {
		for _, r := range list {
			info[r.ID] = r
		}
	}
	byType(q, res.Hits, info)
	explain(q, res.Hits, info)
	explain(q, res.Related, info)
	for i := range res.Related {
		if len(res.Related[i].Why) == 0 {
			res.Related[i].Why = []string{"related words"}
		}
	}
	res.Took = time.Since(t0)
	s.Metrics.Count("search")
	// The log is written after the answer, not before.
	if ctx.Value(unloggedKey{}) == nil {
		go s.log(context.WithoutCancel(ctx), tenantID, userID, raw, len(res.Hits), res.Took)
	}
	return res, nil
}

type unloggedKey struct{}

// Unlogged marks searches made with ctx as not worth logging: results
// shown while the words are still being typed.
func Unlogged(ctx context.Context) context.Context {
	return context.WithValue(ctx, unloggedKey{}, true)
}

// IDs returns the ids of hits, in order.
func IDs(hits []Hit) []int64 {
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

// vectorHits bounds the vector part of a search; vectorWeight is its
// weight in the fusion (word matches count more than nearness).
const (
	vectorHits   = 50
	vectorWeight = 0.1
)

// ranked is one way of searching's results, best first, and its weight.
type ranked struct {
	list   []store.RankedID
	weight float64
}

// fuse ranks by weighted reciprocal-rank fusion; exact name matches come
// first.
func fuse(exact []store.RankedID, lists ...ranked) []Hit {
	score := map[int64]float64{}
	for _, l := range lists {
		for i, r := range l.list {
			score[r.ID] += l.weight / float64(rrfK+i+1)
		}
	}
	for _, r := range exact {
		score[r.ID] += 1
	}
	hits := make([]Hit, 0, len(score))
	for id, sc := range score {
		hits = append(hits, Hit{ID: id, Score: sc})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ID < hits[j].ID
	})
	return hits
}

// byType puts first, after exact names, the hits of the type every type
// word names: "border" lists borders before corners whose notes say
// "border corner".
func byType(q Query, hits []Hit, info map[int64]store.RankedID) {
	var types []string
	for _, t := range q.Terms {
		if t.Type != "" {
			types = append(types, t.Type)
		}
	}
	if len(types) == 0 {
		return
	}
	ofType := func(h Hit) bool {
		for _, typ := range types {
			if info[h.ID].Type != typ {
				return false
			}
		}
		return true
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if ei, ej := hits[i].Score >= 1, hits[j].Score >= 1; ei != ej {
			return ei
		}
		return ofType(hits[i]) && !ofType(hits[j])
	})
}

// explain says which typed words (or their synonyms, splits and
// corrections) each hit's name, keywords or designer hold, and which type
// word its type answers ("type: Border").
func explain(q Query, hits []Hit, info map[int64]store.RankedID) {
	// Each term's words, after a space, made once for all the hits.
	words := make([][]string, len(q.Terms))
	for i, t := range q.Terms {
		words[i] = make([]string, 0, 1+len(t.Alts))
		for _, w := range append([]string{t.Word}, t.Alts...) {
			words[i] = append(words[i], " "+w)
		}
	}
	for i := range hits {
		r := info[hits[i].ID]
		text := " " + r.Text + " "
		for ti, t := range q.Terms {
			found := false
			for _, w := range words[ti] {
				if strings.Contains(text, w) {
					hits[i].Why = append(hits[i].Why, w[1:])
					found = true
					break
				}
			}
			if !found && t.Type != "" && r.Type == t.Type {
				hits[i].Why = append(hits[i].Why, "type: "+designtype.Word(t.Type))
			}
		}
	}
}

func closest(w string, vocab []string) (string, bool) {
	best, bestD := "", 3
	for _, v := range vocab {
		if d := editDistance(w, v, bestD); d < bestD || (d == bestD && best != "" && len(v) < len(best)) {
			best, bestD = v, d
		}
	}
	return best, best != "" && bestD <= 2
}

// editDistance is the Damerau–Levenshtein (optimal string alignment)
// distance, giving up past limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2, prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1), make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// log records the search for the owner's "what people search for"; a
// search is answered even when its log line cannot be written.
func (s *Service) log(ctx context.Context, tenantID, userID int64, raw string, n int, took time.Duration) {
	if err := s.Store.RecordSearch(ctx, tenantID, userID, raw, n, took); err != nil {
		slog.Warn("search: log", "tenant", tenantID, "err", err)
	}
}

// Page returns the hits of one page (offset cursor "" or a number) and the
// cursor of the next page ("" on the last).
func (r *Result) Page(cursor string, limit int) ([]Hit, string) {
	off := 0
	fmt.Sscanf(cursor, "%d", &off)
	if off < 0 || off > len(r.Hits) {
		off = len(r.Hits)
	}
	end := min(off+limit, len(r.Hits))
	next := ""
	if end < len(r.Hits) {
		next = fmt.Sprint(end)
	}
	return r.Hits[off:end], next
}

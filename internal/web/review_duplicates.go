package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// doublesPage lists designs that look like the same design.
type doublesPage struct {
	Pairs []*store.DuplicatePair
	Total int
	Next  string
	// Undo is the activity a "keep one" just made, for its Undo button.
	Undo int64
}

func (s *Server) duplicates(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	after := decodePairCursor(r.URL.Query().Get("after")) // nil (the first page) when absent or not ours
	pairs, total, err := s.store.DuplicatePairs(r.Context(), t.ID, after, 30)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := doublesPage{Pairs: pairs, Total: total}
	page.Undo, _ = strconv.ParseInt(r.URL.Query().Get("undo"), 10, 64) // not a number: no undo button
	if len(pairs) == 30 {
		last := pairs[29]
		page.Next = strconv.FormatInt(last.CreatedAt.UnixNano(), 36) + "." + strconv.FormatInt(last.A.ID, 36) + "." + strconv.FormatInt(last.B.ID, 36)
	}
	s.render(w, r, http.StatusOK, "doubles", pageData{Title: "Possible duplicates", Data: page})
}

// decodePairCursor reads the "after" cursor of the duplicates page, nil
// when it is not one the page made.
func decodePairCursor(c string) *store.DuplicatePair {
	var parts [3]int64
	i := 0
	for _, f := range bytes.Split([]byte(c), []byte(".")) {
		if i == 3 {
			return nil
		}
		n, err := strconv.ParseInt(string(f), 36, 64)
		if err != nil {
			return nil
		}
		parts[i] = n
		i++
	}
	if i != 3 {
		return nil
	}
	return &store.DuplicatePair{CreatedAt: time.Unix(0, parts[0]), A: &store.Pattern{ID: parts[1]}, B: &store.Pattern{ID: parts[2]}}
}

func (s *Server) decideDuplicate(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	back := tenant.Path(t.Slug, "review", "duplicates")
	a, errA := strconv.ParseInt(r.PostFormValue("a"), 10, 64)
	b, errB := strconv.ParseInt(r.PostFormValue("b"), 10, 64)
	if errA != nil || errB != nil {
		s.fail(w, r, errBadForm)
		return
	}
	act, err := s.library.DecideDuplicate(r.Context(), t.ID, currentUser(r).ID, a, b, r.PostFormValue("decision"))
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	if act == 0 {
		s.redirectWith(w, r, back, "Kept both.")
		return
	}
	s.redirectWith(w, r, back+"?undo="+strconv.FormatInt(act, 10), "Kept one; the other is in the bin.")
}

package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The workspace's integrations (owners): the owner's API tokens for it,
// and the pattern stores she connected to it (disconnected on her
// account's Connected stores page, which lists every workspace's).

// integrationsData is what the Integrations tab shows.
type integrationsData struct {
	Tokens []*store.APIToken
	// Stores are her live store connections into this workspace; Storing
	// says whether this server runs pattern stores at all.
	Stores  []*store.StoreGrant
	Storing bool
}

func (s *Server) integrations(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	u := currentUser(r)
	all, err := s.store.UserAPITokens(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := integrationsData{Storing: s.stores != nil}
	for _, tk := range all {
		if tk.TenantID == t.ID {
			d.Tokens = append(d.Tokens, tk)
		}
	}
	if s.stores != nil {
		grants, err := s.stores.ConnectedStores(r.Context(), u.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, g := range grants {
			if g.TenantID == t.ID {
				d.Stores = append(d.Stores, g)
			}
		}
	}
	s.render(w, r, http.StatusOK, "integrations", pageData{Title: "Integrations", Settings: "integrations", Data: d})
}

package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/storeapi"
	"github.com/patternvault/patternvault/internal/tenant"
)

// The quilter's side of pattern stores: the consent page that connects a
// store, claim links, the Inbox and the list of connected stores.

var errStoresOff = problem.Unavailable("stores_off", "Pattern stores are not available on this server.")

// consentPage is what the consent page shows.
type consentPage struct {
	Consent *storeapi.Consent
	// Query carries the store's request through the form.
	Query url.Values
}

// consent asks "Allow Quilt Store X to add purchases to your library?".
func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	if s.stores == nil {
		s.fail(w, r, errStoresOff)
		return
	}
	req := storeapi.AuthorizeRequestFrom(r.URL.Query())
	c, err := s.stores.Authorize(r.Context(), currentUser(r), req)
	if s.consentFailed(w, r, err) {
		return
	}
	// The answer to this page's form is a redirect to the store, which
	// browsers hold to the page's form-action: allow that one origin (one
	// of the store's registered redirect URIs, matched exactly).
	if u, err := url.Parse(c.Req.RedirectURI); err == nil && u.Scheme != "" && u.Host != "" {
		w.Header().Set("Content-Security-Policy", strings.Replace(contentPolicy, "form-action 'self'", "form-action 'self' "+u.Scheme+"://"+u.Host, 1))
	}
	s.render(w, r, http.StatusOK, "consent", pageData{Title: "Connect " + c.Store.Name, Data: consentPage{Consent: c, Query: req.Values()}})
}

// consentFailed sends an OAuth error back to the store, or shows a
// problem (an unknown store or return address) on the page.
func (s *Server) consentFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	var re *storeapi.RedirectError
	if errors.As(err, &re) {
		http.Redirect(w, r, re.URL, http.StatusSeeOther)
		return true
	}
	if err != nil {
		s.fail(w, r, err)
		return true
	}
	return false
}

// consentDecide records "Allow" (with the workspace and whether to
// review each delivery) or "No thanks", and returns to the store.
func (s *Server) consentDecide(w http.ResponseWriter, r *http.Request) {
	if s.stores == nil {
		s.fail(w, r, errStoresOff)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadForm)
		return
	}
	req := storeapi.AuthorizeRequestFrom(r.PostForm)
	var target string
	var err error
	if r.PostFormValue("decision") == "allow" {
		tid, _ := strconv.ParseInt(r.PostFormValue("tenant"), 10, 64)
		target, err = s.stores.Approve(r.Context(), currentUser(r), req, tid, r.PostFormValue("review") == "1")
	} else {
		target, err = s.stores.Deny(r.Context(), req)
	}
	if s.consentFailed(w, r, err) {
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// claimPage is a claim link's page.
type claimPage struct {
	Token    string
	Claim    *storeapi.Claimable
	Editable []store.Membership
}

// claim shows a claim link: sign in or sign up, then choose the
// workspace the design goes to.
func (s *Server) claim(w http.ResponseWriter, r *http.Request) {
	if s.stores == nil {
		s.fail(w, r, errStoresOff)
		return
	}
	token := r.PathValue("token")
	c, err := s.stores.Claim(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := claimPage{Token: token, Claim: c}
	if currentUser(r) != nil {
		if page.Editable, err = s.editableWorkspaces(r); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "claim", pageData{Title: "Your design from " + c.Delivery.StoreName, Data: page})
}

// claimInto lands a claim link's delivery in the chosen workspace.
func (s *Server) claimInto(w http.ResponseWriter, r *http.Request) {
	if s.stores == nil {
		s.fail(w, r, errStoresOff)
		return
	}
	tid, _ := strconv.ParseInt(r.PostFormValue("tenant"), 10, 64)
	d, err := s.stores.ClaimInto(r.Context(), r.PathValue("token"), currentUser(r).ID, tid)
	if err != nil {
		s.failBack(w, r, err, r.URL.Path)
		return
	}
	s.landed(w, r, d)
}

// landed sends the person to the workspace a delivery is landing in.
func (s *Server) landed(w http.ResponseWriter, r *http.Request, d *store.Delivery) {
	target := "/"
	if d.TenantID != nil {
		if t, err := s.store.TenantByID(r.Context(), *d.TenantID); err == nil {
			target = tenant.Path(t.Slug)
		}
	}
	s.redirectWith(w, r, target, "Thank you: your design from "+d.StoreName+" is being added to your library. It appears in a moment.")
}

// editableWorkspaces are the signed-in person's active workspaces where
// they may add designs.
func (s *Server) editableWorkspaces(r *http.Request) ([]store.Membership, error) {
	ws, err := s.workspaces(r)
	if err != nil {
		return nil, err
	}
	var out []store.Membership
	for _, m := range ws {
		if store.RoleAtLeast(m.Role, store.RoleEditor) && m.Tenant.Status == store.TenantActive {
			out = append(out, m)
		}
	}
	return out, nil
}

// inboxItem is one waiting delivery on the Inbox page.
type inboxItem struct {
	Delivery *store.Delivery
	Request  storeapi.ImportRequest
}

// inboxPage lists deliveries waiting for acceptance.
type inboxPage struct {
	Items    []inboxItem
	Editable []store.Membership
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	if s.stores == nil {
		s.fail(w, r, errStoresOff)
		return
	}
	ds, err := s.stores.Inbox(r.Context(), currentUser(r).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := inboxPage{}
	for _, d := range ds {
		it := inboxItem{Delivery: d}
		json.Unmarshal(d.Request, &it.Request)
		page.Items = append(page.Items, it)
	}
	if page.Editable, err = s.editableWorkspaces(r); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "inbox", pageData{Title: "Inbox", Data: page})
}

func (s *Server) inboxAccept(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var d *store.Delivery
	if err == nil {
		tid, _ := strconv.ParseInt(r.PostFormValue("tenant"), 10, 64)
		d, err = s.stores.Accept(r.Context(), currentUser(r).ID, id, tid)
	}
	if err != nil {
		s.failBack(w, r, err, "/inbox")
		return
	}
	s.landed(w, r, d)
}

func (s *Server) inboxDecline(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.stores.Decline(r.Context(), currentUser(r).ID, id)
	}
	if err != nil {
		s.failBack(w, r, err, "/inbox")
		return
	}
	s.redirectWith(w, r, "/inbox", "Declined: the store has been told.")
}

// connectedStores lists the stores the person connected, to disconnect.
func (s *Server) connectedStores(w http.ResponseWriter, r *http.Request) {
	if s.stores == nil {
		s.fail(w, r, errStoresOff)
		return
	}
	gs, err := s.stores.ConnectedStores(r.Context(), currentUser(r).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	if ws, err := s.workspaces(r); err == nil {
		for _, m := range ws {
			names[m.Tenant.ID] = m.Tenant.Name
		}
	}
	s.render(w, r, http.StatusOK, "connected_stores", pageData{Title: "Connected stores", Data: struct {
		Grants     []*store.StoreGrant
		Workspaces map[int64]string
	}{gs, names}})
}

func (s *Server) disconnectStore(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.stores.Disconnect(r.Context(), currentUser(r).ID, id)
	}
	if err != nil {
		s.failBack(w, r, err, "/account/stores")
		return
	}
	s.redirectWith(w, r, "/account/stores", "Disconnected: that store can no longer add designs to your library.")
}

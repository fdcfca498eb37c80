package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// membersPage lists a workspace's members and (for owners) its open
// invitations.
type membersPage struct {
	Members     []store.Membership
	Invitations []*store.Invitation
}

func (s *Server) members(w http.ResponseWriter, r *http.Request) {
	s.renderMembers(w, r, nil, nil)
}

// renderMembers shows the members page, with the problem of the form just
// sent when failed is one.
func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, failed error, form map[string]string) {
	t := tenant.FromContext(r.Context())
	page := membersPage{}
	err := s.store.Tx(r.Context(), func(st *store.Store) error {
		var err error
		if page.Members, err = st.Members(r.Context(), t.ID); err != nil {
			return err
		}
		if roleFrom(r.Context()) == store.RoleOwner {
			page.Invitations, err = st.PendingInvitations(r.Context(), t.ID)
		}
		return err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := pageData{Title: "Members", Settings: "members", Form: form, Data: page}
	if failed != nil {
		s.failForm(w, r, failed, "members", data)
		return
	}
	s.render(w, r, http.StatusOK, "members", data)
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "email", "role")
	if err := s.accounts.Invite(r.Context(), t, visitorFrom(r.Context()), f["email"], f["role"]); err != nil {
		s.renderMembers(w, r, err, f)
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "members"), "Invitation sent to "+f["email"]+".")
}

func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.accounts.RevokeInvitation(r.Context(), t.ID, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "members"), "Invitation cancelled.")
}

func (s *Server) changeRole(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.accounts.ChangeRole(r.Context(), t.ID, id, r.PostFormValue("role"))
	}
	s.memberChanged(w, r, err, "Role changed.")
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = s.accounts.RemoveMember(r.Context(), t.ID, id)
	}
	s.memberChanged(w, r, err, "Member removed.")
}

// memberChanged answers a change of a member: back to the list, or the
// list with the problem (a member not found is the 404 page).
func (s *Server) memberChanged(w http.ResponseWriter, r *http.Request, err error, done string) {
	if p := httpx.Problem(err); err != nil && (p == nil || p.Status == http.StatusNotFound) {
		s.fail(w, r, err)
		return
	}
	if _, ok := problem.As(err); ok {
		s.renderMembers(w, r, err, nil)
		return
	}
	s.redirectWith(w, r, tenant.Path(tenant.FromContext(r.Context()).Slug, "members"), done)
}

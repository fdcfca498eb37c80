package web

import (
	"net/http"
	"time"

	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/tenant"
)

// Deleting a workspace (Settings → Danger) and an account: confirmed by
// typing its name, paused at once, purged after a grace period in which
// it can be cancelled; an export of everything is made and mailed first.

// actor is who acts in this request, for the audit log.
func actor(r *http.Request) backup.Actor {
	v := visitorFrom(r.Context())
	a := backup.Actor{IP: clientIP(r)}
	if v == nil {
		return a
	}
	actorID, as := v.Actor()
	if actorID != nil {
		a.UserID = *actorID
	}
	if as != nil {
		a.As = *as
	}
	return a
}

// dangerPage is what Settings → Danger shows.
type dangerPage struct {
	DeleteAfter *time.Time
	Exports     []*store.Export
	Days        int
}

func (s *Server) danger(w http.ResponseWriter, r *http.Request) {
	s.renderDanger(w, r, nil, nil)
}

func (s *Server) renderDanger(w http.ResponseWriter, r *http.Request, failed error, form map[string]string) {
	t := tenant.FromContext(r.Context())
	exports, err := s.store.Exports(r.Context(), t.ID, 3)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := pageData{Title: "Delete this workspace", Settings: "danger", Form: form, Data: dangerPage{DeleteAfter: t.DeleteAfter, Exports: exports, Days: backup.DeleteGraceDays}}
	if failed != nil {
		s.failForm(w, r, failed, "danger", data)
		return
	}
	s.render(w, r, http.StatusOK, "danger", data)
}

func (s *Server) deleteWorkspace(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	f := formValues(r, "name")
	when, err := s.backup.RequestDeletion(r.Context(), t, actor(r), f["name"])
	if err != nil {
		s.renderDanger(w, r, err, f)
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "settings", "danger"),
		"The workspace is paused and will be deleted on "+when.Local().Format("Monday 2 January 2006")+". We are making an export of everything and will email you its link.")
}

func (s *Server) cancelDeletion(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	if err := s.backup.CancelDeletion(r.Context(), t.ID, actor(r)); err != nil {
		s.failBack(w, r, err, tenant.Path(t.Slug, "settings", "danger"))
		return
	}
	s.redirectWith(w, r, tenant.Path(t.Slug, "settings"), "The deletion is cancelled: the workspace is back as it was.")
}

func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	when, err := s.backup.RequestAccountDeletion(r.Context(), u, actor(r), r.PostFormValue("email"))
	if err != nil {
		s.failBack(w, r, err, "/account")
		return
	}
	s.redirectWith(w, r, "/account", "Your account will be deleted on "+when.Local().Format("Monday 2 January 2006")+
		", with the workspaces only you own (we are emailing you an export of each). You can cancel until then.")
}

func (s *Server) cancelAccountDeletion(w http.ResponseWriter, r *http.Request) {
	if err := s.backup.CancelAccountDeletion(r.Context(), currentUser(r), actor(r)); err != nil {
		s.failBack(w, r, err, "/account")
		return
	}
	s.redirectWith(w, r, "/account", "Your account is no longer going to be deleted.")
}

package web

import (
	"net/http"
)

// adminHealth shows the platform admin how the service is: every app
// server, the database and its standbys, the job queue, storage and the
// WAL archive. Each part is read on its own; one that cannot be read says
// so and the rest still show.
func (s *Server) adminHealth(w http.ResponseWriter, r *http.Request) {
	rep := s.health.Report(r.Context())
	title := "Health"
	if n := rep.Problems(); n > 0 {
		title = "Health: needs attention"
	}
	w.Header().Set("Refresh", "30")
	s.render(w, r, http.StatusOK, "admin_health", pageData{Title: title, Data: rep})
}

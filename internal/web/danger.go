package web

import "net/http"

// The Danger tab of the workspace's settings (owners). Deleting a
// workspace is issue 16's (exports, snapshots, deletion): its flow
// replaces this page and its template, settings_danger.html.

func (s *Server) dangerZone(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "settings_danger", pageData{Title: "Danger zone", Settings: "danger"})
}

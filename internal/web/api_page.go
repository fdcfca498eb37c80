package web

import (
	"net/http"

	"github.com/patternvault/patternvault/internal/api"
)

// apiPage is the readable page of the OpenAPI document: every operation,
// grouped, with how to authenticate.
func (s *Server) apiPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "api", pageData{Title: "API", Data: struct {
		Prefix     string
		Operations []api.Operation
	}{api.Prefix, api.Operations()}})
}

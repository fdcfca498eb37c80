package web

import (
	"io/fs"
	"net/http"
)

// routes is the sitemap of PatternVault: every URL it answers, in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")

	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /static/", cacheForever(http.StripPrefix("/static/", http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", s.home)

	// A tenant's workspace, addressed by path (subdomains are rewritten to it).
	mux.Handle("GET /t/{slug}/{$}", s.withTenant(http.HandlerFunc(s.tenantHome)))

	mux.HandleFunc("/", s.notFound)

	protect := http.NewCrossOriginProtection()
	return s.requestID(s.logRequests(s.recoverPanics(securityHeaders(protect.Handler(s.subdomains(mux))))))
}

package web

import (
	"net/http"
	"time"

	"github.com/patternvault/patternvault/internal/db"
)

// Read-your-writes. With a replica configured (PV_DATABASE_REPLICA_URL),
// pages that tolerate a little lag — the library grid and its search,
// thumbnails, a customer's share page — may read from it. A person who has
// just changed something must see the change, so every state-changing
// request sets a short-lived cookie, and a request carrying it reads the
// primary. The cookie holds no data; its lifetime is the window.
const (
	wroteCookie = "pv_wrote"
	// ReadYourWritesWindow is how long after a write a person's reads go
	// to the primary: far above a healthy standby's replay lag (well under
	// a second here), short enough to leave most reads to the replica.
	ReadYourWritesWindow = 10 * time.Second
)

// markWrites sets the read-your-writes cookie on every request that may
// change something (any method but GET, HEAD and OPTIONS), before the
// handler writes its answer.
func (s *Server) markWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			http.SetCookie(w, &http.Cookie{Name: wroteCookie, Value: "1", Path: "/", MaxAge: int(ReadYourWritesWindow / time.Second),
				HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
		}
		next.ServeHTTP(w, r)
	})
}

// lagTolerant lets h's read-only transactions use the replica, unless the
// person wrote something within ReadYourWritesWindow. Writes in h still
// go to the primary: only db.ReadTenant and db.Read consult the flag.
func lagTolerant(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie(wroteCookie); err != nil {
			r = r.WithContext(db.AllowReplica(r.Context()))
		}
		h(w, r)
	}
}

package httpx

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type clientIPKey struct{}

// ClientIPs puts the client's address in each request's context (read it
// with ClientIP). It is the connection's peer, unless that peer is one of
// trusted (the reverse proxies in front, PV_TRUSTED_PROXIES): then
// X-Forwarded-For is read from its right end, each proxy there adding the
// address it saw, and the first address that is not a trusted proxy is the
// client. A forwarded header from anyone else is ignored, so a visitor
// cannot choose the address a rate limit counts.
func ClientIPs(trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := clientAddr(r, trusted)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip)))
	})
}

// ClientIP returns the client address of r as ClientIPs found it, or the
// connection's peer outside that middleware.
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	return peer(r)
}

func peer(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	ip := peer(r)
	if len(trusted) == 0 || !isTrusted(ip, trusted) {
		return ip
	}
	hops := r.Header.Values("X-Forwarded-For")
	var addrs []string
	for _, h := range hops {
		for a := range strings.SplitSeq(h, ",") {
			addrs = append(addrs, strings.TrimSpace(a))
		}
	}
	for i := len(addrs) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(addrs[i])
		if err != nil {
			return ip // a hop we cannot read: the last proxy we trust is all we know
		}
		ip = a.Unmap().String()
		if !isTrusted(ip, trusted) {
			return ip
		}
	}
	return ip
}

func isTrusted(ip string, trusted []netip.Prefix) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// LogPath is r's path as logs may show it: the token of a share link
// (/s/{token}/...) is a password for the link's designs and is replaced by
// "…".
func LogPath(r *http.Request) string {
	p := r.URL.Path
	rest, ok := strings.CutPrefix(p, "/s/")
	if !ok {
		return p
	}
	if _, after, found := strings.Cut(rest, "/"); found {
		return "/s/…/" + after
	}
	return "/s/…"
}

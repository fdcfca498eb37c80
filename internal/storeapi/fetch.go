package storeapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// Fetching a store's files safely (server-side request forgery).
//
// A store names the URLs PatternVault downloads, so every URL is treated
// as hostile. Two checks guard each request, and each redirect:
//
//  1. CheckURL, before anything is sent: https only; no user:password@;
//     no host that only some resolvers read as a number (2130706433,
//     0x7f.1, 017700000001); an IP literal must be a public address; the
//     port must be 443; the host must be one of the store's allowed file
//     hosts.
//  2. The dialer's Control, at connect time, on the address DNS actually
//     gave (so a name that resolves to 10.0.0.1, or re-resolves
//     differently a second later, is caught): code.dny.dev/ssrf's
//     Guardian, kept in sync with IANA's special-purpose registries,
//     refuses loopback, private, link-local (and so the cloud metadata
//     address 169.254.169.254), CGNAT, multicast, unspecified, reserved and
//     documentation ranges, and every IPv6 address outside global unicast
//     (so IPv4-mapped ::ffff:127.0.0.1, ::1, fe80::/10 and fc00::/7 too).
//
// The hosts and CIDRs of PV_FETCH_ALLOW (development and tests only; empty
// by default) pass both checks and may also use http and any port.
//
// Bodies are bounded in size (Content-Length and the bytes read), the
// whole request in time (a slow drip runs into it), redirects to three,
// and no Content-Encoding is ever decoded (Accept-Encoding: identity), so
// the only decompression is the import's own, under its ZIP limits.

// FetchError is why a URL was not fetched. Its Code is stable; Reason is
// written for the store's developer and is safe to show.
type FetchError struct {
	Code   string
	Reason string
	// Temporary is a failure worth retrying later (a 5xx or 429 from the
	// store, a connection that failed, a timeout).
	Temporary bool
	// Status is the store's HTTP status, when it answered.
	Status int
}

func (e *FetchError) Error() string { return e.Code + ": " + e.Reason }

func fetchErr(code, format string, args ...any) *FetchError {
	return &FetchError{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// Allowlist is PV_FETCH_ALLOW: host names and addresses (or CIDRs) that
// may be fetched over http, on any port, at private addresses.
type Allowlist struct {
	names    map[string]bool
	prefixes []netip.Prefix
}

// ParseAllowlist reads a comma- or space-separated list of host names, IP
// addresses and CIDRs ("127.0.0.1, localhost, 10.20.0.0/16").
func ParseAllowlist(s string) (Allowlist, error) {
	a := Allowlist{names: map[string]bool{}}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		f = strings.ToLower(strings.Trim(f, "[]"))
		if p, err := netip.ParsePrefix(f); err == nil {
			a.prefixes = append(a.prefixes, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(f); err == nil {
			a.prefixes = append(a.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		if !validHostName(f) {
			return Allowlist{}, fmt.Errorf("storeapi: PV_FETCH_ALLOW entry %q is not a host name, IP address or CIDR", f)
		}
		a.names[f] = true
	}
	return a, nil
}

// Empty reports whether nothing is allowed beyond the public internet.
func (a Allowlist) Empty() bool { return len(a.names) == 0 && len(a.prefixes) == 0 }

func (a Allowlist) hasAddr(ip netip.Addr) bool {
	ip = ip.WithZone("")
	for _, p := range a.prefixes {
		if p.Contains(ip) || (ip.Is4In6() && p.Contains(ip.Unmap())) {
			return true
		}
	}
	return false
}

// hasHost reports whether host (a name or an IP literal) is allowed.
func (a Allowlist) hasHost(host string) bool {
	if ip, err := netip.ParseAddr(host); err == nil {
		return a.hasAddr(ip)
	}
	return a.names[strings.ToLower(host)]
}

// guardian is the connect-time check of public addresses.
var guardian = ssrf.New(ssrf.WithAnyPort())

// CheckURL says whether raw may be fetched for a store whose allowed
// file hosts are hosts (an entry "*.example.com" allows its subdomains);
// nil hosts skips that last check. Nothing is resolved or sent.
func CheckURL(raw string, hosts []string, allow Allowlist) (*url.URL, error) {
	return checkURL(raw, hosts, allow, false)
}

func checkURL(raw string, hosts []string, allow Allowlist, anyPort bool) (*url.URL, error) {
	if len(raw) > 2048 {
		return nil, fetchErr("bad_url", "the URL is longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" {
		return nil, fetchErr("bad_url", "%q is not an absolute URL", clip(raw))
	}
	host := strings.ToLower(u.Hostname())
	allowed := host != "" && allow.hasHost(host)
	switch u.Scheme {
	case "https":
	case "http":
		if !allowed {
			return nil, fetchErr("scheme_not_allowed", "only https URLs are fetched (got %s://%s)", u.Scheme, clip(u.Host))
		}
	default:
		return nil, fetchErr("scheme_not_allowed", "only https URLs are fetched (got %q)", u.Scheme+":")
	}
	if u.User != nil {
		return nil, fetchErr("bad_url", "a URL with a user name or password is not fetched")
	}
	if host == "" {
		return nil, fetchErr("bad_url", "the URL has no host")
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return nil, fetchErr("private_address", "%s is a link-local address with a zone, which is never fetched", host)
		}
		if !allowed {
			if err := guardian.SafeAddr(ip); err != nil {
				return nil, fetchErr("private_address", "%s is not a public internet address (loopback, private, link-local, metadata and other special addresses are never fetched)", host)
			}
		}
	} else {
		if numericHost(host) {
			return nil, fetchErr("ambiguous_host", "%q looks like an address written as a number; write a host name or a dotted address", host)
		}
		if !validHostName(host) {
			return nil, fetchErr("bad_url", "%q is not a valid host name", clip(host))
		}
	}
	if p := u.Port(); p != "" && !allowed && !anyPort {
		if n, err := strconv.Atoi(p); err != nil || n != 443 {
			return nil, fetchErr("port_not_allowed", "only port 443 is fetched (got %s)", clip(p))
		}
	}
	if hosts != nil && !hostAllowed(host, hosts) {
		return nil, fetchErr("host_not_allowed", "%s is not one of this store's allowed file hosts", host)
	}
	return u, nil
}

// hostAllowed matches host against a store's allowed file hosts.
func hostAllowed(host string, hosts []string) bool {
	for _, h := range hosts {
		h = strings.ToLower(h)
		if h == host {
			return true
		}
		if rest, ok := strings.CutPrefix(h, "*."); ok && strings.HasSuffix(host, "."+rest) {
			return true
		}
	}
	return false
}

// numericHost reports whether host (not a plain IP literal) is something
// an inet_aton-style resolver reads as an address: all labels numbers in
// decimal, octal or hex (2130706433, 0x7f.1, 127.1, 0177.0.0.1), or a
// last label that is a number (no top-level domain is numeric).
func numericHost(host string) bool {
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	last := labels[len(labels)-1]
	if last == "" {
		return false
	}
	isNum := func(s string) bool {
		if s == "" {
			return false
		}
		if h, ok := strings.CutPrefix(s, "0x"); ok {
			if h == "" {
				return true
			}
			_, err := strconv.ParseUint(h, 16, 64)
			return err == nil || errors.Is(err, strconv.ErrRange)
		}
		for _, c := range s {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	return isNum(last)
}

// validHostName accepts letters, digits, hyphens and dots, in labels of
// 1 to 63 characters, 253 at most in all.
func validHostName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for l := range strings.SplitSeq(h, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// FetchLimits bound one fetch.
type FetchLimits struct {
	// MaxBytes is the largest body read.
	MaxBytes int64
	// Timeout bounds the whole request, body included.
	Timeout time.Duration
}

// Fetcher downloads a store's files under the checks above.
type Fetcher struct {
	allow  Allowlist
	limits FetchLimits
	client *http.Client
	// anyPort lifts the port rule (tests reach loopback listeners on
	// their own ports to prove the address rule works alone).
	anyPort bool
}

// MaxRedirects is how many redirects one fetch follows.
const MaxRedirects = 3

// NewFetcher returns a fetcher that allows allow beyond the public
// internet (PV_FETCH_ALLOW).
func NewFetcher(allow Allowlist, limits FetchLimits) *Fetcher {
	f := &Fetcher{allow: allow, limits: limits}
	if f.limits.MaxBytes <= 0 {
		f.limits.MaxBytes = 200 << 20
	}
	if f.limits.Timeout <= 0 {
		f.limits.Timeout = 2 * time.Minute
	}
	guarded := &net.Dialer{Timeout: 10 * time.Second, Control: f.control}
	plain := &net.Dialer{Timeout: 10 * time.Second}
	transport := &http.Transport{
		Proxy: nil, // never through a proxy from the environment: it would dial for us
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err == nil && allow.names[strings.ToLower(host)] {
				return plain.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  30 * time.Second,
		DisableCompression:     true,
		MaxIdleConns:           10,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	f.client = &http.Client{Transport: transport}
	return f
}

// Limits returns the fetcher's limits.
func (f *Fetcher) Limits() FetchLimits { return f.limits }

// Allowlist returns PV_FETCH_ALLOW as the fetcher reads it.
func (f *Fetcher) Allowlist() Allowlist { return f.allow }

// blockedAddr is the connect-time refusal.
type blockedAddr struct{ addr string }

func (b *blockedAddr) Error() string { return "refused to connect to " + b.addr }

// control runs just before each connect, on the resolved address.
func (f *Fetcher) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &blockedAddr{address}
	}
	if f.allow.hasAddr(ap.Addr()) {
		return nil
	}
	if network != "tcp4" && network != "tcp6" {
		return &blockedAddr{address}
	}
	if guardian.SafeAddr(ap.Addr()) != nil || (ap.Port() != 443 && !f.anyPort) {
		return &blockedAddr{address}
	}
	return nil
}

// Fetched is one downloaded file.
type Fetched struct {
	// URL is the final URL, after redirects.
	URL         string
	Name        string
	ContentType string
	Data        []byte
}

// Fetch downloads raw, whose host (and every redirect's) must be one of
// hosts. The error is a *FetchError.
func (f *Fetcher) Fetch(ctx context.Context, raw string, hosts []string) (*Fetched, error) {
	u, err := checkURL(raw, hosts, f.allow, f.anyPort)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.limits.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fetchErr("bad_url", "%q cannot be requested", clip(raw))
	}
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", "PatternVault-Fetcher/1")
	client := *f.client
	client.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) > MaxRedirects {
			return fetchErr("too_many_redirects", "more than %d redirects", MaxRedirects)
		}
		if _, err := checkURL(r.URL.String(), hosts, f.allow, f.anyPort); err != nil {
			fe := err.(*FetchError)
			fe.Reason = "a redirect to " + clip(r.URL.Redacted()) + " was refused: " + fe.Reason
			return fe
		}
		r.Header.Set("Accept-Encoding", "identity")
		return nil
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, f.explain(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e := fetchErr("http_status", "the store answered %d %s for %s", resp.StatusCode, http.StatusText(resp.StatusCode), clip(resp.Request.URL.Redacted()))
		e.Status = resp.StatusCode
		e.Temporary = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout
		return nil, e
	}
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return nil, fetchErr("encoded_body", "the store sent the file with Content-Encoding %q; send it as it is", clip(ce))
	}
	if resp.ContentLength > f.limits.MaxBytes {
		return nil, fetchErr("too_large", "the file is %d bytes, over the limit of %d", resp.ContentLength, f.limits.MaxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.limits.MaxBytes+1))
	if err != nil {
		return nil, f.explain(ctx, err)
	}
	if int64(len(data)) > f.limits.MaxBytes {
		return nil, fetchErr("too_large", "the file is over the limit of %d bytes", f.limits.MaxBytes)
	}
	return &Fetched{URL: resp.Request.URL.String(), Name: fileName(resp), ContentType: resp.Header.Get("Content-Type"), Data: data}, nil
}

// explain turns a transport error into a FetchError.
func (f *Fetcher) explain(ctx context.Context, err error) *FetchError {
	var fe *FetchError
	if errors.As(err, &fe) {
		return fe
	}
	var blocked *blockedAddr
	if errors.As(err, &blocked) {
		return fetchErr("private_address", "the host resolved to %s, which is not a public internet address on port 443; nothing was sent", blocked.addr)
	}
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		e := fetchErr("timeout", "the download took longer than %s", f.limits.Timeout)
		e.Temporary = true
		return e
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		e := fetchErr("dns", "the host name %q could not be resolved", clip(dnsErr.Name))
		e.Temporary = !dnsErr.IsNotFound
		return e
	}
	e := fetchErr("connect_failed", "the download failed: %s", clip(err.Error()))
	e.Temporary = true
	return e
}

// fileName is the name a downloaded file is known by: the
// Content-Disposition filename, else the last path segment.
func fileName(resp *http.Response) string {
	name := ""
	if cd := resp.Header.Get("Content-Disposition"); cd != "" {
		if i := strings.Index(strings.ToLower(cd), "filename="); i >= 0 {
			name = strings.Trim(strings.TrimSpace(strings.SplitN(cd[i+len("filename="):], ";", 2)[0]), `"`)
		}
	}
	if name == "" {
		p := resp.Request.URL.Path
		name = p[strings.LastIndexByte(p, '/')+1:]
		if un, err := url.PathUnescape(name); err == nil {
			name = un
		}
	}
	return cleanName(name)
}

// cleanName keeps a file name's safe characters (the import cleans paths
// again; this keeps names readable in the delivery's log).
func cleanName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`<>:"|?*`, r) {
			continue
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if len(out) > 150 {
		out = out[len(out)-150:]
	}
	if out == "" || out == "." || out == ".." {
		return "file"
	}
	return out
}

// Post sends body to raw (a store's callback URL, under the same checks
// as Fetch; redirects are not followed) and succeeds on a 2xx answer.
func (f *Fetcher) Post(ctx context.Context, raw string, hosts []string, body []byte, header map[string]string) error {
	u, err := CheckURL(raw, hosts, f.allow)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, min(f.limits.Timeout, 30*time.Second))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(string(body)))
	if err != nil {
		return fetchErr("bad_url", "%q cannot be requested", clip(raw))
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "PatternVault-Callback/1")
	client := *f.client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return f.explain(ctx, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		e := fetchErr("http_status", "the callback was answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		e.Status = resp.StatusCode
		return e
	}
	return nil
}

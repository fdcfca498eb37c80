package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/patternvault/patternvault/internal/api"
	"github.com/patternvault/patternvault/internal/storeapi"
	"github.com/patternvault/patternvault/internal/testrig"
)

// contract is an http.RoundTripper that validates every request it sends
// and every answer it gets against the OpenAPI document, with
// kin-openapi's openapi3filter (JSON Schema 2020-12 for a 3.1 document),
// and records which operations were exercised.
type contract struct {
	t      *testing.T
	router routers.Router
	opts   *openapi3filter.Options
	mu     sync.Mutex
	seen   map[string]bool
}

func (c *contract) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	vreq := req.Clone(ctx)
	vreq.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := c.router.FindRoute(vreq)
	if err != nil {
		c.t.Errorf("%s %s is not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
		return http.DefaultTransport.RoundTrip(req)
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: c.opts}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		c.t.Errorf("request %s %s does not match the document: %v", req.Method, req.URL.RequestURI(), err)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: c.opts}
	rin.SetBodyBytes(rb)
	if err := openapi3filter.ValidateResponse(ctx, rin); err != nil {
		c.t.Errorf("answer %d to %s %s does not match the document: %v\n%s", resp.StatusCode, req.Method, req.URL.RequestURI(), err, clipBody(rb))
	}
	c.mu.Lock()
	c.seen[route.Method+" "+route.Path] = true
	c.mu.Unlock()
	return resp, nil
}

// jsonID writes an id read from JSON (a float64 in a map[string]any) as
// the integer it is: ids are random 53-bit numbers, which %v would print
// in e-notation.
func jsonID(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func clipBody(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// loadDocument loads and validates the served document.
func loadDocument(t *testing.T, body []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(body)
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	return doc
}

// TestOpenAPIContract: GET /api/v1/openapi.json is a valid OpenAPI 3.1
// document listing /api/v1/patterns/import; it documents exactly the
// routes the API serves; and every operation is called for real here,
// each request and answer validated against it.
func TestOpenAPIContract(t *testing.T) {
	t.Parallel()
	qli := realQLI(t)
	r := newRigWith(t, "", testrig.Options{Live: true, FetchAllow: "127.0.0.1"}, nil)
	ctx := context.Background()

	resp, err := http.Get(r.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	doc := loadDocument(t, served)
	if doc.Paths.Find("/api/v1/patterns/import") == nil || doc.Paths.Find("/api/v1/patterns/import").Post == nil {
		t.Fatal("the document lacks POST /api/v1/patterns/import")
	}
	// The document and the routes agree, both ways.
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	served2 := map[string]bool{}
	for _, p := range r.srvAPI().Routes() {
		served2[p] = true
		if !documented[p] {
			t.Errorf("route %s is served but not documented", p)
		}
	}
	for op := range documented {
		if !served2[op] {
			t.Errorf("%s is documented but not served", op)
		}
	}

	doc.Servers = openapi3.Servers{{URL: r.srv.URL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	c := &contract{t: t, router: router, seen: map[string]bool{}, opts: &openapi3filter.Options{
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}}
	client := &http.Client{Transport: c, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(method, path, token string, body any, header ...string) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		ctype := ""
		switch b := body.(type) {
		case nil:
		case url.Values:
			rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
		case *bytes.Buffer:
			rd = b
		default:
			j, _ := json.Marshal(b)
			rd, ctype = bytes.NewReader(j), "application/json"
		}
		req, _ := http.NewRequest(method, r.srv.URL+path, rd)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	expect := func(what string, got, want int, body map[string]any) {
		t.Helper()
		if got != want {
			t.Fatalf("%s = %d %v, want %d", what, got, body, want)
		}
	}

	// People: Pam owns acme (and is the platform admin), Zoe owns zeta.
	pam, acme := liveOwner(t, r, "pam@example.com", "acme")
	liveOwner(t, r, "zoe@example.com", "zeta")
	pamUser := mustUser(t, r, "pam@example.com")
	if err := r.Store.SetPlatformAdmin(ctx, pamUser.ID, true); err != nil {
		t.Fatal(err)
	}
	tok := newAPIClient(t, r, pam, "acme").token
	r.Plan(t, acme.ID, "business") // the business tools
	helper, err := r.Accounts.CreateVerifiedUser(ctx, "helper@example.com", "Helper", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Store.AddMember(ctx, acme.ID, helper.ID, "viewer"); err != nil {
		t.Fatal(err)
	}

	st, body := call("GET", "/api/v1/me", tok, nil)
	expect("me", st, 200, body)
	st, body = call("GET", "/api/v1/me", "pv_not-a-real-token-not-a-real-token-not-a-r", nil)
	expect("me with a bad token", st, 401, body)

	// The library: upload, list, search, edit, files, thumbnail, download.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", "feather.qli")
	fw.Write(qli)
	mw.Close()
	req, _ := http.NewRequest("POST", r.srv.URL+"/api/v1/imports", &mp)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var imp map[string]any
	json.NewDecoder(resp.Body).Decode(&imp)
	resp.Body.Close()
	expect("upload", resp.StatusCode, 202, imp)
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, body = call("GET", fmt.Sprintf("/api/v1/imports/%s", jsonID(imp["id"])), tok, nil)
		expect("import status", st, 200, body)
		if body["status"] == "done" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	st, body = call("GET", "/api/v1/patterns", tok, nil)
	expect("list", st, 200, body)
	ps, _ := body["patterns"].([]any)
	if len(ps) != 1 {
		t.Fatalf("%d designs after the upload, want 1", len(ps))
	}
	pid := int64(ps[0].(map[string]any)["id"].(float64))
	st, body = call("GET", "/api/v1/patterns?q=celtic&limit=10", tok, nil)
	expect("search", st, 200, body)
	st, body = call("GET", "/api/v1/patterns?cursor=garbage", tok, nil)
	expect("bad cursor", st, 400, body)
	st, body = call("GET", fmt.Sprintf("/api/v1/patterns/%d", pid), tok, nil)
	expect("design", st, 200, body)
	st, body = call("GET", "/api/v1/patterns/999999", tok, nil)
	expect("missing design", st, 404, body)
	st, body = call("PATCH", fmt.Sprintf("/api/v1/patterns/%d", pid), tok, map[string]any{"name": "Celtic Knot", "designer": "Pam"})
	expect("edit", st, 200, body)
	st, body = call("POST", fmt.Sprintf("/api/v1/patterns/%d/keywords", pid), tok, map[string]any{"keywords": []string{"celtic", "knot"}})
	expect("add keywords", st, 200, body)
	st, body = call("DELETE", fmt.Sprintf("/api/v1/patterns/%d/keywords/knot", pid), tok, nil)
	expect("remove keyword", st, 204, body)
	st, body = call("GET", "/api/v1/keywords", tok, nil)
	expect("keywords", st, 200, body)
	st, body = call("GET", fmt.Sprintf("/api/v1/patterns/%d/files", pid), tok, nil)
	expect("files", st, 200, body)
	st, body = call("GET", fmt.Sprintf("/api/v1/patterns/%d/similar", pid), tok, nil)
	expect("similar", st, 200, body)
	st, _ = call("GET", fmt.Sprintf("/api/v1/patterns/%d/thumbnail?size=256", pid), tok, nil)
	expect("thumbnail", st, 200, nil)
	st, _ = call("GET", fmt.Sprintf("/api/v1/patterns/%d/download?format=plt", pid), tok, nil)
	expect("download", st, 200, nil)
	st, _ = call("POST", "/api/v1/kits", tok, map[string]any{"pattern_ids": []int64{pid}, "machine": "statler", "width_in": 12})
	expect("machine kit", st, 200, nil)
	st, body = call("POST", "/api/v1/kits", tok, map[string]any{"pattern_ids": []int64{pid}, "machine": "nosuch"})
	expect("machine kit for no machine", st, 422, body)

	// Saved searches and share links.
	st, body = call("POST", "/api/v1/saved-searches", tok, map[string]any{"name": "Celtic", "query": "celtic"})
	expect("save search", st, 201, body)
	sid := body["id"]
	st, body = call("GET", "/api/v1/saved-searches", tok, nil)
	expect("saved searches", st, 200, body)
	st, body = call("DELETE", fmt.Sprintf("/api/v1/saved-searches/%s", jsonID(sid)), tok, nil)
	expect("forget search", st, 204, body)
	st, body = call("POST", "/api/v1/shares", tok, map[string]any{"pattern_ids": []int64{pid}, "name": "For Jane"})
	expect("share", st, 201, body)
	shid := body["id"]
	st, body = call("GET", "/api/v1/shares", tok, nil)
	expect("shares", st, 200, body)
	st, body = call("GET", fmt.Sprintf("/api/v1/shares/%s/results", jsonID(shid)), tok, nil)
	expect("share results", st, 200, body)
	st, body = call("POST", fmt.Sprintf("/api/v1/shares/%s/revoke", jsonID(shid)), tok, nil)
	expect("revoke share", st, 200, body)

	// The export of everything: made in the background, then downloaded.
	st, body = call("POST", "/api/v1/exports", tok, map[string]any{})
	expect("export", st, 202, body)
	eid := jsonID(body["id"])
	deadline = time.Now().Add(60 * time.Second)
	for body["status"] != "done" {
		if time.Now().After(deadline) {
			t.Fatalf("the export is not done after a minute: %v", body)
		}
		time.Sleep(100 * time.Millisecond)
		st, body = call("GET", "/api/v1/exports/"+eid, tok, nil)
		expect("export status", st, 200, body)
	}
	st, _ = call("GET", "/api/v1/exports/"+eid+"/download", tok, nil)
	expect("export download", st, 200, nil)
	st, body = call("GET", "/api/v1/exports/999999", tok, nil)
	expect("missing export", st, 404, body)

	// Stores: deliver by email twice (one accepted, one declined), read a
	// delivery, ask "owned" with a key (refused), the token endpoint.
	site := newStoreSite(t)
	created, err := r.Stores.CreateStore(ctx, storeapi.NewStore{Name: "Test Store", AllowedHosts: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	site.secret = created.SigningSecret
	fileURL := site.put("/files/other.qli", append(append([]byte{}, qli...), '\n'))
	st, body = call("POST", "/api/v1/patterns/import", created.Key, map[string]any{"user_email": "pam@example.com", "pattern_name": "Gift",
		"file_url": fileURL, "order_id": "9", "sku": "G-1", "keywords": []string{"gift"}}, "Idempotency-Key", "k-1")
	expect("store import", st, 202, body)
	d1 := body["id"]
	st, body = call("POST", "/api/v1/patterns/import", created.Key, map[string]any{"pattern_name": "Claimable", "file_url": fileURL}, "Idempotency-Key", "k-2")
	expect("store import with a claim link", st, 202, body)
	if !strings.Contains(fmt.Sprint(body["claim_url"]), "/claim/pvcl_") {
		t.Errorf("claim_url = %v", body["claim_url"])
	}
	st, body = call("POST", "/api/v1/patterns/import", created.Key, map[string]any{"user_email": "pam@example.com", "pattern_name": "Declined",
		"file_url": fileURL}, "Idempotency-Key", "k-3")
	expect("store import", st, 202, body)
	d3 := body["id"]
	st, body = call("POST", "/api/v1/patterns/import", created.Key, map[string]any{"pattern_name": "Bad", "file_url": "https://169.254.169.254/"}, "Idempotency-Key", "k-4")
	expect("refused URL", st, 422, body)
	st, body = call("POST", "/api/v1/patterns/import", created.Key, map[string]any{"pattern_name": "No key", "file_url": fileURL})
	expect("no idempotency key", st, 400, body)
	st, body = call("POST", "/api/v1/patterns/import", "", map[string]any{"pattern_name": "No auth", "file_url": fileURL})
	expect("no credentials", st, 401, body)
	waitDelivery(t, r, created.Key, d1, "waiting")
	waitDelivery(t, r, created.Key, d3, "waiting")
	st, body = call("GET", fmt.Sprintf("/api/v1/deliveries/%s", jsonID(d1)), created.Key, nil)
	expect("delivery", st, 200, body)
	st, body = call("GET", "/api/v1/deliveries/999999", created.Key, nil)
	expect("missing delivery", st, 404, body)
	st, body = call("GET", "/api/v1/store/owned?sku=G-1", created.Key, nil)
	expect("owned with a key", st, 403, body)
	st, body = call("POST", "/api/v1/oauth/token", "", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"pvgr_nope"},
		"client_id": {storeapi.ClientID(created.Store.ID)}, "client_secret": {created.Key}})
	expect("refresh an unknown token", st, 400, body)
	st, body = call("POST", "/api/v1/oauth/token", "", url.Values{"grant_type": {"authorization_code"}, "code": {"x"},
		"client_id": {"store_1"}, "client_secret": {"wrong"}})
	expect("bad client", st, 401, body)
	st, body = call("GET", "/api/v1/inbox", tok, nil)
	expect("inbox", st, 200, body)
	st, body = call("POST", fmt.Sprintf("/api/v1/inbox/%s/accept", jsonID(d1)), tok, nil)
	expect("accept", st, 202, body)
	st, body = call("POST", fmt.Sprintf("/api/v1/inbox/%s/decline", jsonID(d3)), tok, nil)
	expect("decline", st, 200, body)
	st, body = call("POST", fmt.Sprintf("/api/v1/inbox/%s/accept", jsonID(d3)), tok, nil)
	expect("accept a declined delivery", st, 404, body)
	waitDelivery(t, r, created.Key, d1, "delivered")

	// The workspace, its members, invitations.
	st, body = call("GET", "/api/v1/tenants/acme", tok, nil)
	expect("tenant", st, 200, body)
	st, body = call("GET", "/api/v1/tenants/zeta", tok, nil)
	expect("another tenant", st, 403, body)
	st, body = call("PATCH", "/api/v1/tenants/acme", tok, map[string]any{"name": "Acme Quilting"})
	expect("rename", st, 200, body)
	st, body = call("DELETE", "/api/v1/tenants/acme", tok, map[string]any{"confirm": "Not its name"})
	expect("delete with a wrong name", st, 422, body)
	st, body = call("GET", "/api/v1/tenants/acme/members", tok, nil)
	expect("members", st, 200, body)
	st, body = call("POST", "/api/v1/tenants/acme/members", tok, map[string]any{"email": "new@example.com", "role": "editor"})
	expect("invite", st, 202, body)
	st, body = call("PATCH", fmt.Sprintf("/api/v1/tenants/acme/members/%d", helper.ID), tok, map[string]any{"role": "editor"})
	expect("change role", st, 200, body)
	st, body = call("PATCH", fmt.Sprintf("/api/v1/tenants/acme/members/%d", pamUser.ID), tok, map[string]any{"role": "viewer"})
	expect("demote the last owner", st, 409, body)
	st, body = call("DELETE", fmt.Sprintf("/api/v1/tenants/acme/members/%d", helper.ID), tok, nil)
	expect("remove member", st, 204, body)
	st, body = call("POST", "/api/v1/invitations/pv-not-an-invitation/accept", tok, nil)
	expect("used invitation", st, 410, body)

	// Billing (manual mode: the administrator sets plans).
	st, body = call("GET", "/api/v1/billing", tok, nil)
	expect("billing", st, 200, body)
	if body["mode"] != "manual" || body["usage"] == nil {
		t.Errorf("billing = %v, want manual mode with usage", body)
	}
	st, body = call("POST", "/api/v1/billing/checkout", tok, map[string]any{"plan": "business", "interval": "year"}, "Idempotency-Key", "c-1")
	expect("checkout in manual mode", st, 409, body)
	st, body = call("POST", "/api/v1/billing/portal", tok, nil)
	expect("portal in manual mode", st, 409, body)

	// The quilting business.
	contractBusiness(t, call, expect, tok, pid)

	// Platform admin.
	st, body = call("GET", "/api/v1/admin/tenants", tok, nil)
	expect("admin tenants", st, 200, body)
	st, body = call("GET", "/api/v1/admin/metrics", tok, nil)
	expect("admin metrics", st, 200, body)
	if body["delivered_designs_this_month"] != float64(1) {
		t.Errorf("metrics = %v, want 1 delivered design", body)
	}
	st, body = call("POST", "/api/v1/admin/tenants/zeta/suspend", tok, nil)
	expect("suspend", st, 200, body)
	st, body = call("GET", "/api/v1/openapi.json", "", nil)
	expect("document", st, 200, body)

	st, body = call("DELETE", fmt.Sprintf("/api/v1/patterns/%d", pid), tok, nil)
	expect("delete design", st, 200, body)
	// Last: the workspace's deletion pauses it (for 30 days).
	st, body = call("DELETE", "/api/v1/tenants/acme", tok, map[string]any{"confirm": "acme quilting"})
	expect("delete the workspace", st, 202, body)
	if ws, err := r.Store.TenantBySlug(ctx, "acme"); err != nil || ws.Status != "suspended" || ws.DeleteAfter == nil {
		t.Errorf("after DELETE the workspace is %+v (%v), want paused with a deletion date", ws, err)
	}

	// Every documented operation was exercised.
	var missing []string
	for op := range documented {
		if !c.seen[op] {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations not exercised by this test: %v", missing)
	}
	// The readable page lists the operations.
	want(t, pam.get("/api"), 200, "POST /api/v1/patterns/import", "PatternVault-Signature")
}

// srvAPI returns the rig's API handler.
func (r *rig) srvAPI() *api.Handler { return r.server.API() }

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// apiClient calls the JSON API with one workspace's token.
type apiClient struct {
	t     testing.TB
	base  string
	token string
}

// newAPIClient makes a token for the browser's person in workspace slug,
// through the account page as a person would.
func newAPIClient(t testing.TB, r *rig, b *browser, slug string) *apiClient {
	t.Helper()
	p := b.post("/account/tokens", url.Values{"name": {"Search test"}, "tenant": {slug}})
	want(t, p, 200, "Copy your new token now")
	m := regexp.MustCompile(`<code id="new-token">(pv_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no token on the page\n%s", p.Body)
	}
	return &apiClient{t: t, base: r.srv.URL, token: m[1]}
}

// get decodes the JSON answer of path into v and returns the status.
func (c *apiClient) get(path string, v any) int {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == 200 {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			c.t.Fatalf("%s: %v", path, err)
		}
	}
	return resp.StatusCode
}

// apiSearchResult is the answer of GET /api/v1/patterns?q=.
type apiSearchResult struct {
	Total      int         `json:"total"`
	Patterns   []apiScored `json:"patterns"`
	Related    []apiScored `json:"related"`
	DidYouMean string      `json:"did_you_mean"`
}

// apiScored is one design of a search's answer.
type apiScored struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	TypeName string   `json:"type_name"`
	Score    float64  `json:"score"`
	Matched  []string `json:"matched"`
}

func (c *apiClient) search(q string) apiSearchResult {
	c.t.Helper()
	var res apiSearchResult
	if code := c.get("/api/v1/patterns?q="+url.QueryEscape(q), &res); code != 200 {
		c.t.Fatalf("search %q = %d", q, code)
	}
	return res
}

// TestAPISearchRealDesigns imports the real designs and searches them
// through the JSON API the way a quilter types: with a typo, a plural, a
// synonym and filler words. The intended design must be among the first
// three, with a score and the words it matched; another workspace finds
// none of them.
func TestAPISearchRealDesigns(t *testing.T) {
	t.Parallel()
	data, _ := fixturesZIP(t)
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	bob, _ := r.owner(t, "bob@example.com", "beta")
	r.uploadZIP(t, pam, "acme", "stitchables.zip", data)
	if _, err := r.Search.Semantic.EmbedTenant(context.Background(), mustTenant(t, r, "acme").ID); err != nil {
		t.Fatal(err)
	}
	api := newAPIClient(t, r, pam, "acme")

	cases := []struct{ kind, q, want string }{
		{"typo", "viking lonship", "Viking Longship"},
		{"typo", "celtc dragon", "Celtic Dragon Circle Shield"},
		{"typo", "spiderwbe", "Spiderweb"},
		{"plural", "longships", "Viking Longship"},
		{"plural", "spider webs", "Spiderweb"},
		{"plural", "dragons", "Celtic Dragon Circle Shield"},
		{"synonym", "boat", "Viking Longship"},
		{"synonym", "cobweb", "Spiderweb"},
		{"synonym", "science", "Atom Electrons"},
		{"filler", "a dragon with some circles", "Celtic Dragon Circle Shield"},
		{"filler", "the atom and its electrons", "Atom Electrons"},
		{"all four", "show me the vikng boats", "Viking Longship"},
		{"type word", "triangle", "3-Looped Celtic Knot"},
		{"type word", "triangles", "3-Looped Celtic Knot"},
		{"type word", "panel", "Celtic Tall Knot"},
		{"type word", "celtic block", "Celtic Dragon Circle Shield"},
		{"type word", "edge to edge ship", "Viking Longship"},
		{"type word", "pantograph atom", "Atom Electrons"},
		{"one word", "vikinglongship", "Viking Longship"},
		{"one word", "celticdragon", "Celtic Dragon Circle Shield"},
		{"one word", "atomelectrons", "Atom Electrons"},
		{"one word", "celtictallknot", "Celtic Tall Knot"},
	}
	for _, c := range cases {
		res := api.search(c.q)
		var names []string
		rank := 0
		for i, p := range res.Patterns {
			names = append(names, p.Name)
			if p.Name == c.want && rank == 0 {
				rank = i + 1
				if p.Score <= 0 || len(p.Matched) == 0 {
					t.Errorf("%s %q: %q has score %v and matched %v; want a score and the words", c.kind, c.q, p.Name, p.Score, p.Matched)
				}
			}
		}
		if rank == 0 || rank > 3 {
			t.Errorf("%s %q: %q at rank %d of %v, want among the first three", c.kind, c.q, c.want, rank, names)
		}
		if res.Total < len(res.Patterns) || res.Total == 0 {
			t.Errorf("%s %q: total %d for %d results", c.kind, c.q, res.Total, len(res.Patterns))
		}
	}

	// A word none of the designs holds finds no design as a match, and
	// no "did you mean" (an English word is not a typo: "boat" is no
	// "bat").
	for _, q := range []string{"mandalorian", "xylophone", "star wars", "tractor"} {
		res := api.search(q)
		if res.Total != 0 || len(res.Patterns) != 0 {
			t.Errorf("%q: %d matches %v, want none", q, res.Total, res.Patterns)
		}
		if res.DidYouMean != "" {
			t.Errorf("%q: did you mean %q", q, res.DidYouMean)
		}
	}
	if res := api.search("boat"); res.DidYouMean != "" || len(res.Patterns) == 0 || res.Patterns[0].Name != "Viking Longship" {
		t.Errorf("boat: %+v", res)
	}
	// The type reads as a word.
	if res := api.search("viking longship"); len(res.Patterns) == 0 || res.Patterns[0].Type != "e2e" || res.Patterns[0].TypeName != "Edge to edge" {
		t.Errorf("viking longship's type: %+v", res.Patterns)
	}

	// More like this answers for a real design and never names it.
	viking := api.search("viking longship").Patterns[0]
	var similar struct {
		Patterns []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"patterns"`
	}
	if code := api.get(fmt.Sprintf("/api/v1/patterns/%d/similar", viking.ID), &similar); code != 200 || len(similar.Patterns) == 0 {
		t.Fatalf("similar to %q = %d, %d designs", viking.Name, code, len(similar.Patterns))
	}
	for _, p := range similar.Patterns {
		if p.ID == viking.ID {
			t.Errorf("%q is listed as like itself", p.Name)
		}
	}

	// Another workspace's token finds none of acme's designs, by words or
	// by id.
	other := newAPIClient(t, r, bob, "beta")
	if res := other.search("viking longship"); res.Total != 0 || len(res.Patterns) != 0 {
		t.Errorf("beta's search found acme's designs: %+v", res)
	}
	if code := other.get(fmt.Sprintf("/api/v1/patterns/%d/similar", viking.ID), &similar); code != http.StatusNotFound {
		t.Errorf("beta asking for acme's design %d: %d, want 404", viking.ID, code)
	}
}

// send posts a JSON body to path and returns the status and the decoded
// answer.
func (c *apiClient) send(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestAPISavedSearchKeepsFilters: a saved search made through the API
// keeps its words, filters and pin; one with neither words nor filters,
// or without a name, is refused with a reason.
func TestAPISavedSearchKeepsFilters(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	r.seedNamed(t, acme, "Holly Border")
	api := newAPIClient(t, r, pam, "acme")

	code, made := api.send("POST", "/api/v1/saved-searches", `{"name": "Christmas borders", "query": "holly", "filters": {"type": "border", "favorites": true}, "pinned": true}`)
	if code != http.StatusCreated {
		t.Fatalf("save = %d %v", code, made)
	}
	var list struct {
		Saved []struct {
			Name    string `json:"name"`
			Query   string `json:"query"`
			Pinned  bool   `json:"pinned"`
			Filters struct {
				Type      string `json:"type"`
				Favorites bool   `json:"favorites"`
			} `json:"filters"`
		} `json:"saved_searches"`
	}
	if code := api.get("/api/v1/saved-searches", &list); code != 200 || len(list.Saved) != 1 {
		t.Fatalf("list = %d %+v", code, list)
	}
	if s := list.Saved[0]; s.Name != "Christmas borders" || s.Query != "holly" || !s.Pinned || s.Filters.Type != "border" || !s.Filters.Favorites {
		t.Errorf("saved %+v", s)
	}
	for _, bad := range []string{`{"name": "Nothing"}`, `{"query": "holly"}`, `{"name": "x", "query": "holly"`} {
		if code, body := api.send("POST", "/api/v1/saved-searches", bad); code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
			t.Errorf("save %s = %d %v, want a refusal", bad, code, body)
		}
	}
	want(t, pam.get("/t/acme/"), 200, "Christmas borders", `href="/t/acme/?favorites=1&amp;q=holly&amp;type=border"`)
}

// TestAPISetType: PATCH sets a design's type from its code or its word,
// answers with the word people read, refuses a type it does not know
// without changing anything, and a type word then finds the design.
func TestAPISetType(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	r.seedNamed(t, acme, "Rose Garden")
	api := newAPIClient(t, r, pam, "acme")
	rose := api.search("rose garden").Patterns[0]
	path := fmt.Sprintf("/api/v1/patterns/%d", rose.ID)

	code, got := api.send("PATCH", path, `{"type": "Edge to edge"}`)
	if code != 200 || got["type"] != "e2e" || got["type_name"] != "Edge to edge" {
		t.Fatalf("PATCH type = %d %v", code, got)
	}
	code, got = api.send("PATCH", path, `{"type": "spiral", "name": "Renamed"}`)
	if code != http.StatusUnprocessableEntity || got["error"] == nil {
		t.Errorf("PATCH type spiral = %d %v, want 422 with a reason", code, got)
	}
	var now apiScored
	if api.get(path, &now); now.Type != "e2e" || now.Name != "Rose Garden" {
		t.Errorf("after a refused PATCH: %+v", now)
	}
	if res := api.search("pantograph"); len(res.Patterns) != 1 || res.Patterns[0].ID != rose.ID {
		t.Errorf("pantograph finds %+v", res.Patterns)
	}
	if code, got = api.send("PATCH", path, `{"type": "panto"}`); code != 200 || got["type"] != "e2e" {
		t.Errorf("PATCH type panto = %d %v", code, got)
	}
	if code, got = api.send("PATCH", path, `{"type": ""}`); code != 200 || got["type"] != "" || got["type_name"] != "" {
		t.Errorf("PATCH type cleared = %d %v", code, got)
	}
}

package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// uploadZIP posts files through the import form as a browser would and
// runs the import job; it returns the batch page's address.
func (r *rig) uploadZIP(t testing.TB, b *browser, slug string, name string, data []byte) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", r.srv.URL+"/t/"+slug+"/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", r.srv.URL)
	p := b.do(req)
	wantRedirect(t, p, "/t/"+slug+"/imports/")
	var id int64
	fmt.Sscanf(strings.TrimPrefix(p.Location, "/t/"+slug+"/imports/"), "%d", &id)
	tn := mustTenant(t, r, slug)
	if err := r.Library.Process(context.Background(), tn.ID, id); err != nil {
		t.Fatal(err)
	}
	return p.Location
}

func fixturesZIP(t testing.TB) ([]byte, int) {
	t.Helper()
	root := filepath.Join(testfixtures.Dir(t), "stitchables")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	n := 0
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		n++
		rel, _ := filepath.Rel(root, dir)
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			w, _ := zw.Create(filepath.ToSlash(filepath.Join(rel, e.Name())))
			w.Write(data)
		}
	}
	zw.Close()
	return buf.Bytes(), n
}

func TestLibraryPages(t *testing.T) {
	t.Parallel()
	data, designs := fixturesZIP(t)
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	viewer := r.member(t, pam, "acme", "vera@example.com", store.RoleViewer)
	bob, _ := r.owner(t, "bob@example.com", "beta")

	want(t, pam.get("/t/acme/"), 200, "Your library is empty", "Add your first designs")
	batch := r.uploadZIP(t, pam, "acme", "stitchables.zip", data)
	var st map[string]any
	json.Unmarshal([]byte(pam.get(batch+"/status").Body), &st)
	if st["status"] != "done" || st["created"] != float64(designs) {
		t.Fatalf("import status %v", st)
	}
	want(t, pam.get(batch), 200, "Finished", fmt.Sprintf("<strong class=\"n-created\">%d</strong>", designs))

	grid := pam.get("/t/acme/")
	want(t, grid, 200, "Viking Longship", "Celtic Tall Knot", fmt.Sprintf("%d designs", designs))
	thumbs := regexp.MustCompile(`/t/acme/patterns/(\d+)/thumb/256.png`).FindAllStringSubmatch(grid.Body, -1)
	if len(thumbs) != designs {
		t.Fatalf("%d thumbnails on the grid, want %d", len(thumbs), designs)
	}
	for _, m := range thumbs {
		req, _ := http.NewRequest("GET", r.srv.URL+m[0], nil)
		resp, err := pam.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("thumbnail %s = %d %s", m[0], resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// Tenant B asking for A's design id under its own slug gets nothing.
		if code := bob.get(strings.Replace(m[0], "/t/acme/", "/t/beta/", 1)).Status; code != 404 {
			t.Errorf("beta's %s = %d", m[0], code)
		}
		if code := bob.get(m[0]).Status; code != 404 {
			t.Errorf("bob fetched acme's %s: %d", m[0], code)
		}
	}
	viking := regexp.MustCompile(`href="/t/acme/patterns/(\d+)" class="card-link">\s*<img[^>]*>\s*<span class="card-name">Viking Longship`).FindStringSubmatch(grid.Body)
	if viking == nil {
		t.Fatal("no Viking Longship card")
	}
	page := "/t/acme/patterns/" + viking[1]
	want(t, pam.get(page), 200, "Viking Longship", "17.8", "preview.svg", ".qli", "Download")
	want(t, pam.get(page+"/preview.svg"), 200, "<svg")
	// Choose a machine once; the one-click download then gives its format.
	wantRedirect(t, pam.post("/t/acme/machine", url.Values{"machine": {"statler"}, "return": {page}}), page)
	want(t, pam.get(page), 200, "Download for Gammill Statler Stitcher")
	for _, f := range []string{"qli", "dxf", "svg", "plt", "original"} {
		req, _ := http.NewRequest("GET", r.srv.URL+page+"/download?format="+f, nil)
		resp, err := pam.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download %s = %d %q", f, resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
	}
	want(t, bob.get(page), 404)
	want(t, pam.get("/t/acme/?q="+url.QueryEscape("viking lonship")), 200, "found for", "Viking Longship")
	want(t, pam.get("/t/acme/?q=vikng"), 200, "Did you mean")
	wantRedirect(t, pam.post("/t/acme/saved-searches", url.Values{"q": {"viking ships"}, "name": {"Norse things"}, "pin": {"on"}}), "/t/acme/?q=")
	// The search log is written after the answer, so the home page may
	// come before it: wait a little for it.
	home := pam.get("/t/acme/")
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(home.Body, "viking lonship") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		home = pam.get("/t/acme/")
	}
	want(t, home, 200, "Norse things", "Recent searches", "viking lonship")
	if strings.Contains(viewer.get("/t/acme/").Body, "Norse things") {
		t.Error("Vera sees Pam's saved search")
	}
	id := regexp.MustCompile(`/t/acme/saved-searches/(\d+)/delete`).FindStringSubmatch(home.Body)
	if id == nil {
		t.Fatal("no delete form for the saved search")
	}
	// A saved search keeps its filters with its words.
	wantRedirect(t, pam.post("/t/acme/saved-searches", url.Values{"q": {"celtic"}, "type": {"panel"}, "name": {"Celtic panels"}}), "/t/acme/?q=celtic&type=panel")
	withFilter := regexp.MustCompile(`<a href="([^"]+)">Celtic panels</a>`).FindStringSubmatch(pam.get("/t/acme/").Body)
	if withFilter == nil || html.UnescapeString(withFilter[1]) != "/t/acme/?q=celtic&type=panel" {
		t.Fatalf("saved search with a filter links to %q", withFilter)
	}
	panels := pam.get(html.UnescapeString(withFilter[1]))
	want(t, panels, 200, "Celtic Tall Knot")
	if strings.Contains(panels.Body, "Celtic Dragon") {
		t.Error("the saved search's type filter is lost: it shows the Celtic Dragon block")
	}
	wantRedirect(t, pam.post("/t/acme/saved-searches/"+id[1]+"/delete", nil), "/t/acme/")
	if strings.Contains(pam.get("/t/acme/").Body, "Norse things") {
		t.Error("deleted saved search still shown")
	}

	// A viewer browses and downloads but changes nothing.
	want(t, viewer.get(page), 200, "Viking Longship")
	want(t, viewer.post("/t/acme/bulk", url.Values{"ids": {viking[1]}, "action": {"delete"}}), 403)
	want(t, viewer.get("/t/acme/imports"), 403)
	want(t, viewer.post(page+"/edit", url.Values{"name": {"x"}}), 403)
	wantRedirect(t, viewer.post(page+"/favorite", url.Values{"favorite": {"1"}}), page)
	want(t, viewer.get("/t/acme/?favorites=1"), 200, "Viking Longship")
	if fav := pam.get("/t/acme/?favorites=1"); strings.Contains(fav.Body, "Viking Longship") {
		t.Error("Vera's favourite shows in Pam's favourites")
	}

	// Bulk keywords, filter by keyword, delete and undo, export.
	wantRedirect(t, pam.post("/t/acme/bulk", url.Values{"ids": {viking[1]}, "action": {"add_keywords"}, "keywords": {"nautical, Norse"}}), "/t/acme/")
	want(t, pam.get("/t/acme/?keyword=norse"), 200, "Viking Longship", "1 design")
	exp := pam.post("/t/acme/bulk", url.Values{"ids": {viking[1]}, "action": {"export"}})
	zr, err := zip.NewReader(bytes.NewReader([]byte(exp.Body)), int64(len(exp.Body)))
	if err != nil || len(zr.File) < 3 {
		t.Fatalf("export ZIP: %v, %d files", err, len(zr.File))
	}
	// Delete asks first (nothing is deleted yet), then deletes; the Undo
	// is in the very message that says so.
	want(t, pam.post("/t/acme/bulk", url.Values{"ids": {viking[1]}, "action": {"delete"}}), 200, "Delete 1 design?", "Viking Longship", "Yes, delete 1 design", `name="confirm" value="yes"`)
	want(t, pam.get(page), 200, "Viking Longship")
	del := pam.post("/t/acme/bulk", url.Values{"ids": {viking[1]}, "action": {"delete"}, "confirm": {"yes"}})
	wantRedirect(t, del, "/t/acme/?undo=")
	undo := strings.TrimPrefix(del.Location, "/t/acme/?undo=")
	after := pam.get(del.Location)
	want(t, pam.get(page), 404)
	if !regexp.MustCompile(`(?s)<div class="flash" role="status"><span>Deleted 1 design\.</span>\s*<form method="post" action="/t/acme/activity/` + undo + `/undo"`).MatchString(after.Body) {
		t.Errorf("the Undo is not in the message that says the design was deleted:\n%s", after.Body)
	}
	wantRedirect(t, pam.post("/t/acme/activity/"+undo+"/undo", nil), "/t/acme/")
	want(t, pam.get(page), 200, "Viking Longship")

	// Keywords page: rename, merge with undo.
	kw := pam.get("/t/acme/keywords")
	want(t, kw, 200, "nautical", "norse")
	ids := map[string]string{}
	for _, m := range regexp.MustCompile(`action="/t/acme/keywords/(\d+)/rename"[^>]*><label[^>]*>New name for ([^<]+)</label>`).FindAllStringSubmatch(kw.Body, -1) {
		ids[m[2]] = m[1]
	}
	wantRedirect(t, pam.post("/t/acme/keywords/"+ids["norse"]+"/rename", url.Values{"name": {"viking age"}}), "/t/acme/keywords")
	merge := pam.post("/t/acme/keywords/"+ids["nautical"]+"/merge", url.Values{"into": {"Viking Age"}})
	wantRedirect(t, merge, "/t/acme/keywords?undo=")
	want(t, pam.get("/t/acme/?keyword=nautical"), 200, "No designs match")
	wantRedirect(t, pam.post("/t/acme/activity/"+strings.TrimPrefix(merge.Location, "/t/acme/keywords?undo=")+"/undo", nil), "/t/acme/")
	want(t, pam.get("/t/acme/?keyword=nautical"), 200, "Viking Longship")
	// Pinned keywords: personal, shown on the library page.
	wantRedirect(t, pam.post("/t/acme/keywords/"+ids["norse"]+"/pin", url.Values{"pin": {"1"}}), "/t/acme/keywords")
	want(t, pam.get("/t/acme/keywords"), 200, `aria-label="Unpin viking age"`)
	want(t, pam.get("/t/acme/"), 200, `aria-label="Pinned keywords"`, "?keyword=viking%20age")
	wantRedirect(t, pam.post("/t/acme/keywords/999999/pin", url.Values{"pin": {"1"}}), "/t/acme/keywords")

	// Orientation: turning redraws the picture, the file stays.
	before := pam.get("/t/acme/patterns/" + viking[1] + "/thumb/256.png").Body
	wantRedirect(t, pam.post(page+"/orientation", url.Values{"answer": {"rot90"}}), "/t/acme/review/orientation")
	if after := pam.get("/t/acme/patterns/" + viking[1] + "/thumb/256.png").Body; after == before {
		t.Error("turning did not redraw the thumbnail")
	}
	want(t, pam.get("/t/acme/review/orientation"), 200, "Check orientation")
	want(t, pam.get("/t/acme/review/duplicates"), 200, "Possible duplicates")

	// Uploading the same ZIP again: nothing new.
	again := r.uploadZIP(t, pam, "acme", "again.zip", data)
	json.Unmarshal([]byte(pam.get(again+"/status").Body), &st)
	if st["created"] != float64(0) || st["duplicates"] != float64(designs) {
		t.Errorf("re-upload status %v", st)
	}
	// Not a ZIP: refused at once with a clear reason, nothing stored.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "broken.zip")
	fw.Write([]byte("not a zip"))
	mw.Close()
	req, _ := http.NewRequest("POST", r.srv.URL+"/t/acme/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", r.srv.URL)
	want(t, pam.do(req), 400, "broken.zip", "is not a ZIP file", "Nothing was stored")
}

// poly is a stitched design through the points (inches), for tests that
// need no fixtures.
func poly(pts ...geom.Point) *geom.Design {
	p := geom.Path{Start: pts[0], Stitch: true}
	for _, q := range pts[1:] {
		p.Segments = append(p.Segments, geom.Segment{Kind: geom.Line, End: q})
	}
	return &geom.Design{Paths: []geom.Path{p}}
}

func qli(t testing.TB, d *geom.Design) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := formats.Write(&buf, "qli", d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// getHeader fetches path with extra request headers and returns the
// status, a response header and the body.
func getHeader(t testing.TB, b *browser, path string, reqHeader map[string]string, header string) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", b.url(path), nil)
	for k, v := range reqHeader {
		req.Header.Set(k, v)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get(header), body
}

// TestLibraryEditsSynthetic runs on designs made in the test: an upload of
// several parts, what a viewer may not change, thumbnails redrawn and
// revalidated after a turn, the preview following the turn, exports of
// designs of one name, and Undo returning to the page it was pressed on.
func TestLibraryEditsSynthetic(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	viewer := r.member(t, pam, "acme", "vera@example.com", store.RoleViewer)
	flag := poly(geom.Point{X: 0, Y: 0}, geom.Point{X: 10, Y: 0}, geom.Point{X: 10, Y: 1}, geom.Point{X: 1, Y: 1},
		geom.Point{X: 1, Y: 4}, geom.Point{X: 0, Y: 4}, geom.Point{X: 0, Y: 0})
	zig := poly(geom.Point{X: 0, Y: 0}, geom.Point{X: 2, Y: 3}, geom.Point{X: 4, Y: 0}, geom.Point{X: 6, Y: 3}, geom.Point{X: 8, Y: 0})

	// One ZIP and one loose file in one form post: both parts are imported.
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, d := range map[string]*geom.Design{"one/Flag.qli": flag, "two/Flag.qli": zig} {
		w, _ := zw.Create(name)
		w.Write(qli(t, d))
	}
	zw.Close()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "flags.zip")
	fw.Write(zbuf.Bytes())
	fw, _ = mw.CreateFormFile("file", "Small Zig.qli")
	fw.Write(qli(t, zig.Scale(0.5)))
	mw.Close()
	req, _ := http.NewRequest("POST", r.srv.URL+"/t/acme/imports", bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", r.srv.URL)
	// A viewer may not upload.
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(body.Bytes()))
	want(t, viewer.do(vreq), 403)
	p := pam.do(req)
	wantRedirect(t, p, "/t/acme/imports/")
	var batch int64
	fmt.Sscanf(strings.TrimPrefix(p.Location, "/t/acme/imports/"), "%d", &batch)
	tn := mustTenant(t, r, "acme")
	ctx := context.Background()
	if err := r.Library.Process(ctx, tn.ID, batch); err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	json.Unmarshal([]byte(pam.get(p.Location+"/status").Body), &st)
	if st["status"] != "done" || st["created"] != float64(3) {
		t.Fatalf("import status %v", st)
	}

	grid := pam.get("/t/acme/?sort=newest")
	want(t, grid, 200, "3 designs", "Picture")
	ids := regexp.MustCompile(`href="/t/acme/patterns/(\d+)" class="card-link">\s*<img[^>]*>\s*<span class="card-name">Flag`).FindAllStringSubmatch(grid.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("%d cards named Flag, want 2", len(ids))
	}
	want(t, pam.get("/t/acme/?preview=no"), 200, "No designs match", "no picture")

	// Exporting two designs of one name gives two folders.
	exp := pam.post("/t/acme/bulk", url.Values{"ids": {ids[0][1], ids[1][1]}, "action": {"export"}})
	zr, err := zip.NewReader(bytes.NewReader([]byte(exp.Body)), int64(len(exp.Body)))
	if err != nil || len(zr.File) != 2 || zr.File[0].Name == zr.File[1].Name {
		t.Fatalf("export of two Flags: %v, %v", err, zr)
	}

	// The flag is 10 × 4 in; find which card it is from its page.
	var page string
	for _, m := range ids {
		if strings.Contains(pam.get("/t/acme/patterns/"+m[1]).Body, "10.00 × 4.00 in") {
			page = "/t/acme/patterns/" + m[1]
		}
	}
	if page == "" {
		t.Fatal("no 10 × 4 in design page")
	}
	thumb := page + "/thumb/256.png"
	code, etag, orig := getHeader(t, pam, thumb, nil, "ETag")
	if code != 200 || etag == "" {
		t.Fatalf("thumbnail = %d, ETag %q", code, etag)
	}
	if code, _, _ := getHeader(t, pam, thumb, map[string]string{"If-None-Match": etag}, "ETag"); code != 304 {
		t.Errorf("unchanged thumbnail revalidated = %d, want 304", code)
	}
	want(t, pam.get(page+"/preview.svg"), 200, `data-width-in="10`)

	// A viewer cannot turn it, rename keywords or make groups.
	want(t, viewer.post(page+"/orientation", url.Values{"answer": {"rot90"}}), 403)
	want(t, viewer.post("/t/acme/keyword-groups", url.Values{"name": {"Animals"}}), 403)

	// Turning redraws the thumbnail, which the old ETag no longer matches,
	// and the preview follows; "Looks right" brings the first picture back.
	wantRedirect(t, pam.post(page+"/orientation", url.Values{"answer": {"rot90"}}), "/t/acme/review/orientation")
	code, etag2, turned := getHeader(t, pam, thumb, map[string]string{"If-None-Match": etag}, "ETag")
	if code != 200 || etag2 == etag || bytes.Equal(turned, orig) {
		t.Errorf("after turning: %d, ETag %q (was %q), picture changed %v", code, etag2, etag, !bytes.Equal(turned, orig))
	}
	want(t, pam.get(page+"/preview.svg"), 200, `data-width-in="4`)
	wantRedirect(t, pam.post(page+"/orientation", url.Values{"answer": {"ok"}}), "/t/acme/review/orientation")
	if _, _, back := getHeader(t, pam, thumb, nil, "ETag"); !bytes.Equal(back, orig) {
		t.Error("“Looks right” did not bring back the first picture")
	}
	want(t, pam.post(page+"/orientation", url.Values{"answer": {"rot45"}}), http.StatusUnprocessableEntity, "Choose how the design should be turned")

	// Keywords: a merge undone from the keywords page returns there.
	wantRedirect(t, pam.post("/t/acme/bulk", url.Values{"ids": {ids[0][1]}, "action": {"add_keywords"}, "keywords": {"flags, banners"}}), "/t/acme/")
	kw := pam.get("/t/acme/keywords")
	kid := map[string]string{}
	for _, m := range regexp.MustCompile(`action="/t/acme/keywords/(\d+)/rename"[^>]*><label[^>]*>New name for ([^<]+)</label>`).FindAllStringSubmatch(kw.Body, -1) {
		kid[m[2]] = m[1]
	}
	want(t, viewer.post("/t/acme/keywords/"+kid["flags"]+"/rename", url.Values{"name": {"x"}}), 403)
	merge := pam.post("/t/acme/keywords/"+kid["banners"]+"/merge", url.Values{"into": {"flags"}})
	wantRedirect(t, merge, "/t/acme/keywords?undo=")
	act := strings.TrimPrefix(merge.Location, "/t/acme/keywords?undo=")
	want(t, pam.get(merge.Location), 200, `name="return" value="/t/acme/keywords"`)
	want(t, viewer.post("/t/acme/activity/"+act+"/undo", url.Values{"return": {"/t/acme/keywords"}}), 403)
	wantRedirect(t, pam.post("/t/acme/activity/"+act+"/undo", url.Values{"return": {"/t/acme/keywords"}}), "/t/acme/keywords")
	want(t, pam.get("/t/acme/?keyword=banners"), 200, "Flag")

	// Duplicates: the half-size zigzag pairs with the zigzag; keeping one
	// offers Undo on the same page.
	if _, err := r.Library.FindDuplicates(ctx, tn.ID); err != nil {
		t.Fatal(err)
	}
	dups := pam.get("/t/acme/review/duplicates")
	want(t, dups, 200, "Small Zig")
	pair := regexp.MustCompile(`name="a" value="(\d+)"><input type="hidden" name="b" value="(\d+)"`).FindStringSubmatch(dups.Body)
	if pair == nil {
		t.Fatal("no duplicate pair on the page")
	}
	kept := pam.post("/t/acme/review/duplicates", url.Values{"a": {pair[1]}, "b": {pair[2]}, "decision": {"kept_a"}})
	wantRedirect(t, kept, "/t/acme/review/duplicates?undo=")
	want(t, pam.get(kept.Location), 200, "Undo", `value="/t/acme/review/duplicates"`)
	want(t, pam.get("/t/acme/patterns/"+pair[2]), 404)
	undo := strings.TrimPrefix(kept.Location, "/t/acme/review/duplicates?undo=")
	wantRedirect(t, pam.post("/t/acme/activity/"+undo+"/undo", url.Values{"return": {"/t/acme/review/duplicates"}}), "/t/acme/review/duplicates")
	want(t, pam.get("/t/acme/patterns/"+pair[2]), 200)
}

package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

// uploadZIP posts files through the import form as a browser would and
// runs the import job; it returns the batch page's address.
func (r *rig) uploadZIP(t *testing.T, b *browser, slug string, name string, data []byte) string {
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
	if err := r.lib.Process(context.Background(), tn.ID, id); err != nil {
		t.Fatal(err)
	}
	return p.Location
}

func fixturesZIP(t *testing.T) ([]byte, int) {
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
	del := pam.post("/t/acme/bulk", url.Values{"ids": {viking[1]}, "action": {"delete"}})
	wantRedirect(t, del, "/t/acme/?undo=")
	want(t, pam.get(page), 404)
	undo := strings.TrimPrefix(del.Location, "/t/acme/?undo=")
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
	merge := pam.post("/t/acme/keywords/"+ids["nautical"]+"/merge", url.Values{"into": {ids["norse"]}})
	wantRedirect(t, merge, "/t/acme/keywords?undo=")
	want(t, pam.get("/t/acme/?keyword=nautical"), 200, "No designs match")
	wantRedirect(t, pam.post("/t/acme/activity/"+strings.TrimPrefix(merge.Location, "/t/acme/keywords?undo=")+"/undo", nil), "/t/acme/")
	want(t, pam.get("/t/acme/?keyword=nautical"), 200, "Viking Longship")

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
	// Not a ZIP: a clear reason, nothing stored.
	bad := r.uploadZIP(t, pam, "acme", "broken.zip", []byte("not a zip"))
	want(t, pam.get(bad), 200, "Could not import", "broken.zip")
}

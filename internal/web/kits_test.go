package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/store"
)

// kitEntries reads a kit's ZIP: path → contents.
func kitEntries(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a ZIP (%d bytes): %v\n%.300s", len(data), err, data)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

// checkKit holds a kit to its machine's formats and size: every machine
// file reads back in its format, sized (width or height) within 0.01 in,
// and every design's folder has its about file and the designer's licence.
func checkKit(t *testing.T, files map[string][]byte, ext string, designs int, size float64, height bool) {
	t.Helper()
	folders := map[string]bool{}
	worst, n := 0.0, 0
	defer func() { t.Logf("%d %s files, %g in asked, worst off by %.5f in", n, ext, size, worst) }()
	for name, data := range files {
		dir, file := path.Split(name)
		if dir == "" {
			continue
		}
		folders[dir] = true
		switch path.Ext(file) {
		case ".txt", ".html":
		case "." + ext:
			g, f, err := formats.Read(file, data)
			if err != nil || f.Name != ext {
				t.Fatalf("%s does not read back as %s: %v", name, ext, err)
			}
			got := g.StitchBounds().Width()
			if height {
				got = g.StitchBounds().Height()
			}
			n++
			worst = math.Max(worst, math.Abs(got-size))
			if math.Abs(got-size) > 0.01 {
				t.Errorf("%s measures %.4f in, want %g ± 0.01", name, got, size)
			}
		default:
			t.Errorf("%s: not a %s file", name, ext)
		}
	}
	if len(folders) != designs {
		t.Errorf("%d folders for %d designs", len(folders), designs)
	}
	for dir := range folders {
		if files[dir+"copyright-license-info.txt"] == nil {
			t.Errorf("%s has no licence file", dir)
		}
		if files[dir+strings.TrimSuffix(dir, "/")+" - about.txt"] == nil {
			t.Errorf("%s has no about file", dir)
		}
	}
}

// TestMachineKits: POST /api/v1/kits for the Statler at 12 inches wide
// gives a ZIP of QLI files 12 in wide with every design's notes; the
// library's "Machine kit" (a viewer may make one) and a share link's
// results page give the same from a form; bad requests are refused with
// the reason and no ZIP.
func TestMachineKits(t *testing.T) {
	t.Parallel()
	data, designs := fixturesZIP(t)
	r := newRig(t, "")
	pam, _ := r.owner(t, "pam@example.com", "acme")
	vera := r.member(t, pam, "acme", "vera@example.com", store.RoleViewer)
	r.uploadZIP(t, pam, "acme", "stitchables.zip", data)
	grid := pam.get("/t/acme/")
	var ids []int64
	var form = url.Values{}
	for _, m := range regexp.MustCompile(`name="ids" value="(\d+)"`).FindAllStringSubmatch(grid.Body, -1) {
		var id int64
		fmt.Sscan(m[1], &id)
		ids = append(ids, id)
		form.Add("ids", m[1])
	}
	if len(ids) != designs {
		t.Fatalf("%d designs on the grid, want %d", len(ids), designs)
	}
	want(t, grid, 200, "Machine kit (ZIP)", `formaction="/t/acme/kits"`)

	api := newAPIClient(t, r, pam, "acme")
	post := func(body string) (*http.Response, []byte) {
		req, _ := http.NewRequest("POST", r.srv.URL+"/api/v1/kits", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+api.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	body, _ := json.Marshal(map[string]any{"pattern_ids": ids, "machine": "statler", "width_in": 12})
	resp, zipped := post(string(body))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "statler-kit-") {
		t.Fatalf("POST /api/v1/kits = %d %s %s\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), zipped)
	}
	checkKit(t, kitEntries(t, zipped), "qli", designs, 12, false)

	for body, code := range map[string]string{
		`{"pattern_ids": [1], "machine": "brother"}`:                                 "bad_machine",
		`{"pattern_ids": [1], "machine": "statler", "width_in": 12, "height_in": 4}`: "bad_size",
		`{"pattern_ids": [], "machine": "statler"}`:                                  "kit_no_designs",
		`{"pattern_ids": [99999], "machine": "statler"}`:                             "no_such_pattern",
		`{"pattern_ids": "all"}`:                                                     "bad_json",
	} {
		resp, b := post(body)
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		json.Unmarshal(b, &e)
		if resp.StatusCode < 400 || e.Error.Code != code || e.Error.Message == "" {
			t.Errorf("%s: %d %s, want the problem %s", body, resp.StatusCode, b, code)
		}
	}

	// The library's selection, by a viewer, for the QBot at 5 in high.
	vgrid := vera.get("/t/acme/")
	want(t, vgrid, 200, "Machine kit (ZIP)")
	if strings.Contains(vgrid.Body, `value="delete"`) {
		t.Error("a viewer is offered Delete")
	}
	f := url.Values{"ids": form["ids"], "machine": {"qbot"}, "size": {"height"}, "size_in": {"5"}}
	p := vera.post("/t/acme/kits", f)
	if p.Status != 200 {
		t.Fatalf("viewer's kit: %d %.300s", p.Status, p.Body)
	}
	checkKit(t, kitEntries(t, []byte(p.Body)), "plt", designs, 5, true)
	// A bad size goes back to the library with the reason.
	f.Set("size_in", "a lot")
	f.Set("return", "/t/acme/")
	wantRedirect(t, vera.post("/t/acme/kits", f), "/t/acme/")
	want(t, vera.get("/t/acme/"), 200, "Give a width or a height")

	// A share link's results offer a kit of the designs she chose.
	p = pam.post("/t/acme/shares", url.Values{"ids": form["ids"][:3], "name": {"For Mrs Lee"}, "days": {"30"}})
	share := regexp.MustCompile(`/t/acme/shares/(\d+)`).FindString(p.Location + p.Body)
	if share == "" {
		t.Fatalf("no share link made: %d %s %.300s", p.Status, p.Location, p.Body)
	}
	res := pam.get(share)
	want(t, res, 200, "Machine kit (ZIP)", `action="/t/acme/kits"`, `name="ids" value="`+form["ids"][0]+`"`)
}

// TestJobKits: a job's page offers its machine kit (no size: the job's
// rows are for the designs' own size); the kit, from the page or from
// POST /api/v1/kits with job_id, holds the job's designs with the quilt,
// its rows and thread on each sheet; a viewer is refused the job's kit
// and a size is refused.
func TestJobKits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data, _ := fixturesZIP(t)
	r := newRig(t, "")
	pam, acme := r.owner(t, "pam@example.com", "acme")
	vera := r.member(t, pam, "acme", "vera@example.com", store.RoleViewer)
	r.uploadZIP(t, pam, "acme", "stitchables.zip", data)
	var ids []int64
	for _, m := range regexp.MustCompile(`name="ids" value="(\d+)"`).FindAllStringSubmatch(pam.get("/t/acme/").Body, -1) {
		var id int64
		fmt.Sscan(m[1], &id)
		ids = append(ids, id)
	}
	r.Plan(t, acme.ID, "business") // jobs come with the Business plan
	job, err := r.Business.CreateJob(ctx, acme.ID, business.JobInput{NewCustomer: &store.Customer{Name: "Jane Doe"}, Title: "Jane's queen",
		PatternIDs: ids[:2], Quote: business.QuoteInput{Width: 9000, Length: 10800, Level: "Light edge-to-edge"}})
	if err != nil {
		t.Fatal(err)
	}
	jobPath := fmt.Sprintf("/t/acme/jobs/%d", job.ID)
	p := pam.get(jobPath)
	want(t, p, 200, "Machine kit: this job", `formaction="`+jobPath+`/kit"`)
	if strings.Contains(p.Body, `name="size_in"`) {
		t.Error("a job's kit offers a size")
	}
	check := func(files map[string][]byte) {
		t.Helper()
		if !bytes.Contains(files["README.txt"], []byte(`For the job "Jane's queen" for Jane Doe: a quilt 90 x 108 in.`)) {
			t.Errorf("README:\n%s", files["README.txt"])
		}
		sheets := 0
		for name, b := range files {
			if strings.HasSuffix(name, " - sheet.html") {
				sheets++
				if !bytes.Contains(b, []byte("<th>The quilt</th>")) || !bytes.Contains(b, []byte("<th>Rows</th>")) {
					t.Errorf("%s lacks the quilt and its rows", name)
				}
			}
		}
		if sheets != 2 {
			t.Errorf("%d sheets, want 2", sheets)
		}
	}
	k := pam.post(jobPath+"/kit", url.Values{"machine": {"statler"}})
	if k.Status != 200 {
		t.Fatalf("job kit: %d %.300s", k.Status, k.Body)
	}
	check(kitEntries(t, []byte(k.Body)))
	want(t, vera.post(jobPath+"/kit", url.Values{"machine": {"statler"}}), 403)

	api := newAPIClient(t, r, pam, "acme")
	post := func(token, body string) (int, []byte) {
		req, _ := http.NewRequest("POST", r.srv.URL+"/api/v1/kits", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, zipped := post(api.token, fmt.Sprintf(`{"job_id": %d, "machine": "statler"}`, job.ID))
	if code != 200 {
		t.Fatalf("API job kit: %d %.300s", code, zipped)
	}
	check(kitEntries(t, zipped))
	if code, b := post(api.token, fmt.Sprintf(`{"job_id": %d, "machine": "statler", "width_in": 12}`, job.ID)); code != 422 || !bytes.Contains(b, []byte("own size")) {
		t.Errorf("a sized job kit: %d %s", code, b)
	}
	if code, b := post(api.token, `{"job_id": 99999, "machine": "statler"}`); code != 404 {
		t.Errorf("no such job: %d %s", code, b)
	}
	if code, b := post(newAPIClient(t, r, vera, "acme").token, fmt.Sprintf(`{"job_id": %d, "machine": "statler"}`, job.ID)); code != 403 {
		t.Errorf("a viewer's job kit: %d %s", code, b)
	}
}

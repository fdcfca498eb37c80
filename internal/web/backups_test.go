package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/backup"
	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
)

// idAfter reads the id at the end of a redirect to prefix.
func idAfter(t testing.TB, p page, prefix string) int64 {
	t.Helper()
	wantRedirect(t, p, prefix)
	var id int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(p.Location, prefix), "%d", &id); err != nil || id == 0 {
		t.Fatalf("no id in the redirect to %q", p.Location)
	}
	return id
}

// uploadExport posts an export file to a workspace's restore form.
func (r *rig) uploadExport(t testing.TB, b *browser, slug string, data []byte, replace bool) page {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if replace {
		mw.WriteField("replace", "yes")
	}
	fw, _ := mw.CreateFormFile("file", "export.zip")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", r.srv.URL+"/t/"+slug+"/restores", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", r.srv.URL)
	return b.do(req)
}

func TestExportAndRestoreThroughThePages(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	pam, acme := r.owner(t, "pam@example.com", "acme")
	data, designs := fixturesZIP(t)
	r.uploadZIP(t, pam, "acme", "designs.zip", data)
	want(t, pam.get("/t/acme/backups"), 200, "No backup yet", "Make my export", "Restore from an export")
	if _, err := r.Backup.Snapshot(ctx, acme.ID, store.SnapshotScheduled); err != nil {
		t.Fatal(err)
	}
	want(t, pam.get("/t/acme/backups"), 200, "Last backup: today", fmt.Sprintf("%d designs", designs), "restore not checked yet")
	if _, err := r.Backup.Check(ctx, acme.ID); err != nil {
		t.Fatal(err)
	}
	want(t, pam.get("/t/acme/backups"), 200, "restore checked today ✓")

	id := idAfter(t, pam.post("/t/acme/exports", url.Values{"machine": {"qbot"}}), "/t/acme/exports/")
	want(t, pam.get(fmt.Sprintf("/t/acme/exports/%d", id)), 200, "Waiting to start")
	if err := r.Backup.RunExport(ctx, acme.ID, id); err != nil {
		t.Fatal(err)
	}
	st := pam.get(fmt.Sprintf("/t/acme/exports/%d/status", id))
	if !strings.Contains(st.Body, `"status":"done"`) {
		t.Fatalf("export status %s", st.Body)
	}
	want(t, pam.get(fmt.Sprintf("/t/acme/exports/%d", id)), 200, "Download")
	dl := pam.get(fmt.Sprintf("/t/acme/exports/%d/download", id))
	if dl.Status != 200 {
		t.Fatalf("download = %d", dl.Status)
	}
	zr, err := zip.NewReader(strings.NewReader(dl.Body), int64(len(dl.Body)))
	if err != nil {
		t.Fatalf("the download is not a ZIP: %v", err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names["manifest.json"] || !names["index.html"] {
		t.Errorf("the export lacks its manifest or catalogue: %d entries", len(names))
	}

	// Into a new workspace, through the restore form.
	wantRedirect(t, pam.post("/workspaces/new", url.Values{"name": {"Copy"}, "slug": {"copy"}}), "/t/copy/")
	want(t, pam.get("/t/copy/backups"), 200, "This workspace is new")
	cp := mustTenant(t, r, "copy")
	rid := idAfter(t, r.uploadExport(t, pam, "copy", []byte(dl.Body), false), "/t/copy/restores/")
	if err := r.Backup.RunRestore(ctx, cp.ID, rid); err != nil {
		t.Fatal(err)
	}
	want(t, pam.get(fmt.Sprintf("/t/copy/restores/%d", rid)), 200, fmt.Sprintf("Restored %d designs", designs))
	n, err := r.Store.CountPatterns(ctx, cp.ID)
	if err != nil || int(n) != designs {
		t.Errorf("the copy has %d designs (%v), want %d", n, err, designs)
	}
	// Its upload is not kept once restored.
	var left []string
	r.Blobs.List(ctx, blob.Key(cp.ID, "restores"), func(i blob.Info) error { left = append(left, i.Key); return nil })
	if len(left) != 0 {
		t.Errorf("the uploaded export is still stored: %v", left)
	}

	// Into a workspace that is not empty: refused unless replace; a
	// truncated file is refused with its reason, nothing changed.
	rid = idAfter(t, r.uploadExport(t, pam, "copy", []byte(dl.Body), false), "/t/copy/restores/")
	r.Backup.RunRestore(ctx, cp.ID, rid)
	want(t, pam.get(fmt.Sprintf("/t/copy/restores/%d", rid)), 200, "not empty", "Nothing was changed")
	rid = idAfter(t, r.uploadExport(t, pam, "copy", []byte(dl.Body[:len(dl.Body)/2]), true), "/t/copy/restores/")
	r.Backup.RunRestore(ctx, cp.ID, rid)
	want(t, pam.get(fmt.Sprintf("/t/copy/restores/%d", rid)), 200, "damaged or incomplete", "Nothing was changed")
	if n2, _ := r.Store.CountPatterns(ctx, cp.ID); n2 != n {
		t.Errorf("a refused restore changed the copy: %d designs, then %d", n, n2)
	}

	// Only the owner sees backups.
	ed := r.member(t, pam, "acme", "ed@example.com", store.RoleEditor)
	if p := ed.get("/t/acme/backups"); p.Status != http.StatusForbidden {
		t.Errorf("an editor's backups page = %d, want 403", p.Status)
	}
	if p := ed.post("/t/acme/exports", nil); p.Status != http.StatusForbidden {
		t.Errorf("an editor's export = %d, want 403", p.Status)
	}
	if p := ed.get(fmt.Sprintf("/t/acme/exports/%d/download", id)); p.Status != http.StatusForbidden {
		t.Errorf("an editor's download = %d, want 403", p.Status)
	}
}

func TestExportsThroughTheAPI(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	pam, acme := r.owner(t, "pam@example.com", "acme")
	data, _ := fixturesZIP(t)
	r.uploadZIP(t, pam, "acme", "designs.zip", data)
	owner, err := r.Store.UserByEmail(ctx, "pam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := r.Accounts.CreateAPIToken(ctx, owner, acme, "script")
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, tok string, body string) (int, map[string]any, []byte) {
		req, _ := http.NewRequest(method, r.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		var m map[string]any
		json.Unmarshal(buf.Bytes(), &m)
		return resp.StatusCode, m, buf.Bytes()
	}
	code, e, _ := call("POST", "/api/v1/exports", token, `{"machine": "not-a-machine"}`)
	if code != 422 {
		t.Errorf("an unknown machine = %d %v", code, e)
	}
	code, e, _ = call("POST", "/api/v1/exports", token, "")
	if code != 202 || e["status"] != "queued" || e["download_url"] != nil {
		t.Fatalf("POST /exports = %d %v", code, e)
	}
	id := int64(e["id"].(float64))
	if code, _, _ := call("GET", fmt.Sprintf("/api/v1/exports/%d/download", id), token, ""); code != 409 {
		t.Errorf("download before it is ready = %d, want 409", code)
	}
	if err := r.Backup.RunExport(ctx, acme.ID, id); err != nil {
		t.Fatal(err)
	}
	code, e, _ = call("GET", fmt.Sprintf("/api/v1/exports/%d", id), token, "")
	if code != 200 || e["status"] != "done" || e["download_url"] == nil || e["bytes"].(float64) == 0 {
		t.Fatalf("GET /exports/%d = %d %v", id, code, e)
	}
	code, _, body := call("GET", e["download_url"].(string), token, "")
	if _, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); code != 200 || err != nil {
		t.Errorf("download = %d, %v", code, err)
	}
	// Another workspace's token does not reach it; an editor may not export.
	_, beta := r.owner(t, "bob@example.com", "beta")
	bob, _ := r.Store.UserByEmail(ctx, "bob@example.com")
	other, _, _ := r.Accounts.CreateAPIToken(ctx, bob, beta, "script")
	if code, _, _ := call("GET", fmt.Sprintf("/api/v1/exports/%d", id), other, ""); code != 404 {
		t.Errorf("another workspace's token = %d, want 404", code)
	}
	r.member(t, pam, "acme", "ed@example.com", store.RoleEditor)
	ed, _ := r.Store.UserByEmail(ctx, "ed@example.com")
	edTok, _, _ := r.Accounts.CreateAPIToken(ctx, ed, acme, "script")
	if code, _, _ := call("POST", "/api/v1/exports", edTok, ""); code != 403 {
		t.Errorf("an editor's export = %d, want 403", code)
	}
}

func TestSnapshotPageAndTrash(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	pam, acme := r.owner(t, "pam@example.com", "acme")
	data, _ := fixturesZIP(t)
	r.uploadZIP(t, pam, "acme", "designs.zip", data)
	page, err := r.Store.Patterns(ctx, acme.ID, store.PatternQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	a, b := page.Patterns[0], page.Patterns[1]
	snap, err := r.Backup.Snapshot(ctx, acme.ID, store.SnapshotScheduled)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*store.Pattern{a, b} {
		wantRedirect(t, pam.post(fmt.Sprintf("/t/acme/patterns/%d/delete", p.ID), url.Values{"confirm": {"yes"}}), "/t/acme/")
	}
	want(t, pam.get("/t/acme/trash"), 200, a.Name, b.Name, "30 days")
	wantRedirect(t, pam.post("/t/acme/trash/restore", url.Values{"ids": {fmt.Sprint(a.ID)}}), "/t/acme/trash")
	if _, err := r.Store.Pattern(ctx, acme.ID, a.ID); err != nil {
		t.Errorf("taken out of the trash, %q is not back: %v", a.Name, err)
	}
	// The snapshot page lists what was lost since, and brings it back.
	want(t, pam.get(fmt.Sprintf("/t/acme/snapshots/%d", snap.ID)), 200, b.Name, "Bring back", "Restore the whole workspace")
	rid := idAfter(t, pam.post(fmt.Sprintf("/t/acme/snapshots/%d/designs/%d/restore", snap.ID, b.ID), nil), "/t/acme/restores/")
	if err := r.Backup.RunRestore(ctx, acme.ID, rid); err != nil {
		t.Fatal(err)
	}
	want(t, pam.get(fmt.Sprintf("/t/acme/restores/%d", rid)), 200, "Brought back the design")
	if _, err := r.Store.Pattern(ctx, acme.ID, b.ID); err != nil {
		t.Errorf("brought back, %q is not there: %v", b.Name, err)
	}
	// The whole workspace needs the box ticked.
	p := pam.post(fmt.Sprintf("/t/acme/snapshots/%d/restore", snap.ID), nil)
	wantRedirect(t, p, fmt.Sprintf("/t/acme/snapshots/%d", snap.ID))
	idAfter(t, pam.post(fmt.Sprintf("/t/acme/snapshots/%d/restore", snap.ID), url.Values{"confirm": {"yes"}}), "/t/acme/restores/")
	// A viewer sees neither the trash nor backups.
	v := r.member(t, pam, "acme", "val@example.com", store.RoleViewer)
	for _, path := range []string{"/t/acme/trash", "/t/acme/backups", fmt.Sprintf("/t/acme/snapshots/%d", snap.ID)} {
		if p := v.get(path); p.Status != http.StatusForbidden {
			t.Errorf("a viewer's %s = %d, want 403", path, p.Status)
		}
	}
}

func TestDeleteAWorkspace(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	pam, acme := r.owner(t, "pam@example.com", "acme")
	data, _ := fixturesZIP(t)
	r.uploadZIP(t, pam, "acme", "designs.zip", data)
	want(t, pam.post("/t/acme/settings/danger/delete", url.Values{"name": {"Not its name"}}), 422, "Type the workspace")
	want(t, pam.get("/t/acme/"), 200)
	wantRedirect(t, pam.post("/t/acme/settings/danger/delete", url.Values{"name": {"workspace ACME"}}), "/t/acme/settings/danger")
	// Paused at once, for its members and on the API.
	want(t, pam.get("/t/acme/"), http.StatusForbidden, "will be deleted for good on")
	want(t, pam.get("/t/acme/settings/danger"), 200, "Cancel the deletion", "Being made")
	mailed := r.Mail.Last(t, "deletion", "pam@example.com")
	if !strings.Contains(mailed.Link, "/t/acme/settings/danger") {
		t.Errorf("the deletion mail links to %q", mailed.Link)
	}
	exports, err := r.Store.Exports(ctx, acme.ID, 5)
	if err != nil || len(exports) != 1 {
		t.Fatalf("exports after asking for deletion: %v %v", exports, err)
	}
	snaps, _ := r.Store.Snapshots(ctx, acme.ID)
	if len(snaps) != 1 || snaps[0].Kind != store.SnapshotBeforeDelete {
		t.Errorf("snapshots after asking for deletion: %+v", snaps)
	}
	if err := r.Backup.RunExport(ctx, acme.ID, exports[0].ID); err != nil {
		t.Fatal(err)
	}
	want(t, pam.get("/t/acme/settings/danger"), 200, "Download everything")
	if p := pam.get(fmt.Sprintf("/t/acme/exports/%d/download", exports[0].ID)); p.Status != 200 || len(p.Body) < 1000 {
		t.Errorf("the export of a workspace being deleted = %d, %d bytes", p.Status, len(p.Body))
	}
	// Cancelled: back as it was.
	wantRedirect(t, pam.post("/t/acme/settings/danger/cancel", nil), "/t/acme/settings")
	want(t, pam.get("/t/acme/"), 200)

	// Asked again; 31 days later the purge deletes it all but the audit.
	wantRedirect(t, pam.post("/t/acme/settings/danger/delete", url.Values{"name": {"Workspace acme"}}), "/t/acme/settings/danger")
	if err := r.Backup.PurgeWorkspace(ctx, acme.ID); err != nil {
		t.Fatal(err)
	}
	if tn, _ := r.Store.TenantByID(ctx, acme.ID); tn.Status == store.TenantDeleted {
		t.Fatal("purged before its grace period ended")
	}
	r.Backup.Now = func() time.Time { return time.Now().Add((backup.DeleteGraceDays + 1) * 24 * time.Hour) }
	if err := r.Backup.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Backup.PurgeWorkspace(ctx, acme.ID); err != nil {
		t.Fatal(err)
	}
	tn, err := r.Store.TenantByID(ctx, acme.ID)
	if err != nil || tn.Status != store.TenantDeleted || tn.Slug == "acme" {
		t.Fatalf("after the purge: %+v %v", tn, err)
	}
	var schemas int
	r.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, db.TenantSchema(acme.ID)).Scan(&schemas)
	var files []string
	r.Blobs.List(ctx, blob.Key(acme.ID), func(i blob.Info) error { files = append(files, i.Key); return nil })
	if schemas != 0 || len(files) != 0 {
		t.Errorf("after the purge: %d schemas and files %v remain", schemas, files)
	}
	if p := pam.get("/t/acme/"); p.Status != http.StatusNotFound {
		t.Errorf("a purged workspace's page = %d, want 404", p.Status)
	}
	log, err := r.Store.AuditLog(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	for _, a := range []string{"workspace deletion requested", "workspace deletion cancelled", "workspace deleted"} {
		if !strings.Contains(strings.Join(actions, "|"), a) {
			t.Errorf("the audit log lacks %q: %v", a, actions)
		}
	}
	// The address is free again.
	wantRedirect(t, pam.post("/workspaces/new", url.Values{"name": {"Acme again"}, "slug": {"acme"}}), "/t/acme/")
}

func TestDeleteAnAccount(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	pam, acme := r.owner(t, "pam@example.com", "acme")
	zoe, _ := r.owner(t, "zoe@example.com", "zeta")
	r.member(t, zoe, "zeta", "pam2@example.com", store.RoleOwner)
	want(t, pam.post("/account/delete", url.Values{"email": {"someone@example.com"}}), 303)
	want(t, pam.get("/account"), 200, "Type your email address exactly")
	wantRedirect(t, pam.post("/account/delete", url.Values{"email": {"PAM@example.com"}}), "/account")
	want(t, pam.get("/account"), 200, "Keep my account")
	if tn, _ := r.Store.TenantByID(ctx, acme.ID); tn.DeleteAfter == nil || tn.Status != store.TenantSuspended {
		t.Errorf("the workspace she alone owns is not going: %+v", tn)
	}
	wantRedirect(t, pam.post("/account/delete/cancel", nil), "/account")
	if tn, _ := r.Store.TenantByID(ctx, acme.ID); tn.DeleteAfter != nil || tn.Status != store.TenantActive {
		t.Errorf("cancelling kept the workspace paused: %+v", tn)
	}
	// After the grace period the account goes, after its workspace.
	wantRedirect(t, pam.post("/account/delete", url.Values{"email": {"pam@example.com"}}), "/account")
	r.Backup.Now = func() time.Time { return time.Now().Add((backup.DeleteGraceDays + 1) * 24 * time.Hour) }
	if err := r.Backup.PurgeWorkspace(ctx, acme.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.Backup.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Store.UserByEmail(ctx, "pam@example.com"); err == nil {
		t.Error("the account is still there after its grace period")
	}
	if tn, _ := r.Store.TenantBySlug(ctx, "zeta"); tn == nil || tn.Status != store.TenantActive {
		t.Error("a workspace with another owner was touched")
	}
}

func TestAdminSeesFailedRestoreChecks(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	ctx := context.Background()
	pam, acme := r.owner(t, "pam@example.com", "acme")
	data, _ := fixturesZIP(t)
	r.uploadZIP(t, pam, "acme", "designs.zip", data)
	root := r.signUp(t, "root@example.com")
	u, _ := r.Store.UserByEmail(ctx, "root@example.com")
	if err := r.Store.SetPlatformAdmin(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Backup.Snapshot(ctx, acme.ID, store.SnapshotScheduled); err != nil {
		t.Fatal(err)
	}
	// A stored file goes missing; the weekly check finds it.
	page, _ := r.Store.Patterns(ctx, acme.ID, store.PatternQuery{Limit: 1})
	files, _ := r.Store.Files(ctx, acme.ID, page.Patterns[0].ID)
	if err := os.Remove(filepath.Join(r.BlobDir, "files", files[0].BlobKey)); err != nil {
		t.Fatal(err)
	}
	res, err := r.Backup.Check(ctx, acme.ID)
	if err != nil || res.OK {
		t.Fatalf("check: %+v %v", res, err)
	}
	want(t, root.get("/admin/backups"), 200, "Failed restore checks", "Workspace acme", files[0].FileName)
	mail := r.Mail.Last(t, "backup_alert", "root@example.com")
	if !strings.Contains(mail.Message.Text, files[0].FileName) {
		t.Errorf("the alert does not name the file:\n%s", mail.Message.Text)
	}
	want(t, pam.get("/t/acme/backups"), 200, "restore check FAILED")
	if p := pam.get("/admin/backups"); p.Status == 200 {
		t.Error("an owner sees the admin's backups page")
	}
}

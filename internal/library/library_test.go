package library

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/jobs"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
	"github.com/patternvault/patternvault/internal/testfixtures"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// rig is the library over a database and blob folder of the test's own.
// (Tests inside this package cannot use internal/testrig, which imports
// the library; it is built the same way, through testing.TB.)
type rig struct {
	svc   *Service
	store *store.Store
	dir   string
}

func newRig(t testing.TB) *rig {
	t.Helper()
	ctx := context.Background()
	d := testdb.New(t)
	if err := jobs.Migrate(ctx, d.Pool); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(d.Pool, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	blobs, err := blob.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(d)
	return &rig{svc: &Service{Store: st, Blobs: blobs, Queue: q, Limits: ingest.DefaultLimits()}, store: st, dir: dir}
}

func (r *rig) tenant(t testing.TB, slug string) *store.Tenant {
	t.Helper()
	tn, err := r.store.CreateTenant(context.Background(), slug, slug)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// importZIP uploads data and runs the batch to the end.
func (r *rig) importZIP(t testing.TB, tenantID int64, name string, data []byte) *store.ImportBatch {
	t.Helper()
	ctx := context.Background()
	b, err := r.svc.StartImport(ctx, tenantID, 0, []Upload{{Name: name, Body: bytes.NewReader(data), Size: int64(len(data))}}, false)
	if err != nil {
		t.Fatalf("StartImport: %v", err)
	}
	if err := r.svc.Process(ctx, tenantID, b.ID); err != nil {
		t.Fatalf("Process: %v", err)
	}
	b, err = r.store.Batch(ctx, tenantID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureZIP packs the real fixtures as a store would: a folder per design
// (nested=true puts each design in a ZIP of its own inside the ZIP).
func fixtureZIP(t *testing.T, nested bool) ([]byte, int) {
	t.Helper()
	root := filepath.Join(testfixtures.Dir(t), "stitchables")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	designs := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		designs++
		rel, _ := filepath.Rel(root, dir)
		files, _ := os.ReadDir(dir)
		target := zw
		var inner bytes.Buffer
		if nested {
			target = zip.NewWriter(&inner)
		}
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(dir, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.ToSlash(filepath.Join(rel, f.Name()))
			if nested {
				name = f.Name()
			}
			w, _ := target.Create(name)
			w.Write(data)
		}
		if nested {
			target.Close()
			w, _ := zw.Create(filepath.ToSlash(rel) + ".zip")
			w.Write(inner.Bytes())
		}
	}
	zw.Close()
	return buf.Bytes(), designs
}

func TestImportFixturesThenReimport(t *testing.T) {
	t.Parallel()
	data, designs := fixtureZIP(t, false)
	r := newRig(t)
	ctx := context.Background()
	acme := r.tenant(t, "acme")
	b := r.importZIP(t, acme.ID, "stitchables.zip", data)
	if b.Status != store.BatchDone || b.Created != designs || b.Duplicates != 0 || len(b.Failed) != 0 {
		t.Fatalf("batch = %+v, want %d created", b, designs)
	}
	page, err := r.store.Patterns(ctx, acme.ID, store.PatternQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Patterns) != designs {
		t.Fatalf("%d patterns, want %d", len(page.Patterns), designs)
	}
	names := map[string]*store.Pattern{}
	for _, p := range page.Patterns {
		names[strings.ToLower(p.Name)] = p
		if p.ThumbState != store.ThumbReady && p.ThumbState != store.ThumbPicture {
			t.Errorf("%q: thumbnail %s", p.Name, p.ThumbState)
		}
		for _, size := range []int{ThumbGrid, ThumbDetail} {
			rc, info, err := r.svc.Thumbnail(ctx, acme.ID, p.ID, size)
			if err != nil {
				t.Errorf("%q: no %d px thumbnail: %v", p.Name, size, err)
				continue
			}
			img, err := png.Decode(rc)
			rc.Close()
			if err != nil || img.Bounds().Dx() != size || info.Size == 0 {
				t.Errorf("%q: %d px thumbnail: %v %v", p.Name, size, img.Bounds(), err)
			}
		}
		if len(p.Keywords) == 0 {
			t.Errorf("%q has no keywords", p.Name)
		}
		if !strings.Contains(p.Notes, "Creative Commons") {
			t.Errorf("%q: notes %q do not hold the copyright text", p.Name, p.Notes)
		}
	}
	viking := names["viking longship"]
	if viking == nil {
		t.Fatalf("no Viking Longship among %v", keys(names))
	}
	if viking.Type != "e2e" || viking.WidthIn == nil || *viking.WidthIn < 17 || *viking.WidthIn > 18.5 {
		t.Errorf("viking = type %q width %v", viking.Type, viking.WidthIn)
	}
	// Every download format works, originals win over conversions.
	for _, format := range []string{"qli", "bqm", "plt", "dxf", "svg", "csq", "qcc", "original"} {
		dl, err := r.svc.Fetch(ctx, acme.ID, viking, format)
		if err != nil {
			t.Fatalf("download %s: %v", format, err)
		}
		body, _ := io.ReadAll(dl.Body)
		dl.Body.Close()
		if len(body) == 0 || int64(len(body)) != dl.Size {
			t.Errorf("download %s: %d bytes, size %d", format, len(body), dl.Size)
		}
		if original := format == "qli" || format == "bqm" || format == "svg" || format == "original"; original == dl.Converted {
			t.Errorf("download %s: converted=%v", format, dl.Converted)
		}
	}

	// The same ZIP again: nothing new, every design reported as a duplicate.
	b2 := r.importZIP(t, acme.ID, "stitchables again.zip", data)
	if b2.Created != 0 || b2.Duplicates != designs || b2.Status != store.BatchDone {
		t.Errorf("re-import = %+v, want %d duplicates", b2, designs)
	}
	if n, _ := r.store.CountPatterns(ctx, acme.ID); n != int64(designs) {
		t.Errorf("%d patterns after re-import", n)
	}
	// The same designs, each in a ZIP of its own inside the ZIP: still duplicates.
	nested, _ := fixtureZIP(t, true)
	b3 := r.importZIP(t, acme.ID, "nested.zip", nested)
	if b3.Created != 0 || b3.Duplicates != designs {
		t.Errorf("nested re-import = %+v", b3)
	}
}

func TestBadUploadsStoreNothing(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	acme := r.tenant(t, "acme")
	var traversal bytes.Buffer
	zw := zip.NewWriter(&traversal)
	w, _ := zw.Create("../../evil.qli")
	w.Write([]byte("#CAD2DMC\nVP 1,1\nEN\n"))
	zw.Close()
	var bomb bytes.Buffer
	zw = zip.NewWriter(&bomb)
	w, _ = zw.Create("bomb.qli")
	w.Write(bytes.Repeat([]byte{'0'}, 300<<20))
	zw.Close()
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"notazip.zip", []byte("this is not a zip at all"), "not a ZIP"},
		{"traversal.zip", traversal.Bytes(), "outside"},
		{"bomb.zip", bomb.Bytes(), ""},
	}
	cases = append(cases, struct {
		name string
		data []byte
		want string
	}{"empty.zip", emptyZIP(t), "no files"})
	for _, c := range cases {
		// Refused at once, with the reason: nothing is stored or queued.
		_, err := r.svc.StartImport(ctx, acme.ID, 0, []Upload{{Name: c.name, Body: bytes.NewReader(c.data), Size: int64(len(c.data))}}, false)
		pe, ok := problem.As(err)
		if !errors.Is(err, ErrRefused) || !ok || pe.Status != 400 {
			t.Errorf("%s: %v, want a refusal", c.name, err)
			continue
		}
		if c.want != "" && !strings.Contains(strings.ToLower(pe.Message), strings.ToLower(c.want)) {
			t.Errorf("%s: reason %q, want one mentioning %q", c.name, pe.Message, c.want)
		}
	}
	if n, _ := r.store.CountPatterns(ctx, acme.ID); n != 0 {
		t.Errorf("%d patterns after bad uploads", n)
	}
	// Nothing left in storage: no designs, no thumbnails, no uploads.
	r.svc.Blobs.List(ctx, blob.Key(acme.ID)+"/", func(i blob.Info) error {
		t.Errorf("left in storage: %s", i.Key)
		return nil
	})
	// Over the upload limit: refused before anything is queued.
	r.svc.Limits.MaxUploadSize = 1000
	_, err := r.svc.StartImport(ctx, acme.ID, 0, []Upload{{Name: "big.zip", Body: bytes.NewReader(make([]byte, 5000)), Size: -1}}, false)
	if !errors.Is(err, ErrUploadTooLarge) {
		t.Errorf("oversized upload: %v", err)
	}
	if batches, _ := r.store.Batches(ctx, acme.ID, 100); len(batches) != 0 {
		t.Errorf("%d batches, want none", len(batches))
	}
}

func emptyZIP(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.Create("folder/")
	zw.Create("__MACOSX/._x.qli")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDamagedDesignIsReported: a design whose content is damaged (its
// CRC does not match) is reported by name and the others are imported.
func TestDamagedDesignIsReported(t *testing.T) {
	r := newRig(t)
	acme := r.tenant(t, "acme")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"good/good.qli", "bad/bad.qli"} {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		w.Write([]byte("#CAD2DMC\nNO NEEDLE ON\nVP 1000,0\nVP 1000,1000\nVE\nEN\n"))
	}
	zw.Close()
	data := buf.Bytes()
	i := bytes.LastIndex(data[:bytes.Index(data, []byte("PK\x01\x02"))], []byte("VP 1000,1000"))
	data[i+3] = '9' // bad/bad.qli's content no longer matches its CRC
	b := r.importZIP(t, acme.ID, "two.zip", data)
	if b.Status != store.BatchDone || b.Created != 1 || len(b.Failed) != 1 || b.DesignsDone != 2 {
		t.Fatalf("batch %+v", b)
	}
	if b.Failed[0].File != "bad/bad.qli" || !strings.Contains(b.Failed[0].Reason, "damaged") {
		t.Errorf("failed %+v", b.Failed)
	}
}

// TestCrashMidImportThenRerun stops the import after some designs (as a
// crash would) and runs the batch again: it completes, with every design
// once, and no file in storage that no row points at.
func TestCrashMidImportThenRerun(t *testing.T) {
	t.Parallel()
	data, designs := fixtureZIP(t, false)
	r := newRig(t)
	acme := r.tenant(t, "acme")
	ctx, cancel := context.WithCancel(context.Background())
	b, err := r.svc.StartImport(ctx, acme.ID, 0, []Upload{{Name: "x.zip", Body: bytes.NewReader(data), Size: int64(len(data))}}, false)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	r.svc.chunkSize = 1
	r.svc.afterDesign = func() {
		if stored++; stored == 3 {
			cancel()
		}
	}
	if err := r.svc.Process(ctx, acme.ID, b.ID); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Process = %v", err)
	}
	r.svc.afterDesign = nil
	if n, _ := r.store.CountPatterns(context.Background(), acme.ID); n != 3 {
		t.Fatalf("%d patterns after the crash, want 3", n)
	}
	if err := r.svc.Process(context.Background(), acme.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	b, _ = r.store.Batch(context.Background(), acme.ID, b.ID)
	if b.Status != store.BatchDone || b.Created != designs || b.Duplicates != 0 {
		t.Errorf("rerun batch = %+v", b)
	}
	if n, _ := r.store.CountPatterns(context.Background(), acme.ID); n != int64(designs) {
		t.Errorf("%d patterns after rerun, want %d", n, designs)
	}
	orphans, err := r.svc.SweepOrphans(context.Background(), acme.ID, 0, true)
	if err != nil || len(orphans) != 0 {
		t.Errorf("orphans after rerun: %v, %v", orphans, err)
	}
}

func TestLibraryIsolation(t *testing.T) {
	t.Parallel()
	data, _ := fixtureZIP(t, false)
	r := newRig(t)
	ctx := context.Background()
	acme, beta := r.tenant(t, "acme"), r.tenant(t, "beta")
	r.importZIP(t, acme.ID, "a.zip", data)
	page, _ := r.store.Patterns(ctx, acme.ID, store.PatternQuery{Limit: 100})
	for _, p := range page.Patterns {
		if _, err := r.store.Pattern(ctx, beta.ID, p.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("beta sees acme's pattern %d: %v", p.ID, err)
		}
		if files, err := r.store.Files(ctx, beta.ID, p.ID); err != nil || len(files) != 0 {
			t.Errorf("beta sees acme's files of %d: %v %v", p.ID, files, err)
		}
		if err := r.store.SetFavorite(ctx, beta.ID, 1, p.ID, true); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("beta favourites acme's pattern %d: %v", p.ID, err)
		}
		if err := r.store.AddKeywords(ctx, beta.ID, []int64{p.ID}, []string{"stolen"}); err != nil {
			t.Fatal(err)
		}
	}
	kw, _ := r.store.Keywords(ctx, beta.ID)
	for _, k := range kw {
		if k.Count != 0 {
			t.Errorf("beta keyword %q counts %d patterns", k.Name, k.Count)
		}
	}
	if b, _ := r.store.Batches(ctx, beta.ID, 10); len(b) != 0 {
		t.Errorf("beta sees %d import batches", len(b))
	}
	// The same content imported by beta is beta's own, not a duplicate of acme's.
	b := r.importZIP(t, beta.ID, "b.zip", data)
	if b.Duplicates != 0 || b.Created == 0 {
		t.Errorf("beta's import = %+v: counted acme's designs as duplicates", b)
	}
}

func keys(m map[string]*store.Pattern) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestNearDuplicates imports the fixtures and a half-size copy of one of
// them in another format: the scan pairs the copy with its original and
// with nothing else; keeping one deletes the other, undoably.
func TestNearDuplicates(t *testing.T) {
	t.Parallel()
	data, _ := fixtureZIP(t, false)
	r := newRig(t)
	ctx := context.Background()
	acme := r.tenant(t, "acme")
	r.importZIP(t, acme.ID, "a.zip", data)

	qli := filepath.Join(testfixtures.Dir(t), "stitchables", "e2e", "viking-longship", "e2e - viking lonship v2.qli")
	raw, err := os.ReadFile(qli)
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := formats.Read(qli, raw)
	if err != nil {
		t.Fatal(err)
	}
	var copyBuf bytes.Buffer
	if err := formats.Write(&copyBuf, "bqm", d.Scale(0.5)); err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("small ships/little longship.bqm")
	w.Write(copyBuf.Bytes())
	zw.Close()
	if b := r.importZIP(t, acme.ID, "copy.zip", zbuf.Bytes()); b.Created != 1 {
		t.Fatalf("copy import = %+v", b)
	}
	n, err := r.svc.FindDuplicates(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	pairs, total, err := r.store.DuplicatePairs(ctx, acme.ID, nil, 50)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || total != 1 || len(pairs) != 1 {
		t.Fatalf("found %d new, %d total, pairs %v; want exactly the viking pair", n, total, pairs)
	}
	names := []string{strings.ToLower(pairs[0].A.Name), strings.ToLower(pairs[0].B.Name)}
	if !strings.Contains(strings.Join(names, "|"), "viking longship") || !strings.Contains(strings.Join(names, "|"), "little longship") {
		t.Errorf("pair = %v", names)
	}
	if again, _ := r.svc.FindDuplicates(ctx, acme.ID); again != 0 {
		t.Errorf("second scan added %d pairs", again)
	}
	act, err := r.store.DecideDuplicate(ctx, acme.ID, 0, pairs[0].A.ID, pairs[0].B.ID, store.KeptA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Pattern(ctx, acme.ID, pairs[0].B.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("kept A but B is still there: %v", err)
	}
	if _, err := r.store.Undo(ctx, acme.ID, act); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Pattern(ctx, acme.ID, pairs[0].B.ID); err != nil {
		t.Errorf("undo did not bring B back: %v", err)
	}
	if _, err := r.store.Undo(ctx, acme.ID, act); !errors.Is(err, store.ErrAlreadyUndone) {
		t.Errorf("second undo: %v", err)
	}
}

package kit_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/kit"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testfixtures"
	"github.com/patternvault/patternvault/internal/testrig"
)

func TestMain(m *testing.M) { os.Exit(testrig.Main(m)) }

// stitchables imports the real fixture designs into a new workspace and
// returns it with its designs and the licence text they came with.
func stitchables(t *testing.T) (*testrig.Rig, *store.Tenant, []*store.Pattern, []byte) {
	t.Helper()
	root := filepath.Join(testfixtures.Dir(t), "stitchables")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var licence []byte
	for _, dir := range dirs {
		entries, _ := os.ReadDir(dir)
		rel, _ := filepath.Rel(root, dir)
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if e.Name() == "copyright-license-info.txt" {
				licence = data
			}
			w, _ := zw.Create(filepath.ToSlash(filepath.Join(rel, e.Name())))
			w.Write(data)
		}
	}
	zw.Close()
	r := testrig.New(t, testrig.Options{})
	acme := r.Tenant(t, "acme")
	ctx := context.Background()
	b, err := r.Library.StartImport(ctx, acme.ID, 0, []library.Upload{{Name: "stitchables.zip", Body: bytes.NewReader(buf.Bytes()), Size: int64(buf.Len())}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Library.Process(ctx, acme.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	page, err := r.Store.Patterns(ctx, acme.ID, store.PatternQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Patterns) != len(dirs) {
		t.Fatalf("imported %d designs from %d folders", len(page.Patterns), len(dirs))
	}
	return r, acme, page.Patterns, licence
}

// unzip reads a kit back: file path → contents.
func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the kit is not a ZIP: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}

// checkNames holds every path of a kit to the rules for older machine
// software: ASCII, no character Windows refuses, at most 64 characters a
// part, unique as Windows compares names.
func checkNames(t *testing.T, files map[string][]byte) {
	t.Helper()
	seen := map[string]bool{}
	for name := range files {
		for _, part := range strings.Split(name, "/") {
			if len(part) == 0 || len(part) > kit.MaxNameLen {
				t.Errorf("%q: part %q is %d characters", name, part, len(part))
			}
			for _, r := range part {
				if r < 32 || r > 126 || strings.ContainsRune(`<>:"\|?*`, r) {
					t.Errorf("%q: character %q", name, r)
				}
			}
			if strings.HasSuffix(part, ".") || strings.HasSuffix(part, " ") || strings.HasPrefix(part, " ") {
				t.Errorf("%q: part %q starts or ends badly", name, part)
			}
		}
		if seen[strings.ToLower(name)] {
			t.Errorf("%q twice", name)
		}
		seen[strings.ToLower(name)] = true
	}
}

// TestKitForStatlerAt12Inches: every design of the fixtures, for the
// Statler, 12 inches wide: one QLI per design (originals resized, and the
// design with no QLI converted from its SVG), read back 12 in wide within
// 0.01 in, with the designer's licence file byte for byte, an about
// file, a sheet and a README; names safe for the machine.
func TestKitForStatlerAt12Inches(t *testing.T) {
	t.Parallel()
	r, acme, designs, licence := stitchables(t)
	ks := kit.New(r.Library)
	var ids []int64
	for _, p := range designs {
		ids = append(ids, p.ID)
	}
	ctx := context.Background()
	plan, err := ks.Plan(ctx, acme.ID, kit.Request{PatternIDs: ids, Machine: "statler", WidthIn: 12})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ks.Write(ctx, plan, &buf); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, buf.Bytes())
	checkNames(t, files)
	statler := library.MachineByID("statler")
	folders := map[string][]string{}
	for name := range files {
		dir, file := path.Split(name)
		folders[strings.TrimSuffix(dir, "/")] = append(folders[strings.TrimSuffix(dir, "/")], file)
	}
	if _, ok := files["README.txt"]; !ok {
		t.Error("no README.txt")
	}
	delete(folders, "")
	if len(folders) != len(designs) {
		t.Fatalf("%d folders for %d designs: %v", len(folders), len(designs), folders)
	}
	for folder, names := range folders {
		var machineFiles, about, sheets, licences int
		for _, n := range names {
			data := files[folder+"/"+n]
			ext := strings.TrimPrefix(path.Ext(n), ".")
			switch {
			case slices.Contains(statler.Formats, ext):
				machineFiles++
				g, f, err := formats.Read(n, data)
				if err != nil || f.Name != "qli" {
					t.Fatalf("%s/%s does not read back as QLI: %v", folder, n, err)
				}
				if w := g.StitchBounds().Width(); math.Abs(w-12) > 0.01 {
					t.Errorf("%s/%s is %.4f in wide, want 12 ± 0.01", folder, n, w)
				}
			case strings.HasSuffix(n, " - about.txt"):
				about++
			case strings.HasSuffix(n, " - sheet.html"):
				sheets++
				if !bytes.Contains(data, []byte("True size</th><td>12 ×")) || !bytes.Contains(data, []byte(`<img src="data:image/svg`)) {
					t.Errorf("%s/%s lacks the true size or the picture", folder, n)
				}
			case n == "copyright-license-info.txt":
				licences++
				if !bytes.Equal(data, licence) {
					t.Errorf("%s/%s is not the designer's licence as it came", folder, n)
				}
			default:
				t.Errorf("%s/%s: a file in no format the Statler takes (%v)", folder, n, statler.Formats)
			}
		}
		if machineFiles != 1 || about != 1 || sheets != 1 || licences != 1 {
			t.Errorf("%s: %d QLI, %d about, %d sheets, %d licences; want one each (%v)", folder, machineFiles, about, sheets, licences, names)
		}
	}
}

// TestKitOwnSizeKeepsOriginals: with no size, a design's original in a
// format the machine takes goes in byte for byte; the QBot (PLT only)
// gets conversions, never a QLI or SVG.
func TestKitOwnSizeKeepsOriginals(t *testing.T) {
	t.Parallel()
	r, acme, designs, _ := stitchables(t)
	ks := kit.New(r.Library)
	ctx := context.Background()
	var ids []int64
	for _, p := range designs {
		ids = append(ids, p.ID)
	}
	for _, m := range []string{"statler", "qbot", "qmatic"} {
		plan, err := ks.Plan(ctx, acme.ID, kit.Request{PatternIDs: ids, Machine: m})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := ks.Write(ctx, plan, &buf); err != nil {
			t.Fatal(err)
		}
		files := unzip(t, buf.Bytes())
		checkNames(t, files)
		mach := library.MachineByID(m)
		n := 0
		for name, data := range files {
			ext := strings.TrimPrefix(path.Ext(name), ".")
			if ext == "txt" || ext == "html" {
				continue
			}
			n++
			if !slices.Contains(mach.Formats, ext) {
				t.Errorf("%s kit holds %s, a format it does not take", m, name)
			}
			if _, f, err := formats.Read(name, data); err != nil || f.Name != ext {
				t.Errorf("%s kit: %s does not read back as %s: %v", m, name, ext, err)
			}
		}
		if n != len(designs) {
			t.Errorf("%s kit: %d machine files for %d designs", m, n, len(designs))
		}
		// The originals in the machine's format are the designer's bytes.
		for _, d := range plan.Designs {
			if d.Original == nil {
				continue
			}
			rc, err := r.Library.OpenFile(ctx, d.Original)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := io.ReadAll(rc.Body)
			rc.Body.Close()
			found := false
			for _, data := range files {
				found = found || bytes.Equal(data, want)
			}
			if !found {
				t.Errorf("%s kit: the original %s is not in it as it came", m, d.Original.FileName)
			}
		}
	}
}

// TestKitRefusesBadRequests: a bad machine, two sizes, a size out of
// range, no designs or another workspace's design are refused before
// anything is written.
func TestKitRefusesBadRequests(t *testing.T) {
	t.Parallel()
	r, acme, designs, _ := stitchables(t)
	other := r.Tenant(t, "other")
	for range designs {
		r.Pattern(t, other, "Not yours")
	}
	foreign := r.Pattern(t, other, "Not yours either") // an id acme does not have
	ks := kit.New(r.Library)
	id := designs[0].ID
	for _, c := range []struct {
		req  kit.Request
		want error
	}{
		{kit.Request{PatternIDs: []int64{id}, Machine: "sewing-machine"}, kit.ErrBadMachine},
		{kit.Request{PatternIDs: []int64{id}, Machine: "statler", WidthIn: 12, HeightIn: 3}, kit.ErrBadSize},
		{kit.Request{PatternIDs: []int64{id}, Machine: "statler", WidthIn: 1e9}, kit.ErrBadSize},
		{kit.Request{PatternIDs: []int64{id}, Machine: "statler", HeightIn: -2}, kit.ErrBadSize},
		{kit.Request{Machine: "statler"}, kit.ErrNoDesigns},
		{kit.Request{PatternIDs: []int64{id, foreign.ID}, Machine: "statler"}, kit.ErrNoSuchDesign},
	} {
		if _, err := ks.Plan(context.Background(), acme.ID, c.req); !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %v", c.req, err, c.want)
		}
	}
	// A design with no file at all cannot go to any machine.
	empty := r.Pattern(t, acme, "No files")
	if _, err := ks.Plan(context.Background(), acme.ID, kit.Request{PatternIDs: []int64{empty.ID}, Machine: "statler"}); !errors.Is(err, kit.ErrNothingFits) {
		t.Errorf("a design without files: %v", err)
	}
	plan, err := ks.Plan(context.Background(), acme.ID, kit.Request{PatternIDs: []int64{empty.ID, id}, Machine: "statler"})
	if err != nil || len(plan.Designs) != 1 || len(plan.Skipped) != 1 {
		t.Fatalf("one good design and one without files: %+v, %v", plan, err)
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"Rosé Feather Border":            "Rose Feather Border",
		"Straße: <Flügel>?*|":            "Strasse Flugel",
		"CON":                            "_CON",
		"nul.txt":                        "_nul.txt",
		"  ...  ":                        "design",
		"Ünïcödé ❤ hearts & vines.":      "Unicode hearts and vines",
		"a/b\\c":                         "a b c",
		strings.Repeat("long name ", 10): "long name long name long name long name long name long name",
	} {
		if got := kit.SafeName(in, kit.MaxNameLen); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestKitForAJob: a job's kit keeps the designs at their own size and
// puts the quilt, its rows and thread on each design's sheet (or why they
// could not be worked out), and the job in the README; a size is refused.
func TestKitForAJob(t *testing.T) {
	t.Parallel()
	r, acme, designs, _ := stitchables(t)
	ks := kit.New(r.Library)
	ctx := context.Background()
	a, b := designs[0], designs[1]
	job := &kit.Job{Title: "Wedding quilt", Customer: "Jane Doe", WidthIn: 90, LengthIn: 108,
		PatternIDs: []int64{a.ID, b.ID},
		Quilt: map[int64]*kit.Quilt{
			a.ID: {Rows: 12, Repeats: 8, StitchedLengthIn: 15234.4, Stitches: 152344, Minutes: 160, ThreadYards: 900, TopYards: 450, BobbinYards: 450, Bobbins: 4},
			b.ID: {Problem: "That design has no measured size or stitching."},
		}}
	if _, err := ks.PlanJob(ctx, acme.ID, "statler", job, 12, 0); !errors.Is(err, kit.ErrJobSized) {
		t.Errorf("a sized job kit: %v, want refused", err)
	}
	plan, err := ks.PlanJob(ctx, acme.ID, "statler", job, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if plan.FileName != "statler-kit-Wedding-quilt.zip" {
		t.Errorf("file name %q", plan.FileName)
	}
	var buf bytes.Buffer
	if err := ks.Write(ctx, plan, &buf); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, buf.Bytes())
	checkNames(t, files)
	if !bytes.Contains(files["README.txt"], []byte(`For the job "Wedding quilt" for Jane Doe: a quilt 90 x 108 in.`)) {
		t.Errorf("README lacks the job:\n%s", files["README.txt"])
	}
	var withRows, withProblem int
	for name, data := range files {
		if !strings.HasSuffix(name, " - sheet.html") {
			continue
		}
		if !bytes.Contains(data, []byte("<th>The quilt</th><td>Wedding quilt for Jane Doe: 90 x 108 in</td>")) {
			t.Errorf("%s lacks the quilt", name)
		}
		switch {
		case bytes.Contains(data, []byte("12 rows of 8 repeats")):
			withRows++
			for _, want := range []string{"15,234 in (152,344 stitches), about 2 h 40 min", "about 900 yards (450 top, 450 bobbin), 4 bobbins"} {
				if !bytes.Contains(data, []byte(want)) {
					t.Errorf("%s lacks %q", name, want)
				}
			}
		case bytes.Contains(data, []byte("no measured size or stitching")):
			withProblem++
		}
	}
	if withRows != 1 || withProblem != 1 {
		t.Errorf("%d sheets with rows and %d with the reason, want 1 and 1", withRows, withProblem)
	}
	// Own size: nothing is resized.
	for name, data := range files {
		if bytes.Contains(data, []byte("Resized from")) {
			t.Errorf("%s: resized in a job's kit", name)
		}
	}
}

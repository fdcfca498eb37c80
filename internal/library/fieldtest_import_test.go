package library

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/store"
)

// zipOf packs files (path → content) as one ZIP, in path order.
func zipOf(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUnreadableDesignsKeptAndMarked: issue 15's field test. A corrupt
// .qli (random bytes) was reported "added (1 files)" and offered as
// "Download for Gammill… the original". Now a design file no reader can
// read, and a file in a kept-as-is format that plainly is something else
// (a web page named .hqf, a JPEG named .qli), is reported "unreadable:
// <reason>" in the import's result, kept byte for byte, marked, and never
// offered for a machine nor converted from. Importing the same ZIP again
// says which designs were skipped, and the batch remembers the ZIP's name.
func TestUnreadableDesignsKeptAndMarked(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	acme := r.tenant(t, "acme")
	ctx := context.Background()
	noise := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(15, 15))
	for i := range noise {
		noise[i] = byte(rng.UintN(256))
	}
	good := []byte("#CAD2DMC\r\nNO NEEDLE ON\r\nVP 1000,0\r\nVP 1000,1000\r\nVE\r\nEN\r\n")
	page := []byte("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n")
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), noise[:200]...)
	files := map[string][]byte{
		"Corrupt/Corrupt.qli":   noise,
		"Web Page/Web Page.hqf": page,
		"Photo/Photo.qli":       jpeg,
		"Fine/Fine.qli":         good,
		"Fine/Fine.hqf":         noise[:512], // binary, as HQF files are: kept as it is
	}
	data := zipOf(t, files)
	b := r.importZIP(t, acme.ID, "Field test.zip", data)
	if b.Status != store.BatchDone || b.Created != 4 || len(b.Failed) != 0 {
		t.Fatalf("batch: status %s, %d created, failed %+v; want done, 4 created (nothing lost), none failed", b.Status, b.Created, b.Failed)
	}
	if !slices.Equal(b.UploadNames, []string{"Field test.zip"}) {
		t.Errorf("upload names %q, want the ZIP's name", b.UploadNames)
	}
	warned := map[string]string{}
	for _, w := range b.Warnings {
		warned[w.File] = w.Reason
	}
	for file, want := range map[string]string{
		"Corrupt/Corrupt.qli":   "unreadable: Corrupt.qli: ",
		"Web Page/Web Page.hqf": "unreadable: Web Page.hqf: this is a web page",
		"Photo/Photo.qli":       "unreadable: Photo.qli: this is a JPEG picture",
	} {
		if !strings.HasPrefix(warned[file], want) {
			t.Errorf("import result for %s: %q, want it to start %q", file, warned[file], want)
		}
	}
	if w, ok := warned["Fine/Fine.qli"]; ok {
		t.Errorf("a readable design was reported: %q", w)
	}

	list, err := r.store.Patterns(ctx, acme.ID, store.PatternQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	statler := MachineByID("statler")
	prostitcher := MachineByID("prostitcher")
	for _, p := range list.Patterns {
		fs, err := r.store.Files(ctx, acme.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kept *store.PatternFile
		for _, f := range fs {
			if f.Role == store.RoleDesign {
				kept = f
				break
			}
		}
		if kept == nil {
			t.Fatalf("%s: no design file kept: %+v", p.Name, fs)
		}
		choices, err := r.svc.Choices(ctx, p, fs)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name == "Fine" {
			if len(p.Formats) != 2 || len(choices) < 5 {
				t.Errorf("Fine: formats %v, %d choices; want qli and hqf, and conversions", p.Formats, len(choices))
			}
			continue
		}
		// Kept, byte for byte, and marked.
		rc, _, err := r.svc.Blobs.Get(ctx, kept.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		got.ReadFrom(rc)
		rc.Close()
		if !bytes.Equal(got.Bytes(), files[p.Name+"/"+kept.FileName]) || kept.Problem == "" || kept.Readable {
			t.Errorf("%s: kept %d bytes (same: %v), problem %q, readable %v", p.Name, got.Len(),
				bytes.Equal(got.Bytes(), files[p.Name+"/"+kept.FileName]), kept.Problem, kept.Readable)
		}
		// Never offered for a machine, nor converted from.
		if len(p.Formats) != 0 || len(choices) != 0 {
			t.Errorf("%s: offered formats %v, choices %+v; want none", p.Name, p.Formats, choices)
		}
		for _, m := range []*Machine{statler, prostitcher} {
			if f, _, ok := ForMachine(m, p.Formats, false); ok {
				t.Errorf("%s: offered for %s as %s", p.Name, m.Name, f)
			}
		}
		for _, format := range []string{"original", kept.Format, "svg"} {
			if _, err := r.svc.Fetch(ctx, acme.ID, p, format); !errors.Is(err, ErrNoSuchFormat) {
				t.Errorf("%s in %s: %v, want ErrNoSuchFormat", p.Name, format, err)
			}
		}
	}

	// The same ZIP again: every design is skipped, and the result says
	// which, with the design that holds it.
	again := r.importZIP(t, acme.ID, "Field test (copy).zip", data)
	if again.Duplicates != 4 || len(again.Skipped) != 4 {
		t.Fatalf("reimport: %d duplicates, skipped %+v; want 4 and 4", again.Duplicates, again.Skipped)
	}
	ids := map[int64]bool{}
	for _, p := range list.Patterns {
		ids[p.ID] = true
	}
	for _, s := range again.Skipped {
		if files[s.File] == nil || !ids[s.PatternID] {
			t.Errorf("skipped %+v: want one of the ZIP's files and the design holding it", s)
		}
	}
}

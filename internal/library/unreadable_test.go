package library

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/patternvault/patternvault/internal/store"
)

// TestImportUnreadableDesign is issue 14's must-show from the import side:
// QLIs with "VP1e308,0" and "VP 1e308,0", and random bytes named .qli, are
// kept as files of
// their designs (never lost), but the readers refuse them, so nothing
// infinite is stored (no size, length or path counts), no thumbnail is
// drawn from them, they are not marked readable, and no conversion is
// served from them.
func TestImportUnreadableDesign(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	acme := r.tenant(t, "acme")
	random := make([]byte, 2048)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range map[string][]byte{
		"overflow/overflow.qli": []byte("#CAD2DMC\r\nCS\r\nVMXY\r\nVP 1000,0\r\nVP1e308,0\r\nVE\r\nEN\r\n"),
		"spaced/spaced.qli":     []byte("#CAD2DMC\r\nCS\r\nVMXY\r\nVP 1000,0\r\nVP 1e308,0\r\nVE\r\nEN\r\n"),
		"broken/broken.qli":     random,
	} {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	b := r.importZIP(t, acme.ID, "bad designs.zip", buf.Bytes())
	if b.Created != 3 {
		t.Fatalf("batch %+v: want every file kept, as three designs", b)
	}
	page, err := r.store.Patterns(ctx, acme.ID, store.PatternQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Patterns) != 3 {
		t.Fatalf("%d patterns, want 3", len(page.Patterns))
	}
	for _, p := range page.Patterns {
		if p.WidthIn != nil || p.HeightIn != nil || p.StitchLengthIn != nil || p.Paths != nil || p.Fingerprint != nil {
			t.Errorf("%s: measurements stored from an unreadable file: %v × %v in, length %v", p.Name, p.WidthIn, p.HeightIn, p.StitchLengthIn)
		}
		if p.ThumbState == store.ThumbReady {
			t.Errorf("%s: thumbnail drawn from an unreadable file", p.Name)
		}
		files, err := r.store.Files(ctx, acme.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 1 || files[0].Readable {
			t.Errorf("%s: files %+v, want one, not readable", p.Name, files)
		}
		if _, err := r.svc.Fetch(ctx, acme.ID, p, "bqm"); !errors.Is(err, ErrNoSuchFormat) {
			t.Errorf("%s: a BQM conversion was served (%v)", p.Name, err)
		}
	}
}

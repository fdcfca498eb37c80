package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/testfixtures"
)

// fuzzLimits are small so that the fuzzer reaches every limit quickly.
var fuzzLimits = Limits{
	MaxUploadSize: 1 << 20,
	MaxEntries:    64,
	MaxTotalSize:  2 << 20,
	MaxFileSize:   512 << 10,
	MaxRatio:      50,
	RatioExempt:   64 << 10,
	MaxDepth:      3,
}

// fuzzAllocBound is the most one Unpack call may allocate under
// fuzzLimits: the kept data, growth slack of the read buffers, nested ZIPs'
// own bytes, and per-archive overhead (end-record search, readers).
const fuzzAllocBound = 4*(2<<20) + 24<<20

func FuzzUnpack(f *testing.F) {
	f.Add(buildZip(f, []entry{{"a.qli", []byte("VP 1,2\n")}}), "a.zip")
	f.Add(buildZip(f, []entry{{"d/", nil}, {"d/x (pic).jpg", []byte{0xff, 0xd8}}, {"d/copyright.txt", []byte("Designed by A")}}), "b.zip")
	f.Add(buildZip(f, []entry{{"in.zip", buildZip(f, []entry{{"deep.zip", buildZip(f, []entry{{"z.bqm", []byte("N10G00X0Y0")}})}})}}), "nest.zip")
	f.Add(buildZip(f, []entry{{"__MACOSX/._a", nil}, {"../x", nil}}), "bad.zip")
	f.Add(headerZip(f, symlinkHeader("l"), []byte("/etc")), "l.zip")
	f.Add([]byte("VP 1,2\n"), "loose.qli")
	f.Add([]byte("PK\x05\x06"+strings.Repeat("\x00", 18)), "empty.zip")
	if seed, err := fixtureSeed(); err == nil {
		f.Add(seed, "spiderweb.zip")
	}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		files, err := unpackBytes(data, name, fuzzLimits)
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > fuzzAllocBound {
			t.Errorf("allocated %d bytes for a %d-byte input", alloc, len(data))
		}
		if err != nil {
			var e *Error
			if files != nil || !errors.As(err, &e) || Explain(err) == "" {
				t.Fatalf("bad refusal: %v (%T), %d files", err, err, len(files))
			}
			return
		}
		checkFiles(t, files)
		up := GroupUpload(files)
		checkGrouping(t, files, up)
		// The streaming import lists the same files and groups them the
		// same way without holding them.
		a, err := OpenArchive(bytes.NewReader(data), int64(len(data)), name, fuzzLimits, t.TempDir())
		if err != nil {
			t.Fatalf("Unpack accepted what OpenArchive refuses: %v", err)
		}
		defer a.Close()
		listed, err := a.Listing()
		if err != nil {
			t.Fatalf("listing: %v", err)
		}
		if got := GroupUpload(listed); len(got.Designs) != len(up.Designs) || len(got.Shared) != len(up.Shared) {
			t.Errorf("%d designs and %d shared files from the listing, %d and %d from the files", len(got.Designs), len(got.Shared), len(up.Designs), len(up.Shared))
		}
	})
}

// checkGrouping asserts GroupUpload's guarantees: no empty design, and
// every file in a design, kept with the upload or left out (nothing lost).
func checkGrouping(t *testing.T, files []File, up Upload) {
	placed := map[string]bool{}
	for _, d := range up.Designs {
		if d.Name == "" || len(d.Files) == 0 {
			t.Errorf("empty design %+v", d)
		}
		for _, f := range d.Files {
			placed[f.Path] = true
		}
	}
	for _, f := range up.Shared {
		placed[f.Path] = true
	}
	for _, p := range up.Left {
		placed[p] = true
	}
	for _, f := range files {
		if !placed[f.Path] {
			t.Errorf("%q is in no design, not kept with the upload and not left out", f.Path)
		}
	}
}

// checkFiles asserts Unpack's guarantees on a successful result.
func checkFiles(t *testing.T, files []File) {
	var total int64
	seen := map[string]bool{}
	if len(files) > fuzzLimits.MaxEntries {
		t.Errorf("%d files", len(files))
	}
	for _, f := range files {
		total += f.Size
		if f.Size != int64(len(f.Data)) || f.Size > fuzzLimits.MaxFileSize {
			t.Errorf("%q: size %d, len %d", f.Path, f.Size, len(f.Data))
		}
		if !fs.ValidPath(f.Path) || f.Path == "." || strings.Contains(f.Path, `\`) || path.Clean(f.Path) != f.Path {
			t.Errorf("unsafe path %q", f.Path)
		}
		if isJunk(f.Path) && len(files) > 1 {
			t.Errorf("junk returned: %q", f.Path)
		}
		if seen[strings.ToLower(f.Path)] {
			t.Errorf("duplicate path %q", f.Path)
		}
		seen[strings.ToLower(f.Path)] = true
	}
	if total > fuzzLimits.MaxTotalSize {
		t.Errorf("total %d", total)
	}
}

// fixtureSeed zips the small text files of the spiderweb fixture (its
// licence and extension-less G-code), or fails when the fixtures are
// absent. Pictures are left out to keep the seed small for the mutator.
func fixtureSeed() ([]byte, error) {
	root, err := testfixtures.Find()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, "stitchables", "e2e", "spiderweb")
	var es []entry
	for _, name := range []string{"copyright-license-info.txt", "e2e - spiderweb v1"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		es = append(es, entry{"spiderweb/" + name, data})
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range es {
		w, err := zw.Create(e.name)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(e.data); err != nil {
			return nil, err
		}
	}
	err = zw.Close()
	return buf.Bytes(), err
}

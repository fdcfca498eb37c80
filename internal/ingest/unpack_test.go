package ingest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestUnpackPaths(t *testing.T) {
	inner := buildZip(t, []entry{{"in.qli", []byte("VP 1,2\n")}, {"sub/", nil}})
	data := buildZip(t, []entry{
		{"top.bqm", []byte("N10G00X0Y0")},
		{"folder/", nil},
		{`win\style\a.qli`, []byte("a")},
		{"./dot/./b.svg", []byte("<svg/>")},
		{"dup.txt", []byte("one")},
		{"DUP.txt", []byte("two")},
		{"__MACOSX/folder/._a.qli", []byte("junk")},
		{"folder/.DS_Store", []byte("junk")},
		{"Thumbs.db", []byte("junk")},
		{"x/desktop.ini", []byte("junk")},
		{"x/._b.qli", []byte("junk")},
		{"packs/inner.ZIP", inner},
	})
	files, err := unpackBytes(data, "upload.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		if f.Size != int64(len(f.Data)) {
			t.Errorf("%s: Size %d, len %d", f.Path, f.Size, len(f.Data))
		}
		got[f.Path] = string(f.Data)
	}
	want := map[string]string{
		"top.bqm":            "N10G00X0Y0",
		"win/style/a.qli":    "a",
		"dot/b.svg":          "<svg/>",
		"dup.txt":            "one",
		"DUP (2).txt":        "two",
		"packs/inner/in.qli": "VP 1,2\n",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestUnpackLooseFile(t *testing.T) {
	files, err := unpackBytes([]byte("VP 1,1\n"), `C:\Users\pam\Downloads\rose.qli`, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != "rose.qli" || string(files[0].Data) != "VP 1,1\n" || files[0].Size != 7 {
		t.Errorf("got %+v", files)
	}
	// A valid ZIP is unpacked whatever its name.
	files, err = unpackBytes(buildZip(t, []entry{{"a.qli", []byte("x")}}), "download", Limits{})
	if err != nil || len(files) != 1 || files[0].Path != "a.qli" {
		t.Errorf("unnamed zip: %v %+v", err, files)
	}
}

func TestUnpackCP437Names(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "caf\x82.qli", Method: zip.Store, NonUTF8: true})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("x"))
	zw.Close()
	files, err := unpackBytes(buf.Bytes(), "a.zip", Limits{})
	if err != nil || len(files) != 1 || files[0].Path != "café.qli" {
		t.Errorf("got %v %+v", err, files)
	}
}

// rawZip writes one entry with a hand-set header and raw (already
// compressed) content.
func rawZip(t testing.TB, fh *zip.FileHeader, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(fh)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// headerZip writes one entry through the normal writer with a custom
// header (mode, flags).
func headerZip(t testing.TB, fh *zip.FileHeader, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(fh)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zeros writes n zero bytes to w.
func zeros(w io.Writer, n int64) error {
	block := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, int64(len(block)))
		if _, err := w.Write(block[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// bomb is a ZIP holding 300 MB of zeros, deflated, built once.
var bomb = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("quilt.qli")
	if err := zeros(w, 300<<20); err != nil {
		panic(err)
	}
	zw.Close()
	return buf.Bytes()
})

// fortyTwo builds a 42.zip-style archive: levels of ZIPs each holding 16
// copies of the level below; the bottom holds one 900 KB file of zeros,
// small enough to be exempt from the per-entry ratio.
func fortyTwo(t testing.TB, levels int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("0.txt")
	zeros(w, 900<<10)
	zw.Close()
	cur := buf.Bytes()
	for l := 1; l <= levels; l++ {
		var es []entry
		for i := range 16 {
			es = append(es, entry{fmt.Sprintf("%d-%d.zip", l, i), cur})
		}
		cur = buildZip(t, es)
	}
	return cur
}

// manyEntries builds a ZIP with n empty files.
func manyEntries(t testing.TB, n int) []byte {
	es := make([]entry, n)
	for i := range es {
		es[i] = entry{fmt.Sprintf("f%05d.qli", i), nil}
	}
	return buildZip(t, es)
}

func nest(t testing.TB, name string, data []byte, depth int) []byte {
	for range depth {
		data = buildZip(t, []entry{{name, data}})
	}
	return data
}

func TestUnpackRefuses(t *testing.T) {
	good := buildZip(t, []entry{{"a/one.qli", bytes.Repeat([]byte("VP 10,20\n"), 500)}, {"a/two.bqm", []byte("N10G00X0Y0")}})
	stored := rawZip(t, &zip.FileHeader{Name: "x.qli", Method: zip.Store, CRC32: crc32.ChecksumIEEE([]byte("abc")), CompressedSize64: 3, UncompressedSize64: 3}, []byte("abc"))
	cases := []struct {
		name   string
		data   []byte
		upload string
		lim    Limits
		want   error
		entry  string
	}{
		{"traversal", buildZip(t, []entry{{"folder/../../x.qli", nil}}), "u.zip", Limits{}, ErrUnsafePath, "folder/../../x.qli"},
		{"inner dotdot", buildZip(t, []entry{{"a/../b.qli", nil}}), "u.zip", Limits{}, ErrUnsafePath, "a/../b.qli"},
		{"backslash traversal", buildZip(t, []entry{{`folder\..\..\x.qli`, nil}}), "u.zip", Limits{}, ErrUnsafePath, `folder\..\..\x.qli`},
		{"absolute", buildZip(t, []entry{{"/etc/passwd", nil}}), "u.zip", Limits{}, ErrUnsafePath, "/etc/passwd"},
		{"drive", buildZip(t, []entry{{`C:\Windows\x.qli`, nil}}), "u.zip", Limits{}, ErrUnsafePath, `C:\Windows\x.qli`},
		{"unc", buildZip(t, []entry{{`\\server\share\x.qli`, nil}}), "u.zip", Limits{}, ErrUnsafePath, `\\server\share\x.qli`},
		{"control char", buildZip(t, []entry{{"a\x01b.qli", nil}}), "u.zip", Limits{}, ErrUnsafePath, "a\x01b.qli"},
		{"nested traversal", buildZip(t, []entry{{"in.zip", buildZip(t, []entry{{"../x.qli", nil}})}}), "u.zip", Limits{}, ErrUnsafePath, "in.zip/../x.qli"},
		{"symlink", headerZip(t, symlinkHeader("link.qli"), []byte("/etc/passwd")), "u.zip", Limits{}, ErrSymlink, "link.qli"},
		{"device", headerZip(t, modeHeader("dev", fs.ModeDevice|0o644), nil), "u.zip", Limits{}, ErrUnsafePath, "dev"},
		{"encrypted", headerZip(t, &zip.FileHeader{Name: "secret.qli", Method: zip.Deflate, Flags: 0x1}, []byte("x")), "u.zip", Limits{}, ErrEncrypted, "secret.qli"},
		{"bzip2", rawZip(t, &zip.FileHeader{Name: "b.qli", Method: 12, CompressedSize64: 3, UncompressedSize64: 3}, []byte("BZh")), "u.zip", Limits{}, ErrUnsupportedMethod, "b.qli"},
		{"truncated", good[:len(good)*6/10], "u.zip", Limits{}, ErrCorrupt, "u.zip"},
		{"truncated unnamed", good[:len(good)*6/10], "download", Limits{}, ErrCorrupt, "download"},
		{"bad checksum", flipLast(stored, 'c'), "u.zip", Limits{}, ErrCorrupt, "x.qli"},
		{"damaged deflate stream", rawZip(t, &zip.FileHeader{Name: "d.qli", Method: zip.Deflate, CRC32: 1, CompressedSize64: 4, UncompressedSize64: 10},
			[]byte{0xff, 0xff, 0xff, 0xff}), "u.zip", Limits{}, ErrCorrupt, "d.qli"},
		{"not a zip", []byte("this is not a zip at all"), "x.zip", Limits{}, ErrNotZip, "x.zip"},
		{"nested not a zip", buildZip(t, []entry{{"d/inner.zip", []byte("nope")}}), "u.zip", Limits{}, ErrNotZip, "d/inner.zip"},
		{"too many entries", manyEntries(t, 10_001), "u.zip", Limits{}, ErrTooManyEntries, "u.zip"},
		{"too many nested entries", buildZip(t, []entry{{"a.zip", manyEntries(t, 6)}, {"b.zip", manyEntries(t, 6)}}), "u.zip", Limits{MaxEntries: 10}, ErrTooManyEntries, "b.zip"},
		{"too deep", nest(t, "in.zip", good, 4), "u.zip", Limits{}, ErrTooDeep, "in.zip/in.zip/in.zip/in.zip"},
		{"upload too large", good, "u.zip", Limits{MaxUploadSize: 100}, ErrTooLarge, "u.zip"},
		{"loose too large", []byte(strings.Repeat("x", 200)), "a.qli", Limits{MaxFileSize: 100}, ErrTooLarge, "a.qli"},
		{"file too large", good, "u.zip", Limits{MaxFileSize: 1000}, ErrTooLarge, "a/one.qli"},
		{"total too large", good, "u.zip", Limits{MaxTotalSize: 4500}, ErrTooLarge, "a/two.bqm"},
		{"zip bomb", bomb(), "bomb.zip", Limits{}, ErrZipBomb, "quilt.qli"},
		{"nested zip bomb", buildZip(t, []entry{{"designs/bomb.zip", bomb()}}), "u.zip", Limits{}, ErrZipBomb, "designs/bomb.zip/quilt.qli"},
		{"42.zip", fortyTwo(t, 3), "42.zip", Limits{}, ErrZipBomb, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files, err := unpackBytes(c.data, c.upload, c.lim)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if files != nil {
				t.Errorf("returned %d files with the error", len(files))
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not *Error", err)
			}
			if c.entry != "" && e.Entry != c.entry {
				t.Errorf("entry %q, want %q", e.Entry, c.entry)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("ingest: %q: ", e.Entry)) {
				t.Errorf("message %q", err)
			}
			if msg := Explain(err); msg == "" || strings.Contains(msg, "ingest:") || !strings.HasSuffix(msg, ".") {
				t.Errorf("Explain = %q", msg)
			}
			t.Logf("%v\n\t%s", err, Explain(err))
		})
	}
}

func symlinkHeader(name string) *zip.FileHeader {
	return modeHeader(name, fs.ModeSymlink|0o777)
}

func modeHeader(name string, mode fs.FileMode) *zip.FileHeader {
	fh := &zip.FileHeader{Name: name, Method: zip.Store}
	fh.SetMode(mode)
	return fh
}

// flipLast changes the stored byte c of a ZIP's content so its CRC fails.
func flipLast(data []byte, c byte) []byte {
	out := slices.Clone(data)
	i := bytes.LastIndexByte(out[:bytes.Index(out, []byte("PK\x01\x02"))], c)
	out[i] ^= 0x20
	return out
}

func TestUnpackErrorExamples(t *testing.T) {
	_, err := unpackBytes(buildZip(t, []entry{{"folder/../../x.qli", nil}}), "u.zip", Limits{})
	if got := err.Error(); got != `ingest: "folder/../../x.qli": unsafe path` {
		t.Errorf("Error() = %q", got)
	}
	_, err = unpackBytes([]byte("hello"), "x.zip", Limits{})
	if got := Explain(err); !strings.HasPrefix(got, `"x.zip" is not a ZIP file`) {
		t.Errorf("Explain = %q", got)
	}
	if Explain(nil) != "" || Explain(io.EOF) == "" {
		t.Error("Explain(nil) or Explain(other)")
	}
}

func TestUnpackLyingHeaders(t *testing.T) {
	// Deflated 2 MB of zeros whose header claims 100 bytes: the reader
	// must not hand back more than the header admits, nor trust it.
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	zeros(fw, 2<<20)
	fw.Close()
	small := rawZip(t, &zip.FileHeader{Name: "a.qli", Method: zip.Deflate, CompressedSize64: uint64(comp.Len()), UncompressedSize64: 100}, comp.Bytes())
	files, err := unpackBytes(small, "u.zip", Limits{})
	if err == nil || files != nil {
		t.Errorf("small claim: %v, %d files", err, len(files))
	}
	// A header claiming 5 GiB for 3 bytes is refused before reading.
	big := rawZip(t, &zip.FileHeader{Name: "b.qli", Method: zip.Store, CompressedSize64: 3, UncompressedSize64: 5 << 30}, []byte("abc"))
	files, err = unpackBytes(big, "u.zip", Limits{})
	if err == nil || files != nil {
		t.Errorf("big claim: %v, %d files", err, len(files))
	}
}

func TestUnpackLimitsAccepted(t *testing.T) {
	// Small, very compressible files are exempt from the ratio.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("fill.qli")
	zeros(w, 1<<20)
	zw.Close()
	if _, err := unpackBytes(buf.Bytes(), "u.zip", Limits{}); err != nil {
		t.Errorf("1 MiB of zeros: %v", err)
	}
	// Exactly MaxEntries entries pass; depth 3 passes.
	if _, err := unpackBytes(manyEntries(t, 50), "u.zip", Limits{MaxEntries: 50}); err != nil {
		t.Errorf("50 entries: %v", err)
	}
	deep := nest(t, "in.zip", buildZip(t, []entry{{"a.qli", []byte("x")}}), 3)
	files, err := unpackBytes(deep, "u.zip", Limits{})
	if err != nil || len(files) != 1 || files[0].Path != "in/in/in/a.qli" {
		t.Errorf("depth 3: %v %+v", err, files)
	}
}

func TestCountEntries(t *testing.T) {
	data := manyEntries(t, 30)
	if n, ok := countEntries(bytes.NewReader(data), int64(len(data)), 100); !ok || n != 30 {
		t.Errorf("count = %d, %v", n, ok)
	}
	if n, ok := countEntries(bytes.NewReader(data), int64(len(data)), 10); !ok || n != 11 {
		t.Errorf("count stops after the limit: %d, %v", n, ok)
	}
	// With a prefix (self-extracting archive) the count still works.
	pre := append(bytes.Repeat([]byte{0x90}, 1000), data...)
	if n, ok := countEntries(bytes.NewReader(pre), int64(len(pre)), 100); !ok || n != 30 {
		t.Errorf("prefixed count = %d, %v", n, ok)
	}
	if _, ok := countEntries(strings.NewReader("nope"), 4, 10); ok {
		t.Error("not a zip: ok")
	}
}

func TestSafePath(t *testing.T) {
	for name, want := range map[string]string{
		"a/b.qli": "a/b.qli", `a\b.qli`: "a/b.qli", "./a//b.qli": "a/b.qli", "a/./b/": "a/b", "./": "", "..foo/x": "..foo/x",
	} {
		if got, ok := safePath(name); !ok || got != want {
			t.Errorf("safePath(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"../x", "a/../../x", `..\x`, "/x", `\x`, "C:/x", "c:x", "a/\x00", "a/.."} {
		if got, ok := safePath(name); ok {
			t.Errorf("safePath(%q) = %q, accepted", name, got)
		}
	}
}

func TestReadLimited(t *testing.T) {
	// The count, not the header, decides: a reader with more than the
	// limit is refused whatever the hint says.
	data, over, err := readLimited(io.LimitReader(zeroReader{}, 5000), 4096, 10)
	if !over || data != nil || err != nil {
		t.Errorf("over limit: %d bytes, over=%v, err=%v", len(data), over, err)
	}
	data, over, err = readLimited(io.LimitReader(zeroReader{}, 4096), 4096, 1<<40)
	if over || len(data) != 4096 || err != nil || cap(data) > 8192 {
		t.Errorf("at limit: %d bytes (cap %d), over=%v, err=%v", len(data), cap(data), over, err)
	}
	if _, _, err := readLimited(iotestErr{}, 10, 0); err == nil {
		t.Error("read error lost")
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 10000: "10,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q", n, got)
		}
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 30: "1 GB", 256 << 20: "256 MB", 1536 << 20: "1.5 GB", 900 << 10: "900 KB", 12: "12 bytes"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestUnpackBombMemory checks that refusing bombs costs little memory.
func TestUnpackBombMemory(t *testing.T) {
	for name, data := range map[string][]byte{
		"bomb":   bomb(),
		"nested": buildZip(t, []entry{{"b.zip", bomb()}}),
		"42":     fortyTwo(t, 3),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := unpackBytes(data, name+".zip", Limits{}); !errors.Is(err, ErrZipBomb) {
			t.Errorf("%s: %v", name, err)
		}
		runtime.ReadMemStats(&after)
		// At most the ratio allowance (200 × upload) plus read slack.
		bound := 3*200*uint64(len(data)) + 16<<20
		got := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d KB upload, %d KB allocated", name, len(data)>>10, got>>10)
		if got > bound {
			t.Errorf("%s: allocated %d MB for a %d KB upload (bound %d MB)", name, got>>20, len(data)>>10, bound>>20)
		}
	}
}

package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
)

// groupedLike checks that grouping a listing (partial files) gives the
// same designs as grouping the whole files: names, folders, types,
// keywords, notes, and the same files in the same roles.
func groupedLike(t *testing.T, name string, data []byte) {
	t.Helper()
	files, err := unpackBytes(data, name, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := Group(files)
	a, err := OpenArchive(bytes.NewReader(data), int64(len(data)), name, Limits{}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	listed, err := a.Listing()
	if err != nil {
		t.Fatal(err)
	}
	got := Group(listed)
	for i := range got {
		var qlis [][]byte
		for _, f := range got[i].Files {
			if f.Format == "qli" {
				data, err := a.Entry(f.Path).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				qlis = append(qlis, data)
			}
		}
		got[i].Notes = MergeInfoLines(got[i].Notes, qlis...)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d designs from the listing, %d from the files", name, len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.Name != w.Name || g.Folder != w.Folder || g.Type != w.Type || !slices.Equal(g.Keywords, w.Keywords) || g.Notes != w.Notes {
			t.Errorf("%s: design %d: %+v\nwant %+v", name, i, designSummary(g), designSummary(w))
		}
		if len(g.Files) != len(w.Files) {
			t.Errorf("%s: design %q: %d files, want %d", name, w.Name, len(g.Files), len(w.Files))
			continue
		}
		for j := range w.Files {
			gf, wf := g.Files[j], w.Files[j]
			if gf.Path != wf.Path || gf.Role != wf.Role || gf.Format != wf.Format || gf.Size != wf.Size {
				t.Errorf("%s: %s as %s %s %d, want %s %s %s %d", name, gf.Path, gf.Role, gf.Format, gf.Size, wf.Path, wf.Role, wf.Format, wf.Size)
			}
			e := a.Entry(gf.Path)
			if e == nil {
				t.Errorf("%s: no entry %s", name, gf.Path)
				continue
			}
			content, err := e.ReadAll()
			if err != nil || !bytes.Equal(content, wf.Data) {
				t.Errorf("%s: entry %s reads differently: %v", name, gf.Path, err)
			}
		}
	}
}

func designSummary(d Design) string {
	return fmt.Sprintf("%q in %q type %q keywords %v designer %q url %q licence %q", d.Name, d.Folder, d.Type, d.Keywords, d.Notes.Designer, d.Notes.URL, d.Notes.License)
}

// TestListingGroupsLikeFiles: the streaming import groups a ZIP exactly
// as the whole files were grouped, for the fixtures (nested in a ZIP, as
// stores sell them) and for mixed, awkward uploads.
func TestListingGroupsLikeFiles(t *testing.T) {
	var all []entry
	var inner []entry
	for _, fx := range loadFixtures(t) {
		for _, f := range fx.files {
			all = append(all, entry{fx.kind + "/" + fx.name + "/" + f.name, f.data})
			if fx.kind == "e2e" {
				inner = append(inner, entry{fx.name + "/" + f.name, f.data})
			}
		}
	}
	all = append(all, entry{"more/e2e.zip", buildZip(t, inner)})
	groupedLike(t, "fixtures.zip", buildZip(t, all))

	latin := []byte("#CAD2DMC\nNO INFO Designed by Ren\xe9e Dupr\xe9\nVP 1,2\nVP 3,4\nNO NEEDLE ON\nVE\n")
	utf16 := append([]byte{0xFF, 0xFE}, []byte("N\x00O\x00 \x00I\x00N\x00F\x00O\x00 \x00b\x00y\x00 \x00X\x00\n\x00")...)
	long := append(bytes.Repeat([]byte("VP 1,1 "), 20000), []byte("\nNO INFO www.example.com\n")...)
	mixed := buildZip(t, []entry{
		{"a/Rose v1.qli", latin},
		{"a/Rose v1.png", []byte("\x89PNG")},
		{"a/readme.txt", []byte("Designed by Jane Doe, www.jane.example\nAll rights reserved\n")},
		{"b/wide.qli", utf16},
		{"b/long.qli", long},
		{"b/pcq design.txt", []byte("1.25 3.5\n2 4\n3 5\n4 6\n")},
		{"b/notes", bytes.Repeat([]byte("Some prose about this design. "), 20000)},
		{"terms.txt", []byte("Licensed CC BY-NC 4.0")},
	})
	groupedLike(t, "mixed.zip", mixed)
	groupedLike(t, "loose.qli", latin)
}

// TestOpenArchiveNested: nested ZIPs go to temporary files, removed on
// Close.
func TestOpenArchiveNested(t *testing.T) {
	dir := t.TempDir()
	data := buildZip(t, []entry{{"x/in.zip", buildZip(t, []entry{{"deep.zip", buildZip(t, []entry{{"a.qli", []byte("VP 1,2\n")}})}})}})
	a, err := OpenArchive(bytes.NewReader(data), int64(len(data)), "u.zip", Limits{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if es := a.Entries(); len(es) != 1 || es[0].Path != "x/in/deep/a.qli" {
		t.Fatalf("entries %+v", es)
	}
	if left, _ := os.ReadDir(dir); len(left) != 2 {
		t.Errorf("%d temporary files for two nested ZIPs", len(left))
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("%d temporary files left after Close", len(left))
	}
}

// TestCheck refuses at once the uploads the import could only fail on.
func TestCheck(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty.zip", buildZip(t, nil), ErrEmpty},
		{"junk.zip", buildZip(t, []entry{{"__MACOSX/._a.qli", []byte("x")}, {"folder/", nil}, {".DS_Store", []byte("x")}}), ErrEmpty},
		{"text.zip", []byte("just some text, not a ZIP"), ErrNotZip},
		{"empty.qli", nil, ErrEmpty},
		{"nested.zip", buildZip(t, []entry{{"in.zip", buildZip(t, []entry{{"../x.qli", []byte("x")}})}}), ErrUnsafePath},
		{"good.zip", buildZip(t, []entry{{"a.qli", []byte("VP 1,2\n")}}), nil},
		{"loose.qli", []byte("VP 1,2\n"), nil},
	}
	for _, c := range cases {
		err := Check(bytes.NewReader(c.data), int64(len(c.data)), c.name, Limits{}, t.TempDir())
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if err != nil && Explain(err) == "" {
			t.Errorf("%s: no explanation", c.name)
		}
	}
}

package ingest

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
)

// want describes how each Stitchables folder must come out of Group.
var wantDesigns = map[string]struct {
	name     string
	kind     string // TypeHint from folders and names
	nameKind string // TypeHint from the file names alone
	designs  int    // files with RoleDesign
	keywords []string
}{
	"blocks/celtic-dragon-circle":    {"Celtic Dragon Circle Shield", "block", "", 4, []string{"celtic", "dragon", "circle", "shield"}},
	"e2e/atom-electrons":             {"Atom Electrons", "e2e", "e2e", 4, []string{"atom", "electron"}},
	"e2e/spiderweb":                  {"Spiderweb", "e2e", "e2e", 3, []string{"spiderweb"}},
	"e2e/viking-longship":            {"Viking Longship", "e2e", "e2e", 4, []string{"viking", "longship"}},
	"panels/tall-celtic-knot":        {"Celtic Tall Knot", "panel", "", 4, []string{"celtic", "tall", "knot"}},
	"triangles/celtic-knot-3-looped": {"3-Looped Celtic Knot", "triangle", "triangle", 3, []string{"looped", "celtic", "knot"}},
}

// checkDesign asserts that d holds exactly the fixture's files (same bytes)
// with the expected roles, name and licence.
func checkDesign(t *testing.T, d Design, fx fixtureDesign) {
	t.Helper()
	key := fx.kind + "/" + fx.name
	w := wantDesigns[key]
	if d.Name != w.name {
		t.Errorf("%s: name %q, want %q", key, d.Name, w.name)
	}
	got := map[string][]byte{}
	roles := map[Role]int{}
	for _, f := range d.Files {
		got[path.Base(f.Path)] = f.Data
		roles[f.Role]++
		if path.Dir(f.Path) != d.Folder && !(d.Folder == "" && !strings.Contains(f.Path, "/")) {
			t.Errorf("%s: file %s outside folder %q", key, f.Path, d.Folder)
		}
	}
	if len(got) != len(fx.files) || len(d.Files) != len(fx.files) {
		t.Errorf("%s: %d files, want %d: %v", key, len(d.Files), len(fx.files), names(d))
	}
	for _, f := range fx.files {
		if !bytes.Equal(got[f.name], f.data) {
			t.Errorf("%s: %s missing or changed", key, f.name)
		}
	}
	if roles[RoleDesign] != w.designs || roles[RolePicture] != 2 || roles[RoleNotes] != 1 || roles[RoleOther] != 0 {
		t.Errorf("%s: roles %v", key, roles)
	}
	if d.Notes.License != "CC BY-SA" || !strings.HasPrefix(d.Notes.Text, "Copyright - Creative Commons") {
		t.Errorf("%s: notes %+v", key, d.Notes)
	}
}

func names(d Design) []string {
	var out []string
	for _, f := range d.Files {
		out = append(out, string(f.Role)+":"+f.Path)
	}
	return out
}

// byFixture matches Group's designs to the fixtures by name.
func byFixture(t *testing.T, designs []Design, fxs []fixtureDesign) map[string]Design {
	t.Helper()
	if len(designs) != len(fxs) {
		for _, d := range designs {
			t.Logf("%q %q %v", d.Folder, d.Name, names(d))
		}
		t.Fatalf("%d designs, want %d", len(designs), len(fxs))
	}
	out := map[string]Design{}
	for _, fx := range fxs {
		want := wantDesigns[fx.kind+"/"+fx.name].name
		i := slices.IndexFunc(designs, func(d Design) bool { return d.Name == want })
		if i < 0 {
			t.Fatalf("no design named %q", want)
		}
		out[fx.kind+"/"+fx.name] = designs[i]
	}
	return out
}

func TestFixturesOneZipPerDesign(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		files, err := unpackBytes(buildZip(t, fx.files), fx.name+".zip", Limits{})
		if err != nil {
			t.Fatal(err)
		}
		designs := Group(files)
		if len(designs) != 1 {
			t.Fatalf("%s: %d designs: %+v", fx.name, len(designs), designs)
		}
		d := designs[0]
		checkDesign(t, d, fx)
		w := wantDesigns[fx.kind+"/"+fx.name]
		if d.Folder != "" || d.Type != w.nameKind || !slices.Equal(d.Keywords, w.keywords) {
			t.Errorf("%s: folder %q type %q keywords %v", fx.name, d.Folder, d.Type, d.Keywords)
		}
	}
}

func TestFixturesFoldersInOneZip(t *testing.T) {
	fxs := loadFixtures(t)
	es := []entry{
		{"Stitchables/", nil},
		{"Stitchables/readme.txt", []byte("Designed by Stitchables (kohai-ut)\r\nMore free designs at www.stitchables.org.\r\n")},
		{"Stitchables/.DS_Store", []byte{0, 0, 0, 1}},
		{"__MACOSX/Stitchables/._readme.txt", []byte{0, 5, 22, 7}},
	}
	for _, fx := range fxs {
		for _, f := range fx.files {
			es = append(es, entry{"Stitchables/" + fx.kind + "/" + fx.name + "/" + f.name, f.data})
		}
		es = append(es, entry{"Stitchables/" + fx.kind + "/" + fx.name + "/Thumbs.db", []byte("x")})
	}
	files, err := unpackBytes(buildZip(t, es), "stitchables-all.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	up := GroupUpload(files)
	if len(up.Shared) != 1 || up.Shared[0].Path != "Stitchables/readme.txt" || up.Shared[0].Role != RoleNotes {
		t.Errorf("the store's readme is not kept once with the import: %v", up.Shared)
	}
	got := byFixture(t, up.Designs, fxs)
	for _, fx := range fxs {
		key := fx.kind + "/" + fx.name
		d := got[key]
		checkDesign(t, d, fx) // exactly the folder's files: the root readme is not one of them
		w := wantDesigns[key]
		if d.Folder != "Stitchables/"+key || d.Type != w.kind {
			t.Errorf("%s: folder %q type %q", key, d.Folder, d.Type)
		}
		if d.Notes.Designer != "Stitchables" || d.Notes.URL != "http://www.stitchables.org" {
			t.Errorf("%s: designer %q url %q", key, d.Notes.Designer, d.Notes.URL)
		}
		if !slices.Contains(d.Keywords, "stitchables") || !slices.Contains(d.Keywords, w.keywords[0]) {
			t.Errorf("%s: keywords %v", key, d.Keywords)
		}
	}
}

func TestFixturesZipOfZips(t *testing.T) {
	fxs := loadFixtures(t)
	kinds := map[string][]entry{}
	for _, fx := range fxs {
		kinds[fx.kind] = append(kinds[fx.kind], entry{fx.name + ".zip", buildZip(t, fx.files)})
	}
	var outer []entry
	for _, kind := range sortedKeys(kinds) {
		outer = append(outer, entry{kind + ".zip", buildZip(t, kinds[kind])})
	}
	files, err := unpackBytes(buildZip(t, outer), "bundle.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := byFixture(t, Group(files), fxs)
	for _, fx := range fxs {
		key := fx.kind + "/" + fx.name
		d := got[key]
		checkDesign(t, d, fx)
		if d.Folder != key || d.Type != wantDesigns[key].kind {
			t.Errorf("%s: folder %q type %q", key, d.Folder, d.Type)
		}
		if d.Notes.Designer != "" || d.Notes.URL != "" {
			t.Errorf("%s: invented notes %+v", key, d.Notes)
		}
	}
}

// TestFixturesOneFolder puts all designs side by side in one folder, as
// some stores do, with one shared licence: pictures must find their design
// by name ("tall-celtic-knot-animated" → "celtic tall knot v1").
func TestFixturesOneFolder(t *testing.T) {
	fxs := loadFixtures(t)
	var es []entry
	seen := map[string]bool{}
	for _, fx := range fxs {
		for _, f := range fx.files {
			if !seen[f.name] {
				seen[f.name] = true
				es = append(es, entry{"designs/" + f.name, f.data})
			}
		}
	}
	files, err := unpackBytes(buildZip(t, es), "all.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := byFixture(t, Group(files), fxs)
	for _, fx := range fxs {
		checkDesign(t, got[fx.kind+"/"+fx.name], fx)
	}
}

// allFixturesZip is the store-like ZIP of every design in folders.
func allFixturesZip(t testing.TB) []byte {
	var es []entry
	for _, fx := range loadFixtures(t) {
		for _, f := range fx.files {
			es = append(es, entry{fmt.Sprintf("%s/%s/%s", fx.kind, fx.name, f.name), f.data})
		}
	}
	return buildZip(t, es)
}

func BenchmarkUnpackAndGroup(b *testing.B) {
	data := allFixturesZip(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		files, err := unpackBytes(data, "all.zip", Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if n := len(Group(files)); n != 6 {
			b.Fatalf("%d designs", n)
		}
	}
}

package ingest

import (
	"slices"
	"strings"
	"testing"
)

func files(paths ...string) []File {
	var out []File
	for _, p := range paths {
		data := []byte("VP 1,2\nVP 3,4\nVP 5,6\n")
		switch Ext(p) {
		case "txt":
			data = []byte("Please read: designed by Jane Doe.\n")
		case "jpg", "gif":
			data = []byte("\xff\xd8\xff")
		}
		out = append(out, File{Path: p, Data: data, Size: int64(len(data))})
	}
	return out
}

// summary renders designs as "folder|Name|role:base,role:base".
func summary(ds []Design) []string {
	var out []string
	for _, d := range ds {
		var fs []string
		for _, f := range d.Files {
			fs = append(fs, string(f.Role)[:1]+":"+f.Path[strings.LastIndex(f.Path, "/")+1:])
		}
		out = append(out, d.Folder+"|"+d.Name+"|"+strings.Join(fs, ","))
	}
	return out
}

func TestGroup(t *testing.T) {
	cases := []struct {
		name  string
		files []File
		want  []string
	}{
		{"versions and numbers are different designs", files(
			"set/Feather 01.qli", "set/Feather 01.bqm", "set/Feather 02.qli", "set/spiderweb v1.qli", "set/spiderweb v2.qli",
			"set/Feather 02 (pic).jpg", "set/feather_01.gif"),
			[]string{
				"set|Feather 01|d:Feather 01.bqm,d:Feather 01.qli,p:feather_01.gif",
				"set|Feather 02|d:Feather 02.qli,p:Feather 02 (pic).jpg",
				"set|Spiderweb|d:spiderweb v1.qli",
				"set|Spiderweb|d:spiderweb v2.qli",
			}},
		{"typo in a long word is the same design", files("e2e - viking longship v2.bqm", "e2e - viking lonship v2.qli"),
			[]string{"|Viking Longship|d:e2e - viking longship v2.bqm,d:e2e - viking lonship v2.qli"}},
		{"short words need to match exactly", files("rose.qli", "rise.qli"),
			[]string{"|Rise|d:rise.qli", "|Rose|d:rose.qli"}},
		{"a picture matching no design joins the folder's first, never a design of its own", files("a/rose.qli", "a/tulip.qli", "a/cover.jpg", "a/cover-animated.gif"),
			[]string{"a|Rose|d:rose.qli,p:cover-animated.gif,p:cover.jpg", "a|Tulip|d:tulip.qli"}},
		{"pictures and videos matching versions alike join the latest", files(
			"e2e/mario-warp-pipes/e2e - Mario Warp Pipes v1.bqm", "e2e/mario-warp-pipes/e2e - Mario Warp Pipes v2.bqm",
			"e2e/mario-warp-pipes/e2e - Mario Warp Pipes v2.qli", "e2e/mario-warp-pipes/Mario Warp Pipes (animated).gif",
			"e2e/mario-warp-pipes/Mario Warp Pipes (image).png", "e2e/mario-warp-pipes/Mario Warp Pipes (vid).mp4"),
			[]string{
				"e2e/mario-warp-pipes|Mario Warp Pipes|d:e2e - Mario Warp Pipes v1.bqm",
				"e2e/mario-warp-pipes|Mario Warp Pipes|d:e2e - Mario Warp Pipes v2.bqm,d:e2e - Mario Warp Pipes v2.qli," +
					"p:Mario Warp Pipes (animated).gif,p:Mario Warp Pipes (image).png,o:Mario Warp Pipes (vid).mp4",
			}},
		{"a folder of pictures joins the design it names", files("designs/rose.qli", "designs/tulip.qli", "pictures/rose (pic).jpg"),
			[]string{"designs|Rose|d:rose.qli,p:rose (pic).jpg", "designs|Tulip|d:tulip.qli"}},
		{"notes attach to their folder and below; with no design below, to the upload", files(
			"x/a/rose.qli", "x/b/tulip.qli", "x/b/copyright.txt", "x/readme.txt", "other/daisy.qli", "y/license.txt"),
			[]string{
				"other|Daisy|d:daisy.qli",
				"x/a|Rose|d:rose.qli,n:readme.txt",
				"x/b|Tulip|d:tulip.qli,n:copyright.txt,n:readme.txt",
			}},
		{"only notes", files("pack/readme.txt"), []string{"pack|Pack|n:readme.txt"}},
		{"only pictures", files("Rose (pic).jpg"), []string{"|Rose|p:Rose (pic).jpg"}},
		{"extensionless and odd files", files("d/e2e - spiderweb v1", "d/spiderweb.exe", "d/spiderweb.hqf"),
			[]string{"d|Spiderweb|d:e2e - spiderweb v1,d:spiderweb.hqf,o:spiderweb.exe"}},
		{"formats kept as-is are files of their design (FORMATS.md: 4DQ, QDATA, TAP as one exporter writes them)", files(
			"Rose/Rose.qli", "Rose/Rose.4dq", "Rose/Rose.qdata", "Rose/Rose.tap", "Rose/Rose.xy", "Rose/Rose.hpg"),
			[]string{"Rose|Rose|d:Rose.4dq,d:Rose.hpg,d:Rose.qdata,d:Rose.qli,d:Rose.tap,d:Rose.xy"}},
		{"empty", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := summary(Group(c.files))
			if !slices.Equal(got, c.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
		})
	}
}

// TestGroupWholeStore: a whole store's repository as one ZIP (issue 15):
// its README, licence and .gitattributes are not attached to every design,
// and the licence lends its notes to every design without being a file of
// each.
func TestGroupWholeStore(t *testing.T) {
	fs := files("Stitchables-main/e2e/rose/e2e - rose v1.qli", "Stitchables-main/e2e/rose/rose (pic).jpg",
		"Stitchables-main/blocks/tulip/blk - tulip v2.qli", "Stitchables-main/blocks/tulip/tulip (vid).mp4",
		"Stitchables-main/banner.jpg", "Stitchables-main/CONTRIBUTING.md")
	fs = append(fs,
		File{Path: "Stitchables-main/README.md", Data: []byte("# Stitchables\nFree quilting designs by kohai-ut.\n")},
		File{Path: "Stitchables-main/LICENSE", Data: []byte("Copyright - Creative Commons (CC BY-SA)\n")},
		File{Path: "Stitchables-main/.gitattributes", Data: []byte("*.qli text eol=crlf\n")},
		File{Path: "Stitchables-main/.github/workflows/check.yml", Data: []byte("on: push\n")})
	up := GroupUpload(fs)
	want := []string{
		"Stitchables-main/blocks/tulip|Tulip|d:blk - tulip v2.qli,o:tulip (vid).mp4",
		"Stitchables-main/e2e/rose|Rose|d:e2e - rose v1.qli,p:rose (pic).jpg",
	}
	if got := summary(up.Designs); !slices.Equal(got, want) {
		t.Errorf("designs\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	var shared []string
	for _, f := range up.Shared {
		shared = append(shared, string(f.Role)[:1]+":"+f.Path)
	}
	wantShared := []string{"o:Stitchables-main/CONTRIBUTING.md", "n:Stitchables-main/LICENSE", "n:Stitchables-main/README.md", "p:Stitchables-main/banner.jpg"}
	if !slices.Equal(shared, wantShared) {
		t.Errorf("shared %v, want %v", shared, wantShared)
	}
	if !slices.Equal(up.Left, []string{"Stitchables-main/.gitattributes", "Stitchables-main/.github/workflows/check.yml"}) {
		t.Errorf("left out %v", up.Left)
	}
	for _, d := range up.Designs {
		if d.Notes.License != "CC BY-SA" {
			t.Errorf("%s: licence %q, want the store's", d.Name, d.Notes.License)
		}
	}
	// One design below a readme: the readme is the design's own.
	up = GroupUpload(files("pack/readme.txt", "pack/rose/rose.qli"))
	if got := summary(up.Designs); len(up.Shared) != 0 || !slices.Equal(got, []string{"pack/rose|Rose|d:rose.qli,n:readme.txt"}) {
		t.Errorf("one design: %v, shared %v", got, up.Shared)
	}
}

func TestGroupNotesFromQLI(t *testing.T) {
	qli := "#CAD2DMC\r\nNO INFO Designed by Pam Smith\r\nNO INFO www.pamsquilts.com\r\nVP 1,1\r\n"
	fs := []File{
		{Path: "rose.qli", Data: []byte(qli)},
		{Path: "copyright.txt", Data: []byte("© 2019 Quilt Shop Inc. All rights reserved.\nhttps://shop.example/\n")},
	}
	ds := Group(fs)
	if len(ds) != 1 {
		t.Fatalf("%d designs", len(ds))
	}
	n := ds[0].Notes
	if n.Designer != "Pam Smith" || n.URL != "http://www.pamsquilts.com" || n.License != "All rights reserved" {
		t.Errorf("notes %+v", n)
	}
	if !strings.HasPrefix(n.Text, "© 2019 Quilt Shop") || !strings.Contains(n.Text, "Designed by Pam Smith") {
		t.Errorf("text %q", n.Text)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		path, data string
		want       Role
	}{
		{"a.QLI", "", RoleDesign},
		{"a.svg", "<svg/>", RoleDesign},
		{"a (pic).JPG", "", RolePicture},
		{"a.pdf", "%PDF", RolePicture},
		{"License.pdf", "%PDF", RoleNotes},
		{"copyright-license-info.txt", "Copyright - Creative Commons", RoleNotes},
		{"rose.txt", "Thank you for buying this design!\nStitch it slowly.", RoleNotes},
		{"rose.txt", "0.000 0.000\n1.250 0.500\n2.000 1.000\n3.5 2\n", RoleDesign},
		{"rose.txt", "\x00\x01\x02binary", RoleDesign},
		{"info.txt", "1 2\n3 4\n5 6\n", RoleDesign},
		{"notes.txt", "\xff\xfeH\x00e\x00l\x00l\x00o\x00", RoleNotes},
		{"e2e - spiderweb v1", "N10G00X0.0000Y-0.0000\nN11G01X1.0315Y0.6457\nN12G03X1.6772Y1.1732I0.8380J1.5414\n", RoleDesign},
		{"README", "Read me first", RoleNotes},
		{"blob", "\x00\x01", RoleOther},
		{"setup.exe", "MZ", RoleOther},
		{"spiderweb v1.3", "N10G00X0Y0\nN11G01X1Y1\nN12G01X2Y2\n", RoleDesign},
		{"qli.txt", "REM CONTINUOUS\nNO NEEDLE ON\nVP 1,2\nVP 3,4\nVP 5,6\nVP 7,8\n", RoleDesign},
	}
	for _, c := range cases {
		if got := Classify(c.path, []byte(c.data)); got != c.want {
			t.Errorf("Classify(%q, %q) = %s, want %s", c.path, c.data, got, c.want)
		}
	}
}

func TestDisplayName(t *testing.T) {
	for stem, want := range map[string]string{
		"e2e - viking longship v2 (pic)":     "Viking Longship",
		"celtic dragon circle shield v2":     "Celtic Dragon Circle Shield",
		"tall-celtic-knot-animated":          "Tall Celtic Knot",
		"triangle - 3-looped celtic knot v1": "3-Looped Celtic Knot",
		"e2e - spiderweb v1 (animated gif)":  "Spiderweb",
		"FEATHER_SWIRL_E2E_v1.3":             "Feather Swirl",
		"RoseGarden":                         "Rose Garden",
		"McKenna's Roses":                    "McKenna's Roses",
		"border - feather of the sea":        "Feather of the Sea",
		"Border Feather":                     "Border Feather",
		"12in star":                          "12in Star",
		"panto - loops ver 2":                "Loops",
		"v2":                                 "",
	} {
		if got := DisplayName(stem); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", stem, got, want)
		}
	}
}

func TestStripDecorations(t *testing.T) {
	for in, want := range map[string]string{
		"viking-longship-animated":          "viking-longship",
		"e2e - spiderweb v1 (animated gif)": "e2e - spiderweb v1",
		"rose (Pic)":                        "rose",
		"rose [preview]":                    "rose",
		"rose (large)":                      "rose (large)",
		"Picture Frame":                     "Picture Frame",
		"animated":                          "animated",
	} {
		if got := stripDecorations(in); got != want {
			t.Errorf("stripDecorations(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNearWords(t *testing.T) {
	yes := [][2]string{{"longship", "lonship"}, {"loop", "looped"}, {"knot", "knots"}, {"shield", "shields"}}
	no := [][2]string{{"rose", "rise"}, {"v1", "v2"}, {"01", "02"}, {"star", "stars2"}, {"abc", "abcd"}}
	for _, p := range yes {
		if !nearWord(p[0], p[1]) {
			t.Errorf("nearWord(%q, %q) = false", p[0], p[1])
		}
	}
	for _, p := range no {
		if nearWord(p[0], p[1]) {
			t.Errorf("nearWord(%q, %q) = true", p[0], p[1])
		}
	}
	if !oneEdit("abcde", "abxde") || !oneEdit("abcde", "abde") || oneEdit("abc", "abc") || oneEdit("abcde", "axcdy") {
		t.Error("oneEdit")
	}
}

package ingest

import (
	"slices"
	"strings"
	"testing"
)

func TestParseNotes(t *testing.T) {
	cases := []struct {
		text                   string
		designer, url, license string
	}{
		{"Copyright - Creative Commons (CC BY-SA)\nCreative Commons BY-SA license applies.\n\nBY: credit must be given to the creator.", "", "", "CC BY-SA"},
		{"Designed by Jane Doe - www.janedoequilts.com", "Jane Doe", "http://www.janedoequilts.com", ""},
		{"\ufeffDesign by: Mary Ann O'Neil, Quilt Studio\r\nVisit https://maryann.example/shop/ for more.", "Mary Ann O'Neil", "https://maryann.example/shop/", ""},
		{"© 2021 Sandy Lane Designs. All rights reserved.", "Sandy Lane Designs", "", "All rights reserved"},
		{"Copyright (c) 2018-2020 by Bob Smith", "Bob Smith", "", ""},
		{"Designer: Kim\nLicensed under https://creativecommons.org/licenses/by-nc-sa/4.0/ - see www.kim.example", "Kim", "http://www.kim.example", "CC BY-NC-SA 4.0"},
		{"This design is CC BY-NC 4.0.", "", "", "CC BY-NC 4.0"},
		{"Released under CC0.", "", "", "CC0"},
		{"Public domain - do what you like.", "", "", "Public domain"},
		{"Thank you for your purchase!", "", "", ""},
		{"copyright license: Creative Commons Attribution-ShareAlike", "", "", ""},
	}
	for _, c := range cases {
		n := ParseNotes(c.text)
		if n.Designer != c.designer || n.URL != c.url || n.License != c.license {
			t.Errorf("ParseNotes(%q) = %q %q %q; want %q %q %q", c.text, n.Designer, n.URL, n.License, c.designer, c.url, c.license)
		}
		if strings.ContainsAny(n.Text, "\r\ufeff") {
			t.Errorf("text not normalised: %q", n.Text)
		}
	}
}

func TestParseInfoLines(t *testing.T) {
	n := ParseInfoLines([]string{"NO INFO Designed by Pam Smith", "no info http://pam.example", "NO INFO Thread: 40wt"})
	if n.Designer != "Pam Smith" || n.URL != "http://pam.example" || n.Text != "Designed by Pam Smith\nhttp://pam.example\nThread: 40wt" {
		t.Errorf("%+v", n)
	}
	lines := InfoLines([]byte("#CAD2DMC\r\nNO INFO Designed by X\r\nVP 1,1\r\n  no info y\n"))
	if !slices.Equal(lines, []string{"NO INFO Designed by X", "no info y"}) {
		t.Errorf("InfoLines = %q", lines)
	}
}

func TestDecodeText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                       "plain",
		"\xef\xbb\xbfbom":             "bom",
		"\xa9 2020 Caf\xe9 \x93q\x94": "© 2020 Café “q”",
		"\xff\xfeh\x00i\x00":          "hi",
		"\xfe\xff\x00h\x00i":          "hi",
	} {
		if got := decodeText([]byte(in)); got != want {
			t.Errorf("decodeText(%q) = %q, want %q", in, got, want)
		}
	}
	if n := ParseNotes(decodeText([]byte("\xa9 2020 Ren\xe9e Dupont"))); n.Designer != "Renée Dupont" {
		t.Errorf("Latin-1 designer %q", n.Designer)
	}
}

func TestCutText(t *testing.T) {
	long := strings.Repeat("line é\n", MaxNotesText/4)
	if got := ParseNotes(long).Text; len(got) > MaxNotesText || !strings.HasSuffix(got, "é") {
		t.Errorf("cut to %d bytes, ends %q", len(got), got[len(got)-5:])
	}
	if got := cutText("ééé", 3); got != "é" {
		t.Errorf("cutText = %q", got)
	}
}

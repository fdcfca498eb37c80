package kit

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/patternvault/patternvault/internal/designtype"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/render"
	"github.com/patternvault/patternvault/internal/store"
)

// sheet is what a design's printable page, its about file and the README
// say about it.
type sheet struct {
	Name, Machine, Format, Type string
	Designer, DesignerURL       string
	Folder, File                string
	Converted                   bool
	WidthIn, HeightIn, StitchIn float64
	// Notes are what the quilter should know about the file (resized, what
	// the format cannot carry).
	Notes []string
	// NoteFiles are the notes and licence files beside it.
	NoteFiles []string
	// JobRows, in a job's kit, are the quilt and how the design covers it
	// (label, value).
	JobRows [][2]string
	picture *geom.Design
}

var sheetPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("sheet").Funcs(template.FuncMap{"inches": inches, "yards": yards, "typeword": designtype.Word}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Name}}</title>
<style>
@page { size: auto; margin: 12mm; }
body { font: 16pt/1.4 system-ui, sans-serif; color: #111; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 24pt; margin: 0 0 6pt; }
figure { margin: 0; text-align: center; }
img { max-width: 100%; max-height: 150mm; }
table { border-collapse: collapse; width: 100%; margin-top: 8pt; }
th, td { text-align: left; padding: 3pt 6pt; border-bottom: 1px solid #999; vertical-align: top; }
th { width: 38%; }
.small { font-size: 12pt; }
</style></head>
<body>
<h1>{{.Name}}</h1>
<figure>{{if .Picture}}<img src="{{.Picture}}" alt="{{.Name}}, drawn from its file, with a scale bar in inches">{{else}}<p>No picture: this design's file cannot be drawn.</p>{{end}}</figure>
<table>
<tr><th>True size</th><td>{{inches .WidthIn}} × {{inches .HeightIn}} in</td></tr>
{{if .StitchIn}}<tr><th>Stitched length</th><td>{{printf "%.0f" .StitchIn}} in ({{printf "%.1f" (yards .StitchIn)}} yd) of thread path</td></tr>{{end}}
<tr><th>Type</th><td>{{with .Type}}{{typeword .}}{{else}}not set{{end}}</td></tr>
<tr><th>File for the {{.Machine}}</th><td>{{.File}} ({{.Format}}{{if .Converted}}, made by PatternVault{{else}}, the designer's original{{end}})</td></tr>
{{if .Designer}}<tr><th>Designer</th><td>{{.Designer}}{{with .DesignerURL}} · {{.}}{{end}}</td></tr>{{end}}
{{range .JobRows}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{end}}{{with .NoteFiles}}<tr><th>Notes and licence</th><td>{{range $i, $f := .}}{{if $i}}, {{end}}{{$f}}{{end}}</td></tr>{{end}}
</table>
{{with .Notes}}<ul class="small">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
<p class="small">From PatternVault, {{.Date}}. Print this page to keep beside the frame.</p>
</body></html>
`))
})

// writeSheet writes the design's printable page: picture (true-size SVG
// with its scale bar), size, stitched length, type, file and licence.
func writeSheet(w io.Writer, sh *sheet) error {
	data := struct {
		*sheet
		Picture template.URL
		Date    string
	}{sheet: sh, Date: time.Now().UTC().Format("2 January 2006")}
	if sh.picture != nil {
		var svg bytes.Buffer
		if err := render.PreviewSVG(&svg, sh.picture); err == nil {
			data.Picture = template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg.Bytes()))
		}
	}
	return sheetPage().Execute(w, data)
}

// writeAbout writes the design's about file: what PatternVault knows of
// it, in plain text, with the designer's credit and notes.
func writeAbout(w io.Writer, p *store.Pattern, sh *sheet) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\r\n\r\n", p.Name)
	if p.Designer != "" {
		fmt.Fprintf(&b, "Designer: %s\r\n", p.Designer)
	}
	if p.DesignerURL != "" {
		fmt.Fprintf(&b, "Designer's website: %s\r\n", p.DesignerURL)
	}
	if p.Source != "" {
		fmt.Fprintf(&b, "Source: %s\r\n", p.Source)
	}
	fmt.Fprintf(&b, "Size: %s x %s in\r\n", inches(sh.WidthIn), inches(sh.HeightIn))
	if sh.Type != "" {
		fmt.Fprintf(&b, "Type: %s\r\n", designtype.Word(sh.Type))
	}
	how := "the designer's original file"
	if sh.Converted {
		how = "made by PatternVault from the designer's file"
	}
	fmt.Fprintf(&b, "File for the %s: %s (%s)\r\n", sh.Machine, sh.File, how)
	if len(sh.NoteFiles) > 0 {
		fmt.Fprintf(&b, "The designer's notes and licence: %s. Keep them with the design, as the licence asks.\r\n", strings.Join(sh.NoteFiles, ", "))
	}
	for _, r := range sh.JobRows {
		fmt.Fprintf(&b, "%s: %s\r\n", r[0], r[1])
	}
	for _, n := range sh.Notes {
		fmt.Fprintf(&b, "Note: %s\r\n", n)
	}
	if p.Notes != "" {
		fmt.Fprintf(&b, "\r\nNotes:\r\n%s\r\n", strings.ReplaceAll(p.Notes, "\n", "\r\n"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeReadme writes the kit's table of contents.
func writeReadme(w io.Writer, plan *Plan, done []sheet, skipped []Skipped) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Machine kit for the %s, made by PatternVault on %s.\r\n", plan.Machine.Name, time.Now().UTC().Format("2 January 2006 15:04 UTC"))
	if j := plan.Job; j != nil {
		fmt.Fprintf(&b, "For the job %q", j.Title)
		if j.Customer != "" {
			fmt.Fprintf(&b, " for %s", j.Customer)
		}
		fmt.Fprintf(&b, ": a quilt %s x %s in. Each design's sheet gives its rows and thread.\r\n", inches(j.WidthIn), inches(j.LengthIn))
	}
	switch {
	case plan.WidthIn != 0:
		fmt.Fprintf(&b, "Every design is sized %s in wide, keeping its shape.\r\n", inches(plan.WidthIn))
	case plan.HeightIn != 0:
		fmt.Fprintf(&b, "Every design is sized %s in high, keeping its shape.\r\n", inches(plan.HeightIn))
	default:
		b.WriteString("Every design keeps its own size.\r\n")
	}
	fmt.Fprintf(&b, "\r\n%d design%s, a folder each (machine file, a sheet to print, the designer's notes and licence):\r\n", len(done), plural(len(done)))
	for _, d := range done {
		fmt.Fprintf(&b, "  %s/%s  %s x %s in\r\n", d.Folder, d.File, inches(d.WidthIn), inches(d.HeightIn))
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "\r\nLeft out (%d):\r\n", len(skipped))
		for _, s := range skipped {
			fmt.Fprintf(&b, "  %s\r\n", s.Reason)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// inches formats a length in inches with two decimals at most.
func inches(v float64) string {
	return strconv.FormatFloat(float64(int64(v*100+0.5))/100, 'f', -1, 64)
}

func yards(in float64) float64 { return in / 36 }

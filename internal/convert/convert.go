// Package convert is what PatternVault does with one design file: read it
// in whatever format it is, describe it (size, stitch length, paths, shape
// analysis), convert it to another machine format, and draw its thumbnail.
// The CLI and the import pipeline both use it; it knows nothing of HTTP or
// SQL.
package convert

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // companion pictures
	_ "image/jpeg"
	_ "image/png"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/geom/shape"
	"github.com/patternvault/patternvault/internal/render"
)

// Report describes one design file.
type Report struct {
	File           string   `json:"file"`
	Format         string   `json:"format"`
	FormatTitle    string   `json:"format_title"`
	Readable       bool     `json:"readable"`
	WidthIn        float64  `json:"width_in"`
	HeightIn       float64  `json:"height_in"`
	StitchLengthIn float64  `json:"stitch_length_in"`
	Paths          int      `json:"paths"`
	Jumps          int      `json:"jumps"`
	Pauses         int      `json:"pauses"`
	Designer       string   `json:"designer,omitempty"`
	Notes          []string `json:"notes,omitempty"`
	URLs           []string `json:"urls,omitempty"`
	Analysis       *Hints   `json:"analysis,omitempty"`
	// NotAnalysed says why Analysis is missing for a design with
	// stitches ("too complex to analyse").
	NotAnalysed string `json:"not_analysed,omitempty"`
	Fingerprint []byte `json:"fingerprint,omitempty"`
	// Warnings are the reader's doubts about the file (an assumed unit, a
	// size no quilt has), in plain words.
	Warnings []string `json:"warnings,omitempty"`
}

// Hints are the shape analysis, each a guess with a confidence.
type Hints struct {
	Type               string  `json:"type"`
	TypeConfidence     float64 `json:"type_confidence"`
	MirrorLR           float64 `json:"mirror_lr"`
	MirrorTB           float64 `json:"mirror_tb"`
	SuggestedRotation  int     `json:"suggested_rotation"`
	RotationConfidence float64 `json:"rotation_confidence"`
}

// ErrUnknownFormat means a file is not any format PatternVault knows.
var ErrUnknownFormat = errors.New("not a design file PatternVault knows")

// Read reads a design file, detecting its format by content then name.
// Errors are those of formats.Read: a *formats.ReadError matching
// formats.ErrUnreadable (a known format that could not be read, with the
// reason), formats.ErrNotDesign (plainly another kind of file) or
// formats.ErrNoGeometry (a format kept as-is, without preview), with its
// Format; data that is no design format at all gives ErrUnknownFormat.
func Read(name string, data []byte) (*geom.Design, *formats.Format, error) {
	d, f, err := formats.Read(name, data)
	if f == nil && err != nil {
		return nil, nil, fmt.Errorf("%s: %w", filepath.Base(name), ErrUnknownFormat)
	}
	if err != nil {
		var re *formats.ReadError
		if errors.As(err, &re) {
			return nil, f, err // it names the file already
		}
		return nil, f, fmt.Errorf("%s: %w", filepath.Base(name), err)
	}
	return d, f, nil
}

// Describe measures and analyses a design read from a file in format f,
// within shape.DefaultBudget.
func Describe(file string, d *geom.Design, f *formats.Format) *Report {
	return DescribeWithin(file, d, f, shape.DefaultBudget)
}

// DescribeWithin is Describe with a budget for the shape analysis: a
// design beyond it is measured but not analysed (Analysis and Fingerprint
// nil, NotAnalysed saying why).
func DescribeWithin(file string, d *geom.Design, f *formats.Format, budget shape.Budget) *Report {
	r := &Report{File: file, Readable: d != nil}
	if f != nil {
		r.Format, r.FormatTitle = f.Name, f.Title
	}
	if d == nil {
		return r
	}
	b := d.StitchBounds()
	r.WidthIn, r.HeightIn = round(b.Width(), 4), round(b.Height(), 4)
	r.StitchLengthIn = round(d.StitchLength(), 3)
	r.Paths, r.Jumps, r.Pauses = d.StitchPathCount(), d.JumpCount(), len(d.Pauses)
	r.Designer, r.Notes, r.URLs = d.Meta.Designer, d.Meta.Notes, d.Meta.URLs
	r.Warnings = d.Warnings
	a, fp, err := shape.Analyse(d, budget)
	if err != nil {
		r.NotAnalysed = NotAnalysedReason
		return r
	}
	r.Analysis = &Hints{Type: a.Type, TypeConfidence: round(a.TypeConfidence, 2), MirrorLR: round(a.MirrorLR, 2),
		MirrorTB: round(a.MirrorTB, 2), SuggestedRotation: a.SuggestedRotation, RotationConfidence: round(a.RotationConfidence, 2)}
	r.Fingerprint = fp
	return r
}

// NotAnalysedReason is Report.NotAnalysed for a design beyond its budget.
const NotAnalysedReason = "too complex to analyse"

// round rounds v to places decimals. A value that is not finite (which a
// design read through formats.Read cannot produce) becomes 0, so a report
// always encodes as JSON.
func round(v float64, places int) float64 {
	p := math.Pow10(places)
	if r := math.Round(v*p) / p; !math.IsNaN(r) && !math.IsInf(r, 0) {
		return r
	}
	return 0
}

// Inspect reads and describes a file.
func Inspect(name string, data []byte) (*Report, error) {
	d, f, err := Read(name, data)
	if err != nil {
		return nil, err
	}
	return Describe(filepath.Base(name), d, f), nil
}

// TargetFormat picks the format to write from an output file name, or
// from override when given ("qli", "dxf", ...). Only formats with a writer
// qualify: PatternVault never invents a format whose structure is unknown.
func TargetFormat(outName, override string) (*formats.Format, error) {
	name := strings.ToLower(strings.TrimPrefix(override, "."))
	var f *formats.Format
	if name != "" {
		f = formats.ByName(name)
	} else {
		name = strings.ToLower(strings.TrimPrefix(filepath.Ext(outName), "."))
		f = formats.ByExtension(name)
	}
	if f == nil || f.Write == nil {
		return nil, fmt.Errorf("convert: cannot write %q; writable formats: %s", name, strings.Join(Writable(), ", "))
	}
	return f, nil
}

// Writable lists the names of the formats PatternVault can write.
func Writable() []string {
	var names []string
	for _, f := range formats.All() {
		if f.Write != nil {
			names = append(names, f.Name)
		}
	}
	return names
}

// Convert reads a design file and writes it in format target. True size,
// stitch/jump, pauses, order and start point are kept by the writers, as
// far as the target can carry them (see ConvertNotes).
func Convert(inName string, data []byte, target *formats.Format) ([]byte, error) {
	out, _, err := ConvertNotes(inName, data, target)
	return out, err
}

// ConvertNotes is Convert that also returns what the quilter should know
// about the result, in plain words: the reader's warnings about the file
// (an assumed unit, an implausible size), then what the target format
// cannot carry (formats.Losses: pauses, jumps, the designer's credit).
func ConvertNotes(inName string, data []byte, target *formats.Format) ([]byte, []string, error) {
	d, _, err := Read(inName, data)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if err := target.Write(&buf, d); err != nil {
		return nil, nil, fmt.Errorf("convert %s to %s: %w", filepath.Base(inName), target.Name, err)
	}
	notes := append(slices.Clone(d.Warnings), formats.Losses(d, target.Name)...)
	return buf.Bytes(), notes, nil
}

// Thumbnail draws a design (or its preview, for a format kept as-is whose
// layout is known from one exporter; or, for a picture or an ANS file, its
// image) as a PNG of size×size pixels.
func Thumbnail(name string, data []byte, size int) ([]byte, error) {
	if size < 16 || size > 4096 {
		return nil, fmt.Errorf("thumbnail: size %d out of range 16..4096", size)
	}
	var img image.Image
	d, f, err := Read(name, data)
	if errors.Is(err, formats.ErrNoGeometry) {
		// A format kept as-is may still have a preview (CMD, TXT, QDATA...).
		if p, _, perr := formats.Preview(name, data); perr == nil {
			d, err = p, nil
		}
	}
	switch {
	case err == nil:
		img = render.Thumbnail(d, size, render.Options{})
	case f != nil && f.Name == "ans":
		pic, perr := formats.ANSPreview(data)
		if perr != nil {
			return nil, fmt.Errorf("thumbnail %s: %w", filepath.Base(name), perr)
		}
		img = render.FallbackThumbnail(pic, size)
	case formats.IsPicture(name):
		pic, _, perr := image.Decode(bytes.NewReader(data))
		if perr != nil {
			return nil, fmt.Errorf("thumbnail %s: not a picture we can read: %w", filepath.Base(name), perr)
		}
		img = render.FallbackThumbnail(pic, size)
	default:
		return nil, err
	}
	var buf bytes.Buffer
	if err := render.EncodePNG(&buf, img); err != nil {
		return nil, fmt.Errorf("thumbnail %s: %w", filepath.Base(name), err)
	}
	return buf.Bytes(), nil
}

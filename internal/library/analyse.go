package library

import (
	"context"
	"errors"
	"fmt"
	"image"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/geom/shape"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/render"
	"github.com/patternvault/patternvault/internal/store"
)

// Limits of what the import reads of one design.
const (
	// maxDesignRead: larger design files are stored, never read.
	maxDesignRead = geom.MaxFileSize
	// maxPictureRead: larger pictures are stored, never decoded.
	maxPictureRead = 32 << 20
	// maxPicturePixels: pictures with more pixels (by their header) are
	// not decoded for a fallback thumbnail (a 40-megapixel RGBA image
	// takes 160 MB).
	maxPicturePixels = 40_000_000
	// analysisTime bounds the shape analysis of one design.
	analysisTime = 5 * time.Second
)

// Reasons a design is kept with a caveat (Batch.Warnings).
const (
	tooLargeToPreview = "kept without a preview: too large to preview"
	tooComplex        = "kept without shape analysis: " + convert.NotAnalysedReason
)

// analysis is what the import learns from a design's files.
type analysis struct {
	report  *convert.Report // measurements and shape hints of the geometry read, or nil
	thumb   []byte          // the grid thumbnail (PNG), or nil
	picture bool            // the thumbnail comes from a picture
	warning string
}

// analyse reads the design files, most faithful format first, until one
// gives geometry, and draws the thumbnail from it while it is in memory;
// the other design files are marked readable when their format has a
// reader and their content is recognised (a full parse of every copy
// would double the cost of an import for no gain). A design file whose
// geometry would not fit the import's memory budget is not read; with no
// geometry, the thumbnail comes from a companion picture.
func (s *Service) analyse(ctx context.Context, files []*storedFile, budget *memBudget) *analysis {
	a := &analysis{}
	var designs []*storedFile
	for _, f := range files {
		if f.role == store.RoleDesign {
			designs = append(designs, f)
		}
	}
	sort.SliceStable(designs, func(i, j int) bool { return preference(designs[i].format) < preference(designs[j].format) })
	tooLarge := false
	for _, f := range designs {
		if f.data == nil {
			tooLarge = tooLarge || f.size > 0 && formats.ByName(f.format) != nil
			continue
		}
		ff := formats.ByName(f.format)
		if ff == nil || ff.Read == nil {
			// Kept as-is (HQF, IQP, 4DQ...): only an obvious non-design
			// (a web page named .hqf, a JPEG named .iqp) is marked.
			f.problem = notADesign(f)
			continue
		}
		if a.report != nil {
			f.readable = ff.Sniff != nil && ff.Sniff(head(f.data))
			if !f.readable {
				f.problem = notADesign(f)
			}
			continue
		}
		cost := geometryCost(f.format, f.data) - int64(len(f.data))
		if !budget.fits(cost + int64(len(f.data))) {
			tooLarge = true
			continue
		}
		if err := budget.acquire(ctx, cost); err != nil {
			return a
		}
		ok, problem := s.readDesign(f, a)
		budget.release(cost)
		f.readable, f.problem = ok, problem
	}
	var problems []string
	for _, f := range designs {
		if f.problem != "" {
			problems = append(problems, path.Base(f.path)+": "+f.problem)
		}
	}
	if len(problems) > 0 {
		// Said in the import's result; the file is kept, marked.
		a.warning = "unreadable: " + strings.Join(problems, "; ")
	}
	if a.report == nil {
		if tooLarge && a.warning == "" {
			a.warning = tooLargeToPreview
		}
		if img := findPicture(files); img != nil {
			if png, err := thumbnailPNG(render.FallbackThumbnail(img, ThumbGrid)); err == nil {
				a.thumb, a.picture = png, true
			}
		}
	}
	return a
}

// readDesign reads one design file into a: its report and thumbnail. The
// geometry is dropped when it returns. A file its format's reader cannot
// read gives why (problem), in plain words.
func (s *Service) readDesign(f *storedFile, a *analysis) (ok bool, problem string) {
	g, ff, err := convert.Read(f.path, f.data)
	if reason, bad := formats.Unreadable(err); bad {
		return false, reason
	}
	if err != nil || g == nil || len(g.Paths) == 0 {
		return false, ""
	}
	a.report = convert.DescribeWithin(f.path, g, ff, shape.Budget{MaxTime: analysisTime})
	if a.report.NotAnalysed != "" {
		a.warning = tooComplex
	}
	if png, err := thumbnailPNG(render.Thumbnail(g, ThumbGrid, render.Options{})); err == nil {
		a.thumb = png
	}
	return true, ""
}

// notADesign says why a design file plainly is not the design its name
// claims (formats.Check: a picture, a web page, binary data in a text
// format), or "" when it may be one.
func notADesign(f *storedFile) string {
	var re *formats.ReadError
	if err := formats.Check(f.path, head(f.data)); errors.As(err, &re) {
		return re.Reason
	}
	return ""
}

// detectFormat names a design file's format by content, then name.
func detectFormat(name, byExt string, head []byte) string {
	if ff := formats.Detect(name, head); ff != nil {
		return ff.Name
	}
	return byExt
}

// findPicture decodes the first usable companion picture, or an ANS
// file's built-in preview.
func findPicture(files []*storedFile) image.Image {
	for _, f := range files {
		if f.role == store.RolePicture && f.data != nil {
			if img := decodePicture(f.data); img != nil {
				return img
			}
		}
	}
	for _, f := range files {
		if f.format == "ans" && f.data != nil {
			if img, err := formats.ANSPreview(f.data); err == nil {
				return img
			}
		}
	}
	return nil
}

// pattern builds the row of a new pattern from a design and its analysis.
func (a *analysis) pattern(d *ingest.Design, batchID int64) *store.Pattern {
	p := &store.Pattern{Name: d.Name, Designer: d.Notes.Designer, DesignerURL: d.Notes.URL, Notes: d.Notes.Text,
		Type: d.Type, BatchID: &batchID, ThumbState: store.ThumbNone, Keywords: d.Keywords}
	if p.Name == "" {
		p.Name = "Untitled design"
	}
	switch {
	case a.thumb != nil && a.picture:
		p.ThumbState = store.ThumbPicture
	case a.thumb != nil:
		p.ThumbState = store.ThumbReady
	}
	p.Type, p.TypeConfidence = decideType(d.Type, "", 0, 0, 0)
	if r := a.report; r != nil {
		w, h, l := float32(r.WidthIn), float32(r.HeightIn), float32(r.StitchLengthIn)
		paths, jumps := int32(r.Paths), int32(r.Jumps)
		p.WidthIn, p.HeightIn, p.StitchLengthIn, p.Paths, p.Jumps = &w, &h, &l, &paths, &jumps
		p.Fingerprint = r.Fingerprint
		if p.Designer == "" {
			p.Designer = r.Designer
		}
		if h := r.Analysis; h != nil {
			lr, tb := float32(h.MirrorLR), float32(h.MirrorTB)
			p.MirrorLR, p.MirrorTB = &lr, &tb
			p.SuggestedRotation, p.RotationConfidence = int32(h.SuggestedRotation), float32(h.RotationConfidence)
			p.Type, p.TypeConfidence = decideType(d.Type, h.Type, h.TypeConfidence, r.WidthIn, r.HeightIn)
		}
	}
	return p
}

// ThumbKey is where a pattern's thumbnail of size px is stored.
func ThumbKey(tenantID, patternID int64, size int) string {
	return blob.Key(tenantID, "thumbs", fmt.Sprint(patternID), fmt.Sprintf("%d.png", size))
}

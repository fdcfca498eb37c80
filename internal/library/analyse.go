package library

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"sort"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/ingest"
	"github.com/patternvault/patternvault/internal/render"
	"github.com/patternvault/patternvault/internal/store"
)

// analysis is what the import learns from a design's files.
type analysis struct {
	design  *geom.Design    // from the best readable design file, or nil
	report  *convert.Report // its measurements and shape hints
	picture image.Image     // a companion picture, for when there is no geometry
}

// analyse reads the design files, most faithful format first, until one
// gives geometry; the others are marked readable when their format has a
// reader and their content is recognised (a full parse of every copy
// would double the cost of an import for no gain). With no geometry it
// finds a picture to fall back on.
func analyse(files []*storedFile, d *ingest.Design) *analysis {
	a := &analysis{}
	var designs []*storedFile
	for _, f := range files {
		if f.role == store.RoleDesign {
			designs = append(designs, f)
		}
	}
	sort.SliceStable(designs, func(i, j int) bool { return preference(designs[i].format) < preference(designs[j].format) })
	for _, f := range designs {
		if a.design != nil {
			ff := formats.ByName(f.format)
			f.readable = ff != nil && ff.Read != nil && ff.Sniff != nil && ff.Sniff(head(f.Data))
			continue
		}
		g, ff, err := convert.Read(f.Path, f.Data)
		if err != nil || g == nil || len(g.Paths) == 0 {
			continue
		}
		f.readable = true
		a.design = g
		a.report = convert.Describe(f.Path, g, ff)
	}
	if a.design == nil {
		a.picture = findPicture(files)
	}
	return a
}

// findPicture decodes the first usable companion picture, or an ANS
// file's built-in preview.
func findPicture(files []*storedFile) image.Image {
	for _, f := range files {
		if f.role == store.RolePicture {
			if img, _, err := image.Decode(bytes.NewReader(f.Data)); err == nil {
				return img
			}
		}
	}
	for _, f := range files {
		if f.format == "ans" {
			if img, err := formats.ANSPreview(f.Data); err == nil {
				return img
			}
		}
	}
	return nil
}

// pattern builds the row of a new pattern from a design and its analysis.
func (a *analysis) pattern(d *ingest.Design, batchID int64) *store.Pattern {
	p := &store.Pattern{Name: d.Name, Designer: d.Notes.Designer, DesignerURL: d.Notes.URL, Notes: d.Notes.Text,
		Type: d.Type, BatchID: &batchID, ThumbState: store.ThumbPending, Keywords: d.Keywords}
	if p.Name == "" {
		p.Name = "Untitled design"
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

// storeThumbnails draws the grid thumbnail and stores it, returning the
// thumbnail state and the keys written. The detail size is drawn on first
// request (Thumbnail), which halves the cost of an import.
func (s *Service) storeThumbnails(ctx context.Context, tenantID, patternID int64, a *analysis) (string, []string, error) {
	var draw func(size int) image.Image
	state := store.ThumbNone
	switch {
	case a.design != nil:
		state = store.ThumbReady
		draw = func(size int) image.Image { return render.Thumbnail(a.design, size, render.Options{}) }
	case a.picture != nil:
		state = store.ThumbPicture
		draw = func(size int) image.Image { return render.FallbackThumbnail(a.picture, size) }
	default:
		return state, nil, nil
	}
	var keys []string
	for _, size := range []int{ThumbGrid} {
		var buf bytes.Buffer
		if err := render.EncodePNG(&buf, draw(size)); err != nil {
			return state, keys, fmt.Errorf("thumbnail %d: %w", size, err)
		}
		key := ThumbKey(tenantID, patternID, size)
		if err := s.Blobs.Put(ctx, key, &buf, int64(buf.Len()), "image/png"); err != nil {
			return state, keys, err
		}
		keys = append(keys, key)
	}
	return state, keys, nil
}

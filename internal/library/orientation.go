package library

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/render"
	"github.com/patternvault/patternvault/internal/store"
)

// Orientation answers a quilter gives on the review page: "ok" (as drawn),
// quarter turns counter-clockwise, or a mirror image.
const (
	OrientOK     = "ok"
	OrientRot90  = "rot90"
	OrientRot180 = "rot180"
	OrientRot270 = "rot270"
	OrientMirror = "mirror"
)

// ErrBadOrientation is an answer that is none of the Orient* ones.
var ErrBadOrientation = problem.Invalid("bad_orientation", "Choose how the design should be turned.")

// Orient turns or mirrors a design's geometry as an orientation answer
// says ("rot90" is a quarter turn counter-clockwise, as the shape analysis
// suggests it); "ok" and "" leave it as it is.
func Orient(d *geom.Design, answer string) *geom.Design {
	switch answer {
	case OrientRot90:
		return d.Rotate(90)
	case OrientRot180:
		return d.Rotate(180)
	case OrientRot270:
		return d.Rotate(270)
	case OrientMirror:
		return d.MirrorX()
	}
	return d
}

// FixOrientation records the quilter's answer for design id and redraws
// its thumbnails from the geometry turned that way ("ok" redraws too: it
// undoes an earlier turn taken back). The original file never changes. A
// design with no readable file keeps its picture.
func (s *Service) FixOrientation(ctx context.Context, tenantID, id int64, answer string) (*store.Pattern, error) {
	switch answer {
	case OrientOK, OrientRot90, OrientRot180, OrientRot270, OrientMirror:
	default:
		return nil, ErrBadOrientation
	}
	var p *store.Pattern
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		p, err = tx.UpdatePattern(ctx, id, store.PatternEdit{Orientation: &answer})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("library: orientation of pattern %d: %w", id, err)
	}
	d, err := s.geometry(ctx, tenantID, p)
	if errors.Is(err, errNoGeometry) {
		return p, nil // nothing to draw from: the picture stays
	}
	if err != nil {
		return nil, err
	}
	d = Orient(d, answer)
	for _, size := range []int{ThumbGrid, ThumbDetail} {
		var png bytes.Buffer
		if err := render.EncodePNG(&png, render.Thumbnail(d, size, render.Options{})); err != nil {
			return nil, fmt.Errorf("library: redraw pattern %d: %w", id, err)
		}
		if err := s.Blobs.Put(ctx, ThumbKey(tenantID, id, size), &png, int64(png.Len()), "image/png"); err != nil {
			return nil, fmt.Errorf("library: store thumbnail of pattern %d: %w", id, err)
		}
	}
	return p, nil
}

// errNoGeometry is a design with no design file PatternVault can read.
var errNoGeometry = problem.NotFound("no_geometry", "This design has no file we can draw.")

// geometry reads design p's geometry from its most faithful original.
func (s *Service) geometry(ctx context.Context, tenantID int64, p *store.Pattern) (*geom.Design, error) {
	dl, err := s.Fetch(ctx, tenantID, p, "original")
	if errors.Is(err, ErrNoSuchFormat) {
		return nil, errNoGeometry.Wrap(err)
	}
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(dl.Body)
	dl.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("library: read %q: %w", dl.Name, err)
	}
	d, _, err := convert.Read(dl.Name, buf.Bytes())
	if err != nil {
		return nil, errNoGeometry.Wrap(err)
	}
	return d, nil
}

// Preview draws design id at its true size as SVG, turned as the quilter
// said, from its best readable file.
func (s *Service) Preview(ctx context.Context, tenantID, id int64) ([]byte, error) {
	p, err := s.Pattern(ctx, tenantID, id, 0)
	if err != nil {
		return nil, err
	}
	d, err := s.geometry(ctx, tenantID, p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := render.PreviewSVG(&buf, Orient(d, p.Orientation)); err != nil {
		return nil, fmt.Errorf("library: preview of pattern %d: %w", id, err)
	}
	return buf.Bytes(), nil
}

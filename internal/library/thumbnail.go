package library

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/render"
	"github.com/patternvault/patternvault/internal/store"
)

// ErrNoThumbnail means a design has nothing to draw a picture from.
var ErrNoThumbnail = problem.NotFound("no_thumbnail", "This design has no picture.")

// Thumbnail opens a pattern's thumbnail of size px (ThumbGrid or
// ThumbDetail). The grid size is made at import; the detail size is drawn
// on first request from the geometry (or picture) and kept.
func (s *Service) Thumbnail(ctx context.Context, tenantID, patternID int64, size int) (io.ReadCloser, blob.Info, error) {
	key := ThumbKey(tenantID, patternID, size)
	rc, info, err := s.Blobs.Get(ctx, key)
	if err == nil || !errors.Is(err, blob.ErrNotFound) || size != ThumbDetail {
		if errors.Is(err, blob.ErrNotFound) {
			err = ErrNoThumbnail
		}
		return rc, info, err
	}
	png, err := s.drawThumbnail(ctx, tenantID, patternID, size)
	if err != nil {
		return nil, blob.Info{}, err
	}
	if err := s.Blobs.Put(ctx, key, bytes.NewReader(png), int64(len(png)), "image/png"); err != nil {
		return nil, blob.Info{}, err
	}
	return s.Blobs.Get(ctx, key)
}

// drawThumbnail renders a thumbnail from the pattern's best design file,
// or its first readable picture.
func (s *Service) drawThumbnail(ctx context.Context, tenantID, patternID int64, size int) ([]byte, error) {
	files, err := s.Store.Files(ctx, tenantID, patternID)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, ErrNoThumbnail
	}
	var designs []*store.PatternFile
	for _, f := range files {
		if f.Role == store.RoleDesign && f.Readable {
			designs = append(designs, f)
		}
	}
	if src := pickSource(designs); src != nil {
		data, err := s.readBlob(ctx, src.BlobKey)
		if err != nil {
			return nil, err
		}
		if d, _, err := convert.Read(src.FileName, data); err == nil {
			return encode(render.Thumbnail(d, size, render.Options{}))
		}
	}
	for _, f := range files {
		if f.Role != store.RolePicture {
			continue
		}
		data, err := s.readBlob(ctx, f.BlobKey)
		if err != nil {
			return nil, err
		}
		if img := decodePicture(data); img != nil {
			return encode(render.FallbackThumbnail(img, size))
		}
	}
	return nil, ErrNoThumbnail
}

func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := render.EncodePNG(&buf, img); err != nil {
		return nil, fmt.Errorf("library: encode thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}

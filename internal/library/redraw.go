package library

import (
	"bytes"
	"context"
)

// RedrawThumbnail draws design id's grid thumbnail again from its files and
// stores it (a restored design whose picture was not kept). A design with
// nothing to draw from is ErrNoThumbnail.
func (s *Service) RedrawThumbnail(ctx context.Context, tenantID, id int64) error {
	png, err := s.drawThumbnail(ctx, tenantID, id, ThumbGrid)
	if err != nil {
		return err
	}
	return s.Blobs.Put(ctx, ThumbKey(tenantID, id, ThumbGrid), bytes.NewReader(png), int64(len(png)), "image/png")
}

package library

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
)

// SweepOrphans finds stored files of a tenant that no row points at (left
// by a crash between storing a file and committing its row) and, when
// remove is set, deletes them. Files younger than a minute are left alone:
// an import may be about to commit them.
func (s *Service) SweepOrphans(ctx context.Context, tenantID int64, remove bool) ([]string, error) {
	var candidates []string
	grace := time.Now().Add(-time.Minute)
	if remove {
		grace = time.Now() // callers that remove know no import is running (tests, CLI)
	}
	err := s.Blobs.List(ctx, blob.Key(tenantID)+"/", func(i blob.Info) error {
		if i.ModTime.Before(grace) || remove {
			candidates = append(candidates, i.Key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("library: list files of tenant %d: %w", tenantID, err)
	}
	used, err := s.Store.BlobKeysInUse(ctx, tenantID, candidates)
	if err != nil {
		return nil, err
	}
	thumbs, err := s.Store.PatternIDSet(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var orphans []string
	for _, k := range candidates {
		if used[k] || isThumbOf(k, thumbs) {
			continue
		}
		orphans = append(orphans, k)
		if remove {
			if err := s.Blobs.Delete(ctx, k); err != nil {
				return orphans, err
			}
		}
	}
	return orphans, nil
}

// isThumbOf reports whether key is "{tenant}/thumbs/{id}/..." of a pattern in ids.
func isThumbOf(key string, ids map[int64]bool) bool {
	parts := strings.Split(key, "/")
	if len(parts) < 4 || parts[1] != "thumbs" {
		return false
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	return err == nil && ids[id]
}

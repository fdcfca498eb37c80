package business

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Photo kinds: a customer's quilt top as it came in, or the finished
// quilt (the portfolio).
const (
	PhotoTop      = "top"
	PhotoFinished = "finished"
)

// PhotoInput is a photo to add.
type PhotoInput struct {
	Kind       string
	JobID      int64
	CustomerID int64
	Caption    string
	Public     bool
	PatternIDs []int64
	// Data is the file as uploaded (at most MaxPhotoBytes are read).
	Data io.Reader
}

// ErrNoConsent refuses to link a photo to a customer who has not agreed.
var ErrNoConsent = problem.Invalid("no_consent", "This customer has not agreed to have photos linked to her name: tick her photo consent on her page first.")

// photoKey is where a photo's file of size ("original", "1600", "480")
// is kept.
func photoKey(tenantID, id int64, size string) string {
	return blob.Key(tenantID, "photos", strconv.FormatInt(id, 10), size)
}

// AddPhoto reads a photo (bounded, upright by its EXIF, resized), keeps
// the original byte for byte and its two resized copies, and records it
// with its job, customer (only with her consent) and designs. Finished
// quilts are the portfolio (the Professional plan); tops are part of a
// job (Business).
func (s *Service) AddPhoto(ctx context.Context, tenantID int64, in PhotoInput) (*store.Photo, error) {
	feature := FeatureJobs
	if in.Kind == PhotoFinished {
		feature = FeaturePortfolio
	}
	if err := s.require(ctx, tenantID, feature); err != nil {
		return nil, err
	}
	if in.Kind != PhotoTop && in.Kind != PhotoFinished {
		return nil, invalid("bad_kind", "A photo is of a quilt top or of a finished quilt.")
	}
	in.Caption = strings.TrimSpace(in.Caption)
	if utf8.RuneCountInString(in.Caption) > 300 {
		return nil, invalid("bad_caption", "A caption can be up to 300 characters.")
	}
	data, err := io.ReadAll(io.LimitReader(in.Data, MaxPhotoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("business: read photo: %w", err)
	}
	proc, err := ProcessPhoto(data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	p := &store.Photo{Kind: in.Kind, Caption: in.Caption, Public: in.Public && in.Kind == PhotoFinished, Width: proc.Width, Height: proc.Height,
		ContentType: proc.ContentType, SHA256: sum[:], PatternIDs: uniqIDs(in.PatternIDs)}
	err = s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		if in.JobID != 0 {
			j, err := tx.Job(ctx, in.JobID)
			if err != nil {
				return notFoundAs(err, ErrNoJob)
			}
			p.JobID = &j.ID
			if in.CustomerID == 0 {
				if c, err := tx.Customer(ctx, j.CustomerID); err == nil && c.PhotoConsent {
					p.CustomerID = &c.ID
				}
			}
			if len(p.PatternIDs) == 0 {
				p.PatternIDs = j.PatternIDs
			}
		}
		if in.CustomerID != 0 {
			c, err := tx.Customer(ctx, in.CustomerID)
			if err != nil {
				return notFoundAs(err, ErrNoCustomer)
			}
			if !c.PhotoConsent {
				return ErrNoConsent
			}
			p.CustomerID = &c.ID
		}
		if len(p.PatternIDs) > 0 {
			live, err := tx.LivePatterns(ctx, p.PatternIDs)
			if err != nil {
				return err
			}
			if len(live) != len(p.PatternIDs) {
				return ErrNoDesign
			}
		}
		id, err := tx.NextPhotoID(ctx)
		if err != nil {
			return err
		}
		p.ID, p.BlobKey = id, photoKey(tenantID, id, "original")
		// The files first: a failed write rolls the row back, and an
		// unreferenced file is harmless.
		for _, f := range []struct {
			key, ct string
			data    []byte
		}{{p.BlobKey, proc.ContentType, data}, {photoKey(tenantID, id, strconv.Itoa(PhotoLarge)), "image/jpeg", proc.Large},
			{photoKey(tenantID, id, strconv.Itoa(PhotoSmall)), "image/jpeg", proc.Small}} {
			if err := s.Blobs.Put(ctx, f.key, bytes.NewReader(f.data), int64(len(f.data)), f.ct); err != nil {
				return fmt.Errorf("business: store photo %d: %w", id, err)
			}
		}
		return tx.AddPhoto(ctx, p)
	})
	if err != nil {
		return nil, fmt.Errorf("business: add photo: %w", err)
	}
	return p, nil
}

// PhotoFile opens a photo's file: "original", or a resized copy
// (PhotoLarge, PhotoSmall as text). publicOnly serves only photos in an
// opted-in public gallery.
func (s *Service) PhotoFile(ctx context.Context, tenantID, id int64, size string, publicOnly bool) (io.ReadCloser, blob.Info, error) {
	if size != "original" && size != strconv.Itoa(PhotoLarge) && size != strconv.Itoa(PhotoSmall) {
		return nil, blob.Info{}, ErrNoPhoto
	}
	var p *store.Photo
	var set *store.BusinessSettings
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if p, err = tx.Photo(ctx, id); err != nil {
			return err
		}
		set, err = tx.BusinessSettings(ctx)
		return err
	})
	if err != nil {
		return nil, blob.Info{}, notFoundAs(err, ErrNoPhoto)
	}
	if publicOnly && (!set.GalleryPublic || !p.Public) {
		return nil, blob.Info{}, ErrNoPhoto
	}
	// The key is made from the workspace and the photo's id, never read
	// from the row: a row restored from an uploaded export cannot point
	// at another workspace's file.
	key := photoKey(tenantID, p.ID, size)
	rc, info, err := s.Blobs.Get(ctx, key)
	if err != nil {
		return nil, blob.Info{}, fmt.Errorf("business: photo %d %s: %w", id, size, err)
	}
	return rc, info, nil
}

// Photos lists photos.
func (s *Service) Photos(ctx context.Context, tenantID int64, q store.PhotoQuery) ([]*store.Photo, error) {
	var out []*store.Photo
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		out, err = tx.Photos(ctx, q)
		return err
	})
	return out, err
}

// PhotoEdit changes a photo's caption, public flag, customer and designs.
type PhotoEdit struct {
	Caption    string
	Public     bool
	CustomerID int64
	PatternIDs []int64
}

// UpdatePhoto changes a photo.
func (s *Service) UpdatePhoto(ctx context.Context, tenantID, id int64, in PhotoEdit) error {
	if err := s.require(ctx, tenantID, FeaturePortfolio); err != nil {
		return err
	}
	in.Caption = strings.TrimSpace(in.Caption)
	if utf8.RuneCountInString(in.Caption) > 300 {
		return invalid("bad_caption", "A caption can be up to 300 characters.")
	}
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		p, err := tx.Photo(ctx, id)
		if err != nil {
			return notFoundAs(err, ErrNoPhoto)
		}
		p.Caption, p.Public, p.PatternIDs, p.CustomerID = in.Caption, in.Public && p.Kind == PhotoFinished, uniqIDs(in.PatternIDs), nil
		if in.CustomerID != 0 {
			c, err := tx.Customer(ctx, in.CustomerID)
			if err != nil {
				return notFoundAs(err, ErrNoCustomer)
			}
			if !c.PhotoConsent {
				return ErrNoConsent
			}
			p.CustomerID = &c.ID
		}
		return tx.UpdatePhoto(ctx, p)
	})
}

// DeletePhoto removes a photo from the workspace's records, then its
// files, unless a kept snapshot references them (a restore brings the
// photo back). The library's orphan sweep keeps to the library's folders
// and never looks at photos.
func (s *Service) DeletePhoto(ctx context.Context, tenantID, id int64) error {
	original := photoKey(tenantID, id, "original")
	keep := false
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		if err := tx.DeletePhoto(ctx, id); err != nil {
			return err
		}
		used, err := tx.BlobKeysInUse(ctx, []string{original})
		keep = used[original]
		return err
	})
	if err != nil {
		return notFoundAs(err, ErrNoPhoto)
	}
	if keep {
		return nil
	}
	if err := s.Blobs.DeletePrefix(ctx, blob.Key(tenantID, "photos", strconv.FormatInt(id, 10))+"/"); err != nil {
		return fmt.Errorf("business: delete photo %d's files: %w", id, err)
	}
	return nil
}

// Gallery is a workspace's public page of finished quilts.
type Gallery struct {
	Business string
	Intro    string
	Photos   []*store.Photo
	Designs  map[int64]*store.Pattern
}

// ErrNoGallery is a workspace that has not opened its gallery.
var ErrNoGallery = problem.NotFound("no_gallery", "This quilter has no public gallery.")

// Gallery returns the public gallery of t: only when she turned it on,
// only the photos she marked public, with a customer's first name only
// when the customer consented.
func (s *Service) Gallery(ctx context.Context, t *store.Tenant) (*Gallery, error) {
	g := &Gallery{}
	err := s.Store.ReadTenant(ctx, t.ID, func(tx *store.TenantTx) error {
		set, err := tx.BusinessSettings(ctx)
		if err != nil {
			return err
		}
		if !set.GalleryPublic {
			return ErrNoGallery
		}
		g.Business, g.Intro = workspaceName(t, set), set.GalleryIntro
		if g.Photos, err = tx.Photos(ctx, store.PhotoQuery{Kind: PhotoFinished, Public: true, Limit: 200}); err != nil {
			return err
		}
		var ids []int64
		for _, p := range g.Photos {
			ids = append(ids, p.PatternIDs...)
		}
		g.Designs, err = tx.PatternsByIDs(ctx, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, p := range g.Photos {
		p.CustomerName = PublicName(p)
	}
	return g, nil
}

// PublicName is the customer's first name when she agreed to be named
// with her quilt, else "".
func PublicName(p *store.Photo) string {
	if !p.PhotoConsent || p.CustomerName == "" {
		return ""
	}
	return strings.Fields(p.CustomerName)[0]
}

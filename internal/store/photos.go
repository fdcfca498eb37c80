package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Photo is a picture of a quilt top a customer brought, or of a finished
// quilt (the portfolio).
type Photo struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	JobID       *int64    `json:"job_id"`
	CustomerID  *int64    `json:"customer_id"`
	Caption     string    `json:"caption"`
	Public      bool      `json:"public"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	ContentType string    `json:"content_type"`
	SHA256      []byte    `json:"-"`
	BlobKey     string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	// Filled by the queries.
	PatternIDs   []int64 `json:"pattern_ids"`
	CustomerName string  `json:"customer_name,omitempty"`
	// PhotoConsent is the customer's consent to show her name with it.
	PhotoConsent bool `json:"-"`
}

const photoSelect = `SELECT p.id, p.kind, p.job_id, p.customer_id, p.caption, p.public, p.width, p.height, p.content_type,
	p.sha256, p.blob_key, p.created_at,
	coalesce((SELECT array_agg(pattern_id ORDER BY pattern_id) FROM photo_designs d WHERE d.photo_id = p.id), '{}'),
	coalesce(c.name, ''), coalesce(c.photo_consent, false)
	FROM photos p LEFT JOIN customers c ON c.id = p.customer_id `

func scanPhoto(row pgx.Row) (*Photo, error) {
	p := &Photo{}
	err := row.Scan(&p.ID, &p.Kind, &p.JobID, &p.CustomerID, &p.Caption, &p.Public, &p.Width, &p.Height, &p.ContentType,
		&p.SHA256, &p.BlobKey, &p.CreatedAt, &p.PatternIDs, &p.CustomerName, &p.PhotoConsent)
	return p, err
}

// PhotoQuery filters photos.
type PhotoQuery struct {
	Kind      string
	JobID     int64
	PatternID int64
	// Public keeps only the photos marked public.
	Public bool
	Limit  int
}

// Photos lists photos, newest first.
func (t *TenantTx) Photos(ctx context.Context, q PhotoQuery) ([]*Photo, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 500
	}
	rows, err := t.tx.Query(ctx, photoSelect+`WHERE ($1 = '' OR p.kind = $1) AND ($2 = 0 OR p.job_id = $2)
		AND ($3 = 0 OR EXISTS (SELECT 1 FROM photo_designs d WHERE d.photo_id = p.id AND d.pattern_id = $3))
		AND (NOT $4 OR p.public) ORDER BY p.created_at DESC, p.id DESC LIMIT $5`, q.Kind, q.JobID, q.PatternID, q.Public, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: photos: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Photo, error) { return scanPhoto(r) })
	if err != nil {
		return nil, fmt.Errorf("store: photos: %w", err)
	}
	return out, nil
}

// Photo returns one photo.
func (t *TenantTx) Photo(ctx context.Context, id int64) (*Photo, error) {
	p, err := scanPhoto(t.tx.QueryRow(ctx, photoSelect+`WHERE p.id = $1`, id))
	return p, noRows(fmt.Sprintf("photo %d", id), err)
}

// NextPhotoID reserves the id of a photo about to be stored (its files
// are named by it).
func (t *TenantTx) NextPhotoID(ctx context.Context) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('photos', 'id'))`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: next photo id: %w", err)
	}
	return id, nil
}

// AddPhoto stores a photo under the id NextPhotoID gave, with its designs.
func (t *TenantTx) AddPhoto(ctx context.Context, p *Photo) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO photos (id, kind, job_id, customer_id, caption, public, width, height, content_type,
		sha256, blob_key) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING created_at`,
		p.ID, p.Kind, p.JobID, p.CustomerID, p.Caption, p.Public, p.Width, p.Height, p.ContentType, p.SHA256, p.BlobKey).Scan(&p.CreatedAt)
	if err == nil {
		err = t.setPhotoDesigns(ctx, p.ID, p.PatternIDs)
	}
	if err != nil {
		return fmt.Errorf("store: add photo: %w", err)
	}
	return nil
}

func (t *TenantTx) setPhotoDesigns(ctx context.Context, id int64, patterns []int64) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM photo_designs WHERE photo_id = $1`, id); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO photo_designs (photo_id, pattern_id)
		SELECT $1, p FROM unnest($2::bigint[]) AS p WHERE EXISTS (SELECT 1 FROM patterns WHERE id = p) ON CONFLICT DO NOTHING`, id, patterns)
	return err
}

// UpdatePhoto changes a photo's caption, public flag, customer and designs.
func (t *TenantTx) UpdatePhoto(ctx context.Context, p *Photo) error {
	err := t.execOne(ctx, "update photo", `UPDATE photos SET caption = $2, public = $3, customer_id = $4 WHERE id = $1`,
		p.ID, p.Caption, p.Public, p.CustomerID)
	if err == nil {
		err = t.setPhotoDesigns(ctx, p.ID, p.PatternIDs)
	}
	if err != nil {
		return fmt.Errorf("store: update photo %d: %w", p.ID, err)
	}
	return nil
}

// DeletePhoto removes a photo's row (its files stay until a sweep).
func (t *TenantTx) DeletePhoto(ctx context.Context, id int64) error {
	return t.execOne(ctx, "delete photo", `DELETE FROM photos WHERE id = $1`, id)
}

// PhotoOriginal is a photo as an export copies it: its id and the type of
// its original.
type PhotoOriginal struct {
	ID          int64
	ContentType string
}

// PhotoOriginals lists every photo by id.
func (t *TenantTx) PhotoOriginals(ctx context.Context) ([]PhotoOriginal, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, content_type FROM photos ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: photo originals: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PhotoOriginal, error) {
		var p PhotoOriginal
		return p, r.Scan(&p.ID, &p.ContentType)
	})
	if err != nil {
		return nil, fmt.Errorf("store: photo originals: %w", err)
	}
	return out, nil
}

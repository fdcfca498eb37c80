package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Pattern is one quilting design in a tenant's library.
type Pattern struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Designer  string    `json:"designer"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const patternColumns = "id, name, designer, notes, created_at, updated_at"

func scanPattern(row pgx.Row) (*Pattern, error) {
	p := &Pattern{}
	err := row.Scan(&p.ID, &p.Name, &p.Designer, &p.Notes, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// CreatePattern adds a pattern to the tenant's library.
func (s *Store) CreatePattern(ctx context.Context, tenantID int64, p *Pattern) (*Pattern, error) {
	var out *Pattern
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		var err error
		out, err = scanPattern(tx.QueryRow(ctx, `
			INSERT INTO patterns (name, designer, notes) VALUES ($1, $2, $3)
			RETURNING `+patternColumns, p.Name, p.Designer, p.Notes))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: create pattern %q: %w", p.Name, err)
	}
	return out, nil
}

// Pattern returns one pattern of the tenant.
func (s *Store) Pattern(ctx context.Context, tenantID, id int64) (*Pattern, error) {
	var out *Pattern
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		var err error
		out, err = scanPattern(tx.QueryRow(ctx, `SELECT `+patternColumns+` FROM patterns WHERE id = $1`, id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: pattern %d: %w", id, err)
	}
	return out, nil
}

// Patterns lists the tenant's patterns by name, at most limit of them,
// starting after the pattern named afterName with id afterID (keyset
// pagination; pass "" and 0 for the first page).
func (s *Store) Patterns(ctx context.Context, tenantID int64, afterName string, afterID int64, limit int) ([]*Pattern, error) {
	var out []*Pattern
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT `+patternColumns+` FROM patterns
			WHERE (lower(name), id) > (lower($1), $2)
			ORDER BY lower(name), id LIMIT $3`, afterName, afterID, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Pattern, error) { return scanPattern(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list patterns: %w", err)
	}
	return out, nil
}

// UpdatePattern saves name, designer and notes of an existing pattern.
func (s *Store) UpdatePattern(ctx context.Context, tenantID int64, p *Pattern) (*Pattern, error) {
	var out *Pattern
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		var err error
		out, err = scanPattern(tx.QueryRow(ctx, `
			UPDATE patterns SET name = $2, designer = $3, notes = $4, updated_at = now()
			WHERE id = $1 RETURNING `+patternColumns, p.ID, p.Name, p.Designer, p.Notes))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: update pattern %d: %w", p.ID, err)
	}
	return out, nil
}

// DeletePattern removes a pattern of the tenant.
func (s *Store) DeletePattern(ctx context.Context, tenantID, id int64) error {
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM patterns WHERE id = $1`, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete pattern %d: %w", id, err)
	}
	return nil
}

// CountPatterns returns how many patterns the tenant has.
func (s *Store) CountPatterns(ctx context.Context, tenantID int64) (int64, error) {
	var n int64
	err := s.db.WithTenant(ctx, tenantID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM patterns`).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("store: count patterns: %w", err)
	}
	return n, nil
}

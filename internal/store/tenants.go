package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/patternvault/patternvault/internal/db"
)

// Tenant statuses.
const (
	TenantActive    = "active"
	TenantSuspended = "suspended"
	TenantDeleted   = "deleted"
)

// Tenant is one quilter's workspace.
type Tenant struct {
	ID        int64          `json:"id"`
	Slug      string         `json:"slug"`
	Name      string         `json:"name"`
	Plan      string         `json:"plan"`
	Status    string         `json:"status"`
	Settings  map[string]any `json:"settings"`
	CreatedAt time.Time      `json:"created_at"`
	HasLogo   bool           `json:"has_logo"`
	// DeleteAfter, when set, is when the workspace, paused for deletion,
	// is purged (internal/backup).
	DeleteAfter *time.Time `json:"delete_after,omitempty"`
}

// Schema returns the tenant's schema name.
func (t *Tenant) Schema() string { return db.TenantSchema(t.ID) }

const tenantColumns = "id, slug, name, plan, status, settings, created_at, logo IS NOT NULL, delete_after"

func scanTenant(row pgx.Row) (*Tenant, error) {
	t := &Tenant{}
	err := row.Scan(t.dest()...)
	return t, err
}

// dest is where a row's tenantColumns go, for queries that read more
// columns after them.
func (t *Tenant) dest() []any {
	return []any{&t.ID, &t.Slug, &t.Name, &t.Plan, &t.Status, &t.Settings, &t.CreatedAt, &t.HasLogo, &t.DeleteAfter}
}

// CreateTenant inserts the tenant and creates its schema at the latest
// version in one transaction. The slug must already be validated.
func (s *Store) CreateTenant(ctx context.Context, slug, name string) (*Tenant, error) {
	var t *Tenant
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM platform.tenant_slug_history WHERE slug = $1)`, slug).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return ErrConflict
		}
		var err error
		t, err = scanTenant(tx.QueryRow(ctx, `
			INSERT INTO platform.tenants (slug, name) VALUES ($1, $2)
			RETURNING `+tenantColumns, slug, name))
		if err != nil {
			return err
		}
		return db.CreateTenantSchema(ctx, tx, t.ID, db.TenantMigrations())
	})
	if isUniqueViolation(err) {
		err = ErrConflict
	}
	if err != nil {
		return nil, fmt.Errorf("store: create tenant %q: %w", slug, err)
	}
	return t, nil
}

// TenantBySlug returns the tenant with that slug (current or former).
func (s *Store) TenantBySlug(ctx context.Context, slug string) (*Tenant, error) {
	t, err := scanTenant(s.q.QueryRow(ctx, `
		SELECT `+tenantColumns+` FROM platform.tenants
		WHERE slug = $1 OR id = (SELECT tenant_id FROM platform.tenant_slug_history WHERE slug = $1)
		ORDER BY slug = $1 DESC LIMIT 1`, slug))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: tenant %q: %w", slug, err)
	}
	return t, nil
}

// TenantByID returns the tenant with that id.
func (s *Store) TenantByID(ctx context.Context, id int64) (*Tenant, error) {
	t, err := scanTenant(s.q.QueryRow(ctx, `SELECT `+tenantColumns+` FROM platform.tenants WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: tenant %d: %w", id, err)
	}
	return t, nil
}

// Tenants lists every tenant that is not deleted, by slug.
func (s *Store) Tenants(ctx context.Context) ([]*Tenant, error) {
	rows, err := s.q.Query(ctx, `SELECT `+tenantColumns+` FROM platform.tenants WHERE status <> 'deleted' ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("store: list tenants: %w", err)
	}
	ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Tenant, error) { return scanTenant(r) })
	if err != nil {
		return nil, fmt.Errorf("store: list tenants: %w", err)
	}
	return ts, nil
}

// SetTenantStatus changes a tenant's status; its data is untouched.
// Making it active again also cancels a deletion it was paused for.
func (s *Store) SetTenantStatus(ctx context.Context, id int64, status string) error {
	tag, err := s.q.Exec(ctx, `UPDATE platform.tenants SET status = $2,
		delete_after = CASE WHEN $2 = 'active' THEN NULL ELSE delete_after END,
		status_before_delete = CASE WHEN $2 = 'active' THEN '' ELSE status_before_delete END
		WHERE id = $1`, id, status)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: set tenant %d status %s: %w", id, status, err)
	}
	return nil
}

// RenameTenantSlug changes a tenant's slug and keeps the old one as a
// redirect. The new slug must already be validated.
func (s *Store) RenameTenantSlug(ctx context.Context, id int64, newSlug string) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var old string
		if err := tx.QueryRow(ctx, `SELECT slug FROM platform.tenants WHERE id = $1 FOR UPDATE`, id).Scan(&old); err != nil {
			return err
		}
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM platform.tenant_slug_history WHERE slug = $1 AND tenant_id <> $2)`, newSlug, id).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return ErrConflict
		}
		if _, err := tx.Exec(ctx, `DELETE FROM platform.tenant_slug_history WHERE slug = $1`, newSlug); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE platform.tenants SET slug = $2 WHERE id = $1`, id, newSlug); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO platform.tenant_slug_history (slug, tenant_id) VALUES ($1, $2)`, old, id)
		return err
	})
	if isUniqueViolation(err) {
		err = ErrConflict
	}
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: rename tenant %d to %q: %w", id, newSlug, err)
	}
	return nil
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// RenameTenant changes a tenant's display name.
func (s *Store) RenameTenant(ctx context.Context, id int64, name string) error {
	return s.execOne(ctx, "rename tenant", `UPDATE platform.tenants SET name = $2 WHERE id = $1`, id, name)
}

// SetTenantSetting sets one key of the workspace's settings (a JSON
// object) to the string value, leaving the others as they are.
func (s *Store) SetTenantSetting(ctx context.Context, id int64, key, value string) error {
	return s.execOne(ctx, "set tenant setting", `UPDATE platform.tenants
		SET settings = jsonb_set(coalesce(settings, '{}'), ARRAY[$2::text], to_jsonb($3::text)) WHERE id = $1`, id, key, value)
}

// SetTenantLogo stores the workspace logo (a small PNG or JPEG).
func (s *Store) SetTenantLogo(ctx context.Context, id int64, logo []byte, contentType string) error {
	return s.execOne(ctx, "set tenant logo", `UPDATE platform.tenants SET logo = $2, logo_type = $3 WHERE id = $1`, id, logo, contentType)
}

// TenantLogo returns the workspace logo and its content type.
func (s *Store) TenantLogo(ctx context.Context, id int64) ([]byte, string, error) {
	var logo []byte
	var ctype *string
	err := s.q.QueryRow(ctx, `SELECT logo, logo_type FROM platform.tenants WHERE id = $1`, id).Scan(&logo, &ctype)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (logo == nil || ctype == nil)) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: logo of tenant %d: %w", id, err)
	}
	return logo, *ctype, nil
}

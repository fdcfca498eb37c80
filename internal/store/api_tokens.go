package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// APIToken is a personal token for /api/v1, for one user in one tenant.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	TenantID   int64      `json:"tenant_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

const apiTokenColumns = "id, user_id, tenant_id, name, created_at, last_used_at, revoked_at"

func scanAPIToken(row pgx.Row) (*APIToken, error) {
	t := &APIToken{}
	err := row.Scan(t.dest()...)
	return t, err
}

// dest is where a row's apiTokenColumns go.
func (t *APIToken) dest() []any {
	return []any{&t.ID, &t.UserID, &t.TenantID, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt}
}

// CreateAPIToken stores a token's hash.
func (s *Store) CreateAPIToken(ctx context.Context, userID, tenantID int64, name string, hash []byte) (*APIToken, error) {
	t, err := scanAPIToken(s.q.QueryRow(ctx, `
		INSERT INTO platform.api_tokens (user_id, tenant_id, name, token_hash) VALUES ($1, $2, $3, $4)
		RETURNING `+apiTokenColumns, userID, tenantID, name, hash))
	if err != nil {
		return nil, fmt.Errorf("store: create API token %q: %w", name, err)
	}
	return t, nil
}

// recordTokenUse notes that t was used now, unless it was within the
// last minute.
func (s *Store) recordTokenUse(ctx context.Context, t *APIToken) error {
	if t.LastUsedAt == nil || time.Since(*t.LastUsedAt) > time.Minute {
		now := time.Now()
		if _, err := s.q.Exec(ctx, `UPDATE platform.api_tokens SET last_used_at = $2 WHERE id = $1`, t.ID, now); err != nil {
			return fmt.Errorf("store: API token %d: record use: %w", t.ID, err)
		}
		t.LastUsedAt = &now
	}
	return nil
}

// APICaller is who an API token speaks for: the token, its user, its
// workspace and the user's role there.
type APICaller struct {
	Token  *APIToken
	User   *User
	Tenant *Tenant
	Role   string
}

// APICallerByHash returns the caller of a live (not revoked) token whose
// user is still a member of its workspace, in one query, and records the
// token's use as APITokenByHash does. ErrNotFound when there is none.
func (s *Store) APICallerByHash(ctx context.Context, hash []byte) (*APICaller, error) {
	c := &APICaller{Token: &APIToken{}, User: &User{}, Tenant: &Tenant{}}
	dest := append(append(append(c.Token.dest(), c.User.dest()...), c.Tenant.dest()...), &c.Role)
	err := s.q.QueryRow(ctx, `
		SELECT `+prefixed("t.", apiTokenColumns)+`, `+prefixed("u.", userColumns)+`, `+prefixed("tn.", tenantColumns)+`, m.role
		FROM platform.api_tokens t
		JOIN platform.users u ON u.id = t.user_id
		JOIN platform.tenants tn ON tn.id = t.tenant_id
		JOIN platform.memberships m ON m.tenant_id = t.tenant_id AND m.user_id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, hash).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: API caller: %w", err)
	}
	if err := s.recordTokenUse(ctx, c.Token); err != nil {
		return nil, err
	}
	return c, nil
}

// UserAPITokens lists a user's tokens, newest first.
func (s *Store) UserAPITokens(ctx context.Context, userID int64) ([]*APIToken, error) {
	rows, err := s.q.Query(ctx, `SELECT `+apiTokenColumns+` FROM platform.api_tokens WHERE user_id = $1 ORDER BY created_at DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: API tokens of user %d: %w", userID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*APIToken, error) { return scanAPIToken(r) })
	if err != nil {
		return nil, fmt.Errorf("store: API tokens of user %d: %w", userID, err)
	}
	return out, nil
}

// RevokeAPIToken revokes one of the user's tokens.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	return s.execOne(ctx, "revoke API token", `
		UPDATE platform.api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, id, userID)
}

package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Purposes of one-time email links.
const (
	TokenVerify = "verify"
	TokenReset  = "reset"
	TokenMagic  = "magic"
)

// ErrTokenUsed means a one-time link was already used or has expired.
var ErrTokenUsed = errors.New("this link was already used or has expired")

// CreateEmailToken stores the hash of a one-time link's token.
func (s *Store) CreateEmailToken(ctx context.Context, hash []byte, purpose string, userID int64, ttl time.Duration) error {
	_, err := s.q.Exec(ctx, `
		INSERT INTO platform.email_tokens (token_hash, purpose, user_id, expires_at)
		VALUES ($1, $2, $3, now() + $4::interval)`, hash, purpose, userID, fmt.Sprintf("%d seconds", int(ttl.Seconds())))
	if err != nil {
		return fmt.Errorf("store: create %s token for user %d: %w", purpose, userID, err)
	}
	return nil
}

// UseEmailToken marks the token used and returns its user, once: a second
// use, an expired token or one of another purpose gives ErrTokenUsed.
func (s *Store) UseEmailToken(ctx context.Context, hash []byte, purpose string) (int64, error) {
	var userID int64
	err := s.q.QueryRow(ctx, `
		UPDATE platform.email_tokens SET used_at = now()
		WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
		RETURNING user_id`, hash, purpose).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrTokenUsed
	}
	if err != nil {
		return 0, fmt.Errorf("store: use %s token: %w", purpose, err)
	}
	return userID, nil
}

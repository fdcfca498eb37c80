package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// UserByIdentity returns the user linked to an outside sign-in identity.
func (s *Store) UserByIdentity(ctx context.Context, provider, subject string) (*User, error) {
	u, err := scanUser(s.q.QueryRow(ctx, `
		SELECT `+prefixed("u.", userColumns)+` FROM platform.identities i JOIN platform.users u ON u.id = i.user_id
		WHERE i.provider = $1 AND i.subject = $2`, provider, subject))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s identity: %w", provider, err)
	}
	return u, nil
}

// LinkIdentity links an outside identity to a user.
func (s *Store) LinkIdentity(ctx context.Context, provider, subject string, userID int64, email string) error {
	_, err := s.q.Exec(ctx, `
		INSERT INTO platform.identities (provider, subject, user_id, email) VALUES ($1, $2, $3, $4)
		ON CONFLICT (provider, subject) DO NOTHING`, provider, subject, userID, email)
	if err != nil {
		return fmt.Errorf("store: link %s identity to user %d: %w", provider, userID, err)
	}
	return nil
}

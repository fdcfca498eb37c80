package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Session is a signed-in browser. ImpersonatorID is set when a platform
// admin acts as this session's user for support.
type Session struct {
	UserID         int64
	ImpersonatorID *int64
	// TenantID is the one workspace a support view may reach (set with
	// ImpersonatorID).
	TenantID   *int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	UserAgent  string
	IP         string
	// Hash identifies the session without revealing its token.
	Hash []byte
}

const sessionColumns = "token_hash, user_id, impersonator_id, tenant_id, created_at, last_seen_at, expires_at, user_agent, ip"

func scanSession(row pgx.Row) (*Session, error) {
	s := &Session{}
	err := row.Scan(&s.Hash, &s.UserID, &s.ImpersonatorID, &s.TenantID, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.UserAgent, &s.IP)
	return s, err
}

// CreateSession stores a new session under the hash of its token.
func (s *Store) CreateSession(ctx context.Context, hash []byte, sess *Session) error {
	_, err := s.q.Exec(ctx, `
		INSERT INTO platform.sessions (token_hash, user_id, impersonator_id, tenant_id, expires_at, user_agent, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, hash, sess.UserID, sess.ImpersonatorID, sess.TenantID, sess.ExpiresAt, sess.UserAgent, sess.IP)
	if err != nil {
		return fmt.Errorf("store: create session for user %d: %w", sess.UserID, err)
	}
	return nil
}

// SessionByHash returns an unexpired session.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*Session, error) {
	sess, err := scanSession(s.q.QueryRow(ctx, `
		SELECT `+sessionColumns+` FROM platform.sessions WHERE token_hash = $1 AND expires_at > now()`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	return sess, nil
}

// SignedInFrom reports whether userID has a live session of their own (not
// a support view) started from address ip.
func (s *Store) SignedInFrom(ctx context.Context, userID int64, ip string) (bool, error) {
	var ok bool
	err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM platform.sessions
		WHERE user_id = $1 AND ip = $2 AND impersonator_id IS NULL AND expires_at > now())`, userID, ip).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: sessions of user %d from %s: %w", userID, ip, err)
	}
	return ok, nil
}

// TouchSession records activity and extends the session's life (never a
// support view's: its end is fixed when it starts).
func (s *Store) TouchSession(ctx context.Context, hash []byte, expires time.Time) error {
	_, err := s.q.Exec(ctx, `UPDATE platform.sessions SET last_seen_at = now(),
		expires_at = CASE WHEN impersonator_id IS NULL THEN $2 ELSE expires_at END WHERE token_hash = $1`, hash, expires)
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession signs one session out.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.q.Exec(ctx, `DELETE FROM platform.sessions WHERE token_hash = $1`, hash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions signs a user out everywhere, except the session with
// hash keep (nil keeps none).
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64, keep []byte) error {
	if _, err := s.q.Exec(ctx, `DELETE FROM platform.sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2`, userID, keep); err != nil {
		return fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// UserSessions lists a user's own (not impersonated) live sessions, newest first.
func (s *Store) UserSessions(ctx context.Context, userID int64) ([]*Session, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+sessionColumns+` FROM platform.sessions
		WHERE user_id = $1 AND impersonator_id IS NULL AND expires_at > now() ORDER BY last_seen_at DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: sessions of user %d: %w", userID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Session, error) { return scanSession(r) })
	if err != nil {
		return nil, fmt.Errorf("store: sessions of user %d: %w", userID, err)
	}
	return out, nil
}

// RevokeSupportGrants turns off what was made during support session
// hash: its share links and its open invitations. (They also stop working
// by themselves once the session has ended; this records it.)
func (s *Store) RevokeSupportGrants(ctx context.Context, hash []byte) error {
	_, err := s.q.Exec(ctx, `UPDATE platform.share_links SET revoked_at = coalesce(revoked_at, now()) WHERE support_session = $1`, hash)
	if err == nil {
		_, err = s.q.Exec(ctx, `UPDATE platform.invitations SET revoked_at = coalesce(revoked_at, now())
			WHERE support_session = $1 AND accepted_at IS NULL`, hash)
	}
	if err != nil {
		return fmt.Errorf("store: revoke what support session made: %w", err)
	}
	return nil
}

// supportAlive is the condition, on a row with a support_session column,
// that it was not made in a support view, or that view still lives.
const supportAlive = `(support_session IS NULL OR EXISTS (SELECT 1 FROM platform.sessions ss
	WHERE ss.token_hash = support_session AND ss.expires_at > now()))`

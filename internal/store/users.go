package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// User is a person who signs in.
type User struct {
	ID              int64      `json:"id"`
	Email           string     `json:"email"`
	DisplayName     string     `json:"display_name"`
	PasswordHash    *string    `json:"-"`
	EmailVerifiedAt *time.Time `json:"email_verified_at"`
	IsPlatformAdmin bool       `json:"is_platform_admin"`
	CreatedAt       time.Time  `json:"created_at"`
	// PasswordOneTime: the password was made by `patternvault admin
	// create`; it signs in once, then its owner must choose her own.
	PasswordOneTime bool `json:"-"`
}

// Verified reports whether the user confirmed their email address.
func (u *User) Verified() bool { return u.EmailVerifiedAt != nil }

const userColumns = "id, email, display_name, password_hash, email_verified_at, is_platform_admin, created_at, password_one_time"

func scanUser(row pgx.Row, before ...any) (*User, error) {
	u := &User{}
	err := row.Scan(append(before, u.dest()...)...)
	return u, err
}

// dest is where a row's userColumns go.
func (u *User) dest() []any {
	return []any{&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &u.EmailVerifiedAt, &u.IsPlatformAdmin, &u.CreatedAt, &u.PasswordOneTime}
}

// NormalizeEmail trims an email address; comparisons ignore case.
func NormalizeEmail(email string) string { return strings.TrimSpace(email) }

// CreateUser adds a user. passwordHash may be nil (Google-only account).
func (s *Store) CreateUser(ctx context.Context, email, name string, passwordHash *string, verified bool) (*User, error) {
	var verifiedAt *time.Time
	if verified {
		now := time.Now()
		verifiedAt = &now
	}
	u, err := scanUser(s.q.QueryRow(ctx, `
		INSERT INTO platform.users (email, display_name, password_hash, email_verified_at)
		VALUES ($1, $2, $3, $4) RETURNING `+userColumns, NormalizeEmail(email), name, passwordHash, verifiedAt))
	if isUniqueViolation(err) {
		err = ErrConflict
	}
	if err != nil {
		return nil, fmt.Errorf("store: create user %q: %w", email, err)
	}
	return u, nil
}

// UserByEmail finds a user by email, ignoring case.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	return s.oneUser(ctx, `SELECT `+userColumns+` FROM platform.users WHERE lower(email) = lower($1)`, NormalizeEmail(email))
}

// UserByID returns a user.
func (s *Store) UserByID(ctx context.Context, id int64) (*User, error) {
	return s.oneUser(ctx, `SELECT `+userColumns+` FROM platform.users WHERE id = $1`, id)
}

func (s *Store) oneUser(ctx context.Context, sql string, arg any) (*User, error) {
	u, err := scanUser(s.q.QueryRow(ctx, sql, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: user %v: %w", arg, err)
	}
	return u, nil
}

// SetPassword stores a new password hash, chosen by its owner.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	return s.execOne(ctx, "set password", `UPDATE platform.users SET password_hash = $2, password_one_time = false WHERE id = $1`, userID, hash)
}

// SetOneTimePassword stores the hash of a password made for the user (by
// an operator), good for one sign-in.
func (s *Store) SetOneTimePassword(ctx context.Context, userID int64, hash string) error {
	return s.execOne(ctx, "set one-time password", `UPDATE platform.users SET password_hash = $2, password_one_time = true WHERE id = $1`, userID, hash)
}

// UseOneTimePassword forgets a one-time password once it signed in (the
// user then has no password until she chooses one); false when it was
// used already.
func (s *Store) UseOneTimePassword(ctx context.Context, userID int64, hash string) (bool, error) {
	tag, err := s.q.Exec(ctx, `UPDATE platform.users SET password_hash = NULL
		WHERE id = $1 AND password_one_time AND password_hash = $2`, userID, hash)
	if err != nil {
		return false, fmt.Errorf("store: use one-time password of user %d: %w", userID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// SetDisplayName changes the user's name.
func (s *Store) SetDisplayName(ctx context.Context, userID int64, name string) error {
	return s.execOne(ctx, "set name", `UPDATE platform.users SET display_name = $2 WHERE id = $1`, userID, name)
}

// MarkEmailVerified records that the user owns their email address.
func (s *Store) MarkEmailVerified(ctx context.Context, userID int64) error {
	return s.execOne(ctx, "verify email", `UPDATE platform.users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1`, userID)
}

// SetPlatformAdmin grants or removes platform admin rights.
func (s *Store) SetPlatformAdmin(ctx context.Context, userID int64, admin bool) error {
	return s.execOne(ctx, "set admin", `UPDATE platform.users SET is_platform_admin = $2 WHERE id = $1`, userID, admin)
}

// execOne runs a statement that must touch exactly one row.
func (s *Store) execOne(ctx context.Context, what, sql string, args ...any) error {
	tag, err := s.q.Exec(ctx, sql, args...)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: %s %v: %w", what, args[0], err)
	}
	return nil
}

package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ShareLink is a link a quilter sends a customer to pick designs.
type ShareLink struct {
	ID             int64      `json:"id"`
	TenantID       int64      `json:"tenant_id"`
	Name           string     `json:"name"`
	RecipientName  string     `json:"recipient_name"`
	RecipientEmail string     `json:"recipient_email"`
	Message        string     `json:"message"`
	CreatedBy      *int64     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	RevokedAt      *time.Time `json:"revoked_at"`
	AllowDownload  bool       `json:"allow_download"`
	ShowDesigner   bool       `json:"show_designer"`
	VotingMode     string     `json:"voting_mode"`
	NotifyOwner    bool       `json:"notify_owner"`
	Views          int        `json:"views"`
	// MaxVoters is how many guests the link takes; its owner may raise it.
	MaxVoters int `json:"max_voters"`
	// SupportSession, when set, is the hash of the support view the link
	// was made in: it works only while that view lasts.
	SupportSession []byte `json:"-"`
	// Filled by list queries.
	Voters   int     `json:"voters"`
	Patterns []int64 `json:"pattern_ids"`
}

const shareColumns = `id, tenant_id, name, recipient_name, recipient_email, message, created_by, created_at, expires_at,
	revoked_at, allow_download, show_designer, voting_mode, notify_owner, views, max_voters`

func scanShare(row pgx.Row, extra ...any) (*ShareLink, error) {
	s := &ShareLink{}
	err := row.Scan(append([]any{&s.ID, &s.TenantID, &s.Name, &s.RecipientName, &s.RecipientEmail, &s.Message, &s.CreatedBy,
		&s.CreatedAt, &s.ExpiresAt, &s.RevokedAt, &s.AllowDownload, &s.ShowDesigner, &s.VotingMode, &s.NotifyOwner, &s.Views, &s.MaxVoters}, extra...)...)
	return s, err
}

// CreateShare stores a link of the tenant under the hash of its token,
// with its patterns in order.
func (t *TenantTx) CreateShare(ctx context.Context, l *ShareLink, tokenHash []byte) (*ShareLink, error) {
	out, err := scanShare(t.tx.QueryRow(ctx, `
		INSERT INTO platform.share_links (tenant_id, token_hash, name, recipient_name, recipient_email, message, created_by,
			expires_at, allow_download, show_designer, voting_mode, notify_owner, support_session, max_voters)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING `+shareColumns,
		t.tenantID, tokenHash, l.Name, l.RecipientName, l.RecipientEmail, l.Message, l.CreatedBy,
		l.ExpiresAt, l.AllowDownload, l.ShowDesigner, l.VotingMode, l.NotifyOwner, l.SupportSession, l.MaxVoters))
	if err == nil {
		_, err = t.tx.Exec(ctx, `INSERT INTO platform.share_link_patterns (share_id, position, pattern_id)
			SELECT $1, ord, p FROM unnest($2::bigint[]) WITH ORDINALITY AS x(p, ord)`, out.ID, l.Patterns)
	}
	if err != nil {
		return nil, fmt.Errorf("store: create share %q: %w", l.Name, err)
	}
	out.Patterns = l.Patterns
	return out, nil
}

func oneShare(ctx context.Context, q conn, where string, args ...any) (*ShareLink, error) {
	l, err := scanShare(q.QueryRow(ctx, `SELECT `+shareColumns+` FROM platform.share_links WHERE `+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: share: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT pattern_id FROM platform.share_link_patterns WHERE share_id = $1 ORDER BY position`, l.ID)
	if err != nil {
		return nil, fmt.Errorf("store: share %d patterns: %w", l.ID, err)
	}
	if l.Patterns, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return nil, fmt.Errorf("store: share %d patterns: %w", l.ID, err)
	}
	return l, nil
}

// ShareByHash finds a link, of any tenant, by the hash of its token. A
// link made in a support view that has ended is not found.
func (s *Store) ShareByHash(ctx context.Context, hash []byte) (*ShareLink, error) {
	return oneShare(ctx, s.q, "token_hash = $1 AND "+supportAlive, hash)
}

// Share returns one of the tenant's links.
func (t *TenantTx) Share(ctx context.Context, id int64) (*ShareLink, error) {
	return oneShare(ctx, t.tx, "tenant_id = $1 AND id = $2", t.tenantID, id)
}

// Shares lists the tenant's links, newest first, with their voter counts.
func (t *TenantTx) Shares(ctx context.Context) ([]*ShareLink, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+prefixed("l.", shareColumns)+`,
		(SELECT count(DISTINCT voter_id) FROM platform.share_link_votes v WHERE v.share_id = l.id),
		coalesce((SELECT array_agg(pattern_id ORDER BY position) FROM platform.share_link_patterns p WHERE p.share_id = l.id), '{}')
		FROM platform.share_links l WHERE l.tenant_id = $1 ORDER BY l.created_at DESC, l.id DESC`, t.tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: shares of tenant %d: %w", t.tenantID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*ShareLink, error) {
		var voters int
		var ids []int64
		l, err := scanShare(r, &voters, &ids)
		l.Voters, l.Patterns = voters, ids
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: shares of tenant %d: %w", t.tenantID, err)
	}
	return out, nil
}

// UpdateShare changes a link's expiry (when expires is set) or revokes it.
func (t *TenantTx) UpdateShare(ctx context.Context, id int64, expires *time.Time, revoke bool) error {
	return t.Platform().execOne(ctx, "update share", `UPDATE platform.share_links SET
		expires_at = coalesce($3, expires_at),
		revoked_at = CASE WHEN $4 THEN coalesce(revoked_at, now()) ELSE revoked_at END
		WHERE id = $1 AND tenant_id = $2`, id, t.tenantID, expires, revoke)
}

// ReopenShare turns a turned-off link back on, lasting until expires.
func (t *TenantTx) ReopenShare(ctx context.Context, id int64, expires time.Time) error {
	return t.Platform().execOne(ctx, "reopen share", `UPDATE platform.share_links SET expires_at = $3, revoked_at = NULL
		WHERE id = $1 AND tenant_id = $2`, id, t.tenantID, expires)
}

// DeleteShare removes a link and its votes.
func (t *TenantTx) DeleteShare(ctx context.Context, id int64) error {
	return t.Platform().execOne(ctx, "delete share", `DELETE FROM platform.share_links WHERE id = $1 AND tenant_id = $2`, id, t.tenantID)
}

// CountShareView counts one visit of a link.
func (s *Store) CountShareView(ctx context.Context, id int64) error {
	_, err := s.q.Exec(ctx, `UPDATE platform.share_links SET views = views + 1 WHERE id = $1`, id)
	return err
}

// Vote is one guest's choice on one design of a link.
type Vote struct {
	VoterID   string `json:"-"`
	VoterName string `json:"voter_name"`
	PatternID int64  `json:"pattern_id"`
	// Vote is like, favorite or maybe; "" when she only ranked or
	// commented.
	Vote      string    `json:"vote"`
	Rank      *int      `json:"rank,omitempty"`
	Comment   string    `json:"comment,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ErrTooManyVoters refuses a new guest on a link that has the most allowed.
var ErrTooManyVoters = errors.New("this link has had as many guests as it allows")

// VoteChange is what one guest changes on one design of a link: only the
// parts whose Set flag is on are written, the others keep what is stored.
type VoteChange struct {
	VoterID, VoterName string
	PatternID          int64
	// Vote is like, favorite, maybe, or "" for no choice; written when
	// SetVote.
	Vote    string
	SetVote bool
	// Rank is 1..n, or nil for none; written when SetRank.
	Rank    *int
	SetRank bool
	// Comment is written when SetComment.
	Comment    string
	SetComment bool
}

// SaveVote records a change of a guest's vote on a design of the link,
// touching only the parts the change sets, and returns the vote as it now
// stands. A row left with no vote, no rank and no comment is deleted (the
// returned vote is then empty). New guests beyond maxVoters are refused.
func (s *Store) SaveVote(ctx context.Context, shareID int64, v VoteChange, maxVoters int) (Vote, error) {
	now := Vote{VoterID: v.VoterID, VoterName: v.VoterName, PatternID: v.PatternID}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var inShare, known bool
		if err := tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM platform.share_link_patterns WHERE share_id = $1 AND pattern_id = $2),
			EXISTS (SELECT 1 FROM platform.share_link_votes WHERE share_id = $1 AND voter_id = $3)`,
			shareID, v.PatternID, v.VoterID).Scan(&inShare, &known); err != nil {
			return err
		}
		if !inShare {
			return ErrNotFound
		}
		empty := (!v.SetVote || v.Vote == "") && (!v.SetRank || v.Rank == nil) && (!v.SetComment || v.Comment == "")
		if !known && !empty {
			// A new guest: serialise new guests of this link (only them, and
			// without locking the link's row) so the cap holds under load.
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(1347834728, $1::int)`, int32(shareID)); err != nil {
				return err
			}
			var voters int
			if err := tx.QueryRow(ctx, `SELECT count(DISTINCT voter_id) FROM platform.share_link_votes WHERE share_id = $1`, shareID).Scan(&voters); err != nil {
				return err
			}
			if voters >= maxVoters {
				return ErrTooManyVoters
			}
		}
		// A new row takes the parts given and nothing for the others; an
		// existing row keeps the parts not given.
		err := tx.QueryRow(ctx, `INSERT INTO platform.share_link_votes AS old (share_id, voter_id, voter_name, pattern_id, vote, rank, comment)
			VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN $6 ELSE '' END, CASE WHEN $7 THEN $8::int END, CASE WHEN $9 THEN $10 ELSE '' END)
			ON CONFLICT (share_id, voter_id, pattern_id) DO UPDATE SET voter_name = EXCLUDED.voter_name,
				vote = CASE WHEN $5 THEN EXCLUDED.vote ELSE old.vote END,
				rank = CASE WHEN $7 THEN EXCLUDED.rank ELSE old.rank END,
				comment = CASE WHEN $9 THEN EXCLUDED.comment ELSE old.comment END,
				updated_at = now()
			RETURNING vote, rank, comment, updated_at`,
			shareID, v.VoterID, v.VoterName, v.PatternID, v.SetVote, v.Vote, v.SetRank, v.Rank, v.SetComment, v.Comment).
			Scan(&now.Vote, &now.Rank, &now.Comment, &now.UpdatedAt)
		if err != nil {
			return err
		}
		if now.Vote == "" && now.Rank == nil && now.Comment == "" {
			if _, err := tx.Exec(ctx, `DELETE FROM platform.share_link_votes WHERE share_id = $1 AND voter_id = $2 AND pattern_id = $3`,
				shareID, v.VoterID, v.PatternID); err != nil {
				return err
			}
		}
		// A guest's name is one name across the link.
		_, err = tx.Exec(ctx, `UPDATE platform.share_link_votes SET voter_name = $3
			WHERE share_id = $1 AND voter_id = $2 AND voter_name <> $3`, shareID, v.VoterID, v.VoterName)
		return err
	})
	if err != nil {
		return Vote{}, fmt.Errorf("store: vote on share %d: %w", shareID, err)
	}
	return now, nil
}

// Votes returns the votes on a link: of one guest when voterID is set, of
// everyone otherwise.
func (s *Store) Votes(ctx context.Context, shareID int64, voterID string) ([]Vote, error) {
	rows, err := s.q.Query(ctx, `SELECT voter_id, voter_name, pattern_id, vote, rank, comment, updated_at
		FROM platform.share_link_votes WHERE share_id = $1 AND ($2 = '' OR voter_id = $2)
		ORDER BY lower(voter_name), voter_id, pattern_id`, shareID, voterID)
	if err != nil {
		return nil, fmt.Errorf("store: votes of share %d: %w", shareID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Vote, error) {
		var v Vote
		return v, r.Scan(&v.VoterID, &v.VoterName, &v.PatternID, &v.Vote, &v.Rank, &v.Comment, &v.UpdatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("store: votes of share %d: %w", shareID, err)
	}
	return out, nil
}

// VoterKnown reports whether voterID has voted on the link.
func (s *Store) VoterKnown(ctx context.Context, shareID int64, voterID string) (bool, error) {
	var ok bool
	err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM platform.share_link_votes WHERE share_id = $1 AND voter_id = $2)`,
		shareID, voterID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: voter of share %d: %w", shareID, err)
	}
	return ok, nil
}

// VoterKey is the handle of a guest of a link that its owner's pages use
// (the voter id itself is the guest's secret, kept in her cookie): the
// first 16 hex digits of its SHA-256.
func VoterKey(voterID string) string {
	sum := sha256.Sum256([]byte(voterID))
	return hex.EncodeToString(sum[:8])
}

// DeleteVoter removes every vote of the guest whose VoterKey is key from
// one of the tenant's links.
func (t *TenantTx) DeleteVoter(ctx context.Context, shareID int64, key string) error {
	return t.Platform().execOne(ctx, "delete voter", `DELETE FROM platform.share_link_votes v USING platform.share_links l
		WHERE l.id = $1 AND l.tenant_id = $2 AND v.share_id = l.id
		AND left(encode(sha256(convert_to(v.voter_id, 'UTF8')), 'hex'), 16) = $3`, shareID, t.tenantID, key)
}

// SetShareMaxVoters changes how many guests one of the tenant's links takes.
func (t *TenantTx) SetShareMaxVoters(ctx context.Context, shareID int64, n int) error {
	return t.Platform().execOne(ctx, "set voter cap", `UPDATE platform.share_links SET max_voters = $3 WHERE id = $1 AND tenant_id = $2`,
		shareID, t.tenantID, n)
}

// MarkNotified records that the link's owner was told guest voterID is
// done, and reports whether this is the first time.
func (s *Store) MarkNotified(ctx context.Context, shareID int64, voterID string) (bool, error) {
	tag, err := s.q.Exec(ctx, `INSERT INTO platform.share_link_notices (share_id, voter_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		shareID, voterID)
	if err != nil {
		return false, fmt.Errorf("store: notice of share %d: %w", shareID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ForgetNotified undoes MarkNotified (the notice could not be queued).
func (s *Store) ForgetNotified(ctx context.Context, shareID int64, voterID string) error {
	_, err := s.q.Exec(ctx, `DELETE FROM platform.share_link_notices WHERE share_id = $1 AND voter_id = $2`, shareID, voterID)
	return err
}

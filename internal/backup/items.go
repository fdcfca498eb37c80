package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
)

// Single designs and share links brought back from a snapshot, and the
// trash.

// itemRows collects, while a snapshot is read, the rows of one design or
// one share link.
type itemRows struct {
	design   bool
	id       int64
	columns  map[string][]string
	rows     map[string][][]byte
	keywords map[int64]string
	kwIDs    []int64
	files    map[int64]*fileRow
}

func newItemRows(design bool, id int64) *itemRows {
	return &itemRows{design: design, id: id, columns: map[string][]string{}, rows: map[string][][]byte{},
		keywords: map[int64]string{}, files: map[int64]*fileRow{}}
}

func (c *itemRows) header(*Header) error                { return nil }
func (c *itemRows) file(FileEntry) error                { return nil }
func (c *itemRows) endTable(string, int64, int64) error { return nil }

func (c *itemRows) table(name string, columns []string) (func([]byte) error, error) {
	c.columns[name] = columns
	keep := func(col string) func([]byte) error {
		return func(row []byte) error {
			v, err := rowInt(row, col)
			if err != nil {
				return err
			}
			if v == c.id {
				c.rows[name] = append(c.rows[name], bytes.Clone(row))
			}
			return nil
		}
	}
	if !c.design {
		switch name {
		case "platform.share_links":
			return keep("id"), nil
		case "platform.share_link_patterns", "platform.share_link_votes":
			return keep("share_id"), nil
		}
		return func([]byte) error { return nil }, nil
	}
	switch name {
	case "patterns":
		return keep("id"), nil
	case "pattern_files":
		return func(row []byte) error {
			f := &fileRow{}
			if err := json.Unmarshal(row, f); err != nil {
				return err
			}
			if f.PatternID == c.id {
				sum, err := bytea(f.SHA256)
				if err != nil {
					return err
				}
				f.sum = sum
				c.files[f.ID] = f
				c.rows[name] = append(c.rows[name], bytes.Clone(row))
			}
			return nil
		}, nil
	case "favorites":
		return keep("pattern_id"), nil
	case "pattern_keywords":
		return func(row []byte) error {
			var pk struct {
				PatternID int64 `json:"pattern_id"`
				KeywordID int64 `json:"keyword_id"`
			}
			if err := json.Unmarshal(row, &pk); err != nil {
				return err
			}
			if pk.PatternID == c.id {
				c.kwIDs = append(c.kwIDs, pk.KeywordID)
			}
			return nil
		}, nil
	case "keywords":
		return func(row []byte) error {
			var k struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			}
			if err := json.Unmarshal(row, &k); err != nil {
				return err
			}
			c.keywords[k.ID] = k.Name
			return nil
		}, nil
	}
	return func([]byte) error { return nil }, nil
}

// array joins rows into one JSON array.
func array(rows [][]byte) []byte {
	return append(append([]byte("["), bytes.Join(rows, []byte(","))...), ']')
}

// upsert brings rows of a table back, by key.
func upsert(ctx context.Context, tx *store.TenantTx, c *itemRows, table string, key ...string) error {
	rows := c.rows[table]
	if len(rows) == 0 {
		return nil
	}
	w := store.WorkspaceTableByName(table)
	real, err := tx.WorkspaceColumns(ctx, w)
	if err != nil {
		return err
	}
	var cols []store.TableColumn
	for _, col := range real {
		if slices.Contains(c.columns[table], col.Name) {
			cols = append(cols, col)
		}
	}
	_, err = tx.UpsertWorkspaceRows(ctx, w, cols, array(rows), key)
	return err
}

// RestoreDesign brings design id back as it was in snapshot snapID: its
// details, files, keywords and favourites. A design deleted (or purged
// from the trash) since comes back; one changed since is put back as it
// was. A snapshot of the present is taken first.
func (s *Service) RestoreDesign(ctx context.Context, tenantID, userID, snapID, id int64) (string, error) {
	snap, err := s.Store.Snapshot(ctx, tenantID, snapID)
	if err != nil {
		return "", ErrNoSnapshot.Wrap(err)
	}
	c := newItemRows(true, id)
	if err := readFrom(s.snapshotReader(ctx, snap), c); err != nil {
		return "", err
	}
	if len(c.rows["patterns"]) != 1 {
		return "", ErrNotInSnapshot.Reword("That snapshot does not hold this design (it came later).")
	}
	var p struct {
		Name string `json:"name"`
	}
	json.Unmarshal(c.rows["patterns"][0], &p)
	summary := fmt.Sprintf("Brought back the design “%s” as it was on %s.", p.Name, snap.TakenAt.Local().Format("2 January 2006 15:04"))
	err = s.Store.WithBackupLock(ctx, tenantID, func() error {
		chk := &checker{tenantID: tenantID, files: c.files}
		if err := s.ensureFiles(ctx, tenantID, chk); err != nil {
			return err
		}
		if _, err := s.snapshotLocked(ctx, tenantID, store.SnapshotBeforeRestore); err != nil {
			return err
		}
		return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
			if err := upsert(ctx, tx, c, "patterns", "id"); err != nil {
				return err
			}
			if err := tx.DeleteWorkspaceRows(ctx, store.WorkspaceTableByName("pattern_files"), "pattern_id", []int64{id}); err != nil {
				return err
			}
			if err := upsert(ctx, tx, c, "pattern_files", "id"); err != nil {
				return err
			}
			var names []string
			for _, k := range c.kwIDs {
				if n, ok := c.keywords[k]; ok {
					names = append(names, n)
				}
			}
			if err := tx.SetKeywords(ctx, id, names); err != nil {
				return err
			}
			if err := upsert(ctx, tx, c, "favorites", "user_id", "pattern_id"); err != nil {
				return err
			}
			if err := tx.RefreshSearch(ctx, []int64{id}); err != nil {
				return err
			}
			return tx.LogRestore(ctx, userID, summary)
		})
	})
	if err != nil {
		return "", fmt.Errorf("backup: bring back design %d: %w", id, err)
	}
	if s.Library != nil {
		if _, _, err := s.Library.Thumbnail(ctx, tenantID, id, library.ThumbGrid); err != nil {
			s.Library.RedrawThumbnail(ctx, tenantID, id)
		}
	}
	return summary, nil
}

// RestoreShare brings share link id back as it was in snapshot snapID,
// with its designs and votes, at its old address. A snapshot of the
// present is taken first.
func (s *Service) RestoreShare(ctx context.Context, tenantID, userID, snapID, id int64) (string, error) {
	snap, err := s.Store.Snapshot(ctx, tenantID, snapID)
	if err != nil {
		return "", ErrNoSnapshot.Wrap(err)
	}
	c := newItemRows(false, id)
	if err := readFrom(s.snapshotReader(ctx, snap), c); err != nil {
		return "", err
	}
	if len(c.rows["platform.share_links"]) != 1 {
		return "", ErrNotInSnapshot.Reword("That snapshot does not hold this share link (it came later).")
	}
	var l struct {
		Name string `json:"name"`
	}
	json.Unmarshal(c.rows["platform.share_links"][0], &l)
	summary := fmt.Sprintf("Brought back the share link “%s” as it was on %s.", l.Name, snap.TakenAt.Local().Format("2 January 2006 15:04"))
	err = s.Store.WithBackupLock(ctx, tenantID, func() error {
		if _, err := s.snapshotLocked(ctx, tenantID, store.SnapshotBeforeRestore); err != nil {
			return err
		}
		return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
			if err := upsert(ctx, tx, c, "platform.share_links", "id"); err != nil {
				return err
			}
			for _, child := range []string{"platform.share_link_votes", "platform.share_link_patterns"} {
				if err := tx.DeleteWorkspaceRows(ctx, store.WorkspaceTableByName(child), "share_id", []int64{id}); err != nil {
					return err
				}
			}
			if err := upsert(ctx, tx, c, "platform.share_link_patterns", "share_id", "position"); err != nil {
				return err
			}
			if err := upsert(ctx, tx, c, "platform.share_link_votes", "share_id", "voter_id", "pattern_id"); err != nil {
				return err
			}
			return tx.LogRestore(ctx, userID, summary)
		})
	})
	if err != nil {
		return "", fmt.Errorf("backup: bring back share %d: %w", id, err)
	}
	return summary, nil
}

// SnapshotItem is a design or share link as a snapshot holds it.
type SnapshotItem struct {
	ID      int64
	Name    string
	Deleted bool
	// Live is false when the workspace no longer has it (not even in the
	// trash).
	Live bool
}

// itemLister lists the designs and share links of a snapshot.
type itemLister struct {
	designs, shares []SnapshotItem
}

func (l *itemLister) header(*Header) error                { return nil }
func (l *itemLister) file(FileEntry) error                { return nil }
func (l *itemLister) endTable(string, int64, int64) error { return nil }

func (l *itemLister) table(name string, _ []string) (func([]byte) error, error) {
	var to *[]SnapshotItem
	switch name {
	case "patterns":
		to = &l.designs
	case "platform.share_links":
		to = &l.shares
	default:
		return func([]byte) error { return nil }, nil
	}
	return func(row []byte) error {
		var it struct {
			ID        int64   `json:"id"`
			Name      string  `json:"name"`
			DeletedAt *string `json:"deleted_at"`
		}
		if err := json.Unmarshal(row, &it); err != nil {
			return err
		}
		*to = append(*to, SnapshotItem{ID: it.ID, Name: it.Name, Deleted: it.DeletedAt != nil})
		return nil
	}, nil
}

// SnapshotContents lists what snapshot snapID holds that the workspace
// has lost since: designs no longer there or now in the trash, and share
// links no longer there (at most limit of each).
func (s *Service) SnapshotContents(ctx context.Context, tenantID, snapID int64, limit int) (*store.Snapshot, []SnapshotItem, []SnapshotItem, error) {
	snap, err := s.Store.Snapshot(ctx, tenantID, snapID)
	if err != nil {
		return nil, nil, nil, ErrNoSnapshot.Wrap(err)
	}
	l := &itemLister{}
	if err := readFrom(s.snapshotReader(ctx, snap), l); err != nil {
		return nil, nil, nil, err
	}
	var designs, shares []SnapshotItem
	err = s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		for _, d := range l.designs {
			if len(designs) >= limit || d.Deleted {
				continue
			}
			live, err := tx.Pattern(ctx, d.ID, 0)
			if err == nil && live != nil {
				continue
			}
			exists, err := tx.PatternExists(ctx, d.ID)
			if err != nil {
				return err
			}
			d.Live = exists
			designs = append(designs, d)
		}
		have, err := tx.Shares(ctx)
		if err != nil {
			return err
		}
		for _, sh := range l.shares {
			if len(shares) >= limit || slices.ContainsFunc(have, func(h *store.ShareLink) bool { return h.ID == sh.ID }) {
				continue
			}
			shares = append(shares, sh)
		}
		return nil
	})
	return snap, designs, shares, err
}

// Trash lists the designs in the trash (at most limit) and how many
// there are.
func (s *Service) Trash(ctx context.Context, tenantID int64, limit int) ([]store.TrashedPattern, int64, error) {
	var out []store.TrashedPattern
	var n int64
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		out, n, err = tx.Trash(ctx, limit)
		return err
	})
	return out, n, err
}

// Untrash takes designs out of the trash.
func (s *Service) Untrash(ctx context.Context, tenantID, userID int64, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, library.ErrNothingTaken
	}
	var n int
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if n, err = tx.RestoreFromTrash(ctx, ids); err != nil {
			return err
		}
		if n == 0 {
			return library.ErrGone
		}
		if err := tx.RefreshSearch(ctx, ids); err != nil {
			return err
		}
		return tx.LogRestore(ctx, userID, fmt.Sprintf("Took %d designs out of the trash.", n))
	})
	return n, err
}

// PurgeTrash deletes for good the designs in the trash for longer than
// TrashDays (their files stay while a kept snapshot references them) and
// returns how many.
func (s *Service) PurgeTrash(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.Store.WithBackupLock(ctx, tenantID, func() error {
		return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
			ids, err := tx.PurgeTrash(ctx, s.now().Add(-TrashDays*24*time.Hour))
			n = len(ids)
			return err
		})
	})
	if err != nil {
		return 0, fmt.Errorf("backup: empty the trash of tenant %d: %w", tenantID, err)
	}
	return n, nil
}

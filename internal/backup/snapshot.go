package backup

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/store"
)

// Policy says when snapshots are taken, how many are kept and how often
// they are checked.
type Policy struct {
	// Off turns scheduled snapshots off (a person can still take one).
	Off bool
	// Every, when set, takes a snapshot that often; else one a day at
	// At after local midnight.
	Every time.Duration
	At    time.Duration
	// Daily, Weekly and Monthly are how many of each are kept: the newest
	// snapshot of each of the last Daily days that have one, of the last
	// Weekly weeks, of the last Monthly months.
	Daily, Weekly, Monthly int
	// CheckEvery is how often each workspace's latest snapshot is
	// restored into a scratch schema and compared.
	CheckEvery time.Duration
}

// DefaultPolicy is nightly at 02:00, keeping 7 daily, 4 weekly and 12
// monthly snapshots, each workspace checked weekly.
func DefaultPolicy() Policy {
	return Policy{At: 2 * time.Hour, Daily: 7, Weekly: 4, Monthly: 12, CheckEvery: 7 * 24 * time.Hour}
}

// ParseSchedule reads a schedule: "off", "HH:MM" (daily at that local
// time) or a duration such as "6h" (that often).
func ParseSchedule(p *Policy, s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "off":
		p.Off = true
		return nil
	case strings.Contains(s, ":"):
		h, m, _ := strings.Cut(s, ":")
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
			return fmt.Errorf("want a time of day such as 02:00")
		}
		p.At, p.Every, p.Off = time.Duration(hh)*time.Hour+time.Duration(mm)*time.Minute, 0, false
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 5*time.Minute {
		return fmt.Errorf("want off, a time of day such as 02:00, or an interval of at least 5m such as 6h")
	}
	p.Every, p.Off = d, false
	return nil
}

// ParseRetention reads how many snapshots are kept: "7d 4w 12m" (daily,
// weekly, monthly; any may be left out to keep none of that kind).
func ParseRetention(p *Policy, s string) error {
	p.Daily, p.Weekly, p.Monthly = 0, 0, 0
	for _, f := range strings.Fields(strings.ReplaceAll(s, ",", " ")) {
		if len(f) < 2 {
			return fmt.Errorf("want counts such as 7d 4w 12m")
		}
		n, err := strconv.Atoi(f[:len(f)-1])
		if err != nil || n < 0 || n > 1000 {
			return fmt.Errorf("want counts such as 7d 4w 12m")
		}
		switch f[len(f)-1] {
		case 'd':
			p.Daily = n
		case 'w':
			p.Weekly = n
		case 'm':
			p.Monthly = n
		default:
			return fmt.Errorf("want counts such as 7d 4w 12m (d daily, w weekly, m monthly)")
		}
	}
	if p.Daily+p.Weekly+p.Monthly == 0 {
		return fmt.Errorf("keep at least one snapshot, such as 7d")
	}
	return nil
}

// SpecialDays is how long snapshots a person took, or that a restore or
// a deletion took first, are kept whatever the retention rules say.
const SpecialDays = 30

// Retain decides which snapshots to keep at now: the newest always; the
// newest of each of the last Daily days, Weekly ISO weeks and Monthly
// months that have one (local time); and the manual, before-restore and
// before-delete ones for SpecialDays.
func Retain(snaps []*store.Snapshot, now time.Time, p Policy) map[int64]bool {
	keep := map[int64]bool{}
	sorted := append([]*store.Snapshot(nil), snaps...)
	sort.Slice(sorted, func(i, j int) bool {
		if !sorted[i].TakenAt.Equal(sorted[j].TakenAt) {
			return sorted[i].TakenAt.After(sorted[j].TakenAt)
		}
		return sorted[i].ID > sorted[j].ID
	})
	if len(sorted) > 0 {
		keep[sorted[0].ID] = true
	}
	bucket := func(n int, key func(time.Time) string) {
		seen := map[string]bool{}
		for _, s := range sorted {
			if len(seen) >= n {
				return
			}
			k := key(s.TakenAt.Local())
			if !seen[k] {
				seen[k] = true
				keep[s.ID] = true
			}
		}
	}
	bucket(p.Daily, func(t time.Time) string { return t.Format("2006-01-02") })
	bucket(p.Weekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-%d", y, w) })
	bucket(p.Monthly, func(t time.Time) string { return t.Format("2006-01") })
	for _, s := range sorted {
		if s.Kind != store.SnapshotScheduled && now.Sub(s.TakenAt) < SpecialDays*24*time.Hour {
			keep[s.ID] = true
		}
	}
	return keep
}

// Snapshot takes a snapshot of workspace tenantID now: its manifest,
// read in one REPEATABLE READ transaction, gzipped into blob storage, and
// its row, recorded with the references to its files in that same
// transaction (a crash leaves the previous snapshots as they were, and at
// most an unreferenced object that the next prune removes).
func (s *Service) Snapshot(ctx context.Context, tenantID int64, kind string) (*store.Snapshot, error) {
	var snap *store.Snapshot
	err := s.Store.WithBackupLock(ctx, tenantID, func() error {
		var err error
		snap, err = s.snapshotLocked(ctx, tenantID, kind)
		return err
	})
	return snap, err
}

func (s *Service) snapshotLocked(ctx context.Context, tenantID int64, kind string) (*store.Snapshot, error) {
	t0 := time.Now()
	now := s.now().UTC()
	key := blob.Key(tenantID, "snapshots", now.Format("20060102T150405Z")+"-"+randomName()+".json.gz")
	snap := &store.Snapshot{Kind: kind, TakenAt: now, IndexKey: key}
	err := s.Store.TenantSnapshot(ctx, tenantID, false, func(tx *store.TenantTx) error {
		h, err := s.header(ctx, tx)
		if err != nil {
			return err
		}
		h.CreatedAt = now
		if snap.ID, err = tx.NextSnapshotID(ctx); err != nil {
			return err
		}
		prev, err := tx.LatestSnapshotID(ctx)
		if err != nil {
			return err
		}
		sum, size, err := s.putManifest(ctx, key, func(w io.Writer) error {
			mw, err := newManifestWriter(w, h)
			if err != nil {
				return err
			}
			counts, err := dumpTables(ctx, tx, mw)
			for _, n := range counts {
				snap.Rows += n
			}
			if err != nil {
				return err
			}
			return mw.close()
		})
		if err != nil {
			return err
		}
		snap.IndexSHA256, snap.StoredBytes = sum, size
		refs, files, fileBytes, err := tx.FileRefsSum(ctx)
		if err != nil {
			return err
		}
		snap.RefsSHA256, snap.Files, snap.FileBytes = refs, int(files), fileBytes
		designs, err := tx.CountPatterns(ctx)
		if err != nil {
			return err
		}
		snap.Designs = int(designs)
		if err := tx.RecordBackupRefs(ctx, snap.ID, prev); err != nil {
			return err
		}
		snap.TookMS = int(time.Since(t0).Milliseconds())
		return tx.InsertSnapshot(ctx, snap)
	})
	if err != nil {
		s.Blobs.Delete(context.WithoutCancel(ctx), key)
		return nil, fmt.Errorf("backup: snapshot of tenant %d: %w", tenantID, err)
	}
	snap.TenantID = tenantID
	s.log().Info("backup: snapshot taken", "tenant", tenantID, "id", snap.ID, "kind", kind, "designs", snap.Designs,
		"rows", snap.Rows, "bytes", snap.StoredBytes, "took", time.Since(t0).Round(time.Millisecond))
	return snap, nil
}

// putManifest stores what write writes, gzipped, under key, streaming
// (nothing is held but the compressor's window), and returns the SHA-256
// and size of what was stored.
func (s *Service) putManifest(ctx context.Context, key string, write func(io.Writer) error) ([]byte, int64, error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := s.Blobs.Put(ctx, key, pr, -1, "application/gzip")
		pr.CloseWithError(err)
		done <- err
	}()
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(pw, h)}
	gz, _ := gzip.NewWriterLevel(cw, gzip.BestSpeed)
	err := write(gz)
	if err == nil {
		err = gz.Close()
	}
	if err != nil {
		pw.CloseWithError(err)
		<-done
		return nil, 0, err
	}
	pw.Close()
	if err := <-done; err != nil {
		return nil, 0, err
	}
	return h.Sum(nil), cw.n, nil
}

// snapshotReader opens a snapshot's manifest, uncompressed; its end fails
// with ErrDamaged when the stored bytes do not match the SHA-256 recorded
// when it was taken.
func (s *Service) snapshotReader(ctx context.Context, snap *store.Snapshot) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		rc, _, err := s.Blobs.Get(ctx, snap.IndexKey)
		if errors.Is(err, blob.ErrNotFound) {
			return nil, ErrDamaged.Reword(fmt.Sprintf("Snapshot %d is missing from storage (%s), so nothing was restored.", snap.ID, snap.IndexKey)).Wrap(err)
		}
		if err != nil {
			return nil, err
		}
		v := &checkedStream{r: rc, h: sha256.New(), want: snap.IndexSHA256, snap: snap}
		gz, err := gzip.NewReader(v)
		if err != nil {
			rc.Close()
			return nil, ErrDamaged.Reword(fmt.Sprintf("Snapshot %d (%s) is damaged: it is not the file that was stored. Nothing was restored.", snap.ID, snap.IndexKey)).Wrap(err)
		}
		return &gzipCloser{Reader: gz, under: rc}, nil
	}
}

type gzipCloser struct {
	*gzip.Reader
	under io.Closer
}

func (g *gzipCloser) Close() error { g.Reader.Close(); return g.under.Close() }

// checkedStream fails at its end when what was read does not hash to
// want.
type checkedStream struct {
	r    io.Reader
	h    hash.Hash
	want []byte
	snap *store.Snapshot
}

func (c *checkedStream) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && !bytes.Equal(c.h.Sum(nil), c.want) {
		return n, ErrDamaged.Reword(fmt.Sprintf("Snapshot %d (%s) is damaged: its checksum does not match the one recorded when it was taken. Nothing was restored.", c.snap.ID, c.snap.IndexKey))
	}
	return n, err
}

// RestoreSnapshot puts workspace tenantID back as it was in snapshot
// snapID: all of it is checked first (the snapshot's checksum, every
// table complete, every file it references still stored), then a
// snapshot of the present is taken (so the restore can itself be undone)
// and the workspace is replaced in one transaction.
func (s *Service) RestoreSnapshot(ctx context.Context, tenantID, snapID int64, opt RestoreOptions) (*RestoreSummary, error) {
	snap, err := s.Store.Snapshot(ctx, tenantID, snapID)
	if err != nil {
		return nil, ErrNoSnapshot.Wrap(err)
	}
	open := s.snapshotReader(ctx, snap)
	chk := newChecker(tenantID, true)
	if err := readFrom(open, chk); err != nil {
		return nil, err
	}
	var sum *RestoreSummary
	err = s.Store.WithBackupLock(ctx, tenantID, func() error {
		if err := s.ensureFiles(ctx, tenantID, chk); err != nil {
			return err
		}
		before, err := s.prepare(ctx, tenantID, true)
		if err != nil {
			return err
		}
		if sum, err = s.load(ctx, tenantID, chk, open, false, opt); err != nil {
			return err
		}
		sum.Before = before
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.redrawMissing(ctx, tenantID, chk, sum)
	return sum, nil
}

// ensureFiles makes sure every file a checked snapshot references is in
// storage, bringing back from other snapshots those that are not (see
// recoverFile); a file that cannot be found is ErrFileMissing, naming it.
func (s *Service) ensureFiles(ctx context.Context, tenantID int64, chk *checker) error {
	missing, err := s.missing(ctx, tenantID, chk.files)
	if err != nil {
		return err
	}
	for _, f := range missing {
		ok, err := s.recoverFile(ctx, tenantID, f.BlobKey, f.sum, 0)
		if err != nil {
			return err
		}
		if !ok {
			return ErrFileMissing.Reword(fmt.Sprintf("The file %q (of design %d) that this snapshot needs is missing from storage and no other snapshot holds it, so nothing was restored.", f.FileName, f.PatternID))
		}
	}
	return nil
}

// missing returns the files whose stored copy is gone, by file id.
func (s *Service) missing(ctx context.Context, tenantID int64, files map[int64]*fileRow) ([]*fileRow, error) {
	present := map[string]bool{}
	err := s.Blobs.List(ctx, blob.Key(tenantID, "blobs"), func(i blob.Info) error { present[i.Key] = true; return nil })
	if err != nil {
		return nil, fmt.Errorf("backup: list stored files of tenant %d: %w", tenantID, err)
	}
	var out []*fileRow
	checked := map[string]bool{}
	for _, f := range files {
		if present[f.BlobKey] || checked[f.BlobKey] {
			continue
		}
		checked[f.BlobKey] = true
		if _, err := s.Blobs.Stat(ctx, f.BlobKey); errors.Is(err, blob.ErrNotFound) {
			out = append(out, f)
		} else if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// redrawMissing draws the grid thumbnails of restored designs that have
// none (designs purged from the trash since the snapshot).
func (s *Service) redrawMissing(ctx context.Context, tenantID int64, chk *checker, sum *RestoreSummary) {
	if s.Library == nil {
		return
	}
	have := map[string]bool{}
	s.Blobs.List(ctx, blob.Key(tenantID, "thumbs"), func(i blob.Info) error { have[i.Key] = true; return nil })
	done := map[int64]bool{}
	for _, f := range chk.files {
		if done[f.PatternID] || have[library.ThumbKey(tenantID, f.PatternID, library.ThumbGrid)] {
			continue
		}
		done[f.PatternID] = true
		if s.Library.RedrawThumbnail(ctx, tenantID, f.PatternID) == nil {
			sum.Redrawn++
		}
	}
}

// Prune drops the snapshots of workspace tenantID that the policy no
// longer keeps, the file references only they held, and stored snapshot
// objects no row names (left by a crash); it records what the kept
// backups take. It returns how many snapshots were dropped.
func (s *Service) Prune(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.Store.WithBackupLock(ctx, tenantID, func() error {
		var err error
		n, err = s.pruneLocked(ctx, tenantID)
		return err
	})
	return n, err
}

func (s *Service) pruneLocked(ctx context.Context, tenantID int64) (int, error) {
	snaps, err := s.Store.Snapshots(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	keep := Retain(snaps, s.now(), s.Policy)
	var drop, kept []int64
	var gone []string
	for _, sn := range snaps {
		if keep[sn.ID] {
			kept = append(kept, sn.ID)
		} else {
			drop = append(drop, sn.ID)
			gone = append(gone, sn.IndexKey)
		}
	}
	if len(drop) > 0 {
		if err := s.Store.DeleteSnapshots(ctx, tenantID, drop); err != nil {
			return 0, err
		}
	}
	var onlyBackups int64
	err = s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		onlyBackups, err = tx.PruneBackupRefs(ctx, kept)
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, k := range gone {
		if err := s.Blobs.Delete(ctx, k); err != nil {
			s.log().Warn("backup: delete dropped snapshot", "key", k, "err", err)
		}
	}
	named, err := s.Store.SnapshotIndexKeys(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	var objects int64
	cutoff := s.now().Add(-time.Hour)
	err = s.Blobs.List(ctx, blob.Key(tenantID, "snapshots"), func(i blob.Info) error {
		if named[i.Key] {
			objects += i.Size
			return nil
		}
		if i.ModTime.Before(cutoff) {
			return s.Blobs.Delete(ctx, i.Key)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("backup: tidy stored snapshots of tenant %d: %w", tenantID, err)
	}
	return len(drop), s.Store.SetBackupBytes(ctx, tenantID, objects+onlyBackups)
}

package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// SampleFiles is how many stored files a restore check reads back and
// hashes, unless Service.Sample says otherwise.
const SampleFiles = 20

// CheckResult is what a restore check found.
type CheckResult struct {
	Snapshot *store.Snapshot
	OK       bool
	// Rows are the rows of each table: in the snapshot, then restored.
	Rows map[string][2]int64
	// RefsMatch: the restored file references hash as recorded.
	RefsMatch bool
	// Sampled files were read back; Damaged did not hash right.
	Sampled int
	Damaged []string
	// Missing files were gone from storage; Recovered were brought back
	// from another snapshot's copy.
	Missing   []string
	Recovered []string
	// Problems say what failed, one sentence each.
	Problems []string
	Took     time.Duration
}

// Report is the result in a few lines, for the snapshot's record, the
// owner and the admin.
func (c *CheckResult) Report() string {
	var b strings.Builder
	if c.OK {
		var rows int64
		for _, r := range c.Rows {
			rows += r[1]
		}
		fmt.Fprintf(&b, "Restored %d rows of %d tables into a scratch copy: all there; file references match; %d stored files read back and checked.",
			rows, len(c.Rows), c.Sampled)
	} else {
		b.WriteString(strings.Join(c.Problems, "\n"))
	}
	if len(c.Recovered) > 0 {
		fmt.Fprintf(&b, "\nBrought back from an older snapshot: %s.", strings.Join(c.Recovered, ", "))
	}
	return b.String()
}

// Check restores workspace tenantID's latest snapshot into a scratch
// schema and compares: the row count of every table, the checksum of the
// file references, and a sample of stored files read back and hashed;
// every file the snapshot references must still be stored (a missing one
// is brought back from the most recent snapshot that has its content
// under a key still stored, else reported). The scratch schema is never
// committed. The result is recorded on the snapshot; a failure alerts the
// platform admins. A workspace without snapshots returns nil.
func (s *Service) Check(ctx context.Context, tenantID int64) (*CheckResult, error) {
	var res *CheckResult
	err := s.Store.WithBackupLock(ctx, tenantID, func() error {
		var err error
		res, err = s.checkLocked(ctx, tenantID)
		return err
	})
	if err != nil || res == nil {
		return res, err
	}
	if err := s.Store.RecordSnapshotCheck(ctx, res.Snapshot.ID, res.OK, res.Report()); err != nil {
		return res, err
	}
	res.Snapshot.CheckOK, res.Snapshot.CheckReport = &res.OK, res.Report()
	if !res.OK {
		s.alert(ctx, tenantID, res)
	}
	return res, nil
}

func (s *Service) checkLocked(ctx context.Context, tenantID int64) (*CheckResult, error) {
	t0 := time.Now()
	snaps, err := s.Store.Snapshots(ctx, tenantID)
	if err != nil || len(snaps) == 0 {
		return nil, err
	}
	snap := snaps[0]
	res := &CheckResult{Snapshot: snap, Rows: map[string][2]int64{}}
	fail := func(format string, args ...any) { res.Problems = append(res.Problems, fmt.Sprintf(format, args...)) }
	open := s.snapshotReader(ctx, snap)
	chk := newChecker(tenantID, true)
	if err := readFrom(open, chk); err != nil {
		fail("The snapshot of %s cannot be read: %s", snap.TakenAt.Format(time.RFC3339), message(err))
		res.Took = time.Since(t0)
		return res, nil
	}
	err = s.Store.Scratch(ctx, tenantID, func(tx *store.TenantTx) error {
		l := &loader{ctx: ctx, tx: tx, tenantID: tenantID, tenantOnly: true, m: &store.RestoreMap{}}
		if err := readFrom(open, l); err != nil {
			fail("Restoring the snapshot failed: %s", message(err))
			return nil
		}
		for i := range store.WorkspaceTables {
			w := &store.WorkspaceTables[i]
			if !w.Copied() || w.Platform() {
				continue
			}
			n, err := tx.CountWorkspaceTable(ctx, w)
			if err != nil {
				return err
			}
			res.Rows[w.Name] = [2]int64{chk.counts[w.Name], n}
			if n != chk.counts[w.Name] {
				fail("The table %s restored %d rows of %d.", w.Name, n, chk.counts[w.Name])
			}
		}
		sum, _, _, err := tx.FileRefsSum(ctx)
		if err != nil {
			return err
		}
		res.RefsMatch = bytes.Equal(sum, snap.RefsSHA256)
		if !res.RefsMatch {
			fail("The restored file references do not match the checksum recorded when the snapshot was taken.")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: check tenant %d: %w", tenantID, err)
	}
	missing, err := s.missing(ctx, tenantID, chk.files)
	if err != nil {
		return nil, err
	}
	for _, f := range missing {
		ok, err := s.recoverFile(ctx, tenantID, f.BlobKey, f.sum, 0)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("%q of design %d", f.FileName, f.PatternID)
		if ok {
			res.Recovered = append(res.Recovered, name)
			continue
		}
		res.Missing = append(res.Missing, name)
		fail("The file %s (%s) is missing from storage and no snapshot holds another copy.", name, f.BlobKey)
	}
	s.sample(ctx, chk, res)
	for _, d := range res.Damaged {
		fail("The stored file %s does not match its checksum.", d)
	}
	res.OK = len(res.Problems) == 0
	res.Took = time.Since(t0)
	s.log().Info("backup: restore check", "tenant", tenantID, "snapshot", snap.ID, "ok", res.OK, "took", res.Took.Round(time.Millisecond))
	return res, nil
}

// sample reads back and hashes SampleFiles stored files picked at random.
func (s *Service) sample(ctx context.Context, chk *checker, res *CheckResult) {
	var files []*fileRow
	for _, f := range chk.files {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].ID < files[j].ID })
	rand.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
	n := s.Sample
	if n <= 0 {
		n = SampleFiles
	}
	for _, f := range files[:min(n, len(files))] {
		rc, _, err := s.Blobs.Get(ctx, f.BlobKey)
		if err != nil {
			continue // reported as missing above
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		res.Sampled++
		if err != nil || n != f.Size || !bytes.Equal(h.Sum(nil), f.sum) {
			res.Damaged = append(res.Damaged, fmt.Sprintf("%q of design %d (%s)", f.FileName, f.PatternID, f.BlobKey))
		}
	}
}

// message is what a person may read of err.
func message(err error) string {
	if p, ok := problem.As(err); ok {
		return p.Message
	}
	return err.Error()
}

// refFinder looks through a snapshot for another stored key holding some
// content.
type refFinder struct {
	sum  []byte
	not  string
	keys []string
}

func (r *refFinder) header(*Header) error { return nil }

func (r *refFinder) file(FileEntry) error { return nil }

func (r *refFinder) endTable(string, int64, int64) error { return nil }

func (r *refFinder) table(name string, _ []string) (func([]byte) error, error) {
	if name != "pattern_files" {
		return func([]byte) error { return nil }, nil
	}
	return func(row []byte) error {
		var f fileRow
		if err := json.Unmarshal(row, &f); err != nil {
			return nil
		}
		if sum, err := bytea(f.SHA256); err == nil && bytes.Equal(sum, r.sum) && f.BlobKey != r.not {
			r.keys = append(r.keys, f.BlobKey)
		}
		return nil
	}, nil
}

// recoverFile brings back the stored file key (of content sum) from the
// most recent snapshot of the workspace that references the same content
// under another key that storage still holds, checking what it copies.
// It reports whether the file is back.
func (s *Service) recoverFile(ctx context.Context, tenantID int64, key string, sum []byte, skip int64) (bool, error) {
	snaps, err := s.Store.Snapshots(ctx, tenantID)
	if err != nil {
		return false, err
	}
	tried := map[string]bool{}
	for _, sn := range snaps {
		if sn.ID == skip {
			continue
		}
		f := &refFinder{sum: sum, not: key}
		if err := readFrom(s.snapshotReader(ctx, sn), f); err != nil {
			continue // a damaged snapshot has nothing to give
		}
		for _, alt := range f.keys {
			if tried[alt] || !strings.HasPrefix(alt, blob.Key(tenantID)+"/") {
				continue
			}
			tried[alt] = true
			rc, _, err := s.Blobs.Get(ctx, alt)
			if errors.Is(err, blob.ErrNotFound) {
				continue
			}
			if err != nil {
				return false, err
			}
			err = s.Blobs.Put(ctx, key, &verifyingReader{r: rc, h: sha256.New(), want: sum, name: alt}, -1, "application/octet-stream")
			rc.Close()
			if err == nil {
				s.log().Warn("backup: brought a missing file back from a snapshot", "tenant", tenantID, "key", key, "from", alt, "snapshot", sn.ID)
				return true, nil
			}
		}
	}
	return false, nil
}

// alert tells the platform admins a restore check failed.
func (s *Service) alert(ctx context.Context, tenantID int64, res *CheckResult) {
	s.log().Error("backup: restore check failed", "tenant", tenantID, "snapshot", res.Snapshot.ID, "report", res.Report())
	t, err := s.Store.TenantByID(ctx, tenantID)
	if err != nil {
		return
	}
	admins, err := s.Store.PlatformAdminEmails(ctx)
	if err != nil {
		s.log().Error("backup: alert admins", "err", err)
		return
	}
	for _, a := range admins {
		s.send(ctx, a, mail.BackupAlertData{Workspace: t.Name, Slug: t.Slug, Snapshot: res.Snapshot.ID,
			Report: res.Report(), Link: s.BaseURL + "/admin/backups"})
	}
}

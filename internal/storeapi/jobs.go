package storeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The background work of a delivery: fetch (download and check), land
// (import into the workspace, then record the purchases) and callback
// (tell the store). Each job finds the delivery's state in its row and
// does only what is left, so a rerun after a crash is harmless.

// FetchArgs is the job that downloads and checks a delivery's files.
type FetchArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job for River.
func (FetchArgs) Kind() string { return "store_fetch" }

// InsertOpts: a crash reruns the fetch; a store's 5xx snoozes the job
// (RetryDelays) rather than counting an attempt.
func (FetchArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// LandArgs is the job that imports a delivery and records its purchases.
type LandArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job for River.
func (LandArgs) Kind() string { return "store_land" }

// InsertOpts: waiting for the import snoozes; errors retry.
func (LandArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

// CallbackArgs is the job that tells the store how a delivery ended.
type CallbackArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job for River.
func (CallbackArgs) Kind() string { return "store_callback" }

// InsertOpts retries an unreachable store with River's backoff, about
// nine hours in all.
func (CallbackArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 8} }

type fetchWorker struct {
	river.WorkerDefaults[FetchArgs]
	svc *Service
}

func (w *fetchWorker) Work(ctx context.Context, job *river.Job[FetchArgs]) error {
	return w.svc.fetch(ctx, job.Args.DeliveryID)
}

func (w *fetchWorker) Timeout(*river.Job[FetchArgs]) time.Duration {
	return time.Duration(MaxFiles+1)*w.svc.Fetcher.Limits().Timeout + time.Minute
}

type landWorker struct {
	river.WorkerDefaults[LandArgs]
	svc *Service
}

func (w *landWorker) Work(ctx context.Context, job *river.Job[LandArgs]) error {
	return w.svc.land(ctx, job.Args.DeliveryID)
}

func (w *landWorker) Timeout(*river.Job[LandArgs]) time.Duration { return 10 * time.Minute }

type callbackWorker struct {
	river.WorkerDefaults[CallbackArgs]
	svc *Service
}

func (w *callbackWorker) Work(ctx context.Context, job *river.Job[CallbackArgs]) error {
	return w.svc.callback(ctx, job.Args.DeliveryID, job.Attempt)
}

// AddWorkers registers the store jobs' workers.
func (s *Service) AddWorkers(ws *river.Workers) {
	river.AddWorker(ws, &fetchWorker{svc: s})
	river.AddWorker(ws, &landWorker{svc: s})
	river.AddWorker(ws, &callbackWorker{svc: s})
}

// fetch downloads a delivery's files, checks they hold a design and keeps
// them; the delivery then waits (Inbox, claim link) or lands.
func (s *Service) fetch(ctx context.Context, id int64) error {
	d, err := s.Store.Delivery(ctx, id)
	if err != nil {
		return err
	}
	if d.Status != store.DeliveryFetching {
		return nil
	}
	var req ImportRequest
	if err := json.Unmarshal(d.Request, &req); err != nil {
		return s.fail(ctx, d.ID, "internal", "the request could not be read back")
	}
	ps, err := s.Store.PatternStoreByID(ctx, d.StoreID)
	if err != nil {
		return err
	}
	var files []*Fetched
	var total int64
	for _, u := range req.urls() {
		f, err := s.Fetcher.Fetch(ctx, u, ps.AllowedHosts)
		if err != nil {
			return s.fetchFailed(ctx, d, u, err)
		}
		total += int64(len(f.Data))
		if total > s.Fetcher.Limits().MaxBytes {
			return s.fail(ctx, d.ID, "too_large", fmt.Sprintf("the files are over the limit of %d bytes together", s.Fetcher.Limits().MaxBytes))
		}
		files = append(files, f)
	}
	var thumb *Fetched
	if req.ThumbnailURL != "" {
		// The picture is a nicety: the design's own thumbnail is drawn
		// from its geometry, so a missing picture does not fail it.
		if t, err := s.Fetcher.Fetch(ctx, req.ThumbnailURL, ps.AllowedHosts); err == nil && pictureExt(t.Data) != "" {
			thumb = t
		} else if err != nil {
			s.log().Info("storeapi: thumbnail not fetched", "delivery", d.ID, "err", err)
		}
	}
	name, data := bundle(req.PatternName, files, thumb)
	names, sums, err := inspect(data, name, s.Library.Limits)
	if err != nil {
		fe := err.(*FetchError)
		return s.fail(ctx, d.ID, fe.Code, fe.Reason)
	}
	key := fmt.Sprintf("stores/%d/deliveries/%d/%s", d.StoreID, d.ID, keyName(name))
	if err := s.Blobs.Put(ctx, key, strings.NewReader(string(data)), int64(len(data)), "application/octet-stream"); err != nil {
		return fmt.Errorf("storeapi: keep delivery %d: %w", d.ID, err)
	}
	status := store.DeliveryClaim
	switch {
	case d.AutoLand:
		status = store.DeliveryImporting
	case d.UserID != nil:
		status = store.DeliveryInbox
	}
	err = s.Store.PlatformTx(ctx, func(st *store.Store, tx pgx.Tx) error {
		if err := st.DeliveryChecked(ctx, d.ID, status, key, int64(len(data)), names, sums); err != nil {
			return err
		}
		if status == store.DeliveryImporting {
			_, err := s.Queue.InsertTx(ctx, tx, LandArgs{DeliveryID: d.ID}, nil)
			return err
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		s.Blobs.Delete(context.WithoutCancel(ctx), key)
		return nil // finished meanwhile
	}
	return err
}

// fetchFailed retries a temporary failure later and fails the delivery
// for anything else, or after the last retry.
func (s *Service) fetchFailed(ctx context.Context, d *store.Delivery, u string, err error) error {
	var fe *FetchError
	if !errors.As(err, &fe) {
		return err
	}
	if fe.Temporary {
		n, err := s.Store.CountFetchAttempt(ctx, d.ID)
		if err != nil {
			return err
		}
		if delays := s.retryDelays(); n <= len(delays) {
			s.log().Info("storeapi: fetch will be retried", "delivery", d.ID, "attempt", n, "err", fe)
			return river.JobSnooze(delays[n-1])
		}
		fe.Reason += fmt.Sprintf(" (gave up after %d attempts)", len(s.retryDelays())+1)
	}
	return s.fail(ctx, d.ID, fe.Code, fe.Reason)
}

// fail ends a delivery that has not landed, with why, and tells the store.
func (s *Service) fail(ctx context.Context, id int64, code, reason string) error {
	ctx = context.WithoutCancel(ctx)
	err := s.Store.PlatformTx(ctx, func(st *store.Store, tx pgx.Tx) error {
		if err := st.FailDelivery(ctx, id, code, reason); err != nil {
			return err
		}
		return s.queueCallback(ctx, st, tx, id)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil // it had finished already
	}
	if err != nil {
		return fmt.Errorf("storeapi: fail delivery %d: %w", id, err)
	}
	if d, err := s.Store.Delivery(ctx, id); err == nil && d.BundleKey != "" {
		s.Blobs.Delete(ctx, d.BundleKey)
	}
	s.log().Info("storeapi: delivery failed", "delivery", id, "code", code, "reason", reason)
	return nil
}

func (s *Service) queueCallback(ctx context.Context, _ *store.Store, tx pgx.Tx, id int64) error {
	_, err := s.Queue.InsertTx(ctx, tx, CallbackArgs{DeliveryID: id}, nil)
	return err
}

// land imports a delivery into its workspace, waits for the import, and
// records a purchase on every design the delivery holds.
func (s *Service) land(ctx context.Context, id int64) error {
	d, err := s.Store.Delivery(ctx, id)
	if err != nil {
		return err
	}
	if d.Status != store.DeliveryImporting || d.TenantID == nil || d.UserID == nil {
		return nil
	}
	tenantID, userID := *d.TenantID, *d.UserID
	if d.BatchID == nil {
		if err := s.entitled(ctx, tenantID, max(1, len(d.DesignNames))); err != nil {
			if p, ok := problem.As(err); ok {
				return s.fail(ctx, d.ID, p.Code, p.Message)
			}
			return err
		}
		rc, info, err := s.Blobs.Get(ctx, d.BundleKey)
		if err != nil {
			return fmt.Errorf("storeapi: read delivery %d: %w", d.ID, err)
		}
		batch, err := s.Library.StartImport(ctx, tenantID, userID, []library.Upload{{Name: bundleNameOf(d.BundleKey), Body: rc, Size: info.Size}}, false)
		rc.Close()
		if p, ok := problem.As(err); ok {
			return s.fail(ctx, d.ID, p.Code, p.Message)
		}
		if err != nil {
			return fmt.Errorf("storeapi: import delivery %d: %w", d.ID, err)
		}
		if err := s.Store.SetDeliveryBatch(ctx, d.ID, batch.ID); err != nil {
			return err
		}
		return river.JobSnooze(s.landPoll())
	}
	b, err := s.Store.Batch(ctx, tenantID, *d.BatchID)
	if err != nil {
		return err
	}
	switch b.Status {
	case store.BatchDone:
	case store.BatchFailed:
		return s.fail(ctx, d.ID, "import_failed", importReason(b))
	default:
		return river.JobSnooze(s.landPoll())
	}
	var req ImportRequest
	json.Unmarshal(d.Request, &req)
	var created, ids []int64
	purchase := &store.Purchase{StoreID: d.StoreID, StoreName: d.StoreName, OrderID: req.OrderID, SKU: req.SKU,
		LicenceText: req.LicenceText, DeliveryID: d.ID}
	if t, err := parseDate(req.PurchaseDate); err == nil {
		purchase.PurchaseDate = &t
	} else {
		t := d.CreatedAt.UTC().Truncate(24 * time.Hour)
		purchase.PurchaseDate = &t
	}
	source := strings.TrimSpace(req.Source)
	if source == "" {
		source = d.StoreName
	}
	err = s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if created, err = tx.PatternsOfBatch(ctx, b.ID); err != nil {
			return err
		}
		held, err := tx.PatternsWithSHA(ctx, d.DesignSHA256)
		if err != nil {
			return err
		}
		ids = union(created, held)
		for _, pid := range ids {
			p := *purchase
			p.PatternID = pid
			if err := tx.RecordPurchase(ctx, &p, source); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return s.fail(ctx, d.ID, "import_failed", importReason(b))
	}
	if len(created) == 1 && len(d.DesignNames) == 1 {
		if _, err := s.Library.EditPattern(ctx, tenantID, created[0], library.Edit{Name: &req.PatternName}); err != nil {
			s.log().Warn("storeapi: name delivered design", "delivery", d.ID, "err", err)
		}
	}
	if len(req.Keywords) > 0 && len(created) > 0 {
		if err := s.Library.AddKeywords(ctx, tenantID, created, req.Keywords); err != nil {
			s.log().Warn("storeapi: keywords of delivered design", "delivery", d.ID, "err", err)
		}
	}
	err = s.Store.PlatformTx(ctx, func(st *store.Store, tx pgx.Tx) error {
		if err := st.DeliveryLanded(ctx, d.ID, ids); err != nil {
			return err
		}
		return s.queueCallback(ctx, st, tx, d.ID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	s.Blobs.Delete(ctx, d.BundleKey)
	return nil
}

// importReason says why an import batch stored nothing.
func importReason(b *store.ImportBatch) string {
	var parts []string
	if b.Error != "" {
		parts = append(parts, b.Error)
	}
	for _, f := range b.Failed {
		parts = append(parts, f.File+": "+f.Reason)
	}
	if len(parts) == 0 {
		return "the import stored no design"
	}
	return strings.Join(parts, " ")
}

func union(a []int64, m map[string]int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range a {
		if !seen[id] {
			seen[id], out = true, append(out, id)
		}
	}
	for _, id := range m {
		if !seen[id] {
			seen[id], out = true, append(out, id)
		}
	}
	return out
}

// callback tells the store how a delivery ended, signed with its secret.
func (s *Service) callback(ctx context.Context, id int64, attempt int) error {
	d, err := s.Store.Delivery(ctx, id)
	if err != nil {
		return err
	}
	if d.CallbackURL == "" {
		return nil
	}
	ps, err := s.Store.PatternStoreByID(ctx, d.StoreID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(CallbackBody(d))
	if err != nil {
		return err
	}
	postErr := s.Fetcher.Post(ctx, d.CallbackURL, ps.AllowedHosts, body, map[string]string{
		"Content-Type": "application/json", SignatureHeader: Sign(ps.SigningSecret, time.Now(), body)})
	status := fmt.Sprintf("sent %s", time.Now().UTC().Format(time.RFC3339))
	if postErr != nil {
		status = fmt.Sprintf("attempt %d failed: %s", attempt, postErr)
	}
	if err := s.Store.SetDeliveryCallback(ctx, d.ID, clip(status)); err != nil {
		return err
	}
	return postErr
}

// Callback is the JSON a store's callback_url receives.
type Callback struct {
	DeliveryID     int64      `json:"delivery_id"`
	Status         string     `json:"status"`
	ReasonCode     string     `json:"reason_code,omitempty"`
	Reason         string     `json:"reason,omitempty"`
	Designs        int        `json:"designs"`
	IdempotencyKey string     `json:"idempotency_key"`
	LandedAt       *time.Time `json:"landed_at,omitempty"`
}

// CallbackBody is the callback of a delivery.
func CallbackBody(d *store.Delivery) Callback {
	return Callback{DeliveryID: d.ID, Status: PublicStatus(d.Status), ReasonCode: d.ReasonCode, Reason: d.Reason,
		Designs: d.Designs, IdempotencyKey: d.IdempotencyKey, LandedAt: d.LandedAt}
}

package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/patternvault/patternvault/internal/blob"
)

// TestOutageMiddleware: a job run that ends on a storage or database
// outage is snoozed (not failed, which would use up an attempt); after outageRuns snoozes in a row the error is
// returned, so the job's own retries take over; other errors pass through.
func TestOutageMiddleware(t *testing.T) {
	m := &outageMiddleware{log: slog.New(slog.DiscardHandler)}
	storageDown := fmt.Errorf("library: import 1: %w", blob.ErrUnavailable)
	dbDown := fmt.Errorf("store: batch 1: %w", &pgconn.PgError{Code: "57P01"})
	broken := errors.New("library: a bug")
	for _, c := range []struct {
		err     error
		meta    string
		snoozed bool
	}{
		{storageDown, `{}`, true},
		{dbDown, `{"snoozes": 3}`, true},
		{storageDown, fmt.Sprintf(`{"snoozes": %d}`, outageRuns), false},
		{broken, `{}`, false},
		{nil, `{}`, false},
	} {
		got := m.Work(context.Background(), &rivertype.JobRow{ID: 1, Kind: "test", Metadata: []byte(c.meta)}, func(ctx context.Context) error {
			return c.err
		})
		var snooze *river.JobSnoozeError
		if errors.As(got, &snooze) != c.snoozed || (!c.snoozed && got != c.err) {
			t.Errorf("%v with %s: middleware returned %v, want snoozed %v", c.err, c.meta, got, c.snoozed)
		}
	}
}

package db

import (
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestUnavailable: what a dead or restarting database returns is an
// outage (503, jobs wait); a query's own failure is not, and neither is a
// client's upload that broke off, whose text also says "unexpected EOF".
func TestUnavailable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&pgconn.PgError{Code: "57P01"}, true}, // admin shutdown
		{&pgconn.PgError{Code: "57P03"}, true}, // starting up, in recovery
		{fmt.Errorf("store: x: %w", &pgconn.PgError{Code: "08006"}), true},
		{fmt.Errorf("store: x: %w", pgconn.ErrConnClosed), true},
		{fmt.Errorf("store: x: %w", io.ErrUnexpectedEOF), true},
		{fmt.Errorf("store: x: %w", syscall.ECONNREFUSED), true},
		{&pgconn.PgError{Code: "23505"}, false}, // unique violation
		{&pgconn.PgError{Code: "42501"}, false}, // permission denied
		{errors.New(`library: the upload could not be read to its end: "a.zip": unexpected EOF`), false},
		{errors.New("store: design 7: no rows in result set"), false},
	} {
		if got := Unavailable(c.err); got != c.want {
			t.Errorf("Unavailable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

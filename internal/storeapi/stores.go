package storeapi

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/auth"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// The platform admin's side: stores, their keys and the meter.

// NewStore is what the admin fills in to create a store.
type NewStore struct {
	Name, Website, Contact string
	// AllowedHosts are the hosts its file and callback URLs may name
	// ("cdn.example.com", "*.example.com", "127.0.0.1" for a test).
	AllowedHosts []string
	// RedirectURIs are where the consent page may send quilters back.
	RedirectURIs []string
	// RatePerMinute is the first key's rate limit (0: DefaultKeyRate).
	RatePerMinute int
}

// Created is a new store with its first key and its signing secret, both
// shown once.
type Created struct {
	Store         *store.PatternStore
	Key           string
	KeyInfo       *store.StoreKey
	SigningSecret string
}

// Problems of the admin's forms.
var (
	ErrBadStoreName = problem.Invalid("bad_store_name", "A store needs a name of up to 100 characters.")
	ErrBadHost      = problem.Invalid("bad_host", "Allowed file hosts are host names such as cdn.example.com or *.example.com (an IP address only for testing).")
	ErrBadRedirect  = problem.Invalid("bad_redirect_uri", "Redirect URIs must be full https addresses (http only for localhost or 127.0.0.1), without a #fragment.")
	ErrBadWebsite   = problem.Invalid("bad_website", "The website must be an http(s) address.")
	ErrBadRate      = problem.Invalid("bad_rate", "A key's rate limit is 1 to 100000 requests a minute.")
)

// CreateStore adds a store and its first key.
func (s *Service) CreateStore(ctx context.Context, n NewStore) (*Created, error) {
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || len(n.Name) > 100 {
		return nil, ErrBadStoreName
	}
	n.Website = strings.TrimSpace(n.Website)
	if n.Website != "" {
		if u, err := url.Parse(n.Website); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, ErrBadWebsite
		}
	}
	hosts, err := cleanHosts(n.AllowedHosts)
	if err != nil {
		return nil, err
	}
	var uris []string
	for _, r := range n.RedirectURIs {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !validRedirect(r) {
			return nil, ErrBadRedirect.Reword(fmt.Sprintf("%q is not a valid redirect URI: use a full https address (http only for localhost or 127.0.0.1), without a #fragment.", clip(r)))
		}
		uris = append(uris, r)
	}
	rate := n.RatePerMinute
	if rate == 0 {
		rate = DefaultKeyRate
	}
	if rate < 1 || rate > 100000 {
		return nil, ErrBadRate
	}
	secret := auth.NewToken(SecretPrefix)
	out := &Created{SigningSecret: secret}
	err = s.Store.Tx(ctx, func(st *store.Store) error {
		var err error
		out.Store, err = st.CreatePatternStore(ctx, &store.PatternStore{Name: n.Name, Website: n.Website, Contact: strings.TrimSpace(n.Contact),
			AllowedHosts: hosts, RedirectURIs: uris, SigningSecret: secret})
		if err != nil {
			return err
		}
		out.Key, out.KeyInfo, err = newKey(ctx, st, out.Store.ID, rate)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storeapi: create store %q: %w", n.Name, err)
	}
	return out, nil
}

func newKey(ctx context.Context, st *store.Store, storeID int64, rate int) (string, *store.StoreKey, error) {
	key := auth.NewToken(KeyPrefix)
	k, err := st.CreateStoreKey(ctx, storeID, key[:len(KeyPrefix)+6], auth.HashToken(key), rate)
	return key, k, err
}

// cleanHosts checks and lower-cases a list of allowed file hosts.
func cleanHosts(in []string) ([]string, error) {
	var out []string
	for _, h := range in {
		for f := range strings.FieldsFuncSeq(h, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
			f = strings.ToLower(strings.Trim(f, "[]"))
			name := strings.TrimPrefix(f, "*.")
			if !validHostName(name) {
				if _, err := parseIP(name); err != nil || strings.HasPrefix(f, "*.") {
					return nil, ErrBadHost.Reword(fmt.Sprintf("%q is not a host name: write it like cdn.example.com or *.example.com.", clip(f)))
				}
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// validRedirect accepts an absolute https URI without fragment, or http to
// a loopback host (for a store's own development).
func validRedirect(r string) bool {
	u, err := url.Parse(r)
	if err != nil || u.Host == "" || u.Fragment != "" || u.User != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		return h == "localhost" || h == "127.0.0.1" || h == "::1"
	}
	return false
}

// Stores lists every store.
func (s *Service) Stores(ctx context.Context) ([]*store.PatternStore, error) {
	return s.Store.PatternStores(ctx)
}

// StoreDetail is a store with its keys.
type StoreDetail struct {
	Store *store.PatternStore
	Keys  []*store.StoreKey
}

// Detail returns a store and its keys.
func (s *Service) Detail(ctx context.Context, storeID int64) (*StoreDetail, error) {
	ps, err := s.Store.PatternStoreByID(ctx, storeID)
	if err != nil {
		return nil, err
	}
	keys, err := s.Store.StoreKeys(ctx, storeID)
	if err != nil {
		return nil, err
	}
	return &StoreDetail{Store: ps, Keys: keys}, nil
}

// RotateKey makes a new key for the store; its other live keys keep
// working for overlap (0: DefaultRotateOverlap), so the store can switch
// without a gap. It returns the new key, shown once.
func (s *Service) RotateKey(ctx context.Context, storeID int64, overlap time.Duration, rate int) (string, *store.StoreKey, error) {
	if overlap <= 0 {
		overlap = DefaultRotateOverlap
	}
	if rate == 0 {
		rate = DefaultKeyRate
	}
	if rate < 1 || rate > 100000 {
		return "", nil, ErrBadRate
	}
	var key string
	var k *store.StoreKey
	err := s.Store.Tx(ctx, func(st *store.Store) error {
		if _, err := st.PatternStoreByID(ctx, storeID); err != nil {
			return err
		}
		var err error
		if key, k, err = newKey(ctx, st, storeID, rate); err != nil {
			return err
		}
		return st.ExpireStoreKeys(ctx, storeID, k.ID, time.Now().Add(overlap))
	})
	if err != nil {
		return "", nil, fmt.Errorf("storeapi: rotate key of store %d: %w", storeID, err)
	}
	return key, k, nil
}

// RevokeKey stops one key of the store at once.
func (s *Service) RevokeKey(ctx context.Context, storeID, keyID int64) error {
	return s.Store.RevokeStoreKey(ctx, storeID, keyID)
}

// SetDisabled turns a store off (every key and grant stops) or on.
func (s *Service) SetDisabled(ctx context.Context, storeID int64, disabled bool) error {
	return s.Store.SetPatternStoreDisabled(ctx, storeID, disabled)
}

// MeterRow is one store's month, with its fee.
type MeterRow struct {
	store.DeliveryMeterRow
	FeeCents int64
}

// Meter returns designs delivered per store per month, for the months
// since since, with the fee per design applied.
func (s *Service) Meter(ctx context.Context, since time.Time) ([]MeterRow, error) {
	rows, err := s.Store.DeliveryMeter(ctx, since)
	if err != nil {
		return nil, err
	}
	out := make([]MeterRow, len(rows))
	for i, r := range rows {
		out[i] = MeterRow{DeliveryMeterRow: *r, FeeCents: int64(r.Designs) * s.FeeCents}
	}
	return out, nil
}

// WriteMeterCSV writes the meter as CSV for invoicing: one line per store
// and month.
func (s *Service) WriteMeterCSV(w io.Writer, rows []MeterRow) error {
	cw := csv.NewWriter(w)
	cur := s.Currency
	if cur == "" {
		cur = "USD"
	}
	cw.Write([]string{"month", "store_id", "store_name", "deliveries", "designs", "fee_per_design", "fee_total", "currency"})
	for _, r := range rows {
		cw.Write([]string{r.Month.Format("2006-01"), strconv.FormatInt(r.StoreID, 10), csvSafe(r.StoreName),
			strconv.Itoa(r.Deliveries), strconv.Itoa(r.Designs), cents(s.FeeCents), cents(r.FeeCents), cur})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a name as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func cents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// BusinessSettings is a workspace's one row of business settings: tax,
// rates, machine and queue figures, invoice numbering and the public
// gallery (internal/business gives them meaning).
type BusinessSettings struct {
	Currency          string    `json:"currency"`
	TaxRatePPM        int64     `json:"tax_rate_ppm"`
	TaxableKinds      []string  `json:"taxable_kinds"`
	HourlyRateCents   int64     `json:"hourly_rate_cents"`
	BackingSeamCents  int64     `json:"backing_seam_cents"`
	BindingExtra      int64     `json:"binding_extra_hundredths"`
	RowOverlap        int64     `json:"row_overlap_hundredths"`
	StitchesPerInch   int       `json:"stitches_per_inch"`
	InchesPerMinute   int       `json:"inches_per_minute"`
	RowAdvance        int64     `json:"row_advance_hundredths"`
	ThreadFactor      int64     `json:"thread_factor_hundredths"`
	BobbinYards       int       `json:"bobbin_yards"`
	WeeklyHours       int64     `json:"weekly_hours_hundredths"`
	SetupHours        int64     `json:"setup_hours_hundredths"`
	InvoicePrefix     string    `json:"invoice_prefix"`
	NextInvoiceNumber int       `json:"next_invoice_number"`
	PaymentDays       int       `json:"payment_days"`
	BusinessName      string    `json:"business_name"`
	BusinessAddress   string    `json:"business_address"`
	GalleryPublic     bool      `json:"gallery_public"`
	GalleryIntro      string    `json:"gallery_intro"`
	UpdatedAt         time.Time `json:"updated_at"`
}

const businessSettingsColumns = `currency, tax_rate_ppm, taxable_kinds, hourly_rate_cents, backing_seam_cents, binding_extra_hundredths,
	row_overlap_hundredths, stitches_per_inch, inches_per_minute, row_advance_hundredths, thread_factor_hundredths, bobbin_yards,
	weekly_hours_hundredths, setup_hours_hundredths, invoice_prefix, next_invoice_number, payment_days, business_name,
	business_address, gallery_public, gallery_intro, updated_at`

// BusinessSettings returns the workspace's business settings.
func (t *TenantTx) BusinessSettings(ctx context.Context) (*BusinessSettings, error) {
	s := &BusinessSettings{}
	err := t.tx.QueryRow(ctx, `SELECT `+businessSettingsColumns+` FROM business_settings`).Scan(&s.Currency, &s.TaxRatePPM,
		&s.TaxableKinds, &s.HourlyRateCents, &s.BackingSeamCents, &s.BindingExtra, &s.RowOverlap, &s.StitchesPerInch,
		&s.InchesPerMinute, &s.RowAdvance, &s.ThreadFactor, &s.BobbinYards, &s.WeeklyHours, &s.SetupHours, &s.InvoicePrefix,
		&s.NextInvoiceNumber, &s.PaymentDays, &s.BusinessName, &s.BusinessAddress, &s.GalleryPublic, &s.GalleryIntro, &s.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("store: business settings: %w", err)
	}
	return s, nil
}

// SaveBusinessSettings stores the settings (all but the invoice counter,
// which only NextInvoiceNumber moves).
func (t *TenantTx) SaveBusinessSettings(ctx context.Context, s *BusinessSettings) error {
	_, err := t.tx.Exec(ctx, `UPDATE business_settings SET currency = $1, tax_rate_ppm = $2, taxable_kinds = $3,
		hourly_rate_cents = $4, backing_seam_cents = $5, binding_extra_hundredths = $6, row_overlap_hundredths = $7,
		stitches_per_inch = $8, inches_per_minute = $9, row_advance_hundredths = $10, thread_factor_hundredths = $11,
		bobbin_yards = $12, weekly_hours_hundredths = $13, setup_hours_hundredths = $14, invoice_prefix = $15,
		payment_days = $16, business_name = $17, business_address = $18, gallery_public = $19, gallery_intro = $20,
		updated_at = now()`,
		s.Currency, s.TaxRatePPM, s.TaxableKinds, s.HourlyRateCents, s.BackingSeamCents, s.BindingExtra, s.RowOverlap,
		s.StitchesPerInch, s.InchesPerMinute, s.RowAdvance, s.ThreadFactor, s.BobbinYards, s.WeeklyHours, s.SetupHours,
		s.InvoicePrefix, s.PaymentDays, s.BusinessName, s.BusinessAddress, s.GalleryPublic, s.GalleryIntro)
	if err != nil {
		return fmt.Errorf("store: save business settings: %w", err)
	}
	return nil
}

// TakeInvoiceNumber returns the next invoice number and moves the counter
// on, in the caller's transaction (the row lock keeps numbers unique and
// gapless while it lasts).
func (t *TenantTx) TakeInvoiceNumber(ctx context.Context) (prefix string, n int, err error) {
	err = t.tx.QueryRow(ctx, `UPDATE business_settings SET next_invoice_number = next_invoice_number + 1
		RETURNING invoice_prefix, next_invoice_number - 1`).Scan(&prefix, &n)
	if err != nil {
		return "", 0, fmt.Errorf("store: take invoice number: %w", err)
	}
	return prefix, n, nil
}

// PriceItem is one priced choice of the price list.
type PriceItem struct {
	ID           int64  `json:"id"`
	Group        string `json:"group"`
	Name         string `json:"name"`
	Unit         string `json:"unit"`
	RateMicros   int64  `json:"rate_micros"`
	MinimumCents int64  `json:"minimum_cents"`
	Position     int    `json:"position"`
}

// PriceItems lists the price list's items by group and position.
func (t *TenantTx) PriceItems(ctx context.Context) ([]PriceItem, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, grp, name, unit, rate_micros, minimum_cents, position FROM price_items
		ORDER BY grp, position, id`)
	if err != nil {
		return nil, fmt.Errorf("store: price items: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PriceItem, error) {
		var it PriceItem
		err := r.Scan(&it.ID, &it.Group, &it.Name, &it.Unit, &it.RateMicros, &it.MinimumCents, &it.Position)
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: price items: %w", err)
	}
	return items, nil
}

// SavePriceItem adds an item (ID 0) or changes one. A name already used
// in its group is ErrConflict.
func (t *TenantTx) SavePriceItem(ctx context.Context, it *PriceItem) error {
	var err error
	if it.ID == 0 {
		err = t.tx.QueryRow(ctx, `INSERT INTO price_items (grp, name, unit, rate_micros, minimum_cents, position)
			VALUES ($1, $2, $3, $4, $5, coalesce((SELECT max(position) + 1 FROM price_items WHERE grp = $1), 1)) RETURNING id, position`,
			it.Group, it.Name, it.Unit, it.RateMicros, it.MinimumCents).Scan(&it.ID, &it.Position)
	} else {
		var tag interface{ RowsAffected() int64 }
		tag, err = t.tx.Exec(ctx, `UPDATE price_items SET name = $2, unit = $3, rate_micros = $4, minimum_cents = $5 WHERE id = $1`,
			it.ID, it.Name, it.Unit, it.RateMicros, it.MinimumCents)
		if err == nil && tag.RowsAffected() == 0 {
			err = ErrNotFound
		}
	}
	if isUniqueViolation(err) {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: save price item %q: %w", it.Name, err)
	}
	return nil
}

// DeletePriceItem removes an item of the list.
func (t *TenantTx) DeletePriceItem(ctx context.Context, id int64) error {
	return t.execOne(ctx, "delete price item", `DELETE FROM price_items WHERE id = $1`, id)
}

// execOne runs a statement on the tenant's data that must touch a row;
// none is ErrNotFound.
func (t *TenantTx) execOne(ctx context.Context, what, sql string, args ...any) error {
	tag, err := t.tx.Exec(ctx, sql, args...)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: %s %v: %w", what, args[0], err)
	}
	return nil
}

// noRows turns pgx's "no rows" into ErrNotFound, wrapped with what.
func noRows(what string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

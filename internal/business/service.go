package business

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/blob"
	"github.com/patternvault/patternvault/internal/mail"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Service runs a workspace's business: every method checks its rules and
// owns its transaction.
type Service struct {
	Store *store.Store
	// Blobs keeps the photos.
	Blobs blob.Store
	// Mailer sends quotes and invoices.
	Mailer mail.Sender
	// BaseURL is the public address in the links customers get.
	BaseURL string
	// Now is the clock; tests set it.
	Now func() time.Time
	// Entitled, when set, says whether a workspace's plan includes a
	// feature (FeatureJobs, FeaturePortfolio, ...): nil for yes, a problem
	// for no. Unset, every workspace may use everything.
	Entitled func(ctx context.Context, tenantID int64, feature string) error
}

// New returns the service.
func New(st *store.Store, blobs blob.Store, m mail.Sender, baseURL string) *Service {
	return &Service{Store: st, Blobs: blobs, Mailer: m, BaseURL: strings.TrimRight(baseURL, "/"), Now: time.Now}
}

// today is the service's date (midnight UTC of Now).
func (s *Service) today() time.Time {
	n := s.Now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// Problems a quilter can act on.
var (
	ErrNoCustomer = problem.NotFound("no_such_customer", "That customer is not in your list (or was deleted).")
	ErrNoJob      = problem.NotFound("no_such_job", "That job does not exist.")
	ErrNoInvoice  = problem.NotFound("no_such_invoice", "That invoice does not exist.")
	ErrNoPhoto    = problem.NotFound("no_such_photo", "That photo does not exist.")
	ErrNoDesign   = problem.Invalid("no_such_design", "Some of those designs are not in your library.")
	ErrNameTaken  = problem.Conflict("name_taken", "Your price list already has an item of that name.")
	// ErrLinkNotFound answers a customer's link that does not exist.
	ErrLinkNotFound = problem.NotFound("link_not_found", "This link does not exist. Please check that you have all of it, or ask your quilter for a new one.")
)

// notFoundAs turns the store's ErrNotFound into p.
func notFoundAs(err error, p *problem.Error) error {
	if errors.Is(err, store.ErrNotFound) {
		return p.Wrap(err)
	}
	return err
}

// PriceList reads the workspace's price list and settings.
func (s *Service) PriceList(ctx context.Context, tenantID int64) (*PriceList, *store.BusinessSettings, error) {
	var set *store.BusinessSettings
	var items []store.PriceItem
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if set, err = tx.BusinessSettings(ctx); err != nil {
			return err
		}
		items, err = tx.PriceItems(ctx)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("business: price list of tenant %d: %w", tenantID, err)
	}
	return priceList(set, items), set, nil
}

// priceListTx reads the price list inside a transaction.
func priceListTx(ctx context.Context, tx *store.TenantTx) (*PriceList, *store.BusinessSettings, error) {
	set, err := tx.BusinessSettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	items, err := tx.PriceItems(ctx)
	if err != nil {
		return nil, nil, err
	}
	return priceList(set, items), set, nil
}

func priceList(set *store.BusinessSettings, items []store.PriceItem) *PriceList {
	pl := &PriceList{Currency: set.Currency, TaxRate: PPM(set.TaxRatePPM), Taxable: map[LineKind]bool{},
		HourlyRate: Cents(set.HourlyRateCents), BackingSeam: Cents(set.BackingSeamCents), BindingExtra: Hundredths(set.BindingExtra),
		Machine: Machine{RowOverlap: Hundredths(set.RowOverlap), StitchesPerInch: set.StitchesPerInch, InchesPerMinute: set.InchesPerMinute,
			RowAdvanceMinutes: Hundredths(set.RowAdvance), ThreadFactor: Hundredths(set.ThreadFactor), BobbinYards: set.BobbinYards,
			WeeklyHours: Hundredths(set.WeeklyHours), SetupHours: Hundredths(set.SetupHours)}}
	for _, k := range set.TaxableKinds {
		pl.Taxable[LineKind(k)] = true
	}
	for _, it := range items {
		pl.Items = append(pl.Items, Item{ID: it.ID, Group: it.Group, Name: it.Name, Unit: Unit(it.Unit), Rate: Micros(it.RateMicros),
			Minimum: Cents(it.MinimumCents), Position: it.Position})
	}
	return pl
}

// SaveSettings checks and stores the workspace's business settings. A
// change of the public gallery alone needs the portfolio (Professional);
// any other, the business (jobs).
func (s *Service) SaveSettings(ctx context.Context, tenantID int64, set *store.BusinessSettings) error {
	_, cur, err := s.PriceList(ctx, tenantID)
	if err != nil {
		return err
	}
	feature := FeatureJobs
	if onlyGallery(cur, set) {
		feature = FeaturePortfolio
	}
	if err := s.require(ctx, tenantID, feature); err != nil {
		return err
	}
	set.Currency = strings.ToUpper(strings.TrimSpace(set.Currency))
	set.BusinessName = strings.TrimSpace(set.BusinessName)
	set.InvoicePrefix = strings.TrimSpace(set.InvoicePrefix)
	kinds := []string{}
	for _, k := range set.TaxableKinds {
		if !validKind(LineKind(k)) {
			return invalid("bad_kind", fmt.Sprintf("“%s” is not a kind of line.", k))
		}
		kinds = append(kinds, k)
	}
	set.TaxableKinds = kinds
	switch {
	case len(set.Currency) != 3 || strings.Trim(set.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "":
		return invalid("bad_currency", "The currency is a three-letter code, such as USD, CAD, GBP or EUR.")
	case set.TaxRatePPM < 0 || set.TaxRatePPM > 300_000:
		return invalid("bad_tax", "The tax rate must be between 0 and 30 %.")
	case set.HourlyRateCents < 0 || set.BackingSeamCents < 0:
		return invalid("bad_rate", "Rates cannot be negative.")
	case set.BindingExtra < 0 || set.BindingExtra > 10000:
		return invalid("bad_binding_extra", "The binding's extra length must be between 0 and 100 inches.")
	case set.RowOverlap < 0 || set.RowOverlap > 2000:
		return invalid("bad_overlap", "The row overlap must be between 0 and 20 inches.")
	case set.StitchesPerInch < 1 || set.StitchesPerInch > 40:
		return invalid("bad_spi", "Stitches per inch must be between 1 and 40.")
	case set.InchesPerMinute < 1 || set.InchesPerMinute > 2000:
		return invalid("bad_speed", "The machine's speed must be between 1 and 2,000 inches a minute.")
	case set.RowAdvance < 0 || set.RowAdvance > 6000:
		return invalid("bad_advance", "The time to advance a row must be between 0 and 60 minutes.")
	case set.ThreadFactor < 100 || set.ThreadFactor > 500:
		return invalid("bad_thread_factor", "Thread use per inch sewn must be between 1 and 5.")
	case set.BobbinYards < 10 || set.BobbinYards > 2000:
		return invalid("bad_bobbin", "A bobbin holds between 10 and 2,000 yards.")
	case set.WeeklyHours < 100 || set.WeeklyHours > 16800:
		return invalid("bad_capacity", "Weekly hours must be between 1 and 168.")
	case set.SetupHours < 0 || set.SetupHours > 2400:
		return invalid("bad_setup", "Set-up time must be between 0 and 24 hours.")
	case len(set.InvoicePrefix) > 12:
		return invalid("bad_prefix", "The invoice number's prefix can be up to 12 characters.")
	case set.PaymentDays < 0 || set.PaymentDays > 365:
		return invalid("bad_days", "Payment is due within 0 to 365 days.")
	case len(set.BusinessName) > 120 || len(set.BusinessAddress) > 500 || len(set.GalleryIntro) > 2000:
		return invalid("too_long", "The business name, address or gallery text is too long.")
	}
	return s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.SaveBusinessSettings(ctx, set) })
}

// onlyGallery reports whether set differs from cur in the public
// gallery's settings alone (the words compared as they are stored).
func onlyGallery(cur, set *store.BusinessSettings) bool {
	a, b := *cur, *set
	a.GalleryPublic, a.GalleryIntro, a.UpdatedAt = b.GalleryPublic, b.GalleryIntro, b.UpdatedAt
	a.Currency, b.Currency = strings.ToUpper(strings.TrimSpace(a.Currency)), strings.ToUpper(strings.TrimSpace(b.Currency))
	a.BusinessName, b.BusinessName = strings.TrimSpace(a.BusinessName), strings.TrimSpace(b.BusinessName)
	a.InvoicePrefix, b.InvoicePrefix = strings.TrimSpace(a.InvoicePrefix), strings.TrimSpace(b.InvoicePrefix)
	a.TaxableKinds, b.TaxableKinds = nil, nil
	return reflect.DeepEqual(a, b) && slices.Equal(cur.TaxableKinds, set.TaxableKinds)
}

// SaveItem adds (ID 0) or changes an item of the price list.
func (s *Service) SaveItem(ctx context.Context, tenantID int64, it Item) (*Item, error) {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return nil, err
	}
	it.Name = strings.Join(strings.Fields(it.Name), " ")
	allowed, ok := units[it.Group]
	switch {
	case !ok:
		return nil, invalid("bad_group", "An item is a quilting level, a batting, a thread or a binding.")
	case it.Name == "" || len(it.Name) > 80:
		return nil, invalid("bad_name", "Give the item a name of up to 80 characters.")
	case it.Rate < 0 || it.Rate > 10_000_000000:
		return nil, invalid("bad_rate", "The price must be between 0 and 10,000.")
	case it.Minimum < 0:
		return nil, invalid("bad_minimum", "The minimum charge cannot be negative.")
	}
	okUnit := false
	for _, u := range allowed {
		okUnit = okUnit || u == it.Unit
	}
	if !okUnit {
		return nil, invalid("bad_unit", fmt.Sprintf("A %s is priced %s.", it.Group, unitWords(allowed)))
	}
	row := store.PriceItem{ID: it.ID, Group: it.Group, Name: it.Name, Unit: string(it.Unit), RateMicros: int64(it.Rate), MinimumCents: int64(it.Minimum)}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.SavePriceItem(ctx, &row) })
	if errors.Is(err, store.ErrConflict) {
		return nil, ErrNameTaken.Wrap(err)
	}
	if err != nil {
		return nil, notFoundAs(err, problem.NotFound("no_such_item", "That price list item does not exist."))
	}
	it.ID, it.Position = row.ID, row.Position
	return &it, nil
}

// DeleteItem removes an item of the price list (jobs keep its name).
func (s *Service) DeleteItem(ctx context.Context, tenantID, id int64) error {
	if err := s.require(ctx, tenantID, FeatureJobs); err != nil {
		return err
	}
	err := s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error { return tx.DeletePriceItem(ctx, id) })
	return notFoundAs(err, problem.NotFound("no_such_item", "That price list item does not exist."))
}

// UnitWord is how a unit reads after a price: "a square inch".
func UnitWord(u Unit) string {
	switch u {
	case PerSqIn:
		return "a square inch"
	case Flat:
		return "a quilt"
	case PerBobbin:
		return "a bobbin"
	case PerInch:
		return "an inch"
	case PerFoot:
		return "a foot"
	}
	return string(u)
}

func unitWords(us []Unit) string {
	var w []string
	for _, u := range us {
		w = append(w, "per "+strings.TrimPrefix(strings.TrimPrefix(UnitWord(u), "a "), "an "))
	}
	return strings.Join(w, " or ")
}

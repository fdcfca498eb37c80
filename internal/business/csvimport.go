package business

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Limits of a customer CSV: it is outside data (a spreadsheet export).
const (
	MaxCSVBytes   = 2 << 20
	MaxCSVRows    = 5000
	MaxCSVColumns = 60
	maxCSVField   = 4000
)

// RowProblem is a line of a CSV that was not imported, and why.
type RowProblem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// columnWords maps a header (lower case, without spaces, dashes and
// underscores) to the field it fills.
var columnWords = map[string]string{
	"name": "name", "fullname": "name", "customer": "name", "customername": "name", "client": "name", "contact": "name",
	"firstname": "first", "first": "first", "givenname": "first", "lastname": "last", "last": "last", "surname": "last", "familyname": "last",
	"email": "email", "emailaddress": "email", "mail": "email",
	"phone": "phone", "telephone": "phone", "tel": "phone", "mobile": "phone", "cell": "phone", "phonenumber": "phone",
	"address": "address", "street": "address", "streetaddress": "address", "address1": "address", "address2": "address2",
	"city": "city", "town": "city", "state": "state", "province": "state", "zip": "zip", "zipcode": "zip", "postcode": "zip", "postalcode": "zip",
	"country": "country", "notes": "notes", "note": "notes", "comments": "notes",
	"delivery": "delivery", "emailconsent": "consent", "consent": "consent", "optin": "consent", "newsletter": "consent",
}

var errNotCSV = problem.Invalid("bad_csv", "That file could not be read as a CSV of customers: save your spreadsheet as “CSV (comma delimited)” with a header row (Name, Email, Phone, Address...).")

// ParseCustomersCSV reads customers from a spreadsheet's CSV export: a
// header row naming the columns (Name or First/Last name, Email, Phone,
// Address or its parts, Notes, Delivery, Email consent), commas or
// semicolons, UTF-8 with or without a byte-order mark. Rows that break a
// rule are returned as problems, never half imported. At most
// MaxCSVBytes, MaxCSVRows rows and MaxCSVColumns columns are read.
func ParseCustomersCSV(r io.Reader) ([]store.Customer, []RowProblem, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCSVBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("business: read CSV: %w", err)
	}
	if len(data) > MaxCSVBytes {
		return nil, nil, problem.TooLarge("csv_too_large", fmt.Sprintf("A customer CSV can be up to %d MB; split it into parts.", MaxCSVBytes>>20))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, nil, errNotCSV.Reword("That CSV is not UTF-8 text: save it as “CSV UTF-8” from your spreadsheet.")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, nil, errNotCSV.Wrap(err)
	}
	if len(header) > MaxCSVColumns {
		return nil, nil, errNotCSV.Reword(fmt.Sprintf("That CSV has %d columns; a customer list has at most %d.", len(header), MaxCSVColumns))
	}
	cols := map[string]int{}
	for i, h := range header {
		key := strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "", ".", "").Replace(strings.TrimSpace(h)))
		if f, ok := columnWords[key]; ok {
			if _, seen := cols[f]; !seen {
				cols[f] = i
			}
		}
	}
	_, hasName := cols["name"]
	_, hasFirst := cols["first"]
	_, hasLast := cols["last"]
	if !hasName && !hasFirst && !hasLast {
		return nil, nil, errNotCSV.Reword("That CSV has no Name column (or First name and Last name): the first row must name the columns.")
	}
	var out []store.Customer
	var probs []RowProblem
	seen := map[string]bool{}
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				probs = append(probs, RowProblem{Line: pe.Line, Reason: "the line could not be read as CSV"})
				continue
			}
			return nil, nil, errNotCSV.Wrap(err)
		}
		if n >= MaxCSVRows {
			return nil, nil, problem.TooLarge("csv_too_many_rows", fmt.Sprintf("A customer CSV can have up to %d rows; split it into parts.", MaxCSVRows))
		}
		if len(rec) > MaxCSVColumns {
			probs = append(probs, RowProblem{Line: line, Reason: "too many columns"})
			continue
		}
		get := func(f string) string {
			i, ok := cols[f]
			if !ok || i >= len(rec) {
				return ""
			}
			v := strings.TrimSpace(rec[i])
			if len(v) > maxCSVField {
				v = v[:maxCSVField]
			}
			return v
		}
		blank := true
		for _, v := range rec {
			blank = blank && strings.TrimSpace(v) == ""
		}
		if blank {
			continue
		}
		c := store.Customer{Name: get("name"), Email: get("email"), Phone: get("phone"), Notes: get("notes")}
		if c.Name == "" {
			c.Name = strings.TrimSpace(get("first") + " " + get("last"))
		}
		var addr []string
		for _, f := range []string{"address", "address2", "city", "state", "zip", "country"} {
			if v := get(f); v != "" {
				addr = append(addr, v)
			}
		}
		c.Address = strings.Join(addr, ", ")
		c.Delivery = deliveryWord(get("delivery"))
		switch strings.ToLower(get("consent")) {
		case "yes", "y", "true", "1", "x", "opted in":
			c.EmailConsent = true
		}
		if err := cleanCustomer(&c); err != nil {
			reason := err.Error()
			if p, ok := problem.As(err); ok {
				reason = p.Message
			}
			probs = append(probs, RowProblem{Line: line, Reason: reason})
			continue
		}
		key := strings.ToLower(c.Email)
		if key == "" {
			key = "name:" + strings.ToLower(c.Name)
		}
		if seen[key] {
			probs = append(probs, RowProblem{Line: line, Reason: "the same customer appears earlier in the file"})
			continue
		}
		seen[key] = true
		out = append(out, c)
	}
	return out, probs, nil
}

// deliveryWord reads a spreadsheet's delivery column.
func deliveryWord(s string) string {
	s = strings.ToLower(s)
	switch {
	case strings.Contains(s, "ship") || strings.Contains(s, "mail") || strings.Contains(s, "post"):
		return "ship"
	case strings.Contains(s, "drop"):
		return "dropoff"
	case strings.Contains(s, "pick"):
		return "pickup"
	}
	return ""
}

// ImportResult says what a CSV import did.
type ImportResult struct {
	Added    int          `json:"added"`
	Existing int          `json:"existing"`
	Problems []RowProblem `json:"problems"`
}

// ImportCustomers adds the customers of a CSV in one transaction;
// customers already in the list (same email, or same name without one)
// are left as they are.
func (s *Service) ImportCustomers(ctx context.Context, tenantID int64, r io.Reader) (*ImportResult, error) {
	if err := s.require(ctx, tenantID, FeatureCustomers); err != nil {
		return nil, err
	}
	cs, probs, err := ParseCustomersCSV(r)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Problems: probs}
	if res.Problems == nil {
		res.Problems = []RowProblem{}
	}
	err = s.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		for i := range cs {
			_, err := tx.CustomerByNameOrEmail(ctx, cs[i].Name, cs[i].Email)
			if err == nil {
				res.Existing++
				continue
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if _, err := tx.CreateCustomer(ctx, &cs[i]); err != nil {
				return err
			}
			res.Added++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("business: import customers: %w", err)
	}
	return res, nil
}

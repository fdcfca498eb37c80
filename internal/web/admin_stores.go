package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/storeapi"
)

// The platform admin's stores: create one (its first key and signing
// secret are shown once), rotate and revoke keys, turn a store off, and
// the monthly meter with its CSV for invoicing.

// meterMonths is how far back the meter looks.
const meterMonths = 12

func meterSince() time.Time {
	now := time.Now().UTC()
	return time.Date(now.Year(), now.Month()-meterMonths+1, 1, 0, 0, 0, 0, time.UTC)
}

// adminStoresPage is the stores list with the meter.
type adminStoresPage struct {
	Stores  any
	Meter   []storeapi.MeterRow
	Created *storeapi.Created
	Fee     string
}

func (s *Server) adminStores(w http.ResponseWriter, r *http.Request) {
	s.renderAdminStores(w, r, nil, nil, nil)
}

func (s *Server) renderAdminStores(w http.ResponseWriter, r *http.Request, created *storeapi.Created, failed error, form map[string]string) {
	if s.stores == nil {
		s.fail(w, r, errStoresOff)
		return
	}
	list, err := s.stores.Stores(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	meter, err := s.stores.Meter(r.Context(), meterSince())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fee := strconv.FormatFloat(float64(s.stores.FeeCents)/100, 'f', 2, 64) + " " + s.stores.Currency
	data := pageData{Title: "Pattern stores", Form: form, Data: adminStoresPage{Stores: list, Meter: meter, Created: created, Fee: fee}}
	if failed != nil {
		s.failForm(w, r, failed, "admin_stores", data)
		return
	}
	s.render(w, r, http.StatusOK, "admin_stores", data)
}

func (s *Server) adminCreateStore(w http.ResponseWriter, r *http.Request) {
	f := formValues(r, "name", "website", "contact", "hosts", "redirects")
	created, err := s.stores.CreateStore(r.Context(), storeapi.NewStore{Name: f["name"], Website: f["website"], Contact: f["contact"],
		AllowedHosts: []string{f["hosts"]}, RedirectURIs: strings.Fields(f["redirects"])})
	if err != nil {
		s.renderAdminStores(w, r, nil, err, f)
		return
	}
	if err := s.accounts.Audit(r.Context(), visitorFrom(r.Context()), "store created", 0, map[string]any{"store": created.Store.ID, "name": created.Store.Name}, clientIP(r)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderAdminStores(w, r, created, nil, nil)
}

// adminStorePage is one store with its keys.
type adminStorePage struct {
	Detail   *storeapi.StoreDetail
	NewKey   string
	ClientID string
	Now      time.Time
}

func (s *Server) adminStore(w http.ResponseWriter, r *http.Request) {
	s.renderAdminStore(w, r, "")
}

func (s *Server) renderAdminStore(w http.ResponseWriter, r *http.Request, newKey string) {
	if s.stores == nil {
		s.fail(w, r, errStoresOff)
		return
	}
	id, err := httpx.PathID(r, "id")
	var d *storeapi.StoreDetail
	if err == nil {
		d, err = s.stores.Detail(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_store", pageData{Title: d.Store.Name, Data: adminStorePage{Detail: d, NewKey: newKey,
		ClientID: storeapi.ClientID(d.Store.ID), Now: time.Now()}})
}

// adminRotateKey makes a new key; the others keep working for the
// overlap the admin chose (in days).
func (s *Server) adminRotateKey(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	days, _ := strconv.Atoi(r.PostFormValue("overlap_days"))
	rate, _ := strconv.Atoi(r.PostFormValue("rate"))
	var key string
	if err == nil {
		key, _, err = s.stores.RotateKey(r.Context(), id, time.Duration(days)*24*time.Hour, rate)
	}
	if err == nil {
		err = s.accounts.Audit(r.Context(), visitorFrom(r.Context()), "store key rotated", 0, map[string]any{"store": id, "overlap_days": days}, clientIP(r))
	}
	if err != nil {
		s.failBack(w, r, err, "/admin/stores/"+r.PathValue("id"))
		return
	}
	s.renderAdminStore(w, r, key)
}

func (s *Server) adminRevokeKey(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var key int64
	if err == nil {
		key, err = httpx.PathID(r, "key")
	}
	if err == nil {
		err = s.stores.RevokeKey(r.Context(), id, key)
	}
	if err == nil {
		err = s.accounts.Audit(r.Context(), visitorFrom(r.Context()), "store key revoked", 0, map[string]any{"store": id, "key": key}, clientIP(r))
	}
	if err != nil {
		s.failBack(w, r, err, "/admin/stores/"+r.PathValue("id"))
		return
	}
	s.redirectWith(w, r, "/admin/stores/"+r.PathValue("id"), "The key was revoked: it stops working at once.")
}

func (s *Server) adminStoreDisabled(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := httpx.PathID(r, "id")
		if err == nil {
			err = s.stores.SetDisabled(r.Context(), id, disabled)
		}
		if err == nil {
			err = s.accounts.Audit(r.Context(), visitorFrom(r.Context()), "store disabled="+strconv.FormatBool(disabled), 0, map[string]any{"store": id}, clientIP(r))
		}
		if err != nil {
			s.failBack(w, r, err, "/admin/stores/"+r.PathValue("id"))
			return
		}
		msg := "The store is on again."
		if disabled {
			msg = "The store is off: its keys and grants stop working."
		}
		s.redirectWith(w, r, "/admin/stores/"+r.PathValue("id"), msg)
	}
}

// adminMeterCSV downloads the meter for invoicing.
func (s *Server) adminMeterCSV(w http.ResponseWriter, r *http.Request) {
	if s.stores == nil {
		s.fail(w, r, errStoresOff)
		return
	}
	rows, err := s.stores.Meter(r.Context(), meterSince())
	var buf bytes.Buffer
	if err == nil {
		err = s.stores.WriteMeterCSV(&buf, rows)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.Attachment(w, "store-deliveries-"+time.Now().UTC().Format("2006-01")+".csv", "text/csv; charset=utf-8", int64(buf.Len()), &buf)
}

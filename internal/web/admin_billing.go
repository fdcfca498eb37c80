package web

import (
	"net/http"
	"strconv"

	"github.com/patternvault/patternvault/internal/billing"
	"github.com/patternvault/patternvault/internal/httpx"
)

// The platform admin's billing page: workspaces by plan and status,
// trials and conversion, revenue and churn, usage per workspace, and
// manual plan changes (audited).

func (s *Server) adminBilling(w http.ResponseWriter, r *http.Request) {
	o, err := s.billing.Overview(r.Context(), r.URL.Query().Get("after"), 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_billing", pageData{Title: "Billing", Data: struct {
		*billing.Overview
		Plans  []*billing.Plan
		Stripe bool
	}{o, s.billing.Plans(), s.billing.Stripe()}})
}

// adminPlan sets a workspace's plan, status or trial by hand.
func (s *Server) adminPlan(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	f := formValues(r, "plan", "status", "trial_days", "founding")
	if err == nil {
		c := billing.AdminChange{Plan: f["plan"], Status: f["status"]}
		if f["trial_days"] != "" {
			if c.TrialDays, err = strconv.Atoi(f["trial_days"]); err != nil {
				err = billing.ErrBadTrial
			}
		}
		founding := f["founding"] == "on"
		c.Founding = &founding
		if err == nil {
			actor, _ := visitorFrom(r.Context()).Actor()
			_, err = s.billing.AdminChangePlan(r.Context(), id, c, actor, clientIP(r))
		}
	}
	if err != nil {
		s.failBack(w, r, err, "/admin/billing")
		return
	}
	s.redirectWith(w, r, "/admin/billing", "Saved. The change is in the audit log.")
}

package web

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/kit"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/tenant"
)

// kitForm is what the "Machine kit" fields offer: the machines, the
// quilter's own first, and where the form goes.
type kitForm struct {
	Action   string
	Machines []library.Machine
	Machine  string
	// Legend overrides the fields' legend; OwnSize hides the size fields
	// (a job's kit keeps the size its rows were worked out for).
	Legend  string
	OwnSize bool
}

// newKitForm fills the kit fields for the signed-in quilter.
func newKitForm(r *http.Request) kitForm {
	t := tenant.FromContext(r.Context())
	f := kitForm{Action: tenant.Path(t.Slug, "kits"), Machines: library.Machines}
	if m := library.MachineOf(t); m != nil {
		f.Machine = m.ID // the workspace's machine, chosen in Settings
	}
	return f
}

// jobKitForm fills the kit fields of job id's page: its designs at their
// own size, the quilt's rows and thread on each sheet.
func jobKitForm(r *http.Request, id int64) kitForm {
	f := newKitForm(r)
	f.Action = tenant.Path(tenant.FromContext(r.Context()).Slug, "jobs", id, "kit")
	f.Legend = "Machine kit: this job's designs, each with a sheet of the quilt's rows and thread"
	f.OwnSize = true
	return f
}

// jobKit streams a job's machine kit (ZIP); a bad request goes back to
// the job with the reason.
func (s *Server) jobKit(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	id, err := httpx.PathID(r, "id")
	back := tenant.Path(t.Slug, "jobs", id)
	var job *business.KitJob
	if err == nil {
		job, err = s.business.JobForKit(r.Context(), t.ID, id)
	}
	var plan *kit.Plan
	if err == nil {
		plan, err = s.kits.PlanJob(r.Context(), t.ID, r.PostFormValue("machine"), kit.JobOf(job), 0, 0)
	}
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	s.sendKit(w, r, plan)
}

// sendKit streams a checked kit as the answer.
func (s *Server) sendKit(w http.ResponseWriter, r *http.Request, plan *kit.Plan) {
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": plan.FileName}))
	if err := s.kits.Write(r.Context(), plan, w); err != nil {
		// Part of the ZIP is sent: the browser shows a failed download.
		s.log.Error("machine kit", "id", RequestID(r.Context()), "tenant", plan.TenantID, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// machineKit streams the ticked designs as a machine kit (ZIP). A bad
// request goes back to the page it came from with the reason.
func (s *Server) machineKit(w http.ResponseWriter, r *http.Request) {
	t := tenant.FromContext(r.Context())
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadForm.Wrap(err))
		return
	}
	back := s.back(r, tenant.Path(t.Slug))
	req := kit.Request{PatternIDs: parseIDs(r.PostForm["ids"]), Machine: r.PostFormValue("machine")}
	var plan *kit.Plan
	var err error
	if v := strings.TrimSpace(r.PostFormValue("size_in")); v != "" {
		n, perr := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if perr != nil {
			err = kit.ErrBadSize.Wrap(perr)
		} else if r.PostFormValue("size") == "height" {
			req.HeightIn = n
		} else {
			req.WidthIn = n
		}
	}
	if err == nil {
		plan, err = s.kits.Plan(r.Context(), t.ID, req)
	}
	if err != nil {
		s.failBack(w, r, err, back)
		return
	}
	s.sendKit(w, r, plan)
}

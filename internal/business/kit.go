package business

import (
	"context"
	"fmt"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// KitJob is what a machine kit (the sewing room) needs of a job: the
// quilt top's size and, in the order she chose them, its designs with
// how each covers the quilt edge to edge.
type KitJob struct {
	JobID        int64   `json:"job_id"`
	Title        string  `json:"title"`
	CustomerName string  `json:"customer_name"`
	WidthIn      float64 `json:"width_in"`
	LengthIn     float64 `json:"length_in"`
	// Designs are the job's designs still in the library (a design
	// deleted since the job was made is left out).
	Designs []KitDesign `json:"designs"`
}

// KitDesign is one design of a KitJob.
type KitDesign struct {
	PatternID int64  `json:"pattern_id"`
	Name      string `json:"name"`
	// Plan is the design's rows, repeats, stitched length and thread for
	// this quilt on her machine's settings; nil when the design has no
	// measured geometry or cannot be planned (PlanProblem says why).
	Plan        *Plan  `json:"plan,omitempty"`
	PlanProblem string `json:"plan_problem,omitempty"`
}

// JobForKit lists a job's designs and the quilt's size for a machine
// kit. It only reads (so it works on any plan, as downloads must); the
// caller checks that the person may see the workspace's jobs (owner or
// editor). A job that does not exist is ErrNoJob.
func (s *Service) JobForKit(ctx context.Context, tenantID, jobID int64) (*KitJob, error) {
	var j *store.Job
	var ps map[int64]*store.Pattern
	var pl *PriceList
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.TenantTx) error {
		var err error
		if j, err = tx.Job(ctx, jobID); err != nil {
			return notFoundAs(err, ErrNoJob)
		}
		if ps, err = tx.PatternsByIDs(ctx, j.PatternIDs); err != nil {
			return err
		}
		pl, _, err = priceListTx(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("business: job %d for a kit: %w", jobID, err)
	}
	k := &KitJob{JobID: j.ID, Title: j.Title, CustomerName: j.CustomerName,
		WidthIn: float64(j.Width) / 100, LengthIn: float64(j.Length) / 100, Designs: []KitDesign{}}
	for _, id := range j.PatternIDs {
		p := ps[id]
		if p == nil {
			continue
		}
		kd := KitDesign{PatternID: p.ID, Name: p.Name}
		plan, err := MakePlan(designFrom(p), Hundredths(j.Width), Hundredths(j.Length), pl.Machine)
		switch pr, ok := problem.As(err); {
		case err == nil:
			kd.Plan = plan
		case ok:
			kd.PlanProblem = pr.Message
		default:
			return nil, fmt.Errorf("business: plan design %d of job %d: %w", id, jobID, err)
		}
		k.Designs = append(k.Designs, kd)
	}
	return k, nil
}

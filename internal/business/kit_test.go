package business_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testfixtures"
	"github.com/patternvault/patternvault/internal/testrig"
)

// TestJobForKit: a machine kit reads a job's quilt size and its designs
// in her order, the real edge-to-edge one planned as the quote plans it
// (10 rows of 7 repeats on a 90 × 108 top), one without geometry kept
// with the reason it has no plan.
func TestJobForKit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := testfixtures.Dir(t)
	r := testrig.New(t, testrig.Options{})
	tn := r.Tenant(t, "pam")
	r.Plan(t, tn.ID, "business")
	real := importDesign(t, r, tn, filepath.Join(dir, "stitchables", "e2e", "atom-electrons", "e2e - atom electrons v3.qli"))
	plain := r.Pattern(t, tn, "Swirls")
	job, err := r.Business.CreateJob(ctx, tn.ID, business.JobInput{NewCustomer: &store.Customer{Name: "Jane"}, Title: "Jane's queen",
		PatternIDs: []int64{plain.ID, real.ID}, Quote: business.QuoteInput{Width: 9000, Length: 10800, Level: "Light edge-to-edge"}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := r.Business.JobForKit(ctx, tn.ID, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if k.JobID != job.ID || k.Title != "Jane's queen" || k.CustomerName != "Jane" || k.WidthIn != 90 || k.LengthIn != 108 || len(k.Designs) != 2 {
		t.Fatalf("kit job %+v", k)
	}
	if d := k.Designs[0]; d.PatternID != plain.ID || d.Plan != nil || d.PlanProblem == "" {
		t.Errorf("first design %+v, want Swirls without a plan and the reason", d)
	}
	d := k.Designs[1]
	if d.PatternID != real.ID || d.Name != real.Name || d.Plan == nil || d.Plan.Rows != 10 || d.Plan.Repeats != 7 || d.Plan.ThreadYards <= 0 {
		t.Errorf("second design %+v plan %+v, want 10 rows × 7 repeats", d, d.Plan)
	}
	if _, err := r.Business.JobForKit(ctx, tn.ID, job.ID+100); !isStatus(err, 404) {
		t.Errorf("a job that does not exist: %v", err)
	}
	other := r.Tenant(t, "other")
	if _, err := r.Business.JobForKit(ctx, other.ID, job.ID); !isStatus(err, 404) {
		t.Errorf("the job from another workspace: %v", err)
	}
}

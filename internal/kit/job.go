package kit

import (
	"context"
	"fmt"
	"strings"

	"github.com/patternvault/patternvault/internal/business"
	"github.com/patternvault/patternvault/internal/problem"
)

// Job is what a business job adds to a kit: the quilt it is for and, per
// design, how the design covers it (the rows on the design's sheet). The
// caller reads it from the business hub (business.JobForKit); the kit
// keeps the designs at their own size, the size the rows were worked out
// for.
type Job struct {
	Title, Customer   string
	WidthIn, LengthIn float64
	// PatternIDs are the job's designs, in her order.
	PatternIDs []int64
	// Quilt maps a design to how it covers the quilt; a design missing
	// here has no rows on its sheet.
	Quilt map[int64]*Quilt
}

// Quilt is how one design covers the job's quilt on her machine's
// settings, or why that cannot be worked out (Problem).
type Quilt struct {
	Rows, Repeats    int
	StitchedLengthIn float64
	Stitches         int64
	Minutes          float64
	ThreadYards      float64
	TopYards         float64
	BobbinYards      float64
	Bobbins          int
	Problem          string
}

// JobOf is the kit's view of a job read by business.JobForKit.
func JobOf(k *business.KitJob) *Job {
	j := &Job{Title: k.Title, Customer: k.CustomerName, WidthIn: k.WidthIn, LengthIn: k.LengthIn, Quilt: map[int64]*Quilt{}}
	for _, d := range k.Designs {
		j.PatternIDs = append(j.PatternIDs, d.PatternID)
		switch p := d.Plan; {
		case p != nil:
			j.Quilt[d.PatternID] = &Quilt{Rows: p.Rows, Repeats: p.Repeats, StitchedLengthIn: p.StitchedLength, Stitches: p.Stitches,
				Minutes: p.Minutes, ThreadYards: p.ThreadYards, TopYards: p.TopYards, BobbinYards: p.BobbinYards, Bobbins: p.Bobbins}
		case d.PlanProblem != "":
			j.Quilt[d.PatternID] = &Quilt{Problem: d.PlanProblem}
		}
	}
	return j
}

// ErrJobNotForRole refuses a job's kit to a viewer: jobs are the
// business's, private to owners and editors.
var ErrJobNotForRole = problem.Forbidden("forbidden", "Only the workspace's owner and editors see its jobs.")

// ErrJobSized refuses a size for a job's kit.
var ErrJobSized = ErrBadSize.Reword("A job's kit keeps the designs at their own size, the size its rows and thread were worked out for: leave the size empty.")

// PlanJob checks a job's kit for machine: its designs, at their own size,
// with the job's rows and thread on each sheet.
func (s *Service) PlanJob(ctx context.Context, tenantID int64, machine string, job *Job, widthIn, heightIn float64) (*Plan, error) {
	if widthIn != 0 || heightIn != 0 {
		return nil, ErrJobSized
	}
	if len(job.PatternIDs) == 0 {
		return nil, ErrNoDesigns.Reword("This job has no designs (still in the library) to put in a kit.")
	}
	plan, err := s.Plan(ctx, tenantID, Request{PatternIDs: job.PatternIDs, Machine: machine})
	if err != nil {
		return nil, err
	}
	plan.Job = job
	plan.FileName = fmt.Sprintf("%s-kit-%s.zip", plan.Machine.ID, strings.ReplaceAll(SafeName(job.Title, 40), " ", "-"))
	return plan, nil
}

// jobRows are the lines a job adds to a design's sheet (label, value).
func jobRows(job *Job, patternID int64) [][2]string {
	if job == nil {
		return nil
	}
	who := job.Title
	if job.Customer != "" {
		who += " for " + job.Customer
	}
	rows := [][2]string{{"The quilt", fmt.Sprintf("%s: %s x %s in", who, inches(job.WidthIn), inches(job.LengthIn))}}
	q := job.Quilt[patternID]
	switch {
	case q == nil:
	case q.Problem != "":
		rows = append(rows, [2]string{"Rows", q.Problem})
	default:
		rows = append(rows,
			[2]string{"Rows", fmt.Sprintf("%d row%s of %d repeat%s", q.Rows, plural(q.Rows), q.Repeats, plural(q.Repeats))},
			[2]string{"Stitching", fmt.Sprintf("%s in (%s stitches), about %s at the machine", thousands(int64(q.StitchedLengthIn+0.5)), thousands(q.Stitches), duration(q.Minutes))},
			[2]string{"Thread", fmt.Sprintf("about %.0f yards (%.0f top, %.0f bobbin), %d bobbin%s", q.ThreadYards, q.TopYards, q.BobbinYards, q.Bobbins, plural(q.Bobbins))})
	}
	return rows
}

// thousands writes n with thousands separators ("12,480").
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// duration writes minutes as "2 h 40 min".
func duration(minutes float64) string {
	m := int(minutes + 0.5)
	if m < 60 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d h %02d min", m/60, m%60)
}

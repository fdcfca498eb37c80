// Package kit makes machine kits: one ZIP, ready for a quilting machine's
// USB stick or folder, holding each chosen design in a format the machine
// takes (the original when there is one, otherwise a conversion; never a
// format the machine does not take: library.Machines is the one table),
// sized when the quilter asked for a width or a height (keeping aspect),
// with the designer's notes and licence files as they came, a printable
// one-page sheet per design and a README saying what is in the kit and
// what was left out, and why.
//
// Names inside a kit are safe for older machine software (SafeName):
// ASCII, nothing Windows refuses, unique, at most 64 characters.
//
// A kit is checked whole before its first byte is written (Plan), so a bad
// request gets a clear error and no half ZIP; then it is written (Write)
// one design at a time straight to the writer (the HTTP response): only
// the design being converted is in memory, within a memory budget shared
// by every kit the process writes.
package kit

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/geom"
	"github.com/patternvault/patternvault/internal/library"
	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Limits of one kit.
const (
	// MaxDesigns is the most designs one kit holds.
	MaxDesigns = 500
	// MinSizeIn and MaxSizeIn bound the width or height asked for.
	MinSizeIn = 0.25
	MaxSizeIn = 240
	// MemoryBudget is the heap all kits of the process may use at once to
	// read and convert designs; a design that would need more on its own
	// is sent as its original (when the machine takes it) or left out.
	MemoryBudget = 256 << 20
)

// Problems a kit request can have.
var (
	ErrNoDesigns  = problem.Invalid("kit_no_designs", "Tick one or more designs for the kit first.")
	ErrTooMany    = problem.Invalid("kit_too_many", fmt.Sprintf("A kit holds at most %d designs: choose fewer.", MaxDesigns))
	ErrBadMachine = problem.Invalid("bad_machine", "Choose the machine the kit is for.")
	ErrBadSize    = problem.Invalid("bad_size",
		fmt.Sprintf("Give a width or a height for the designs (not both), from %g to %g inches, or leave both empty for their own size.", MinSizeIn, float64(MaxSizeIn)))
	ErrNoSuchDesign = problem.NotFound("no_such_pattern", "One of those designs is not in this library (deleted meanwhile?).")
	ErrNothingFits  = problem.Invalid("kit_nothing_for_machine", "None of these designs can be made for that machine.")
)

// memory is the process-wide budget of MemoryBudget bytes.
var memory = semaphore.NewWeighted(MemoryBudget)

// Request is what a quilter asks for.
type Request struct {
	PatternIDs []int64 `json:"pattern_ids"`
	// Machine is a library.Machines ID ("statler").
	Machine string `json:"machine"`
	// WidthIn or HeightIn, when one is set, is the size every design is
	// scaled to, keeping its aspect.
	WidthIn  float64 `json:"width_in"`
	HeightIn float64 `json:"height_in"`
}

// Service makes kits from a library.
type Service struct {
	Library *library.Service
}

// New returns the kit service of a library.
func New(lib *library.Service) *Service { return &Service{Library: lib} }

// Plan is a checked kit, ready to write.
type Plan struct {
	TenantID          int64
	Machine           *library.Machine
	WidthIn, HeightIn float64
	// FileName is a name for the ZIP ("statler-kit-3-designs.zip").
	FileName string
	// Designs are what goes in; Skipped what does not, with why.
	Designs []*Design
	Skipped []Skipped
	// Job, for a job's kit, is the quilt and its rows (PlanJob).
	Job *Job
}

// Design is one design of a plan.
type Design struct {
	Pattern *store.Pattern
	// Format is the machine's format it is sent in.
	Format string
	// Original is the file sent as it is, or nil for a conversion.
	Original *store.PatternFile
	// Source is the readable file conversions, sizes and the sheet's
	// picture come from (nil when none is readable).
	Source *store.PatternFile
	// Notes are its notes and licence files, kept as they came.
	Notes []*store.PatternFile
}

// Skipped is a design left out of a kit.
type Skipped struct {
	Name   string
	Reason string
}

// Plan checks a request against the library and the machine table: every
// design must exist; those that cannot be had in a format the machine
// takes (at the size asked) are left out with the reason, and when none
// can, the whole kit is refused.
func (s *Service) Plan(ctx context.Context, tenantID int64, req Request) (*Plan, error) {
	ids := dedupe(req.PatternIDs)
	switch {
	case len(ids) == 0:
		return nil, ErrNoDesigns
	case len(ids) > MaxDesigns:
		return nil, ErrTooMany
	}
	m := library.MachineByID(strings.ToLower(strings.TrimSpace(req.Machine)))
	if m == nil {
		return nil, ErrBadMachine.Reword("Choose the machine the kit is for: " + machineIDs() + ".")
	}
	if !sizeOK(req.WidthIn) || !sizeOK(req.HeightIn) || (req.WidthIn != 0 && req.HeightIn != 0) {
		return nil, ErrBadSize
	}
	plan := &Plan{TenantID: tenantID, Machine: m, WidthIn: req.WidthIn, HeightIn: req.HeightIn}
	sized := req.WidthIn != 0 || req.HeightIn != 0
	err := s.Library.Store.Tenant(ctx, tenantID, func(tx *store.TenantTx) error {
		for _, id := range ids {
			p, err := tx.Pattern(ctx, id, 0)
			if errors.Is(err, store.ErrNotFound) {
				return ErrNoSuchDesign.Wrap(fmt.Errorf("pattern %d", id))
			}
			if err != nil {
				return err
			}
			files, err := tx.Files(ctx, id)
			if err != nil {
				return err
			}
			d, why := choose(m, p, files, sized)
			if d == nil {
				plan.Skipped = append(plan.Skipped, Skipped{Name: p.Name, Reason: why})
				continue
			}
			plan.Designs = append(plan.Designs, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("kit: plan for tenant %d: %w", tenantID, err)
	}
	if len(plan.Designs) == 0 {
		why := ""
		if len(plan.Skipped) > 0 {
			why = " " + plan.Skipped[0].Reason
		}
		return nil, ErrNothingFits.Reword(fmt.Sprintf("None of these designs can be made for the %s.%s", m.Name, why))
	}
	plan.FileName = fmt.Sprintf("%s-kit-%d-design%s.zip", m.ID, len(plan.Designs), plural(len(plan.Designs)))
	return plan, nil
}

// choose decides how design p goes to machine m: its original in a format
// m takes (unless it must be resized), else a conversion from its readable
// source to the first format m takes that PatternVault writes. It returns
// nil and the reason when neither is possible.
func choose(m *library.Machine, p *store.Pattern, files []*store.PatternFile, sized bool) (*Design, string) {
	d := &Design{Pattern: p}
	if src := library.BestSource(files); src != nil && src.Readable {
		d.Source = src
	}
	for _, f := range files {
		if f.Role == store.RoleNotes {
			d.Notes = append(d.Notes, f)
		}
	}
	if !sized {
		for _, want := range m.Formats {
			for _, f := range files {
				if f.Role == store.RoleDesign && f.Format == want {
					d.Format, d.Original = want, f
					return d, ""
				}
			}
		}
	}
	if d.Source == nil {
		if sized {
			return nil, fmt.Sprintf("%q cannot be resized: none of its files can be read, so it can only be had as it came.", p.Name)
		}
		return nil, fmt.Sprintf("%q has no file for the %s (it takes %s), and its files cannot be read to convert them.", p.Name, m.Name, strings.ToUpper(strings.Join(m.Formats, ", ")))
	}
	for _, want := range m.Formats {
		if f := formats.ByName(want); f != nil && f.Write != nil {
			d.Format = want
			return d, ""
		}
	}
	return nil, fmt.Sprintf("PatternVault cannot write any format the %s takes (%s).", m.Name, strings.ToUpper(strings.Join(m.Formats, ", ")))
}

// Write writes the kit as a ZIP to w: a folder per design holding its
// machine file, its sheet, an about file and its notes and licence
// files, then README.txt. A design that fails to convert at this point is
// left out and named in the README; an error from reading storage or
// writing w stops the kit (the caller has sent part of it already).
func (s *Service) Write(ctx context.Context, plan *Plan, w io.Writer) error {
	zw := zip.NewWriter(w)
	folders := newNamer()
	folders.name("README", ".txt") // the README's own name is taken
	var done []sheet
	skipped := plan.Skipped
	for _, d := range plan.Designs {
		sh, why, err := s.writeDesign(ctx, zw, folders, plan, d)
		if err != nil {
			return fmt.Errorf("kit: design %d (%q): %w", d.Pattern.ID, d.Pattern.Name, err)
		}
		if why != "" {
			skipped = append(skipped, Skipped{Name: d.Pattern.Name, Reason: why})
			continue
		}
		done = append(done, sh)
	}
	fw, err := create(zw, "README.txt")
	if err == nil {
		err = writeReadme(fw, plan, done, skipped)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return fmt.Errorf("kit: finish: %w", err)
	}
	return nil
}

// writeDesign writes one design's folder. It returns why the design was
// left out when it could not be made after all (too large, a writer's
// refusal): then nothing of it is in the kit.
func (s *Service) writeDesign(ctx context.Context, zw *zip.Writer, folders *namer, plan *Plan, d *Design) (sheet, string, error) {
	p := d.Pattern
	sh := sheet{Name: p.Name, Machine: plan.Machine.Name, Format: strings.ToUpper(d.Format), Type: p.Type,
		Designer: p.Designer, DesignerURL: p.DesignerURL, JobRows: jobRows(plan.Job, p.ID)}
	sized := plan.WidthIn != 0 || plan.HeightIn != 0
	var g *geom.Design
	var release func()
	if d.Source != nil {
		var err error
		g, release, err = s.readGeometry(ctx, d.Source)
		if err != nil {
			return sh, "", err
		}
		if release != nil {
			defer release()
		}
	}
	var out []byte
	if d.Original == nil || sized {
		if g == nil {
			return sh, fmt.Sprintf("%q is too large to convert here; download its original files instead.", p.Name), nil
		}
		if sized {
			var from float64
			g, from = scale(g, plan.WidthIn, plan.HeightIn)
			sh.Notes = append(sh.Notes, fmt.Sprintf("Resized from %s in to the size asked for.", inches(from)))
		}
		var buf bytes.Buffer
		if err := formats.ByName(d.Format).Write(&buf, g); err != nil {
			return sh, fmt.Sprintf("%q could not be written as %s: %v", p.Name, strings.ToUpper(d.Format), err), nil
		}
		out = buf.Bytes()
		sh.Converted = true
		sh.Notes = append(sh.Notes, g.Warnings...)
		sh.Notes = append(sh.Notes, formats.Losses(g, d.Format)...)
	}
	if g != nil {
		b := g.StitchBounds()
		sh.WidthIn, sh.HeightIn, sh.StitchIn = b.Width(), b.Height(), g.StitchLength()
		sh.picture = g
	} else {
		sh.WidthIn, sh.HeightIn, sh.StitchIn = f32(p.WidthIn), f32(p.HeightIn), f32(p.StitchLengthIn)
	}

	folder := folders.name(p.Name, "")
	files := newNamer()
	sh.Folder = folder
	sh.File = files.name(p.Name, "."+d.Format)
	if out != nil {
		fw, err := create(zw, folder+"/"+sh.File)
		if err != nil {
			return sh, "", err
		}
		if _, err := fw.Write(out); err != nil {
			return sh, "", err
		}
	} else if err := s.copyFile(ctx, zw, folder+"/"+sh.File, d.Original); err != nil {
		return sh, "", err
	}
	for _, n := range d.Notes {
		base, ext := splitExt(n.FileName)
		name := files.name(base, ext)
		if err := s.copyFile(ctx, zw, folder+"/"+name, n); err != nil {
			return sh, "", err
		}
		sh.NoteFiles = append(sh.NoteFiles, name)
	}
	about := files.name(p.Name+" - about", ".txt")
	fw, err := create(zw, folder+"/"+about)
	if err == nil {
		err = writeAbout(fw, p, &sh)
	}
	if err != nil {
		return sh, "", err
	}
	sh.NoteFiles = append(sh.NoteFiles, about)
	sheetName := files.name(p.Name+" - sheet", ".html")
	fw, err = create(zw, folder+"/"+sheetName)
	if err == nil {
		err = writeSheet(fw, &sh)
	}
	if err != nil {
		return sh, "", err
	}
	sh.picture = nil
	return sh, "", nil
}

// readGeometry reads f's design within the process's memory budget. A
// file too large for the whole budget gives a nil design (and no error).
func (s *Service) readGeometry(ctx context.Context, f *store.PatternFile) (*geom.Design, func(), error) {
	// The file itself first: its size is known, so the bytes are taken
	// from the budget before they are read.
	if f.Size > MemoryBudget/2 {
		return nil, nil, nil
	}
	if err := memory.Acquire(ctx, f.Size); err != nil {
		return nil, nil, err
	}
	data, err := s.readAll(ctx, f)
	if err != nil {
		memory.Release(f.Size)
		return nil, nil, err
	}
	extra := library.GeometryCost(f.Format, data) - f.Size
	if extra < 0 {
		extra = 0
	}
	if f.Size+extra > MemoryBudget {
		memory.Release(f.Size)
		return nil, nil, nil
	}
	if err := memory.Acquire(ctx, extra); err != nil {
		memory.Release(f.Size)
		return nil, nil, err
	}
	release := func() { memory.Release(f.Size + extra) }
	g, _, err := convert.Read(f.FileName, data)
	if err != nil {
		// Readable at import, unreadable now: the reader changed. The
		// design is then made from its original alone, or left out.
		release()
		return nil, nil, nil
	}
	return g, release, nil
}

func (s *Service) readAll(ctx context.Context, f *store.PatternFile) ([]byte, error) {
	dl, err := s.Library.OpenFile(ctx, f)
	if err != nil {
		return nil, err
	}
	defer dl.Body.Close()
	data, err := io.ReadAll(io.LimitReader(dl.Body, f.Size+1))
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", f.FileName, err)
	}
	return data, nil
}

// copyFile streams a stored file into the kit.
func (s *Service) copyFile(ctx context.Context, zw *zip.Writer, name string, f *store.PatternFile) error {
	dl, err := s.Library.OpenFile(ctx, f)
	if err != nil {
		return err
	}
	defer dl.Body.Close()
	fw, err := create(zw, name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(fw, dl.Body); err != nil {
		return fmt.Errorf("copy %q: %w", f.FileName, err)
	}
	return nil
}

// create adds a file to the ZIP, dated now, its name marked plain ASCII.
func create(zw *zip.Writer, name string) (io.Writer, error) {
	return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()})
}

// scale sizes g to width w or height h (one is 0), keeping its aspect,
// by its stitched outline (what the machine sews, the size the library
// shows). It returns the scaled design and the size it had.
func scale(g *geom.Design, w, h float64) (*geom.Design, float64) {
	b := g.StitchBounds()
	cur, want := b.Width(), w
	if h != 0 {
		cur, want = b.Height(), h
	}
	if cur <= 0 || math.IsNaN(cur) {
		return g, cur
	}
	return g.Scale(want / cur), cur
}

func sizeOK(v float64) bool {
	return v == 0 || (v >= MinSizeIn && v <= MaxSizeIn)
}

func dedupe(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func machineIDs() string {
	var ids []string
	for _, m := range library.Machines {
		ids = append(ids, m.ID)
	}
	return strings.Join(ids, ", ")
}

func f32(v *float32) float64 {
	if v == nil {
		return 0
	}
	return float64(*v)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

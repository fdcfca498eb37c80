package library

import (
	"context"
	"fmt"

	"github.com/patternvault/patternvault/internal/problem"
	"github.com/patternvault/patternvault/internal/store"
)

// Machine is a quilting machine or program, and the formats it takes in
// the order it prefers them.
type Machine struct {
	ID      string
	Name    string
	Formats []string
	// Source says where the claim about the formats comes from: a public
	// page (URL) or a document.
	Source string
	// Verified is false when no public source confirms the formats: the
	// pages say so ("check your machine's manual").
	Verified bool
}

// Sources of the machine table, each a public page that says which files
// a machine takes (read 2026-12):
//
//   - tidbits: https://www.quilting-tidbits.com/terms-and-conditions.html
//     lists the systems a store's files "directly" support: Compuquilter
//     .cqp; HQ Fusion Pro-Stitcher .hqf, .qli or .txt; MQR .mqr; Quilting
//     Solutions Side Saddle .ssd; PC Quilter .txt; CAD .dxf; Statler
//     Stitcher .qli; QBot .plt.
//   - recipes: http://www.quiltrecipes.com/pat_formats.php: CMD or CQP for
//     Compuquilter; HQF for Pro-Stitcher, which "reads both QLI and TXT",
//     QLI being "also the best format for the Pro-Stitcher"; IQP for
//     IntelliQuilter; QLI for Statler; TXT for PC Quilter.
//   - onesong: https://www.onesongneedlearts.com/terms-policies/ sells
//     "Statler-coded DXF, Statler QLI, Intelliquilter IQP".
//   - csq: https://www.kimquilt.com/Home/resources/csq-format: Gammill
//     CreativeStudio "is able to read other file formats (including QLI
//     and DXF formats)"; CSQ is the format it exports.
//   - FORMATS.md (../shared/FORMATS.md): BQM "believed" for BERNINA
//     Q-matic (unverified), QCC for QuiltEZ, PAT for ABM AutoPilot.
const (
	srcTidbits = "https://www.quilting-tidbits.com/terms-and-conditions.html"
	srcRecipes = "http://www.quiltrecipes.com/pat_formats.php"
	srcOneSong = "https://www.onesongneedlearts.com/terms-policies/"
	srcCSQ     = "https://www.kimquilt.com/Home/resources/csq-format"
	srcFormats = "FORMATS.md (PatternVault's notes on quilting formats)"
)

// Machines is the table behind "Download for my machine" and the
// workspace's machine in Settings. A design's original file in a format
// the machine takes always wins over a conversion; formats PatternVault
// cannot write (HQF, IQP, TXT...) are only ever offered as originals.
var Machines = []Machine{
	{"statler", "Gammill Statler Stitcher", []string{"qli", "dxf"}, srcTidbits + "; " + srcOneSong, true},
	{"gammill-cs", "Gammill CreativeStudio", []string{"qli", "csq", "dxf"}, srcCSQ, true},
	{"prostitcher", "Handi Quilter Pro-Stitcher", []string{"hqf", "qli", "txt"}, srcTidbits + "; " + srcRecipes, true},
	{"intelliquilter", "IntelliQuilter", []string{"iqp"}, srcRecipes + "; " + srcOneSong, true},
	{"quiltpath", "APQS Quilt Path", []string{"qli", "dxf"}, "no public source found: QLI and DXF are the formats stores sell for other systems", false},
	{"innova", "Innova (AutoPilot, Lightning Stitch)", []string{"qli", "dxf"}, "no public source found: QLI and DXF are the formats stores sell for other systems", false},
	{"qmatic", "BERNINA Q-matic", []string{"bqm"}, srcFormats + ": BQM believed for Q-matic", false},
	{"qbot", "Grace QBot", []string{"plt"}, srcTidbits, true},
	{"compuquilter", "Compuquilter", []string{"cqp", "cmd"}, srcTidbits + "; " + srcRecipes, true},
	{"sidesaddle", "Quilting Solutions Side Saddle", []string{"ssd"}, srcTidbits, true},
	{"mqr", "Machine Quilting Robot (MQR)", []string{"mqr"}, srcTidbits, true},
	{"pcquilter", "PC Quilter", []string{"txt"}, srcTidbits + "; " + srcRecipes, true},
	{"abm", "ABM AutoPilot", []string{"pat"}, srcFormats + ": PAT (ABM AutoPilot, also others)", false},
	{"quiltez", "QuiltEZ", []string{"qcc"}, srcFormats + ": QCC is QuiltEZ's format", false},
	{"cad", "CAD software (DXF)", []string{"dxf"}, srcTidbits + ": a CAD file is a .dxf", true},
	{"svg", "Drawing programs (SVG)", []string{"svg"}, "SVG is the web's drawing format (W3C), read by Inkscape, Illustrator and cutting programs", true},
}

// MachineByID finds a machine of the table (nil for none).
func MachineByID(id string) *Machine {
	for i := range Machines {
		if Machines[i].ID == id {
			return &Machines[i]
		}
	}
	return nil
}

// WritableAndKnown lists the design formats a library may hold, for
// filters: every format PatternVault reads or keeps.
func WritableAndKnown() []string {
	return []string{"qli", "bqm", "plt", "dxf", "svg", "csq", "qcc", "iqp", "hqf", "ssd", "cqp", "pat", "mqr", "ans"}
}

// machineSetting is the workspace setting that holds its machine's ID.
const machineSetting = "machine"

// errNoSuchMachine refuses a machine that is not in the table.
var errNoSuchMachine = problem.Invalid("bad_machine", "Choose your quilting machine from the list.")

// SetMachine makes id (a Machines ID, or "" for none) the workspace's
// machine: what "Download for my machine" and the library's ZIP give.
func (s *Service) SetMachine(ctx context.Context, tenantID int64, id string) error {
	if id != "" && MachineByID(id) == nil {
		return errNoSuchMachine
	}
	if err := s.Store.SetTenantSetting(ctx, tenantID, machineSetting, id); err != nil {
		return fmt.Errorf("library: set the machine of tenant %d: %w", tenantID, err)
	}
	return nil
}

// MachineOf returns the workspace's machine, or nil when none is set.
func MachineOf(t *store.Tenant) *Machine {
	if t == nil {
		return nil
	}
	id, _ := t.Settings[machineSetting].(string)
	return MachineByID(id)
}

package library

// Machine is a quilting machine or program, and the formats it takes in
// the order it prefers them.
type Machine struct {
	ID      string
	Name    string
	Formats []string
	// Source says where the format fact comes from.
	Source string
}

// Machines is the table behind "Download for my machine". A design's
// original file in a format the machine takes always wins over a
// conversion; formats PatternVault cannot write (HQF, IQP, ...) are only
// ever offered as originals.
var Machines = []Machine{
	{"statler", "Gammill Statler Stitcher", []string{"qli"}, "FORMATS.md: QLI is the Statler Stitcher's format"},
	{"gammill-cs", "Gammill CreativeStudio", []string{"csq", "qli"}, "FORMATS.md: CSQ is CreativeStudio's export (open spec)"},
	{"prostitcher", "Handi Quilter Pro-Stitcher", []string{"hqf", "qli"}, "issue 5: Pro-Stitcher takes QLI; HQF is its own (original only)"},
	{"qbot", "QBot", []string{"plt"}, "FORMATS.md: PLT (HPGL) is sold for QBot"},
	{"qmatic", "BERNINA Q-matic", []string{"bqm"}, "FORMATS.md: BQM believed for Q-matic (unverified)"},
	{"quiltez", "QuiltEZ", []string{"qcc"}, "FORMATS.md: QCC is QuiltEZ's format"},
	{"intelliquilter", "IntelliQuilter", []string{"iqp", "dxf"}, "FORMATS.md: IQP is IntelliQuilter's (original only); DXF as a common import"},
	{"cad", "CAD software (DXF)", []string{"dxf"}, "FORMATS.md: stores sell Statler-compliant polyline DXF"},
	{"svg", "Drawing programs (SVG)", []string{"svg"}, "SVG for Inkscape, Illustrator and cutting programs"},
}

// MachineByID finds a machine of the table.
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

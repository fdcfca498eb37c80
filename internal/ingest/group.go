package ingest

import (
	"cmp"
	"path"
	"slices"
	"strings"
)

// Design is one design as sold: the same pattern in several machine
// formats, its pictures, and the notes that apply to it.
type Design struct {
	// Name is for people: "Viking Longship", from the stem most of the
	// design's files share, without type prefix ("e2e -"), version ("v2"),
	// decorations or underscores, capitalised when it was all one case.
	Name string
	// Folder is the folder the files came from ("" for the top level).
	Folder string
	// Files are the design's files: design files, pictures and others,
	// each sorted by path, then notes, closest to the design first.
	Files []DesignFile
	// Notes come from the notes files that apply and from QLI NO INFO
	// lines; the QLI's designer and URL win over a folder's notes.
	Notes Notes
	// Type is TypeHint of the naming file's path ("e2e", "block", ...).
	Type string
	// Keywords are Keywords of the naming file's folder and stem.
	Keywords []string
}

// DesignFile is a file with its role in a design.
type DesignFile struct {
	File
	Role   Role
	Format string // lower-case extension without the dot, "" if none
}

// Group sorts files into designs. Within one folder:
//
//   - design files (machine formats, SVG) whose stems match once case,
//     punctuation, decorations like " (pic)" or "-animated", and type
//     words like "e2e -" are ignored form one design; stems that differ by
//     a single typo in a long word ("lonship" for "longship") are the same
//     design, but different numbers or versions ("v1", "v2") are different
//     designs (a stem without a version matches any version);
//   - when the folder holds exactly one such design, every picture and
//     other file of the folder belongs to it; otherwise each goes to the
//     design whose name it clearly matches best (word order, versions,
//     type words and small word endings ignored), and files that match
//     none clearly form designs of their own (with no design file);
//   - notes files (copyright*, licen[cs]e*, readme*, *info*.txt, prose
//     .txt) attach to every design of their folder and of its subfolders;
//     to every design of the upload when there is none below them; and
//     form a design of their own when the upload has no other.
//
// Every file appears in exactly one design, except notes, which may
// appear in several. Designs are sorted by folder, then name.
func Group(files []File) []Design {
	byFolder := map[string][]DesignFile{}
	var notes []DesignFile
	for _, f := range files {
		df := DesignFile{File: f, Role: Classify(f.Path, f.Data), Format: Ext(f.Path)}
		if df.Role == RoleNotes {
			notes = append(notes, df)
			continue
		}
		dir := folderOf(f.Path)
		byFolder[dir] = append(byFolder[dir], df)
	}
	var designs []*family
	for _, dir := range sortedKeys(byFolder) {
		designs = append(designs, groupFolder(dir, byFolder[dir])...)
	}
	designs = attachNotes(designs, notes)
	parsed := map[string]Notes{}
	out := make([]Design, 0, len(designs))
	for _, fam := range designs {
		out = append(out, fam.design(parsed))
	}
	slices.SortStableFunc(out, func(a, b Design) int {
		return cmp.Or(cmp.Compare(a.Folder, b.Folder), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// family is a design being assembled.
type family struct {
	folder  string
	files   []DesignFile
	notes   []DesignFile
	key     []string // matchWords of the first design file
	version string   // its version mark ("v2"), "" if none
}

func folderOf(p string) string {
	if dir := path.Dir(p); dir != "." {
		return dir
	}
	return ""
}

// stemKey returns the words of a file's stem without decorations,
// versions and digits kept: the identity of a design within a folder.
func stemKey(p string) []string {
	stem, _ := splitExt(path.Base(p))
	return words(stripDecorations(stem))
}

// matchWords are a stem's words for matching pictures to designs:
// versions, type words and noise words dropped, digits kept.
func matchWords(p string) []string {
	_, ws := typeOf(stemKey(p))
	out := ws[:0]
	for _, w := range ws {
		if !isVersion(w) && !noiseWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// groupFolder builds the designs of one folder (notes excluded).
func groupFolder(dir string, files []DesignFile) []*family {
	slices.SortFunc(files, func(a, b DesignFile) int { return cmp.Compare(a.Path, b.Path) })
	var fams []*family
	var rest []DesignFile
	for _, f := range files {
		if f.Role != RoleDesign {
			rest = append(rest, f)
			continue
		}
		key, version := matchWords(f.Path), versionOf(f.Path)
		if len(key) == 0 {
			key = stemKey(f.Path) // a stem of only type words or versions
		}
		if fam := findFamily(fams, key, version); fam != nil {
			fam.files = append(fam.files, f)
			continue
		}
		fams = append(fams, &family{folder: dir, files: []DesignFile{f}, key: key, version: version})
	}
	var orphans []DesignFile
	for _, f := range rest {
		if fam := bestFamily(fams, f.Path); fam != nil {
			fam.files = append(fam.files, f)
		} else {
			orphans = append(orphans, f)
		}
	}
	return append(fams, orphanFamilies(dir, orphans)...)
}

// findFamily returns the family whose words are key, or differ from it by
// a typo in one long word, and whose version is version (or either has
// none).
func findFamily(fams []*family, key []string, version string) *family {
	for _, fam := range fams {
		if sameDesign(fam.key, key) && (fam.version == version || fam.version == "" || version == "") {
			return fam
		}
	}
	return nil
}

// versionOf returns the version mark in a file's stem ("v2"), or "".
func versionOf(p string) string {
	for _, w := range stemKey(p) {
		if isVersion(w) {
			return w
		}
	}
	return ""
}

// sameDesign: equal word for word, except at most one pair of alphabetic
// words of five letters or more that are one edit apart.
func sameDesign(a, b []string) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	typos := 0
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		if !isAlpha(a[i]) || !isAlpha(b[i]) || min(len(a[i]), len(b[i])) < 5 || !oneEdit(a[i], b[i]) {
			return false
		}
		typos++
	}
	return typos <= 1
}

// bestFamily returns the family a picture or other file belongs to: the
// only one in the folder, the one with the same stem, or the one whose
// words it matches best when that match is clear (score ≥ 0.5 and better
// than any other); nil otherwise.
func bestFamily(fams []*family, p string) *family {
	if len(fams) == 1 {
		return fams[0]
	}
	ws := matchWords(p)
	for _, fam := range fams {
		if slices.Equal(fam.key, ws) && fam.version == versionOf(p) {
			return fam
		}
	}
	var best *family
	bestScore, second := 0.0, 0.0
	for _, fam := range fams {
		s := similarity(ws, fam.key)
		switch {
		case s > bestScore:
			best, bestScore, second = fam, s, bestScore
		case s > second:
			second = s
		}
	}
	if bestScore >= 0.5 && bestScore > second {
		return best
	}
	return nil
}

// similarity is the share of words the two lists have in common, in any
// order, counting near-equal words (see nearWord) as equal.
func similarity(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	used := make([]bool, len(b))
	matched := 0
	for _, w := range a {
		for j, v := range b {
			if !used[j] && nearWord(w, v) {
				used[j] = true
				matched++
				break
			}
		}
	}
	return float64(matched) / float64(max(len(a), len(b)))
}

// nearWord: equal; or alphabetic, one a prefix of the other and at least
// four letters ("loop", "looped"); or alphabetic, five letters or more
// and one edit apart ("lonship", "longship").
func nearWord(a, b string) bool {
	if a == b {
		return true
	}
	if !isAlpha(a) || !isAlpha(b) {
		return false
	}
	short := min(len(a), len(b))
	if short >= 4 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
		return true
	}
	return short >= 5 && oneEdit(a, b)
}

// oneEdit reports whether a and b differ by exactly one insertion,
// deletion or substitution (bytes).
func oneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 || a == b {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}

// orphanFamilies groups files that match no design by stem.
func orphanFamilies(dir string, files []DesignFile) []*family {
	var fams []*family
	for _, f := range files {
		key := matchWords(f.Path)
		if len(key) == 0 {
			key = stemKey(f.Path)
		}
		found := false
		for _, fam := range fams {
			if slices.Equal(fam.key, key) {
				fam.files = append(fam.files, f)
				found = true
				break
			}
		}
		if !found {
			fams = append(fams, &family{folder: dir, files: []DesignFile{f}, key: key})
		}
	}
	return fams
}

// attachNotes gives each notes file to the designs of its folder and
// subfolders, else to all designs, else to a design of its own.
func attachNotes(fams []*family, notes []DesignFile) []*family {
	slices.SortFunc(notes, func(a, b DesignFile) int { return cmp.Compare(a.Path, b.Path) })
	var homeless []DesignFile
	for _, n := range notes {
		dir := folderOf(n.Path)
		attached := false
		for _, fam := range fams {
			if within(fam.folder, dir) {
				fam.notes = append(fam.notes, n)
				attached = true
			}
		}
		if !attached {
			homeless = append(homeless, n)
		}
	}
	if len(homeless) == 0 {
		return fams
	}
	if len(fams) > 0 {
		for _, fam := range fams {
			fam.notes = append(fam.notes, homeless...)
		}
		return fams
	}
	byDir := map[string]*family{}
	for _, n := range homeless {
		dir := folderOf(n.Path)
		if byDir[dir] == nil {
			byDir[dir] = &family{folder: dir, key: stemKey(n.Path)}
			fams = append(fams, byDir[dir])
		}
		byDir[dir].files = append(byDir[dir].files, n)
	}
	return fams
}

// within reports whether folder is dir or below it.
func within(folder, dir string) bool {
	return dir == "" || folder == dir || strings.HasPrefix(folder, dir+"/")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

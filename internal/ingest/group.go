package ingest

import (
	"cmp"
	"path"
	"slices"
	"strconv"
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

// Upload is an upload sorted for import: its designs, the files that
// belong to the whole upload rather than to one design, and the files
// left out.
type Upload struct {
	// Designs are the upload's designs (see Group).
	Designs []Design
	// Shared are files of the whole upload, kept once with the import
	// rather than with every design: notes files (a README or a licence)
	// at the top of an upload whose designs are in folders below it, notes
	// files with no design in their folder or below, and documents at the
	// top that name no design. Notes among them still lend their designer,
	// website and licence to the Notes of the designs they cover.
	Shared []DesignFile
	// Left are repository files, left out: dotfiles (".gitattributes")
	// and everything in a dot-folder (".git/", ".github/"). They are not
	// part of any design.
	Left []string
}

// Group sorts files into designs: GroupUpload's designs.
func Group(files []File) []Design { return GroupUpload(files).Designs }

// GroupUpload sorts files into designs. Within one folder:
//
//   - design files (machine formats, SVG) whose stems match once case,
//     punctuation, decorations like " (pic)" or "-animated", and type
//     words like "e2e -" are ignored form one design; stems that differ by
//     a single typo in a long word ("lonship" for "longship") are the same
//     design, but different numbers or versions ("v1", "v2") are different
//     designs (a stem without a version matches any version);
//   - when the folder holds exactly one such design, every picture, video
//     and other file of the folder belongs to it; otherwise each goes to
//     the design whose name it clearly matches best (word order, versions,
//     type words and small word endings ignored); one that matches several
//     versions of a design alike ("Mario Warp Pipes (vid).mp4" beside v1
//     and v2) goes to the latest version, and one that matches no design
//     clearly goes to the design it shares most words with, or the
//     folder's first: a picture or a video never makes a design of its own
//     in a folder that has one;
//   - a folder with no design file: its files go to the design of the
//     upload whose name they clearly match; failing that they form designs
//     of their own (they are never lost);
//   - notes files (copyright*, licen[cs]e*, readme*, *info*.txt, prose
//     .txt) attach to every design of their folder and of its subfolders,
//     except store-wide ones (see Upload.Shared), which are kept once; an
//     upload with no design at all keeps its notes as a design of its own;
//   - repository files (dotfiles, dot-folders) are left out (Upload.Left).
//
// Every file appears in exactly one design or in Shared, except notes,
// which may appear in several designs. Designs are sorted by folder, then
// name.
func GroupUpload(files []File) Upload {
	var up Upload
	byFolder := map[string][]DesignFile{}
	var notes []DesignFile
	var kept []File
	for _, f := range files {
		if isRepoFile(f.Path) {
			up.Left = append(up.Left, f.Path)
			continue
		}
		kept = append(kept, f)
	}
	root := commonFolder(kept)
	for _, f := range kept {
		df := DesignFile{File: f, Role: Classify(f.Path, f.Data), Format: Ext(f.Path)}
		if df.Role == RoleNotes {
			notes = append(notes, df)
			continue
		}
		dir := folderOf(f.Path)
		byFolder[dir] = append(byFolder[dir], df)
	}
	var designs []*family
	var homeless []DesignFile // files of folders without a design
	for _, dir := range sortedKeys(byFolder) {
		fams, rest := groupFolder(dir, byFolder[dir])
		designs = append(designs, fams...)
		homeless = append(homeless, rest...)
	}
	storeWide := len(designs) >= 2 && !slices.ContainsFunc(designs, func(f *family) bool { return f.folder == root })
	var orphans []DesignFile
	for _, f := range homeless {
		switch fam := bestFamily(designs, f.Path, false); {
		case fam != nil:
			fam.files = append(fam.files, f)
		case storeWide && folderOf(f.Path) == root:
			up.Shared = append(up.Shared, f) // a file of the whole store
		default:
			orphans = append(orphans, f)
		}
	}
	byDir := map[string][]DesignFile{}
	for _, f := range orphans {
		byDir[folderOf(f.Path)] = append(byDir[folderOf(f.Path)], f)
	}
	for _, dir := range sortedKeys(byDir) {
		designs = append(designs, orphanFamilies(dir, byDir[dir])...)
	}
	var shared []DesignFile
	designs, shared = attachNotes(designs, notes, root, storeWide)
	up.Shared = append(up.Shared, shared...)
	slices.SortFunc(up.Shared, func(a, b DesignFile) int { return cmp.Compare(a.Path, b.Path) })
	parsed := map[string]Notes{}
	up.Designs = make([]Design, 0, len(designs))
	for _, fam := range designs {
		up.Designs = append(up.Designs, fam.design(parsed))
	}
	slices.SortStableFunc(up.Designs, func(a, b Design) int {
		return cmp.Or(cmp.Compare(a.Folder, b.Folder), cmp.Compare(a.Name, b.Name))
	})
	return up
}

// isRepoFile reports files of a repository rather than of a design: a
// dotfile (".gitattributes") or anything in a dot-folder (".git/HEAD").
func isRepoFile(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// commonFolder returns the deepest folder holding every file ("" for the
// top of the upload).
func commonFolder(files []File) string {
	if len(files) == 0 {
		return ""
	}
	root := folderOf(files[0].Path)
	for _, f := range files[1:] {
		for root != "" && !within(folderOf(f.Path), root) {
			root = folderOf(root)
		}
	}
	return root
}

// family is a design being assembled.
type family struct {
	folder string
	files  []DesignFile
	notes  []DesignFile
	// shared are store-wide notes that cover the design: they lend it
	// their designer, website and licence, but are not its files.
	shared  []DesignFile
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

// groupFolder builds the designs of one folder (notes excluded). In a
// folder with no design file it builds none and returns the files.
func groupFolder(dir string, files []DesignFile) (fams []*family, rest []DesignFile) {
	slices.SortFunc(files, func(a, b DesignFile) int { return cmp.Compare(a.Path, b.Path) })
	var others []DesignFile
	for _, f := range files {
		if f.Role != RoleDesign {
			others = append(others, f)
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
	if len(fams) == 0 {
		return nil, others
	}
	for _, f := range others {
		fam := bestFamily(fams, f.Path, true)
		fam.files = append(fam.files, f)
	}
	return fams, nil
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
// only one, the one with the same stem, or the one whose words it matches
// best when that match is clear (score ≥ 0.5 and better than any other).
// Without a clear match it returns nil, unless always is set (and fams is
// not empty): then the latest version when the best matches are versions
// of one design, else the first family among the best (the first of all
// when none shares a word).
func bestFamily(fams []*family, p string, always bool) *family {
	if len(fams) == 1 {
		return fams[0]
	}
	ws := matchWords(p)
	for _, fam := range fams {
		if slices.Equal(fam.key, ws) && fam.version == versionOf(p) {
			return fam
		}
	}
	var best []*family
	bestScore, second := 0.0, 0.0
	for _, fam := range fams {
		switch s := similarity(ws, fam.key); {
		case s > bestScore:
			best, bestScore, second = []*family{fam}, s, bestScore
		case s == bestScore:
			best = append(best, fam)
		case s > second:
			second = s
		}
	}
	if bestScore >= 0.5 && len(best) == 1 && bestScore > second {
		return best[0]
	}
	if !always {
		return nil
	}
	if bestScore == 0 {
		return fams[0]
	}
	latest := best[0]
	for _, fam := range best[1:] {
		if !slices.Equal(fam.key, latest.key) {
			return best[0] // different designs alike: the first
		}
		if versionNumber(fam.version) > versionNumber(latest.version) {
			latest = fam
		}
	}
	return latest
}

// versionNumber is the number of a version mark ("v2" is 2, "v1.3" is 1.3),
// 0 for none.
func versionNumber(v string) float64 {
	digits := strings.TrimLeftFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	n, _ := strconv.ParseFloat(digits, 64)
	return n
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
// subfolders. Store-wide notes (at the root of an upload whose designs are
// all below it, when storeWide) and notes with no design at or below
// their folder are returned as shared instead, and lend their notes to
// the designs below them (to all designs, for the latter). With no design
// at all, notes form designs of their own.
func attachNotes(fams []*family, notes []DesignFile, root string, storeWide bool) ([]*family, []DesignFile) {
	slices.SortFunc(notes, func(a, b DesignFile) int { return cmp.Compare(a.Path, b.Path) })
	if len(fams) == 0 {
		byDir := map[string]*family{}
		for _, n := range notes {
			dir := folderOf(n.Path)
			if byDir[dir] == nil {
				byDir[dir] = &family{folder: dir, key: stemKey(n.Path)}
				fams = append(fams, byDir[dir])
			}
			byDir[dir].files = append(byDir[dir].files, n)
		}
		return fams, nil
	}
	var shared []DesignFile
	for _, n := range notes {
		dir := folderOf(n.Path)
		var below []*family
		for _, fam := range fams {
			if within(fam.folder, dir) {
				below = append(below, fam)
			}
		}
		switch {
		case len(below) == 0:
			shared = append(shared, n)
			for _, fam := range fams {
				fam.shared = append(fam.shared, n)
			}
		case storeWide && dir == root:
			shared = append(shared, n)
			for _, fam := range below {
				fam.shared = append(fam.shared, n)
			}
		default:
			for _, fam := range below {
				fam.notes = append(fam.notes, n)
			}
		}
	}
	return fams, shared
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

package ingest

import (
	"archive/zip"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cp437 maps bytes 0x80–0xFF of IBM code page 437, the encoding of ZIP
// names not flagged as UTF-8 (old Windows and DOS tools).
const cp437 = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0"

var cp437Runes = []rune(cp437)

// entryName returns f's name as valid UTF-8: names that are not valid
// UTF-8 are decoded as code page 437, as the ZIP specification says.
func entryName(f *zip.File) string {
	if utf8.ValidString(f.Name) {
		return f.Name
	}
	var b strings.Builder
	for i := 0; i < len(f.Name); i++ {
		c := f.Name[i]
		if c < 0x80 {
			b.WriteByte(c)
		} else {
			b.WriteRune(cp437Runes[c-0x80])
		}
	}
	return b.String()
}

// safePath checks an entry name and returns it cleaned: backslashes become
// slashes, "." segments and repeated slashes go. It refuses (ok false)
// absolute names, drive letters ("C:"), any ".." segment (even one that
// would stay inside the archive) and control characters. A name that cleans
// to nothing (a folder such as "./") returns "".
func safePath(name string) (clean string, ok bool) {
	p := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(p, "/") || hasDriveLetter(p) {
		return "", false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return "", false
		}
	}
	if strings.IndexFunc(p, unicode.IsControl) >= 0 {
		return "", false
	}
	clean = path.Clean(p)
	if clean == "." {
		return "", true
	}
	return clean, true
}

// hasDriveLetter reports a Windows drive prefix such as "C:" or "c:x".
func hasDriveLetter(p string) bool {
	return len(p) >= 2 && p[1] == ':' && ('a' <= p[0]|0x20 && p[0]|0x20 <= 'z')
}

// isJunk reports files that operating systems add to archives and that no
// quilter means to upload: macOS resource forks (__MACOSX/, ._name),
// .DS_Store, and Windows' Thumbs.db and desktop.ini.
func isJunk(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if strings.EqualFold(seg, "__MACOSX") {
			return true
		}
	}
	base := path.Base(p)
	switch strings.ToLower(base) {
	case ".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db":
		return true
	}
	return strings.HasPrefix(base, "._")
}

package storeapi

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/patternvault/patternvault/internal/formats"
	"github.com/patternvault/patternvault/internal/ingest"
)

// bundle makes one upload of a delivery's files: a single file as it is,
// several as one ZIP (stored, not compressed), so that the import groups
// them together as it groups a ZIP from the store. The store's picture
// joins a single loose design file under the design's own stem, so the
// grouping attaches it to that design.
func bundle(patternName string, files []*Fetched, thumb *Fetched) (string, []byte) {
	if len(files) == 1 && (thumb == nil || isZip(files[0].Data)) {
		return withExt(files[0]), files[0].Data
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	seen := map[string]bool{}
	add := func(name string, data []byte) {
		name = uniqueName(seen, name)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err == nil {
			w.Write(data)
		}
	}
	for _, f := range files {
		add(withExt(f), f.Data)
	}
	if thumb != nil && len(files) == 1 {
		stem := strings.TrimSuffix(withExt(files[0]), path.Ext(withExt(files[0])))
		add(stem+pictureExt(thumb.Data), thumb.Data)
	}
	zw.Close()
	return keyName(patternName) + ".zip", buf.Bytes()
}

// withExt is a fetched file's name, with .zip added to a ZIP that lacks it.
func withExt(f *Fetched) string {
	if isZip(f.Data) && !strings.EqualFold(path.Ext(f.Name), ".zip") {
		return f.Name + ".zip"
	}
	return f.Name
}

func isZip(b []byte) bool {
	return bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06"))
}

// pictureExt is ".png" or ".jpg" for a PNG or JPEG picture, else "".
func pictureExt(b []byte) string {
	switch http.DetectContentType(b) {
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	}
	return ""
}

func uniqueName(seen map[string]bool, name string) string {
	out := name
	for i := 2; seen[strings.ToLower(out)]; i++ {
		ext := path.Ext(name)
		out = fmt.Sprintf("%s (%d)%s", strings.TrimSuffix(name, ext), i, ext)
	}
	seen[strings.ToLower(out)] = true
	return out
}

// keyName makes a blob key segment of a name: [A-Za-z0-9._-], at most 100.
func keyName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), ".")
	if len(out) > 100 {
		out = out[:100]
	}
	if out == "" {
		return "delivery"
	}
	return out
}

// bundleNameOf is the upload name of a kept bundle (its key's last part).
func bundleNameOf(key string) string { return path.Base(key) }

// inspect unpacks a bundle within the import's limits and returns the
// designs it holds (names, and the SHA-256 of their design files). A
// bundle that cannot be unpacked (a ZIP bomb, a broken ZIP) or that holds
// no design is a *FetchError.
func inspect(data []byte, name string, lim ingest.Limits) ([]string, [][]byte, error) {
	files, err := ingest.Unpack(bytes.NewReader(data), int64(len(data)), name, lim)
	if err != nil {
		return nil, nil, &FetchError{Code: "unreadable", Reason: ingest.Explain(err)}
	}
	var names []string
	var sums [][]byte
	for _, d := range ingest.Group(files) {
		found := false
		for _, f := range d.Files {
			if f.Role != ingest.RoleDesign || !isDesign(f.Path, f.Data) {
				continue
			}
			sum := sha256.Sum256(f.Data)
			sums = append(sums, sum[:])
			found = true
		}
		if found {
			names = append(names, d.Name)
		}
	}
	if len(names) == 0 {
		return nil, nil, &FetchError{Code: "not_a_design", Reason: fmt.Sprintf("%s holds no design file in a format PatternVault knows (QLI, BQM, PLT, DXF, SVG, HQF...)", name)}
	}
	return names, sums, nil
}

// isDesign reports whether a file named as a design is one: content that
// is plainly something else (an HTML error page named .qli) is not.
func isDesign(name string, data []byte) bool {
	_, f, err := formats.Read(name, data)
	return f != nil && !errors.Is(err, formats.ErrNotDesign)
}

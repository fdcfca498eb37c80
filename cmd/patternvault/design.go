package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/patternvault/patternvault/internal/convert"
	"github.com/patternvault/patternvault/internal/geom"
)

func readDesignFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > geom.MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is larger than any design file (%d MB at most)", path, fi.Size(), geom.MaxFileSize>>20)
	}
	return os.ReadFile(path)
}

func runInspect(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("usage: patternvault inspect [--json] FILE")
	}
	data, err := readDesignFile(pos[0])
	if err != nil {
		return err
	}
	r, err := convert.Inspect(pos[0], data)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "file\t%s\nformat\t%s (%s)\n", r.File, r.Format, r.FormatTitle)
	fmt.Fprintf(tw, "size\t%.3f × %.3f in\nstitched length\t%.2f in\n", r.WidthIn, r.HeightIn, r.StitchLengthIn)
	fmt.Fprintf(tw, "paths\t%d stitched, %d jumps, %d pauses\n", r.Paths, r.Jumps, r.Pauses)
	for _, w := range r.Warnings {
		fmt.Fprintf(tw, "warning\t%s\n", w)
	}
	if r.Designer != "" {
		fmt.Fprintf(tw, "designer\t%s\n", r.Designer)
	}
	if len(r.URLs) > 0 {
		fmt.Fprintf(tw, "links\t%s\n", strings.Join(r.URLs, " "))
	}
	if a := r.Analysis; a != nil {
		fmt.Fprintf(tw, "type\t%s (confidence %.2f)\nsymmetry\tleft-right %.2f, top-bottom %.2f\nupright\trotate %d° (confidence %.2f)\n",
			a.Type, a.TypeConfidence, a.MirrorLR, a.MirrorTB, a.SuggestedRotation, a.RotationConfidence)
	}
	if r.NotAnalysed != "" {
		fmt.Fprintf(tw, "shape\tnot analysed: %s\n", r.NotAnalysed)
	}
	return tw.Flush()
}

func runConvert(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	to := fs.String("to", "", "target format (default: from OUT's extension)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError("usage: patternvault convert [--to FMT] IN OUT")
	}
	target, err := convert.TargetFormat(pos[1], *to)
	if err != nil {
		return err
	}
	data, err := readDesignFile(pos[0])
	if err != nil {
		return err
	}
	out, notes, err := convert.ConvertNotes(pos[0], data, target)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(pos[1], out); err != nil {
		return err
	}
	// What the file made us assume, and what the target cannot carry, go
	// to standard error: the conversion succeeded, but not silently.
	for _, n := range notes {
		fmt.Fprintf(os.Stderr, "patternvault: warning: %s\n", n)
	}
	return nil
}

func runThumbnail(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("thumbnail", flag.ContinueOnError)
	size := fs.Int("size", 256, "width and height in pixels")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError("usage: patternvault thumbnail [--size N] IN OUT.png")
	}
	data, err := readDesignFile(pos[0])
	if err != nil {
		return err
	}
	png, err := convert.Thumbnail(pos[0], data, *size)
	if err != nil {
		return err
	}
	return writeFileAtomic(pos[1], png)
}

// writeFileAtomic writes data to path through a temporary file, so a
// failed write never leaves half a file behind.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(dirOf(path), ".pv-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	os.Chmod(tmp.Name(), 0o644)
	return os.Rename(tmp.Name(), path)
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[:i+1]
	}
	return "."
}

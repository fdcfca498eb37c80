package library

import (
	"bytes"
	"context"

	"golang.org/x/sync/semaphore"
)

// DefaultImportMemory is the memory budget of one import when the
// service has none (PV_IMPORT_MEMORY_MB's default).
const DefaultImportMemory = 256 << 20

// memBudget is the memory of one import, shared by its design workers:
// each takes what the files it holds and the geometry it reads will need
// before it reads them, and gives it back when it drops them, so the
// import stays within its budget however large the upload. A design that
// needs more than the whole budget is not read (too large to preview);
// one that needs much of it waits until the others have finished.
type memBudget struct {
	total int64
	sem   *semaphore.Weighted
}

func newMemBudget(total int64) *memBudget {
	if total <= 0 {
		total = DefaultImportMemory
	}
	return &memBudget{total: total, sem: semaphore.NewWeighted(total)}
}

// fits reports whether n bytes can ever be had.
func (b *memBudget) fits(n int64) bool { return n <= b.total }

// acquire waits for n bytes (at most the whole budget).
func (b *memBudget) acquire(ctx context.Context, n int64) error {
	return b.sem.Acquire(ctx, min(max(n, 0), b.total))
}

// release gives back n bytes taken by acquire.
func (b *memBudget) release(n int64) { b.sem.Release(min(max(n, 0), b.total)) }

// Bytes of heap that reading a design takes, per line of a text format
// (or per 8 bytes of a binary one), measured on the largest hostile files
// with a margin (see TestGeometryEstimate): the geometry, the growth of
// its slices and the readers' garbage.
var heapPerUnit = map[string]int64{
	"dxf": 64,  // a DXF line is half a group: about 320 bytes a segment
	"bqm": 128, // about 290 bytes a segment, three lines a segment at best
	"iqp": 200, // per 8 bytes (one point)
	"svg": 48,  // per byte: a path command can be two bytes
}

// defaultHeapPerUnit is the cost per line of the other text formats (a
// segment a line: QLI, PLT, CSQ, QCC, TXT).
const defaultHeapPerUnit = 320

// geometryCost estimates the heap that reading data as a design of the
// named format takes, held data included.
func geometryCost(format string, data []byte) int64 {
	per, ok := heapPerUnit[format]
	if !ok {
		per = defaultHeapPerUnit
	}
	var units int64
	switch format {
	case "iqp":
		units = int64(len(data)) / 8
	case "svg":
		units = int64(len(data))
	default:
		units = int64(bytes.Count(data, []byte{'\n'})) + int64(bytes.Count(data, []byte{';'})) + 1
		// HPGL puts many points in one command; binary or one long line.
		units = max(units, int64(bytes.Count(data, []byte{','}))/2, int64(len(data))/64)
	}
	return int64(len(data)) + units*per
}

// GeometryCost estimates the heap that reading data as a design of the
// named format takes, held data included, for callers outside the import
// (machine kits) that bound their memory the same way.
func GeometryCost(format string, data []byte) int64 { return geometryCost(format, data) }

package metrics

import (
	"bufio"
	"cmp"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// The metrics are kept and written here, in Prometheus' text exposition
// format (version 0.0.4), instead of with client_golang: that library and
// the protobuf and procfs packages it brings ran their initialisers in
// every command of the binary (about 2.5 ms of the 20 a command may take
// to start, issue 14), for a format this simple. A test reads what
// Registry writes with Prometheus' own parser.

// Registry holds a process's metric families and writes them, in the
// order they were added, for a scrape.
type Registry struct {
	mu       sync.Mutex
	families []family
}

// family is one metric family, or a collector of several read at scrape
// time.
type family interface {
	write(w *bufio.Writer)
}

func (r *Registry) add(f ...family) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.families = append(r.families, f...)
}

// Write writes every family in the text format.
func (r *Registry) Write(w io.Writer) error {
	r.mu.Lock()
	families := slices.Clone(r.families)
	r.mu.Unlock()
	bw := bufio.NewWriter(w)
	for _, f := range families {
		f.write(bw)
	}
	return bw.Flush()
}

// ServeHTTP serves the metrics in the text format.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	r.Write(w) // a scraper that went away: nothing to tell it
}

// header writes a family's HELP and TYPE lines.
func header(w *bufio.Writer, name, help, typ string) {
	w.WriteString("# HELP " + name + " " + escapeHelp(help) + "\n# TYPE " + name + " " + typ + "\n")
}

func escapeHelp(s string) string { return helpEscaper.Replace(s) }

var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

// labelString renders names and values as {a="x",b="y"} ("" for none),
// sorted by name as client_golang writes them, values escaped as the
// format wants.
func labelString(names, values []string) string {
	if len(names) == 0 {
		return ""
	}
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(names[a], names[b]) })
	var b strings.Builder
	b.WriteByte('{')
	for i, o := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(names[o] + `="`)
		b.WriteString(labelEscaper.Replace(values[o]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// withLabel adds one more label to a rendered label string.
func withLabel(labels, name, value string) string {
	l := name + `="` + value + `"`
	if labels == "" {
		return "{" + l + "}"
	}
	return labels[:len(labels)-1] + "," + l + "}"
}

func sample(w *bufio.Writer, name, labels string, v float64) {
	w.WriteString(name + labels + " " + formatFloat(v) + "\n")
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// atomicFloat is a float64 that goroutines add to without a lock.
type atomicFloat struct{ bits atomic.Uint64 }

func (f *atomicFloat) add(v float64) {
	for {
		old := f.bits.Load()
		if f.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

func (f *atomicFloat) load() float64 { return math.Float64frombits(f.bits.Load()) }

// vec keeps one child per combination of label values, written in the
// order of their label strings.
type vec[T any] struct {
	name, help string
	labels     []string
	newChild   func(labels string) *T
	mu         sync.RWMutex
	children   map[string]*T
}

func (v *vec[T]) with(values []string) *T {
	if len(values) != len(v.labels) {
		panic("metrics: " + v.name + " takes " + strconv.Itoa(len(v.labels)) + " label values, got " + strconv.Itoa(len(values)))
	}
	key := labelString(v.labels, values)
	v.mu.RLock()
	c, ok := v.children[key]
	v.mu.RUnlock()
	if ok {
		return c
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if c, ok := v.children[key]; ok {
		return c
	}
	if v.children == nil {
		v.children = map[string]*T{}
	}
	c = v.newChild(key)
	v.children[key] = c
	return c
}

// sorted returns the children by label string.
func (v *vec[T]) sorted() []*T {
	v.mu.RLock()
	defer v.mu.RUnlock()
	keys := make([]string, 0, len(v.children))
	for k := range v.children {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]*T, len(keys))
	for i, k := range keys {
		out[i] = v.children[k]
	}
	return out
}

// Counter is a value that only goes up.
type Counter struct {
	labels string
	v      atomicFloat
}

// Inc adds one.
func (c *Counter) Inc() { c.v.add(1) }

// Add adds v, which must not be negative.
func (c *Counter) Add(v float64) {
	if v < 0 {
		panic("metrics: a counter cannot go down")
	}
	c.v.add(v)
}

// Value is the counter's value.
func (c *Counter) Value() float64 { return c.v.load() }

// CounterVec is a counter per combination of label values.
type CounterVec struct{ v vec[Counter] }

// NewCounterVec makes a counter family with the given label names.
func NewCounterVec(name, help string, labels ...string) *CounterVec {
	return &CounterVec{vec[Counter]{name: name, help: help, labels: labels,
		newChild: func(l string) *Counter { return &Counter{labels: l} }}}
}

// WithLabelValues is the counter of these label values (one for each
// label name, in order), made at its first use.
func (c *CounterVec) WithLabelValues(values ...string) *Counter { return c.v.with(values) }

func (c *CounterVec) write(w *bufio.Writer) {
	header(w, c.v.name, c.v.help, "counter")
	for _, ch := range c.v.sorted() {
		sample(w, c.v.name, ch.labels, ch.Value())
	}
}

// Histogram counts observations in buckets.
type Histogram struct {
	labels string
	bounds []float64
	counts []atomic.Uint64 // one per bound, not cumulative
	count  atomic.Uint64
	sum    atomicFloat
}

// Observe records one value.
func (h *Histogram) Observe(v float64) {
	if i, _ := slices.BinarySearch(h.bounds, v); i < len(h.bounds) {
		h.counts[i].Add(1)
	}
	h.count.Add(1)
	h.sum.add(v)
}

// HistogramVec is a histogram per combination of label values.
type HistogramVec struct{ v vec[Histogram] }

// NewHistogramVec makes a histogram family with the given upper bounds
// (ascending; +Inf is implied) and label names.
func NewHistogramVec(name, help string, bounds []float64, labels ...string) *HistogramVec {
	bounds = slices.Clone(bounds)
	slices.Sort(bounds)
	return &HistogramVec{vec[Histogram]{name: name, help: help, labels: labels,
		newChild: func(l string) *Histogram {
			return &Histogram{labels: l, bounds: bounds, counts: make([]atomic.Uint64, len(bounds))}
		}}}
}

// WithLabelValues is the histogram of these label values, made at its
// first use.
func (h *HistogramVec) WithLabelValues(values ...string) *Histogram { return h.v.with(values) }

func (h *HistogramVec) write(w *bufio.Writer) {
	name := h.v.name
	header(w, name, h.v.help, "histogram")
	for _, ch := range h.v.sorted() {
		// Read the total first: the buckets may then hold a few more
		// observations, never fewer, so every bucket stays at most +Inf's.
		count := ch.count.Load()
		sum := ch.sum.load()
		cum := uint64(0)
		for i, b := range ch.bounds {
			cum += ch.counts[i].Load()
			sample(w, name+"_bucket", withLabel(ch.labels, "le", formatFloat(b)), float64(min(cum, count)))
		}
		sample(w, name+"_bucket", withLabel(ch.labels, "le", "+Inf"), float64(count))
		sample(w, name+"_sum", ch.labels, sum)
		sample(w, name+"_count", ch.labels, float64(count))
	}
}

// gaugeFunc is a gauge read at scrape time.
type gaugeFunc struct {
	name, help string
	read       func() float64
}

func (g gaugeFunc) write(w *bufio.Writer) {
	header(w, g.name, g.help, "gauge")
	sample(w, g.name, "", g.read())
}

// Desc describes a family whose samples a collector makes at scrape time.
type Desc struct {
	name, help, typ string
	labels          []string
}

func gaugeDesc(name, help string, labels ...string) *Desc {
	return &Desc{name: name, help: help, typ: "gauge", labels: labels}
}

func counterDesc(name, help string, labels ...string) *Desc {
	return &Desc{name: name, help: help, typ: "counter", labels: labels}
}

// emitFunc gives one sample of a collector: its family, value and label
// values.
type emitFunc func(d *Desc, v float64, labelValues ...string)

// collector makes samples at scrape time; they are written grouped by
// family, in the order the families first appear.
type collector func(emit emitFunc)

func (c collector) write(w *bufio.Writer) {
	type line struct {
		labels string
		v      float64
	}
	var order []*Desc
	lines := map[*Desc][]line{}
	c(func(d *Desc, v float64, values ...string) {
		if len(values) != len(d.labels) {
			panic("metrics: " + d.name + " takes " + strconv.Itoa(len(d.labels)) + " label values")
		}
		if _, ok := lines[d]; !ok {
			order = append(order, d)
		}
		lines[d] = append(lines[d], line{labelString(d.labels, values), v})
	})
	for _, d := range order {
		header(w, d.name, d.help, d.typ)
		ls := lines[d]
		slices.SortStableFunc(ls, func(a, b line) int { return cmp.Compare(a.labels, b.labels) })
		for _, l := range ls {
			sample(w, d.name, l.labels, l.v)
		}
	}
}

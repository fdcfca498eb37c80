// Command benchtable runs PatternVault's benchmarks (make bench) and prints
// one table: name, what it measures, median, p95, unit, target, pass/fail.
// Each benchmark runs -count times; the median and p95 are over those runs,
// since these machines are shared and noisy.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// target is one benchmark of the table and what it must reach.
type target struct {
	pkg, name string // package path and benchmark name as printed (without -N), sub-benchmarks with "/"
	what      string
	benchtime string
	metric    string  // "ns/op" or a custom metric reported by the benchmark
	scale     float64 // converts metric to unit
	unit      string
	limit     float64 // in unit; 0: no target, the figure is reported
	higher    bool    // true when more is better
}

var targets = []target{
	{"./cmd/patternvault", "BenchmarkStartup", "`patternvault version`: what every command pays to start, p50", "50x", "p50-ms", 1, "ms", 20, false},
	{"./internal/pgserver", "BenchmarkFirstStart", "empty data dir to a running cluster", "1x", "ns/op", 1e-9, "s", 10, false},
	{"./internal/render", "BenchmarkThumbnail256/read+render", "read + 256 px thumbnail, one core", "1s", "designs/s", 1, "designs/s", 500, true},
	{"./internal/formats", "BenchmarkConvert/bqm", "convert QLI to BQM", "1s", "ns/op", 1e-6, "ms", 5, false},
	{"./internal/formats", "BenchmarkConvert/plt", "convert QLI to PLT", "1s", "ns/op", 1e-6, "ms", 5, false},
	{"./internal/formats", "BenchmarkConvert/dxf", "convert QLI to DXF", "1s", "ns/op", 1e-6, "ms", 5, false},
	{"./internal/formats", "BenchmarkConvert/svg", "convert QLI to SVG", "1s", "ns/op", 1e-6, "ms", 5, false},
	{"./internal/formats", "BenchmarkConvert/csq", "convert QLI to CSQ", "1s", "ns/op", 1e-6, "ms", 5, false},
	{"./internal/formats", "BenchmarkConvert/qcc", "convert QLI to QCC", "1s", "ns/op", 1e-6, "ms", 5, false},
	{"./internal/db", "BenchmarkCreateTenant", "create one tenant (schema+tables+version)", "20x", "ns/op", 1e-6, "ms", 100, false},
	{"./internal/db", "BenchmarkMigrateNoop1000", "migrate, nothing to do, 1,000 tenants", "1x", "ns/op", 1e-9, "s", 5, false},
	{"./internal/db", "BenchmarkMigrateAdditive1000", "one additive migration, 1,000 tenants", "1x", "ns/op", 1e-9, "s", 60, false},
	{"./internal/web", "BenchmarkKeywordsPage", "keywords page of a workspace with 3,000 keywords, p95", "20x", "p95-ms", 1, "ms", 1000, false},
	{"./internal/web", "BenchmarkKeywordsPage", "keywords page of a workspace with 3,000 keywords, size", "20x", "KB", 1, "KB", 1024, false},
	{"./internal/web", "BenchmarkShareLoad", "200 guests voting on one share link, p95", "1x", "p95-ms", 1, "ms", 50, false},
	{"./cmd/patternvault", "BenchmarkDemoSeed", "demo seed --patterns 3000 into a fresh data dir (generate + import)", "1x", "s/seed", 1, "s", 15, false},
	{"./internal/benchsuite", "BenchmarkImportDemo", "import the 15,651-design demo library via the job queue", "1x", "s/import", 1, "s", 60, false},
	{"./internal/benchsuite", "BenchmarkImportDemo", "peak RSS of the serving process during that import", "1x", "MB-peak-RSS", 1, "MB", 400, false},
	{"./internal/benchsuite", "BenchmarkTail", "background work after that import, until none is left", "1x", "s/tail", 1, "s", 60, false},
	{"./internal/benchsuite", "BenchmarkTail", "search p95 during that tail (and the 30 s after the import)", "1x", "p95-ms/search-after", 1, "ms", 50, false},
	{"./internal/benchsuite", "BenchmarkTail", "that search p95 / steady search p95", "1x", "tail-ratio", 1, "x", 2, false},
	{"./internal/benchsuite", "BenchmarkTail", "library page p95 during that tail (and the 30 s after)", "1x", "p95-ms/grid-after", 1, "ms", 60, false},
	{"./internal/benchsuite", "BenchmarkGridPage", "library grid page of the demo tenant, p95 of 300", "1x", "p95-ms", 1, "ms", 30, false},
	{"./internal/benchsuite", "BenchmarkThumbnail", "256 px thumbnail fetch, p95 of 500", "1x", "p95-ms", 1, "ms", 5, false},
	{"./internal/benchsuite", "BenchmarkSearch", "hybrid search through HTTP, p50 of 500 mixed queries", "1x", "p50-ms", 1, "ms", 10, false},
	{"./internal/benchsuite", "BenchmarkSearch", "hybrid search through HTTP, p95 of 500 mixed queries", "1x", "p95-ms", 1, "ms", 25, false},
	{"./internal/benchsuite", "BenchmarkImportDemo", "vectors of the whole demo library done, after the import's end", "1x", "s/embed-lag", 1, "s", 30, false},
	{"./internal/benchsuite", "BenchmarkVectorSearch", "vector part alone: exact top 50 over the demo's 15,651 vectors, p95", "1x", "p95-ms", 1, "ms", 3, false},
	{"./internal/benchsuite", "BenchmarkBackupExport", "export of the demo library to a ZIP file (its own process)", "1x", "s/export", 1, "s", 0, false},
	{"./internal/benchsuite", "BenchmarkBackupExport", "peak RSS of that export process (streamed)", "1x", "MB-peak-RSS", 1, "MB", 200, false},
	{"./internal/benchsuite", "BenchmarkBackupSnapshot", "snapshot of the demo workspace after 100 changed designs", "1x", "s/snapshot", 1, "s", 10, false},
	{"./internal/benchsuite", "BenchmarkBackupRestore", "restore of the whole demo workspace from a snapshot", "1x", "s/restore", 1, "s", 120, false},
	{"./internal/benchsuite", "BenchmarkCrowdedSearch", "a tenant's search among 500 tenants x 3,000 designs, p95 / its p95 alone", "1x", "p95-ratio", 1, "x", 1.5, false},
	{"./internal/benchsuite", "BenchmarkCrowdedSearchSpread", "the same searches spread over 25 of the 500 tenants, p95 / p95 alone", "1x", "p95-ratio", 1, "x", 1.5, false},
	{"./internal/vecindex", "BenchmarkTopK50/dense", "exact top 50 over 15,651 dense 256-d vectors (a remote model's shape)", "1s", "ns/op", 1e-6, "ms", 3, false},
	{"./internal/vecindex", "BenchmarkTopK50/dense_1024", "exact top 50 over 15,651 dense 1024-d vectors (Voyage multimodal's size)", "1s", "ns/op", 1e-6, "ms", 3, false},
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func main() {
	count := flag.Int("count", 5, "runs per benchmark")
	only := flag.String("run", "", "only benchmarks whose name contains this")
	flag.Parse()

	byPkg := map[string][]target{}
	var order []string
	for _, t := range targets {
		if *only != "" && !strings.Contains(t.name, *only) {
			continue
		}
		if _, ok := byPkg[t.pkg]; !ok {
			order = append(order, t.pkg)
		}
		byPkg[t.pkg] = append(byPkg[t.pkg], t)
	}
	results := map[string][]float64{}
	for _, pkg := range order {
		for _, group := range groups(byPkg[pkg]) {
			fmt.Fprintf(os.Stderr, "running %s %s ...\n", pkg, group[0].name)
			out, err := runBench(pkg, group, *count)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s %s: %v\n%s", pkg, group[0].name, err, out)
				continue
			}
			for k, v := range parse(out) {
				results[k] = append(results[k], v...)
			}
		}
	}
	failed := printTable(results)
	if failed {
		os.Exit(1)
	}
}

// groups runs the end-to-end suite's benchmarks of one seeded world (the
// demo tenant, or the crowded database of BenchmarkCrowded*) in one
// process, so that world is seeded once; every other benchmark runs on
// its own.
func groups(ts []target) [][]target {
	var out [][]target
	worlds := map[string][]target{}
	var order []string
	for _, t := range ts {
		if !strings.HasSuffix(t.pkg, "benchsuite") {
			out = append(out, []target{t})
			continue
		}
		world := "demo"
		if strings.HasPrefix(t.name, "BenchmarkCrowded") {
			world = "crowd"
		}
		if _, ok := worlds[world]; !ok {
			order = append(order, world)
		}
		worlds[world] = append(worlds[world], t)
	}
	for _, world := range order {
		out = append(out, worlds[world])
	}
	return out
}

func runBench(pkg string, group []target, count int) ([]byte, error) {
	t := group[0]
	var pats []string
	for _, g := range group {
		pats = append(pats, benchPattern(g.name))
	}
	args := []string{"test", "-run=^$", "-bench=" + strings.Join(pats, "|"), "-benchtime=" + t.benchtime,
		"-count=" + strconv.Itoa(count), "-timeout=60m"}
	if strings.Contains(t.what, "one core") {
		args = append(args, "-cpu=1")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "PV_TEST_FSYNC=on")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.Bytes(), err
}

// benchPattern turns "BenchmarkX/sub" into the -bench expression ^BenchmarkX$/^sub$.
func benchPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// parse returns, per "name metric", the values of every run.
func parse(out []byte) map[string][]float64 {
	res := map[string][]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err == nil {
				res[m[1]+" "+fields[i+1]] = append(res[m[1]+" "+fields[i+1]], v)
			}
		}
	}
	return res
}

func quantile(v []float64, q float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[int(q*float64(len(s)-1)+0.5)]
}

func printTable(results map[string][]float64) (failed bool) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\twhat\tmedian\tp95\tunit\ttarget\tresult\t")
	for _, t := range targets {
		vals := results[t.name+" "+t.metric]
		if len(vals) == 0 {
			continue
		}
		med, p95 := quantile(vals, 0.5)*t.scale, quantile(vals, 0.95)*t.scale
		ok := med <= t.limit
		cmp := "<"
		if t.higher {
			ok, cmp = med >= t.limit, ">"
		}
		target, verdict := fmt.Sprintf("%s %g", cmp, t.limit), "pass"
		switch {
		case t.limit == 0:
			target, verdict = "none", "reported"
		case !ok:
			verdict, failed = "FAIL", true
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3g\t%.3g\t%s\t%s\t%s\t\n", strings.TrimPrefix(t.name, "Benchmark"), t.what, med, p95, t.unit, target, verdict)
	}
	tw.Flush()
	return failed
}

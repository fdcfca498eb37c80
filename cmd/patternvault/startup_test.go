package main

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// initLine is one line of GODEBUG=inittrace=1: a package's init and what
// it allocated.
var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, \d+ allocs`)

// initCosts runs the binary with args under GODEBUG=inittrace=1 and returns
// the bytes each package's init allocated.
func initCosts(t testing.TB, args ...string) map[string]int {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	costs := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if m := initLine.FindStringSubmatch(sc.Text()); m != nil {
			n, _ := strconv.Atoi(m[2])
			costs[m[1]] += n
		}
	}
	if len(costs) == 0 {
		t.Fatalf("no inittrace lines in the output of %s:\n%s", strings.Join(args, " "), out)
	}
	return costs
}

// TestStartupDoesNoWork: every command starts without expensive package
// initialisation (a password hash made at start cost every command 19 MiB
// and most of its 160 ms). What the program's package inits allocate is
// counted, a figure that does not depend on how loaded the machine is; the
// time itself is measured by make bench (BenchmarkStartup). Today they
// allocate about 300 KB in all, the compressor's 26 KB the most (1.4 MB,
// S3 client regexps 281 KB, before the lazy values and the lighter S3 and
// metrics).
func TestStartupDoesNoWork(t *testing.T) {
	t.Parallel()
	const maxTotal, maxOne = 400 << 10, 64 << 10
	costs := initCosts(t, "version")
	total := 0
	for pkg, n := range costs {
		total += n
		if n > maxOne {
			t.Errorf("package %s allocates %d KB when the program starts (at most %d KB): make that work lazy", pkg, n>>10, maxOne>>10)
		}
	}
	if total > maxTotal {
		t.Errorf("package inits allocate %d KB in all, want at most %d KB", total>>10, maxTotal>>10)
	}
	// encoding/gob registers its types when the program starts, about
	// 1 ms of every command (the PDF library brought it once).
	if _, ok := costs["encoding/gob"]; ok {
		t.Error("encoding/gob is linked into the program: its init costs every command about 1 ms; find what imports it (go list -deps)")
	}
}

// TestPrefaultRunsEarly: internal/prefault maps the program's code in one
// go only if it runs before the initialisers that would fault it in page
// by page: among the first 25 (it is the 16th today, right after
// syscall). An import added to it would move it later.
func TestPrefaultRunsEarly(t *testing.T) {
	t.Parallel()
	const pkg = "github.com/patternvault/patternvault/internal/prefault"
	cmd := exec.Command(binary, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("version: %v\n%s", err, out)
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		if m := initLine.FindStringSubmatch(line); m != nil {
			n++
			if m[1] == pkg {
				if n > 25 {
					t.Errorf("%s is initialised %dth, want among the first 25", pkg, n)
				}
				return
			}
		}
	}
	t.Errorf("%s is not initialised at all (%d packages are)", pkg, n)
}

// TestFewInterfaceTables: the runtime enters every interface table (itab)
// of the binary into a hash table before main, and the tables of a type
// are all kept once an interface value can reach it, since templates look
// methods up by name. A struct holding Stripe's client reached all of
// Stripe's services: 2,252 tables, 877 of them Stripe's, about 3 ms of
// every start; 1,404 without. A struct or interface value that reaches a
// whole SDK's client again fails here.
func TestFewInterfaceTables(t *testing.T) {
	t.Parallel()
	const most = 1700
	f, err := elf.Open(binary)
	if err != nil {
		t.Fatalf("open the binary: %v", err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatalf("read the binary's symbols: %v", err)
	}
	n, byIface := 0, map[string]int{}
	for _, s := range syms {
		if name, ok := strings.CutPrefix(s.Name, "go:itab."); ok {
			n++
			if _, iface, ok := strings.Cut(name, ","); ok {
				byIface[iface]++
			}
		}
	}
	if n == 0 {
		t.Fatal("no go:itab symbols in the binary: was it stripped?")
	}
	if n > most {
		t.Errorf("the binary has %d interface tables, want at most %d; by interface: %v", n, most, byIface)
	}
}

// BenchmarkStartup is the wall time of `patternvault version`, the cost
// every command pays before it does anything (target: 20 ms), and its
// page faults (minor faults cost about 25 µs each on these virtual
// machines, most of a start's time; the figure does not depend on load).
func BenchmarkStartup(b *testing.B) {
	var took []time.Duration
	var faults []int64
	for b.Loop() {
		t0 := time.Now()
		cmd := exec.Command(binary, "version")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("version: %v\n%s", err, out)
		}
		took = append(took, time.Since(t0))
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			faults = append(faults, ru.Minflt+ru.Majflt)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	if len(faults) > 0 {
		slices.Sort(faults)
		b.ReportMetric(float64(faults[len(faults)/2]), "faults")
	}
}

package main

import (
	"bufio"
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
// allocate about 300 KB in all, gob's 26 KB the most (1.4 MB, S3 client
// regexps 281 KB, before the lazy values and the lighter S3 and metrics).
func TestStartupDoesNoWork(t *testing.T) {
	t.Parallel()
	const maxTotal, maxOne = 512 << 10, 64 << 10
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

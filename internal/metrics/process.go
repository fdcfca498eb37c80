package metrics

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// The Go runtime's and the process's figures, under the names
// Prometheus' own Go and process collectors use, so that the usual
// dashboards and alerts read them.
var (
	goGoroutines = gaugeDesc("go_goroutines", "Number of goroutines that currently exist.")
	goThreads    = gaugeDesc("go_threads", "Number of OS threads created.")
	goInfo       = gaugeDesc("go_info", "Information about the Go environment.", "version")
	goHeap       = gaugeDesc("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use.")
	goSys        = gaugeDesc("go_memstats_sys_bytes", "Number of bytes obtained from system.")
	goGCCycles   = counterDesc("go_gc_cycles_total", "Count of completed GC cycles.")
	goGCPauses   = counterDesc("go_gc_pause_seconds_total", "Time the program was stopped for garbage collection.")
	goMaxProcs   = gaugeDesc("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.")

	procCPU     = counterDesc("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
	procRSS     = gaugeDesc("process_resident_memory_bytes", "Resident memory size in bytes.")
	procVirtual = gaugeDesc("process_virtual_memory_bytes", "Virtual memory size in bytes.")
	procStart   = gaugeDesc("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
	procFDs     = gaugeDesc("process_open_fds", "Number of open file descriptors.")
	procMaxFDs  = gaugeDesc("process_max_fds", "Maximum number of open file descriptors.")
)

// processStart is when this process started (close enough: when the
// metrics package's first Metrics was made is later; this is read from
// /proc when it can be).
var processStart = time.Now()

// runtimeCollector gives the Go runtime's and the process's figures.
func runtimeCollector(emit emitFunc) {
	// ReadMemStats stops the world for microseconds, once a scrape; the
	// runtime/metrics package would cost every command its initialiser.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	emit(goGoroutines, float64(runtime.NumGoroutine()))
	threads, _ := runtime.ThreadCreateProfile(nil)
	emit(goThreads, float64(threads))
	emit(goInfo, 1, runtime.Version())
	emit(goHeap, float64(ms.HeapAlloc))
	emit(goSys, float64(ms.Sys))
	emit(goGCCycles, float64(ms.NumGC))
	emit(goGCPauses, float64(ms.PauseTotalNs)/1e9)
	emit(goMaxProcs, float64(runtime.GOMAXPROCS(0)))

	if st, ok := readStat(); ok {
		emit(procCPU, st.cpu)
		emit(procRSS, st.rss)
		emit(procVirtual, st.vsize)
		emit(procStart, st.start)
	} else {
		emit(procStart, float64(processStart.UnixNano())/1e9)
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		emit(procFDs, float64(len(fds)))
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		emit(procMaxFDs, float64(lim.Cur))
	}
}

type procStat struct{ cpu, rss, vsize, start float64 }

// clockTicks is USER_HZ, 100 on every Linux that Go runs on.
const clockTicks = 100

// readStat reads /proc/self/stat: CPU time, memory and start time.
func readStat() (procStat, bool) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return procStat{}, false
	}
	// The command name, in parentheses, may hold spaces: fields start
	// after its closing parenthesis, with field 3 (state).
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := bytes.Fields(data[i+1:])
	num := func(field int) float64 { // field numbers as in proc(5)
		if field-3 >= len(f) {
			return 0
		}
		v, _ := strconv.ParseFloat(string(f[field-3]), 64)
		return v
	}
	boot, ok := bootTime()
	if !ok {
		return procStat{}, false
	}
	return procStat{
		cpu:   (num(14) + num(15)) / clockTicks,
		vsize: num(23),
		rss:   num(24) * float64(os.Getpagesize()),
		start: boot + num(22)/clockTicks,
	}, true
}

// bootTime is when the machine booted, from /proc/stat's btime.
func bootTime() (float64, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			n, err := strconv.ParseFloat(string(bytes.TrimSpace(v)), 64)
			return n, err == nil
		}
	}
	return 0, false
}

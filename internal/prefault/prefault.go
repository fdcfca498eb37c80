// Package prefault maps the program's code and read-only data into its
// page tables in one system call as the program starts, instead of page
// by page as the package initialisers first touch them.
//
// On the virtual machines PatternVault runs on, a page fault costs tens of
// microseconds, and the initialisers of the 170 packages a command links
// fault in about 250 stretches of the executable on the way to main.
// madvise(MADV_POPULATE_READ) maps every page of the executable's
// read-only mappings from the page cache at once. Importing the package
// is all it takes; it depends on nothing but syscall, so it runs among the
// first initialisers. Where the kernel lacks MADV_POPULATE_READ (before
// Linux 5.14) or /proc is not mounted, it does nothing.
package prefault

import "syscall"

// madvPopulateRead is Linux's MADV_POPULATE_READ.
const madvPopulateRead = 22

func init() {
	var buf [4096]byte
	fd, err := syscall.Open("/proc/self/maps", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	n, _ := syscall.Read(fd, buf[:])
	syscall.Close(fd)
	for _, m := range executableMappings(buf[:max(n, 0)]) {
		// An error (an old kernel, a mapping that went away) leaves
		// the pages to be faulted in as they would be anyway.
		syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, madvPopulateRead)
	}
}

// mapping is one address range of /proc/self/maps.
type mapping struct{ start, end uintptr }

// executableMappings returns the read-only and executable mappings of the
// first file /proc/self/maps lists (the executable's, which come first).
func executableMappings(maps []byte) []mapping {
	var out []mapping
	first := ""
	for len(maps) > 0 {
		line := maps
		if i := indexByte(maps, '\n'); i >= 0 {
			line, maps = maps[:i], maps[i+1:]
		} else {
			maps = nil
		}
		// start-end perms offset dev inode path
		f := fields(line)
		if len(f) < 6 || f[5][0] != '/' {
			continue
		}
		if first == "" {
			first = string(f[5])
		} else if string(f[5]) != first {
			break
		}
		perms := f[1]
		if len(perms) < 2 || perms[0] != 'r' || perms[1] == 'w' {
			continue
		}
		start, end, ok := parseRange(f[0])
		if ok && end > start {
			out = append(out, mapping{start, end})
		}
	}
	return out
}

// parseRange parses "start-end" in hexadecimal.
func parseRange(b []byte) (start, end uintptr, ok bool) {
	i := indexByte(b, '-')
	if i <= 0 {
		return 0, 0, false
	}
	start, ok1 := parseHex(b[:i])
	end, ok2 := parseHex(b[i+1:])
	return start, end, ok1 && ok2
}

func parseHex(b []byte) (uintptr, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var v uintptr
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uintptr(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uintptr(c-'a'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// fields splits line at runs of spaces (a path with spaces stays whole
// from the sixth field on).
func fields(line []byte) [][]byte {
	var out [][]byte
	for len(line) > 0 && len(out) < 5 {
		for len(line) > 0 && line[0] == ' ' {
			line = line[1:]
		}
		i := indexByte(line, ' ')
		if i < 0 {
			i = len(line)
		}
		if i > 0 {
			out = append(out, line[:i])
		}
		line = line[i:]
	}
	for len(line) > 0 && line[0] == ' ' {
		line = line[1:]
	}
	if len(line) > 0 {
		out = append(out, line)
	}
	return out
}

// indexByte is bytes.IndexByte, written out: importing bytes would make
// this package start later, after the initialisers it is meant to precede.
func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

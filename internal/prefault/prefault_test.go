package prefault

import (
	"os"
	"reflect"
	"testing"
)

const sampleMaps = `00400000-00f5f000 r-xp 00000000 fe:00 1234                               /usr/local/bin/patternvault
00f5f000-01c29000 r--p 00b5f000 fe:00 1234                               /usr/local/bin/patternvault
01c29000-01cf9000 rw-p 01829000 fe:00 1234                               /usr/local/bin/patternvault
01cf9000-03d3f000 rw-p 00000000 00:00 0 
c000000000-c000400000 rw-p 00000000 00:00 0 
7f1c2a000000-7f1c2a021000 r--p 00000000 fe:00 99                         /usr/lib/x86_64-linux-gnu/libc.so.6
7ffc5d9f2000-7ffc5da13000 rw-p 00000000 00:00 0                          [stack]
7ffc5dbb4000-7ffc5dbb8000 r--p 00000000 00:00 0                          [vvar]
7ffc5dbb8000-7ffc5dbba000 r-xp 00000000 00:00 0                          [vdso]
`

func TestExecutableMappingsAreTheProgramsReadOnlyOnes(t *testing.T) {
	got := executableMappings([]byte(sampleMaps))
	want := []mapping{{0x400000, 0xf5f000}, {0xf5f000, 0x1c29000}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mappings %x, want %x (the executable's code and read-only data only)", got, want)
	}
	// A path with spaces, and lines cut short, are taken or left whole.
	odd := "1000-2000 r-xp 00000000 fe:00 7 /opt/pattern vault/bin\n3000-4000 r--p 00001000 fe:00 7 /opt/pattern vault/bin\n5000-60"
	if got := executableMappings([]byte(odd)); !reflect.DeepEqual(got, []mapping{{0x1000, 0x2000}, {0x3000, 0x4000}}) {
		t.Errorf("a path with spaces: %x", got)
	}
}

// TestOwnCodeIsFound: in a real process (this test's), the mappings found
// hold the test's own code.
func TestOwnCodeIsFound(t *testing.T) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skipf("no /proc/self/maps here: %v", err)
	}
	pc := reflect.ValueOf(TestOwnCodeIsFound).Pointer()
	for _, m := range executableMappings(maps) {
		if m.start <= pc && pc < m.end {
			return
		}
	}
	t.Errorf("no mapping found holds this test's code at %#x in:\n%s", pc, maps)
}

// FuzzExecutableMappings: whatever /proc/self/maps says, the ranges taken
// are well formed and were in it.
func FuzzExecutableMappings(f *testing.F) {
	f.Add([]byte(sampleMaps))
	if maps, err := os.ReadFile("/proc/self/maps"); err == nil {
		f.Add(maps)
	}
	f.Add([]byte("-\n r \n1-0 r-xp 0 0 0 /x\nffffffffffffffffff-1 r--p 0 0 0 /x"))
	f.Fuzz(func(t *testing.T, maps []byte) {
		for _, m := range executableMappings(maps) {
			if m.start >= m.end {
				t.Errorf("empty or reversed range %x", m)
			}
		}
	})
}

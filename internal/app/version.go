package app

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Build describes the running binary, from the build information Go
// stamps into it (debug.ReadBuildInfo): the module version (a release tag,
// or a pseudo-version naming the commit), the commit, its time, and
// whether the tree had uncommitted changes. `go build` in a git checkout
// stamps them (make build and scripts/cluster pass -buildvcs=true); `go
// run` and a build with -buildvcs=false do not, and Commit is then empty.
type Build struct {
	// Version is Release when set at link time, else the module's
	// version, else "(devel)".
	Version string
	// Commit is the full VCS revision, "" when not stamped.
	Commit string
	// Time is the commit's time (RFC 3339), "" when not stamped.
	Time string
	// Modified is set when the tree differed from the commit.
	Modified bool
	// Go is the toolchain that built the binary.
	Go string
}

// Release is a release's version, set at link time with
//
//	go build -ldflags "-X github.com/patternvault/patternvault/internal/app.Release=v1.2.3"
//
// Empty, the module version from the build information is shown.
var Release = ""

// ReadBuild reads the binary's build information.
func ReadBuild() Build {
	b := Build{Version: "(devel)"}
	bi, ok := debug.ReadBuildInfo()
	if ok {
		b.Go = bi.GoVersion
		if v := bi.Main.Version; v != "" {
			b.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.time":
				b.Time = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if Release != "" {
		b.Version = Release
	}
	return b
}

// Short is the build in a few characters, for the Health page and logs:
// the version, or the commit's first 12 digits ("+dirty" when modified)
// when the version is not a release.
func (b Build) Short() string {
	if b.Commit == "" {
		return b.Version
	}
	if strings.HasPrefix(b.Version, "v") && !strings.Contains(b.Version, b.Commit[:min(12, len(b.Commit))]) {
		return b.Version // a tagged release
	}
	rev := b.Commit[:min(12, len(b.Commit))]
	if b.Modified {
		rev += "+dirty"
	}
	return rev
}

// String is the line `patternvault version` prints.
func (b Build) String() string {
	var s strings.Builder
	s.WriteString(b.Version)
	if b.Commit == "" {
		s.WriteString(" (no commit recorded: built with go run or -buildvcs=false; build with make build)")
	} else {
		fmt.Fprintf(&s, " commit %s", b.Commit)
		if b.Time != "" {
			fmt.Fprintf(&s, " (%s)", b.Time)
		}
		if b.Modified {
			s.WriteString(" with uncommitted changes")
		}
	}
	if b.Go != "" {
		s.WriteString(", " + b.Go)
	}
	return s.String()
}

// Version is this binary's short version (Build.Short), as app servers
// report it on the Health page.
func Version() string { return ReadBuild().Short() }

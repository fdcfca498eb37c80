// Package lazy builds package-level values on first use instead of at
// program start. Every command of the one patternvault binary runs every
// linked package's initialisers, so a regular expression compiled or a
// template parsed in a package variable costs each `patternvault version`
// its time and memory even when nothing uses it (issue 14: every command
// starts in under 20 ms).
package lazy

import (
	"regexp"
	"sync"
)

// Regexp returns a function that compiles expr on its first call (panicking,
// like regexp.MustCompile, if expr is invalid) and returns that same
// *regexp.Regexp on every call. It is safe for concurrent use.
func Regexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

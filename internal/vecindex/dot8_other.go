//go:build !amd64

package vecindex

// hasDot8 is false where the int8 pre-scoring has no assembly: the float
// scan is faster than a Go loop over int8s.
const hasDot8 = false

// dot8 is the dot product of a and b, in Go (unused: hasDot8 is false).
func dot8(a []int8, b []int16) int32 {
	var s int32
	for i, x := range a {
		s += int32(x) * int32(b[i])
	}
	return s
}

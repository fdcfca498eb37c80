package vecindex

import "golang.org/x/sys/cpu"

// hasDot8 is whether the int8 pre-scoring runs in assembly here (AVX2).
var hasDot8 = cpu.X86.HasAVX2

// dot8AVX2 is the dot product of n int8s of a with n int16s of b (n a
// positive multiple of 16), in AVX2.
//
//go:noescape
func dot8AVX2(a *int8, b *int16, n int) int32

// dot8 is the dot product of a and b (of equal length, a multiple of 16).
func dot8(a []int8, b []int16) int32 {
	return dot8AVX2(&a[0], &b[0], len(a))
}

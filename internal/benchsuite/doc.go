// Package benchsuite holds the end-to-end benchmarks of `make bench`: a
// demo tenant is seeded once per run (PV_BENCH_DESIGNS designs, 15,651 by
// default, the size of the first customer's library) through the real
// import pipeline and job queue, and the web pages and API are measured
// against it through real HTTP. It has no code outside its tests.
package benchsuite

// Package benchsuite holds the end-to-end benchmarks of `make bench`,
// measured through real HTTP against worlds seeded once per run through
// the real import pipeline and job queue:
//
//   - the demo tenant (PV_BENCH_DESIGNS designs, 15,651 by default, the
//     size of the first customer's library) for the import, the grid,
//     thumbnails and search;
//   - a crowded database (BenchmarkCrowded*): one tenant of
//     PV_BENCH_TENANT_DESIGNS designs (3,000) measured alone, then copied
//     into PV_BENCH_TENANTS tenants (500) and measured again.
//
// It has no code outside its tests.
package benchsuite

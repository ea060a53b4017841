/**
 * HTTP load benchmarks against the real server: a small load generator ({@link
 * dev.slipway.bench.load.LoadGenerator}) that holds a fixed rate with latencies measured from each
 * request's due time (no coordinated omission; {@code wrk} cannot hold a rate and Debian has no
 * {@code wrk2}) or keeps {@code n} closed-loop clients busy, and the benchmark programs the scripts
 * in {@code slipway-bench/load/} run with it. Nothing here runs during the build.
 */
package dev.slipway.bench.load;

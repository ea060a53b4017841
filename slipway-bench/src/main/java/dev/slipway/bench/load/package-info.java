/**
 * A small open-loop HTTP load generator: requests are sent at a fixed rate whatever the server's
 * answers, and each latency is measured from the time the request was due, so a stalled server is
 * not hidden (no coordinated omission). {@code wrk} cannot hold a rate and Debian has no {@code
 * wrk2}; this fills that gap for {@code load/run-load.sh}.
 */
package dev.slipway.bench.load;

/**
 * The prediction log: sampled requests' rows (inputs, outputs, version, latency, fallback link) in
 * the metadata database, written off the request path in batches, kept for a retention period.
 */
package dev.slipway.monitor.log;

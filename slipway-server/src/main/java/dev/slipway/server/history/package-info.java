/**
 * Metric history for the dashboard: samples the server's Micrometer registry at a fixed interval
 * into bounded per-model ring buffers (traffic and latency percentiles per version, error and
 * fallback rates) and serves them as plot-ready series at {@code GET /api/v1/models/{m}/history}.
 */
package dev.slipway.server.history;

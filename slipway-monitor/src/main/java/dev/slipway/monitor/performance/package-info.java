/**
 * Live performance and drift per time window from the prediction log: binary-classification metrics
 * of joined feedback (pure functions in {@link dev.slipway.monitor.performance.BinaryMetrics}) and
 * the drift of logged inputs and scores.
 */
package dev.slipway.monitor.performance;

/**
 * Monitoring of served models: {@link dev.slipway.monitor.Monitoring} subscribes to the pipeline's
 * prediction events, keeps the prediction log and feedback, and answers live performance and drift
 * per window. Serving does not know this package exists.
 */
package dev.slipway.monitor;

/**
 * Ground truth for logged predictions: feedback by request id, or by model, entity and time, stored
 * whether or not its prediction is logged yet and joined as soon as it is.
 */
package dev.slipway.monitor.feedback;

/**
 * Drift statistics between a reference sample (the training data) and a current window: pure,
 * deterministic functions with the binning, log base and thresholds documented on {@link
 * dev.slipway.monitor.drift.Drift}.
 */
package dev.slipway.monitor.drift;

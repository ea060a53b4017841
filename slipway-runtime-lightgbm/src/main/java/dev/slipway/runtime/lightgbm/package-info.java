/**
 * LightGBM models on LightGBM's native library (through lightgbm4j): {@link
 * dev.slipway.runtime.lightgbm.LightgbmFormat} is the {@code lightgbm} {@link
 * dev.slipway.api.ModelFormat} (LightGBM's text model files); {@link
 * dev.slipway.runtime.lightgbm.LightgbmPredictor} is a thread-safe predictor whose native booster
 * is freed on close, never while a call runs.
 */
package dev.slipway.runtime.lightgbm;

/**
 * The vocabulary every Slipway module shares: {@link dev.slipway.api.Schema}, {@link
 * dev.slipway.api.Record}, {@link dev.slipway.api.Tensor}, {@link dev.slipway.api.Predictor}, the
 * {@link dev.slipway.api.ModelFormat} SPI and the sealed {@link dev.slipway.api.SlipwayException}
 * hierarchy. All values here are immutable; this package has no third-party dependencies.
 */
package dev.slipway.api;

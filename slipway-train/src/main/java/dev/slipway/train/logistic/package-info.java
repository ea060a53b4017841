/**
 * Logistic regression over tabular records, trained with Tribuo and exported to ONNX together with
 * the {@link dev.slipway.api.codec.TabularSpec} that encodes records for it. Trainers are immutable
 * and thread-safe; the same seed and data give the same model, byte for byte.
 */
package dev.slipway.train.logistic;

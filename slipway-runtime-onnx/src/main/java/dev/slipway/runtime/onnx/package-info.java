/**
 * ONNX models on ONNX Runtime: {@link dev.slipway.runtime.onnx.OnnxFormat} is the {@code onnx}
 * {@link dev.slipway.api.ModelFormat}; {@link dev.slipway.runtime.onnx.OnnxPredictor} is a
 * thread-safe predictor whose native session is released on close, never while a call runs.
 */
package dev.slipway.runtime.onnx;

/**
 * Built-in trainers that turn records into ONNX models Slipway can serve, each returned as a {@link
 * dev.slipway.train.TrainedModel} (model bytes, preprocessing spec, held-out metrics, parameters);
 * {@link dev.slipway.train.AdClickDemo} trains the demo model. Training is seeded and repeatable.
 */
package dev.slipway.train;

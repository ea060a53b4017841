/**
 * Batch prediction: {@link dev.slipway.batch.BatchEngine} scores a CSV or JSON Lines data set
 * through the online {@link dev.slipway.serving.Pipeline} (same guards, same verdicts), streamed in
 * chunks on a bounded pool, checkpointed so that a killed job resumes with every row written once.
 */
package dev.slipway.batch;

/**
 * Batch prediction: {@link dev.slipway.batch.BatchEngine} scores a CSV, JSON Lines or Parquet data
 * set, or a database table or query, through the online {@link dev.slipway.serving.Pipeline} (same
 * guards, same verdicts) into files or tables, streamed in chunks on a bounded pool, checkpointed
 * so that a killed job resumes with every row written once.
 */
package dev.slipway.batch;

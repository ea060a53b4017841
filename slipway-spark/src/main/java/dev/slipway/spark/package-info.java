/**
 * Runs a batch scoring job ({@link dev.slipway.batch.BatchJob}) on Apache Spark: the driver pins
 * the model version and broadcasts its artifact, each executor JVM builds the same {@link
 * dev.slipway.serving.Pipeline} once and scores its partitions in chunks, writing the same rows
 * (and rejects, with the same reasons) as the embedded engine into a directory of part files.
 */
package dev.slipway.spark;

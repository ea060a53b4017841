/**
 * Seeded synthetic data sets and splits: the same seed always yields the same records, so demos,
 * tests and trained models are reproducible. Everything here is immutable and thread-safe.
 */
package dev.slipway.train.data;

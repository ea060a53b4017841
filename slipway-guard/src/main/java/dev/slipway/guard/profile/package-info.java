/**
 * Data profiles of training data (per-feature statistics as TensorFlow Data Validation computes
 * them) and the input schema they imply; stored with a version as editable YAML and used as the
 * drift baseline.
 */
package dev.slipway.guard.profile;

/**
 * Filtering models: a binary classifier, trained on held-out rows labelled by whether the main
 * model was right, that predicts which requests the main model will get wrong. Trainers are
 * immutable and thread-safe; the same seed and rows give the same filter, byte for byte.
 */
package dev.slipway.train.filter;

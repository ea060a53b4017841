/**
 * Model-quality metrics as pure functions over arrays: no state, no side effects, safe from any
 * thread. Invalid input (empty, mismatched lengths, NaN) is refused with an exception.
 */
package dev.slipway.train.metrics;

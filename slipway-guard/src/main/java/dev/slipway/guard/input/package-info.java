/**
 * Input checks for one record: presence, then type (lossless casts only), then range and domain,
 * with a per-feature policy (reject, impute, heuristic).
 */
package dev.slipway.guard.input;

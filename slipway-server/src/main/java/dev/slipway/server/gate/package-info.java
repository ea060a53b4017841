/**
 * The evaluation gate: a candidate version and the current champion are scored on the same held-out
 * data; value thresholds and change thresholds against the champion decide BLESSED or NOT_BLESSED,
 * and the result is stored on the candidate.
 */
package dev.slipway.server.gate;

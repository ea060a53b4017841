/**
 * A/B statistics as pure functions (two-proportion z-test, Wald/Wilson/Newcombe intervals, sample
 * size and minimum detectable effect, the mSPRT sequential test) and the per-variant A/B report
 * built from them.
 */
package dev.slipway.monitor.abtest;

/**
 * Lifecycle policies: when an alert fires, retrain the model with its own trainer on the latest
 * labelled window, run the evaluation gate, and start a canary release of a blessed candidate —
 * each step recorded with what drove it. The steps are interfaces implemented by the server.
 */
package dev.slipway.monitor.lifecycle;

/**
 * Alerts and lifecycle policies wired into the server: windows of the prediction log and feedback
 * are closed on a schedule and fed to the alert rules; a policy's alerts retrain the model on the
 * latest labelled window, run the evaluation gate and start a canary of a blessed candidate.
 */
package dev.slipway.server.lifecycle;

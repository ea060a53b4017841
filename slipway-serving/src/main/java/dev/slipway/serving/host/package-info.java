/**
 * Loaded model versions: {@link dev.slipway.serving.host.ModelHost} loads a registered version on
 * first use through its {@link dev.slipway.api.ModelFormat} and keeps it warm; {@link
 * dev.slipway.serving.host.ModelManifest} is the JSON stored with a version that declares its
 * preprocessing.
 */
package dev.slipway.serving.host;

/**
 * What serving tells the rest of the system about each answered request: a {@link
 * dev.slipway.serving.event.PredictionEvent} handed to {@link
 * dev.slipway.serving.event.PredictionListener}s. Serving knows nothing of who listens (the
 * prediction log, canary analysis); listeners must return at once and never fail a request.
 */
package dev.slipway.serving.event;

/**
 * HTTP protocol adapters. Each parses its wire format into an {@link
 * dev.slipway.serving.InferenceRequest}, calls the pipeline and writes its wire format; {@link
 * dev.slipway.server.http.HttpErrors} is the one place where errors become status codes.
 */
package dev.slipway.server.http;

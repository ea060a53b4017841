/**
 * Guards around a served model: input checks, filtering model, circuit breaker, output checks and
 * the fallback chain, shared by online and batch.
 */
package dev.slipway.serving.guard;

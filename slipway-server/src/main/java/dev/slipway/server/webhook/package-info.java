/**
 * Webhooks: registry events (version created, alias moved or removed, gate and verification
 * results) POSTed as JSON to configured URLs, retried with backoff, optionally signed.
 */
package dev.slipway.server.webhook;

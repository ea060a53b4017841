/**
 * Content-addressed storage of model files: an artifact is named by the lowercase hex SHA-256 of
 * its bytes, so storing the same content twice yields the same id and stored content never changes.
 * Implementations are thread-safe.
 */
package dev.slipway.registry.artifact;

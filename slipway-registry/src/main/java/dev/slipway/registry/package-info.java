/**
 * The model registry: named models, their immutable numbered versions and the artifacts behind
 * them, kept in a JDBC metadata database with versioned migrations and a content-addressed {@link
 * dev.slipway.registry.artifact.ArtifactStore}. {@link dev.slipway.registry.ModelRegistry} is the
 * entry point and is thread-safe; the records here are immutable values.
 */
package dev.slipway.registry;

/**
 * The model registry: named models, their numbered versions (artifact, lineage, verification and
 * evaluation-gate results, tags), aliases such as {@code champion}, and an audit log of every
 * change, kept in a JDBC metadata database (embedded H2 or PostgreSQL, one set of migrations) and a
 * content-addressed {@link dev.slipway.registry.artifact.ArtifactStore}. {@link
 * dev.slipway.registry.ModelRegistry} is the entry point and is thread-safe; {@link
 * dev.slipway.registry.ModelRef} is how users name a version ({@code name}, {@code name@alias},
 * {@code name/3}); the records here are immutable values.
 */
package dev.slipway.registry;

/**
 * The enrich stage's sources of extra features: a {@link dev.slipway.serving.enrich.FeatureSource}
 * returns stored feature values by entity key ({@link dev.slipway.serving.enrich.NoFeatures} by
 * default, {@link dev.slipway.serving.enrich.RedisFeatureSource} for Redis hashes).
 */
package dev.slipway.serving.enrich;

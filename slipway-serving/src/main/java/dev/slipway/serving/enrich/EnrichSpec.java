package dev.slipway.serving.enrich;

/**
 * How one model's records are enriched: the record field that holds the entity key, and the source
 * to ask for the features a record lacks.
 */
public record EnrichSpec(String entityField, FeatureSource source) {}

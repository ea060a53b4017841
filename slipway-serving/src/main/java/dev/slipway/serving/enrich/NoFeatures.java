package dev.slipway.serving.enrich;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** The default source: stores nothing, so enrich adds nothing. Stateless. */
public final class NoFeatures implements FeatureSource {
  @Override
  public List<Map<String, String>> fetch(List<String> keys, Collection<String> fields) {
    return Collections.nCopies(keys.size(), Map.of());
  }
}

package dev.slipway.serving.enrich;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Looks up stored features by entity key (a user id, an ad id...). Implementations are thread-safe;
 * values come back as the store holds them (text for Redis) and the enrich stage types them by the
 * model's schema.
 */
public interface FeatureSource extends AutoCloseable {

  /**
   * The stored values of the wanted fields for each key, in key order; a field not stored for a key
   * is left out of that key's map.
   *
   * @throws dev.slipway.api.ModelUnavailableException when the store cannot be reached
   */
  List<Map<String, String>> fetch(List<String> keys, Collection<String> fields);

  @Override
  default void close() {}
}

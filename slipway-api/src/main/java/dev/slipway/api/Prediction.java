package dev.slipway.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a model answered for one record: named output values (a label, a score, a map of class
 * probabilities, ...). Immutable.
 */
public record Prediction(Map<String, Object> values) {
  public Prediction {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public Object get(String name) {
    return values.get(name);
  }
}

package dev.slipway.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An ordered list of uniquely named {@link Field}s. Immutable. */
public record Schema(List<Field> fields) {
  public Schema {
    fields = List.copyOf(fields);
    Map<String, Field> seen = new LinkedHashMap<>();
    for (Field f : fields) {
      if (seen.put(f.name(), f) != null) {
        throw new IllegalArgumentException("duplicate field '" + f.name() + "'");
      }
    }
  }

  public Optional<Field> field(String name) {
    for (Field f : fields) {
      if (f.name().equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  public List<String> names() {
    return fields.stream().map(Field::name).toList();
  }
}

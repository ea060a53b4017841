package dev.slipway.api;

import java.util.List;
import java.util.Objects;

/**
 * One named column of a record: its type, whether it may be absent or null, and optionally its
 * valid numeric range and categorical domain (as learnt from training data).
 */
public record Field(
    String name,
    DataType type,
    boolean nullable,
    Double min,
    Double max,
    List<String> domain,
    String description) {

  public Field {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    domain = domain == null ? List.of() : List.copyOf(domain);
    description = description == null ? "" : description;
  }

  public static Field numeric(String name, DataType type, Double min, Double max, String doc) {
    return new Field(name, type, false, min, max, List.of(), doc);
  }

  public static Field categorical(String name, List<String> domain, String doc) {
    return new Field(name, DataType.BYTES, false, null, null, domain, doc);
  }

  public Field withNullable(boolean value) {
    return new Field(name, type, value, min, max, domain, description);
  }
}

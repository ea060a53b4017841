package dev.slipway.api.codec;

import dev.slipway.api.DataType;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a screened encoding ({@link RecordCodec#screened}) lets through without a closer look, one
 * {@link Limit} per field of the codec's schema. A value passes its field's limit when it is
 * present (or absent from a nullable field) and is
 *
 * <ul>
 *   <li>for an {@code INT64} field a {@code Long}, for an {@code FP64} field a finite {@code
 *       Double}, within {@code [min, max]};
 *   <li>for a {@code BYTES} field a {@code String}: one of {@code domain}, or, without a domain, of
 *       at most {@code maxLength} characters.
 * </ul>
 *
 * Anything else (other types, other Java classes, a value needing a lossless cast) does not pass:
 * the screen only answers "certainly fine", the caller decides about the rest. Immutable.
 *
 * @param limits per field, in any order
 */
public record ValueScreen(List<Limit> limits) {
  public ValueScreen {
    limits = List.copyOf(limits);
  }

  /**
   * One field's limits.
   *
   * @param field the field's name
   * @param type the field's type, as the codec's schema declares it
   * @param nullable whether the field may be absent, as the codec's schema declares it
   * @param min the lowest number allowed ({@code -∞} for none)
   * @param max the highest number allowed ({@code ∞} for none)
   * @param domain the strings allowed, or null for any string of at most {@code maxLength}
   * @param maxLength the longest string allowed for a field without a domain
   */
  public record Limit(
      String field,
      DataType type,
      boolean nullable,
      double min,
      double max,
      Set<String> domain,
      int maxLength) {
    public Limit {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(type, "type");
      domain = domain == null ? null : Set.copyOf(domain);
    }
  }
}

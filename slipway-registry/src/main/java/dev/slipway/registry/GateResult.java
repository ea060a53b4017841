package dev.slipway.registry;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The latest evaluation-gate result of a version, as TFX's Evaluator blesses a model before it is
 * pushed: the candidate and the current champion are evaluated on held-out data and compared to
 * thresholds. Moving the {@code champion} alias to a version needs {@link Verdict#BLESSED} unless
 * the move is forced.
 *
 * @param verdict the outcome
 * @param numbers the evaluated figures (e.g. {@code auc}, {@code champion.auc}), sorted by name
 * @param details free text (e.g. which threshold failed), or {@code null}
 * @param at when the result was recorded
 */
public record GateResult(Verdict verdict, Map<String, Double> numbers, String details, Instant at) {

  /** Gate outcomes. */
  public enum Verdict {
    /** Passed every threshold: may become champion. */
    BLESSED,
    /** Failed a threshold: cannot become champion unless forced. */
    NOT_BLESSED
  }

  public GateResult {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(at, "at");
    numbers = numbers == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(numbers));
  }

  /** Whether the verdict is {@link Verdict#BLESSED}. */
  public boolean blessed() {
    return verdict == Verdict.BLESSED;
  }
}

package dev.slipway.cli.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluation gate's verdict on a candidate version, as recorded on it. Immutable.
 *
 * @param model the model's name
 * @param version the candidate version
 * @param verdict {@code BLESSED} or {@code NOT_BLESSED}
 * @param failures every threshold the candidate missed; empty when blessed
 * @param numbers the compared figures ({@code candidate_auc}, {@code champion_auc}, ...), in the
 *     gate's order
 * @param championVersion the champion it was compared with, or {@code null} when there was none (or
 *     the candidate is the champion)
 */
public record GateOutcome(
    String model,
    int version,
    String verdict,
    List<String> failures,
    Map<String, Double> numbers,
    Integer championVersion) {

  public GateOutcome {
    failures = List.copyOf(failures);
    numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
  }

  public boolean blessed() {
    return "BLESSED".equals(verdict);
  }
}

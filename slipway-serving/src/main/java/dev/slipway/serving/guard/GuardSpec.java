package dev.slipway.serving.guard;

import dev.slipway.guard.heuristic.Heuristic;
import dev.slipway.guard.input.InputGuard;
import dev.slipway.guard.output.OutputGuard;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The guard settings of one model, as configured under {@code models.<name>.guards}. Immutable.
 *
 * @param inputPolicy what a failed input check does, for every feature not named in {@code
 *     featurePolicies}
 * @param featurePolicies per-feature policies
 * @param impute explicit values to impute, by feature; others impute the profile's median or most
 *     frequent value
 * @param outputRanges allowed ranges of output columns
 * @param confidenceOutput the output whose largest element per row is the confidence, or null
 * @param minConfidence below it the model abstains
 * @param fallback the links after the primary model, in order: model references ({@code name},
 *     {@code name@alias}, {@code name/3}) and {@link #HEURISTIC}
 * @param heuristic the model's heuristic, or null
 * @param breaker the circuit breaker's settings
 */
public record GuardSpec(
    InputGuard.Policy inputPolicy,
    Map<String, InputGuard.Policy> featurePolicies,
    Map<String, Object> impute,
    Map<String, OutputGuard.Range> outputRanges,
    String confidenceOutput,
    double minConfidence,
    List<String> fallback,
    Heuristic heuristic,
    Breaker breaker) {

  /** The fallback link answered by the model's heuristic. */
  public static final String HEURISTIC = "heuristic";

  public GuardSpec {
    Objects.requireNonNull(inputPolicy, "inputPolicy");
    featurePolicies = Map.copyOf(featurePolicies);
    impute = Map.copyOf(impute);
    outputRanges = Map.copyOf(outputRanges);
    fallback = List.copyOf(fallback);
    breaker = breaker == null ? Breaker.defaults() : breaker;
    boolean wantsHeuristic =
        fallback.contains(HEURISTIC)
            || featurePolicies.containsValue(InputGuard.Policy.HEURISTIC)
            || inputPolicy == InputGuard.Policy.HEURISTIC;
    if (wantsHeuristic && heuristic == null) {
      throw new IllegalArgumentException(
          "a heuristic is used (in the fallback chain or an input policy) but none is declared");
    }
  }

  /** Input checks that reject, nothing else. */
  public static GuardSpec rejecting() {
    return new GuardSpec(
        InputGuard.Policy.REJECT, Map.of(), Map.of(), Map.of(), null, 0, List.of(), null, null);
  }

  /**
   * Circuit breaker settings (Resilience4j): the breaker opens when, over the last {@code window}
   * calls (at least {@code minimumCalls}), the share of failed calls or of calls slower than {@code
   * slowCall} reaches {@code failureRatePercent}; it stays open for {@code open}, then lets a few
   * calls through to test the model again.
   */
  public record Breaker(
      int failureRatePercent, int window, int minimumCalls, Duration open, Duration slowCall) {
    public static Breaker defaults() {
      return new Breaker(50, 20, 10, Duration.ofSeconds(30), Duration.ofSeconds(10));
    }
  }
}

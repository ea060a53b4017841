package dev.slipway.batch.store;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Record;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Store-first answers: for a model with a {@link Policy}, each record that carries the policy's key
 * field is looked up in the {@link PredictionStore}; a prediction stored less than {@code maxAge}
 * ago answers it, anything else goes to live inference. Every record of such a model counts once in
 * {@code slipway_prediction_store_lookups_total{model, result}}: {@code hit} (answered from the
 * store), {@code stale} (stored, but too old), {@code miss} (nothing stored, or the record carries
 * no usable key) or {@code error} (the store failed: the records are then answered live, so that a
 * store outage costs latency, not availability).
 *
 * <p>Thread-safe when the store and the policy function are.
 */
public final class StoreFirst {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StoreFirst.class);

  /**
   * How a model answers from the store.
   *
   * @param keyField the record field holding the entity key
   * @param maxAge the oldest stored prediction still served (exclusive)
   */
  public record Policy(String keyField, Duration maxAge) {
    public Policy {
      Objects.requireNonNull(keyField, "keyField");
      if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
      }
    }
  }

  /** What a lookup found. */
  public enum Result {
    HIT,
    MISS,
    STALE,
    ERROR;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final PredictionStore store;
  private final Function<String, Policy> policies;
  private final Clock clock;
  private final MeterRegistry meters;

  /**
   * @param policies per model name, its policy, or null when it is always answered live
   */
  public StoreFirst(
      PredictionStore store, Function<String, Policy> policies, Clock clock, MeterRegistry meters) {
    this.store = Objects.requireNonNull(store, "store");
    this.policies = Objects.requireNonNull(policies, "policies");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  /** Whether requests to the model are answered from the store first. */
  public boolean enabled(String model) {
    return policies.apply(model) != null;
  }

  /**
   * The fresh stored prediction of each record, in order: an element is empty when the record is to
   * be answered live. For a model without a policy, every element is empty and nothing is counted.
   */
  public List<Optional<StoredPrediction>> lookup(String model, List<Record> records) {
    Policy policy = policies.apply(model);
    List<Optional<StoredPrediction>> out =
        new ArrayList<>(java.util.Collections.nCopies(records.size(), Optional.empty()));
    if (policy == null) {
      return out;
    }
    Result[] results = new Result[records.size()];
    Arrays.fill(results, Result.MISS);
    List<Integer> idx = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      String key = PredictionStore.keyOf(records.get(i).get(policy.keyField()));
      if (usable(key)) {
        idx.add(i);
        keys.add(key);
      }
    }
    List<Optional<StoredPrediction>> found = List.of();
    if (!keys.isEmpty()) {
      try {
        found = store.getAll(model, keys);
      } catch (ModelUnavailableException e) {
        log.warn(
            "prediction store lookup for {} failed, answering live: {}", model, e.getMessage());
        idx.forEach(i -> results[i] = Result.ERROR);
      }
    }
    if (!found.isEmpty()) {
      java.time.Instant now = clock.instant();
      for (int j = 0; j < idx.size(); j++) {
        Optional<StoredPrediction> p = found.get(j);
        if (p.isEmpty()) {
          continue;
        }
        Duration age = Duration.between(p.get().scoredAt(), now);
        if (age.compareTo(policy.maxAge()) < 0) {
          results[idx.get(j)] = Result.HIT;
          out.set(idx.get(j), p);
        } else {
          results[idx.get(j)] = Result.STALE;
        }
      }
    }
    for (Result r : results) {
      count(model, r);
    }
    return out;
  }

  private static boolean usable(String key) {
    if (key == null) {
      return false;
    }
    try {
      PredictionStore.checkKey(key);
      return true;
    } catch (InvalidInputException e) {
      return false;
    }
  }

  private void count(String model, Result r) {
    Counter.builder("slipway.prediction.store.lookups")
        .description("Store-first lookups of records, by what the prediction store held")
        .tag("model", model)
        .tag("result", r.tag())
        .register(meters)
        .increment();
  }
}

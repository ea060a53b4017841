package dev.slipway.monitor;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How predictions are logged and judged. Immutable.
 *
 * @param enabled whether predictions are logged at all
 * @param sampleRate the share of requests logged, from 0 to 1, for models without their own rate
 * @param models per model name, settings that override the defaults
 * @param retentionDays predictions and feedback older than this many days are deleted
 * @param retentionEvery how often retention runs
 * @param queueCapacity events waiting for the log writer; when full, new events are dropped and
 *     counted
 * @param batchSize most rows written in one insert batch
 * @param entityJoinWindow feedback given by entity and time joins the latest prediction for the
 *     entity at most this long before the time
 * @param performanceWindow the default window of performance and drift series
 * @param seed seeds the sampling hash (which request ids are logged)
 */
public record MonitorSettings(
    boolean enabled,
    double sampleRate,
    Map<String, Model> models,
    int retentionDays,
    Duration retentionEvery,
    int queueCapacity,
    int batchSize,
    Duration entityJoinWindow,
    Duration performanceWindow,
    long seed) {

  /** The score output used when a model names none. */
  public static final String SCORE = "score";

  /**
   * Settings of one model; a null component means the default.
   *
   * @param sampleRate the share of this model's requests logged
   * @param entityField the record field holding the entity key feedback may name
   * @param scoreOutput the output holding the probability of the positive class
   * @param threshold the score at and above which a prediction counts as positive
   */
  public record Model(
      Double sampleRate, String entityField, String scoreOutput, Double threshold) {}

  public MonitorSettings {
    models = Map.copyOf(models);
    Objects.requireNonNull(retentionEvery, "retentionEvery");
    Objects.requireNonNull(entityJoinWindow, "entityJoinWindow");
    Objects.requireNonNull(performanceWindow, "performanceWindow");
  }

  /** Log every request, keep 30 days, hourly windows. */
  public static MonitorSettings defaults() {
    return new MonitorSettings(
        true,
        1.0,
        Map.of(),
        30,
        Duration.ofHours(1),
        10_000,
        500,
        Duration.ofHours(1),
        Duration.ofHours(1),
        0L);
  }

  public MonitorSettings withModel(String name, Model model) {
    Map<String, Model> m = new java.util.LinkedHashMap<>(models);
    m.put(name, model);
    return new MonitorSettings(
        enabled,
        sampleRate,
        m,
        retentionDays,
        retentionEvery,
        queueCapacity,
        batchSize,
        entityJoinWindow,
        performanceWindow,
        seed);
  }

  public double sampleRate(String model) {
    Model m = models.get(model);
    return m != null && m.sampleRate() != null ? m.sampleRate() : sampleRate;
  }

  /** The entity field of a model, or null. */
  public String entityField(String model) {
    Model m = models.get(model);
    return m == null ? null : m.entityField();
  }

  public String scoreOutput(String model) {
    Model m = models.get(model);
    return m != null && m.scoreOutput() != null ? m.scoreOutput() : SCORE;
  }

  public double threshold(String model) {
    Model m = models.get(model);
    return m != null && m.threshold() != null ? m.threshold() : 0.5;
  }
}

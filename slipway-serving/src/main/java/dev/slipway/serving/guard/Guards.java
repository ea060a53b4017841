package dev.slipway.serving.guard;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFailureException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import dev.slipway.api.codec.TypedArrays;
import dev.slipway.guard.input.InputGuard;
import dev.slipway.guard.output.OutputGuard;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.guard.profile.FeatureProfile;
import dev.slipway.registry.ModelRef;
import dev.slipway.registry.ModelVersion;
import dev.slipway.serving.host.Lease;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ServedModel;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guards of every model: input checks → filtering model → primary model (behind its circuit
 * breaker) → output checks → fallback chain (other models, the heuristic) → error. One instance
 * serves the whole server; the guard of a version is built on first use (its input schema from the
 * model's own schema, narrowed by the version's data profile when it has one) and rebuilt after
 * {@link #invalidate()}, which the server calls whenever the registry changes.
 *
 * <p>Every answer says which link produced it (the {@code served_by} of each row, the {@code link}
 * label of the {@code slipway.guard.answers} counter). Thread-safe.
 */
public final class Guards {
  private static final Logger log = LoggerFactory.getLogger(Guards.class);

  /** Document kind of a version's data profile in the registry. */
  public static final String PROFILE = "profile";

  /** Runs one loaded model on records and returns its public output columns. */
  @FunctionalInterface
  public interface Runner {
    Map<String, Tensor> run(ServedModel model, List<Record> records);
  }

  private final Function<String, GuardSpec> specs;
  private final Function<ModelVersion, Optional<FailureFilter>> filters;
  private final MeterRegistry meters;
  private final Map<String, ModelGuard> cache = new ConcurrentHashMap<>();

  /**
   * @param specs the guard settings of a model by name, or null for an unguarded model
   * @param filters the filtering model of a version, if it has one
   */
  public Guards(
      Function<String, GuardSpec> specs,
      Function<ModelVersion, Optional<FailureFilter>> filters,
      MeterRegistry meters) {
    this.specs = specs;
    this.filters = filters;
    this.meters = meters;
  }

  /** Whether a model has guards (otherwise the pipeline serves it as before). */
  public boolean guarded(String model) {
    return specs.apply(model) != null;
  }

  /** Forgets built guards (profiles or settings changed); breakers start closed again. */
  public void invalidate() {
    cache.clear();
  }

  /** The state of a version's circuit breaker, or empty when it has no guard yet. */
  public Optional<String> breakerState(String model, int version) {
    ModelGuard g = cache.get(model + "/" + version);
    return g == null ? Optional.empty() : Optional.of(g.breaker.getState().name());
  }

  /**
   * Whether the guards answer a record that lacks {@code feature} (its policy imputes the value or
   * hands the record to the heuristic) rather than refusing it.
   */
  public boolean answersMissing(ServedModel model, String feature) {
    if (!guarded(model.name())) {
      return false;
    }
    for (InputGuard.Rule r : guard(model).input.rules()) {
      if (r.field().name().equals(feature)) {
        return r.policy() != InputGuard.Policy.REJECT;
      }
    }
    return false;
  }

  /** The guard of a loaded version. */
  public ModelGuard guard(ServedModel model) {
    String key = model.name() + "/" + model.number();
    ModelGuard g = cache.get(key);
    if (g == null) {
      g = cache.computeIfAbsent(key, k -> build(model));
    }
    return g;
  }

  private ModelGuard build(ServedModel model) {
    GuardSpec spec = specs.apply(model.name());
    if (spec == null) {
      spec = GuardSpec.rejecting();
    }
    Schema schema = model.codec().orElseThrow().schema();
    DataProfile profile = null;
    try {
      Optional<String> text =
          model.version() == null ? Optional.empty() : registryDocument(model, PROFILE);
      if (text.isPresent()) {
        profile = DataProfile.fromYaml(text.get());
      }
    } catch (RuntimeException e) {
      log.warn("{}: data profile not used: {}", model.name(), e.getMessage());
    }
    List<InputGuard.Rule> rules = new ArrayList<>();
    for (Field f : schema.fields()) {
      Field checked = narrowed(f, profile);
      InputGuard.Policy p = spec.featurePolicies().getOrDefault(f.name(), spec.inputPolicy());
      Object impute = null;
      if (p == InputGuard.Policy.IMPUTE) {
        impute = spec.impute().get(f.name());
        if (impute == null) {
          try {
            impute = InputGuard.imputation(checked, profile);
          } catch (IllegalArgumentException e) {
            // No profile value: impute the schema's plausible middle value.
            impute = ServedModel.sampleValue(checked);
          }
        }
      }
      rules.add(new InputGuard.Rule(checked, p, impute));
    }
    OutputGuard output =
        new OutputGuard(spec.outputRanges(), spec.confidenceOutput(), spec.minConfidence());
    GuardSpec.Breaker b = spec.breaker();
    CircuitBreaker breaker =
        CircuitBreaker.of(
            model.name() + "/" + model.number(),
            CircuitBreakerConfig.custom()
                .failureRateThreshold(b.failureRatePercent())
                .slowCallRateThreshold(b.failureRatePercent())
                .slowCallDurationThreshold(b.slowCall())
                .slidingWindowSize(b.window())
                .minimumNumberOfCalls(b.minimumCalls())
                .waitDurationInOpenState(b.open())
                .permittedNumberOfCallsInHalfOpenState(Math.max(1, b.minimumCalls() / 2))
                .recordExceptions(ModelFailureException.class, ModelUnavailableException.class)
                .build());
    String key = model.name() + "/" + model.number();
    Gauge.builder("slipway.guard.breaker.state", cache, c -> breakerCode(c.get(key)))
        .description("Circuit breaker state: 0 closed, 1 open, 2 half-open")
        .tag("model", model.name())
        .tag("version", Integer.toString(model.number()))
        .register(meters);
    FailureFilter filter = filters.apply(model.version()).orElse(null);
    return new ModelGuard(model.name(), spec, new InputGuard(rules), output, breaker, filter);
  }

  private static double breakerCode(ModelGuard g) {
    if (g == null) {
      return 0;
    }
    return switch (g.breaker.getState()) {
      case CLOSED -> 0;
      case OPEN, FORCED_OPEN -> 1;
      case HALF_OPEN -> 2;
      default -> 3;
    };
  }

  private Optional<String> registryDocument(ServedModel model, String kind) {
    return documents.apply(model.version(), kind);
  }

  private java.util.function.BiFunction<ModelVersion, String, Optional<String>> documents =
      (v, k) -> Optional.empty();

  /** Where version documents (the data profile) are read from; the registry in a server. */
  public Guards documents(java.util.function.BiFunction<ModelVersion, String, Optional<String>> f) {
    this.documents = f;
    return this;
  }

  /** The schema field with the profile's range or domain, when the profile knows the feature. */
  static Field narrowed(Field f, DataProfile profile) {
    if (profile == null) {
      return f;
    }
    Optional<FeatureProfile> p = profile.feature(f.name());
    if (p.isEmpty()) {
      return f;
    }
    Field learnt = p.get().toField();
    if (f.type().isNumeric() && learnt.min() != null) {
      return new Field(
          f.name(),
          f.type(),
          f.nullable(),
          learnt.min(),
          learnt.max(),
          f.domain(),
          f.description());
    }
    if (f.type() == DataType.BYTES && !learnt.domain().isEmpty()) {
      return new Field(
          f.name(), f.type(), f.nullable(), null, null, learnt.domain(), f.description());
    }
    return f;
  }

  /** A version's guard, built once: its checks, breaker and filter. Thread-safe. */
  public static final class ModelGuard {
    final String model;
    final GuardSpec spec;
    final InputGuard input;
    final OutputGuard output;
    final CircuitBreaker breaker;
    final FailureFilter filter;

    ModelGuard(
        String model,
        GuardSpec spec,
        InputGuard input,
        OutputGuard output,
        CircuitBreaker breaker,
        FailureFilter filter) {
      this.model = model;
      this.spec = spec;
      this.input = input;
      this.output = output;
      this.breaker = breaker;
      this.filter = filter;
    }

    public InputGuard input() {
      return input;
    }

    public CircuitBreaker breaker() {
      return breaker;
    }
  }

  /**
   * The guarded answer for records: the outputs as columns (the primary model's public outputs)
   * and, per row, the link that answered it.
   */
  public record Answer(Map<String, Tensor> outputs, List<String> servedBy) {}

  /**
   * How errors name the rows of a request and their features, as the caller wrote them: {@code
   * records[3]} and {@code records[3].user_age} for records, a tensor element such as {@code
   * inputs[4].data[3]} for columns sent as tensors.
   */
  public interface RowNames {
    /** Row {@code i} as a whole. */
    String row(int i);

    /** Feature {@code feature} of row {@code i}. */
    String feature(int i, String feature);

    /** Rows named {@code prefix[i]}, their features {@code prefix[i].feature}. */
    static RowNames prefixed(String prefix) {
      return new RowNames() {
        @Override
        public String row(int i) {
          return prefix + "[" + i + "]";
        }

        @Override
        public String feature(int i, String feature) {
          return row(i) + "." + feature;
        }
      };
    }
  }

  /**
   * Answers records through the guards of the primary model.
   *
   * @param prefix how rows are named in errors, e.g. {@code records}
   * @throws InvalidInputException for a record a feature policy rejects
   * @throws ModelUnavailableException when no link of the chain answers some record
   */
  public Answer answer(
      ModelHost host, ServedModel primary, List<Record> records, Runner runner, String prefix) {
    return answer(host, primary, records, runner, RowNames.prefixed(prefix));
  }

  /**
   * Answers records through the guards of the primary model.
   *
   * @param names how rows and their features are named in errors
   * @throws InvalidInputException for a record a feature policy rejects
   * @throws ModelUnavailableException when no link of the chain answers some record
   */
  public Answer answer(
      ModelHost host, ServedModel primary, List<Record> records, Runner runner, RowNames names) {
    ModelGuard g = guard(primary);
    int n = records.size();
    Record[] rows = records.toArray(new Record[0]);
    String[] servedBy = new String[n];
    String[] why = new String[n];
    boolean[] toHeuristic = new boolean[n];
    List<Integer> forPrimary = new ArrayList<>(n);

    // 1. input checks
    for (int i = 0; i < n; i++) {
      InputGuard.Verdict v = g.input.check(rows[i]);
      count("slipway.guard.inputs", "outcome", v.outcome().name().toLowerCase(), g.model);
      for (InputGuard.Finding f : v.findings()) {
        meters
            .counter(
                "slipway.guard.input.checks",
                "model",
                g.model,
                "feature",
                f.field(),
                "check",
                f.check().name().toLowerCase(),
                "action",
                f.action().name().toLowerCase())
            .increment();
      }
      switch (v.outcome()) {
        case REJECTED -> {
          int row = i;
          throw v.error(feature -> names.feature(row, feature));
        }
        case HEURISTIC -> {
          toHeuristic[i] = true;
          why[i] = "input check: " + v.findings().get(0).field();
        }
        case IMPUTED -> {
          rows[i] = v.record();
          forPrimary.add(i);
        }
        default -> forPrimary.add(i);
      }
    }

    // 2. the filtering model sends records it expects the model to get wrong to the chain
    List<Integer> pending = new ArrayList<>();
    if (g.filter != null && !forPrimary.isEmpty()) {
      double[] p = g.filter.failureProbability(select(rows, forPrimary));
      List<Integer> keep = new ArrayList<>(forPrimary.size());
      for (int j = 0; j < forPrimary.size(); j++) {
        if (p[j] >= g.filter.threshold()) {
          int i = forPrimary.get(j);
          pending.add(i);
          why[i] = "filtering model: failure probability " + round(p[j]);
          count("slipway.guard.filtered", null, null, g.model);
        } else {
          keep.add(forPrimary.get(j));
        }
      }
      forPrimary = keep;
    }

    // 3. the primary model, behind its breaker, then its output checks
    Map<String, Tensor> columns = null;
    Map<Integer, Source> answers = new LinkedHashMap<>();
    if (!forPrimary.isEmpty()) {
      Attempt a = attempt(g, primary, rows, forPrimary, runner, true);
      columns = a.outputs;
      answers.putAll(a.answered);
      a.failed.forEach(
          (i, reason) -> {
            why[i] = reason;
            pending.add(i);
          });
      pending.sort(null);
    }
    TensorSpec[] shape = primary.publicSignature().outputs().toArray(new TensorSpec[0]);

    // 4. the fallback chain
    for (String link : g.spec.fallback()) {
      List<Integer> rest = new ArrayList<>(pending);
      if (link.equals(GuardSpec.HEURISTIC)) {
        for (int i = 0; i < n; i++) {
          if (toHeuristic[i]) {
            rest.add(i);
            toHeuristic[i] = false;
          }
        }
      }
      if (rest.isEmpty()) {
        continue;
      }
      pending.clear();
      if (link.equals(GuardSpec.HEURISTIC)) {
        for (int i : rest) {
          answers.put(i, Source.heuristic(g.spec.heuristic().answer(rows[i])));
        }
        continue;
      }
      ModelRef ref = ModelRef.parse(link);
      try (Lease lease =
          host.acquire(
              ref.alias() != null ? ref.name() + "@" + ref.alias() : ref.name(), ref.version())) {
        Attempt a = attempt(guard(lease.model()), lease.model(), rows, rest, runner, false);
        answers.putAll(a.answered);
        a.failed.forEach(
            (i, reason) -> {
              why[i] = why[i] + "; " + link + ": " + reason;
              pending.add(i);
            });
      } catch (ModelNotFoundException | ModelUnavailableException e) {
        for (int i : rest) {
          why[i] = why[i] + "; " + link + ": " + e.getMessage();
        }
        pending.addAll(rest);
      }
      pending.sort(null);
    }
    for (int i = 0; i < n; i++) {
      if (toHeuristic[i]) {
        // a HEURISTIC input policy with no heuristic link in the chain: answer with it anyway
        answers.put(i, Source.heuristic(g.spec.heuristic().answer(rows[i])));
      }
    }
    if (!pending.isEmpty()) {
      int i = pending.get(0);
      count("slipway.guard.answers", "link", "error", g.model);
      throw new ModelUnavailableException(
          "model '"
              + g.model
              + "' could not answer "
              + names.row(i)
              + (pending.size() > 1 ? " (and " + (pending.size() - 1) + " more)" : "")
              + ": "
              + why[i]
              + (g.spec.fallback().isEmpty() ? " (no fallback chain is configured)" : ""));
    }
    for (int i = 0; i < n; i++) {
      Source s = answers.get(i);
      servedBy[i] = s.label;
      count("slipway.guard.answers", "link", s.metricLink, g.model);
    }
    return new Answer(merge(shape, columns, answers, n), Arrays.asList(servedBy));
  }

  /** Where one row's answer comes from: a model run's columns at a row, or heuristic values. */
  private record Source(
      String label,
      String metricLink,
      Map<String, Tensor> columns,
      int row,
      int rows,
      Map<String, Object> values) {
    static Source heuristic(Map<String, Object> values) {
      return new Source(GuardSpec.HEURISTIC, GuardSpec.HEURISTIC, null, -1, 0, values);
    }
  }

  private record Attempt(
      Map<String, Tensor> outputs, Map<Integer, Source> answered, Map<Integer, String> failed) {}

  private Attempt attempt(
      ModelGuard g,
      ServedModel model,
      Record[] rows,
      List<Integer> which,
      Runner runner,
      boolean primary) {
    Map<Integer, Source> answered = new LinkedHashMap<>();
    Map<Integer, String> failed = new LinkedHashMap<>();
    if (!g.breaker.tryAcquirePermission()) {
      for (int i : which) {
        failed.put(i, "circuit breaker of " + model.name() + "/" + model.number() + " is open");
      }
      count("slipway.guard.breaker.rejected", null, null, g.model);
      return new Attempt(null, answered, failed);
    }
    long start = System.nanoTime();
    Map<String, Tensor> out;
    try {
      out = runner.run(model, select(rows, which));
      g.breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    } catch (ModelFailureException | ModelUnavailableException e) {
      g.breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      for (int i : which) {
        failed.put(
            i, "model " + model.name() + "/" + model.number() + " failed: " + e.getMessage());
      }
      return new Attempt(null, answered, failed);
    } catch (RuntimeException e) {
      g.breaker.releasePermission();
      throw e;
    }
    String label = model.name() + "/" + model.number();
    String metricLink = primary ? "primary" : model.name();
    for (int j = 0; j < which.size(); j++) {
      int i = which.get(j);
      Optional<OutputGuard.Finding> f = g.output.check(out, j, which.size());
      if (f.isPresent()) {
        count("slipway.guard.outputs", "problem", f.get().problem().name().toLowerCase(), g.model);
        failed.put(
            i, "output check on '" + f.get().output() + "' of " + label + ": " + f.get().detail());
      } else {
        answered.put(i, new Source(label, metricLink, out, j, which.size(), null));
      }
    }
    return new Attempt(out, answered, failed);
  }

  private static List<Record> select(Record[] rows, List<Integer> which) {
    List<Record> out = new ArrayList<>(which.size());
    for (int i : which) {
      out.add(rows[i]);
    }
    return out;
  }

  /**
   * Builds the output columns row by row from whichever link answered each row. Shapes follow the
   * primary model's public outputs; values are stored with lossless casts, and a column a link does
   * not give is NaN (numbers), false or an empty string in that row.
   */
  static Map<String, Tensor> merge(
      TensorSpec[] specs, Map<String, Tensor> primary, Map<Integer, Source> answers, int n) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (TensorSpec spec : specs) {
      int per = perRow(spec, primary, answers, n);
      DataType type = spec.type();
      Object data = TypedArrays.allocate(type, n * per);
      for (int i = 0; i < n; i++) {
        Source s = answers.get(i);
        for (int k = 0; k < per; k++) {
          Object v = value(s, spec.name(), k, per);
          if (v == null || TypedArrays.store(type, data, i * per + k, v) != null) {
            empty(type, data, i * per + k);
          }
        }
      }
      long[] shape;
      if (spec.shape().length <= 1) {
        shape = new long[] {n};
      } else {
        shape = spec.shape().clone();
        shape[0] = n;
        long rest = per;
        for (int d = 1; d < shape.length; d++) {
          if (shape[d] < 0) {
            shape[d] = rest;
          }
          rest = shape[d] == 0 ? 0 : rest / Math.max(1, shape[d]);
        }
        if (Tensor.elementCount(shape) != (long) n * per) {
          shape = new long[] {n, per};
        }
      }
      out.put(spec.name(), new Tensor(spec.name(), type, shape, data));
    }
    return out;
  }

  private static int perRow(
      TensorSpec spec, Map<String, Tensor> primary, Map<Integer, Source> answers, int n) {
    for (Source s : answers.values()) {
      if (s.columns != null && s.columns.containsKey(spec.name()) && s.rows > 0) {
        return (int) (s.columns.get(spec.name()).size() / s.rows);
      }
    }
    for (Source s : answers.values()) {
      if (s.values != null && s.values.containsKey(spec.name())) {
        Object v = s.values.get(spec.name());
        return v instanceof List<?> l ? l.size() : 1;
      }
    }
    long per = 1;
    for (int d = 1; d < spec.shape().length; d++) {
      per *= Math.max(1, spec.shape()[d]);
    }
    return (int) per;
  }

  private static Object value(Source s, String name, int k, int per) {
    if (s.columns != null) {
      Tensor t = s.columns.get(name);
      if (t == null) {
        return null;
      }
      int tPer = (int) (t.size() / s.rows);
      return k < tPer ? t.get(s.row * tPer + k) : null;
    }
    Object v = s.values.get(name);
    if (v instanceof List<?> l) {
      return k < l.size() ? normalise(l.get(k)) : null;
    }
    return k == 0 ? normalise(v) : null;
  }

  private static Object normalise(Object v) {
    if (v instanceof Integer i) {
      return (long) i;
    }
    if (v instanceof Float f) {
      return (double) f;
    }
    return v;
  }

  private static void empty(DataType type, Object data, int index) {
    switch (type) {
      case FP32 -> ((float[]) data)[index] = Float.NaN;
      case FP64 -> ((double[]) data)[index] = Double.NaN;
      case BYTES -> ((String[]) data)[index] = "";
      default -> {
        // integers and booleans stay 0 / false
      }
    }
  }

  private void count(String name, String key, String value, String model) {
    Counter c =
        key == null
            ? meters.counter(name, "model", model)
            : meters.counter(name, "model", model, key, value);
    c.increment();
  }

  private static String round(double d) {
    return String.format(java.util.Locale.ROOT, "%.3f", d);
  }
}

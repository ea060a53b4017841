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
import dev.slipway.api.codec.ScreenedEncoder;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
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

    /**
     * Runs a model on the input tensors its codec encoded from {@code records} (the guards check
     * the primary model's records while its codec encodes them, and hand over that encoding). By
     * default the encoding is ignored and the records are run.
     */
    default Map<String, Tensor> run(
        ServedModel model, List<Record> records, Map<String, Tensor> encoded) {
      return run(model, records);
    }

    /**
     * Encodes records for a model while screening them (its preprocess stage when it is guarded);
     * see {@link ScreenedEncoder#encode}.
     */
    default Map<String, Tensor> encode(
        ServedModel model, ScreenedEncoder encoder, List<Record> records, boolean[] plain) {
      return encoder.encode(records, plain);
    }
  }

  private final Function<String, GuardSpec> specs;
  private final Function<ModelVersion, Optional<FailureFilter>> filters;
  private final MeterRegistry meters;
  private final Map<String, ModelGuard> cache = new ConcurrentHashMap<>();
  private final Map<String, Stats> stats = new ConcurrentHashMap<>();

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

  private volatile boolean screening = true;

  /**
   * Whether the primary model's codec checks values while it encodes them (the default) or the
   * guards check every record on their own first; the answers are the same either way. Forgets
   * built guards.
   */
  Guards screening(boolean on) {
    screening = on;
    cache.clear();
    return this;
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
    String key = model.ref();
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
            model.ref(),
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
    String key = model.ref();
    Gauge.builder("slipway.guard.breaker.state", cache, c -> breakerCode(c.get(key)))
        .description("Circuit breaker state: 0 closed, 1 open, 2 half-open")
        .tag("model", model.name())
        .tag("version", Integer.toString(model.number()))
        .register(meters);
    FailureFilter filter = filters.apply(model.version()).orElse(null);
    InputGuard input = new InputGuard(rules);
    return new ModelGuard(
        model.name(),
        key,
        spec,
        input,
        screening ? model.codec().orElseThrow().screened(input.screen()).orElse(null) : null,
        output,
        breaker,
        filter,
        stats(model.name()));
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
    final String label;
    final GuardSpec spec;
    final InputGuard input;
    final ScreenedEncoder screened; // the model's codec checking while it encodes, or null
    final OutputGuard output;
    final CircuitBreaker breaker;
    final FailureFilter filter;
    final Stats stats;
    private volatile TensorSpec[] shape; // the guarded version's public outputs

    /** The public outputs of {@code model}, the version this guards. */
    TensorSpec[] shape(ServedModel model) {
      TensorSpec[] s = shape;
      if (s == null) {
        s = model.publicSignature().outputs().toArray(new TensorSpec[0]);
        shape = s;
      }
      return s;
    }

    ModelGuard(
        String model,
        String label,
        GuardSpec spec,
        InputGuard input,
        ScreenedEncoder screened,
        OutputGuard output,
        CircuitBreaker breaker,
        FailureFilter filter,
        Stats stats) {
      this.model = model;
      this.label = label;
      this.spec = spec;
      this.input = input;
      this.screened = screened;
      this.output = output;
      this.breaker = breaker;
      this.filter = filter;
      this.stats = stats;
    }

    /** The version it guards, {@code name/version}: the {@code served_by} of its answers. */
    public String label() {
      return label;
    }

    /** The settings it was built from. */
    public GuardSpec spec() {
      return spec;
    }

    /** The input checks: per feature, the field checked (profile applied) and the policy. */
    public InputGuard input() {
      return input;
    }

    public OutputGuard output() {
      return output;
    }

    public CircuitBreaker breaker() {
      return breaker;
    }

    /** Whether a filtering model routes records away from this version. */
    public boolean filtered() {
      return filter != null;
    }
  }

  /**
   * What a model's guards did since the server started, over all its versions: records by input
   * outcome ({@code passed}, {@code imputed}, {@code heuristic}, {@code rejected}), answered rows
   * by link ({@code primary}, a fallback model's name, {@code heuristic}; {@code error} counts
   * requests no link could answer), output check failures by problem, calls an open breaker turned
   * away and records the filtering model routed away. The same counters as {@code /metrics}; a link
   * or problem that never occurred is absent.
   */
  public record Counts(
      Map<String, Long> inputs,
      Map<String, Long> answers,
      Map<String, Long> outputs,
      long breakerRejected,
      long filtered) {}

  /** The counts of a model's guards; zeros before its first guarded request. */
  public Counts counts(String model) {
    Stats st = stats.get(model);
    if (st == null) {
      return new Counts(Map.of(), Map.of(), Map.of(), 0, 0);
    }
    return st.counts();
  }

  private Stats stats(String model) {
    return stats.computeIfAbsent(model, m -> new Stats(meters, m));
  }

  /**
   * A model's guard counters, registered on first use and kept, so that a request increments
   * counters it already holds instead of looking them up in the registry per record. Thread-safe.
   */
  static final class Stats {
    private static final String REJECTED_BY_BREAKER = "\u0000breaker";
    private static final String FILTERED = "\u0000filtered";

    private final MeterRegistry meters;
    private final String model;
    private final AtomicReferenceArray<Counter> inputs =
        new AtomicReferenceArray<>(InputGuard.Outcome.values().length);
    private final Map<String, Counter> answers = new ConcurrentHashMap<>();
    private final Map<OutputGuard.Problem, Counter> outputs = new ConcurrentHashMap<>();
    private final Map<String, Counter> others = new ConcurrentHashMap<>();

    Stats(MeterRegistry meters, String model) {
      this.meters = meters;
      this.model = model;
    }

    private static String lower(Enum<?> e) {
      return e.name().toLowerCase(java.util.Locale.ROOT);
    }

    Counter input(InputGuard.Outcome outcome) {
      Counter c = inputs.get(outcome.ordinal());
      if (c == null) {
        // the registry returns the same counter to a racing thread
        c = meters.counter("slipway.guard.inputs", "model", model, "outcome", lower(outcome));
        inputs.set(outcome.ordinal(), c);
      }
      return c;
    }

    Counter answer(String link) {
      Counter c = answers.get(link);
      return c != null
          ? c
          : answers.computeIfAbsent(
              link, l -> meters.counter("slipway.guard.answers", "model", model, "link", l));
    }

    Counter output(OutputGuard.Problem problem) {
      return outputs.computeIfAbsent(
          problem,
          p -> meters.counter("slipway.guard.outputs", "model", model, "problem", lower(p)));
    }

    Counter check(InputGuard.Finding f) {
      String key = f.field() + '\u0000' + f.check() + '\u0000' + f.action();
      return others.computeIfAbsent(
          key,
          k ->
              meters.counter(
                  "slipway.guard.input.checks",
                  "model",
                  model,
                  "feature",
                  f.field(),
                  "check",
                  lower(f.check()),
                  "action",
                  lower(f.action())));
    }

    Counter breakerRejected() {
      return others.computeIfAbsent(
          REJECTED_BY_BREAKER,
          k -> meters.counter("slipway.guard.breaker.rejected", "model", model));
    }

    Counter filtered() {
      return others.computeIfAbsent(
          FILTERED, k -> meters.counter("slipway.guard.filtered", "model", model));
    }

    Counts counts() {
      Map<String, Long> in = new LinkedHashMap<>();
      for (InputGuard.Outcome o : InputGuard.Outcome.values()) {
        Counter c = inputs.get(o.ordinal());
        in.put(lower(o), c == null ? 0 : (long) c.count());
      }
      Map<String, Long> ans = new LinkedHashMap<>();
      answers.forEach((link, c) -> ans.put(link, (long) c.count()));
      Map<String, Long> out = new LinkedHashMap<>();
      outputs.forEach((p, c) -> out.put(lower(p), (long) c.count()));
      Counter rejected = others.get(REJECTED_BY_BREAKER);
      Counter filtered = others.get(FILTERED);
      return new Counts(
          in,
          ans,
          out,
          rejected == null ? 0 : (long) rejected.count(),
          filtered == null ? 0 : (long) filtered.count());
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
    // why each row left the primary model and which rows an input check sends to the heuristic:
    // made when a row first does (the common request has none)
    String[] why = null;
    boolean[] toHeuristic = null;
    List<Integer> forPrimary = null; // null while every row so far goes to the primary model

    // 1. input checks (records that pass, the common case, are counted once per request). When
    // the model's codec can screen, it checks every value in the pass that encodes it and the
    // model gets that encoding; a record it does not let through is checked alone (and encoded
    // again if it goes to the model), exactly as without a screen.
    Stats stats = g.stats;
    boolean[] plain = null;
    Map<String, Tensor> encoded = null;
    boolean[] again = null;
    if (g.screened != null) {
      plain = new boolean[n];
      encoded = runner.encode(primary, g.screened, records, plain);
    }
    int passed = 0;
    for (int i = 0; i < n; i++) {
      if (plain != null ? plain[i] : g.input.passes(rows[i])) {
        passed++;
        if (forPrimary != null) {
          forPrimary.add(i);
        }
        continue;
      }
      if (forPrimary == null) {
        forPrimary = new ArrayList<>(new AllRows(i));
      }
      if (plain != null) {
        if (again == null) {
          again = new boolean[n];
        }
        again[i] = true;
      }
      InputGuard.Verdict v = g.input.check(rows[i]);
      InputGuard.Outcome outcome = v.outcome();
      if (outcome == InputGuard.Outcome.PASSED) {
        passed++;
        forPrimary.add(i);
        continue;
      }
      stats.input(outcome).increment();
      for (InputGuard.Finding f : v.findings()) {
        stats.check(f).increment();
      }
      if (why == null) {
        why = new String[n];
        toHeuristic = new boolean[n];
      }
      switch (outcome) {
        case REJECTED -> {
          stats.input(InputGuard.Outcome.PASSED).increment(passed);
          int row = i;
          throw v.error(feature -> names.feature(row, feature));
        }
        case HEURISTIC -> {
          toHeuristic[i] = true;
          why[i] = "input check: " + v.findings().get(0).field();
        }
        default -> {
          rows[i] = v.record(); // IMPUTED: the record with the imputed values
          forPrimary.add(i);
        }
      }
    }
    if (passed > 0) {
      stats.input(InputGuard.Outcome.PASSED).increment(passed);
    }
    if (forPrimary == null) {
      forPrimary = new AllRows(n);
    }

    // 2. the filtering model sends records it expects the model to get wrong to the chain
    List<Integer> pending = new ArrayList<>();
    if (g.filter != null && !forPrimary.isEmpty()) {
      if (why == null) {
        why = new String[n];
        toHeuristic = new boolean[n];
      }
      double[] p = g.filter.failureProbability(select(rows, forPrimary));
      List<Integer> keep = new ArrayList<>(forPrimary.size());
      for (int j = 0; j < forPrimary.size(); j++) {
        if (p[j] >= g.filter.threshold()) {
          int i = forPrimary.get(j);
          pending.add(i);
          why[i] = "filtering model: failure probability " + round(p[j]);
          stats.filtered().increment();
        } else {
          keep.add(forPrimary.get(j));
        }
      }
      forPrimary = keep;
    }

    // 3. the primary model, behind its breaker, then its output checks
    Map<String, Tensor> columns = null;
    Attempt first = null;
    if (!forPrimary.isEmpty()) {
      Map<String, Tensor> inputs =
          encoded == null ? null : encodedRows(primary, encoded, n, rows, forPrimary, again);
      first = attempt(g, primary, rows, forPrimary, inputs, runner, true);
      columns = first.outputs;
      if (!first.failed.isEmpty()) {
        if (why == null) {
          why = new String[n];
          toHeuristic = new boolean[n];
        }
        for (Map.Entry<Integer, String> f : first.failed.entrySet()) {
          why[f.getKey()] = f.getValue();
          pending.add(f.getKey());
        }
      }
      pending.sort(null);
    }
    TensorSpec[] shape = g.shape(primary);
    boolean allPrimary = n > 0 && forPrimary.size() == n && pending.isEmpty();
    if (allPrimary) {
      // the common case: the primary model answered every row, in order, and its columns are
      // the answer
      stats.answer(PRIMARY_LINK).increment(n);
      Map<String, Tensor> whole = asAnswer(shape, columns, n);
      if (whole != null) {
        return new Answer(whole, Collections.nCopies(n, g.label));
      }
    }
    // Row i's answer is row at[i] of the source from[i]
    Source[] from = new Source[n];
    int[] at = new int[n];
    if (first != null) {
      first.place(forPrimary, from, at);
    }
    if (allPrimary) {
      return new Answer(merge(shape, from, at, n), Collections.nCopies(n, g.label));
    }
    if (why == null) {
      why = new String[n];
      toHeuristic = new boolean[n];
    }

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
          from[i] = Source.heuristic(g.spec.heuristic().answer(rows[i]));
        }
        continue;
      }
      try (Lease lease = host.acquire(linkReference(link), null)) {
        Attempt a = attempt(guard(lease.model()), lease.model(), rows, rest, null, runner, false);
        a.place(rest, from, at);
        for (Map.Entry<Integer, String> f : a.failed.entrySet()) {
          int i = f.getKey();
          why[i] = why[i] + "; " + link + ": " + f.getValue();
          pending.add(i);
        }
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
        from[i] = Source.heuristic(g.spec.heuristic().answer(rows[i]));
      }
    }
    if (!pending.isEmpty()) {
      int i = pending.get(0);
      stats.answer(ERROR_LINK).increment();
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
    // answers by link: one increment per run of rows answered by the same link
    String[] servedBy = new String[n];
    String runLink = null;
    int run = 0;
    for (int i = 0; i < n; i++) {
      Source s = from[i];
      servedBy[i] = s.label;
      if (!s.metricLink.equals(runLink)) {
        if (run > 0) {
          stats.answer(runLink).increment(run);
        }
        runLink = s.metricLink;
        run = 0;
      }
      run++;
    }
    if (run > 0) {
      stats.answer(runLink).increment(run);
    }
    return new Answer(merge(shape, from, at, n), Arrays.asList(servedBy));
  }

  /**
   * The reference a fallback link's model is acquired by from the {@link ModelHost}, which its
   * resolver resolves: {@code name}, {@code name@alias} or {@code name/3} ({@code name@v3} is
   * {@code name/3}, {@code name@latest} is {@code name}).
   *
   * @throws InvalidInputException naming {@code model} when the link is not a model reference
   */
  public static String linkReference(String link) {
    ModelRef ref = ModelRef.parse(link);
    return ModelHost.ref(
        ref.alias() != null ? ref.name() + "@" + ref.alias() : ref.name(), ref.version());
  }

  /** Rows {@code 0..n-1}, without a list of boxed numbers. */
  private static final class AllRows extends java.util.AbstractList<Integer>
      implements java.util.RandomAccess {
    private final int n;

    AllRows(int n) {
      this.n = n;
    }

    @Override
    public Integer get(int index) {
      java.util.Objects.checkIndex(index, n);
      return index;
    }

    @Override
    public int size() {
      return n;
    }
  }

  /** The {@code link} of {@code slipway.guard.answers} for requests no link could answer. */
  public static final String ERROR_LINK = "error";

  /** The {@code link} of {@code slipway.guard.answers} for rows the primary model answered. */
  public static final String PRIMARY_LINK = "primary";

  /**
   * Where answers come from: the output columns of one model run over {@code rows} rows, or the
   * heuristic's values for one row.
   */
  private record Source(
      String label,
      String metricLink,
      Map<String, Tensor> columns,
      int rows,
      Map<String, Object> values) {
    static Source heuristic(Map<String, Object> values) {
      return new Source(GuardSpec.HEURISTIC, GuardSpec.HEURISTIC, null, 0, values);
    }
  }

  /**
   * A model run over some rows: its outputs ({@code source}'s columns; null when it did not run)
   * and the rows it did not answer, each with the reason.
   */
  private record Attempt(Map<String, Tensor> outputs, Map<Integer, String> failed, Source source) {
    /** Marks the rows {@code which} it answered as answered by it, row j of its outputs. */
    void place(List<Integer> which, Source[] from, int[] at) {
      if (source == null) {
        return;
      }
      if (which instanceof AllRows) {
        for (int j = 0; j < which.size(); j++) {
          from[j] = source;
          at[j] = j;
        }
      } else {
        for (int j = 0; j < which.size(); j++) {
          int i = which.get(j);
          from[i] = source;
          at[i] = j;
        }
      }
      for (int i : failed.keySet()) {
        from[i] = null;
      }
    }
  }

  /**
   * The rows {@code which} (ascending) of a batch of {@code n} rows encoded by the model's codec,
   * the rows marked in {@code again} encoded again from their checked (maybe imputed) records. Null
   * when that encoding fails: the records are then run as they are, which reports it as before.
   */
  static Map<String, Tensor> encodedRows(
      ServedModel model,
      Map<String, Tensor> encoded,
      int n,
      Record[] rows,
      List<Integer> which,
      boolean[] again) {
    if (again == null && which.size() == n) {
      return encoded; // every row, each as the screened encoding gave it
    }
    Map<String, Tensor> fresh = null;
    if (again != null) {
      List<Record> redo = new ArrayList<>();
      for (int i : which) {
        if (again[i]) {
          redo.add(rows[i]);
        }
      }
      if (!redo.isEmpty()) {
        try {
          fresh = model.codec().orElseThrow().encode(redo);
        } catch (InvalidInputException e) {
          return null;
        }
      }
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Tensor t : encoded.values()) {
      Tensor redone = fresh == null ? null : fresh.get(t.name());
      if (fresh != null && redone == null) {
        return null;
      }
      int per = (int) (t.size() / n);
      Object data = TypedArrays.allocate(t.type(), which.size() * per);
      int r = 0;
      for (int j = 0; j < which.size(); j++) {
        int i = which.get(j);
        if (again != null && again[i]) {
          System.arraycopy(redone.data(), r++ * per, data, j * per, per);
        } else {
          System.arraycopy(t.data(), i * per, data, j * per, per);
        }
      }
      long[] shape = t.shape().clone();
      shape[0] = which.size();
      out.put(t.name(), new Tensor(t.name(), t.type(), shape, data));
    }
    return out;
  }

  /**
   * Runs a model on the rows {@code which} behind its breaker and checks its answers: the rows that
   * pass are answered by it ({@link Attempt#place}); the others fail, each with the reason.
   *
   * @param inputs the rows' encoding by the model's codec, or null to have the runner encode them
   */
  private Attempt attempt(
      ModelGuard g,
      ServedModel model,
      Record[] rows,
      List<Integer> which,
      Map<String, Tensor> inputs,
      Runner runner,
      boolean primary) {
    if (!g.breaker.tryAcquirePermission()) {
      Map<Integer, String> failed = new LinkedHashMap<>();
      for (int i : which) {
        failed.put(i, "circuit breaker of " + g.label + " is open");
      }
      g.stats.breakerRejected().increment();
      return new Attempt(null, failed, null);
    }
    long start = System.nanoTime();
    Map<String, Tensor> out;
    try {
      List<Record> selected = select(rows, which);
      out = inputs == null ? runner.run(model, selected) : runner.run(model, selected, inputs);
      g.breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    } catch (ModelFailureException | ModelUnavailableException e) {
      g.breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      Map<Integer, String> failed = new LinkedHashMap<>();
      for (int i : which) {
        failed.put(i, "model " + g.label + " failed: " + e.getMessage());
      }
      return new Attempt(null, failed, null);
    } catch (RuntimeException e) {
      g.breaker.releasePermission();
      throw e;
    }
    Source source =
        new Source(g.label, primary ? PRIMARY_LINK : model.name(), out, which.size(), null);
    List<Map.Entry<Integer, OutputGuard.Finding>> problems = g.output.failures(out, which.size());
    if (problems.isEmpty()) {
      return new Attempt(out, Map.of(), source);
    }
    Map<Integer, String> failed = new LinkedHashMap<>();
    for (Map.Entry<Integer, OutputGuard.Finding> p : problems) {
      int i = which.get(p.getKey());
      OutputGuard.Finding f = p.getValue();
      g.stats.output(f.problem()).increment();
      failed.put(i, "output check on '" + f.output() + "' of " + g.label + ": " + f.detail());
    }
    return new Attempt(out, failed, source);
  }

  private static List<Record> select(Record[] rows, List<Integer> which) {
    if (which instanceof AllRows && which.size() == rows.length) {
      return Arrays.asList(rows);
    }
    List<Record> out = new ArrayList<>(which.size());
    for (int i : which) {
      out.add(rows[i]);
    }
    return out;
  }

  /**
   * Builds the output columns row by row from whichever link answered each row. Shapes follow the
   * primary model's public outputs; values are stored with lossless casts, and a column a link does
   * not give is NaN (numbers), false or an empty string in that row. When one model run answered
   * every row in order, its columns are the answer as they are (nothing is copied).
   */
  static Map<String, Tensor> merge(TensorSpec[] specs, Source[] from, int[] at, int n) {
    Map<String, Tensor> whole = wholeRun(specs, from, at, n);
    if (whole != null) {
      return whole;
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (TensorSpec spec : specs) {
      int per = perRow(spec, from);
      DataType type = spec.type();
      Object data = TypedArrays.allocate(type, n * per);
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < per; k++) {
          Object v = value(from[i], at[i], spec.name(), k);
          if (v == null || TypedArrays.store(type, data, i * per + k, v) != null) {
            empty(type, data, i * per + k);
          }
        }
      }
      out.put(spec.name(), new Tensor(spec.name(), type, shapeOf(spec, n, per), data));
    }
    return out;
  }

  /**
   * The columns of the one model run that answered rows 0..n-1 in order, when they have the types
   * and shapes {@link #merge} would give; otherwise null.
   */
  private static Map<String, Tensor> wholeRun(TensorSpec[] specs, Source[] from, int[] at, int n) {
    Source s = n == 0 ? null : from[0];
    if (s == null || s.columns == null || s.rows != n) {
      return null;
    }
    for (int i = 0; i < n; i++) {
      if (from[i] != s || at[i] != i) {
        return null;
      }
    }
    return asAnswer(specs, s.columns, n);
  }

  /**
   * The columns of a model run over all {@code n} rows as the answer, when they have the types and
   * shapes {@link #merge} would give; otherwise null.
   */
  private static Map<String, Tensor> asAnswer(
      TensorSpec[] specs, Map<String, Tensor> columns, int n) {
    if (columns == null || n == 0) {
      return null;
    }
    if (columns.size() == specs.length) {
      // the common case: the run's columns are the public outputs, in their order
      int k = 0;
      for (Map.Entry<String, Tensor> e : columns.entrySet()) {
        if (!e.getKey().equals(specs[k].name()) || !fits(specs[k], e.getValue(), n)) {
          break;
        }
        k++;
      }
      if (k == specs.length) {
        return columns;
      }
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (TensorSpec spec : specs) {
      Tensor t = columns.get(spec.name());
      if (t == null || !fits(spec, t, n)) {
        return null;
      }
      out.put(spec.name(), t);
    }
    return out;
  }

  /** Whether a column of {@code n} rows has the type and shape {@link #merge} would give it. */
  private static boolean fits(TensorSpec spec, Tensor t, int n) {
    if (t.type() != spec.type() || t.size() % n != 0) {
      return false;
    }
    long[] shape = t.shape();
    if (spec.shape().length <= 1) {
      return shape.length == 1 && shape[0] == n;
    }
    return Arrays.equals(shape, shapeOf(spec, n, (int) (t.size() / n)));
  }

  /** The shape of a merged output: the spec's, with n rows and the free dimensions filled in. */
  private static long[] shapeOf(TensorSpec spec, int n, int per) {
    if (spec.shape().length <= 1) {
      return new long[] {n};
    }
    long[] shape = spec.shape().clone();
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
    return shape;
  }

  private static int perRow(TensorSpec spec, Source[] from) {
    for (Source s : from) {
      if (s.columns != null && s.columns.containsKey(spec.name()) && s.rows > 0) {
        return (int) (s.columns.get(spec.name()).size() / s.rows);
      }
    }
    for (Source s : from) {
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

  private static Object value(Source s, int row, String name, int k) {
    if (s.columns != null) {
      Tensor t = s.columns.get(name);
      if (t == null) {
        return null;
      }
      int tPer = (int) (t.size() / s.rows);
      return k < tPer ? t.get(row * tPer + k) : null;
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

  private static String round(double d) {
    return String.format(java.util.Locale.ROOT, "%.3f", d);
  }
}

package dev.slipway.serving;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import dev.slipway.api.Signature;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import dev.slipway.api.codec.Columns;
import dev.slipway.api.codec.RecordCodec;
import dev.slipway.serving.enrich.EnrichSpec;
import dev.slipway.serving.event.PredictionEvent;
import dev.slipway.serving.event.PredictionEvents;
import dev.slipway.serving.host.Lease;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ServedModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one online request path: validate → enrich → preprocess → infer → postprocess. Every protocol
 * adapter builds an {@link InferenceRequest} and calls {@link #run}; every stage is timed in the
 * {@code slipway.stage.duration} histogram by model, version and stage.
 *
 * <p>Thread-safe and stateless per request.
 */
public final class Pipeline {
  private final ModelHost host;
  private final MeterRegistry meters;
  private final Function<String, EnrichSpec> enrich;
  private final Limits limits;
  private final dev.slipway.serving.guard.Guards guards;
  private final PredictionEvents events;
  private final Map<String, Timer[]> timers = new ConcurrentHashMap<>();
  private final dev.slipway.serving.route.Router router;

  /** The request size limits this pipeline enforces. */
  public Limits limits() {
    return limits;
  }

  /** Request size limits. */
  public record Limits(int maxRecords, long maxElements) {
    public static Limits defaults() {
      return new Limits(10_000, 10_000_000);
    }
  }

  /**
   * @param enrich the enrich spec of a model by name, or null when the model is not enriched
   */
  public Pipeline(
      ModelHost host, MeterRegistry meters, Function<String, EnrichSpec> enrich, Limits limits) {
    this(host, meters, enrich, limits, null);
  }

  /**
   * @param guards the models' guards, or null for none
   */
  public Pipeline(
      ModelHost host,
      MeterRegistry meters,
      Function<String, EnrichSpec> enrich,
      Limits limits,
      dev.slipway.serving.guard.Guards guards) {
    this(host, meters, enrich, limits, guards, PredictionEvents.standard(meters));
  }

  /**
   * @param guards the models' guards, or null for none
   * @param events dates requests, gives ids to requests without one and publishes a {@link
   *     PredictionEvent} per answered request
   */
  public Pipeline(
      ModelHost host,
      MeterRegistry meters,
      Function<String, EnrichSpec> enrich,
      Limits limits,
      dev.slipway.serving.guard.Guards guards,
      PredictionEvents events) {
    this(host, meters, enrich, limits, guards, null, events);
  }

  private Pipeline(
      ModelHost host,
      MeterRegistry meters,
      Function<String, EnrichSpec> enrich,
      Limits limits,
      dev.slipway.serving.guard.Guards guards,
      dev.slipway.serving.route.Router router,
      PredictionEvents events) {
    this.host = host;
    this.meters = meters;
    this.enrich = enrich;
    this.limits = limits;
    this.guards = guards;
    this.router = router;
    this.events = events;
  }

  /**
   * The same pipeline with requests for a bare model name placed by a router (A/B, canary, shadow,
   * bandit); explicit {@code name/3} and {@code name@alias} references bypass it.
   */
  public Pipeline withRouter(dev.slipway.serving.route.Router router) {
    return new Pipeline(host, meters, enrich, limits, guards, router, events);
  }

  public PredictionEvents events() {
    return events;
  }

  public dev.slipway.serving.guard.Guards guards() {
    return guards;
  }

  public ModelHost host() {
    return host;
  }

  /**
   * Answers one request. A request without an id gets a new one, returned in {@link
   * InferenceResult#id()}; the answer is then published as a {@link PredictionEvent}.
   *
   * @throws dev.slipway.api.SlipwayException subtypes as documented there; nothing else escapes for
   *     bad input
   */
  public InferenceResult run(InferenceRequest request) {
    long start = System.nanoTime();
    if (request.id() == null) {
      request = request.withId(events.newId());
    }
    if (router != null) {
      java.util.Optional<dev.slipway.serving.route.Router.Route> route = router.route(request);
      if (route.isPresent()) {
        return routed(request, route.get(), start);
      }
    }
    // validate: the model exists, the request fits it and the limits. The lease keeps the version
    // loaded until this request is answered, even if a swap replaces it meanwhile.
    try (Lease lease = host.acquire(request.model(), request.version())) {
      return run(request, lease.model(), start);
    }
  }

  /** A request placed by the router: its version answers; a shadow copy runs off this thread. */
  private InferenceResult routed(
      InferenceRequest request, dev.slipway.serving.route.Router.Route route, long start) {
    String name = request.model();
    InferenceResult result;
    try (Lease lease = host.acquire(name, route.version())) {
      result = run(request, lease.model(), start);
    } catch (dev.slipway.api.InvalidInputException e) {
      throw e; // the caller's fault, not the variant's
    } catch (RuntimeException e) {
      router.served(name, route.version(), false, System.nanoTime() - start, true);
      throw e;
    }
    router.served(name, route.version(), false, System.nanoTime() - start, false);
    if (route.shadow() != null) {
      int shadow = route.shadow();
      router.shadow(
          name,
          shadow,
          request.id(),
          () -> {
            try (Lease lease = host.acquire(name, shadow)) {
              return run(request, lease.model(), System.nanoTime());
            }
          });
    }
    return result;
  }

  private InferenceResult run(InferenceRequest request, ServedModel model, long start) {
    Timer[] stage = timers.computeIfAbsent(model.ref(), k -> timersFor(model));
    List<Record> records = null;
    Map<String, Tensor> inputs = null;
    int rows;
    if (request.recordMode()) {
      requireCodec(model);
      records = request.records();
      rows = records.size();
      checkRows(rows, "records");
    } else if (model.tabular()) {
      records = Columns.toRecords(castColumns(model, request.tensors()), "inputs");
      rows = records.size();
      checkRows(rows, "inputs");
    } else {
      inputs = checkTensors(model.predictor().signature(), request.tensors());
      rows = inputs.isEmpty() ? 0 : (int) inputs.values().iterator().next().shape()[0];
    }
    Set<String> outputs = checkOutputs(model.publicSignature(), request.outputs());
    long t = lap(stage, Stage.VALIDATE, start);

    // enrich: fill features a record lacks from the model's feature source
    if (records != null) {
      records = enrich(model, records);
      t = lap(stage, Stage.ENRICH, t);
    }

    if (records != null && guards != null && guards.guarded(model.name())) {
      // input checks → filtering model → model behind its breaker → output checks → fallbacks
      dev.slipway.serving.guard.Guards.Answer a =
          guards.answer(
              host,
              model,
              records,
              runner,
              request.recordMode()
                  ? dev.slipway.serving.guard.Guards.RowNames.prefixed("records")
                  : tensorRowNames(request.tensors()));
      return published(
          request,
          records,
          new InferenceResult(
              model.name(),
              model.number(),
              request.id(),
              rows,
              select(a.outputs(), outputs),
              a.servedBy()),
          start);
    }

    // preprocess: rows to the model's input tensors (lossless casts only)
    Set<String> wanted = outputs;
    if (records != null) {
      inputs = model.codec().orElseThrow().encode(records);
      wanted = model.tabular() ? Set.of() : outputs;
    }
    t = lap(stage, Stage.PREPROCESS, t);

    // infer
    Map<String, Tensor> raw = model.infer(inputs, wanted);
    t = lap(stage, Stage.INFER, t);

    // postprocess: the model's outputs to the public columns, the selection applied
    Map<String, Tensor> out = records != null ? model.codec().orElseThrow().decode(raw, rows) : raw;
    if (!outputs.isEmpty()) {
      Map<String, Tensor> selected = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : out.entrySet()) {
        if (outputs.contains(e.getKey())) {
          selected.put(e.getKey(), e.getValue());
        }
      }
      out = selected;
    }
    lap(stage, Stage.POSTPROCESS, t);
    return published(
        request,
        records,
        new InferenceResult(model.name(), model.number(), request.id(), rows, out),
        start);
  }

  /** Tells the listeners (if any) of an answered request; costs no copy of the data. */
  private InferenceResult published(
      InferenceRequest request, List<Record> records, InferenceResult result, long start) {
    if (events.listened()) {
      EnrichSpec spec = enrich.apply(result.model());
      events.publish(
          new PredictionEvent(
              request.id(),
              result.model(),
              result.version(),
              events.clock().instant(),
              Duration.ofNanos(System.nanoTime() - start),
              records,
              result.outputs(),
              result.rows(),
              result.servedBy(),
              spec == null ? null : spec.entityField()));
    }
    return result;
  }

  /**
   * How the guards run models: preprocess → infer → postprocess, each stage timed for the model;
   * the guards' screened encoding is the preprocess stage of a guarded model.
   */
  private final dev.slipway.serving.guard.Guards.Runner runner =
      new dev.slipway.serving.guard.Guards.Runner() {
        @Override
        public Map<String, Tensor> run(ServedModel model, List<Record> records) {
          return runRecords(model, records);
        }

        @Override
        public Map<String, Tensor> run(
            ServedModel model, List<Record> records, Map<String, Tensor> encoded) {
          Timer[] stage = stageTimers(model);
          long t = System.nanoTime();
          Map<String, Tensor> raw = model.infer(encoded, Set.of());
          t = lap(stage, Stage.INFER, t);
          Map<String, Tensor> out = requireCodec(model).decode(raw, records.size());
          lap(stage, Stage.POSTPROCESS, t);
          return out;
        }

        @Override
        public Map<String, Tensor> encode(
            ServedModel model,
            dev.slipway.api.codec.ScreenedEncoder encoder,
            List<Record> records,
            boolean[] plain) {
          long t = System.nanoTime();
          Map<String, Tensor> inputs = encoder.encode(records, plain);
          lap(stageTimers(model), Stage.PREPROCESS, t);
          return inputs;
        }
      };

  private Timer[] stageTimers(ServedModel m) {
    return timers.computeIfAbsent(m.ref(), k -> timersFor(m));
  }

  /** Preprocess → infer → postprocess for records on one model, each stage timed for it. */
  private Map<String, Tensor> runRecords(ServedModel m, List<Record> records) {
    Timer[] stage = timers.computeIfAbsent(m.ref(), k -> timersFor(m));
    long t = System.nanoTime();
    RecordCodec codec = requireCodec(m);
    Map<String, Tensor> inputs = codec.encode(records);
    t = lap(stage, Stage.PREPROCESS, t);
    Map<String, Tensor> raw = m.infer(inputs, Set.of());
    t = lap(stage, Stage.INFER, t);
    Map<String, Tensor> out = codec.decode(raw, records.size());
    lap(stage, Stage.POSTPROCESS, t);
    return out;
  }

  /**
   * Rows of columns sent as tensors, named as the caller wrote them: a feature of row {@code i} is
   * element {@code i} of its input, {@code inputs[k].data[i]} (a column holds one value per row).
   */
  private static dev.slipway.serving.guard.Guards.RowNames tensorRowNames(List<Tensor> tensors) {
    Map<String, Integer> index = new HashMap<>();
    for (int k = 0; k < tensors.size(); k++) {
      index.putIfAbsent(tensors.get(k).name(), k);
    }
    return new dev.slipway.serving.guard.Guards.RowNames() {
      @Override
      public String row(int i) {
        return "row " + i + " of the inputs";
      }

      @Override
      public String feature(int i, String feature) {
        Integer k = index.get(feature);
        return k == null ? "inputs" : "inputs[" + k + "].data[" + i + "]";
      }
    };
  }

  private static Map<String, Tensor> select(Map<String, Tensor> all, Set<String> outputs) {
    if (outputs.isEmpty()) {
      return all;
    }
    Map<String, Tensor> selected = new LinkedHashMap<>();
    all.forEach(
        (k, v) -> {
          if (outputs.contains(k)) {
            selected.put(k, v);
          }
        });
    return selected;
  }

  private static long lap(Timer[] timers, Stage stage, long since) {
    long now = System.nanoTime();
    timers[stage.ordinal()].record(now - since, TimeUnit.NANOSECONDS);
    return now;
  }

  private Timer[] timersFor(ServedModel m) {
    Timer[] t = new Timer[Stage.values().length];
    for (Stage s : Stage.values()) {
      t[s.ordinal()] =
          Timer.builder("slipway.stage.duration")
              .description("Time spent in one pipeline stage")
              .tag("model", m.name())
              .tag("version", Integer.toString(m.number()))
              .tag("stage", s.label())
              .publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofNanos(1_000))
              .maximumExpectedValue(Duration.ofSeconds(10))
              .register(meters);
    }
    return t;
  }

  private void checkRows(int rows, String field) {
    if (rows == 0) {
      throw InvalidInputException.of(field, "[]", "at least one record");
    }
    if (rows > limits.maxRecords()) {
      throw InvalidInputException.of(
          field, rows + " records", "at most " + limits.maxRecords() + " records per request");
    }
  }

  private static RecordCodec requireCodec(ServedModel model) {
    return model
        .codec()
        .orElseThrow(
            () ->
                InvalidInputException.of(
                    "records",
                    "records",
                    "tensors: model '"
                        + model.name()
                        + "' takes inputs "
                        + model.predictor().signature().inputs()
                        + " that are not columns; use POST /v2/models/"
                        + model.name()
                        + "/infer"));
  }

  /** Tabular model in tensor mode: each input is a column named after a field. */
  private List<Tensor> castColumns(ServedModel model, List<Tensor> tensors) {
    Signature sig = model.publicSignature();
    Set<String> given = new HashSet<>();
    List<Tensor> out = new ArrayList<>(tensors.size());
    for (int k = 0; k < tensors.size(); k++) {
      Tensor t = tensors.get(k);
      TensorSpec spec = known(sig, t, k, given);
      out.add(TensorCasts.cast(t, spec.type(), "inputs[" + k + "].datatype"));
    }
    boolean enriched = enrich.apply(model.name()) != null;
    for (Field f : model.codec().orElseThrow().schema().fields()) {
      if (!given.contains(f.name())
          && !f.nullable()
          && !enriched
          && !(guards != null && guards.answersMissing(model, f.name()))) {
        throw InvalidInputException.missing(
            "inputs", "an input named '" + f.name() + "' (" + f.type() + ")");
      }
    }
    return out;
  }

  /** Raw model in tensor mode: names, types and shapes must fit the model's declared inputs. */
  private Map<String, Tensor> checkTensors(Signature sig, List<Tensor> tensors) {
    Set<String> given = new HashSet<>();
    Map<String, Tensor> out = new LinkedHashMap<>();
    long rows = -1;
    long elements = 0;
    for (int k = 0; k < tensors.size(); k++) {
      Tensor t = tensors.get(k);
      TensorSpec spec = known(sig, t, k, given);
      if (!spec.accepts(t.shape())) {
        throw InvalidInputException.of(
            "inputs[" + k + "].shape",
            Arrays.toString(t.shape()),
            "a shape fitting "
                + Arrays.toString(spec.shape())
                + " (-1 is any size) for input '"
                + t.name()
                + "'");
      }
      if (t.shape().length > 0 && spec.shape().length > 0 && spec.shape()[0] < 0) {
        if (rows >= 0 && t.shape()[0] != rows) {
          throw InvalidInputException.of(
              "inputs[" + k + "].shape",
              Arrays.toString(t.shape()),
              "the same batch size (" + rows + ") as the other inputs");
        }
        rows = t.shape()[0];
      }
      elements += t.size();
      out.put(t.name(), TensorCasts.cast(t, spec.type(), "inputs[" + k + "].datatype"));
    }
    if (elements > limits.maxElements()) {
      throw InvalidInputException.of(
          "inputs",
          elements + " elements",
          "at most " + limits.maxElements() + " elements per request");
    }
    for (TensorSpec spec : sig.inputs()) {
      if (!given.contains(spec.name())) {
        throw InvalidInputException.missing(
            "inputs", "an input named '" + spec.name() + "' (" + spec + ")");
      }
    }
    return out;
  }

  private static TensorSpec known(Signature sig, Tensor t, int k, Set<String> given) {
    TensorSpec spec =
        sig.input(t.name())
            .orElseThrow(
                () ->
                    InvalidInputException.of(
                        "inputs[" + k + "].name",
                        t.name(),
                        "one of " + sig.inputs().stream().map(TensorSpec::name).toList()));
    if (!given.add(t.name())) {
      throw InvalidInputException.of("inputs[" + k + "].name", t.name(), "each input only once");
    }
    return spec;
  }

  private static Set<String> checkOutputs(Signature sig, Set<String> outputs) {
    for (String o : outputs) {
      if (sig.output(o).isEmpty()) {
        throw InvalidInputException.of(
            "outputs", o, "one of " + sig.outputs().stream().map(TensorSpec::name).toList());
      }
    }
    return outputs;
  }

  private List<Record> enrich(ServedModel model, List<Record> records) {
    EnrichSpec spec = enrich.apply(model.name());
    if (spec == null) {
      return records;
    }
    List<Field> fields = model.codec().orElseThrow().schema().fields();
    List<String> keys = new ArrayList<>();
    List<Integer> rowsToFill = new ArrayList<>();
    Set<String> missing = new java.util.LinkedHashSet<>();
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      boolean lacks = false;
      for (Field f : fields) {
        if (!r.has(f.name())) {
          missing.add(f.name());
          lacks = true;
        }
      }
      Object key = r.get(spec.entityField());
      if (lacks && key != null) {
        keys.add(String.valueOf(key));
        rowsToFill.add(i);
      }
    }
    if (keys.isEmpty()) {
      return records;
    }
    List<Map<String, String>> found = spec.source().fetch(keys, missing);
    List<Record> out = new ArrayList<>(records);
    for (int j = 0; j < rowsToFill.size(); j++) {
      int i = rowsToFill.get(j);
      Record r = records.get(i);
      Map<String, Object> add = new HashMap<>();
      for (Field f : fields) {
        String stored = found.get(j).get(f.name());
        if (!r.has(f.name()) && stored != null) {
          Object typed = typed(f.type(), stored);
          if (typed != null) {
            add.put(f.name(), typed);
          }
        }
      }
      out.set(i, r.with(add));
    }
    return out;
  }

  /** A stored feature value typed by the field; null (left missing) if it does not parse. */
  private static Object typed(DataType type, String stored) {
    try {
      if (type == DataType.BYTES) {
        return stored;
      }
      if (type == DataType.BOOL) {
        return Boolean.parseBoolean(stored);
      }
      if (type.isIntegral()) {
        return Long.parseLong(stored.trim());
      }
      return Double.parseDouble(stored.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}

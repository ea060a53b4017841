package dev.slipway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.api.codec.ScreenedEncoder;
import dev.slipway.guard.input.InputGuard;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.server.http.RecordsService;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.guard.GuardSpec;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ServedModel;
import dev.slipway.train.data.AdClickGenerator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the guards cost: {@link Pipeline#run} on the ad-click demo model for the same request of
 * {@code batch} records, without guards ({@link #unguarded}) and with the demo's guards ({@link
 * #guarded}: {@link DemoModel#guardSpec()} with the version's data profile — input checks per
 * feature, the circuit breaker, output checks, the fallback chain's bookkeeping and its counters).
 * Both pipelines share one loaded model, so the overhead is the difference of two numbers from the
 * same run. {@link #guardsOnly} measures that difference directly, with less noise: {@link
 * Guards#answer} with a runner that returns the model's answer computed beforehand (the guards'
 * work without the model's, but with the encoding for it, see {@link #encodeOnly}); {@link
 * #screenedEncodeOnly} is its largest part, {@link #inputChecksOnly} the checks on their own as
 * they ran before they were folded into the encoding.
 *
 * <p>The records are the profile's own rows (they pass every check), which is the common case: the
 * model answers every record. The filtering model is left out (it is a second model run, measured
 * with the filter). Each fork trains a demo model into a temporary home.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class GuardBenchmark {
  private static final long SEED = 42;
  private static final int TRAINING_ROWS = 5_000;

  /** Records per request. */
  @Param({"1", "64"})
  public int batch;

  private Path home;
  private ModelRegistry registry;
  private ModelHost host;
  private PrometheusMeterRegistry meters;
  private Pipeline unguarded;
  private Pipeline guarded;
  private InferenceRequest request;
  private Guards guards;
  private ServedModel model;
  private List<Record> records;
  private Map<String, Tensor> answer;
  private ScreenedEncoder screened;
  private byte[] body;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    home = Files.createTempDirectory("slipway-bench");
    registry = ModelRegistry.embedded(home);
    DemoModel.register(registry, SEED, TRAINING_ROWS);
    host = new ModelHost(registry, ModelFormat.LoadOptions.defaults());
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GuardSpec spec = DemoModel.guardSpec();
    guards =
        new Guards(name -> name.equals(DemoModel.NAME) ? spec : null, v -> Optional.empty(), meters)
            .documents((v, kind) -> registry.document(v.name(), v.version(), kind));
    unguarded = new Pipeline(host, meters, name -> null, Pipeline.Limits.defaults());
    guarded = new Pipeline(host, meters, name -> null, Pipeline.Limits.defaults(), guards);

    records = new ArrayList<>(batch);
    for (Record r : new AdClickGenerator(SEED).generate(batch)) {
      Map<String, Object> features = new LinkedHashMap<>(r.asMap());
      features.remove(AdClickGenerator.LABEL);
      records.add(Record.of(features));
    }
    request = InferenceRequest.ofRecords(DemoModel.NAME, null, records);
    body = new ObjectMapper().writeValueAsBytes(Map.of("records", features(records)));

    InferenceResult plain = unguarded.run(request);
    model = host.get(DemoModel.NAME, null);
    screened =
        model
            .codec()
            .orElseThrow()
            .screened(guards.guard(model).input().screen())
            .orElseThrow(() -> new IllegalStateException("the demo model's codec cannot screen"));
    answer = plain.outputs();
    InferenceResult checked = guarded.run(request);
    if (plain.servedBy() != null || checked.servedBy() == null) {
      throw new IllegalStateException("expected one unguarded and one guarded pipeline");
    }
    String primary = DemoModel.NAME + "/1";
    for (String link : checked.servedBy()) {
      if (!link.equals(primary)) {
        throw new IllegalStateException("a record was not answered by the model: " + link);
      }
    }
    JsonNode plainBody = new ObjectMapper().readTree(unguardedRequest());
    JsonNode checkedBody = new ObjectMapper().readTree(guardedRequest());
    if (plainBody.get("predictions").size() != batch
        || !checkedBody.get("predictions").get(batch - 1).has("served_by")) {
      throw new IllegalStateException("the request path did not answer every record");
    }
    for (String output : plain.outputs().keySet()) {
      if (!plain.outputs().get(output).equals(checked.outputs().get(output))) {
        throw new IllegalStateException("guarded answers differ from the model's: " + output);
      }
    }
  }

  private static List<Map<String, Object>> features(List<Record> records) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Record r : records) {
      out.add(r.asMap());
    }
    return out;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    host.close();
    registry.close();
    meters.close();
    try (Stream<Path> files = Files.walk(home)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Benchmark
  public InferenceResult unguarded() {
    return unguarded.run(request);
  }

  @Benchmark
  public InferenceResult guarded() {
    return guarded.run(request);
  }

  /**
   * The records API's request path without the socket ({@link RecordsService#answerJson}): the JSON
   * body read and typed into records, {@link #unguarded}'s pipeline, the JSON response written —
   * every stage of a request (validate → enrich → preprocess → infer → postprocess → respond).
   */
  @Benchmark
  public byte[] unguardedRequest() throws IOException {
    return RecordsService.answerJson(unguarded, DemoModel.NAME, null, "bench", body);
  }

  /** {@link #unguardedRequest} through {@link #guarded}'s pipeline. */
  @Benchmark
  public byte[] guardedRequest() throws IOException {
    return RecordsService.answerJson(guarded, DemoModel.NAME, null, "bench", body);
  }

  /** Every record through the input checks' own fast path ({@link InputGuard#passes}). */
  @Benchmark
  public int inputChecksOnly() {
    InputGuard checks = guards.guard(model).input();
    int passed = 0;
    for (Record r : records) {
      if (checks.passes(r)) {
        passed++;
      }
    }
    return passed;
  }

  /**
   * What {@link #unguarded} spends encoding the records (its preprocess stage): the guards encode
   * for the model while they check ({@link #screenedEncodeOnly}), so {@link #guardsOnly} includes
   * this work, which is not overhead: the guards' own cost is {@code guardsOnly - encodeOnly}.
   */
  @Benchmark
  public Map<String, Tensor> encodeOnly() {
    return model.codec().orElseThrow().encode(records);
  }

  /**
   * The guards' input checks as they run now: the model's codec encodes the records and checks
   * every value in the same pass ({@link dev.slipway.api.codec.ScreenedEncoder}); the checks' cost
   * is {@code screenedEncodeOnly - encodeOnly}.
   */
  @Benchmark
  public boolean[] screenedEncodeOnly() {
    boolean[] plain = new boolean[records.size()];
    screened.encode(records, plain);
    return plain;
  }

  /**
   * The guards' work for a request: input checks while encoding for the model, the breaker, output
   * checks, the fallback chain's bookkeeping and the counters, with a runner that returns the
   * model's answer computed beforehand. Includes the encoding {@link #unguarded} does as well
   * ({@link #encodeOnly}).
   */
  @Benchmark
  public Guards.Answer guardsOnly() {
    return guards.answer(host, model, records, (m, rows) -> answer, "records");
  }
}

package dev.slipway.bench;

import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.api.codec.RecordCodec;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
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
import java.util.Set;
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
 * The online pipeline (validate → enrich → preprocess → infer → postprocess) on the ad-click demo
 * model, next to its parts measured alone, so that the pipeline's overhead over ONNX Runtime is a
 * ratio of two numbers from the same run:
 *
 * <ul>
 *   <li>{@link #pipeline}: {@link Pipeline#run} on a request of {@code batch} records, as every
 *       protocol adapter calls it (no HTTP, no JSON);
 *   <li>{@link #onnxOnly}: {@link Predictor#infer} on the already encoded input tensors (the
 *       baseline: what the model costs);
 *   <li>{@link #preprocessOnly} and {@link #postprocessOnly}: the record codec's encode and decode.
 * </ul>
 *
 * Stage timers go to a Prometheus registry, as in the server. Each fork trains a small demo model
 * into a temporary home (the model's size does not depend on the rows it was trained on).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class PipelineBenchmark {
  private static final int TRAINING_ROWS = 5_000;

  /** Records per request. */
  @Param({"1", "64", "1024"})
  public int batch;

  private Path home;
  private ModelRegistry registry;
  private ModelHost host;
  private PrometheusMeterRegistry meters;
  private Pipeline pipeline;
  private InferenceRequest request;
  private List<Record> records;
  private RecordCodec codec;
  private Predictor predictor;
  private Map<String, Tensor> encoded;
  private Map<String, Tensor> raw;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    home = Files.createTempDirectory("slipway-bench");
    registry = ModelRegistry.embedded(home);
    DemoModel.register(registry, 42, TRAINING_ROWS);
    host = new ModelHost(registry, ModelFormat.LoadOptions.defaults());
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    pipeline = new Pipeline(host, meters, name -> null, Pipeline.Limits.defaults());

    records = new ArrayList<>(batch);
    for (Record r : new AdClickGenerator(7).generate(batch)) {
      Map<String, Object> features = new LinkedHashMap<>(r.asMap());
      features.remove(AdClickGenerator.LABEL);
      records.add(Record.of(features));
    }
    request = InferenceRequest.ofRecords(DemoModel.NAME, null, records);

    ServedModel model = host.get(DemoModel.NAME, null);
    codec = model.codec().orElseThrow();
    predictor = model.predictor();
    encoded = codec.encode(records);
    // The pipeline asks a tabular model for all its outputs: so does the baseline.
    raw = predictor.infer(encoded, Set.of());

    InferenceResult check = pipeline.run(request);
    if (check.rows() != batch) {
      throw new IllegalStateException("expected " + batch + " rows, got " + check.rows());
    }
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
  public InferenceResult pipeline() {
    return pipeline.run(request);
  }

  @Benchmark
  public Map<String, Tensor> onnxOnly() {
    return predictor.infer(encoded, Set.of());
  }

  @Benchmark
  public Map<String, Tensor> preprocessOnly() {
    return codec.encode(records);
  }

  @Benchmark
  public Map<String, Tensor> postprocessOnly() {
    return codec.decode(raw, batch);
  }
}

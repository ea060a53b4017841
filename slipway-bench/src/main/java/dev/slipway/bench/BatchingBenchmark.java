package dev.slipway.bench;

import dev.slipway.api.DataType;
import dev.slipway.api.Tensor;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import dev.slipway.serving.host.Deployment;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ServedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dynamic batching in process, without HTTP: 64 threads call {@link ServedModel#infer} with one row
 * each on the seeded MLP 32 → 256 → 256 → 1 ({@link OnnxModelBuilder#mlp}), loaded by {@link
 * ModelHost} with the server's default deployment ({@code instances} = cores, one intra-op thread)
 * and, for {@code batching=on}, a {@link Deployment.Batching} of {@code maxBatchSize} rows and
 * {@code maxQueueDelayMicros}. Throughput mode gives calls per second across the 64 threads;
 * sample-time mode gives the latency distribution (p99 and more).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(64)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class BatchingBenchmark {
  @Param({"off", "on"})
  public String batching;

  @Param({"64"})
  public int maxBatchSize;

  @Param({"500"})
  public int maxQueueDelayMicros;

  private Path home;
  private ModelRegistry registry;
  private ModelHost host;
  private ServedModel model;
  private Map<String, Tensor> row;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    home = Files.createTempDirectory("slipway-bench-batching");
    registry = ModelRegistry.embedded(home);
    Path file =
        OnnxModelBuilder.write(home, "mlp.onnx", OnnxModelBuilder.mlp(42, 32, 256, 256, 1).onnx());
    ModelVersion v =
        registry.register(
            new Registration("mlp", file, "onnx", null, Map.of(), "MLP", "slipway-bench"));
    Deployment defaults = Deployment.defaults();
    Deployment deployment =
        new Deployment(
            defaults.instances(),
            1,
            batching.equals("on")
                ? new Deployment.Batching(
                    maxBatchSize, Duration.ofNanos(maxQueueDelayMicros * 1000L))
                : null,
            defaults.latencyBudget());
    host =
        new ModelHost(
            registry,
            ModelHost.defaultResolver(registry),
            name -> deployment,
            Duration.ZERO,
            System::nanoTime);
    model = host.load(v.name(), v.version());
    if (model.batching() != batching.equals("on")) {
      throw new IllegalStateException("batching=" + batching + " but model.batching() is not");
    }
    float[] x = new float[32];
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    row = Map.of("x", new Tensor("x", DataType.FP32, new long[] {1, 32}, x));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    host.close();
    registry.close();
    try (Stream<Path> files = Files.walk(home)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Benchmark
  public Map<String, Tensor> inferOneRow() {
    return model.infer(row, Set.of());
  }
}

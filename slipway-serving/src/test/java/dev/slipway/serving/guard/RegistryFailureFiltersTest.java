package dev.slipway.serving.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.Record;
import dev.slipway.api.codec.TabularSpec;
import dev.slipway.guard.input.InputGuard;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.host.Deployment;
import dev.slipway.serving.host.ModelHost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filtering models kept in the registry: "double" answers y = 2x, "same" y = x; the filter of
 * double/1 is an ONNX classifier whose failure probability is sigmoid(2x - 10), so records with x
 * of 5 or more are routed to the fallback chain at threshold 0.5.
 */
class RegistryFailureFiltersTest {
  @TempDir Path home;
  ModelRegistry registry;
  ModelHost host;
  RegistryFailureFilters filters;
  final Map<String, GuardSpec> specs = new HashMap<>();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  Guards guards;

  static final TabularSpec FILTER_SPEC =
      new TabularSpec(
          "input",
          "probabilities",
          List.of(Field.numeric("x", DataType.FP64, null, null, "x")),
          List.of(TabularSpec.Column.numeric("x", 0, 1)),
          List.of("fail", "ok"),
          "fail");

  /** softmax([x - 5, 5 - x]): P(fail) = sigmoid(2x - 10). */
  static byte[] filterModel() {
    return new OnnxModelBuilder()
        .input("input", DataType.FP32, -1, 1)
        .output("probabilities", DataType.FP32, -1, 2)
        .initializer("w", new float[] {1, -1}, 1, 2)
        .initializer("b", new float[] {-5, 5}, 2)
        .node("MatMul", List.of("input", "w"), List.of("z0"), null)
        .node("Add", List.of("z0", "b"), List.of("z"), null)
        .node("Softmax", List.of("z"), List.of("probabilities"), null)
        .build();
  }

  @BeforeEach
  void setUp() throws Exception {
    registry = ModelRegistry.embedded(home);
    register("double", List.of("x", "x"), "Add");
    register("same", List.of("x"), "Identity");
    host =
        new ModelHost(
            registry,
            ModelHost.defaultResolver(registry),
            n -> Deployment.defaults(),
            Duration.ZERO,
            System::nanoTime);
    filters = new RegistryFailureFilters(registry);
    guards = new Guards(specs::get, filters, meters);
    specs.put(
        "double",
        new GuardSpec(
            InputGuard.Policy.REJECT,
            Map.of(),
            Map.of(),
            Map.of(),
            null,
            0,
            List.of("same"),
            null,
            null));
  }

  void register(String name, List<String> inputs, String op) throws Exception {
    byte[] model =
        new OnnxModelBuilder()
            .input("x", DataType.FP64, -1)
            .output("y", DataType.FP64, -1)
            .node(op, inputs, List.of("y"), null)
            .build();
    Path f = Files.write(home.resolve(name + ".onnx"), model);
    registry.register(new Registration(name, f, "onnx", null, Map.of(), null, "test"));
  }

  @AfterEach
  void tearDown() {
    filters.close();
    host.close();
    registry.close();
  }

  ModelVersion doubleV1() {
    return registry.version("double", 1).orElseThrow();
  }

  void storeFilter(double threshold) {
    String sha = registry.storeArtifact(filterModel());
    FilterDocument doc =
        new FilterDocument(
            sha,
            "onnx",
            FILTER_SPEC,
            threshold,
            "configured",
            Map.of("precision", 1.0, "recall", 1.0),
            7,
            "2026-01-01T00:00:00Z",
            Map.of());
    registry.putDocument("double", 1, FilterDocument.KIND, doc.toJson(), "test");
  }

  InferenceResult run(double... xs) {
    List<Record> rows = new ArrayList<>();
    for (double x : xs) {
      rows.add(Record.of(Map.of("x", x)));
    }
    Pipeline p = new Pipeline(host, meters, n -> null, Pipeline.Limits.defaults(), guards);
    return p.run(InferenceRequest.ofRecords("double", null, rows));
  }

  @Test
  void aVersionWithoutAFilterDocumentHasNoFilter() {
    assertThat(filters.apply(doubleV1())).isEmpty();
    assertThat(run(7, 1).servedBy()).containsExactly("double/1", "double/1");
  }

  @Test
  void theStoredFilterScoresRecordsAndKeepsItsThreshold() {
    storeFilter(0.5);
    FailureFilter f = filters.apply(doubleV1()).orElseThrow();
    assertThat(f.threshold()).isEqualTo(0.5);
    double[] p =
        f.failureProbability(
            List.of(
                Record.of(Map.of("x", 2.0)),
                Record.of(Map.of("x", 5.0)),
                Record.of(Map.of("x", 8.0))));
    assertThat(p[0]).isCloseTo(1 / (1 + Math.exp(6)), within(1e-6));
    assertThat(p[1]).isCloseTo(0.5, within(1e-6));
    assertThat(p[2]).isCloseTo(1 / (1 + Math.exp(-6)), within(1e-6));
    assertThat(filters.apply(doubleV1()).orElseThrow()).as("loaded once").isSameAs(f);
  }

  @Test
  void recordsTheFilterExpectsToFailAreAnsweredByTheFallbackChain() {
    storeFilter(0.5);
    InferenceResult r = run(7, 3, 9);
    assertThat(r.servedBy()).containsExactly("same/1", "double/1", "same/1");
    assertThat((double[]) r.outputs().get("y").data()).containsExactly(7, 6, 9);
    assertThat(meters.counter("slipway.guard.filtered", "model", "double").count()).isEqualTo(2);
  }

  @Test
  void aRetrainedFilterReplacesTheOldOneOnceGuardsAreRebuilt() {
    storeFilter(0.5);
    assertThat(run(6).servedBy()).containsExactly("same/1");
    storeFilter(0.99); // sigmoid(2) = 0.88 < 0.99
    guards.invalidate();
    assertThat(run(6).servedBy()).containsExactly("double/1");
  }

  @Test
  void anUnreadableFilterIsLeftOutAndTheVersionIsServedUnfiltered() {
    registry.putDocument("double", 1, FilterDocument.KIND, "{\"sha256\": 42}", "test");
    assertThat(filters.apply(doubleV1())).isEmpty();
    registry.putDocument(
        "double",
        1,
        FilterDocument.KIND,
        new FilterDocument(
                "0".repeat(64), "onnx", FILTER_SPEC, 0.5, "configured", null, 1, null, null)
            .toJson(),
        "test");
    assertThat(filters.apply(doubleV1())).isEmpty();
    assertThat(run(7).servedBy()).containsExactly("double/1");
  }

  @Test
  void theDocumentRoundTripsThroughJson() {
    FilterDocument d =
        new FilterDocument(
            "a".repeat(64),
            "onnx",
            FILTER_SPEC,
            0.25,
            "max_f1",
            Map.of("precision", 0.5, "routed_share", 0.1),
            3,
            "2026-01-01T00:00:00Z",
            Map.of("balance", "replicate_failures"));
    assertThat(FilterDocument.fromJson(d.toJson())).isEqualTo(d);
    assertThat(d.toJson()).contains("\"routed_share\":0.1").contains("\"threshold_choice\"");
  }
}

package dev.slipway.serving.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.codec.TabularSpec;
import dev.slipway.guard.heuristic.Heuristic;
import dev.slipway.guard.input.InputGuard.Policy;
import dev.slipway.guard.output.OutputGuard.Range;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.Registration;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.host.Deployment;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ModelManifest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The guards answer exactly the same whether the model's codec screens values while it encodes them
 * or the guards check every record first: on a real tabular ONNX model, generated batches of good
 * and bad records (out of range, on and next to the bounds, lossless and lossy casts, unknown
 * categories, missing values, fields in any order) get the same answers, the same {@code
 * served_by}, the same 400 (message included) and the same guard counters from both.
 */
class ScreenedGuardsProperties {
  static final String MODEL = "ads";
  static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.numeric("age", DataType.INT64, null, null, ""),
              Field.numeric("ctr", DataType.FP64, null, null, ""),
              Field.categorical("device", List.of("desktop", "mobile"), "")));
  static final TabularSpec SPEC =
      new TabularSpec(
          "input",
          "probabilities",
          SCHEMA.fields(),
          List.of(
              TabularSpec.Column.numeric("age", 40, 10),
              TabularSpec.Column.numeric("ctr", 0.1, 0.05),
              TabularSpec.Column.indicator("device", "desktop"),
              TabularSpec.Column.indicator("device", "mobile")),
          List.of("click", "no_click"),
          "click");

  static Path home;
  static ModelRegistry registry;
  static ModelHost host;
  static SimpleMeterRegistry screenedMeters;
  static SimpleMeterRegistry plainMeters;
  static Pipeline screened;
  static Pipeline checked;

  /** softmax(x · w): a real model over the four encoded columns. */
  static byte[] model() {
    return new OnnxModelBuilder()
        .input("input", DataType.FP32, -1, 4)
        .output("probabilities", DataType.FP32, -1, 2)
        .initializer("w", new float[] {0.5f, -0.5f, 1, -1, 0.3f, 0, -0.2f, 0.1f}, 4, 2)
        .node("MatMul", List.of("input", "w"), List.of("z"), null)
        .node("Softmax", List.of("z"), List.of("probabilities"), null)
        .build();
  }

  static GuardSpec spec() {
    Heuristic heuristic =
        new Heuristic(
            List.of(
                new Heuristic.Rule(
                    List.of(new Heuristic.Condition("age", Heuristic.Op.GT, 60)),
                    Map.of("label", "click", "score", 0.5))),
            Map.of("label", "no_click", "score", 0.1));
    return new GuardSpec(
        Policy.REJECT,
        Map.of("age", Policy.IMPUTE, "ctr", Policy.HEURISTIC),
        Map.of(),
        Map.of("score", new Range(0.0, 1.0)),
        null,
        0,
        List.of(GuardSpec.HEURISTIC),
        heuristic,
        GuardSpec.Breaker.defaults());
  }

  @BeforeContainer
  static void start() throws Exception {
    home = Files.createTempDirectory("screened-guards");
    registry = ModelRegistry.embedded(home);
    Path f = Files.write(home.resolve("ads.onnx"), model());
    registry.register(
        new Registration(
            MODEL, f, "onnx", new ModelManifest(SPEC, "ads").toJson(), Map.of(), null, "test"));
    List<Record> training = new ArrayList<>();
    for (int i = 0; i <= 100; i++) {
      training.add(
          Record.of(
              Map.of(
                  "age",
                  (long) (18 + i % 50), // [18, 67]
                  "ctr",
                  i / 100.0, // [0, 1]
                  "device",
                  i % 3 == 0 ? "desktop" : "mobile")));
    }
    registry.putDocument(MODEL, 1, Guards.PROFILE, DataProfile.of(SCHEMA, training).toYaml(), "t");
    host =
        new ModelHost(
            registry,
            ModelHost.defaultResolver(registry),
            n -> Deployment.defaults(),
            Duration.ZERO,
            System::nanoTime);
    GuardSpec spec = spec();
    screenedMeters = new SimpleMeterRegistry();
    plainMeters = new SimpleMeterRegistry();
    Guards withScreen =
        new Guards(n -> spec, v -> Optional.empty(), screenedMeters)
            .documents((v, kind) -> registry.document(v.name(), v.version(), kind));
    Guards withoutScreen =
        new Guards(n -> spec, v -> Optional.empty(), plainMeters)
            .documents((v, kind) -> registry.document(v.name(), v.version(), kind))
            .screening(false);
    screened =
        new Pipeline(host, screenedMeters, n -> null, Pipeline.Limits.defaults(), withScreen);
    checked = new Pipeline(host, plainMeters, n -> null, Pipeline.Limits.defaults(), withoutScreen);
  }

  @AfterContainer
  static void stop() throws Exception {
    host.close();
    registry.close();
    try (Stream<Path> files = Files.walk(home)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static Arbitrary<Object> field(int good, Arbitrary<Object> goodValues, Arbitrary<Object> bad) {
    return Arbitraries.frequencyOf(
        Tuple.of(good, goodValues), Tuple.of(1, bad), Tuple.of(1, Arbitraries.just(null)));
  }

  @Provide
  Arbitrary<List<Map<String, Object>>> batches() {
    Arbitrary<Object> odd =
        Arbitraries.of(
            17L,
            18L,
            67L,
            68L,
            30.0,
            30.5,
            -0.0,
            0.0,
            1.0,
            Math.nextUp(1.0),
            Math.nextDown(0.0),
            Math.nextDown(18.0),
            Math.nextUp(67.0),
            Double.NaN,
            Double.POSITIVE_INFINITY,
            "mobile",
            "tablet",
            "",
            true,
            Long.MAX_VALUE);
    Arbitrary<Map<String, Object>> record =
        Combinators.combine(
                field(6, Arbitraries.longs().between(18, 67).map(Object.class::cast), odd),
                field(12, Arbitraries.doubles().between(0, 1).map(Object.class::cast), odd),
                field(80, Arbitraries.of("desktop", "mobile").map(Object.class::cast), odd),
                Arbitraries.shuffle("age", "ctr", "device", "extra"),
                Arbitraries.integers().between(0, 2))
            .as(
                (age, ctr, device, order, how) -> {
                  Map<String, Object> values = new LinkedHashMap<>();
                  values.put("age", age);
                  values.put("ctr", ctr);
                  values.put("device", device);
                  values.put("extra", 1L);
                  Map<String, Object> m = new LinkedHashMap<>();
                  for (String name : how == 0 ? List.of("age", "ctr", "device") : order) {
                    Object v = values.get(name);
                    if (v != null || how == 1) {
                      m.put(how == 2 ? new String(name.toCharArray()) : name, v);
                    }
                  }
                  return m;
                });
    return record.list().ofMinSize(1).ofMaxSize(16);
  }

  /** The answer, or the error, as the caller sees it. */
  static Object answer(Pipeline p, List<Record> rows) {
    try {
      InferenceResult r = p.run(InferenceRequest.ofRecords(MODEL, null, rows));
      return List.of(r.outputs(), r.servedBy());
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  @Property(tries = 1500)
  void screeningWhileEncodingAnswersLikeCheckingFirst(
      @ForAll("batches") List<Map<String, Object>> batch) {
    List<Record> rows = batch.stream().map(Record::of).toList();
    Object expected = answer(checked, rows);
    Object actual = answer(screened, rows);
    assertThat(screened.guards().guard(host.get(MODEL, null)).screened)
        .as("the codec screens for the guards")
        .isNotNull();
    Statistics.label("answer")
        .collect(
            expected instanceof String s
                ? s.substring(0, s.indexOf(':'))
                : ((List<?>) expected).get(1).toString().contains("heuristic")
                    ? "answered, some by the heuristic"
                    : "answered");
    assertThat(actual).as("%s", rows).isEqualTo(expected);
    assertThat(screened.guards().counts(MODEL)).isEqualTo(checked.guards().counts(MODEL));
  }
}

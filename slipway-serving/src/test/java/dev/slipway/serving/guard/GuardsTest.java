package dev.slipway.serving.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFailureException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Record;
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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guarded request path on real ONNX models: "double" answers y = 2x, "same" answers y = x (the
 * simpler fallback model). The profile of "double" says x was in [0, 10] in training.
 */
class GuardsTest {
  @TempDir Path home;
  ModelRegistry registry;
  ModelHost host;
  SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final Map<String, GuardSpec> specs = new HashMap<>();
  final Map<String, FailureFilter> filters = new HashMap<>();
  Guards guards;

  static final Heuristic HEURISTIC =
      new Heuristic(
          List.of(
              new Heuristic.Rule(
                  List.of(new Heuristic.Condition("x", Heuristic.Op.GT, 100)), Map.of("y", 200.0))),
          Map.of("y", -1.0));

  @BeforeEach
  void setUp() throws Exception {
    registry = ModelRegistry.embedded(home);
    register("double", List.of("x", "x"), "Add");
    register("same", List.of("x"), "Identity");
    List<Record> training = new ArrayList<>();
    for (int i = 0; i <= 100; i++) {
      training.add(Record.of(Map.of("x", i / 10.0)));
    }
    registry.putDocument("double", 1, Guards.PROFILE, DataProfile.of(training).toYaml(), "test");
    host =
        new ModelHost(
            registry,
            ModelHost.defaultResolver(registry),
            n -> Deployment.defaults(),
            Duration.ZERO,
            System::nanoTime);
    guards =
        new Guards(specs::get, v -> Optional.ofNullable(filters.get(v.name())), meters)
            .documents((v, kind) -> registry.document(v.name(), v.version(), kind));
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
    host.close();
    registry.close();
  }

  static GuardSpec spec(
      Policy policy, Map<String, Policy> features, Range yRange, List<String> fallback) {
    return new GuardSpec(
        policy,
        features,
        Map.of(),
        yRange == null ? Map.of() : Map.of("y", yRange),
        null,
        0,
        fallback,
        HEURISTIC,
        new GuardSpec.Breaker(50, 4, 4, Duration.ofMinutes(1), Duration.ofSeconds(10)));
  }

  InferenceResult run(double... xs) {
    List<Record> rows = new ArrayList<>();
    for (double x : xs) {
      rows.add(Record.of(Map.of("x", x)));
    }
    Pipeline p = new Pipeline(host, meters, n -> null, Pipeline.Limits.defaults(), guards);
    return p.run(InferenceRequest.ofRecords("double", null, rows));
  }

  static double[] ys(InferenceResult r) {
    return (double[]) r.outputs().get("y").data();
  }

  @Test
  void aRecordOutsideTheTrainingRangeIsRejectedNamingTheRowFieldValueAndRange() {
    specs.put("double", spec(Policy.REJECT, Map.of(), null, List.of()));
    assertThat(ys(run(1, 2))).containsExactly(2, 4);
    assertThatThrownBy(() -> run(1, 12))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("records[1].x")
        .hasMessageContaining("12")
        .hasMessageContaining("[0, 10]");
  }

  @Test
  void imputeUsesTheProfileMedianAndTheAnswerSaysTheModelGaveIt() {
    specs.put("double", spec(Policy.IMPUTE, Map.of(), null, List.of()));
    InferenceResult r = run(12, 3);
    assertThat(ys(r)).containsExactly(10, 6); // median of 0..10 is 5
    assertThat(r.servedBy()).containsExactly("double/1", "double/1");
    assertThat(
            meters.counter("slipway.guard.inputs", "model", "double", "outcome", "imputed").count())
        .isEqualTo(1);
  }

  @Test
  void theHeuristicPolicyAnswersThatRecordWithoutTheModel() {
    specs.put("double", spec(Policy.HEURISTIC, Map.of(), null, List.of()));
    InferenceResult r = run(300, 4);
    assertThat(ys(r)).containsExactly(200, 8);
    assertThat(r.servedBy()).containsExactly("heuristic", "double/1");
  }

  @Test
  void aFailedOutputCheckFallsBackToTheSimplerModelThenTheHeuristic() {
    // y must be at most 15: x = 9 gives 18 (fails), the fallback model answers 9
    specs.put(
        "double",
        spec(Policy.REJECT, Map.of(), new Range(0.0, 15.0), List.of("same", "heuristic")));
    InferenceResult r = run(9, 2);
    assertThat(ys(r)).containsExactly(9, 4);
    assertThat(r.servedBy()).containsExactly("same/1", "double/1");

    // the fallback model also fails its checks when it has a range of its own
    specs.put("same", spec(Policy.REJECT, Map.of(), new Range(0.0, 5.0), List.of()));
    guards.invalidate();
    InferenceResult h = run(9);
    assertThat(ys(h)).containsExactly(-1);
    assertThat(h.servedBy()).containsExactly("heuristic");
    assertThat(
            meters.counter("slipway.guard.answers", "model", "double", "link", "heuristic").count())
        .isEqualTo(1);
  }

  @Test
  void whenNoLinkAnswersTheErrorNamesTheRowAndEveryReason() {
    specs.put("double", spec(Policy.REJECT, Map.of(), new Range(0.0, 15.0), List.of("same")));
    specs.put("same", spec(Policy.REJECT, Map.of(), new Range(0.0, 5.0), List.of()));
    assertThatThrownBy(() -> run(1, 9))
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining("records[1]")
        .hasMessageContaining("output check on 'y' of double/1")
        .hasMessageContaining("same: output check on 'y' of same/1");
  }

  @Test
  void theFilteringModelSendsRecordsItExpectsToFailToTheChain() {
    specs.put("double", spec(Policy.REJECT, Map.of(), null, List.of("same")));
    filters.put(
        "double",
        new FailureFilter() {
          @Override
          public double[] failureProbability(List<Record> records) {
            return records.stream().mapToDouble(r -> (Double) r.get("x") > 5 ? 0.9 : 0.1).toArray();
          }

          @Override
          public double threshold() {
            return 0.5;
          }
        });
    InferenceResult r = run(7, 3);
    assertThat(r.servedBy()).containsExactly("same/1", "double/1");
    assertThat(ys(r)).containsExactly(7, 6);
  }

  @Test
  void aFailingModelOpensItsBreakerAndIsSkippedWhileOpen() {
    specs.put("double", spec(Policy.REJECT, Map.of(), null, List.of("heuristic")));
    AtomicInteger calls = new AtomicInteger();
    Guards.Runner failing =
        (m, records) -> {
          if (m.name().equals("double")) {
            calls.incrementAndGet();
            throw new ModelFailureException("native error in the model");
          }
          throw new AssertionError("no other model is called");
        };
    try (var lease = host.acquire("double", null)) {
      for (int i = 0; i < 4; i++) {
        Guards.Answer a =
            guards.answer(
                host, lease.model(), List.of(Record.of(Map.of("x", 1.0))), failing, "records");
        assertThat(a.servedBy()).containsExactly("heuristic");
      }
      assertThat(calls.get()).isEqualTo(4);
      assertThat(guards.breakerState("double", 1)).hasValue("OPEN");
      Guards.Answer a =
          guards.answer(
              host, lease.model(), List.of(Record.of(Map.of("x", 1.0))), failing, "records");
      assertThat(a.servedBy()).containsExactly("heuristic");
      assertThat(calls.get()).as("skipped while open").isEqualTo(4);
      assertThat(meters.find("slipway.guard.breaker.state").gauge().value()).isEqualTo(1.0);
    }
  }

  @Test
  void unguardedModelsAreServedAsBefore() {
    InferenceResult r = run(50);
    assertThat(ys(r)).containsExactly(100);
    assertThat(r.servedBy()).isNull();
  }
}

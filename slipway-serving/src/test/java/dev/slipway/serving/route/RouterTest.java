package dev.slipway.serving.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Record;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.Registration;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.host.ModelHost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterTest {
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final List<Runnable> shadowQueue = new ArrayList<>();
  final List<String> shadowed = new CopyOnWriteArrayList<>();

  Router router(long seed) {
    return new Router(
        meters,
        seed,
        shadowQueue::add,
        (model, version, id, result, failure) ->
            shadowed.add(
                model
                    + "/"
                    + version
                    + " "
                    + (result != null ? "answered by " + result.version() : "failed: " + failure)));
  }

  static TrafficPolicy split(Map<Integer, Double> weights, TrafficPolicy.Assignment a) {
    return new TrafficPolicy(TrafficPolicy.Kind.SPLIT, weights, a, "user_id", "", null);
  }

  @Test
  void stickyAssignmentIsTheSameForANewRouterAndInEveryJvm() {
    TrafficPolicy half = split(Map.of(1, 50.0, 2, 50.0), TrafficPolicy.Assignment.STICKY);
    Router first = router(1);
    first.set("ads", half);
    Router restarted = router(99); // another seed: sticky draws do not use the generator
    restarted.set("ads", half);
    for (int i = 0; i < 1000; i++) {
      String key = "user-" + i;
      assertThat(restarted.route("ads", key).orElseThrow().version())
          .isEqualTo(first.route("ads", key).orElseThrow().version());
    }
    // The hash is specified (MurmurHash3 x64 128, seed 0, of "ads\0\0<key>"): these hold in any
    // JVM.
    assertThat(Router.unit("ads", "", "user-1")).isCloseTo(0.747269790611887, within(1e-15));
    assertThat(Router.unit("ads", "", "user-2")).isCloseTo(0.1686683834167454, within(1e-15));
    assertThat(Router.unit("ads", "", "alice")).isCloseTo(0.9846934052534815, within(1e-15));
    Map<String, Integer> expected = Map.of("user-1", 2, "user-2", 1, "user-3", 2, "user-42", 1);
    expected.forEach(
        (key, version) ->
            assertThat(first.route("ads", key).orElseThrow().version()).as(key).isEqualTo(version));
  }

  @Test
  void weightsShareTrafficAndARampNeverMovesAKeyBackToStable() {
    Router r = router(1);
    Map<Integer, Integer> onCandidate = new HashMap<>();
    int[] counts = new int[3];
    r.set("ads", TrafficPolicy.canary(1, 2, 5, null));
    for (int i = 0; i < 20_000; i++) {
      int v = r.route("ads", "k" + i).orElseThrow().version();
      counts[v]++;
      if (v == 2) {
        onCandidate.put(i, v);
      }
    }
    assertThat(counts[2] / 20_000.0).isCloseTo(0.05, within(0.01));
    r.set("ads", TrafficPolicy.canary(1, 2, 25, null));
    int now = 0;
    for (int i = 0; i < 20_000; i++) {
      int v = r.route("ads", "k" + i).orElseThrow().version();
      now += v == 2 ? 1 : 0;
      if (onCandidate.containsKey(i)) {
        assertThat(v).as("key k" + i + " stays on the candidate").isEqualTo(2);
      }
    }
    assertThat(now / 20_000.0).isCloseTo(0.25, within(0.01));
  }

  @Test
  void randomAssignmentIsRepeatableWithTheSameSeed() {
    TrafficPolicy p = split(Map.of(1, 70.0, 2, 30.0), TrafficPolicy.Assignment.RANDOM);
    Router a = router(7);
    Router b = router(7);
    a.set("ads", p);
    b.set("ads", p);
    List<Integer> x = new ArrayList<>();
    List<Integer> y = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      x.add(a.route("ads", "same-key").orElseThrow().version());
      y.add(b.route("ads", "same-key").orElseThrow().version());
    }
    assertThat(x).isEqualTo(y).contains(1, 2);
  }

  @Test
  void explicitVersionsAndAliasesBypassThePolicy() {
    Router r = router(1);
    r.set("ads", TrafficPolicy.only(2));
    List<Record> rec = List.of(Record.of(Map.of("x", 1.0)));
    assertThat(r.route(InferenceRequest.ofRecords("ads", 1, rec))).isEmpty();
    assertThat(r.route(InferenceRequest.ofRecords("ads@champion", null, rec))).isEmpty();
    assertThat(r.route(InferenceRequest.ofRecords("ads/1", null, rec))).isEmpty();
    assertThat(r.route(InferenceRequest.ofRecords("other", null, rec))).isEmpty();
    assertThat(r.route(InferenceRequest.ofRecords("ads", null, rec)).orElseThrow().version())
        .isEqualTo(2);
  }

  @Test
  void thompsonSamplingConvergesToTheBetterArm() {
    Router r = router(42);
    r.set(
        "ads",
        new TrafficPolicy(
            TrafficPolicy.Kind.BANDIT,
            Map.of(1, 1.0, 2, 1.0, 3, 1.0),
            TrafficPolicy.Assignment.RANDOM,
            null,
            "",
            null));
    double[] rate = {0, 0.05, 0.08, 0.12};
    SplittableRandom world = new SplittableRandom(3);
    Map<Integer, Integer> late = new TreeMap<>();
    for (int i = 0; i < 20_000; i++) {
      int v = r.route("ads", null).orElseThrow().version();
      boolean click = world.nextDouble() < rate[v];
      r.reward("ads", v, click ? 1 : 0, click ? 0 : 1);
      if (i >= 15_000) {
        late.merge(v, 1, Integer::sum);
      }
    }
    assertThat(late.getOrDefault(3, 0) / 5000.0).isGreaterThan(0.9);
    assertThat(r.posteriors("ads").get(3).mean()).isCloseTo(0.12, within(0.02));
  }

  @Test
  void policiesParseFromJsonAndBadFieldsAreNamed() throws Exception {
    ObjectMapper json = new ObjectMapper();
    TrafficPolicy p =
        TrafficPolicy.fromJson(
            json.readTree(
                "{\"weights\":{\"1\":90,\"2\":10},\"keyField\":\"user_id\","
                    + "\"shadow\":{\"version\":3,\"share\":0.5}}"));
    assertThat(p.weights()).containsEntry(1, 90.0).containsEntry(2, 10.0);
    assertThat(p.assignment()).isEqualTo(TrafficPolicy.Assignment.STICKY);
    assertThat(TrafficPolicy.fromJson(p.toJson())).isEqualTo(p);
    assertThatThrownBy(() -> TrafficPolicy.fromJson(json.readTree("{\"weights\":{\"1\":-1}}")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("weights.1");
    assertThatThrownBy(() -> TrafficPolicy.fromJson(json.readTree("{}")))
        .hasMessageContaining("weights");
    assertThatThrownBy(
            () ->
                TrafficPolicy.fromJson(
                    json.readTree(
                        "{\"weights\":{\"1\":1},\"shadow\":{\"version\":2,\"share\":2}}")))
        .hasMessageContaining("shadow.share");
    assertThatThrownBy(
            () -> TrafficPolicy.fromJson(json.readTree("{\"weights\":{\"1\":1},\"kind\":\"ab\"}")))
        .hasMessageContaining("kind");
    assertThatThrownBy(() -> TrafficPolicy.fromJson(json.readTree("{\"wieghts\":{}}")))
        .hasMessageContaining("wieghts");
  }

  @Test
  void shadowAnswersAreNeverReturnedAndShadowFailuresDoNotFailRequests(@TempDir Path home)
      throws Exception {
    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      Path echo = Files.write(home.resolve("e.onnx"), OnnxModelBuilder.identity(DataType.FP64, -1));
      registry.register(new Registration("echo", echo, "onnx", null, Map.of(), null, "t")); // 1
      registry.register(new Registration("echo", echo, "onnx", null, Map.of(), null, "t")); // 2
      Path junk = Files.write(home.resolve("junk.onnx"), new byte[] {1, 2, 3});
      registry.register(new Registration("echo", junk, "onnx", null, Map.of(), null, "t")); // 3
      try (ModelHost host = new ModelHost(registry, ModelFormat.LoadOptions.defaults())) {
        Router r = router(1);
        Pipeline pipeline =
            new Pipeline(host, meters, m -> null, Pipeline.Limits.defaults()).withRouter(r);
        List<Record> rec = List.of(Record.of(Map.of("x", 2.5)));

        r.set(
            "echo",
            new TrafficPolicy(
                TrafficPolicy.Kind.SPLIT,
                Map.of(1, 1.0),
                TrafficPolicy.Assignment.STICKY,
                null,
                "",
                new TrafficPolicy.Shadow(2, 1.0)));
        InferenceResult answer = pipeline.run(InferenceRequest.ofRecords("echo", null, rec));
        assertThat(answer.version()).isEqualTo(1);
        assertThat(shadowQueue).hasSize(1);
        shadowQueue.remove(0).run();
        assertThat(shadowed).containsExactly("echo/2 answered by 2");

        // A shadow that cannot even load: the caller still gets version 1's answer.
        r.set(
            "echo",
            new TrafficPolicy(
                TrafficPolicy.Kind.SPLIT,
                Map.of(1, 1.0),
                TrafficPolicy.Assignment.STICKY,
                null,
                "",
                new TrafficPolicy.Shadow(3, 1.0)));
        answer = pipeline.run(InferenceRequest.ofRecords("echo", null, rec));
        assertThat(answer.version()).isEqualTo(1);
        assertThat(answer.predictions().get(0).get("y")).isEqualTo(2.5);
        shadowQueue.remove(0).run();
        assertThat(shadowed.get(1)).startsWith("echo/3 failed");

        assertThat(
                meters
                    .get("slipway.route.requests")
                    .tags("model", "echo", "version", "1", "role", "primary", "outcome", "ok")
                    .counter()
                    .count())
            .isEqualTo(2);
        assertThat(
                meters
                    .get("slipway.route.requests")
                    .tags("model", "echo", "version", "3", "role", "shadow", "outcome", "failed")
                    .counter()
                    .count())
            .isEqualTo(1);
      }
    }
  }
}

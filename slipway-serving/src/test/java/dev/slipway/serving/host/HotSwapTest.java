package dev.slipway.serving.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.DataType;
import dev.slipway.api.Record;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Swapping the version behind a reference under load fails no request. */
class HotSwapTest {
  @TempDir Path home;
  ModelRegistry registry;
  final AtomicInteger target = new AtomicInteger(1);
  final AtomicLong nanos = new AtomicLong();

  @BeforeEach
  void setUp() throws Exception {
    registry = ModelRegistry.embedded(home);
    // version 1 answers y = x, version 2 answers y = x + x
    Path v1 = Files.write(home.resolve("v1.onnx"), OnnxModelBuilder.identity(DataType.FP64, -1));
    Path v2 =
        Files.write(
            home.resolve("v2.onnx"),
            new OnnxModelBuilder()
                .input("x", DataType.FP64, -1)
                .output("y", DataType.FP64, -1)
                .node("Add", List.of("x", "x"), List.of("y"), null)
                .build());
    registry.register(new Registration("m", v1, "onnx", null, Map.of(), null, "test"));
    registry.register(new Registration("m", v2, "onnx", null, Map.of(), null, "test"));
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  ModelHost host(Duration keepWarm) {
    return new ModelHost(
        registry,
        ref -> {
          if (ref.equals("m@champion")) {
            return registry.version("m", target.get()).orElseThrow();
          }
          return ModelHost.defaultResolver(registry).apply(ref);
        },
        name -> Deployment.defaults(),
        keepWarm,
        nanos::get);
  }

  static int versionAnswering(InferenceResult r) {
    double y = (Double) r.predictions().get(0).get("y");
    return y == 3.0 ? 1 : y == 6.0 ? 2 : -1;
  }

  @Test
  void tenSwapsUnderLoadFailNoRequestAndTheNewVersionAnswersRightAway() throws Exception {
    try (ModelHost host = host(Duration.ZERO)) {
      Pipeline pipeline =
          new Pipeline(host, new SimpleMeterRegistry(), n -> null, Pipeline.Limits.defaults());
      InferenceRequest req =
          InferenceRequest.ofRecords("m@champion", null, List.of(Record.of(Map.of("x", 3.0))));
      assertThat(pipeline.run(req).version()).isEqualTo(1);

      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      AtomicLong answered = new AtomicLong();
      List<Thread> clients = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread c =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    try {
                      InferenceResult r = pipeline.run(req);
                      assertThat(versionAnswering(r)).isEqualTo(r.version());
                      answered.incrementAndGet();
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }
                });
        c.start();
        clients.add(c);
      }
      for (int swap = 0; swap < 10; swap++) {
        int next = target.get() == 1 ? 2 : 1;
        target.set(next);
        nanos.addAndGet(
            1_000_000_000L); // past keep-warm: the replaced version is unloaded when drained
        assertThat(host.refresh()).containsExactly("m@champion");
        // the very next request is answered by the new version
        assertThat(pipeline.run(req).version()).isEqualTo(next);
        Thread.sleep(30);
      }
      stop.set(true);
      for (Thread c : clients) {
        c.join();
      }
      assertThat(failures).isEmpty();
      assertThat(answered.get()).isGreaterThan(100);
      host.refresh();
      assertThat(host.loaded()).extracting(ServedModel::number).containsExactly(target.get());
    }
  }

  @Test
  void aVersionLoadedWithoutARouteIsUnloadedOnceKeepWarmPasses() {
    try (ModelHost host = host(Duration.ofSeconds(60))) {
      host.acquire("m@champion", null).close(); // version 1 serves
      host.load("m", 2); // loaded to verify it, never routed
      host.sweep();
      assertThat(host.isLoaded("m", 2)).as("kept warm for a while").isTrue();
      nanos.addAndGet(Duration.ofSeconds(61).toNanos());
      host.sweep();
      assertThat(host.isLoaded("m", 2)).as("unloaded after keep-warm").isFalse();
      assertThat(host.isLoaded("m", 1)).as("the routed version stays").isTrue();
    }
  }

  @Test
  void aReplacedVersionStaysWarmForRollbackUntilKeepWarmPasses() {
    try (ModelHost host = host(Duration.ofSeconds(60))) {
      host.acquire("m@champion", null).close();
      target.set(2);
      host.refresh();
      assertThat(host.isLoaded("m", 1)).as("kept warm").isTrue();
      target.set(1); // rollback: immediate, nothing to load
      assertThat(host.refresh()).containsExactly("m@champion");
      assertThat(host.get("m@champion", null).number()).isEqualTo(1);
      nanos.addAndGet(Duration.ofSeconds(61).toNanos());
      host.refresh();
      assertThat(host.isLoaded("m", 2)).as("unloaded after keep-warm").isFalse();
      assertThat(host.isLoaded("m", 1)).isTrue();
    }
  }

  @Test
  void aVersionThatFailsToLoadLeavesTheOldOneServingAndSaysWhy() throws Exception {
    Path junk = Files.writeString(home.resolve("junk.onnx"), "not a model");
    ModelVersion bad =
        registry.register(new Registration("m", junk, "onnx", null, Map.of(), null, "test"));
    try (ModelHost host = host(Duration.ZERO)) {
      host.acquire("m@champion", null).close();
      target.set(bad.version());
      assertThat(host.refresh()).isEmpty();
      assertThat(host.get("m@champion", null).number()).isEqualTo(1);
      assertThat(host.routeStatus().get("m@champion").lastError())
          .contains("version 3")
          .contains("still serving version 1");
    }
  }

  @Test
  void anOpenLeaseDelaysTheUnloadUntilItCloses() {
    try (ModelHost host = host(Duration.ZERO)) {
      Lease held = host.acquire("m@champion", null);
      target.set(2);
      nanos.addAndGet(1_000_000_000L);
      host.refresh();
      assertThat(host.isLoaded("m", 1)).as("still held by a request").isTrue();
      assertThat(held.model().predictor().signature()).isNotNull();
      held.close();
      host.refresh();
      assertThat(host.isLoaded("m", 1)).isFalse();
    }
  }
}

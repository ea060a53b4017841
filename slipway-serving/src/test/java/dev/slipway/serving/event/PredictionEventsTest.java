package dev.slipway.serving.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.DataType;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
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
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline publishes one event per answered request, and listeners cannot fail requests. */
class PredictionEventsTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:15:00Z");

  @TempDir Path home;
  ModelRegistry registry;
  ModelHost host;
  SimpleMeterRegistry meters = new SimpleMeterRegistry();
  List<PredictionEvent> heard = new CopyOnWriteArrayList<>();
  AtomicInteger ids = new AtomicInteger();
  PredictionEvents events;
  Pipeline pipeline;

  @BeforeEach
  void setUp() throws Exception {
    registry = ModelRegistry.embedded(home);
    Path echo =
        Files.write(home.resolve("echo.onnx"), OnnxModelBuilder.identity(DataType.FP64, -1));
    registry.register(new Registration("echo", echo, "onnx", null, Map.of(), null, "test"));
    Path wide =
        Files.write(home.resolve("wide.onnx"), OnnxModelBuilder.identity(DataType.INT64, -1, 2));
    registry.register(new Registration("wide", wide, "onnx", null, Map.of(), null, "test"));
    host = new ModelHost(registry, ModelFormat.LoadOptions.defaults());
    events =
        new PredictionEvents(
                Clock.fixed(NOW, ZoneOffset.UTC), () -> "gen-" + ids.incrementAndGet(), meters)
            .add(heard::add);
    pipeline = new Pipeline(host, meters, m -> null, Pipeline.Limits.defaults(), null, events);
  }

  @AfterEach
  void tearDown() {
    host.close();
    registry.close();
  }

  @Test
  void aRequestWithoutIdGetsOneThatTheResultAndTheEventCarry() {
    InferenceResult r =
        pipeline.run(
            InferenceRequest.ofRecords(
                "echo", null, List.of(Record.of(Map.of("x", 1.5)), Record.of(Map.of("x", -2.0)))));

    assertThat(r.id()).isEqualTo("gen-1");
    assertThat(heard).hasSize(1);
    PredictionEvent e = heard.get(0);
    assertThat(e.requestId()).isEqualTo("gen-1");
    assertThat(e.model()).isEqualTo("echo");
    assertThat(e.version()).isEqualTo(1);
    assertThat(e.time()).isEqualTo(NOW);
    assertThat(e.latency()).isPositive();
    assertThat(e.rows())
        .extracting(PredictionEvent.Row::index, PredictionEvent.Row::servedBy)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, "echo/1"),
            org.assertj.core.groups.Tuple.tuple(1, "echo/1"));
    assertThat(e.rows().get(1).inputs().get("x")).isEqualTo(-2.0);
    assertThat(e.rows().get(1).outputs()).containsEntry("y", -2.0);
  }

  @Test
  void theCallersIdIsKept() {
    InferenceResult r =
        pipeline.run(
            new InferenceRequest(
                "echo", null, "mine-7", List.of(Record.of(Map.of("x", 1.0))), null, Set.of()));

    assertThat(r.id()).isEqualTo("mine-7");
    assertThat(heard).extracting(PredictionEvent::requestId).containsExactly("mine-7");
    assertThat(ids.get()).isZero();
  }

  @Test
  void aRawTensorRequestIsPublishedWithOutputsButNoRecords() {
    pipeline.run(
        InferenceRequest.ofTensors(
            "wide",
            null,
            "t-1",
            List.of(new Tensor("x", DataType.INT64, new long[] {1, 2}, new long[] {3, 4})),
            Set.of()));

    PredictionEvent e = heard.get(0);
    assertThat(e.inputs()).isNull();
    assertThat(e.rows()).hasSize(1);
    assertThat(e.rows().get(0).outputs().get("y")).isEqualTo(List.of(3L, 4L));
  }

  @Test
  void aFailingListenerIsCountedAndTheRequestIsAnsweredAnyway() {
    events.add(
        e -> {
          throw new IllegalStateException("disk full");
        });

    InferenceResult r =
        pipeline.run(
            InferenceRequest.ofRecords("echo", null, List.of(Record.of(Map.of("x", 1.0)))));

    assertThat(r.predictions().get(0).get("y")).isEqualTo(1.0);
    assertThat(heard).hasSize(1);
    assertThat(meters.get("slipway.prediction.listener.errors").counter().count()).isEqualTo(1);
  }

  @Test
  void generatedIdsAreVersion4UuidsAndDistinct() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = PredictionEvents.randomId();
      java.util.UUID u = java.util.UUID.fromString(id);
      assertThat(u.version()).isEqualTo(4);
      assertThat(u.variant()).isEqualTo(2);
      seen.add(id);
    }
    assertThat(seen).hasSize(1000);
  }
}

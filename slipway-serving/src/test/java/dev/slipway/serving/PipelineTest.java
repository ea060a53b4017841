package dev.slipway.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.Registration;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import dev.slipway.serving.enrich.EnrichSpec;
import dev.slipway.serving.enrich.RedisFeatureSource;
import dev.slipway.serving.host.ModelHost;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineTest {
  @TempDir Path home;
  ModelRegistry registry;
  ModelHost host;
  SimpleMeterRegistry meters = new SimpleMeterRegistry();

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
  }

  @AfterEach
  void tearDown() {
    host.close();
    registry.close();
  }

  Pipeline pipeline(EnrichSpec enrich) {
    return new Pipeline(host, meters, name -> enrich, Pipeline.Limits.defaults());
  }

  @Test
  void timesEveryStageByModelAndVersion() {
    InferenceResult r =
        pipeline(null)
            .run(InferenceRequest.ofRecords("echo", null, List.of(Record.of(Map.of("x", 1.5)))));
    assertThat(r.predictions().get(0).get("y")).isEqualTo(1.5);
    for (Stage s : Stage.values()) {
      assertThat(
              meters
                  .get("slipway.stage.duration")
                  .tags("model", "echo", "version", "1", "stage", s.label())
                  .timer()
                  .count())
          .as(s.label())
          .isEqualTo(1);
    }
  }

  @Test
  void enrichFillsMissingFeaturesFromRedisByEntityKey() {
    String prefix = "slipway-test:" + UUID.randomUUID() + ":";
    RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
    try (StatefulRedisConnection<String, String> redis = client.connect();
        RedisFeatureSource source =
            new RedisFeatureSource("redis://127.0.0.1:6379", prefix, Duration.ofSeconds(2))) {
      redis.sync().hset(prefix + "user-7", Map.of("x", "2.25"));
      List<Record> rows =
          List.of(
              Record.of(Map.of("user_id", "user-7")), // x comes from Redis
              Record.of(Map.of("user_id", "user-7", "x", 9.0))); // x given: the request wins
      InferenceResult r =
          pipeline(new EnrichSpec("user_id", source))
              .run(InferenceRequest.ofRecords("echo", 1, rows));
      assertThat(r.predictions().get(0).get("y")).isEqualTo(2.25);
      assertThat(r.predictions().get(1).get("y")).isEqualTo(9.0);
      assertThatThrownBy(
              () ->
                  pipeline(new EnrichSpec("user_id", source))
                      .run(
                          InferenceRequest.ofRecords(
                              "echo", 1, List.of(Record.of(Map.of("user_id", "stranger"))))))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("records[0].x")
          .hasMessageContaining("missing");
      redis.sync().del(prefix + "user-7");
    } catch (io.lettuce.core.RedisConnectionException e) {
      throw new AssertionError(
          "This test needs Redis on 127.0.0.1:6379: redis-server --daemonize yes", e);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void castsTensorsLosslesslyToTheModelsTypeAndRefusesLossyCasts() {
    Tensor ints = new Tensor("x", DataType.INT32, new long[] {2}, new int[] {3, -4});
    InferenceResult r =
        pipeline(null)
            .run(InferenceRequest.ofTensors("echo", null, "id-1", List.of(ints), Set.of()));
    assertThat((double[]) r.outputs().get("y").data()).containsExactly(3.0, -4.0);
    assertThat(r.id()).isEqualTo("id-1");
    Tensor big = new Tensor("x", DataType.UINT64, new long[] {1, 2}, new long[] {1, -1}); // 2^64-1
    assertThatThrownBy(
            () ->
                pipeline(null)
                    .run(InferenceRequest.ofTensors("wide", null, null, List.of(big), Set.of())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("inputs[0].data[1]")
        .hasMessageContaining("18446744073709551615");
  }

  @Test
  void aModelWhoseInputsAreNotColumnsRefusesRecordsPointingToTheTensorApi() {
    assertThatThrownBy(
            () ->
                pipeline(null)
                    .run(
                        InferenceRequest.ofRecords(
                            "wide", null, List.of(Record.of(Map.of("x", 1L))))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("/v2/models/wide/infer");
  }

  @Test
  void tooManyRecordsAreRefused() {
    Pipeline small = new Pipeline(host, meters, n -> null, new Pipeline.Limits(2, 100));
    List<Record> rows =
        List.of(
            Record.of(Map.of("x", 1.0)), Record.of(Map.of("x", 1.0)), Record.of(Map.of("x", 1.0)));
    assertThatThrownBy(() -> small.run(InferenceRequest.ofRecords("echo", null, rows)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at most 2 records");
  }
}

package dev.slipway.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.host.ModelHost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The records API's exchange without the socket answers as the endpoint does. */
class RecordsAnswerJsonTest {
  @TempDir static Path home;
  static ModelRegistry registry;
  static ModelHost host;
  static Pipeline pipeline;

  @BeforeAll
  static void start() throws Exception {
    registry = ModelRegistry.embedded(home);
    DemoModel.register(registry, 7, 2000);
    host = new ModelHost(registry, ModelFormat.LoadOptions.defaults());
    pipeline =
        new Pipeline(host, new SimpleMeterRegistry(), name -> null, Pipeline.Limits.defaults());
  }

  @AfterAll
  static void stop() {
    host.close();
    registry.close();
  }

  @Test
  void answersEachRecordWithItsPredictionAndVersion() throws Exception {
    String body =
        """
        {"records": [
          {"hour": 14, "ad_position": 1, "user_past_ctr": 0.25, "user_age": 25,
           "device": "mobile", "site_category": "games", "ad_size": "320x50"},
          {"hour": 3, "ad_position": 5, "user_past_ctr": 0.0, "user_age": 65,
           "device": "desktop", "site_category": "finance", "ad_size": "160x600"}]}
        """;
    JsonNode answer =
        new ObjectMapper()
            .readTree(
                RecordsService.answerJson(
                    pipeline, "ad-click", null, "r-1", body.getBytes(StandardCharsets.UTF_8)));
    assertThat(answer.get("model").asText()).isEqualTo("ad-click");
    assertThat(answer.get("id").asText()).isEqualTo("r-1");
    assertThat(answer.get("predictions")).hasSize(2);
    for (JsonNode p : answer.get("predictions")) {
      assertThat(p.get("label").asText()).isIn("click", "no_click");
      assertThat(p.get("model_version").asText()).isEqualTo("1");
    }
    assertThat(answer.get("predictions").get(0).get("score").asDouble())
        .isGreaterThan(answer.get("predictions").get(1).get("score").asDouble());
  }

  @Test
  void aBodyWithoutRecordsIsRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                RecordsService.answerJson(
                    pipeline, "ad-click", null, null, "{\"rows\": []}".getBytes()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("records");
  }
}

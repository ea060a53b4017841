package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.batch.store.RedisPredictionStore;
import dev.slipway.batch.store.StoreFirst;
import dev.slipway.batch.store.StoredPrediction;
import dev.slipway.server.config.SlipwayConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server configured with {@code predictionStore: {type: redis}} reads what was stored in the real
 * Redis at 127.0.0.1:6379 (start it with: redis-server --daemonize yes), under a key prefix of its
 * own.
 */
class RedisPredictionStoreApiTest {
  static final String URI = "redis://127.0.0.1:6379";
  static final String PREFIX = "slipway-test:" + UUID.randomUUID() + ":";
  static TestServer s;
  static RedisPredictionStore writer;

  @BeforeAll
  static void start() {
    writer = new RedisPredictionStore(URI, PREFIX, Duration.ofMinutes(10), Duration.ofSeconds(5));
    s =
        new TestServer(
            c ->
                c.toBuilder()
                    .predictionStore(
                        new SlipwayConfig.PredictionStoreSettings(
                            SlipwayConfig.PredictionStoreSettings.Type.REDIS,
                            URI,
                            PREFIX,
                            Duration.ofMinutes(10),
                            Map.of("add", new StoreFirst.Policy("id", Duration.ofHours(1)))))
                    .build());
  }

  @AfterAll
  static void stop() {
    s.close();
    writer.close();
  }

  @Test
  void aPredictionStoredInRedisIsAnsweredByKeyAndStoreFirst() {
    writer.putAll(
        List.of(
            new StoredPrediction(
                "add", "x1", 1, Map.of("sum", List.of(42.0, 43.0)), Instant.now())));

    HttpResponse<String> r = s.get("/api/v1/models/add/predictions/x1");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestServer.json(r).get("outputs").get("sum").get(0).asDouble()).isEqualTo(42.0);
    assertThat(s.get("/api/v1/models/add/predictions/x2").statusCode()).isEqualTo(404);

    HttpResponse<String> p =
        s.post(
            "/api/v1/models/add/predict", "{\"records\": [{\"id\": \"x1\", \"a\": 1, \"b\": 2}]}");
    assertThat(p.statusCode()).as(p.body()).isEqualTo(200);
    JsonNode first = TestServer.json(p).get("predictions").get(0);
    assertThat(first.get("served_from").asText()).isEqualTo("store");
    assertThat(first.get("sum").get(1).asDouble()).isEqualTo(43.0);
  }
}

package dev.slipway.serving.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.ModelUnavailableException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against the real Redis at 127.0.0.1:6379 (start it with: redis-server --daemonize yes). */
class RedisFeatureSourceTest {
  static final String URI = "redis://127.0.0.1:6379";
  static RedisClient client;
  static StatefulRedisConnection<String, String> redis;
  static final String PREFIX = "slipway-test:" + UUID.randomUUID() + ":";

  @BeforeAll
  static void connect() {
    client = RedisClient.create(URI);
    try {
      redis = client.connect();
    } catch (RuntimeException e) {
      throw new AssertionError(
          "These tests need Redis on 127.0.0.1:6379. Start it with: redis-server --daemonize yes --port 6379",
          e);
    }
    redis.sync().hset(PREFIX + "u1", Map.of("user_past_ctr", "0.21", "user_age", "33"));
    redis.sync().hset(PREFIX + "u2", Map.of("user_age", "51"));
  }

  @AfterAll
  static void cleanUp() {
    redis.sync().del(PREFIX + "u1", PREFIX + "u2");
    redis.close();
    client.shutdown();
  }

  @Test
  void fetchesTheWantedFieldsOfEveryKeyInOrder() {
    try (RedisFeatureSource source = new RedisFeatureSource(URI, PREFIX, Duration.ofSeconds(2))) {
      List<Map<String, String>> found =
          source.fetch(List.of("u2", "nobody", "u1"), List.of("user_past_ctr", "user_age"));
      assertThat(found)
          .containsExactly(
              Map.of("user_age", "51"),
              Map.of(),
              Map.of("user_past_ctr", "0.21", "user_age", "33"));
    }
  }

  @Test
  void asksForNothingWhenNothingIsMissing() {
    try (RedisFeatureSource source = new RedisFeatureSource(URI, PREFIX, Duration.ofSeconds(2))) {
      assertThat(source.fetch(List.of("u1"), List.of())).containsExactly(Map.of());
    }
  }

  @Test
  void anUnreachableRedisIsUnavailableNotACrash() {
    assertThatThrownBy(
            () -> new RedisFeatureSource("redis://127.0.0.1:1", PREFIX, Duration.ofMillis(200)))
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining("127.0.0.1:1");
  }
}

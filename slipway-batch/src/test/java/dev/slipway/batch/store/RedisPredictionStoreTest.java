package dev.slipway.batch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.ModelUnavailableException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PredictionStoreContract} on the real Redis at 127.0.0.1:6379, each test under a key prefix
 * of its own whose keys are deleted afterwards.
 */
class RedisPredictionStoreTest extends PredictionStoreContract {
  static final String URI = "redis://127.0.0.1:6379";
  private String prefix;

  @Override
  protected PredictionStore open() {
    prefix = "slipway-test:" + UUID.randomUUID() + ":";
    try {
      return new RedisPredictionStore(URI, prefix, null, Duration.ofSeconds(5));
    } catch (ModelUnavailableException e) {
      throw new AssertionError(
          "These tests need Redis on 127.0.0.1:6379. Start it with: redis-server --daemonize yes"
              + " --port 6379",
          e);
    }
  }

  @AfterEach
  void deleteKeys() {
    try (Redis r = new Redis()) {
      List<String> keys = r.connection.sync().keys(prefix + "*");
      if (!keys.isEmpty()) {
        r.connection.sync().del(keys.toArray(String[]::new));
      }
    }
  }

  @Test
  void withATtlRedisForgetsThePredictionLaterAndARePutRenewsIt() {
    try (PredictionStore withTtl =
            new RedisPredictionStore(URI, prefix, Duration.ofHours(2), Duration.ofSeconds(5));
        Redis r = new Redis()) {
      withTtl.putAll(List.of(new StoredPrediction("ad-click", "u1", 1, Map.of("p", 0.5), T0)));
      long ttl = r.connection.sync().pttl(prefix + "ad-click:u1");
      assertThat(ttl).isBetween(1L, Duration.ofHours(2).toMillis());

      store.putAll(
          List.of(new StoredPrediction("ad-click", "u1", 2, Map.of("p", 0.6), T0.plusSeconds(1))));
      assertThat(r.connection.sync().pttl(prefix + "ad-click:u1")).isEqualTo(-1L);
    }
  }

  @Test
  void anUnreachableRedisIsUnavailableNotACrash() {
    assertThatThrownBy(
            () ->
                new RedisPredictionStore(
                    "redis://127.0.0.1:1", prefix, null, Duration.ofMillis(200)))
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining("127.0.0.1:1");
  }

  /** A plain connection to look at what the store wrote. */
  private static final class Redis implements AutoCloseable {
    final RedisClient client = RedisClient.create(URI);
    final StatefulRedisConnection<String, String> connection = client.connect();

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }
}

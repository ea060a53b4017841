package dev.slipway.serving.enrich;

import dev.slipway.api.ModelUnavailableException;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Features stored as Redis hashes: the hash at {@code keyPrefix + entityKey} holds one field per
 * feature. All keys of a request are fetched in one pipelined round trip (HMGET per key).
 *
 * <p>Thread-safe: one shared Lettuce connection, which multiplexes concurrent callers.
 */
public final class RedisFeatureSource implements FeatureSource {
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final String keyPrefix;
  private final Duration timeout;

  /**
   * Connects now, so that a wrong URI fails at start rather than on the first request.
   *
   * @param uri e.g. {@code redis://127.0.0.1:6379}
   * @param keyPrefix prepended to every entity key, e.g. {@code "features:user:"}
   */
  public RedisFeatureSource(String uri, String keyPrefix, Duration timeout) {
    this.client = RedisClient.create(uri);
    try {
      this.connection = client.connect();
    } catch (RuntimeException e) {
      client.shutdown();
      throw new ModelUnavailableException(
          "cannot connect to Redis at " + uri + ": " + e.getMessage(), e);
    }
    this.keyPrefix = keyPrefix;
    this.timeout = timeout;
  }

  @Override
  public List<Map<String, String>> fetch(List<String> keys, Collection<String> fields) {
    if (keys.isEmpty() || fields.isEmpty()) {
      return java.util.Collections.nCopies(keys.size(), Map.of());
    }
    String[] names = fields.toArray(String[]::new);
    RedisAsyncCommands<String, String> async = connection.async();
    List<RedisFuture<List<KeyValue<String, String>>>> futures = new ArrayList<>(keys.size());
    for (String key : keys) {
      futures.add(async.hmget(keyPrefix + key, names));
    }
    List<Map<String, String>> out = new ArrayList<>(keys.size());
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (RedisFuture<List<KeyValue<String, String>>> f : futures) {
        long left = Math.max(0, deadline - System.nanoTime());
        Map<String, String> values = new HashMap<>();
        for (KeyValue<String, String> kv : f.get(left, TimeUnit.NANOSECONDS)) {
          if (kv.hasValue()) {
            values.put(kv.getKey(), kv.getValue());
          }
        }
        out.add(values);
      }
    } catch (TimeoutException e) {
      throw new ModelUnavailableException("feature lookup in Redis took longer than " + timeout, e);
    } catch (ExecutionException e) {
      throw new ModelUnavailableException(
          "feature lookup in Redis failed: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelUnavailableException("interrupted during feature lookup", e);
    }
    return out;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}

package dev.slipway.batch.store;

import dev.slipway.api.ModelUnavailableException;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link PredictionStore} in Redis: one hash per prediction at {@code keyPrefix + model + ":" +
 * key} with fields {@code version}, {@code outputs} (JSON), {@code scored_at} (ISO-8601) and {@code
 * scored_at_us} (epoch microseconds, compared by the put). A put is a small Lua script, so that
 * "only if not older" is atomic; all puts of a call, and all gets of a {@link #getAll}, go in one
 * pipelined round trip. With a TTL, Redis forgets a prediction that long after it was stored.
 *
 * <p>Thread-safe: one shared Lettuce connection, which multiplexes concurrent callers.
 */
public final class RedisPredictionStore implements PredictionStore {
  private static final String[] FIELDS = {"version", "outputs", "scored_at_us"};

  private static final String PUT =
      "local cur = redis.call('HGET', KEYS[1], 'scored_at_us')\n"
          + "if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end\n"
          + "redis.call('HSET', KEYS[1], 'scored_at_us', ARGV[1], 'scored_at', ARGV[2],"
          + " 'version', ARGV[3], 'outputs', ARGV[4])\n"
          + "if tonumber(ARGV[5]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[5])"
          + " else redis.call('PERSIST', KEYS[1]) end\n"
          + "return 1";

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final String keyPrefix;
  private final Duration ttl;
  private final Duration timeout;

  /**
   * Connects now, so that a wrong URI fails at start rather than on the first request.
   *
   * @param uri e.g. {@code redis://127.0.0.1:6379}
   * @param keyPrefix prepended to every key, e.g. {@code "predictions:"}
   * @param ttl how long Redis keeps a stored prediction, or null to keep it until overwritten
   * @param timeout the budget of one call
   * @throws ModelUnavailableException when Redis cannot be reached
   */
  public RedisPredictionStore(String uri, String keyPrefix, Duration ttl, Duration timeout) {
    this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
    this.ttl = ttl;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.client = RedisClient.create(uri);
    try {
      this.connection = client.connect();
    } catch (RuntimeException e) {
      client.shutdown();
      throw new ModelUnavailableException(
          "cannot connect to the prediction store's Redis at " + uri + ": " + e.getMessage(), e);
    }
  }

  private String redisKey(String model, String key) {
    return keyPrefix + model + ":" + key;
  }

  @Override
  public void putAll(List<StoredPrediction> predictions) {
    RedisAsyncCommands<String, String> async = connection.async();
    String ttlMillis = ttl == null ? "0" : Long.toString(ttl.toMillis());
    List<RedisFuture<Long>> futures = new ArrayList<>(predictions.size());
    for (StoredPrediction p : predictions) {
      long micros = ChronoUnit.MICROS.between(Instant.EPOCH, p.scoredAt());
      futures.add(
          async.eval(
              PUT,
              ScriptOutputType.INTEGER,
              new String[] {redisKey(p.model(), p.key())},
              Long.toString(micros),
              p.scoredAt().toString(),
              Integer.toString(p.version()),
              JdbcPredictionStore.json(p.outputs()),
              ttlMillis));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (RedisFuture<Long> f : futures) {
      await(f, deadline, "storing predictions");
    }
  }

  @Override
  public Optional<StoredPrediction> get(String model, String key) {
    return getAll(model, List.of(key)).get(0);
  }

  @Override
  public List<Optional<StoredPrediction>> getAll(String model, List<String> keys) {
    keys.forEach(PredictionStore::checkKey);
    RedisAsyncCommands<String, String> async = connection.async();
    List<RedisFuture<List<KeyValue<String, String>>>> futures = new ArrayList<>(keys.size());
    for (String key : keys) {
      futures.add(async.hmget(redisKey(model, key), FIELDS));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Optional<StoredPrediction>> out = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      List<KeyValue<String, String>> values =
          await(futures.get(i), deadline, "reading predictions");
      if (values.stream().anyMatch(kv -> !kv.hasValue())) {
        out.add(Optional.empty());
        continue;
      }
      Instant at = Instant.EPOCH.plus(Long.parseLong(values.get(2).getValue()), ChronoUnit.MICROS);
      out.add(
          Optional.of(
              new StoredPrediction(
                  model,
                  keys.get(i),
                  Integer.parseInt(values.get(0).getValue()),
                  JdbcPredictionStore.outputs(values.get(1).getValue()),
                  at)));
    }
    return out;
  }

  private <T> T await(RedisFuture<T> f, long deadline, String what) {
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new ModelUnavailableException(
          what + " in Redis took longer than " + timeout + "; is Redis overloaded?", e);
    } catch (ExecutionException e) {
      throw new ModelUnavailableException(
          what + " in Redis failed: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelUnavailableException("interrupted while " + what + " in Redis", e);
    }
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }

  @Override
  public String toString() {
    return "prediction store in Redis (keys " + keyPrefix + "<model>:<key>)";
  }
}

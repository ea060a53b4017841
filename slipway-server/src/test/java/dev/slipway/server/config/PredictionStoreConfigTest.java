package dev.slipway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.batch.store.StoreFirst;
import dev.slipway.server.config.SlipwayConfig.PredictionStoreSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code predictionStore} section and the models' {@code store} sections of slipway.yaml. */
class PredictionStoreConfigTest {

  static SlipwayConfig parse(String yaml, Map<String, String> env) throws Exception {
    return SlipwayConfig.parse(
        new ObjectMapper(new YAMLFactory()).readTree(yaml), env, new ArrayList<>());
  }

  static List<String> problems(String yaml) {
    try {
      parse(yaml, Map.of());
    } catch (ConfigException e) {
      return e.problems();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no problem reported for:\n" + yaml);
  }

  @Test
  void theDefaultIsTheMetadataDatabaseWithNoModelAnsweringFromIt() throws Exception {
    assertThat(SlipwayConfig.defaults().predictionStore())
        .isEqualTo(PredictionStoreSettings.jdbc());
    PredictionStoreSettings p = parse("home: /tmp/h", Map.of()).predictionStore();
    assertThat(p.type()).isEqualTo(PredictionStoreSettings.Type.JDBC);
    assertThat(p.answers()).isEmpty();
  }

  @Test
  void readsARedisStoreAndAModelAnsweringFromIt() throws Exception {
    SlipwayConfig c =
        parse(
            """
            predictionStore:
              type: redis
              redis: {uri: "redis://127.0.0.1:6379", keyPrefix: "p:", ttl: P7D}
            models:
              ad-click:
                store: {answerFromStore: true, maxAge: PT24H, keyField: user_id}
              churn:
                store: {answerFromStore: false, maxAge: PT1H, keyField: id}
            """,
            Map.of());
    PredictionStoreSettings p = c.predictionStore();
    assertThat(p.type()).isEqualTo(PredictionStoreSettings.Type.REDIS);
    assertThat(p.redisUri()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(p.redisKeyPrefix()).isEqualTo("p:");
    assertThat(p.ttl()).isEqualTo(Duration.ofDays(7));
    assertThat(p.answers())
        .isEqualTo(Map.of("ad-click", new StoreFirst.Policy("user_id", Duration.ofHours(24))));
  }

  @Test
  void theRedisUriWithItsPasswordComesFromTheEnvironment() throws Exception {
    SlipwayConfig c =
        parse(
            "predictionStore: {type: redis}",
            Map.of("SLIPWAY_PREDICTION_STORE_REDIS_URI", "redis://:s3cret@10.0.0.5:6379"));
    assertThat(c.predictionStore().redisUri()).isEqualTo("redis://:s3cret@10.0.0.5:6379");

    assertThat(
            problems(
                "predictionStore: {type: redis, redis: {uri: \"redis://:s3cret@10.0.0.5:6379\"}}"))
        .singleElement()
        .asString()
        .contains("SLIPWAY_PREDICTION_STORE_REDIS_URI")
        .doesNotContain("s3cret");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    List<String> problems =
        problems(
            """
            predictionStore:
              type: mongo
              colour: blue
            models:
              ad-click:
                store: {answerFromStore: true, maxAge: 24 hours}
              churn:
                store: {answerFromStore: maybe, keyField: " ", maxAge: -PT1H}
              spam:
                store: {answerFromStore: true, keyField: id, stale: ok}
            """);
    assertThat(problems)
        .anyMatch(p -> p.startsWith("predictionStore.type: got \"mongo\", expected jdbc or redis"))
        .anyMatch(p -> p.startsWith("predictionStore.colour: unknown setting"))
        .anyMatch(
            p ->
                p.startsWith("models.ad-click.store.maxAge: got \"24 hours\"")
                    && p.contains("ISO-8601 duration such as PT24H"))
        .anyMatch(p -> p.startsWith("models.ad-click.store.keyField: required"))
        .anyMatch(p -> p.startsWith("models.churn.store.answerFromStore: got \"maybe\""))
        .anyMatch(p -> p.startsWith("models.churn.store.keyField: expected the name"))
        .anyMatch(p -> p.startsWith("models.churn.store.maxAge: got \"-PT1H\""))
        .anyMatch(p -> p.startsWith("models.spam.store.stale: unknown setting"))
        .anyMatch(p -> p.startsWith("models.spam.store.maxAge: required"));
  }

  @Test
  void aRedisStoreNeedsAUriAndRedisSettingsNeedARedisStore() {
    assertThat(problems("predictionStore: {type: redis}"))
        .singleElement()
        .asString()
        .startsWith("predictionStore.redis.uri: required");
    assertThat(problems("predictionStore: {type: redis, redis: {uri: \"http://x\"}}"))
        .singleElement()
        .asString()
        .contains("expected redis://host:port");
    assertThat(problems("predictionStore: {redis: {ttl: P1D}}"))
        .singleElement()
        .asString()
        .contains("only used with predictionStore.type redis");
  }

  @Test
  void theMetadataDatabaseStoreTakesATimeToLiveOnlyForItself() throws Exception {
    PredictionStoreSettings p =
        parse("predictionStore: {jdbc: {ttl: PT36H}}", Map.of()).predictionStore();
    assertThat(p.type()).isEqualTo(PredictionStoreSettings.Type.JDBC);
    assertThat(p.ttl()).isEqualTo(Duration.ofHours(36));
    assertThat(
            problems(
                "predictionStore: {type: redis, redis: {uri: \"redis://h:1\"}, jdbc: {ttl: P1D}}"))
        .singleElement()
        .asString()
        .contains("predictionStore.jdbc: only used with predictionStore.type jdbc");
    assertThat(problems("predictionStore: {jdbc: {ttl: soon}}"))
        .singleElement()
        .asString()
        .startsWith("predictionStore.jdbc.ttl");
  }
}

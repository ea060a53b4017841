package dev.slipway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlipwayConfigTest {
  static JsonNode yaml(String text) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(text);
  }

  @Test
  void defaultsAreTheEmbeddedSetup() {
    SlipwayConfig c = SlipwayConfig.load(null, Map.of());
    assertThat(c.home()).isEqualTo(Path.of("slipway-home"));
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.redisUri()).isNull();
    assertThat(c.enrich()).isEmpty();
  }

  @Test
  void theDashboardHistorySamplesEveryTenSecondsUnlessConfigured() throws Exception {
    assertThat(SlipwayConfig.load(null, Map.of()).historySampleSeconds()).isEqualTo(10);
    assertThat(
            SlipwayConfig.parse(yaml("history: {sampleSeconds: 30}"), Map.of(), new ArrayList<>())
                .historySampleSeconds())
        .isEqualTo(30);
    assertThatThrownBy(
            () ->
                SlipwayConfig.parse(
                    yaml("history: {sampleSeconds: 0, every: 5}"), Map.of(), new ArrayList<>()))
        .hasMessageContaining("history.sampleSeconds")
        .hasMessageContaining("history.every");
  }

  @Test
  void readsEverySettingAndEnvironmentWins() throws Exception {
    SlipwayConfig c =
        SlipwayConfig.parse(
            yaml(
                """
                home: /tmp/h
                server: {port: 9000, maxRequestBytes: 2048, maxRecords: 5, inferOnEventLoop: true}
                runtime: {intraOpThreads: 2}
                features: {redis: {uri: "redis://127.0.0.1:6379", keyPrefix: "f:", timeoutMillis: 20}}
                models: {ad-click: {enrich: {entityField: user_id}}}
                """),
            Map.of("SLIPWAY_PORT", "9100"),
            new ArrayList<>());
    assertThat(c.home()).isEqualTo(Path.of("/tmp/h"));
    assertThat(c.port()).isEqualTo(9100);
    assertThat(c.maxRequestBytes()).isEqualTo(2048);
    assertThat(c.maxRecords()).isEqualTo(5);
    assertThat(c.inferOnEventLoop()).isTrue();
    assertThat(c.intraOpThreads()).isEqualTo(2);
    assertThat(c.redisUri()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(c.redisKeyPrefix()).isEqualTo("f:");
    assertThat(c.enrich()).containsEntry("ad-click", "user_id");
  }

  @Test
  void reportsEveryProblemAtOnce() throws Exception {
    JsonNode bad =
        yaml(
            """
            server: {port: 70000, maxRecords: none, colour: blue}
            features: {redis: {uri: "http://x"}}
            runtime: {intraOpThreads: 0}
            models: {m: {enrich: {entityField: ""}}}
            extra: 1
            """);
    assertThatThrownBy(() -> SlipwayConfig.parse(bad, Map.of(), new ArrayList<>()))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e -> {
              assertThat(((ConfigException) e).problems())
                  .anySatisfy(p -> assertThat(p).startsWith("server.port").contains("70000"))
                  .anySatisfy(p -> assertThat(p).startsWith("server.maxRecords").contains("none"))
                  .anySatisfy(p -> assertThat(p).startsWith("server.colour").contains("unknown"))
                  .anySatisfy(
                      p -> assertThat(p).startsWith("features.redis.uri").contains("redis://"))
                  .anySatisfy(p -> assertThat(p).startsWith("runtime.intraOpThreads"))
                  .anySatisfy(p -> assertThat(p).startsWith("models.m.enrich.entityField"))
                  .anySatisfy(p -> assertThat(p).startsWith("extra"));
            });
  }

  @Test
  void enrichWithoutAFeatureStoreIsAProblem() throws Exception {
    assertThatThrownBy(
            () ->
                SlipwayConfig.parse(
                    yaml("models: {m: {enrich: {entityField: id}}}"), Map.of(), new ArrayList<>()))
        .hasMessageContaining("models.m.enrich")
        .hasMessageContaining("features.redis.uri");
  }
}

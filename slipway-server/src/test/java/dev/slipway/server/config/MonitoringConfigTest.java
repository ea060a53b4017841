package dev.slipway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.monitor.MonitorSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MonitoringConfigTest {
  @Test
  void withoutASectionEveryRequestIsLoggedFor30Days() {
    MonitorSettings m = SlipwayConfig.load(null, Map.of()).monitoring();
    assertThat(m.enabled()).isTrue();
    assertThat(m.sampleRate("any")).isEqualTo(1.0);
    assertThat(m.retentionDays()).isEqualTo(30);
    assertThat(m.threshold("any")).isEqualTo(0.5);
    assertThat(m.scoreOutput("any")).isEqualTo("score");
  }

  @Test
  void readsEverySettingWithPerModelOverrides() throws Exception {
    MonitorSettings m =
        SlipwayConfig.parse(
                SlipwayConfigTest.yaml(
                    """
                    monitoring:
                      sampleRate: 0.5
                      retentionDays: 7
                      retentionCheckMinutes: 15
                      queueCapacity: 100
                      batchSize: 10
                      entityJoinWindow: 2h
                      window: 1d
                      models:
                        ad-click: {sampleRate: 0.1, entityField: user_id, scoreOutput: p, threshold: 0.3}
                    """),
                Map.of(),
                new ArrayList<>())
            .monitoring();
    assertThat(m.sampleRate("other")).isEqualTo(0.5);
    assertThat(m.sampleRate("ad-click")).isEqualTo(0.1);
    assertThat(m.entityField("ad-click")).isEqualTo("user_id");
    assertThat(m.scoreOutput("ad-click")).isEqualTo("p");
    assertThat(m.threshold("ad-click")).isEqualTo(0.3);
    assertThat(m.retentionDays()).isEqualTo(7);
    assertThat(m.retentionEvery()).isEqualTo(Duration.ofMinutes(15));
    assertThat(m.queueCapacity()).isEqualTo(100);
    assertThat(m.batchSize()).isEqualTo(10);
    assertThat(m.entityJoinWindow()).isEqualTo(Duration.ofHours(2));
    assertThat(m.performanceWindow()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void reportsEveryProblemAtOnce() throws Exception {
    var bad =
        SlipwayConfigTest.yaml(
            """
            monitoring:
              sampleRate: 2
              retentionDays: 0
              window: weekly
              colour: blue
              models:
                ad-click: {threshold: 5, entityField: ""}
            """);
    assertThatThrownBy(() -> SlipwayConfig.parse(bad, Map.of(), new ArrayList<>()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.getMessage())
                    .contains("monitoring.sampleRate")
                    .contains("monitoring.retentionDays")
                    .contains("monitoring.window")
                    .contains("monitoring.colour")
                    .contains("monitoring.models.ad-click.threshold")
                    .contains("monitoring.models.ad-click.entityField"));
  }
}

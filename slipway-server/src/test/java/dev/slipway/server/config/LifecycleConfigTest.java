package dev.slipway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.monitor.alert.AlertRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LifecycleConfigTest {
  @Test
  void withoutSectionsThereAreNoRulesAndNoPolicies() {
    LifecycleConfig c = SlipwayConfig.load(null, Map.of()).lifecycle();
    assertThat(c.isEmpty()).isTrue();
    assertThat(c.alerts().window()).isEqualTo(Duration.ofHours(1));
    assertThat(c.alerts().closeDelay()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void readsRulesAndAPolicyWithSecondWindows() throws Exception {
    LifecycleConfig c =
        SlipwayConfig.parse(
                SlipwayConfigTest.yaml(
                    """
                    alerts:
                      window: 10s
                      closeDelay: 2s
                      evaluateEvery: 1s
                      minRows: 50
                      webhook: http://127.0.0.1:9/hook
                      models:
                        ad-click:
                          - {name: drift, metric: drift.psi.max, above: 0.25, windows: 2}
                          - {name: auc-low, metric: auc, below: 0.7}
                          - {name: age, metric: drift.psi.user_age, above: 0.2, windows: 3}
                    lifecycle:
                      models:
                        ad-click:
                          onAlerts: [drift, auc-low]
                          cooldown: 30m
                          canarySteps: [10, 50, 100]
                          retrain: {window: 2h, minRows: 500, holdout: 0.25, seed: 9}
                          gate: {atLeast: {auc: 0.6}, maxWorsening: {log_loss: 0.01}}
                          canary:
                            minSamples: 300
                            minStepDuration: 20s
                            evaluateEvery: 5s
                            maxP99Ratio: 2
                            metric: {name: accuracy, margin: 0.02, effect: 0.03}
                    """),
                Map.of(),
                new ArrayList<>())
            .lifecycle();
    assertThat(c.alerts().window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.alerts().closeDelay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.alerts().minRows()).isEqualTo(50);
    assertThat(c.alerts().webhook()).isEqualTo("http://127.0.0.1:9/hook");
    assertThat(c.alerts().rules().get("ad-click"))
        .containsExactly(
            new AlertRule("drift", "drift.psi.max", AlertRule.Direction.ABOVE, 0.25, 2),
            new AlertRule("auc-low", "auc", AlertRule.Direction.BELOW, 0.7, 1),
            new AlertRule("age", "drift.psi.user_age", AlertRule.Direction.ABOVE, 0.2, 3));
    LifecycleConfig.Policy p = c.policies().get("ad-click");
    assertThat(p.policy().onAlerts()).containsExactlyInAnyOrder("drift", "auc-low");
    assertThat(p.policy().cooldown()).isEqualTo(Duration.ofMinutes(30));
    assertThat(p.policy().canarySteps()).containsExactly(10, 50, 100);
    assertThat(p.retrain())
        .isEqualTo(new LifecycleConfig.Retrain(Duration.ofHours(2), 500, 0.25, 9));
    assertThat(p.gate().atLeast()).isEqualTo(Map.of("auc", 0.6));
    assertThat(p.gate().atMost()).isEmpty();
    assertThat(p.gate().maxWorsening()).isEqualTo(Map.of("log_loss", 0.01));
    assertThat(p.canary().minSamples()).isEqualTo(300);
    assertThat(p.canary().minStepDuration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(p.canary().evaluateEvery()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.canary().maxP99Ratio()).isEqualTo(2.0);
    assertThat(p.canary().metric().name()).isEqualTo("accuracy");
    assertThat(p.canary().metric().margin()).isEqualTo(0.02);
    assertThat(p.canary().metric().effect()).isEqualTo(0.03);
    assertThat(p.canary().metric().higherIsBetter()).isTrue();
    assertThat(p.canary().metric().binary()).isTrue();
  }

  @Test
  void aCanaryWithoutAMetricIsJudgedByErrorsAndLatency() throws Exception {
    LifecycleConfig c =
        SlipwayConfig.parse(
                SlipwayConfigTest.yaml(
                    """
                    alerts:
                      models:
                        m: [{name: d, metric: prediction_drift.psi, above: 0.2}]
                    lifecycle:
                      models:
                        m: {onAlerts: [d], canary: {metric: none}}
                    """),
                Map.of(),
                new ArrayList<>())
            .lifecycle();
    assertThat(c.policies().get("m").canary().metric()).isNull();
    assertThat(c.policies().get("m").policy().canarySteps()).containsExactly(5, 25, 50, 100);
    assertThat(c.policies().get("m").retrain()).isEqualTo(LifecycleConfig.Retrain.defaults());
  }

  @Test
  void reportsEveryProblemWithItsKey() throws Exception {
    var bad =
        SlipwayConfigTest.yaml(
            """
            alerts:
              window: 0s
              closeDelay: soon
              minRows: -3
              webhook: ftp://x
              colour: blue
              models:
                ad-click:
                  - {name: a, metric: auc, below: 0.7, above: 0.9}
                  - {name: b, metric: recall, above: 0.1}
                  - {name: c, metric: auc, below: high, windows: 0}
                  - {name: d, metric: log_loss, above: 1}
                  - {name: d, metric: accuracy, below: 0.5}
                other: {name: x}
            lifecycle:
              models:
                ad-click:
                  onAlerts: [nope]
                  cooldown: -1h
                  canarySteps: [50, 20, 100]
                  retrain: {holdout: 0.9, minRows: 1, size: 3}
                  canary: {minSamples: 0, metric: {name: accuracy, margin: -1}}
                  gate: {atLeast: {recall: 0.5, auc: high}}
                ad-hoc:
                  onAlerts: [a]
                  canary: {metric: {name: recall}}
                ad-loss:
                  onAlerts: [a]
                  canary: {metric: {name: log_loss, higherIsBetter: true}}
                ghost: {onAlerts: [drift]}
            """);
    assertThatThrownBy(() -> SlipwayConfig.parse(bad, Map.of(), new ArrayList<>()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              List<String> expected =
                  List.of(
                      "alerts.window: got \"0s\"",
                      "alerts.closeDelay: got \"soon\"",
                      "alerts.minRows: got -3",
                      "alerts.webhook: got \"ftp://x\"",
                      "alerts.colour: unknown setting",
                      "alerts.models.ad-click[0]: expected exactly one of 'below' or 'above'",
                      "alerts.models.ad-click[1].metric: got \"recall\"",
                      "alerts.models.ad-click[2].below: got \"high\", expected a number",
                      "alerts.models.ad-click[2].windows: got 0",
                      "alerts.models.ad-click[4].name: 'd' is used twice",
                      "alerts.models.other: expected a list of rules",
                      "lifecycle.models.ad-click.onAlerts[0]: got \"nope\", expected the name of a"
                          + " rule under alerts.models.ad-click ([d])",
                      "lifecycle.models.ad-click.cooldown: got \"-1h\"",
                      "lifecycle.models.ad-click.canarySteps[1]: got 20",
                      "lifecycle.models.ad-click.retrain.holdout: got 0.9",
                      "lifecycle.models.ad-click.retrain.minRows: got 1",
                      "lifecycle.models.ad-click.retrain.size: unknown setting",
                      "lifecycle.models.ad-click.canary.minSamples: got 0",
                      "lifecycle.models.ad-click.canary.metric.margin: got -1",
                      "lifecycle.models.ad-click.gate.atLeast.recall: unknown metric",
                      "lifecycle.models.ad-click.gate.atLeast.auc: got \"high\", expected a number",
                      "lifecycle.models.ad-hoc.canary.metric.name: got \"recall\", expected one of"
                          + " [click_rate, accuracy, log_loss]",
                      "lifecycle.models.ad-loss.canary.metric.higherIsBetter: got true, but"
                          + " log_loss is lower-is-better",
                      "lifecycle.models.ghost.onAlerts[0]: got \"drift\", expected the name of a"
                          + " rule under alerts.models.ghost (there is none)");
              for (String s : expected) {
                assertThat(e.getMessage()).contains(s);
              }
            });
  }

  @Test
  void durationsTakeSecondsMinutesHoursDaysOrIso() {
    assertThat(LifecycleConfig.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(LifecycleConfig.parseDuration("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(LifecycleConfig.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(LifecycleConfig.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(LifecycleConfig.parseDuration("PT90S")).isEqualTo(Duration.ofSeconds(90));
    assertThat(LifecycleConfig.parseDuration("weekly")).isNull();
  }
}

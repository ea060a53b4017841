package dev.slipway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.api.Record;
import dev.slipway.guard.input.InputGuard;
import dev.slipway.serving.guard.GuardSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuardConfigTest {
  static SlipwayConfig parse(String yaml) throws Exception {
    return SlipwayConfig.parse(
        new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of(), new ArrayList<>());
  }

  @Test
  void readsEveryGuardSetting() throws Exception {
    SlipwayConfig c =
        parse(
            """
            models:
              ad-click:
                guards:
                  inputs:
                    policy: reject
                    features:
                      user_age: impute
                      device: {policy: impute, value: mobile}
                      site_category: heuristic
                  outputs:
                    ranges: {score: [0, 1], probabilities: [0, null]}
                    confidence: {output: probabilities, min: 0.55}
                  fallback: [ad-click-simple@champion, heuristic]
                  heuristic:
                    rules:
                      - when: [{feature: user_past_ctr, op: ">=", value: 0.2}]
                        then: {label: click, score: 0.3, probabilities: [0.3, 0.7]}
                    otherwise: {label: no_click, score: 0.046}
                  breaker: {failureRatePercent: 40, window: 30, minimumCalls: 5, openSeconds: 9,
                            slowCallMillis: 250}
            """);
    GuardSpec g = c.guard("ad-click");
    assertThat(g.inputPolicy()).isEqualTo(InputGuard.Policy.REJECT);
    assertThat(g.featurePolicies())
        .containsEntry("user_age", InputGuard.Policy.IMPUTE)
        .containsEntry("device", InputGuard.Policy.IMPUTE)
        .containsEntry("site_category", InputGuard.Policy.HEURISTIC);
    assertThat(g.impute()).containsEntry("device", "mobile");
    assertThat(g.outputRanges().get("score").max()).isEqualTo(1.0);
    assertThat(g.outputRanges().get("probabilities").max()).isNull();
    assertThat(g.confidenceOutput()).isEqualTo("probabilities");
    assertThat(g.minConfidence()).isEqualTo(0.55);
    assertThat(g.fallback()).containsExactly("ad-click-simple@champion", "heuristic");
    assertThat(g.heuristic().answer(Record.of(Map.of("user_past_ctr", 0.25))))
        .containsEntry("label", "click")
        .containsEntry("probabilities", List.of(0.3, 0.7));
    assertThat(g.heuristic().answer(Record.of(Map.of("user_past_ctr", 0.1))))
        .containsEntry("score", 0.046);
    assertThat(g.breaker())
        .isEqualTo(new GuardSpec.Breaker(40, 30, 5, Duration.ofSeconds(9), Duration.ofMillis(250)));
    assertThat(c.guard("other")).isNull();
  }

  @Test
  void everyProblemIsReportedWithItsPath() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    models:
                      m:
                        guards:
                          inputs: {policy: ignore, features: {a: {policy: reject, value: 3}}}
                          outputs: {ranges: {score: [1, 0], p: "high"}, confidence: {min: "x"}}
                          fallback: ["bad name!", heuristic]
                          heuristic:
                            rules: [{when: [{feature: a, op: "=~", value: 1}], then: {y: 1}}]
                          breaker: {window: 0, colour: red}
                          retries: 3
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("models.m.guards.inputs.policy: got \"ignore\"")
        .hasMessageContaining(
            "models.m.guards.inputs.features.a.value: only used with policy impute")
        .hasMessageContaining("models.m.guards.outputs.ranges.score")
        .hasMessageContaining("models.m.guards.outputs.ranges.p")
        .hasMessageContaining("models.m.guards.outputs.confidence.output")
        .hasMessageContaining("models.m.guards.outputs.confidence.min")
        .hasMessageContaining("models.m.guards.fallback[0]")
        .hasMessageContaining("models.m.guards.heuristic.rules[0].when[0]: unknown operator")
        .hasMessageContaining("models.m.guards.heuristic.otherwise")
        .hasMessageContaining("models.m.guards.breaker.window")
        .hasMessageContaining("models.m.guards.breaker.colour: unknown setting")
        .hasMessageContaining("models.m.guards.retries: unknown setting");
  }

  @Test
  void aHeuristicPolicyWithoutAHeuristicIsAProblem() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    models:
                      m:
                        guards:
                          inputs: {policy: heuristic}
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("models.m.guards: a heuristic is used");
  }
}

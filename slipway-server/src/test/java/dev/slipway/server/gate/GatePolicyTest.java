package dev.slipway.server.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GatePolicyTest {
  final GatePolicy policy = GatePolicy.defaults();

  @Test
  void aCandidateAboveTheValueThresholdWithNoChampionIsBlessed() {
    assertThat(policy.decide(Map.of("auc", 0.75, "log_loss", 0.2), null).blessed()).isTrue();
  }

  @Test
  void aCandidateBelowTheValueThresholdIsNotBlessedAndSaysWhy() {
    GatePolicy.Decision d = policy.decide(Map.of("auc", 0.65, "log_loss", 0.2), null);
    assertThat(d.blessed()).isFalse();
    assertThat(d.failures()).singleElement().asString().contains("auc 0.65").contains("0.7");
  }

  @Test
  void changeThresholdsFollowEachMetricsDirection() {
    Map<String, Double> champion = Map.of("auc", 0.80, "log_loss", 0.20);
    assertThat(policy.decide(Map.of("auc", 0.795, "log_loss", 0.199), champion).blessed())
        .as("within 0.01 AUC")
        .isTrue();
    GatePolicy.Decision worse = policy.decide(Map.of("auc", 0.78, "log_loss", 0.21), champion);
    assertThat(worse.blessed()).isFalse();
    assertThat(worse.failures()).hasSize(2);
    assertThat(worse.numbers())
        .containsEntry("champion_auc", 0.80)
        .containsEntry("candidate_log_loss", 0.21);
  }

  @Test
  void aMissingMetricFailsRatherThanPasses() {
    assertThat(policy.decide(Map.of("log_loss", 0.1), null).blessed()).isFalse();
  }
}

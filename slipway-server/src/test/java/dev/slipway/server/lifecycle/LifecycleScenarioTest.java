package dev.slipway.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.server.demo.LifecycleScenario;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripted scenario end to end on a real server: normal traffic, the shift, the drift alert,
 * retraining, the gate, the canary step by step, the new champion — in that order.
 */
class LifecycleScenarioTest {
  @TempDir Path home;

  @Test
  void driftRetrainsGatesAndReleasesANewChampionInOrder() throws Exception {
    StringWriter text = new StringWriter();
    LifecycleScenario.Settings d = LifecycleScenario.Settings.defaults(home.resolve("home"));
    // Faster than the command: a smaller demo model, one baseline window, two canary steps.
    LifecycleScenario.Settings s =
        new LifecycleScenario.Settings(
            d.home(),
            d.seed(),
            8_000,
            d.rate(),
            d.window(),
            1,
            java.util.List.of(50, 100),
            d.canaryMetric(),
            d.minSamples(),
            d.minStep(),
            d.timeLimit());
    LifecycleScenario.Result r =
        new LifecycleScenario(s.withTimeLimit(Duration.ofSeconds(150)), new PrintWriter(text, true))
            .run();
    System.out.println(text);

    assertThat(r.failedStage()).as(text.toString()).isNull();
    assertThat(r.candidate()).isEqualTo(2);
    assertThat(r.champion()).isEqualTo(2);
    List<String> order = new ArrayList<>();
    for (LifecycleScenario.Event e : r.events()) {
      if (LifecycleScenario.STAGES.contains(e.stage()) && !order.contains(e.stage())) {
        order.add(e.stage());
      }
    }
    assertThat(order).containsExactly("baseline", "shift", "alert", "retrain", "gate", "canary");
    assertThat(text.toString())
        .contains("canary ADVANCE at 100 %")
        .contains("accuracy non-inferior")
        .contains("canary PROMOTE at 100 %");
  }
}

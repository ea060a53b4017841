package dev.slipway.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.Record;
import dev.slipway.monitor.MonitorSettings;
import dev.slipway.monitor.Monitoring;
import dev.slipway.monitor.alert.Alert;
import dev.slipway.monitor.alert.AlertEngine;
import dev.slipway.monitor.alert.AlertRule;
import dev.slipway.monitor.feedback.Feedback;
import dev.slipway.monitor.log.LoggedPrediction;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.config.LifecycleConfig;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.train.data.AdClickGenerator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Windows of a real prediction log and feedback (embedded database) are closed by an injected clock
 * and fed to the alert rules: values per window, the close rule, and alerts that fire once.
 */
class AlertEvaluatorTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final Duration W = Duration.ofSeconds(10);

  @TempDir Path home;
  ModelRegistry registry;
  Monitoring monitoring;
  AlertEngine engine;
  AlertEvaluator evaluator;
  final List<Alert> fired = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    registry = ModelRegistry.embedded(home);
    DemoModel.register(registry, 7, 4000); // version 1, with the default market's profile
    monitoring =
        new Monitoring(
            registry.dataSource(),
            MonitorSettings.defaults(),
            java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC),
            new SimpleMeterRegistry());
    LifecycleConfig.Alerts settings =
        new LifecycleConfig.Alerts(
            W,
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            100,
            null,
            Map.of(
                DemoModel.NAME,
                List.of(
                    new AlertRule("drift", "drift.psi.max", AlertRule.Direction.ABOVE, 0.25, 2),
                    new AlertRule("auc-low", "auc", AlertRule.Direction.BELOW, 0.6, 1),
                    new AlertRule("quiet", "predictions", AlertRule.Direction.BELOW, 1, 1))));
    engine = new AlertEngine(settings.rules());
    engine.addListener(fired::add);
    evaluator = new AlertEvaluator(settings, engine, monitoring, registry, T0.plusSeconds(3));
  }

  @AfterEach
  void tearDown() {
    monitoring.close();
    registry.close();
  }

  /** Logs {@code n} predictions made in window {@code k} with their feedback. */
  void traffic(int k, List<Record> rows, boolean goodScores) {
    Random random = new Random(k);
    List<LoggedPrediction> logged = new ArrayList<>();
    List<Feedback> feedback = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Record r = rows.get(i);
      Map<String, Object> inputs = new java.util.LinkedHashMap<>(r.asMap());
      boolean click = AdClickGenerator.CLICK.equals(inputs.remove(AdClickGenerator.LABEL));
      double score =
          goodScores
              ? 1 / (1 + Math.exp(-AdClickGenerator.groundTruthLogit(r)))
              : random.nextDouble();
      String id = "w" + k + "-" + i;
      logged.add(
          new LoggedPrediction(
              0,
              id,
              0,
              DemoModel.NAME,
              1,
              T0.plus(W.multipliedBy(k)).plusMillis(i * 9_000L / rows.size()),
              100,
              DemoModel.NAME + "/1",
              null,
              score,
              inputs,
              Map.of("score", score)));
      feedback.add(Feedback.ofRequest(id, click ? 1 : 0));
    }
    monitoring.log().append(logged);
    monitoring.submit(feedback);
  }

  @Test
  void aWindowIsEvaluatedOnceAfterItsEndPlusTheCloseDelay() {
    traffic(0, new AdClickGenerator(1).generate(600), true);
    assertThat(evaluator.evaluateAt(T0.plusSeconds(11))).isEmpty(); // ended, not closed yet
    List<AlertEvaluator.Evaluated> closed = evaluator.evaluateAt(T0.plusSeconds(12));
    assertThat(closed).hasSize(1);
    AlertEvaluator.Evaluated e = closed.get(0);
    assertThat(e.start()).isEqualTo(T0);
    assertThat(e.end()).isEqualTo(T0.plus(W));
    assertThat(e.values()).containsOnlyKeys("drift.psi.max", "auc", "predictions");
    assertThat(e.values().get("predictions")).isEqualTo(600.0);
    assertThat(e.values().get("drift.psi.max")).isBetween(0.0, 0.1); // the same market
    assertThat(e.values().get("auc"))
        .isBetween(0.6, 0.9); // the ground truth ranks, on about 28 clicks
    assertThat(evaluator.evaluateAt(T0.plusSeconds(13))).isEmpty(); // once
    assertThat(fired).isEmpty();
  }

  @Test
  void theShiftedMarketFiresTheDriftAlertOnceAfterTwoWindows() {
    traffic(0, new AdClickGenerator(1).generate(600), true);
    traffic(1, AdClickGenerator.shifted(2).generate(600), true);
    traffic(2, AdClickGenerator.shifted(3).generate(600), true);
    traffic(3, AdClickGenerator.shifted(4).generate(600), true);
    evaluator.evaluateAt(T0.plusSeconds(12));
    assertThat(evaluator.evaluateAt(T0.plusSeconds(22)).get(0).values().get("drift.psi.max"))
        .isGreaterThan(0.5);
    assertThat(fired).isEmpty(); // one breaching window of two
    evaluator.evaluateAt(T0.plusSeconds(32));
    assertThat(fired).hasSize(1);
    Alert a = fired.get(0);
    assertThat(a.rule().name()).isEqualTo("drift");
    assertThat(a.at()).isEqualTo(T0.plusSeconds(30));
    assertThat(a.values()).hasSize(2).allMatch(v -> v > 0.25);
    evaluator.evaluateAt(T0.plusSeconds(42));
    assertThat(fired).hasSize(1); // still breaching: one alert per episode
    assertThat(engine.isFiring(DemoModel.NAME, "drift")).isTrue();
  }

  @Test
  void windowsWithTooFewRowsHaveNoValueAndPerformanceAlertsNeedFeedback() {
    traffic(0, new AdClickGenerator(1).generate(50), true); // below minRows
    traffic(1, new AdClickGenerator(2).generate(400), false); // random scores
    List<AlertEvaluator.Evaluated> closed = evaluator.evaluateAt(T0.plusSeconds(22));
    assertThat(closed).hasSize(2);
    assertThat(closed.get(0).values()).containsOnlyKeys("predictions");
    assertThat(closed.get(1).values().get("auc")).isBetween(0.35, 0.6);
    assertThat(fired).extracting(x -> x.rule().name()).containsExactly("auc-low");
  }

  @Test
  void anEmptyWindowReportsZeroPredictions() {
    List<AlertEvaluator.Evaluated> closed = evaluator.evaluateAt(T0.plusSeconds(12));
    assertThat(closed.get(0).values()).containsExactly(Map.entry("predictions", 0.0));
    assertThat(fired).extracting(x -> x.rule().name()).containsExactly("quiet");
    assertThat(evaluator.latest(DemoModel.NAME)).contains(closed.get(0));
  }
}

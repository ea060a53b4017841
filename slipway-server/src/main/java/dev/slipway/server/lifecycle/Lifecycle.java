package dev.slipway.server.lifecycle;

import dev.slipway.monitor.Monitoring;
import dev.slipway.monitor.alert.Alert;
import dev.slipway.monitor.alert.AlertEngine;
import dev.slipway.monitor.alert.AlertRule;
import dev.slipway.monitor.canary.CanaryController;
import dev.slipway.monitor.lifecycle.LifecycleActions;
import dev.slipway.monitor.lifecycle.LifecycleLoop;
import dev.slipway.monitor.lifecycle.LifecyclePolicy;
import dev.slipway.monitor.lifecycle.LifecycleStep;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.config.LifecycleConfig;
import dev.slipway.server.webhook.WebhookNotifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts and lifecycle policies of one server: the {@link AlertEngine} with its sinks (the log, a
 * Micrometer counter {@code slipway.alerts.fired} and gauges {@code slipway.alert.firing} and
 * {@code slipway.alert.value} per rule, an optional webhook), the {@link AlertEvaluator} that
 * closes windows, and the {@link LifecycleLoop} that acts on alerts. {@link #tick} evaluates the
 * closed windows and judges running canaries of models with a policy every {@code
 * canary.evaluateEvery} when that is shorter than the server's own {@value
 * #SERVER_CANARY_SECONDS}-second evaluation; {@link #start} runs it every {@code
 * alerts.evaluateEvery} on its own thread. Lifecycle runs (training takes seconds to minutes) go to
 * another thread.
 *
 * <p>Thread-safe.
 */
public final class Lifecycle implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  /** How often the server judges every running rollout anyway. */
  public static final long SERVER_CANARY_SECONDS = 60;

  private static final java.time.Duration SERVER_CANARY_EVALUATION =
      java.time.Duration.ofSeconds(SERVER_CANARY_SECONDS);

  /** Fired alerts kept for {@code GET /api/v1/alerts}. */
  public static final int KEEP_FIRED = 500;

  private final LifecycleConfig config;
  private final AlertEngine engine;
  private final AlertEvaluator evaluator;
  private final LifecycleLoop loop;
  private final CanaryController canary;
  private final Clock clock;
  private final Deque<Alert> fired = new ArrayDeque<>();
  private final Map<String, Instant> lastCanaryEvaluation = new HashMap<>();
  private final ExecutorService runs =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "slipway-lifecycle-run");
            t.setDaemon(true);
            return t;
          });
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "slipway-alerts");
            t.setDaemon(true);
            return t;
          });
  private final WebhookNotifier webhook;

  /**
   * @param actions the lifecycle's actions (on a server, {@link RegistryLifecycleActions})
   * @param clock dates windows, alerts and steps; the first window evaluated holds its instant now
   */
  public Lifecycle(
      LifecycleConfig config,
      LifecycleActions actions,
      Monitoring monitoring,
      ModelRegistry registry,
      CanaryController canary,
      MeterRegistry meters,
      Clock clock) {
    this.config = config;
    this.canary = canary;
    this.clock = clock;
    this.engine = new AlertEngine(config.alerts().rules());
    this.evaluator =
        new AlertEvaluator(config.alerts(), engine, monitoring, registry, clock.instant());
    List<LifecyclePolicy> policies = new ArrayList<>();
    config.policies().values().forEach(p -> policies.add(p.policy()));
    this.loop = new LifecycleLoop(policies, actions, clock, runs);
    this.webhook =
        config.alerts().webhook() == null
            ? null
            : new WebhookNotifier(
                List.of(java.net.URI.create(config.alerts().webhook())),
                5,
                java.time.Duration.ofSeconds(1),
                System.getenv("SLIPWAY_WEBHOOK_SECRET"),
                clock);
    config
        .alerts()
        .rules()
        .forEach(
            (model, rules) -> {
              for (AlertRule r : rules) {
                Gauge.builder(
                        "slipway.alert.firing", () -> engine.isFiring(model, r.name()) ? 1 : 0)
                    .description("1 while the alert rule is firing, else 0")
                    .tag("model", model)
                    .tag("rule", r.name())
                    .register(meters);
                Gauge.builder("slipway.alert.value", () -> lastValue(model, r.name()))
                    .description("The last closed window's value of the rule's metric")
                    .tag("model", model)
                    .tag("rule", r.name())
                    .tag("metric", r.metric())
                    .register(meters);
                Counter.builder("slipway.alerts.fired")
                    .description("Alerts fired")
                    .tag("model", model)
                    .tag("rule", r.name())
                    .register(meters);
              }
            });
    engine.addListener(
        a -> {
          LOG.warn("ALERT {}", a.message());
          meters
              .counter("slipway.alerts.fired", "model", a.model(), "rule", a.rule().name())
              .increment();
          synchronized (fired) {
            fired.addLast(a);
            while (fired.size() > KEEP_FIRED) {
              fired.pollFirst();
            }
          }
          if (webhook != null) {
            webhook.post("alert_fired", alertFields(a));
          }
        });
    engine.addListener(loop);
    if (webhook != null) {
      loop.addStepListener(s -> webhook.post("lifecycle_step", stepFields(s)));
    }
  }

  /** The lifecycle of a server, acting through {@link RegistryLifecycleActions}. */
  public static Lifecycle of(
      LifecycleConfig config,
      ModelRegistry registry,
      Monitoring monitoring,
      dev.slipway.server.gate.Evaluator evaluator,
      CanaryController canary,
      MeterRegistry meters,
      Clock clock) {
    RegistryLifecycleActions actions =
        new RegistryLifecycleActions(
            registry, monitoring, evaluator, canary, config.policies()::get, clock);
    return new Lifecycle(config, actions, monitoring, registry, canary, meters, clock);
  }

  /**
   * Evaluates the windows closed at {@code now}, then judges the running canary of each model with
   * a policy whose {@code canary.evaluateEvery} has passed.
   */
  public void tick(Instant now) {
    evaluator.evaluateAt(now);
    config
        .policies()
        .forEach(
            (model, p) -> {
              if (p.canary().evaluateEvery().compareTo(SERVER_CANARY_EVALUATION) >= 0) {
                return; // the server's own evaluation is as frequent
              }
              Instant last;
              synchronized (lastCanaryEvaluation) {
                last = lastCanaryEvaluation.get(model);
                if (last != null && now.isBefore(last.plus(p.canary().evaluateEvery()))) {
                  return;
                }
                lastCanaryEvaluation.put(model, now);
              }
              try {
                canary.evaluate(model);
              } catch (RuntimeException ex) {
                LOG.warn("evaluating the canary of '{}' failed: {}", model, ex.getMessage());
              }
            });
  }

  /** Runs {@link #tick} every {@code alerts.evaluateEvery} with the clock's time. */
  public void start() {
    long every = config.alerts().evaluateEvery().toMillis();
    ticker.scheduleWithFixedDelay(
        () -> {
          try {
            tick(clock.instant());
          } catch (RuntimeException e) {
            LOG.warn("alert evaluation failed: {}", e.getMessage());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  public LifecycleConfig config() {
    return config;
  }

  public AlertEngine engine() {
    return engine;
  }

  public AlertEvaluator evaluator() {
    return evaluator;
  }

  public LifecycleLoop loop() {
    return loop;
  }

  /** The alerts fired, oldest first (the last {@value #KEEP_FIRED}). */
  public List<Alert> fired() {
    synchronized (fired) {
      return List.copyOf(fired);
    }
  }

  /** The last closed window's value of a rule's metric, or NaN (no window, or no value). */
  public double lastValue(String model, String rule) {
    for (AlertRule r : engine.rules(model)) {
      if (r.name().equals(rule)) {
        return evaluator
            .latest(model)
            .map(e -> e.values().getOrDefault(r.metric(), Double.NaN))
            .orElse(Double.NaN);
      }
    }
    return Double.NaN;
  }

  /** An alert as JSON-ready fields. */
  public static Map<String, Object> alertFields(Alert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", a.model());
    m.put("rule", a.rule().name());
    m.put("metric", a.rule().metric());
    m.put("at", a.at().toString());
    m.put("values", a.values());
    m.put("message", a.message());
    return m;
  }

  /** A lifecycle step as JSON-ready fields. */
  public static Map<String, Object> stepFields(LifecycleStep s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", s.at().toString());
    m.put("model", s.model());
    m.put("run", s.run());
    m.put("action", s.action());
    m.put("outcome", s.outcome());
    m.put("detail", s.detail());
    return m;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    runs.shutdownNow();
    if (webhook != null) {
      webhook.close();
    }
  }
}

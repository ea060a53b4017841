package dev.slipway.monitor.lifecycle;

import dev.slipway.monitor.alert.Alert;
import dev.slipway.monitor.alert.AlertListener;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on alerts by the models' lifecycle policies: an alert named by a model's policy starts a run
 * — retrain, then the gate, then (only when blessed) a canary — unless a run of the model is under
 * way or the policy's cooldown since the last start has not passed (recorded as skipped). Runs go
 * to the given executor; every step is kept (the last {@value #KEEP} per model) and given to the
 * step listeners (the audit trail, logs, webhooks).
 *
 * <p>Thread-safe.
 */
public final class LifecycleLoop implements AlertListener {
  private static final Logger LOG = LoggerFactory.getLogger(LifecycleLoop.class);

  /** Steps kept per model. */
  public static final int KEEP = 200;

  private final Map<String, LifecyclePolicy> policies = new HashMap<>();
  private final LifecycleActions actions;
  private final Clock clock;
  private final Executor executor;
  private final List<Consumer<LifecycleStep>> stepListeners = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<LifecycleStep>> steps = new HashMap<>();
  private final Set<String> running = new HashSet<>();
  private final Map<String, Instant> lastStart = new HashMap<>();
  private final Map<String, Integer> runs = new HashMap<>();

  /**
   * @throws IllegalArgumentException when two policies name the same model
   */
  public LifecycleLoop(
      List<LifecyclePolicy> policies, LifecycleActions actions, Clock clock, Executor executor) {
    for (LifecyclePolicy p : policies) {
      if (this.policies.put(p.model(), p) != null) {
        throw new IllegalArgumentException("model '" + p.model() + "' has two lifecycle policies");
      }
    }
    this.actions = actions;
    this.clock = clock;
    this.executor = executor;
  }

  public void addStepListener(Consumer<LifecycleStep> listener) {
    stepListeners.add(listener);
  }

  /** The recorded steps of a model, oldest first. */
  public synchronized List<LifecycleStep> steps(String model) {
    Deque<LifecycleStep> d = steps.get(model);
    return d == null ? List.of() : List.copyOf(d);
  }

  /** Whether a run of the model is under way. */
  public synchronized boolean running(String model) {
    return running.contains(model);
  }

  @Override
  public void fired(Alert alert) {
    String model = alert.model();
    LifecyclePolicy policy;
    String skipped = null;
    int run = 0;
    synchronized (this) {
      policy = policies.get(model);
      if (policy == null || !policy.onAlerts().contains(alert.rule().name())) {
        return;
      }
      Instant now = clock.instant();
      Instant last = lastStart.get(model);
      if (running.contains(model)) {
        skipped = "a run is under way";
      } else if (last != null && now.isBefore(last.plus(policy.cooldown()))) {
        skipped = "cooldown until " + last.plus(policy.cooldown());
      } else {
        running.add(model);
        lastStart.put(model, now);
        run = runs.merge(model, 1, Integer::sum);
      }
    }
    if (skipped != null) {
      record(model, 0, "skip", "skipped", alert.message() + "; " + skipped);
      return;
    }
    record(model, run, "alert", "started", alert.message());
    int number = run;
    try {
      executor.execute(() -> run(policy, alert, number));
    } catch (RuntimeException e) {
      finish(model, run, "alert", "failed", "could not start the run: " + e);
    }
  }

  private void run(LifecyclePolicy policy, Alert alert, int run) {
    String model = policy.model();
    String action = "retrain";
    try {
      LifecycleActions.Retrained r = actions.retrain(model, alert);
      record(model, run, action, "done", "version " + r.version() + ": " + r.detail());
      action = "gate";
      LifecycleActions.GateVerdict v = actions.gate(model, r.version());
      if (!v.blessed()) {
        finish(
            model,
            run,
            action,
            "not_blessed",
            "version " + r.version() + ": " + v.detail() + " " + v.metrics());
        return;
      }
      record(
          model,
          run,
          action,
          "blessed",
          "version " + r.version() + ": " + v.detail() + " " + v.metrics());
      action = "canary";
      actions.startCanary(model, r.version(), policy.canarySteps());
      finish(
          model,
          run,
          action,
          "started",
          "version " + r.version() + " with steps " + policy.canarySteps() + " %");
    } catch (Exception e) {
      LOG.warn("lifecycle run {} of '{}' failed at {}", run, model, action, e);
      finish(model, run, action, "failed", String.valueOf(e.getMessage()));
    }
  }

  private void finish(String model, int run, String action, String outcome, String detail) {
    synchronized (this) {
      running.remove(model);
    }
    record(model, run, action, outcome, detail);
  }

  private void record(String model, int run, String action, String outcome, String detail) {
    LifecycleStep s = new LifecycleStep(clock.instant(), model, run, action, outcome, detail);
    synchronized (this) {
      Deque<LifecycleStep> d = steps.computeIfAbsent(model, k -> new ArrayDeque<>());
      d.addLast(s);
      while (d.size() > KEEP) {
        d.pollFirst();
      }
    }
    LOG.info("lifecycle of '{}' run {}: {} {} — {}", model, run, action, outcome, detail);
    for (Consumer<LifecycleStep> l : stepListeners) {
      try {
        l.accept(s);
      } catch (RuntimeException e) {
        LOG.warn("a lifecycle step listener failed", e);
      }
    }
  }
}

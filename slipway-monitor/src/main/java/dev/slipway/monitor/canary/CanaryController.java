package dev.slipway.monitor.canary;

import dev.slipway.api.ConflictException;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.registry.GateResult;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.serving.route.Router;
import dev.slipway.serving.route.TrafficPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs canary rollouts and keeps traffic policies: sets the {@link Router}'s weights, judges each
 * step with {@link CanaryAnalysis} on the {@link VariantStats} of the step's window, and writes
 * every decision, with its numbers, to the registry's audit log and the {@code rollout_decision}
 * table in one transaction. State lives in the metadata database, so a new controller on the same
 * database ({@link #restore}) continues where the last one stopped.
 *
 * <p>Each step is judged on the traffic since it began; at 100 % the stable version serves nothing,
 * so its baseline is its traffic in the rollout's earlier steps.
 *
 * <p>A rollout replaces the model's traffic policy while it runs. When it ends the policy is
 * cleared (the bare name serves {@code champion}), or pinned to the version that keeps the traffic
 * if that is not the champion. Promotion moves {@code champion} to the candidate through {@link
 * ModelRegistry#setAlias}: with a BLESSED gate result, or forced (and audited as forced) when the
 * spec says {@code forcePromotion}; otherwise the rollout waits at 100 % for a blessing.
 *
 * <p>Thread-safe: every change runs inside a registry change, which serializes writers (also across
 * processes sharing the database); the router is updated after the change commits.
 */
public final class CanaryController {
  private static final Logger log = LoggerFactory.getLogger(CanaryController.class);

  /** The actor of decisions the controller makes on its own. */
  public static final String ACTOR = "slipway-canary";

  private final ModelRegistry registry;
  private final Router router;
  private final VariantStats stats;
  private final Clock clock;
  private final RolloutStore store;

  public CanaryController(ModelRegistry registry, Router router, VariantStats stats, Clock clock) {
    this.registry = registry;
    this.router = router;
    this.stats = stats;
    this.clock = clock;
    this.store = new RolloutStore(registry.dataSource());
  }

  /** A rollout and its decisions, oldest first. */
  public record State(Rollout rollout, List<Decision> decisions) {}

  /** Puts the stored traffic policies and running rollouts' weights into the router. */
  public void restore() {
    store.policies().forEach(router::set);
    for (Rollout r : store.running()) {
      router.set(r.spec().model(), weights(r));
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  // ------------------------------------------------------------------ traffic policies

  /**
   * Sets a model's traffic policy (persisted and audited as {@code traffic.set}).
   *
   * @throws ModelNotFoundException when the model or a version the policy names does not exist
   * @throws ConflictException while a rollout of the model runs
   */
  public void setPolicy(String model, TrafficPolicy policy, String actor) {
    for (int v : policy.weights().keySet()) {
      requireVersion(model, v, "weights");
    }
    if (policy.shadow() != null) {
      requireVersion(model, policy.shadow().version(), "shadow.version");
    }
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("policy", policy.toJson().toString());
    registry.auditedChange(
        model,
        null,
        "traffic.set",
        detail,
        actor,
        null,
        (c, id) -> {
          Optional<Rollout> running = RolloutStore.running(c, model);
          if (running.isPresent()) {
            throw new ConflictException(
                "model '"
                    + model
                    + "' has a running rollout ("
                    + running.get().id()
                    + "); abort it before setting a traffic policy");
          }
          RolloutStore.putPolicy(c, model, policy, now(), actor);
        });
    router.set(model, policy);
  }

  /**
   * Removes a model's traffic policy: its bare name serves {@code champion} again.
   *
   * @throws ConflictException while a rollout of the model runs
   */
  public void clearPolicy(String model, String actor) {
    registry.auditedChange(
        model,
        null,
        "traffic.clear",
        Map.of(),
        actor,
        null,
        (c, id) -> {
          if (RolloutStore.running(c, model).isPresent()) {
            throw new ConflictException(
                "model '" + model + "' has a running rollout; abort it first");
          }
          RolloutStore.deletePolicy(c, model);
        });
    router.clear(model);
  }

  // ------------------------------------------------------------------ rollouts

  /**
   * Starts a rollout: the candidate gets the first step's share at once.
   *
   * @throws InvalidInputException naming {@code stable} when it is not given and the model has no
   *     champion
   * @throws ModelNotFoundException when the model or a version does not exist
   * @throws ConflictException when a rollout of the model is already running, or the candidate
   *     failed verification
   */
  public State start(RolloutSpec requested, String actor) {
    String model = requested.model();
    RolloutSpec spec = requested;
    if (spec.stable() == null) {
      Integer champion = registry.aliases(model).get(ModelRegistry.CHAMPION);
      if (champion == null) {
        throw InvalidInputException.missing(
            "stable", "the stable version (model '" + model + "' has no champion to default to)");
      }
      spec = spec.withStable(champion);
    }
    if (spec.stable() == spec.candidate()) {
      throw InvalidInputException.of(
          "candidate",
          spec.candidate(),
          "a version other than the stable one (" + spec.stable() + ")");
    }
    requireVersion(model, spec.stable(), "stable");
    ModelVersion cand = requireVersion(model, spec.candidate(), "candidate");
    if (cand.verification() != null && cand.verification().failed()) {
      throw new ConflictException(
          "version " + spec.candidate() + " of model '" + model + "' failed verification");
    }
    RolloutSpec s = spec;
    Instant now = now();
    Map<String, Object> numbers = new LinkedHashMap<>();
    numbers.put("stable", s.stable());
    numbers.put("candidate", s.candidate());
    numbers.put("steps", s.steps());
    String reason = "canary of version " + s.candidate() + " against " + s.stable();
    AtomicReference<Rollout> made = new AtomicReference<>();
    registry.auditedChange(
        model,
        s.candidate(),
        "rollout.start",
        detail(numbers, 0, s.steps().get(0)),
        actor,
        reason,
        (c, id) -> {
          Optional<Rollout> running = RolloutStore.running(c, model);
          if (running.isPresent()) {
            throw new ConflictException(
                "model '"
                    + model
                    + "' already has a running rollout ("
                    + running.get().id()
                    + ", candidate "
                    + running.get().spec().candidate()
                    + "); abort it first");
          }
          Rollout r = new Rollout(id, s, Rollout.Status.RUNNING, 0, now, now, now);
          RolloutStore.insert(c, r);
          RolloutStore.insert(
              c,
              new Decision(id, id, now, 0, r.percent(), Decision.Outcome.START, reason, numbers));
          made.set(r);
        });
    router.set(model, weights(made.get()));
    return state(model).orElseThrow();
  }

  /**
   * Stops a running rollout: all traffic back to the stable version; the candidate stays
   * registered.
   *
   * @throws ModelNotFoundException when the model has no running rollout
   */
  public State abort(String model, String actor, String reason) {
    Rollout r =
        store.running().stream()
            .filter(x -> x.spec().model().equals(model))
            .findFirst()
            .orElseThrow(
                () -> new ModelNotFoundException("model '" + model + "' has no running rollout"));
    Map<String, Object> numbers = new LinkedHashMap<>();
    numbers.put("stepIndex", r.stepIndex());
    numbers.put("percentBefore", r.percent());
    decide(
        r,
        Decision.Outcome.ABORT,
        Rollout.Status.ABORTED,
        r.stepIndex(),
        reason == null ? "aborted by " + actor : reason,
        numbers,
        actor);
    return state(model).orElseThrow();
  }

  /** Evaluates every running rollout once; a failure of one does not stop the others. */
  public List<Decision> evaluateAll() {
    List<Decision> out = new ArrayList<>();
    for (Rollout r : store.running()) {
      try {
        evaluate(r.spec().model()).ifPresent(out::add);
      } catch (RuntimeException e) {
        log.warn("evaluating the rollout of {} failed: {}", r.spec().model(), e.getMessage());
      }
    }
    return out;
  }

  /**
   * Judges the current step of a model's running rollout and acts on it.
   *
   * @return the decision, or empty when no rollout of the model is running
   */
  public Optional<Decision> evaluate(String model) {
    Optional<Rollout> found =
        store.running().stream().filter(x -> x.spec().model().equals(model)).findFirst();
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Rollout r = found.get();
    RolloutSpec spec = r.spec();
    Instant now = now();
    // At 100 % the stable version gets no traffic: its baseline is its traffic during the
    // rollout's earlier steps.
    VariantStats.Window stable =
        r.percent() >= 100
            ? stats.window(model, spec.stable(), r.startedAt(), r.stepStartedAt())
            : stats.window(model, spec.stable(), r.stepStartedAt(), now);
    VariantStats.Window cand = stats.window(model, spec.candidate(), r.stepStartedAt(), now);
    CanaryAnalysis.Verdict v =
        CanaryAnalysis.judge(spec, Duration.between(r.stepStartedAt(), now), stable, cand);
    switch (v.outcome()) {
      case ROLLBACK:
        return Optional.of(
            decide(
                r,
                Decision.Outcome.ROLLBACK,
                Rollout.Status.ROLLED_BACK,
                r.stepIndex(),
                v.reason(),
                v.numbers(),
                ACTOR));
      case ADVANCE:
        if (r.stepIndex() + 1 < spec.steps().size()) {
          return Optional.of(
              decide(
                  r,
                  Decision.Outcome.ADVANCE,
                  Rollout.Status.RUNNING,
                  r.stepIndex() + 1,
                  v.reason() + "; next step " + spec.steps().get(r.stepIndex() + 1) + " %",
                  v.numbers(),
                  ACTOR));
        }
        return Optional.of(promote(r, v));
      default:
        return Optional.of(
            decide(
                r,
                Decision.Outcome.WAIT,
                Rollout.Status.RUNNING,
                r.stepIndex(),
                v.reason(),
                v.numbers(),
                ACTOR));
    }
  }

  private Decision promote(Rollout r, CanaryAnalysis.Verdict v) {
    RolloutSpec spec = r.spec();
    String model = spec.model();
    ModelVersion cand = requireVersion(model, spec.candidate(), "candidate");
    boolean blessed = cand.gate() != null && cand.gate().verdict() == GateResult.Verdict.BLESSED;
    if (!blessed && !spec.forcePromotion()) {
      return decide(
          r,
          Decision.Outcome.WAIT,
          Rollout.Status.RUNNING,
          r.stepIndex(),
          v.reason()
              + "; ready to promote, but version "
              + spec.candidate()
              + " is not BLESSED: run the evaluation gate, or start the rollout with"
              + " forcePromotion",
          v.numbers(),
          ACTOR);
    }
    registry.setAlias(
        model,
        ModelRegistry.CHAMPION,
        spec.candidate(),
        ACTOR,
        "canary rollout " + r.id() + " passed every step: " + v.reason(),
        !blessed);
    return decide(
        r,
        Decision.Outcome.PROMOTE,
        Rollout.Status.PROMOTED,
        r.stepIndex(),
        v.reason()
            + "; champion moved to version "
            + spec.candidate()
            + (blessed ? "" : " (forced)"),
        v.numbers(),
        ACTOR);
  }

  /** Writes a decision and the rollout's new state with an audit entry, then routes accordingly. */
  private Decision decide(
      Rollout r,
      Decision.Outcome outcome,
      Rollout.Status status,
      int step,
      String reason,
      Map<String, Object> numbers,
      String actor) {
    Instant now = now();
    Rollout next = r.with(status, step, step != r.stepIndex() ? now : r.stepStartedAt(), now);
    String action = "rollout." + outcome.name().toLowerCase(java.util.Locale.ROOT);
    TrafficPolicy after = status == Rollout.Status.RUNNING ? weights(next) : afterwards(next);
    AtomicReference<Decision> made = new AtomicReference<>();
    registry.auditedChange(
        r.spec().model(),
        r.spec().candidate(),
        action,
        detail(numbers, step, next.percent()),
        actor,
        reason,
        (c, id) -> {
          Optional<Rollout> current = RolloutStore.running(c, r.spec().model());
          if (current.isEmpty() || current.get().id() != r.id()) {
            throw new ConflictException(
                "rollout " + r.id() + " of model '" + r.spec().model() + "' is no longer running");
          }
          if (current.get().stepIndex() != r.stepIndex()) {
            throw new ConflictException(
                "rollout " + r.id() + " moved on meanwhile; evaluate again");
          }
          if (outcome != Decision.Outcome.WAIT) {
            RolloutStore.update(c, next);
          }
          if (status != Rollout.Status.RUNNING) {
            if (after == null) {
              RolloutStore.deletePolicy(c, r.spec().model());
            } else {
              RolloutStore.putPolicy(c, r.spec().model(), after, now, actor);
            }
          }
          Decision d =
              new Decision(r.id(), id, now, step, next.percent(), outcome, reason, numbers);
          RolloutStore.insert(c, d);
          made.set(d);
        });
    if (after == null) {
      router.clear(r.spec().model());
    } else {
      router.set(r.spec().model(), after);
    }
    log.info(
        "rollout {} of {}: {} ({} % to version {}): {}",
        r.id(), r.spec().model(), outcome, next.percent(), r.spec().candidate(), reason);
    return made.get();
  }

  /**
   * The traffic policy after a rollout ends: none when the version that keeps the traffic is the
   * champion (the bare name serves it), else one pinning it.
   */
  private TrafficPolicy afterwards(Rollout r) {
    String model = r.spec().model();
    Integer champion = registry.aliases(model).get(ModelRegistry.CHAMPION);
    int serve = r.status() == Rollout.Status.PROMOTED ? r.spec().candidate() : r.spec().stable();
    return champion != null && champion == serve ? null : TrafficPolicy.only(serve);
  }

  private static TrafficPolicy weights(Rollout r) {
    return TrafficPolicy.canary(
        r.spec().stable(), r.spec().candidate(), r.percent(), r.spec().keyField());
  }

  private static Map<String, Object> detail(Map<String, Object> numbers, int step, double percent) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("step", step);
    d.put("percent", percent);
    d.putAll(numbers);
    return d;
  }

  /**
   * The A/B report of a model over a window: the versions of its running (or newest) rollout with
   * the stable one as control and its metric, else those of its traffic policy with the lowest
   * version as control. Without a feedback metric the metric is the error rate.
   *
   * @param control the control version, or null for the default above
   * @param effect the effect to size samples for (absolute), or null for the rollout metric's
   * @throws ModelNotFoundException when the model has neither a rollout nor a traffic policy
   */
  public dev.slipway.monitor.abtest.AbReport report(
      String model, Integer control, Duration window, Double effect, double alpha, double power) {
    Instant now = now();
    Instant from = now.minus(window);
    java.util.Set<Integer> versions = new java.util.TreeSet<>();
    MetricSpec metric = null;
    Integer base = control;
    Optional<Rollout> rollout = store.latest(model);
    Optional<TrafficPolicy> policy = router.policy(model);
    if (rollout.isPresent()
        && (rollout.get().status() == Rollout.Status.RUNNING || policy.isEmpty())) {
      Rollout r = rollout.get();
      versions.add(r.spec().stable());
      versions.add(r.spec().candidate());
      metric = r.spec().metric();
      base = base == null ? r.spec().stable() : base;
      if (r.startedAt().isAfter(from)) {
        from = r.startedAt();
      }
    } else if (policy.isPresent()) {
      versions.addAll(policy.get().weights().keySet());
      if (policy.get().shadow() != null) {
        versions.add(policy.get().shadow().version());
      }
      base = base == null ? versions.iterator().next() : base;
    } else {
      throw new ModelNotFoundException(
          "model '" + model + "' has no rollout and no traffic policy to report on");
    }
    if (!versions.contains(base)) {
      throw InvalidInputException.of("control", base, "one of the compared versions " + versions);
    }
    Map<Integer, dev.slipway.monitor.abtest.AbReport.Counts> counts = new LinkedHashMap<>();
    for (int v : versions) {
      VariantStats.Window w = stats.window(model, v, from, now);
      counts.put(
          v,
          new dev.slipway.monitor.abtest.AbReport.Counts(
              w.requests(),
              w.errors(),
              metric != null
                  ? w.metric()
                  : dev.slipway.monitor.abtest.Moments.ofSuccesses(w.errors(), w.requests())));
    }
    double e = effect != null ? effect : metric != null ? metric.effect() : 0.01;
    return dev.slipway.monitor.abtest.AbReport.of(
        metric != null ? metric.name() : "error_rate",
        metric == null || metric.binary(),
        base,
        counts,
        e,
        alpha,
        power);
  }

  /** The running rollouts, of every model (read from the database). */
  public List<Rollout> running() {
    return store.running();
  }

  /** The newest rollout of a model and its decisions. */
  public Optional<State> state(String model) {
    return store.latest(model).map(r -> new State(r, store.decisions(r.id())));
  }

  private ModelVersion requireVersion(String model, int version, String field) {
    return registry
        .version(model, version)
        .orElseThrow(
            () ->
                new ModelNotFoundException(
                    "model '"
                        + model
                        + "' has no version "
                        + version
                        + " (field '"
                        + field
                        + "')"));
  }
}

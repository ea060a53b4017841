package dev.slipway.batch.schedule;

import dev.slipway.api.InvalidInputException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link JobDefinition jobs} on their cron schedules, one run per job and period.
 *
 * <p><b>Periods.</b> A period is a business date: the date, in the job's zone (by default the
 * scheduler's), of a cron fire time. A cron that fires several times on one date gives that date
 * one period (its first fire time after the scheduler last looked). The task is handed the business
 * date.
 *
 * <p><b>What {@link #tick()} does.</b> It reads the clock once ({@code now}). For each job that is
 * not paused it finds the fire times since it last looked (after the latest scheduled run in the
 * history, or after the job was defined), up to {@code now}: with {@code catchUp} every missed
 * period is queued, without it only the latest. A period that already has a run in the history is
 * not queued again by the schedule. Then it runs queued periods, on the calling thread, oldest
 * first and every job after the jobs it depends on, as long as one is ready: its retry delay has
 * passed, each of its {@code dependsOn} jobs has succeeded for the same business date, and (with
 * {@code dependsOnPast}) the job's own previous period — the latest earlier one in the history or
 * queue — has succeeded. So a chain A → B runs in one tick. A failed attempt is queued again {@code
 * retryDelay} after it ended while retries remain; the last failure stays in the history and keeps
 * the job's dependants (and, with {@code dependsOnPast}, its later periods) waiting until a {@link
 * #trigger} succeeds.
 *
 * <p>Every attempt is written to the {@link RunHistory} when it starts ({@link RunStatus#RUNNING})
 * and when it ends (status, rows, error). Tests call {@link #tick()} with a fixed clock; production
 * calls {@link #start(Duration)}, which ticks on one thread of its own.
 *
 * <p>One scheduler per history: an attempt found {@link RunStatus#RUNNING} when a job is defined is
 * taken to have been cut off by a stop of the process, recorded as failed and retried (if retries
 * remain), so two schedulers must not share a history.
 *
 * <p><b>Pauses</b> are kept in a {@link PausedJobs} store, so that a job paused before a restart is
 * paused after it.
 *
 * <p>Thread-safe. Ticks are serialized (one runs at a time); tasks run outside the scheduler's
 * state lock, so that listing, pausing or triggering jobs does not wait for a running task. A
 * period triggered while it runs is queued again and runs after it.
 */
public final class Scheduler implements AutoCloseable {

  /** The most periods one {@link #backfill} may ask for (ten years of days). */
  public static final int MAX_BACKFILL_DAYS = 3660;

  /** The error recorded for an attempt that was running when the process stopped. */
  static final String INTERRUPTED = "interrupted: the scheduler stopped while this attempt ran";

  private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

  /** A period waiting to run. */
  private record Pending(
      LocalDate date,
      Instant scheduledAt,
      RunTrigger trigger,
      int firstAttempt,
      int nextAttempt,
      Instant notBefore) {}

  private final Clock clock;
  private final ZoneId zone;
  private final RunHistory history;
  private final PausedJobs pausedJobs;
  private final Object ticking = new Object();
  private JobGraph graph = JobGraph.of(List.of());
  private final Map<String, Instant> lookedUntil = new HashMap<>();
  private final Set<String> paused = new HashSet<>();
  private final Map<String, TreeMap<LocalDate, Pending>> queue = new HashMap<>();
  // the period whose task runs now, per job (at most one: ticks are serialized)
  private final Map<String, Pending> running = new HashMap<>();
  private ScheduledExecutorService thread;

  /**
   * A scheduler with no jobs.
   *
   * @param clock the source of "now" for schedules, retry delays and run times
   * @param zone the zone of cron expressions and business dates
   * @param history where attempts are recorded and read back (across restarts)
   */
  public Scheduler(Clock clock, ZoneId zone, RunHistory history) {
    this(clock, zone, history, new InMemoryPausedJobs());
  }

  /**
   * A scheduler with no jobs, whose pauses are kept in {@code pausedJobs}: a job defined while
   * recorded as paused there starts paused.
   *
   * @param clock the source of "now" for schedules, retry delays and run times
   * @param zone the zone of cron expressions and business dates of jobs without a zone of their own
   * @param history where attempts are recorded and read back (across restarts)
   * @param pausedJobs where pauses are recorded and read back (across restarts)
   */
  public Scheduler(Clock clock, ZoneId zone, RunHistory history, PausedJobs pausedJobs) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.zone = Objects.requireNonNull(zone, "zone");
    this.history = Objects.requireNonNull(history, "history");
    this.pausedJobs = Objects.requireNonNull(pausedJobs, "pausedJobs");
  }

  /**
   * Adds jobs, or replaces jobs of the same names, checking the whole resulting set ({@link
   * JobGraph#of}): nothing changes when a check fails.
   *
   * @throws InvalidInputException for a cron expression that does not parse (naming the job and the
   *     expression), an unknown dependency (naming it), or a dependency cycle (naming it, e.g.
   *     {@code a → b → c → a})
   */
  public synchronized void define(Collection<JobDefinition> jobs) {
    Map<String, JobDefinition> all = new LinkedHashMap<>();
    graph.definitions().forEach(d -> all.put(d.name(), d));
    jobs.forEach(d -> all.put(d.name(), d));
    JobGraph checked = JobGraph.of(all.values());
    Instant now = clock.instant();
    Set<String> storedPauses = pausedJobs.paused();
    for (JobDefinition d : jobs) {
      if (!lookedUntil.containsKey(d.name())) {
        if (storedPauses.contains(d.name())) {
          paused.add(d.name());
        }
        // After a restart, the schedule goes on from the latest scheduled run in the history.
        Instant last = null;
        for (JobRun r : history.runs(d.name())) {
          if (r.trigger() == RunTrigger.SCHEDULE
              && !r.scheduledAt().isAfter(now)
              && (last == null || r.scheduledAt().isAfter(last))) {
            last = r.scheduledAt();
          }
        }
        lookedUntil.put(d.name(), last == null ? now : last);
        requeueInterrupted(d, now);
      }
    }
    graph = checked;
  }

  /** {@link #define(Collection)} for some jobs. */
  public void define(JobDefinition... jobs) {
    define(List.of(jobs));
  }

  /** The jobs, every job after the jobs it depends on. */
  public synchronized List<JobDefinition> jobs() {
    return graph.definitions();
  }

  /** Every recorded attempt of a job, oldest period first. */
  public List<JobRun> history(String job) {
    String name;
    synchronized (this) {
      name = job(job).name(); // the graph is read under the lock; the history is thread-safe
    }
    return history.runs(name);
  }

  /**
   * Stops queueing and running the job's periods until {@link #resume}, also after a restart. A
   * period already running finishes.
   */
  public synchronized void pause(String job) {
    String name = job(job).name();
    pausedJobs.set(name, true);
    paused.add(name);
  }

  /**
   * Lets a paused job run again. Periods that came while it was paused are queued at the next tick
   * as after downtime: all of them with catch-up, only the latest without.
   */
  public synchronized void resume(String job) {
    String name = job(job).name();
    pausedJobs.set(name, false);
    paused.remove(name);
  }

  /** Whether the job is paused. */
  public synchronized boolean isPaused(String job) {
    return paused.contains(job(job).name());
  }

  /** The zone of the job's cron expression and business dates. */
  public synchronized ZoneId zone(String job) {
    return zoneOf(job(job));
  }

  /** The next fire time of the job's cron after now. */
  public synchronized Optional<Instant> nextFireTime(String job) {
    JobGraph.Job j = job(job);
    return j.schedule().nextExecution(clock.instant().atZone(zoneOf(j))).map(t -> t.toInstant());
  }

  /**
   * Queues a run of the job for a business date, to start at the next tick (after its dependencies,
   * as any run), whether or not the date already ran; a paused job's run waits for {@link #resume}.
   */
  public synchronized void trigger(String job, LocalDate businessDate) {
    Objects.requireNonNull(businessDate, "businessDate");
    enqueue(job(job), businessDate, RunTrigger.MANUAL, clock.instant());
  }

  /**
   * Queues a run of the job for every business date in {@code [from, to]} on which its cron fires,
   * whether or not the date already ran; they run oldest first, as dependencies allow.
   *
   * @return the dates queued
   * @throws InvalidInputException when {@code from} is after {@code to} or the range is longer than
   *     {@value #MAX_BACKFILL_DAYS} days
   */
  public synchronized List<LocalDate> backfill(String job, LocalDate from, LocalDate to) {
    JobGraph.Job j = job(job);
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (from.isAfter(to)) {
      throw InvalidInputException.of("to", to.toString(), "a date on or after from (" + from + ")");
    }
    if (ChronoUnit.DAYS.between(from, to) >= MAX_BACKFILL_DAYS) {
      throw InvalidInputException.of(
          "to", to.toString(), "at most " + MAX_BACKFILL_DAYS + " days after from (" + from + ")");
    }
    Instant now = clock.instant();
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      if (fireTimeOn(j, d).isPresent()) {
        enqueue(j, d, RunTrigger.BACKFILL, now);
        dates.add(d);
      }
    }
    return dates;
  }

  /**
   * Queues the periods that came due and runs every queued period that is ready, on the calling
   * thread.
   *
   * @return the attempts made, in order
   */
  public List<JobRun> tick() {
    synchronized (ticking) {
      Instant now;
      synchronized (this) {
        now = clock.instant();
        for (String name : graph.order()) {
          if (!paused.contains(name)) {
            queueDue(graph.job(name), now);
          }
        }
      }
      List<JobRun> ran = new ArrayList<>();
      while (true) {
        JobGraph.Job job;
        Pending next;
        synchronized (this) {
          Map.Entry<JobGraph.Job, Pending> ready = nextReady(now);
          if (ready == null) {
            return ran;
          }
          job = ready.getKey();
          next = ready.getValue();
          running.put(job.name(), next);
        }
        ran.add(run(job, next));
      }
    }
  }

  /**
   * Asks the thread of {@link #start} to tick now rather than at its next interval, e.g. after a
   * {@link #trigger}; does nothing when the scheduler is not started.
   */
  public synchronized void tickSoon() {
    if (thread != null) {
      thread.execute(this::tickLogged);
    }
  }

  /**
   * Calls {@link #tick()} every {@code interval} on a daemon thread of its own until {@link
   * #close()}. A tick that throws (e.g. the history's database is down) is logged and the next one
   * tries again.
   */
  public synchronized void start(Duration interval) {
    if (interval == null || interval.toMillis() <= 0) {
      throw new IllegalArgumentException(
          "the tick interval must be at least 1 ms, was " + interval);
    }
    if (thread != null) {
      throw new IllegalStateException("the scheduler is already started");
    }
    thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "slipway-scheduler");
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(this::tickLogged, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tickLogged() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "scheduler tick failed; retrying next tick", e);
    }
  }

  /** Stops the thread of {@link #start}, letting a running tick finish; idempotent. */
  @Override
  public void close() {
    ScheduledExecutorService t;
    synchronized (this) {
      t = thread;
      thread = null;
    }
    if (t != null) {
      t.shutdown();
      try {
        t.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ================================================================ internals

  private JobGraph.Job job(String name) {
    JobGraph.Job j = name == null ? null : graph.job(name);
    if (j == null) {
      throw InvalidInputException.of(
          "job",
          name,
          "the name of a defined job (known: " + String.join(", ", graph.order()) + ")");
    }
    return j;
  }

  private ZoneId zoneOf(JobGraph.Job job) {
    ZoneId own = job.definition().zone();
    return own == null ? zone : own;
  }

  /** The first queued period, in job order then date order, that may run now; null if none. */
  private Map.Entry<JobGraph.Job, Pending> nextReady(Instant now) {
    for (String name : graph.order()) {
      if (paused.contains(name)) {
        continue;
      }
      TreeMap<LocalDate, Pending> waiting = queue.getOrDefault(name, new TreeMap<>());
      for (Pending p : waiting.values()) {
        if (!p.notBefore().isAfter(now) && ready(graph.job(name), p)) {
          return Map.entry(graph.job(name), p);
        }
      }
    }
    return null;
  }

  private void queueDue(JobGraph.Job job, Instant now) {
    String name = job.name();
    Instant from = lookedUntil.get(name);
    List<ZonedDateTime> fires = new ArrayList<>();
    ZoneId zone = zoneOf(job);
    ZonedDateTime search = from.atZone(zone);
    while (true) {
      Optional<ZonedDateTime> next = job.schedule().nextExecution(search);
      if (next.isEmpty() || next.get().toInstant().isAfter(now)) {
        break;
      }
      fires.add(next.get());
      // One period per date: skip the date's later fire times (a cron firing every minute through
      // a month of downtime costs 30 look-ups, not 43,200).
      search = next.get().toLocalDate().plusDays(1).atStartOfDay(zone).minusNanos(1);
    }
    if (fires.isEmpty()) {
      return;
    }
    lookedUntil.put(name, fires.get(fires.size() - 1).toInstant());
    if (!job.definition().catchUp()) {
      fires = fires.subList(fires.size() - 1, fires.size());
    }
    TreeMap<LocalDate, Pending> waiting = queue.computeIfAbsent(name, n -> new TreeMap<>());
    for (ZonedDateTime fire : fires) {
      LocalDate date = fire.toLocalDate();
      if (!waiting.containsKey(date) && history.latest(name, date).isEmpty()) {
        waiting.put(
            date, new Pending(date, fire.toInstant(), RunTrigger.SCHEDULE, 1, 1, fire.toInstant()));
      }
    }
  }

  /**
   * An attempt still RUNNING in the history when its job is first defined was cut off by a stop of
   * the process: it is recorded as failed and counts as an attempt; the period is queued again when
   * retries remain.
   */
  private void requeueInterrupted(JobDefinition job, Instant now) {
    Map<LocalDate, JobRun> latest = new LinkedHashMap<>();
    for (JobRun r : history.runs(job.name())) {
      latest.put(r.businessDate(), r);
    }
    for (JobRun r : latest.values()) {
      if (r.status() == RunStatus.RUNNING) {
        history.save(r.failed(now, INTERRUPTED));
        if (job.retries() > 0) {
          queue
              .computeIfAbsent(job.name(), n -> new TreeMap<>())
              .put(
                  r.businessDate(),
                  new Pending(
                      r.businessDate(),
                      r.scheduledAt(),
                      r.trigger(),
                      r.attempt(),
                      r.attempt() + 1,
                      now.plus(job.retryDelay())));
        }
      }
    }
  }

  private void enqueue(JobGraph.Job job, LocalDate date, RunTrigger trigger, Instant now) {
    int attempt = history.latest(job.name(), date).map(r -> r.attempt() + 1).orElse(1);
    Instant scheduledAt = fireTimeOn(job, date).orElse(date.atStartOfDay(zoneOf(job))).toInstant();
    TreeMap<LocalDate, Pending> waiting = queue.computeIfAbsent(job.name(), n -> new TreeMap<>());
    Pending already = waiting.get(date);
    Pending inFlight = running.get(job.name());
    if (inFlight != null && inFlight.date().equals(date)) {
      // The date runs now: run it once more after this attempt, as a new attempt.
      int after = Math.max(attempt, inFlight.nextAttempt() + 1);
      waiting.put(date, new Pending(date, scheduledAt, trigger, after, after, now));
    } else if (already != null) {
      // Already queued (perhaps waiting out a retry delay): run it as soon as it is ready.
      waiting.put(
          date,
          new Pending(
              date, scheduledAt, trigger, already.firstAttempt(), already.nextAttempt(), now));
    } else {
      waiting.put(date, new Pending(date, scheduledAt, trigger, attempt, attempt, now));
    }
  }

  private Optional<ZonedDateTime> fireTimeOn(JobGraph.Job job, LocalDate date) {
    return job.schedule()
        .nextExecution(date.atStartOfDay(zoneOf(job)).minusNanos(1))
        .filter(t -> t.toLocalDate().equals(date));
  }

  private boolean ready(JobGraph.Job job, Pending p) {
    for (String dependency : job.definition().dependsOn()) {
      Optional<JobRun> upstream = history.latest(dependency, p.date());
      if (upstream.isEmpty() || upstream.get().status() != RunStatus.SUCCEEDED) {
        return false;
      }
    }
    if (job.definition().dependsOnPast()) {
      LocalDate previous = queue.get(job.name()).lowerKey(p.date());
      if (previous != null) {
        return false; // an earlier period of the job is still queued
      }
      JobRun before = null;
      for (JobRun r : history.runs(job.name())) {
        if (r.businessDate().isBefore(p.date())) {
          before = r; // runs are ordered by date, then attempt: this ends on the latest
        }
      }
      return before == null || before.status() == RunStatus.SUCCEEDED;
    }
    return true;
  }

  /** Runs one attempt, outside the state lock; the queue is updated under it afterwards. */
  private JobRun run(JobGraph.Job job, Pending p) {
    JobRun run =
        new JobRun(
            job.name(),
            p.date(),
            p.nextAttempt(),
            RunStatus.RUNNING,
            p.trigger(),
            p.scheduledAt(),
            clock.instant(),
            null,
            null,
            null);
    boolean started = false;
    try {
      history.save(run);
      started = true;
      try {
        long rows = job.definition().task().run(p.date());
        run = run.succeeded(clock.instant(), rows);
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        run = run.failed(clock.instant(), describe(e));
      }
      history.save(run);
    } finally {
      synchronized (this) {
        running.remove(job.name());
        TreeMap<LocalDate, Pending> waiting = queue.get(job.name());
        // Unless it was triggered again while it ran (then the new entry stays queued).
        // A period whose start could not be recorded stays queued as it was.
        if (started && waiting != null && p.equals(waiting.get(p.date()))) {
          waiting.remove(p.date());
          int attemptsMade = p.nextAttempt() - p.firstAttempt() + 1;
          if (run.status() != RunStatus.SUCCEEDED && attemptsMade <= job.definition().retries()) {
            Instant ended = run.finishedAt() != null ? run.finishedAt() : clock.instant();
            waiting.put(
                p.date(),
                new Pending(
                    p.date(),
                    p.scheduledAt(),
                    p.trigger(),
                    p.firstAttempt(),
                    p.nextAttempt() + 1,
                    ended.plus(job.definition().retryDelay())));
          }
        }
      }
    }
    return run;
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getName()
        : e.getClass().getSimpleName() + ": " + message;
  }
}

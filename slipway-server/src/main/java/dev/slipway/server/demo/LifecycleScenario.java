package dev.slipway.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.Record;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.SlipwayServer;
import dev.slipway.server.config.SlipwayConfig;
import dev.slipway.train.data.AdClickGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scripted lifecycle scenario: the ad-click demo model serves seeded traffic whose ground truth
 * comes back as feedback; then the market shifts ({@link AdClickGenerator#shifted}); the drift
 * alert fires, the lifecycle retrains the model on the latest labelled window, the gate blesses the
 * candidate, and its canary goes step by step to 100 % until it is the champion. Everything is
 * observed through the server's REST API and printed as a timeline.
 *
 * <p>Not thread-safe: one run at a time per instance.
 */
public final class LifecycleScenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = DemoModel.NAME;

  /** The stages, in the order they must happen. */
  public static final List<String> STAGES =
      List.of("baseline", "shift", "alert", "retrain", "gate", "canary", "promoted");

  /**
   * How the scenario runs.
   *
   * @param home the Slipway home (a fresh one is best: the demo model is trained there once)
   * @param seed seeds the demo model and both markets' traffic
   * @param demoRows rows the demo model is trained on
   * @param rate requests per second sent
   * @param window the alert window
   * @param baselineWindows closed windows of normal traffic before the shift
   * @param canarySteps the canary's traffic shares
   * @param canaryMetric the canary's feedback metric name, or null for errors and latency only
   * @param minSamples requests (and feedback values) per arm and step
   * @param minStep how long a canary step runs at least
   * @param timeLimit the whole run's limit
   */
  public record Settings(
      Path home,
      long seed,
      int demoRows,
      double rate,
      Duration window,
      int baselineWindows,
      List<Integer> canarySteps,
      String canaryMetric,
      long minSamples,
      Duration minStep,
      Duration timeLimit) {

    /** The command's settings: 5 s windows, 25/50/100 % canary steps, a 3-minute limit. */
    public static Settings defaults(Path home) {
      return new Settings(
          home,
          42,
          20_000,
          200,
          Duration.ofSeconds(5),
          2,
          List.of(25, 50, 100),
          "accuracy",
          200,
          Duration.ofSeconds(3),
          Duration.ofMinutes(3));
    }

    public Settings withTimeLimit(Duration d) {
      return new Settings(
          home,
          seed,
          demoRows,
          rate,
          window,
          baselineWindows,
          canarySteps,
          canaryMetric,
          minSamples,
          minStep,
          d);
    }

    public Settings withCanaryMetric(String m) {
      return new Settings(
          home,
          seed,
          demoRows,
          rate,
          window,
          baselineWindows,
          canarySteps,
          m,
          minSamples,
          minStep,
          timeLimit);
    }
  }

  /**
   * One line of the timeline.
   *
   * @param seconds since the server started
   * @param stage one of {@link #STAGES}, or {@code window} / {@code canary-wait} for context
   * @param text what happened, with its numbers
   */
  public record Event(double seconds, String stage, String text) {}

  /**
   * How the run ended.
   *
   * @param failedStage null when every stage happened, else the first that did not in time
   * @param events the timeline
   * @param champion the champion version at the end (null when none)
   * @param candidate the retrained version, or null
   */
  public record Result(
      String failedStage, List<Event> events, Integer champion, Integer candidate) {
    public boolean ok() {
      return failedStage == null;
    }
  }

  private final Settings settings;
  private final PrintWriter out;
  private final List<Event> events = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private long started;

  public LifecycleScenario(Settings settings, PrintWriter out) {
    this.settings = settings;
    this.out = out;
  }

  /**
   * The scenario's slipway.yaml: short windows, the drift alert and the lifecycle policy. The
   * retraining reads three windows: the alert fires three windows after the shift at the earliest,
   * so they hold shifted traffic only.
   */
  public String config() {
    long w = settings.window().toSeconds();
    String metric =
        settings.canaryMetric() == null
            ? "none"
            : "{name: " + settings.canaryMetric() + ", margin: 0.05, effect: 0.05}";
    return String.join(
        "\n",
        "# The lifecycle scenario: windows of " + w + " s, a drift alert, a short canary.",
        "alerts:",
        "  window: " + w + "s",
        "  closeDelay: 1s",
        "  evaluateEvery: 1s",
        "  minRows: 200",
        "  models:",
        "    " + MODEL + ":",
        "      - {name: feature-drift, metric: drift.psi.max, above: 0.25, windows: 3}",
        "      - {name: auc-drop, metric: auc, below: 0.68, windows: 2}",
        "lifecycle:",
        "  models:",
        "    " + MODEL + ":",
        "      onAlerts: [feature-drift]",
        "      cooldown: 10m",
        "      canarySteps: " + settings.canarySteps(),
        "      retrain: {window: " + (3 * w) + "s, minRows: 1000, holdout: 0.3, seed: 7}",
        "      # the shifted market is harder to predict (its best AUC is about 0.74): the gate asks",
        "      # for 0.6, and tolerates what a few hundred held-out rows (some 50 clicks) cannot",
        "      # tell apart: 0.02 of AUC and 0.01 of log loss worse than the champion's",
        "      gate: {atLeast: {auc: 0.6}, maxWorsening: {auc: 0.02, log_loss: 0.01}}",
        "      canary: {minSamples: "
            + settings.minSamples()
            + ", minStepDuration: "
            + settings.minStep().toSeconds()
            + "s, evaluateEvery: 1s, maxP99Ratio: 50, maxErrorIncrease: 0.02, metric: "
            + metric
            + "}",
        "");
  }

  /** Runs the scenario; the server is stopped before it returns. */
  public Result run() throws IOException, InterruptedException {
    Files.createDirectories(settings.home());
    try (ModelRegistry registry = ModelRegistry.embedded(settings.home())) {
      boolean present = registry.models().stream().anyMatch(m -> m.name().equals(MODEL));
      if (present) {
        throw new IllegalStateException(
            settings.home()
                + " holds a model '"
                + MODEL
                + "' already: the scenario needs a fresh home (leave out --home)");
      }
      print("Training the ad-click demo model on " + settings.demoRows() + " rows ...");
      DemoModel.register(registry, settings.seed(), settings.demoRows());
    }
    Path yaml = settings.home().resolve("lifecycle-scenario.yaml");
    Files.writeString(yaml, config());
    SlipwayConfig config = SlipwayConfig.load(yaml, Map.of()).withHome(settings.home()).withPort(0);
    print("Configuration: " + yaml);
    List<Record> normal =
        new AdClickGenerator(settings.seed() + 1).generate((int) (settings.rate() * 400));
    List<Record> shifted =
        AdClickGenerator.shifted(settings.seed() + 2).generate((int) (settings.rate() * 400));
    try (SlipwayServer server = SlipwayServer.start(config)) {
      started = System.nanoTime();
      String base = "http://127.0.0.1:" + server.port();
      print("Slipway serves " + MODEL + " on " + base + "/ (embedded database in the home)");
      Traffic traffic = new Traffic(base, normal, shifted);
      print("Warming up (the first requests load code paths) ...");
      traffic.warmUp(100);
      started = System.nanoTime();
      traffic.start();
      try {
        return watch(base, traffic);
      } finally {
        traffic.stop();
      }
    }
  }

  private Result watch(String base, Traffic traffic) throws InterruptedException {
    long deadline = started + settings.timeLimit().toNanos();
    Set<String> seenAlerts = new HashSet<>();
    int seenSteps = 0;
    int seenDecisions = 0;
    String lastWindow = null;
    int baselineWindows = 0;
    Set<String> reached = new HashSet<>();
    Integer candidate = null;
    String lastWaitStep = null;
    event(
        "baseline", "normal traffic at " + (int) settings.rate() + " requests/s, feedback follows");
    reached.add("baseline");
    while (System.nanoTime() < deadline) {
      Thread.sleep(500);
      JsonNode alerts = get(base + "/api/v1/alerts");
      if (alerts != null) {
        String end = null;
        StringBuilder values = new StringBuilder();
        for (JsonNode r : alerts.get("rules")) {
          end = r.path("last_window_end").asText(null);
          values
              .append(' ')
              .append(r.get("metric").asText())
              .append('=')
              .append(
                  r.get("last_value").isNull()
                      ? "n/a"
                      : String.format(Locale.ROOT, "%.3f", r.get("last_value").asDouble()));
        }
        if (end != null && !end.equals(lastWindow)) {
          lastWindow = end;
          event(
              "window",
              "window closed at "
                  + end
                  + ":"
                  + values
                  + " ("
                  + traffic.answered.get()
                  + " requests answered so far)");
          boolean measured = values.indexOf("drift.psi.max=n/a") < 0;
          if (!traffic.shifted.get()
              && measured
              && ++baselineWindows >= settings.baselineWindows()) {
            traffic.shifted.set(true);
            reached.add("shift");
            event(
                "shift",
                "the market shifts: tablets, games and social sites, older users, another ground"
                    + " truth");
          }
        }
        for (JsonNode f : alerts.get("fired")) {
          String key = f.get("rule").asText() + "@" + f.get("at").asText();
          if (seenAlerts.add(key)) {
            if (f.get("rule").asText().equals("feature-drift")) {
              reached.add("alert");
            }
            event("alert", "ALERT " + f.get("message").asText());
          }
        }
      }
      JsonNode lc = get(base + "/api/v1/models/" + MODEL + "/lifecycle");
      if (lc != null) {
        JsonNode steps = lc.get("steps");
        for (; seenSteps < steps.size(); seenSteps++) {
          JsonNode s = steps.get(seenSteps);
          String action = s.get("action").asText();
          String outcome = s.get("outcome").asText();
          String detail = s.get("detail").asText();
          if (action.equals("retrain") && outcome.equals("done")) {
            reached.add("retrain");
            candidate = Integer.parseInt(detail.replaceAll("^version (\\d+):.*$", "$1"));
          } else if (action.equals("gate") && outcome.equals("blessed")) {
            reached.add("gate");
          } else if (action.equals("canary") && outcome.equals("started")) {
            reached.add("canary");
          }
          event(
              action.equals("alert") ? "lifecycle" : action,
              "lifecycle run "
                  + s.get("run").asInt()
                  + ": "
                  + action
                  + " "
                  + outcome
                  + " — "
                  + detail);
          if (outcome.equals("failed") || outcome.equals("not_blessed")) {
            return end(failedStage(reached), candidate, base);
          }
        }
      }
      if (reached.contains("canary")) {
        JsonNode r = get(base + "/api/v1/models/" + MODEL + "/rollout");
        if (r != null) {
          JsonNode ds = r.get("decisions");
          for (; seenDecisions < ds.size(); seenDecisions++) {
            JsonNode d = ds.get(seenDecisions);
            String outcome = d.get("outcome").asText();
            String line =
                String.format(
                    Locale.ROOT,
                    "canary %s at %s %%: %s%s",
                    outcome,
                    trim(d.get("percent").asDouble()),
                    d.get("reason").asText(),
                    numbers(d.get("numbers")));
            if (outcome.equals("WAIT")) {
              String stepKey = d.get("step").asText() + d.get("reason").asText().split(":")[0];
              if (stepKey.equals(lastWaitStep)) {
                continue;
              }
              lastWaitStep = stepKey;
              event("canary-wait", line);
            } else {
              event("canary", line);
            }
            if (outcome.equals("ROLLBACK") || outcome.equals("ABORT")) {
              return end("promoted", candidate, base);
            }
            if (outcome.equals("PROMOTE")) {
              reached.add("promoted");
              return end(null, candidate, base);
            }
          }
        }
      }
    }
    return end(failedStage(reached), candidate, base);
  }

  private static String failedStage(Set<String> reached) {
    for (String s : STAGES) {
      if (!reached.contains(s)) {
        return s;
      }
    }
    return null;
  }

  private Result end(String failed, Integer candidate, String base) {
    JsonNode aliases = get(base + "/api/v1/models/" + MODEL + "/aliases");
    Integer champion =
        aliases == null || !aliases.path("aliases").has("champion")
            ? null
            : aliases.path("aliases").get("champion").asInt();
    if (failed == null) {
      event(
          "done",
          "version "
              + champion
              + " is the champion: retrained, blessed and released by the canary");
    } else {
      event("done", "FAILED: stage '" + failed + "' did not happen in time");
    }
    return new Result(failed, List.copyOf(events), champion, candidate);
  }

  private static String numbers(JsonNode n) {
    if (n == null || !n.has("metric")) {
      JsonNode c = n == null ? null : n.path("candidate");
      JsonNode s = n == null ? null : n.path("stable");
      if (c == null || c.isMissingNode()) {
        return "";
      }
      return String.format(
          Locale.ROOT,
          " [requests stable %d, candidate %d]",
          s.path("requests").asLong(),
          c.path("requests").asLong());
    }
    JsonNode m = n.get("metric");
    return String.format(
        Locale.ROOT,
        " [%s stable %.4f, candidate %.4f, p %.3g; requests stable %d, candidate %d]",
        m.path("name").asText(),
        m.path("stable").asDouble(),
        m.path("candidate").asDouble(),
        m.path("msprtPValue").asDouble(),
        n.path("stable").path("requests").asLong(),
        n.path("candidate").path("requests").asLong());
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private void event(String stage, String text) {
    double s = (System.nanoTime() - started) / 1e9;
    events.add(new Event(s, stage, text));
    out.printf(Locale.ROOT, "[%6.1fs] %-11s %s%n", s, stage, text);
    out.flush();
  }

  private void print(String line) {
    out.println(line);
    out.flush();
  }

  private JsonNode get(String url) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Sends one record per request at the set rate, and each one's label as feedback. */
  private final class Traffic {
    final String base;
    final List<Record> normal;
    final List<Record> shiftedRows;
    final AtomicBoolean shifted = new AtomicBoolean();
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong sent = new AtomicLong();
    final AtomicLong answered = new AtomicLong();
    final ConcurrentLinkedQueue<ObjectNode> feedback = new ConcurrentLinkedQueue<>();
    final ExecutorService pool = Executors.newFixedThreadPool(5);
    static final int WORKERS = 4;

    Traffic(String base, List<Record> normal, List<Record> shifted) {
      this.base = base;
      this.normal = normal;
      this.shiftedRows = shifted;
    }

    void start() {
      for (int w = 0; w < WORKERS; w++) {
        pool.execute(this::send);
      }
      pool.execute(this::feedback);
    }

    /** Sends {@code n} normal requests one by one and waits for their answers. */
    void warmUp(int n) {
      for (int i = 0; i < n; i++) {
        sendOne(sent.getAndIncrement());
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Each worker sends its share of the rate; a late worker does not catch up in a burst. */
    private void send() {
      long interval = (long) (WORKERS * 1e9 / settings.rate());
      long next = System.nanoTime();
      while (running.get()) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(wait);
          } catch (InterruptedException e) {
            return;
          }
        }
        next = Math.max(next + interval, System.nanoTime() - interval);
        if (!sendOne(sent.getAndIncrement())) {
          return;
        }
      }
    }

    /** Sends request {@code i}; false when interrupted. */
    private boolean sendOne(long i) {
      boolean s = shifted.get();
      List<Record> rows = s ? shiftedRows : normal;
      Record r = rows.get((int) (i % rows.size()));
      ObjectNode rec = JSON.createObjectNode();
      for (String name : r.names()) {
        if (!name.equals(AdClickGenerator.LABEL)) {
          rec.putPOJO(name, r.get(name));
        }
      }
      ObjectNode body = JSON.createObjectNode();
      body.putArray("records").add(rec);
      String id = (s ? "shifted-" : "normal-") + i;
      try {
        HttpResponse<String> resp =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/models/" + MODEL + "/predict"))
                    .header("Content-Type", "application/json")
                    .header("X-Request-Id", id)
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() == 200) {
          answered.incrementAndGet();
          ObjectNode f = JSON.createObjectNode();
          f.put("request_id", id);
          f.put("label", AdClickGenerator.CLICK.equals(r.get(AdClickGenerator.LABEL)) ? 1 : 0);
          feedback.add(f);
        }
      } catch (IOException e) {
        // the server is stopping, or was too busy: the next request tries again
      } catch (InterruptedException e) {
        return false;
      }
      return true;
    }

    private void feedback() {
      while (running.get()) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
        ArrayNode batch = JSON.createArrayNode();
        ObjectNode f;
        while (batch.size() < 5000 && (f = feedback.poll()) != null) {
          batch.add(f);
        }
        if (batch.isEmpty()) {
          continue;
        }
        try {
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/feedback"))
                  .header("Content-Type", "application/json")
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(batch)))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
          // lost feedback only thins the windows
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}

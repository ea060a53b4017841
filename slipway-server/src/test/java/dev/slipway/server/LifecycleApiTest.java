package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.Record;
import dev.slipway.registry.AuditEntry;
import dev.slipway.registry.GateResult;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.server.config.SlipwayConfig;
import dev.slipway.serving.guard.Guards;
import dev.slipway.train.data.AdClickGenerator;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alerts and the lifecycle on a real server: shifted traffic with feedback, a closed window
 * fires the drift alert, the policy retrains the model on the logged window, the gate blesses the
 * candidate on its held-out rows and a canary starts; REST and /metrics show it.
 */
class LifecycleApiTest {
  static TestServer s;
  static com.sun.net.httpserver.HttpServer hooks;
  static final List<String> posted = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    hooks = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(0), 0);
    hooks.createContext(
        "/hook",
        ex -> {
          posted.add(
              ex.getRequestHeaders().getFirst("X-Slipway-Event")
                  + " "
                  + new String(ex.getRequestBody().readAllBytes(), "UTF-8"));
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    hooks.start();
    String yaml =
        """
        alerts:
          webhook: http://127.0.0.1:%d/hook
          window: 1h
          closeDelay: 0s
          evaluateEvery: 1h
          minRows: 100
          models:
            ad-click:
              - {name: drift, metric: drift.psi.max, above: 0.25}
              - {name: auc-low, metric: auc, below: 0.2}
        lifecycle:
          models:
            ad-click:
              onAlerts: [drift]
              cooldown: 1h
              canarySteps: [50, 100]
              retrain: {window: 1h, minRows: 1000, holdout: 0.3, seed: 5}
              gate: {atLeast: {auc: 0.55}}
              canary: {minSamples: 20, minStepDuration: 0s, evaluateEvery: 1h, metric: none}
        """
            .formatted(hooks.getAddress().getPort());
    java.nio.file.Path f = java.nio.file.Files.createTempFile("lifecycle", ".yaml");
    java.nio.file.Files.writeString(f, yaml);
    SlipwayConfig parsed = SlipwayConfig.load(f, Map.of());
    s = new TestServer(c -> c.toBuilder().lifecycle(parsed.lifecycle()).build());
  }

  @AfterAll
  static void stop() {
    s.close();
    hooks.stop(0);
  }

  /** Sends the shifted market's rows, 100 per request, then each row's label as feedback. */
  static void shiftedTrafficWithFeedback(int requests) throws Exception {
    List<Record> rows = AdClickGenerator.shifted(31).generate(requests * 100);
    ArrayNode feedback = TestServer.JSON.createArrayNode();
    for (int q = 0; q < requests; q++) {
      ObjectNode body = TestServer.JSON.createObjectNode();
      ArrayNode records = body.putArray("records");
      for (int i = 0; i < 100; i++) {
        Record r = rows.get(q * 100 + i);
        ObjectNode rec = records.addObject();
        for (String name : r.names()) {
          if (!name.equals(AdClickGenerator.LABEL)) {
            rec.putPOJO(name, r.get(name));
          }
        }
        feedback
            .addObject()
            .put("request_id", "shift-" + q)
            .put("row", i)
            .put("label", AdClickGenerator.CLICK.equals(r.get(AdClickGenerator.LABEL)) ? 1 : 0);
      }
      HttpResponse<String> resp =
          s.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(s.base() + "/api/v1/models/ad-click/predict"))
                  .header("Content-Type", "application/json")
                  .header("X-Request-Id", "shift-" + q)
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          TestServer.JSON.writeValueAsString(body)))
                  .build());
      assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
    }
    assertThat(s.server.monitoring().flush(Duration.ofSeconds(30))).isTrue();
    HttpResponse<String> f =
        s.post("/api/v1/feedback", TestServer.JSON.writeValueAsString(feedback));
    assertThat(f.statusCode()).as(f.body()).isEqualTo(200); // all matched
  }

  @Test
  void driftFiresRetrainsGatesAndStartsACanaryVisibleInRestAndMetrics() throws Exception {
    JsonNode before = TestServer.json(s.get("/api/v1/alerts"));
    assertThat(before.get("rules")).hasSize(2);
    assertThat(before.get("rules").get(0).get("state").asText()).isEqualTo("ok");
    assertThat(before.get("rules").get(0).get("description").asText())
        .isEqualTo("drift.psi.max > 0.25 for 1 window");
    assertThat(before.get("fired")).isEmpty();

    shiftedTrafficWithFeedback(60);
    // An hour later the window holding the traffic is closed.
    s.server.lifecycle().tick(Instant.now().plus(Duration.ofHours(1)).plusSeconds(1));

    JsonNode alerts = TestServer.json(s.get("/api/v1/alerts"));
    JsonNode drift = alerts.get("rules").get(0);
    assertThat(drift.get("state").asText()).isEqualTo("firing");
    assertThat(drift.get("last_value").asDouble()).isGreaterThan(0.25);
    assertThat(alerts.get("rules").get(1).get("state").asText()).isEqualTo("ok");
    assertThat(alerts.get("fired")).hasSize(1);
    assertThat(alerts.get("fired").get(0).get("rule").asText()).isEqualTo("drift");

    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> !s.server.lifecycle().loop().running("ad-click"));
    JsonNode lc = TestServer.json(s.get("/api/v1/models/ad-click/lifecycle"));
    List<String> steps = new ArrayList<>();
    lc.get("steps")
        .forEach(x -> steps.add(x.get("action").asText() + " " + x.get("outcome").asText()));
    assertThat(steps)
        .as(lc.toPrettyString())
        .containsExactly("alert started", "retrain done", "gate blessed", "canary started");
    assertThat(lc.get("policy").get("on_alerts").get(0).asText()).isEqualTo("drift");
    assertThat(lc.get("running").asBoolean()).isFalse();

    // The candidate: version 3, lineage from the log, a profile, the gate's numbers.
    ModelRegistry registry = s.server.registry();
    ModelVersion v3 = registry.version("ad-click", 3).orElseThrow();
    assertThat(v3.createdBy()).isEqualTo("slipway-lifecycle");
    Map<String, String> lineage = v3.lineage().parameters();
    assertThat(lineage.get("parent_version")).isEqualTo("2");
    assertThat(lineage.get("labelled_rows")).isEqualTo("6000");
    assertThat(lineage.get("holdout_rows")).isEqualTo("1800");
    assertThat(lineage.get("alert")).isEqualTo("drift");
    assertThat(v3.lineage().trainingDataRef()).startsWith("prediction-log:ad-click?from=");
    assertThat(registry.document("ad-click", 3, Guards.PROFILE)).isPresent();
    assertThat(v3.gate().verdict()).isEqualTo(GateResult.Verdict.BLESSED);
    assertThat(v3.gate().numbers())
        .containsKeys("candidate_auc", "champion_auc", "candidate_log_loss", "champion_log_loss");
    assertThat(v3.gate().numbers().get("candidate_rows")).isEqualTo(1800.0);
    // Version 2 served when the run began: pinned as champion (forced, audited), so that
    // version 3 took no traffic before its canary.
    assertThat(registry.aliases("ad-click")).containsEntry("champion", 2);
    assertThat(registry.audit("ad-click"))
        .anyMatch(
            (AuditEntry e) ->
                e.forced()
                    && "slipway-lifecycle".equals(e.actor())
                    && Integer.valueOf(2).equals(e.version()));

    JsonNode rollout = TestServer.json(s.get("/api/v1/models/ad-click/rollout"));
    assertThat(rollout.get("status").asText()).isEqualTo("RUNNING");
    assertThat(rollout.get("candidate").asInt()).isEqualTo(3);
    assertThat(rollout.get("stable").asInt()).isEqualTo(2);
    assertThat(rollout.get("percent").asDouble()).isEqualTo(50.0);

    // The webhook heard the alert and every step.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> posted.stream().filter(p -> p.startsWith("lifecycle_step ")).count() == 4);
    assertThat(posted.get(0))
        .startsWith("alert_fired ")
        .contains("\"rule\":\"drift\"")
        .contains("\"model\":\"ad-click\"");
    assertThat(posted)
        .filteredOn(p -> p.startsWith("lifecycle_step "))
        .anyMatch(p -> p.contains("\"action\":\"gate\"") && p.contains("candidate_auc"));

    String metrics = s.get("/metrics").body();
    assertThat(metrics)
        .contains("slipway_alerts_fired_total{model=\"ad-click\",rule=\"drift\"} 1.0")
        .contains("slipway_alerts_fired_total{model=\"ad-click\",rule=\"auc-low\"} 0.0")
        .contains("slipway_alert_firing{model=\"ad-click\",rule=\"drift\"} 1.0")
        .contains("slipway_alert_firing{model=\"ad-click\",rule=\"auc-low\"} 0.0");
  }

  @Test
  void theLifecycleOfAnUnknownModelIsA404NamingIt() {
    HttpResponse<String> r = s.get("/api/v1/models/nope/lifecycle");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(TestServer.json(r).get("error").asText()).contains("nope");
  }

  @Test
  void aModelWithoutAPolicyHasNoStepsAndNoPolicy() {
    JsonNode lc = TestServer.json(s.get("/api/v1/models/add/lifecycle"));
    assertThat(lc.get("policy").isNull()).isTrue();
    assertThat(lc.get("steps")).isEmpty();
  }
}

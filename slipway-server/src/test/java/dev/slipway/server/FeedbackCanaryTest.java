package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.server.config.SlipwayConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary judged by a feedback metric on a real server: the metric comes from feedback posted to
 * {@code POST /api/v1/feedback} and joined with the logged predictions, per version.
 */
class FeedbackCanaryTest {
  static final String RECORD = RolloutApiTest.RECORD;
  // p99 is not what these tests are about: a generous ratio keeps timing out of them
  static final String SPEC =
      "{\"candidate\": 2, \"stable\": 1, \"steps\": [50, 100], \"minSamples\": 15,"
          + " \"minStepSeconds\": 0, \"maxP99Ratio\": 1000, \"forcePromotion\": true,"
          + " \"metric\": {\"name\": \"click_rate\", \"effect\": 0.3}}";

  TestServer s;

  @BeforeEach
  void start() {
    s = new TestServer();
  }

  @AfterEach
  void stop() {
    if (s != null) {
      s.close();
    }
  }

  /** Sends {@code n} requests for the bare name; request id → the version that answered. */
  static Map<String, Integer> predict(String base, HttpClient http, String prefix, int n)
      throws Exception {
    Map<String, Integer> served = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String id = prefix + i;
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/models/ad-click/predict"))
                  .header("Content-Type", "application/json")
                  .header("X-Request-Id", id)
                  .POST(HttpRequest.BodyPublishers.ofString(RECORD))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      served.put(id, TestServer.json(r).get("model_version").asInt());
    }
    return served;
  }

  Map<String, Integer> predict(String prefix, int n) throws Exception {
    Map<String, Integer> served = predict(s.base(), s.http, prefix, n);
    assertThat(s.server.monitoring().flush(Duration.ofSeconds(30))).isTrue();
    return served;
  }

  /** Posts one feedback per request: label {@code goodVersion}'s answers 1, the others' 0. */
  HttpResponse<String> feedback(Map<String, Integer> served, int goodVersion) {
    StringBuilder b = new StringBuilder("[");
    served.forEach(
        (id, v) -> {
          if (b.length() > 1) {
            b.append(',');
          }
          b.append("{\"request_id\": \"")
              .append(id)
              .append("\", \"label\": ")
              .append(v == goodVersion ? 1 : 0)
              .append('}');
        });
    HttpResponse<String> r = s.post("/api/v1/feedback", b.append(']').toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r;
  }

  JsonNode evaluate() {
    HttpResponse<String> r = s.post("/api/v1/models/ad-click/rollout/evaluate", "");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode decisions = TestServer.json(r).get("decisions");
    return decisions.get(decisions.size() - 1);
  }

  static long count(Map<String, Integer> served, int version) {
    return served.values().stream().filter(v -> v == version).count();
  }

  @Test
  void aCanaryWithAFeedbackMetricIsPromotedOnlyOnceFeedbackArrives() throws Exception {
    HttpResponse<String> started = s.post("/api/v1/models/ad-click/rollout", SPEC);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    Map<String, Integer> step1 = predict("a-", 80);
    assertThat(count(step1, 1)).isGreaterThanOrEqualTo(15);
    assertThat(count(step1, 2)).isGreaterThanOrEqualTo(15);

    JsonNode waiting = evaluate();
    assertThat(waiting.get("outcome").asText()).isEqualTo("WAIT");
    assertThat(waiting.get("reason").asText()).contains("not enough click_rate feedback");

    feedback(step1, 2); // the candidate's answers were clicked, the stable's were not
    JsonNode advanced = evaluate();
    assertThat(advanced.get("outcome").asText()).as(advanced.toString()).isEqualTo("ADVANCE");
    JsonNode metric = advanced.get("numbers").get("metric");
    assertThat(metric.get("name").asText()).isEqualTo("click_rate");
    assertThat(metric.get("candidate").asDouble()).isEqualTo(1.0);
    assertThat(metric.get("stable").asDouble()).isEqualTo(0.0);
    assertThat(advanced.get("numbers").get("candidate").get("metricCount").asLong())
        .isEqualTo(count(step1, 2));

    Map<String, Integer> step2 = predict("b-", 30); // all to the candidate now
    assertThat(count(step2, 2)).isEqualTo(30);
    feedback(step2, 2);
    JsonNode promoted = evaluate();
    assertThat(promoted.get("outcome").asText()).as(promoted.toString()).isEqualTo("PROMOTE");
    JsonNode rollout = TestServer.json(s.get("/api/v1/models/ad-click/rollout"));
    assertThat(rollout.get("status").asText()).isEqualTo("PROMOTED");
  }

  @Test
  void aCandidateWithClearlyWorseFeedbackIsRolledBackNamingTheMetric() throws Exception {
    assertThat(s.post("/api/v1/models/ad-click/rollout", SPEC).statusCode()).isEqualTo(200);
    Map<String, Integer> served = predict("w-", 80);

    feedback(served, 1); // the stable's answers were clicked, the candidate's were not

    JsonNode d = evaluate();
    assertThat(d.get("outcome").asText()).as(d.toString()).isEqualTo("ROLLBACK");
    assertThat(d.get("reason").asText()).contains("click_rate").contains("significantly worse");
    JsonNode metric = d.get("numbers").get("metric");
    assertThat(metric.get("name").asText()).isEqualTo("click_rate");
    assertThat(metric.get("candidate").asDouble()).isEqualTo(0.0);
    assertThat(metric.get("stable").asDouble()).isEqualTo(1.0);
    assertThat(TestServer.json(s.get("/api/v1/models/ad-click/rollout")).get("status").asText())
        .isEqualTo("ROLLED_BACK");
  }

  @Test
  void feedbackPostedTwiceAndCorrectionsCountOncePerPrediction() throws Exception {
    assertThat(s.post("/api/v1/models/ad-click/rollout", SPEC).statusCode()).isEqualTo(200);
    Map<String, Integer> served = predict("t-", 40);
    feedback(served, 2);
    feedback(served, 2); // sent again
    String first = served.keySet().iterator().next();
    int firstVersion = served.get(first);
    // a correction of one label: the count stays, the mean moves
    s.post(
        "/api/v1/feedback",
        "{\"request_id\": \"" + first + "\", \"label\": " + (firstVersion == 2 ? 0 : 1) + "}");

    JsonNode numbers = evaluate().get("numbers");
    JsonNode arm = numbers.get(firstVersion == 2 ? "candidate" : "stable");
    long n = count(served, firstVersion);
    assertThat(arm.get("metricCount").asLong()).isEqualTo(n);
    double expected = firstVersion == 2 ? (n - 1.0) / n : 1.0 / n;
    assertThat(arm.get("metricMean").asDouble())
        .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-12));
  }

  @Test
  void aRestartedServerReadsTheRunningRolloutsFeedbackBack() throws Exception {
    assertThat(s.post("/api/v1/models/ad-click/rollout", SPEC).statusCode()).isEqualTo(200);
    Map<String, Integer> served = predict("r-", 40);
    feedback(served, 2);
    s.close();
    SlipwayServer again =
        SlipwayServer.start(SlipwayConfig.defaults().withHome(s.home).withPort(0));
    s = null;
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + again.port()
                                  + "/api/v1/models/ad-click/rollout/evaluate"))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode decisions = TestServer.json(r).get("decisions");
      JsonNode numbers = decisions.get(decisions.size() - 1).get("numbers");
      // the requests are not restored (they are not in the log's join), the feedback is
      assertThat(numbers.get("stable").get("metricCount").asLong()).isEqualTo(count(served, 1));
      assertThat(numbers.get("candidate").get("metricCount").asLong()).isEqualTo(count(served, 2));
      assertThat(numbers.get("candidate").get("metricMean").asDouble()).isEqualTo(1.0);
    } finally {
      again.close();
    }
  }

  @Test
  void aRolloutMetricTheServerCannotComputeIsRefusedNamingTheField() {
    HttpResponse<String> r =
        s.post(
            "/api/v1/models/ad-click/rollout",
            "{\"candidate\": 2, \"stable\": 1, \"metric\": {\"name\": \"ctr\"}}");
    RolloutApiTest.assertError(r, 400, "metric.name");
    assertThat(r.body()).contains("click_rate", "accuracy", "log_loss");
    RolloutApiTest.assertError(
        s.post(
            "/api/v1/models/ad-click/rollout",
            "{\"candidate\": 2, \"stable\": 1,"
                + " \"metric\": {\"name\": \"log_loss\", \"higherIsBetter\": true}}"),
        400,
        "metric.higherIsBetter");
  }
}

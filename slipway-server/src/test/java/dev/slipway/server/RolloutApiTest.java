package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Traffic policies, canary rollouts and the A/B report over REST on a real server. */
class RolloutApiTest {
  static TestServer s;
  static final String RECORD =
      """
      {"records": [{"hour": 14, "ad_position": 1, "user_past_ctr": 0.25, "user_age": 25,
        "device": "mobile", "site_category": "games", "ad_size": "320x50"}]}""";

  @BeforeAll
  static void start() {
    s = new TestServer();
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static HttpResponse<String> put(String path, String body) {
    return s.send(
        HttpRequest.newBuilder(URI.create(s.base() + path))
            .header("Content-Type", "application/json")
            .header("X-Slipway-Actor", "alice")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  static HttpResponse<String> delete(String path) {
    return s.send(HttpRequest.newBuilder(URI.create(s.base() + path)).DELETE().build());
  }

  static String servedVersion() {
    HttpResponse<String> r = s.post("/api/v1/models/ad-click/predict", RECORD);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestServer.json(r).get("model_version").asText();
  }

  @Test
  void aTrafficPolicyPlacesBareNameRequestsAndIsCountedPerVariant() {
    assertThat(servedVersion()).isEqualTo("2"); // no policy: the latest
    HttpResponse<String> set =
        put("/api/v1/models/ad-click/traffic", "{\"weights\": {\"1\": 100, \"2\": 0}}");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    assertThat(TestServer.json(set).get("policy").get("weights").get("1").asDouble())
        .isEqualTo(100);
    for (int i = 0; i < 3; i++) {
      assertThat(servedVersion()).isEqualTo("1");
    }
    // an explicit version bypasses the policy
    HttpResponse<String> v2 = s.post("/api/v1/models/ad-click/versions/2/predict", RECORD);
    assertThat(TestServer.json(v2).get("model_version").asText()).isEqualTo("2");
    assertThat(s.get("/metrics").body())
        .contains(
            "slipway_route_requests_total{model=\"ad-click\",outcome=\"ok\",role=\"primary\",version=\"1\"} 3.0");

    JsonNode report = TestServer.json(s.get("/api/v1/models/ad-click/abtest"));
    assertThat(report.get("control").asInt()).isEqualTo(1);
    assertThat(report.get("variants").get(0).get("requests").asLong()).isEqualTo(3);

    HttpResponse<String> cleared = delete("/api/v1/models/ad-click/traffic");
    assertThat(cleared.statusCode()).isEqualTo(200);
    assertThat(servedVersion()).isEqualTo("2");
  }

  @Test
  void badPoliciesAndSpecsAreRefusedNamingTheField() {
    assertError(
        put("/api/v1/models/ad-click/traffic", "{\"weights\": {\"1\": -5}}"), 400, "weights.1");
    assertError(put("/api/v1/models/ad-click/traffic", "{\"weights\": {}}"), 400, "weights");
    assertError(
        put("/api/v1/models/ad-click/traffic", "{\"weights\": {\"9\": 1}}"), 404, "weights");
    assertError(
        put(
            "/api/v1/models/ad-click/traffic",
            "{\"weights\": {\"1\": 1}, \"assignment\": \"sometimes\"}"),
        400,
        "assignment");
    assertError(s.post("/api/v1/models/ad-click/rollout", "{}"), 400, "candidate");
    assertError(
        s.post("/api/v1/models/ad-click/rollout", "{\"candidate\": \"two\"}"), 400, "candidate");
    assertError(
        s.post(
            "/api/v1/models/ad-click/rollout",
            "{\"candidate\": 2, \"stable\": 1, \"steps\": [50, 20, 100]}"),
        400,
        "steps[1]");
    assertError(
        s.post(
            "/api/v1/models/ad-click/rollout", "{\"candidate\": 2, \"stable\": 1, \"alpha\": 3}"),
        400,
        "alpha");
    assertError(
        s.post(
            "/api/v1/models/ad-click/rollout",
            "{\"candidate\": 2, \"stable\": 1, \"metric\": {\"name\": \"ctr\", \"effect\": -1}}"),
        400,
        "metric.effect");
    assertError(s.post("/api/v1/models/ad-click/rollout", "{\"candidate\": 2}"), 400, "stable");
    assertError(s.get("/api/v1/models/ad-click/abtest?alpha=x"), 400, "alpha");
    assertError(s.get("/api/v1/models/nope/rollout"), 404, "nope");
  }

  @Test
  void aCanaryStartsIsEvaluatedReportedAndAborted() {
    HttpResponse<String> started =
        s.post(
            "/api/v1/models/ad-click/rollout",
            "{\"candidate\": 2, \"stable\": 1, \"steps\": [10, 100], \"minSamples\": 100,"
                + " \"metric\": {\"name\": \"click_rate\", \"effect\": 0.02}}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    JsonNode r = TestServer.json(started);
    assertThat(r.get("status").asText()).isEqualTo("RUNNING");
    assertThat(r.get("percent").asDouble()).isEqualTo(10);
    assertThat(r.get("decisions").get(0).get("outcome").asText()).isEqualTo("START");

    // a second rollout, or a policy, while this one runs: 409
    assertError(
        s.post("/api/v1/models/ad-click/rollout", "{\"candidate\": 2, \"stable\": 1}"),
        409,
        "running");
    assertError(
        put("/api/v1/models/ad-click/traffic", "{\"weights\": {\"1\": 1}}"), 409, "running");

    for (int i = 0; i < 5; i++) {
      servedVersion();
    }
    HttpResponse<String> evaluated = s.post("/api/v1/models/ad-click/rollout/evaluate", "");
    assertThat(evaluated.statusCode()).as(evaluated.body()).isEqualTo(200);
    JsonNode last = TestServer.json(evaluated).get("decisions").get(1);
    assertThat(last.get("outcome").asText()).isEqualTo("WAIT");
    assertThat(last.get("reason").asText()).contains("not enough requests");
    assertThat(last.get("numbers").get("candidate").get("version").asInt()).isEqualTo(2);

    JsonNode report = TestServer.json(s.get("/api/v1/models/ad-click/abtest"));
    assertThat(report.get("metric").asText()).isEqualTo("click_rate");
    assertThat(report.get("variants")).hasSize(2);
    long total = 0;
    for (JsonNode v : report.get("variants")) {
      total += v.get("requests").asLong();
    }
    // at least the 5 routed requests (windows are whole minutes: earlier routed requests of this
    // minute, from another test, may be counted too)
    assertThat(total).isGreaterThanOrEqualTo(5);
    assertThat(report.get("variants").get(0).get("version").asInt()).isEqualTo(1);

    HttpResponse<String> aborted =
        s.post("/api/v1/models/ad-click/rollout/abort", "{\"reason\": \"test over\"}");
    assertThat(aborted.statusCode()).as(aborted.body()).isEqualTo(200);
    assertThat(TestServer.json(aborted).get("status").asText()).isEqualTo("ABORTED");
    assertThat(TestServer.json(s.get("/api/v1/models/ad-click/rollout")).get("status").asText())
        .isEqualTo("ABORTED");
    assertThat(s.get("/api/v1/models/ad-click/audit").body())
        .contains("rollout.start", "rollout.wait", "rollout.abort");
    // version 1 is not champion (there is none), so the aborted rollout pinned it
    assertThat(servedVersion()).isEqualTo("1");
    assertThat(delete("/api/v1/models/ad-click/traffic").statusCode()).isEqualTo(200);
    assertThat(servedVersion()).isEqualTo("2");
  }

  static void assertError(HttpResponse<String> r, int status, String field) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(TestServer.json(r).get("error").asText()).contains(field);
  }
}

package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/models/{m}/history} on a real server, its sampler driven by the test, and the
 * dashboard page it feeds.
 */
class HistoryApiTest {
  static final String RECORD =
      "{\"records\": [{\"hour\": 14, \"ad_position\": 1, \"user_past_ctr\": 0.25,"
          + " \"user_age\": 25, \"device\": \"mobile\", \"site_category\": \"games\","
          + " \"ad_size\": \"320x50\"}]}";
  static TestServer s;
  static Instant t0;

  @BeforeAll
  static void start() {
    // an interval longer than the test: only the test takes samples
    s = new TestServer(c -> c.toBuilder().historySampleSeconds(3600).build());
    t0 = Instant.now().minusSeconds(600);
    s.server.history().sampleAt(t0);
    for (int i = 0; i < 3; i++) {
      assertThat(s.post("/api/v1/models/ad-click/predict", RECORD).statusCode()).isEqualTo(200);
    }
    assertThat(s.post("/api/v1/models/ad-click/versions/1/predict", RECORD).statusCode())
        .isEqualTo(200);
    assertThat(
            s.post("/api/v1/models/ad-click/predict", "{\"records\":[{\"hour\":\"noon\"}]}")
                .statusCode())
        .isEqualTo(400);
    // errors for a model the server does not serve are not counted anywhere
    assertThat(s.post("/api/v1/models/made-up/predict", "{").statusCode()).isEqualTo(400);
    s.server.history().sampleAt(t0.plusSeconds(10));
  }

  @AfterAll
  static void stop() {
    if (s != null) {
      s.close();
    }
  }

  @Test
  void historyHasRequestsPerVersionLatencyAndTheErrorRateOfEachWindow() {
    HttpResponse<String> r =
        s.get(
            "/api/v1/models/ad-click/history?from="
                + t0.toEpochMilli()
                + "&to="
                + t0.plusSeconds(60));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = TestServer.json(r);
    assertThat(body.get("retentionSamples").asInt()).isEqualTo(8640);
    JsonNode requests = body.get("series").get("requests");
    assertThat(requests).as(body.toString()).hasSize(2);
    long t = t0.plusSeconds(10).toEpochMilli();
    assertThat(requests.get(0).get("t").asLong()).isEqualTo(t);
    assertThat(requests.get(0).get("version").asInt()).isEqualTo(1);
    assertThat(requests.get(0).get("value").asDouble()).isEqualTo(0.1);
    assertThat(requests.get(1).get("version").asInt()).isEqualTo(2);
    assertThat(requests.get(1).get("value").asDouble()).isEqualTo(0.3);
    for (String q : new String[] {"latency_p50", "latency_p95", "latency_p99"}) {
      JsonNode p = body.get("series").get(q);
      assertThat(p).as(q).hasSize(2);
      assertThat(p.get(1).get("value").asDouble()).as(q).isPositive().isLessThan(10_000);
    }
    // 4 answered and 1 refused for ad-click
    assertThat(body.get("series").get("error_rate").get(0).get("value").asDouble()).isEqualTo(0.2);
    assertThat(body.get("series").get("fallback_rate")).as("not guarded").isEmpty();
    assertThat(s.server.meters().find("slipway.model.responses").tag("model", "made-up").counters())
        .isEmpty();
  }

  @Test
  void theDefaultRangeIsTheLastHourAndAnEmptyRangeHasEmptySeries() {
    JsonNode recent = TestServer.json(s.get("/api/v1/models/ad-click/history"));
    assertThat(recent.get("series").get("requests")).hasSize(2);
    JsonNode old =
        TestServer.json(s.get("/api/v1/models/ad-click/history?to=" + t0.minusSeconds(3600)));
    assertThat(old.get("series").get("requests")).isEmpty();
    JsonNode quiet = TestServer.json(s.get("/api/v1/models/add/history"));
    assertThat(quiet.get("series").get("requests")).isEmpty();
  }

  @Test
  void anUnknownModelIs404AndABadRangeIs400NamingTheField() {
    HttpResponse<String> missing = s.get("/api/v1/models/nope/history");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(TestServer.json(missing).get("error").asText()).contains("nope");

    HttpResponse<String> bad = s.get("/api/v1/models/ad-click/history?from=yesterday");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(bad).get("error").asText())
        .contains("'from'")
        .contains("yesterday")
        .contains("ISO-8601");
    HttpResponse<String> badTo = s.get("/api/v1/models/ad-click/history?to=2026-13-01");
    assertThat(badTo.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(badTo).get("error").asText()).contains("'to'");
    HttpResponse<String> reversed =
        s.get("/api/v1/models/ad-click/history?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z");
    assertThat(reversed.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(reversed).get("error").asText()).contains("'from'");
  }

  @Test
  void theDashboardPageIsLinkedFromTheModelPageAndLoadsItsScriptsFromTheServer() {
    assertThat(s.get("/ui/models/ad-click").body()).contains("href=\"/models/ad-click/dashboard\"");
    HttpResponse<String> page = s.get("/models/ad-click/dashboard");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("data-model=\"ad-click\"")
        .contains("src=\"/static/uplot/uPlot.iife.min.js\"")
        .contains("src=\"/static/slipway/dashboard.js\"")
        .doesNotContain("http://")
        .doesNotContain("https://");
    HttpResponse<String> uplot = s.get("/static/uplot/uPlot.iife.min.js");
    assertThat(uplot.statusCode()).isEqualTo(200);
    assertThat(uplot.body()).contains("uPlot");
    assertThat(s.get("/static/slipway/dashboard.js").statusCode()).isEqualTo(200);
    assertThat(s.get("/static/slipway/dashboard.css").statusCode()).isEqualTo(200);
    assertThat(s.get("/models/nope/dashboard").statusCode()).isEqualTo(404);
  }
}

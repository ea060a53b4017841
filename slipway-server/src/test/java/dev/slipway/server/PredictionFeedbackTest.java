package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.monitor.MonitorSettings;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests are logged, feedback is posted (before and after its prediction, by request id and by
 * entity and time) and the performance series shows the accuracy and AUC of exactly those pairs.
 */
class PredictionFeedbackTest {
  static final String[] DEVICES = {"mobile", "desktop", "tablet"};
  static final String[] SITES = {"games", "finance", "news", "sports"};
  static TestServer s;

  @BeforeAll
  static void start() {
    s =
        new TestServer(
            c ->
                c.toBuilder()
                    .monitoring(
                        MonitorSettings.defaults()
                            .withModel(
                                "ad-click", new MonitorSettings.Model(null, "user_id", null, null)))
                    .build());
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static String record(Random r, String user) {
    return String.format(
        java.util.Locale.ROOT,
        "{\"user_id\": \"%s\", \"hour\": %d, \"ad_position\": %d, \"user_past_ctr\": %.3f,"
            + " \"user_age\": %d, \"device\": \"%s\", \"site_category\": \"%s\","
            + " \"ad_size\": \"320x50\"}",
        user,
        r.nextInt(24),
        1 + r.nextInt(5),
        r.nextDouble() * 0.4,
        18 + r.nextInt(50),
        DEVICES[r.nextInt(DEVICES.length)],
        SITES[r.nextInt(SITES.length)]);
  }

  HttpResponse<String> predict(String record, String requestId) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(s.base() + "/api/v1/models/ad-click/predict"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"records\": [" + record + "]}"));
    if (requestId != null) {
      b.header("X-Request-Id", requestId);
    }
    HttpResponse<String> r = s.send(b.build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r;
  }

  @Test
  void performanceOfLoggedPredictionsJoinedWithFeedbackMatchesTheirScoresAndLabels()
      throws Exception {
    Instant from = Instant.now().minusSeconds(1);
    Random random = new Random(11);
    List<Double> scores = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();

    // Early feedback: its prediction is not made yet.
    HttpResponse<String> early =
        s.post("/api/v1/feedback", "{\"request_id\": \"early-1\", \"label\": 1}");
    assertThat(early.statusCode()).as(early.body()).isEqualTo(202);
    assertThat(TestServer.json(early).get("results").get(0).get("status").asText())
        .isEqualTo("pending");
    HttpResponse<String> earlyPrediction = predict(record(random, "u-early"), "early-1");
    assertThat(earlyPrediction.headers().firstValue("X-Request-Id")).contains("early-1");
    assertThat(TestServer.json(earlyPrediction).get("id").asText()).isEqualTo("early-1");
    scores.add(score(earlyPrediction));
    labels.add(1);

    // 30 predictions without ids: the server makes one and returns it.
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      HttpResponse<String> r = predict(record(random, "u-" + i), null);
      String id = r.headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(TestServer.json(r).get("id").asText()).isEqualTo(id);
      ids.add(id);
      scores.add(score(r));
    }
    assertThat(ids).doesNotHaveDuplicates();

    // Labels the test chooses: mostly agreeing with the score, every fourth flipped.
    StringBuilder batch = new StringBuilder("[");
    String now = Instant.now().toString();
    for (int i = 0; i < 30; i++) {
      int label = (scores.get(i + 1) >= 0.3 ? 1 : 0) ^ (i % 4 == 0 ? 1 : 0);
      labels.add(label);
      if (i > 0) {
        batch.append(',');
      }
      if (i < 20) {
        batch.append("{\"request_id\": \"").append(ids.get(i)).append("\", \"label\": ");
      } else {
        batch
            .append("{\"model\": \"ad-click\", \"entity\": \"u-")
            .append(i)
            .append("\", \"time\": \"")
            .append(now)
            .append("\", \"label\": ");
      }
      batch.append(label == 1 ? "true" : "0").append('}');
    }
    HttpResponse<String> posted = s.post("/api/v1/feedback", batch.append(']').toString());
    assertThat(posted.statusCode()).as(posted.body()).isIn(200, 202);
    assertThat(TestServer.json(posted).get("accepted").asInt()).isEqualTo(30);

    assertThat(s.server.monitoring().flush(Duration.ofSeconds(30))).isTrue();
    s.server.monitoring().joinPending();

    HttpResponse<String> r =
        s.get(
            "/api/v1/models/ad-click/performance?window=31d&from="
                + from
                + "&to="
                + Instant.now().plusSeconds(60));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode series = TestServer.json(r).get("series");
    assertThat(series.get("count")).hasSize(1);
    JsonNode count = series.get("count").get(0);
    assertThat(count.get("version").asInt()).isEqualTo(2);
    assertThat(count.get("value").asInt()).isEqualTo(31);
    assertThat(series.get("accuracy").get(0).get("value").asDouble())
        .isEqualTo(accuracy(scores, labels));
    assertThat(series.get("auc").get(0).get("value").asDouble())
        .isCloseTo(auc(scores, labels), offset(1e-9));
    assertThat(series.get("log_loss").get(0).get("value").asDouble()).isPositive();
    JsonNode calibration = TestServer.json(r).get("calibration").get(0);
    assertThat(calibration.get("bins")).hasSize(10);
    int binned = 0;
    for (JsonNode b : calibration.get("bins")) {
      binned += b.get("count").asInt();
    }
    assertThat(binned).isEqualTo(31);
  }

  @Test
  void driftSeriesComparesLoggedInputsWithTheTrainingProfile() throws Exception {
    Random random = new Random(5);
    for (int i = 0; i < 12; i++) {
      predict(record(random, "d-" + i), null);
    }
    assertThat(s.server.monitoring().flush(Duration.ofSeconds(30))).isTrue();

    HttpResponse<String> r = s.get("/api/v1/models/ad-click/drift?window=31d");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = TestServer.json(r);
    List<String> pairs = new ArrayList<>();
    for (JsonNode f : body.get("features")) {
      pairs.add(f.get("feature").asText() + "/" + f.get("statistic").asText());
      assertThat(f.get("points").get(0).get("version").asInt()).isEqualTo(2);
    }
    assertThat(pairs)
        .contains("hour/ks", "user_past_ctr/wasserstein", "device/chi_square", "device/l_infinity");
    assertThat(body.get("prediction").get(0).get("statistic").asText()).isEqualTo("ks");
  }

  @Test
  void theOipAnswerCarriesTheRequestIdInAHeader() {
    HttpResponse<String> r =
        s.post(
            "/v2/models/add/infer",
            "{\"inputs\": [{\"name\": \"a\", \"shape\": [1, 2], \"datatype\": \"FP32\","
                + " \"data\": [1, 2]}, {\"name\": \"b\", \"shape\": [1, 2],"
                + " \"datatype\": \"FP32\", \"data\": [3, 4]}]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Request-Id"))
        .hasValueSatisfying(v -> assertThat(v).isNotBlank());
  }

  @Test
  void theOipBodyIdIsTheRequestId() {
    HttpResponse<String> r =
        s.post(
            "/v2/models/add/infer",
            "{\"id\": \"oip-1\", \"inputs\": [{\"name\": \"a\", \"shape\": [1, 2],"
                + " \"datatype\": \"FP32\", \"data\": [1, 2]}, {\"name\": \"b\","
                + " \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [3, 4]}]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Request-Id")).contains("oip-1");
    assertThat(TestServer.json(r).get("id").asText()).isEqualTo("oip-1");
  }

  @Test
  void theLogsOutcomesAreInTheMetrics() throws Exception {
    predict(record(new Random(1), "m-1"), null);
    assertThat(s.server.monitoring().flush(Duration.ofSeconds(30))).isTrue();

    String metrics = s.get("/metrics").body();
    assertThat(metrics)
        .contains("slipway_prediction_log_total{outcome=\"written\"}")
        .contains("slipway_prediction_log_total{outcome=\"dropped\"} 0.0")
        .contains("slipway_prediction_log_queue");
  }

  @Test
  void unknownModelsAreNotFound() {
    HttpResponse<String> r =
        s.post(
            "/api/v1/feedback",
            "{\"model\": \"nope\", \"entity\": \"u\", \"time\": \"2026-01-01T00:00:00Z\","
                + " \"label\": 1}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
    assertThat(s.get("/api/v1/models/nope/performance").statusCode()).isEqualTo(404);
  }

  static double score(HttpResponse<String> r) {
    return TestServer.json(r).get("predictions").get(0).get("score").asDouble();
  }

  static double accuracy(List<Double> scores, List<Integer> labels) {
    int right = 0;
    for (int i = 0; i < scores.size(); i++) {
      right += (scores.get(i) >= 0.5 ? 1 : 0) == labels.get(i) ? 1 : 0;
    }
    return (double) right / scores.size();
  }

  /** AUC by counting every (positive, negative) pair, ties one half. */
  static double auc(List<Double> scores, List<Integer> labels) {
    double wins = 0;
    int pairs = 0;
    for (int i = 0; i < scores.size(); i++) {
      for (int j = 0; j < scores.size(); j++) {
        if (labels.get(i) == 1 && labels.get(j) == 0) {
          pairs++;
          double a = scores.get(i);
          double b = scores.get(j);
          wins += a > b ? 1 : a == b ? 0.5 : 0;
        }
      }
    }
    return wins / pairs;
  }
}

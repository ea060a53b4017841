package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A bandit traffic policy learns from feedback: each joined label is a reward of the version that
 * answered, shown in {@code GET /api/v1/models/{m}/traffic}'s {@code bandit} posteriors.
 */
class FeedbackBanditTest {
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer();
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @BeforeEach
  void bandit() {
    HttpResponse<String> r =
        s.send(
            HttpRequest.newBuilder(URI.create(s.base() + "/api/v1/models/ad-click/traffic"))
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\": \"bandit\", \"weights\": {\"1\": 1, \"2\": 1}}"))
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** version → [successes, failures] */
  static long[] posterior(int version) {
    JsonNode b = TestServer.json(s.get("/api/v1/models/ad-click/traffic")).get("bandit");
    JsonNode v = b.get(Integer.toString(version));
    return v == null
        ? new long[] {0, 0}
        : new long[] {v.get("successes").asLong(), v.get("failures").asLong()};
  }

  static Map<String, Integer> predict(String prefix, int n) throws Exception {
    Map<String, Integer> served = FeedbackCanaryTest.predict(s.base(), s.http, prefix, n);
    assertThat(s.server.monitoring().flush(Duration.ofSeconds(30))).isTrue();
    return served;
  }

  static HttpResponse<String> label(String requestId, int label) {
    return s.post(
        "/api/v1/feedback", "{\"request_id\": \"" + requestId + "\", \"label\": " + label + "}");
  }

  @Test
  void postedFeedbackMovesThePosteriorOfTheVersionThatAnswered() throws Exception {
    long[] v1 = posterior(1);
    long[] v2 = posterior(2);
    Map<String, Integer> served = predict("bandit-", 12);
    long by1 = served.values().stream().filter(v -> v == 1).count();
    for (Map.Entry<String, Integer> e : served.entrySet()) {
      // version 1's answers were clicked, version 2's were not
      assertThat(label(e.getKey(), e.getValue() == 1 ? 1 : 0).statusCode()).isEqualTo(200);
    }

    assertThat(posterior(1)).containsExactly(v1[0] + by1, v1[1]);
    assertThat(posterior(2)).containsExactly(v2[0], v2[1] + (12 - by1));
  }

  @Test
  void theSameFeedbackPostedTwiceCountsOnceAndACorrectionMovesTheReward() throws Exception {
    Map<String, Integer> served = predict("twice-", 1);
    int version = served.values().iterator().next();
    long[] before = posterior(version);

    label("twice-0", 1);
    label("twice-0", 1);
    assertThat(posterior(version)).containsExactly(before[0] + 1, before[1]);

    label("twice-0", 0); // corrected: not a click after all
    assertThat(posterior(version)).containsExactly(before[0], before[1] + 1);
  }

  @Test
  void feedbackPostedBeforeItsPredictionIsLoggedCountsOnceItJoins() throws Exception {
    long[] v1 = posterior(1);
    long[] v2 = posterior(2);
    HttpResponse<String> early = label("late-0", 1);
    assertThat(early.statusCode()).as(early.body()).isEqualTo(202);
    assertThat(posterior(1)).containsExactly(v1);
    assertThat(posterior(2)).containsExactly(v2);

    int version = predict("late-", 1).get("late-0");
    s.server.monitoring().joinPending(); // the sweep finds nothing more to count

    assertThat(posterior(version))
        .containsExactly((version == 1 ? v1 : v2)[0] + 1, (version == 1 ? v1 : v2)[1]);
    assertThat(posterior(3 - version)).containsExactly(version == 1 ? v2 : v1);
  }
}

package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad feedback bodies and monitoring queries are 400s naming the field; nothing is stored. */
class FeedbackBadInputTest {
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer();
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        Arguments.of("", "'body'"),
        Arguments.of("\"label\"", "'body'"),
        Arguments.of("[]", "'body'"),
        Arguments.of("{\"request_id\": \"r\"}", "'label'"),
        Arguments.of("{\"request_id\": \"r\", \"label\": 2}", "'label'"),
        Arguments.of("{\"request_id\": \"r\", \"label\": \"yes\"}", "'label'"),
        Arguments.of("{\"request_id\": 7, \"label\": 1}", "'request_id'"),
        Arguments.of("{\"requestId\": \"r\", \"label\": 1}", "'requestId'"),
        Arguments.of("{\"label\": 1}", "'request_id'"),
        Arguments.of("{\"request_id\": \"r\", \"row\": -1, \"label\": 1}", "'row'"),
        Arguments.of("{\"model\": \"ad-click\", \"entity\": \"u\", \"label\": 1}", "'time'"),
        Arguments.of(
            "{\"model\": \"ad-click\", \"entity\": \"u\", \"time\": \"yesterday\", \"label\": 1}",
            "'time'"),
        Arguments.of(
            "{\"entity\": \"u\", \"time\": \"2026-01-01T00:00:00Z\", \"label\": 1}", "'model'"),
        Arguments.of("{\"request_id\": \"r\", \"entity\": \"u\", \"label\": 1}", "'entity'"),
        Arguments.of(
            "[{\"request_id\": \"a\", \"label\": 1}, {\"request_id\": \"b\", \"label\": 5}]",
            "'[1].label'"),
        Arguments.of("[{\"request_id\": \"a\", \"label\": 1}, 3]", "'[1]'"));
  }

  @ParameterizedTest
  @MethodSource("badBodies")
  void aBadFeedbackBodyIsA400NamingTheField(String body, String field) {
    HttpResponse<String> r = s.post("/api/v1/feedback", body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText()).contains(field);
    assertThat(s.server.monitoring().feedback().pending()).isZero();
  }

  @Test
  void badMonitoringQueriesAre400sNamingTheParameter() {
    for (String[] q :
        new String[][] {
          {"performance?window=1week", "'window'"},
          {"performance?from=yesterday", "'from'"},
          {"performance?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "'from'"},
          {"performance?threshold=2", "'threshold'"},
          {"performance?bins=0", "'bins'"},
          {"performance?window=1m&from=2000-01-01T00:00:00Z", "'window'"},
          {"drift?reference_from=2026-01-01T00:00:00Z", "'reference_to'"},
          {"predictions?limit=100000", "'limit'"}
        }) {
      HttpResponse<String> r = s.get("/api/v1/models/ad-click/" + q[0]);
      assertThat(r.statusCode()).as(q[0] + " " + r.body()).isEqualTo(400);
      assertThat(TestServer.json(r).get("error").asText()).as(q[0]).contains(q[1]);
    }
  }

  @Test
  void aBadRequestIdHeaderIsA400() {
    HttpResponse<String> r =
        s.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(s.base() + "/api/v1/models/ad-click/predict"))
                .header("Content-Type", "application/json")
                .header("X-Request-Id", "x".repeat(1001))
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        RecordsApiTest.SAMPLE_RECORDS))
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText()).contains("X-Request-Id");
  }
}

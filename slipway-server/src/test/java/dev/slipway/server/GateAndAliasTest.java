package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.registry.ModelVersion;
import dev.slipway.server.demo.DemoModel;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The evaluation gate blesses a better candidate and refuses a worse one, moving {@code champion}
 * needs a blessing unless forced (and a forced move is audited), and a rollback is immediate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GateAndAliasTest {
  static TestServer s;
  static final String HELD_OUT =
      "{\"generator\": {\"name\": \"ad-click\", \"seed\": 99, \"rows\": 5000}}";
  static int worse;
  static int better;

  @BeforeAll
  static void start() {
    s = new TestServer(c -> c.toBuilder().keepWarmSeconds(300).build());
    // a weak candidate (300 rows) and a strong one (40,000 rows), same trainer
    ModelVersion w = DemoModel.register(s.server.registry(), 3, 300);
    ModelVersion b = DemoModel.register(s.server.registry(), 11, 40_000);
    worse = w.version();
    better = b.version();
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static HttpResponse<String> put(String path, String body) {
    return s.send(
        HttpRequest.newBuilder(URI.create(s.base() + path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  static JsonNode evaluate(int version) {
    HttpResponse<String> r =
        s.post("/api/v1/models/ad-click/versions/" + version + "/evaluate", HELD_OUT);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestServer.json(r);
  }

  @Test
  @Order(1)
  void theFirstChampionIsBlessedOnValueThresholdsAlone() {
    JsonNode gate = evaluate(1);
    assertThat(gate.get("verdict").asText()).isEqualTo("BLESSED");
    assertThat(gate.get("numbers").get("candidate_auc").asDouble()).isGreaterThan(0.7);
    assertThat(
            put(
                    "/api/v1/models/ad-click/aliases/champion",
                    "{\"version\": 1, \"reason\": \"first\"}")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            TestServer.json(
                    s.post("/api/v1/models/ad-click/predict", RecordsApiTest.SAMPLE_RECORDS))
                .get("model_version")
                .asInt())
        .as("a bare name serves the champion, not the latest version")
        .isEqualTo(1);
  }

  @Test
  @Order(2)
  void aWorseCandidateIsNotBlessedAndCannotBecomeChampionWithoutForce() {
    JsonNode gate = evaluate(worse);
    assertThat(gate.get("verdict").asText()).as(gate.toString()).isEqualTo("NOT_BLESSED");
    assertThat(gate.get("failures").toString()).contains("champion");
    HttpResponse<String> refused =
        put("/api/v1/models/ad-click/aliases/champion", "{\"version\": " + worse + "}");
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(TestServer.json(refused).get("error").asText()).contains("champion");
    assertThat(
            TestServer.json(s.get("/api/v1/models/ad-click/aliases"))
                .get("aliases")
                .get("champion")
                .asInt())
        .isEqualTo(1);

    HttpResponse<String> forced =
        put(
            "/api/v1/models/ad-click/aliases/champion",
            "{\"version\": " + worse + ", \"force\": true, \"reason\": \"incident drill\"}");
    assertThat(forced.statusCode()).isEqualTo(200);
    JsonNode audit = TestServer.json(s.get("/api/v1/models/ad-click/audit?limit=5")).get("entries");
    assertThat(audit.get(0).get("forced").asBoolean()).isTrue();
    assertThat(audit.get(0).get("reason").asText()).isEqualTo("incident drill");
  }

  @Test
  @Order(3)
  void rollbackIsImmediateBecauseThePreviousVersionStayedWarm() {
    JsonNode deployments = TestServer.json(s.get("/api/v1/deployments"));
    assertThat(deployments.get("loaded").findValuesAsText("version")).contains("1");
    long start = System.nanoTime();
    HttpResponse<String> r =
        s.post(
            "/api/v1/models/ad-click/aliases/champion/rollback",
            "{\"reason\": \"worse in production\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestServer.json(r).get("version").asInt()).isEqualTo(1);
    assertThat(
            TestServer.json(
                    s.post("/api/v1/models/ad-click/predict", RecordsApiTest.SAMPLE_RECORDS))
                .get("model_version")
                .asInt())
        .isEqualTo(1);
    assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
  }

  @Test
  @Order(4)
  void aBetterCandidateIsBlessedAndPromoted() {
    JsonNode gate = evaluate(better);
    assertThat(gate.get("verdict").asText()).as(gate.toString()).isEqualTo("BLESSED");
    assertThat(gate.get("champion_version").asInt()).isEqualTo(1);
    assertThat(
            put("/api/v1/models/ad-click/aliases/champion", "{\"version\": " + better + "}")
                .statusCode())
        .isEqualTo(200);
    JsonNode v = TestServer.json(s.get("/api/v1/models/ad-click/versions/" + better));
    assertThat(v.get("gate").asText()).isEqualTo("BLESSED");
    // the numbers that drove the verdict are on the version
    assertThat(v.get("gate_result").get("numbers").get("candidate_auc").asDouble())
        .isEqualTo(gate.get("numbers").get("candidate_auc").asDouble());
  }

  @Test
  @Order(5)
  void badAliasRequestsAreClear4xxs() {
    assertThat(put("/api/v1/models/ad-click/aliases/latest", "{\"version\": 1}").statusCode())
        .isEqualTo(400);
    assertThat(put("/api/v1/models/ad-click/aliases/v2", "{\"version\": 1}").statusCode())
        .isEqualTo(400);
    assertThat(put("/api/v1/models/ad-click/aliases/staging", "{\"version\": 99}").statusCode())
        .isEqualTo(404);
    assertThat(put("/api/v1/models/nope/aliases/staging", "{\"version\": 1}").statusCode())
        .isEqualTo(404);
    HttpResponse<String> noVersion =
        put("/api/v1/models/ad-click/aliases/staging", "{\"version\": \"one\"}");
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(noVersion).get("error").asText())
        .contains("version")
        .contains("\"one\"");
    assertThat(s.get("/api/v1/models/ad-click/aliases/").statusCode()).isEqualTo(404);
    assertThat(
            s.post("/api/v1/models/ad-click@nosuch/predict", RecordsApiTest.SAMPLE_RECORDS)
                .statusCode())
        .isEqualTo(404);
  }
}

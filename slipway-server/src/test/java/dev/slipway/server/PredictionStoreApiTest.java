package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.Record;
import dev.slipway.batch.BatchEngine;
import dev.slipway.batch.BatchJob;
import dev.slipway.batch.BatchSummary;
import dev.slipway.batch.store.JdbcPredictionStore;
import dev.slipway.batch.store.StoreFirst;
import dev.slipway.server.config.SlipwayConfig;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.serving.Pipeline;
import dev.slipway.train.data.AdClickGenerator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Batch results in the prediction store, read over HTTP: by key, and by the records API of a model
 * that answers from the store first (fresh stored predictions) and falls back to live inference
 * (stale, missing or no key), saying which per prediction.
 */
class PredictionStoreApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String MODEL = DemoModel.NAME;
  static TestServer s;
  static Path dir;
  static Instant freshAt;
  static Instant staleAt;
  static List<Record> rows;

  @BeforeAll
  static void start() throws Exception {
    s =
        new TestServer(
            c ->
                c.toBuilder()
                    .predictionStore(
                        SlipwayConfig.PredictionStoreSettings.jdbc()
                            .withAnswers(
                                MODEL, new StoreFirst.Policy("user_id", Duration.ofHours(24))))
                    .build());
    dir = Files.createTempDirectory("slipway-store-test");
    rows = new AdClickGenerator(5).generate(20);
    // users u0..u9 scored an hour ago, s0..s9 two days ago, by batch jobs on the server's home
    Instant now = Instant.now();
    freshAt = now.minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    staleAt = now.minus(Duration.ofHours(48)).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    score("fresh.jsonl", "u", rows.subList(0, 10), freshAt);
    score("stale.jsonl", "s", rows.subList(10, 20), staleAt);
  }

  private static BatchSummary score(String file, String prefix, List<Record> records, Instant at)
      throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < records.size(); i++) {
      Map<String, Object> m = new LinkedHashMap<>(records.get(i).asMap());
      m.put("user_id", prefix + i);
      b.append(JSON.writeValueAsString(m)).append('\n');
    }
    Path in = Files.writeString(dir.resolve(file), b);
    Pipeline pipeline =
        new Pipeline(
            s.server.host(), new SimpleMeterRegistry(), n -> null, Pipeline.Limits.defaults());
    return new BatchEngine(
            pipeline,
            Clock.fixed(at, ZoneOffset.UTC),
            new JdbcPredictionStore(s.server.registry().dataSource()))
        .run(BatchJob.of(MODEL, in, dir.resolve("out-" + file)).withKey("user_id"), p -> {});
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @SafeVarargs
  private static String records(Map<String, Object>... records) throws Exception {
    return JSON.writeValueAsString(Map.of("records", List.of(records)));
  }

  private static Map<String, Object> user(int row, String id) {
    Map<String, Object> m = new LinkedHashMap<>(rows.get(row).asMap());
    if (id != null) {
      m.put("user_id", id);
    }
    return m;
  }

  @Test
  void aStoredPredictionIsAnsweredByKeyWithVersionTimeAndAge() {
    HttpResponse<String> r = s.get("/api/v1/models/ad-click/predictions/u3");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = TestServer.json(r);
    assertThat(body.get("model").asText()).isEqualTo("ad-click");
    assertThat(body.get("key").asText()).isEqualTo("u3");
    assertThat(body.get("version").asInt()).isEqualTo(2);
    assertThat(Instant.parse(body.get("scored_at").asText())).isEqualTo(freshAt);
    assertThat(body.get("age_seconds").asLong()).isBetween(3600L, 3600L + 600);
    JsonNode outputs = body.get("outputs");
    assertThat(outputs.get("label").asText()).isIn("click", "no_click");
    assertThat(outputs.get("probabilities")).hasSize(2);
  }

  @Test
  void anAbsentKeyIs404NamingTheKey() {
    HttpResponse<String> r = s.get("/api/v1/models/ad-click/predictions/nobody-42");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(TestServer.json(r).get("error").asText())
        .contains("'nobody-42'")
        .contains("ad-click");
  }

  @Test
  void aTooLongOrBlankOrMissingKeyIs400() {
    HttpResponse<String> tooLong = s.get("/api/v1/models/ad-click/predictions/" + "k".repeat(257));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(tooLong).get("error").asText())
        .contains("field 'key'")
        .contains("at most 256 characters");

    HttpResponse<String> blank = s.get("/api/v1/models/ad-click/predictions/%20%20");
    assertThat(blank.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(blank).get("error").asText()).contains("field 'key'");

    for (String path : List.of("/api/v1/models/ad-click/predictions/")) {
      HttpResponse<String> none = s.get(path);
      assertThat(none.statusCode()).as(path).isEqualTo(400);
      assertThat(TestServer.json(none).get("error").asText()).contains("field 'key' is missing");
    }
  }

  @Test
  void freshKeysAreAnsweredFromTheStoreStaleMissingAndKeylessOnesLive() throws Exception {
    double hitsBefore = lookups("hit");
    double staleBefore = lookups("stale");
    double missBefore = lookups("miss");
    HttpResponse<String> r =
        s.post(
            "/api/v1/models/ad-click/predict",
            records(user(1, "u1"), user(11, "s1"), user(2, "nobody"), user(3, null)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode p = TestServer.json(r).get("predictions");
    assertThat(p).hasSize(4);
    List<String> from = new ArrayList<>();
    p.forEach(x -> from.add(x.get("served_from").asText()));
    assertThat(from).containsExactly("store", "live", "live", "live");

    // the store's answer is the batch job's, byte for byte what GET by key says
    JsonNode stored = TestServer.json(s.get("/api/v1/models/ad-click/predictions/u1"));
    assertThat(p.get(0).get("probabilities")).isEqualTo(stored.get("outputs").get("probabilities"));
    assertThat(p.get(0).get("label")).isEqualTo(stored.get("outputs").get("label"));
    assertThat(p.get(0).get("model_version").asText()).isEqualTo("2");
    // the stale user is scored live again: the same row gives the same answer as its old one
    JsonNode old = TestServer.json(s.get("/api/v1/models/ad-click/predictions/s1"));
    assertThat(p.get(1).get("probabilities")).isEqualTo(old.get("outputs").get("probabilities"));

    assertThat(lookups("hit") - hitsBefore).isEqualTo(1);
    assertThat(lookups("stale") - staleBefore).isEqualTo(1);
    assertThat(lookups("miss") - missBefore).isEqualTo(2);
  }

  @Test
  void aRequestToAGivenVersionIsAlwaysLiveAndSaysNothingOfTheStore() throws Exception {
    HttpResponse<String> r =
        s.post("/api/v1/models/ad-click/versions/2/predict", records(user(1, "u1")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestServer.json(r).get("predictions").get(0).has("served_from")).isFalse();
  }

  @Test
  void xmlAndCsvSayWhereEachPredictionCameFrom() throws Exception {
    String body = records(user(4, "u4"), user(5, "nobody"));
    HttpResponse<String> xml = s.post("/api/v1/models/ad-click/predict", body, "application/xml");
    assertThat(xml.statusCode()).as(xml.body()).isEqualTo(200);
    NodeList ps =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(xml.body().getBytes(StandardCharsets.UTF_8)))
            .getElementsByTagName("prediction");
    assertThat(((Element) ps.item(0)).getAttribute("served_from")).isEqualTo("store");
    assertThat(((Element) ps.item(1)).getAttribute("served_from")).isEqualTo("live");

    HttpResponse<String> csv = s.post("/api/v1/models/ad-click/predict", body, "text/csv");
    assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
    List<String> lines = csv.body().lines().toList();
    List<String> header = List.of(lines.get(0).split(","));
    int col = header.indexOf("served_from");
    assertThat(col).isPositive();
    assertThat(lines.get(1).split(",")[col]).isEqualTo("store");
    assertThat(lines.get(2).split(",")[col]).isEqualTo("live");
  }

  @Test
  void lookupsAreCountedInMetricsByModelAndResult() throws Exception {
    s.post("/api/v1/models/ad-click/predict", records(user(6, "u6")));
    String metrics = s.get("/metrics").body();
    assertThat(metrics)
        .containsPattern(
            "slipway_prediction_store_lookups_total\\{[^}]*model=\"ad-click\"[^}]*result=\"hit\"");
  }

  private static double lookups(String result) {
    var c =
        s.server
            .meters()
            .find("slipway.prediction.store.lookups")
            .tags("model", MODEL, "result", result)
            .counter();
    return c == null ? 0 : c.count();
  }
}

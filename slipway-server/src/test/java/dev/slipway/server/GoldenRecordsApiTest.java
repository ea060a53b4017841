package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.DataType;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import dev.slipway.train.AdClickDemo;
import dev.slipway.train.TrainedModel;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Verify on registration: an upload carries golden records (or gets generated ones), the server
 * replays them, and a version that does not reproduce them is FAILED and cannot get an alias.
 */
class GoldenRecordsApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer(c -> c.toBuilder().registryPollMillis(50).keepWarmSeconds(0).build());
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static byte[] doubler() {
    return new OnnxModelBuilder()
        .input("x", DataType.FP32, -1)
        .output("y", DataType.FP32, -1)
        .node("Add", List.of("x", "x"), List.of("y"), null)
        .build();
  }

  /** A multipart/form-data upload; values are byte[] (a file part) or String. */
  static HttpResponse<String> uploadForm(String name, Map<String, Object> parts) {
    String boundary = "slipway-test-boundary-1234";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    parts.forEach(
        (k, v) -> {
          String head =
              "--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\""
                  + k
                  + "\""
                  + (v instanceof byte[] ? "; filename=\"" + k + ".bin\"" : "")
                  + "\r\nContent-Type: "
                  + (v instanceof byte[] ? "application/octet-stream" : "text/plain")
                  + "\r\n\r\n";
          body.writeBytes(head.getBytes(StandardCharsets.UTF_8));
          body.writeBytes(
              v instanceof byte[] b ? b : ((String) v).getBytes(StandardCharsets.UTF_8));
          body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        });
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return s.send(
        HttpRequest.newBuilder(URI.create(s.base() + "/api/v1/models/" + name + "/versions"))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
            .build());
  }

  static String goldenFor(String expected) {
    return "{\"cases\": [{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [2],"
        + " \"data\": [1.5, -3]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\","
        + " \"shape\": [2], \"data\": ["
        + expected
        + "]}]}], \"tolerance\": {\"absolute\": 1e-6, \"relative\": 0}}";
  }

  @Test
  void goldenRecordsTheModelReproducesMakeAVerifiedVersion() {
    Map<String, Object> parts = new LinkedHashMap<>();
    parts.put("model", doubler());
    parts.put("golden", goldenFor("3, -6"));
    parts.put("description", "doubles x");
    HttpResponse<String> r = uploadForm("gold-ok", parts);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode v = TestServer.json(r);
    assertThat(v.get("verification").asText()).isEqualTo("VERIFIED");
    assertThat(v.get("verification_message").asText())
        .isEqualTo("loaded and reproduced its 1 golden record");
    assertThat(v.get("golden_records").asInt()).isEqualTo(1);
    assertThat(v.get("description").asText()).isEqualTo("doubles x");
    HttpResponse<String> alias =
        s.send(
            HttpRequest.newBuilder(
                    URI.create(s.base() + "/api/v1/models/gold-ok/aliases/challenger"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"version\": 1}"))
                .build());
    assertThat(alias.statusCode()).as(alias.body()).isEqualTo(200);
  }

  @Test
  void aVersionThatDoesNotReproduceItsGoldenRecordsIsFailedAndCannotGetAnAlias() {
    Map<String, Object> parts = new LinkedHashMap<>();
    parts.put("model", doubler());
    parts.put("golden", goldenFor("3, -6.5"));
    HttpResponse<String> r = uploadForm("gold-bad", parts);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode v = TestServer.json(r);
    assertThat(v.get("verification").asText()).isEqualTo("FAILED");
    assertThat(v.get("verification_message").asText())
        .contains("golden record 1 of 1")
        .contains("output 'y' element 1: expected -6.5, got -6.0");
    for (boolean force : new boolean[] {false, true}) {
      HttpResponse<String> alias =
          s.send(
              HttpRequest.newBuilder(
                      URI.create(s.base() + "/api/v1/models/gold-bad/aliases/champion"))
                  .header("Content-Type", "application/json")
                  .PUT(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"version\": 1, \"force\": " + force + "}"))
                  .build());
      assertThat(alias.statusCode()).as(alias.body()).isEqualTo(409);
      assertThat(TestServer.json(alias).get("error").asText()).contains("failed verification");
    }
  }

  @Test
  void malformedGoldenRecordsAreRefusedAndNothingIsRegistered() {
    Map<String, Object> parts = new LinkedHashMap<>();
    parts.put("model", doubler());
    parts.put("golden", "{\"cases\": [{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\"}]}]}");
    HttpResponse<String> r = uploadForm("gold-malformed", parts);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText())
        .contains("golden.cases[0].inputs[0].shape");

    parts.put("golden", "{not json");
    r = uploadForm("gold-malformed", parts);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText()).contains("golden");

    parts.put(
        "golden",
        "{\"cases\": [{\"inputs\": [{\"name\": \"nope\", \"datatype\": \"FP32\", \"shape\": [1],"
            + " \"data\": [1]}]}]}");
    r = uploadForm("gold-malformed", parts);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText()).contains("golden");

    assertThat(s.get("/api/v1/models/gold-malformed/versions").statusCode()).isEqualTo(404);
  }

  @Test
  void aFormWithoutTheModelPartNamesIt() {
    HttpResponse<String> r = uploadForm("gold-nomodel", Map.of("golden", goldenFor("3, -6")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText()).contains("'model'");
  }

  @Test
  void aRawUploadGetsGeneratedGoldenRecords() {
    HttpResponse<String> r =
        s.send(
            HttpRequest.newBuilder(URI.create(s.base() + "/api/v1/models/gold-raw/versions"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(doubler()))
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode v = TestServer.json(r);
    assertThat(v.get("verification").asText()).isEqualTo("VERIFIED");
    assertThat(v.get("golden_records").asInt()).isGreaterThan(1);
  }

  @Test
  void aTabularModelUploadedWithItsManifestTakesRecordsAndReplaysRecordCases() throws Exception {
    TrainedModel trained = AdClickDemo.train(11, 2000);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.set("tabular", JSON.valueToTree(trained.spec()));
    manifest.put("description", "ad click, uploaded");
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("hour", 20);
    record.put("ad_position", 1);
    record.put("user_past_ctr", 0.3);
    record.put("user_age", 30);
    record.put("device", "mobile");
    record.put("site_category", "news");
    record.put("ad_size", "300x250");
    String golden = "{\"cases\": [{\"record\": " + JSON.writeValueAsString(record) + "}]}";
    Map<String, Object> parts = new LinkedHashMap<>();
    parts.put("model", trained.onnx());
    parts.put("manifest", manifest.toString());
    parts.put("golden", golden);
    HttpResponse<String> r = uploadForm("gold-tabular", parts);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode v = TestServer.json(r);
    assertThat(v.get("verification").asText()).isEqualTo("VERIFIED");
    assertThat(v.get("golden_records").asInt()).isEqualTo(1);
    assertThat(v.get("description").asText()).isEqualTo("ad click, uploaded");

    HttpResponse<String> p =
        s.post(
            "/api/v1/models/gold-tabular/predict",
            "{\"records\": [" + JSON.writeValueAsString(record) + "]}");
    assertThat(p.statusCode()).as(p.body()).isEqualTo(200);
    assertThat(p.body()).contains("click");

    manifest.set("tabular", JSON.createObjectNode().put("nonsense", true));
    parts.put("manifest", manifest.toString());
    HttpResponse<String> bad = uploadForm("gold-tabular", parts);
    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
    assertThat(TestServer.json(bad).get("error").asText()).contains("manifest");
  }
}

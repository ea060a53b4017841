package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.DataType;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Uploading versions over REST, and serving following the registry without a restart. */
class RegistryApiTest {
  static TestServer s;

  @BeforeAll
  static void start() {
    s =
        new TestServer(
            c ->
                c.toBuilder()
                    .maxUploadBytes(64 * 1024)
                    .registryPollMillis(50)
                    .keepWarmSeconds(0)
                    .build());
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static HttpResponse<String> upload(String name, byte[] body, String query) {
    return s.send(
        HttpRequest.newBuilder(
                URI.create(s.base() + "/api/v1/models/" + name + "/versions" + query))
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static byte[] doubler() {
    return new OnnxModelBuilder()
        .input("x", DataType.FP64, -1)
        .output("y", DataType.FP64, -1)
        .node("Add", List.of("x", "x"), List.of("y"), null)
        .build();
  }

  @Test
  void anUploadedVersionIsRegisteredAndServedWithoutARestart() throws Exception {
    byte[] v1 = OnnxModelBuilder.identity(DataType.FP64, -1);
    HttpResponse<String> r = upload("echo", v1, "?sha256=" + sha256(v1) + "&description=first");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode created = TestServer.json(r);
    assertThat(created.get("version").asInt()).isEqualTo(1);
    assertThat(created.get("sha256").asText()).isEqualTo(sha256(v1));
    String req = "{\"records\": [{\"x\": 4.0}]}";
    assertThat(
            TestServer.json(s.post("/api/v1/models/echo/predict", req))
                .get("predictions")
                .get(0)
                .get("y")
                .asDouble())
        .isEqualTo(4.0);

    assertThat(upload("echo", doubler(), "").statusCode()).isEqualTo(201);
    // the un-versioned route follows the new latest version right away, version 1 still answers by
    // number
    JsonNode latest = TestServer.json(s.post("/api/v1/models/echo/predict", req));
    assertThat(latest.get("model_version").asText()).isEqualTo("2");
    assertThat(latest.get("predictions").get(0).get("y").asDouble()).isEqualTo(8.0);
    assertThat(
            TestServer.json(s.post("/api/v1/models/echo/versions/1/predict", req))
                .get("model_version")
                .asText())
        .isEqualTo("1");
    assertThat(TestServer.json(s.get("/api/v1/models/echo/versions")).get("versions")).hasSize(2);
    assertThat(TestServer.json(s.get("/api/v1/models/echo/versions/1")).get("description").asText())
        .isEqualTo("first");
  }

  @Test
  void aChecksumMismatchIsRefusedAndNothingIsRegistered() {
    byte[] v1 = OnnxModelBuilder.identity(DataType.FP32, -1);
    HttpResponse<String> r = upload("sum-check", v1, "?sha256=" + "0".repeat(64));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText()).contains("sha256").contains("0000");
    assertThat(s.get("/api/v1/models/sum-check/versions").statusCode()).isEqualTo(404);
  }

  @Test
  void aCorruptOrTruncatedModelIsRefusedAndNothingIsRegistered() {
    byte[] model = OnnxModelBuilder.identity(DataType.FP32, -1);
    byte[] truncated = java.util.Arrays.copyOf(model, model.length / 2);
    HttpResponse<String> r = upload("broken", truncated, "");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(r).get("error").asText()).contains("model").contains("ONNX");
    assertThat(s.get("/api/v1/models/broken/versions").statusCode()).isEqualTo(404);
  }

  @Test
  void anUploadOverTheLimitIs413() {
    HttpResponse<String> r = upload("big", new byte[100 * 1024], "");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(TestServer.json(r).get("error").asText()).contains("body");
  }

  @Test
  void anUnknownFormatOrBadNameIs400() {
    byte[] model = OnnxModelBuilder.identity(DataType.FP32, -1);
    assertThat(TestServer.json(upload("m", model, "?format=pmml")).get("error").asText())
        .contains("format")
        .contains("pmml")
        .contains("onnx");
    HttpResponse<String> bad = upload("bad%20name", model, "");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(bad).get("error").asText()).contains("name");
  }
}

package dev.slipway.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The few REST calls the load benchmarks make to a Slipway server besides the load itself: model
 * upload, alias moves, deployment status, one inference. Every non-2xx answer throws with the
 * server's body. Thread-safe.
 */
final class SlipwayClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  /** {@code base} is {@code http://127.0.0.1:PORT}. */
  SlipwayClient(URI base) {
    this.base = base;
  }

  URI uri(String path) {
    return base.resolve(path);
  }

  /** Uploads an ONNX file as a new version of {@code model}; returns its version number. */
  int upload(String model, byte[] onnx, String description) throws IOException {
    JsonNode v =
        send(
            HttpRequest.newBuilder(
                    uri(
                        "/api/v1/models/"
                            + model
                            + "/versions?format=onnx&description="
                            + java.net.URLEncoder.encode(
                                description, java.nio.charset.StandardCharsets.UTF_8)))
                .header("Content-Type", "application/octet-stream")
                .header("x-slipway-actor", "slipway-bench")
                .POST(HttpRequest.BodyPublishers.ofByteArray(onnx)));
    return v.path("version").asInt();
  }

  /** Points {@code alias} at {@code version} (forced: benchmark models have no gate result). */
  void setAlias(String model, String alias, int version) throws IOException {
    send(
        HttpRequest.newBuilder(uri("/api/v1/models/" + model + "/aliases/" + alias))
            .header("Content-Type", "application/json")
            .header("x-slipway-actor", "slipway-bench")
            .PUT(
                HttpRequest.BodyPublishers.ofString(
                    "{\"version\": "
                        + version
                        + ", \"force\": true, \"reason\": \"slipway-bench load test\"}")));
  }

  /** {@code GET /api/v1/deployments}: the routes and the loaded versions. */
  JsonNode deployments() throws IOException {
    return send(HttpRequest.newBuilder(uri("/api/v1/deployments")).GET());
  }

  /** One OIP v2 inference; returns the answer. */
  JsonNode infer(String model, byte[] body) throws IOException {
    return send(
        HttpRequest.newBuilder(uri("/v2/models/" + model + "/infer"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private JsonNode send(HttpRequest.Builder request) throws IOException {
    HttpResponse<byte[]> res;
    try {
      res =
          http.send(
              request.timeout(Duration.ofSeconds(120)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (res.statusCode() / 100 != 2) {
      throw new IOException(
          res.request().method()
              + " "
              + res.uri()
              + " -> HTTP "
              + res.statusCode()
              + ": "
              + new String(res.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return res.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(res.body());
  }

  /** An OIP v2 request body with one FP32 input of shape {@code [rows, width]}. */
  static byte[] oipFloats(String input, int rows, int width, float[] data) {
    StringBuilder s = new StringBuilder(32 + data.length * 12);
    s.append("{\"inputs\": [{\"name\": \"")
        .append(input)
        .append("\", \"shape\": [")
        .append(rows)
        .append(", ")
        .append(width)
        .append("], \"datatype\": \"FP32\", \"data\": [");
    for (int i = 0; i < data.length; i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(data[i]);
    }
    s.append("]}]}");
    return s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}

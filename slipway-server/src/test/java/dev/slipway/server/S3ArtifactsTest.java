package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.DataType;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.registry.artifact.S3TestServer;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import dev.slipway.server.config.SlipwayConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The server configured with {@code artifacts: {type: s3}} against a real S3-compatible server
 * (S3Proxy in a child JVM): uploads go to the bucket, and models are served from it.
 */
class S3ArtifactsTest {
  static final String BUCKET = "models";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static S3TestServer s3;
  static S3Client raw;
  static Path secretFile;

  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3TestServer.start(dir);
    s3.createBucket(BUCKET);
    raw = s3.client();
    secretFile = Files.writeString(dir.resolve("s3-secret"), S3TestServer.SECRET_KEY + "\n");
  }

  @AfterAll
  static void stopS3() {
    if (raw != null) {
      raw.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  /** A configuration read from slipway.yaml, as an operator would write it. */
  static SlipwayConfig config(Path home, String bucket, String prefix) throws Exception {
    Path yaml =
        Files.writeString(
            dir.resolve("slipway-" + UUID.randomUUID() + ".yaml"),
            """
            server: {port: 0}
            registry: {pollMillis: 50}
            artifacts:
              type: s3
              bucket: %s
              prefix: %s
              region: us-east-1
              endpoint: %s
              pathStyle: true
              accessKeyId: %s
              secretAccessKeyFile: %s
            """
                .formatted(
                    bucket, prefix, s3.endpoint(), S3TestServer.ACCESS_KEY, secretFile.toString()));
    return SlipwayConfig.load(yaml, Map.of()).withHome(home);
  }

  HttpResponse<String> upload(SlipwayServer server, String model, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + server.port() + "/api/v1/models/" + model + "/versions"))
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  double predictX(SlipwayServer server, String model, double x) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + server.port()
                            + "/api/v1/models/"
                            + model
                            + "/predict"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"records\": [{\"x\": " + x + "}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("predictions").get(0).get("y").asDouble();
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static String key(String prefix, String sha256) {
    return prefix + "sha256/" + sha256.substring(0, 2) + "/" + sha256;
  }

  @Test
  void aModelUploadedOverRestIsStoredInTheBucketAndServed() throws Exception {
    Path home = dir.resolve("home-" + UUID.randomUUID());
    String prefix = "slipway-" + UUID.randomUUID() + "/";
    byte[] model = OnnxModelBuilder.identity(DataType.FP64, -1);

    try (SlipwayServer server = SlipwayServer.start(config(home, BUCKET, prefix))) {
      HttpResponse<String> r = upload(server, "echo", model);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      JsonNode created = JSON.readTree(r.body());
      assertThat(created.get("sha256").asText()).isEqualTo(sha256(model));

      assertThat(predictX(server, "echo", 4.0)).isEqualTo(4.0);
    }

    String key = key(prefix, sha256(model));
    assertThat(raw.headObject(b -> b.bucket(BUCKET).key(key)).contentLength())
        .isEqualTo(model.length);
    assertThat(home.resolve("artifacts")).doesNotExist();
  }

  @Test
  void aServerWithAnEmptyCacheLoadsItsModelsFromTheBucket() throws Exception {
    Path home = dir.resolve("home-" + UUID.randomUUID());
    String prefix = "slipway-" + UUID.randomUUID() + "/";
    byte[] doubler =
        new OnnxModelBuilder()
            .input("x", DataType.FP64, -1)
            .output("y", DataType.FP64, -1)
            .node("Add", java.util.List.of("x", "x"), java.util.List.of("y"), null)
            .build();
    SlipwayConfig config = config(home, BUCKET, prefix);
    try (SlipwayServer server = SlipwayServer.start(config)) {
      assertThat(upload(server, "double", doubler).statusCode()).isEqualTo(201);
    }
    // Another machine: same metadata, nothing cached.
    deleteTree(home.resolve("artifact-cache"));

    try (SlipwayServer server = SlipwayServer.start(config)) {
      assertThat(predictX(server, "double", 2.5)).isEqualTo(5.0);
    }
    assertThat(
            home.resolve("artifact-cache/sha256")
                .resolve(sha256(doubler).substring(0, 2))
                .resolve(sha256(doubler)))
        .hasBinaryContent(doubler);
  }

  @Test
  void aBucketThatDoesNotExistStopsTheServerFromStarting() throws Exception {
    SlipwayConfig config =
        config(dir.resolve("home-" + UUID.randomUUID()), "no-such-bucket", "slipway/");

    assertThatThrownBy(() -> SlipwayServer.start(config).close())
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining("no-such-bucket")
        .hasMessageContaining(s3.endpoint().toString());
  }

  static void deleteTree(Path root) throws Exception {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

package dev.slipway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.DataType;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.Registration;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import dev.slipway.server.config.SlipwayConfig;
import dev.slipway.server.demo.DemoModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A real Slipway server on a free port with a fresh home holding: the ad-click demo model (version
 * 1 and 2, trained on different seeds), {@code add} (a + b, FP32 [-1, 2]), and {@code id-<type>}
 * identity models for every element type ONNX Runtime accepts as input.
 */
final class TestServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final DataType[] FEEDABLE = {
    DataType.BOOL,
    DataType.INT8,
    DataType.INT16,
    DataType.INT32,
    DataType.INT64,
    DataType.UINT8,
    DataType.FP32,
    DataType.FP64,
    DataType.BYTES
  };

  final Path home;
  final SlipwayServer server;
  final HttpClient http = HttpClient.newHttpClient();

  TestServer(UnaryOperator<SlipwayConfig> tweak) {
    try {
      home = Files.createTempDirectory("slipway-test");
      try (ModelRegistry registry = ModelRegistry.embedded(home)) {
        DemoModel.register(registry, 7, 4000);
        DemoModel.register(registry, 8, 4000);
        register(registry, "add", OnnxModelBuilder.add(-1, 2));
        for (DataType t : FEEDABLE) {
          register(
              registry,
              "id-" + t.name().toLowerCase(java.util.Locale.ROOT),
              OnnxModelBuilder.identity(t, -1));
        }
      }
      server =
          SlipwayServer.start(tweak.apply(SlipwayConfig.defaults().withHome(home).withPort(0)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  TestServer() {
    this(c -> c);
  }

  private void register(ModelRegistry registry, String name, byte[] model) throws IOException {
    Path f = Files.write(home.resolve(name + ".onnx"), model);
    registry.register(new Registration(name, f, "onnx", null, Map.of(), null, "test"));
  }

  String base() {
    return "http://127.0.0.1:" + server.port();
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build());
  }

  HttpResponse<String> post(String path, String body) {
    return post(path, body, "application/json");
  }

  HttpResponse<String> post(String path, String body, String accept) {
    return send(
        HttpRequest.newBuilder(URI.create(base() + path))
            .header("Content-Type", "application/json")
            .header("Accept", accept)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}

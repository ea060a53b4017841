package dev.slipway.server.http;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.serving.host.ModelHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Registry operations over REST: upload a model file as a new version, list and describe versions.
 * An upload is checked (size, optional sha256, the runtime loads it) before anything is stored, so
 * a refused upload leaves the registry unchanged.
 */
public final class RegistryService {
  private final ModelHost host;
  private final Handlers handlers;
  private final long maxUploadBytes;
  private final Path scratch;

  public RegistryService(ModelHost host, Handlers handlers, long maxUploadBytes, Path scratch) {
    this.host = host;
    this.handlers = handlers;
    this.maxUploadBytes = maxUploadBytes;
    this.scratch = scratch;
  }

  public void bind(ServerBuilder sb) {
    sb.route()
        .post("/api/v1/models/{name}/versions")
        .maxRequestLength(maxUploadBytes)
        .build((ctx, req) -> handlers.run(ctx, req, agg -> upload(ctx, agg)));
    sb.route()
        .get("/api/v1/models/{name}/versions")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> versions(ctx)));
    sb.route()
        .get("/api/v1/models/{name}/versions/{version}")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> version(ctx)));
  }

  private ModelRegistry registry() {
    return host.registry();
  }

  private HttpResponse upload(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws IOException {
    String name = ctx.pathParam("name");
    byte[] body = agg.content().array();
    if (body.length == 0) {
      throw InvalidInputException.missing("body", "the model file as the request body");
    }
    String expected = param(ctx, agg, "sha256", "x-checksum-sha256");
    String actual = sha256(body);
    if (expected != null && !expected.toLowerCase(Locale.ROOT).equals(actual)) {
      throw InvalidInputException.of(
          "sha256", expected, "the sha256 of the uploaded body, which is " + actual);
    }
    String formatName = param(ctx, agg, "format", null);
    ModelFormat format = format(formatName == null ? "onnx" : formatName);
    Files.createDirectories(scratch);
    Path file = Files.createTempFile(scratch, "upload-", "." + format.name());
    try {
      Files.write(file, body);
      try (Predictor p = format.load(file, ModelFormat.LoadOptions.defaults())) {
        p.signature(); // loaded: the runtime accepts it
      }
      String actor = agg.headers().get("x-slipway-actor", "api");
      ModelVersion v =
          registry()
              .register(
                  new Registration(
                      name,
                      file,
                      format.name(),
                      null,
                      Map.of(),
                      param(ctx, agg, "description", null),
                      actor));
      host.refresh();
      return HttpResponse.of(HttpStatus.CREATED, MediaType.JSON_UTF_8, OipJson.object(describe(v)));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static String param(
      ServiceRequestContext ctx, AggregatedHttpRequest agg, String query, String header) {
    String v = ctx.queryParam(query);
    if (v == null && header != null) {
      v = agg.headers().get(header);
    }
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static ModelFormat format(String name) {
    List<ModelFormat> known =
        ServiceLoader.load(ModelFormat.class).stream().map(ServiceLoader.Provider::get).toList();
    return known.stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                InvalidInputException.of(
                    "format", name, "one of " + known.stream().map(ModelFormat::name).toList()));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse versions(ServiceRequestContext ctx) {
    List<Map<String, Object>> out =
        registry().versions(ctx.pathParam("name")).stream().map(RegistryService::describe).toList();
    return Handlers.json(OipJson.object(Map.of("versions", out)));
  }

  private HttpResponse version(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    int v = Handlers.version(ctx);
    ModelVersion mv =
        registry()
            .version(name, v)
            .orElseThrow(
                () ->
                    new dev.slipway.api.ModelNotFoundException(
                        "model '" + name + "' has no version " + v));
    return Handlers.json(OipJson.object(describe(mv)));
  }

  static Map<String, Object> describe(ModelVersion v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.name());
    m.put("version", v.version());
    m.put("format", v.format());
    m.put("sha256", v.sha256());
    m.put("size_bytes", v.sizeBytes());
    m.put("metrics", v.metrics());
    m.put("description", v.description());
    m.put("created_by", v.createdBy());
    m.put("created_at", v.createdAt().toString());
    return m;
  }
}

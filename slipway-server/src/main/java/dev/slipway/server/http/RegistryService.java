package dev.slipway.server.http;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.multipart.AggregatedBodyPart;
import com.linecorp.armeria.common.multipart.AggregatedMultipart;
import com.linecorp.armeria.common.multipart.Multipart;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ModelManifest;
import dev.slipway.serving.host.Verifier;
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

/**
 * Registry operations over REST: upload a model file as a new version, list and describe versions.
 * An upload is checked (size, optional sha256, the runtime loads it) before anything is stored, so
 * a refused upload leaves the registry unchanged.
 */
public final class RegistryService {
  /** The longest a multipart upload's in-memory body may take to decode. */
  static final int FORM_DECODE_SECONDS = 30;

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

  /** Scores versions for the evaluation gate; null disables {@code /evaluate}. */
  private dev.slipway.server.gate.Evaluator evaluator;

  private dev.slipway.server.gate.GatePolicy policy = dev.slipway.server.gate.GatePolicy.defaults();

  public RegistryService withGate(
      dev.slipway.server.gate.Evaluator e, dev.slipway.server.gate.GatePolicy p) {
    this.evaluator = e;
    this.policy = p;
    return this;
  }

  public void bind(ServerBuilder sb) {
    sb.route()
        .get("/api/v1/models/{name}/aliases")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> aliases(ctx)));
    sb.route()
        .put("/api/v1/models/{name}/aliases/{alias}")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> setAlias(ctx, agg)));
    sb.route()
        .delete("/api/v1/models/{name}/aliases/{alias}")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> removeAlias(ctx, agg)));
    sb.route()
        .post("/api/v1/models/{name}/aliases/{alias}/rollback")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> rollback(ctx, agg)));
    sb.route()
        .get("/api/v1/models/{name}/audit")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> audit(ctx)));
    sb.route()
        .put("/api/v1/models/{name}/versions/{version}/tags/{key}")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> setTag(ctx, agg)));
    sb.route()
        .delete("/api/v1/models/{name}/versions/{version}/tags/{key}")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> removeTag(ctx, agg)));
    sb.route()
        .post("/api/v1/models/{name}/versions/{version}/evaluate")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> evaluate(ctx, agg)));
    sb.route()
        .get("/api/v1/models/{name}/versions/{version}/profile")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> profile(ctx)));
    sb.route()
        .put("/api/v1/models/{name}/versions/{version}/profile")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> putProfile(ctx, agg)));
    sb.route()
        .get("/api/v1/deployments")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> deployments()));
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

  private Runnable onDocumentChange = () -> {};

  /** Called after a version's document (its data profile) changed, so guards are rebuilt. */
  public RegistryService onDocumentChange(Runnable r) {
    this.onDocumentChange = r;
    return this;
  }

  private HttpResponse profile(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    int version = Handlers.version(ctx);
    String yaml =
        registry()
            .document(name, version, dev.slipway.serving.guard.Guards.PROFILE)
            .orElseThrow(
                () ->
                    new dev.slipway.api.ModelNotFoundException(
                        "model '" + name + "' version " + version + " has no data profile"));
    return HttpResponse.of(HttpStatus.OK, MediaType.parse("application/yaml; charset=utf-8"), yaml);
  }

  private HttpResponse putProfile(ServiceRequestContext ctx, AggregatedHttpRequest agg) {
    String name = ctx.pathParam("name");
    int version = Handlers.version(ctx);
    String text = agg.contentUtf8();
    if (text.isBlank()) {
      throw InvalidInputException.missing("profile", "the data profile as YAML or JSON");
    }
    // parsed and checked first: a broken profile is a 400 and the stored one stays
    dev.slipway.guard.profile.DataProfile profile =
        dev.slipway.guard.profile.DataProfile.fromYaml(text);
    registry()
        .putDocument(
            name, version, dev.slipway.serving.guard.Guards.PROFILE, profile.toYaml(), actor(agg));
    onDocumentChange.run();
    return HttpResponse.of(
        HttpStatus.OK, MediaType.parse("application/yaml; charset=utf-8"), profile.toYaml());
  }

  private ModelRegistry registry() {
    return host.registry();
  }

  /**
   * Registers an uploaded model file as a new version. The body is either the model file itself
   * (parameters in the query or headers), or {@code multipart/form-data} with the parts {@code
   * model} (the file), and optionally {@code manifest} (JSON: record preprocessing and
   * description), {@code golden} (JSON golden records), {@code format}, {@code sha256} and {@code
   * description}.
   */
  private HttpResponse upload(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws IOException {
    String name = ctx.pathParam("name");
    String expected = param(ctx, agg, "sha256", "x-checksum-sha256");
    String formatName = param(ctx, agg, "format", null);
    String description = param(ctx, agg, "description", null);
    ModelManifest manifest = null;
    dev.slipway.guard.profile.DataProfile profile = null;
    com.fasterxml.jackson.databind.JsonNode golden = null;
    byte[] body;
    MediaType type = agg.contentType();
    if (type != null && type.is(MediaType.MULTIPART_FORM_DATA)) {
      AggregatedMultipart form;
      // The body is already in memory: decoding it takes milliseconds. It runs on the request's
      // event loop (decoding inline on this blocking thread with an immediate executor could wait
      // forever for a signal that never came), and a bounded wait keeps a stuck decode from
      // holding a blocking thread.
      try {
        form =
            Multipart.from(agg.toHttpRequest())
                .aggregate(ctx.eventLoop())
                .get(FORM_DECODE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw InvalidInputException.of(
            "body", "multipart/form-data", "a well-formed form: " + e.getCause().getMessage());
      } catch (java.util.concurrent.TimeoutException e) {
        throw InvalidInputException.of(
            "body",
            "multipart/form-data",
            "a form that can be read within " + FORM_DECODE_SECONDS + " s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new dev.slipway.api.ModelUnavailableException("interrupted while reading the form");
      }
      AggregatedBodyPart model = form.field("model");
      if (model == null) {
        throw InvalidInputException.missing(
            "model", "the model file as the form part 'model' (parts: " + form.names() + ")");
      }
      body = model.content().array();
      expected = formText(form, "sha256", expected);
      formatName = formText(form, "format", formatName);
      description = formText(form, "description", description);
      String manifestText = formText(form, "manifest", null);
      if (manifestText != null) {
        com.fasterxml.jackson.databind.JsonNode m = json("manifest", manifestText);
        if (m.isObject() && m.has("golden")) {
          golden = ((com.fasterxml.jackson.databind.node.ObjectNode) m).remove("golden");
        }
        manifest = ModelManifest.fromJson(m.toString());
      }
      String profileText = formText(form, "profile", null);
      if (profileText != null) {
        profile = dev.slipway.guard.profile.DataProfile.fromYaml(profileText);
      }
      String goldenText = formText(form, "golden", null);
      if (goldenText != null) {
        golden = json("golden", goldenText);
      }
    } else {
      body = agg.content().array();
    }
    if (body.length == 0) {
      throw InvalidInputException.missing("body", "the model file as the request body");
    }
    String actual = sha256(body);
    if (expected != null && !expected.toLowerCase(Locale.ROOT).equals(actual)) {
      throw InvalidInputException.of(
          "sha256", expected, "the sha256 of the uploaded body, which is " + actual);
    }
    ModelFormat format = Verifier.format(formatName == null ? "onnx" : formatName);
    Files.createDirectories(scratch);
    Path file = Files.createTempFile(scratch, "upload-", "." + format.name());
    try {
      Files.write(file, body);
      // Loads it (a file the runtime refuses never becomes a version) and settles golden records.
      ModelManifest prepared = Verifier.prepare(format, file, manifest, golden);
      String actor = agg.headers().get("x-slipway-actor", "api");
      ModelVersion v =
          registry()
              .register(
                  new Registration(
                      name,
                      file,
                      format.name(),
                      prepared.toJson(),
                      Map.of(),
                      description != null ? description : prepared.description(),
                      actor));
      if (profile != null) {
        registry()
            .putDocument(
                v.name(),
                v.version(),
                dev.slipway.serving.guard.Guards.PROFILE,
                profile.toYaml(),
                actor);
      }
      Verifier.verify(host, registry(), v);
      host.refresh();
      v = registry().version(v.name(), v.version()).orElse(v);
      return HttpResponse.of(HttpStatus.CREATED, MediaType.JSON_UTF_8, OipJson.object(describe(v)));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static String formText(AggregatedMultipart form, String field, String fallback) {
    AggregatedBodyPart part = form.field(field);
    if (part == null) {
      return fallback;
    }
    String text = part.contentUtf8();
    return text.isBlank() ? fallback : text.trim();
  }

  private static com.fasterxml.jackson.databind.JsonNode json(String field, String text) {
    try {
      return Bodies.JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw InvalidInputException.of(field, text, "JSON: " + e.getOriginalMessage());
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

  static String actor(AggregatedHttpRequest agg) {
    return agg.headers().get("x-slipway-actor", "api");
  }

  private static com.fasterxml.jackson.databind.JsonNode bodyOrEmpty(AggregatedHttpRequest agg)
      throws IOException {
    return agg.content().isEmpty() ? Bodies.JSON.createObjectNode() : Bodies.object(agg);
  }

  static String text(com.fasterxml.jackson.databind.JsonNode body, String field) {
    com.fasterxml.jackson.databind.JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw InvalidInputException.of(field, n.toString(), "a string");
    }
    return n.asText();
  }

  private HttpResponse aliases(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    registry().versions(name); // 404 for an unknown model
    return Handlers.json(
        OipJson.object(Map.of("model", name, "aliases", registry().aliases(name))));
  }

  private HttpResponse setAlias(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws IOException {
    String name = ctx.pathParam("name");
    String alias = ctx.pathParam("alias");
    com.fasterxml.jackson.databind.JsonNode body = Bodies.object(agg);
    com.fasterxml.jackson.databind.JsonNode v = body.get("version");
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw InvalidInputException.of(
          "version",
          v == null ? null : v.toString(),
          "the version number the alias should point to");
    }
    com.fasterxml.jackson.databind.JsonNode force = body.get("force");
    if (force != null && !force.isBoolean()) {
      throw InvalidInputException.of("force", force.toString(), "true or false");
    }
    Integer before = registry().aliases(name).get(alias);
    registry()
        .setAlias(
            name,
            alias,
            v.asInt(),
            actor(agg),
            text(body, "reason"),
            force != null && force.asBoolean());
    host.refresh(); // serving follows before we answer
    return aliasAnswer(name, alias, before);
  }

  private HttpResponse aliasAnswer(String name, String alias, Integer before) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", name);
    out.put("alias", alias);
    out.put("version", registry().aliases(name).get(alias));
    out.put("previous_version", before);
    return Handlers.json(OipJson.object(out));
  }

  private HttpResponse removeAlias(ServiceRequestContext ctx, AggregatedHttpRequest agg) {
    String name = ctx.pathParam("name");
    registry().removeAlias(name, ctx.pathParam("alias"), actor(agg), ctx.queryParam("reason"));
    host.refresh();
    return HttpResponse.of(HttpStatus.NO_CONTENT);
  }

  private HttpResponse rollback(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws IOException {
    String name = ctx.pathParam("name");
    String alias = ctx.pathParam("alias");
    com.fasterxml.jackson.databind.JsonNode body = bodyOrEmpty(agg);
    Integer before = registry().aliases(name).get(alias);
    int previous =
        registry()
            .previousVersion(name, alias)
            .orElseThrow(
                () ->
                    new dev.slipway.api.ConflictException(
                        "alias '"
                            + alias
                            + "' of model '"
                            + name
                            + "' has no previous version to roll back to"));
    // A rollback restores what was serving before: it is not held to the gate again.
    registry()
        .setAlias(
            name,
            alias,
            previous,
            actor(agg),
            "rollback: "
                + java.util.Objects.requireNonNullElse(text(body, "reason"), "no reason given"),
            true);
    host.refresh();
    return aliasAnswer(name, alias, before);
  }

  private HttpResponse audit(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    String limitText = ctx.queryParam("limit");
    int limit = 100;
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 10_000) {
        throw InvalidInputException.of("limit", limitText, "a whole number from 1 to 10000");
      }
    }
    List<Map<String, Object>> out = new java.util.ArrayList<>();
    for (dev.slipway.registry.AuditEntry e : registry().audit(name, limit)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", e.id());
      m.put("at", e.at().toString());
      m.put("actor", e.actor());
      m.put("action", e.action());
      m.put("version", e.version());
      m.put("alias", e.alias());
      m.put("reason", e.reason());
      m.put("forced", e.forced());
      m.put("detail", e.detail());
      out.add(m);
    }
    return Handlers.json(OipJson.object(Map.of("model", name, "entries", out)));
  }

  private HttpResponse setTag(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws IOException {
    String value = text(Bodies.object(agg), "value");
    if (value == null) {
      throw InvalidInputException.missing("value", "the tag's value");
    }
    registry()
        .setTag(
            ctx.pathParam("name"), Handlers.version(ctx), ctx.pathParam("key"), value, actor(agg));
    return HttpResponse.of(HttpStatus.NO_CONTENT);
  }

  private HttpResponse removeTag(ServiceRequestContext ctx, AggregatedHttpRequest agg) {
    registry()
        .removeTag(ctx.pathParam("name"), Handlers.version(ctx), ctx.pathParam("key"), actor(agg));
    return HttpResponse.of(HttpStatus.NO_CONTENT);
  }

  private HttpResponse evaluate(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws IOException {
    if (evaluator == null) {
      throw new dev.slipway.api.ModelUnavailableException(
          "the evaluation gate is not configured on this server");
    }
    String name = ctx.pathParam("name");
    int version = Handlers.version(ctx);
    registry()
        .version(name, version)
        .orElseThrow(
            () ->
                new dev.slipway.api.ModelNotFoundException(
                    "model '" + name + "' has no version " + version));
    com.fasterxml.jackson.databind.JsonNode body = Bodies.object(agg);
    List<dev.slipway.api.Record> rows = dataset(body);
    String label =
        java.util.Objects.requireNonNullElse(
            text(body, "label"), dev.slipway.train.data.AdClickGenerator.LABEL);
    String positive =
        java.util.Objects.requireNonNullElse(
            text(body, "positive"), dev.slipway.train.data.AdClickGenerator.CLICK);
    Map<String, Double> candidate = evaluator.evaluate(name + "/" + version, rows, label, positive);
    Integer champion = registry().aliases(name).get(dev.slipway.registry.ModelRegistry.CHAMPION);
    Map<String, Double> championMetrics =
        champion == null || champion == version
            ? null
            : evaluator.evaluate(name + "/" + champion, rows, label, positive);
    dev.slipway.server.gate.GatePolicy.Decision d = policy.decide(candidate, championMetrics);
    String details =
        (d.blessed() ? "all checks passed" : String.join("; ", d.failures()))
            + (champion == null || champion == version
                ? " (no other champion to compare with)"
                : " (champion: version " + champion + ")");
    registry()
        .recordGate(
            name,
            version,
            d.blessed() ? "BLESSED" : "NOT_BLESSED",
            d.numbers(),
            details,
            actor(agg));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", name);
    out.put("version", version);
    out.put("verdict", d.blessed() ? "BLESSED" : "NOT_BLESSED");
    out.put("failures", d.failures());
    out.put("numbers", d.numbers());
    out.put("champion_version", champion);
    return Handlers.json(OipJson.object(out));
  }

  /** The labelled rows: inline {@code records}, or the seeded ad-click {@code generator}. */
  static List<dev.slipway.api.Record> dataset(com.fasterxml.jackson.databind.JsonNode body) {
    com.fasterxml.jackson.databind.JsonNode gen = body.get("generator");
    if (gen != null && !gen.isNull()) {
      if (!gen.isObject() || !"ad-click".equals(gen.path("name").asText())) {
        throw InvalidInputException.of(
            "generator", gen.toString(), "{\"name\": \"ad-click\", \"seed\": 99, \"rows\": 5000}");
      }
      int rows = gen.path("rows").asInt(5000);
      if (rows < 10 || rows > 1_000_000) {
        throw InvalidInputException.of(
            "generator.rows", gen.path("rows").toString(), "10 to 1000000 rows");
      }
      return new dev.slipway.train.data.AdClickGenerator(gen.path("seed").asLong(99))
          .generate(rows);
    }
    if (body.has("records")) {
      return RecordsService.parseRecords(body);
    }
    throw InvalidInputException.missing(
        "records",
        "labelled records, or a generator such as {\"name\": \"ad-click\", \"seed\": 99, \"rows\": 5000}");
  }

  private HttpResponse deployments() {
    List<Map<String, Object>> routes = new java.util.ArrayList<>();
    host.routeStatus()
        .values()
        .forEach(
            s -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("ref", s.ref());
              m.put("version", s.version());
              m.put("last_error", s.lastError());
              routes.add(m);
            });
    List<Map<String, Object>> loaded = new java.util.ArrayList<>();
    for (dev.slipway.serving.host.ServedModel m : host.loaded()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("model", m.name());
      e.put("version", m.number());
      e.put("artifact_bytes", m.version().sizeBytes());
      e.put("approx_native_memory_bytes", m.approxMemoryBytes());
      e.put("batching", m.batching());
      e.put("instances", m.deployment().instances());
      loaded.add(e);
    }
    return Handlers.json(OipJson.object(Map.of("routes", routes, "loaded", loaded)));
  }

  private static int goldenCount(ModelVersion v) {
    try {
      ModelManifest m = ModelManifest.fromJson(v.manifest());
      return m.golden() == null ? 0 : m.golden().cases().size();
    } catch (RuntimeException e) {
      return 0; // an unreadable manifest shows as no golden records; loading it reports why
    }
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
    m.put("tags", v.tags());
    m.put("verification", v.verification() == null ? null : v.verification().status().name());
    m.put("verification_message", v.verification() == null ? null : v.verification().message());
    m.put("golden_records", goldenCount(v));
    m.put("gate", v.gate() == null ? null : v.gate().verdict().name());
    if (v.gate() != null) {
      Map<String, Object> gate = new LinkedHashMap<>();
      gate.put("verdict", v.gate().verdict().name());
      gate.put("numbers", v.gate().numbers());
      gate.put("details", v.gate().details());
      gate.put("at", v.gate().at() == null ? null : v.gate().at().toString());
      m.put("gate_result", gate);
    }
    if (v.lineage() != null && !v.lineage().equals(dev.slipway.registry.Lineage.NONE)) {
      Map<String, Object> lineage = new LinkedHashMap<>();
      lineage.put("training_data", v.lineage().trainingDataRef());
      lineage.put("training_data_sha256", v.lineage().trainingDataSha256());
      lineage.put("parameters", v.lineage().parameters());
      m.put("lineage", lineage);
    }
    return m;
  }
}

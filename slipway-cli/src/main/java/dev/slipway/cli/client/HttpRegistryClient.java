package dev.slipway.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Record;
import dev.slipway.registry.AuditEntry;
import dev.slipway.registry.ModelRegistry;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry of a running Slipway server, through its REST API ({@code /api/v1/...}). Changes are
 * made by the server, which also moves serving along with them. The actor is sent in {@code
 * x-slipway-actor} for the audit log.
 *
 * <p>Errors: the server's {@code {"error": "..."}} answers become {@link ServerError} with that
 * message and the status; a server that cannot be reached becomes {@link ModelUnavailableException}
 * naming the URL. Not thread-safe (one command, one client).
 */
public final class HttpRegistryClient implements RegistryClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  /** Uploads and gate runs (which score the data twice) take longer than a read. */
  private static final Duration SLOW_TIMEOUT = Duration.ofMinutes(10);

  private final String base;
  private final String actor;
  private final HttpClient http;

  private HttpRegistryClient(String base, String actor) {
    this.base = base;
    this.actor = actor;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
  }

  /**
   * A client of the server at {@code url} (e.g. {@code http://127.0.0.1:8080}). Nothing is sent
   * until the first operation.
   *
   * @throws InvalidInputException naming {@code --url} when it is not an http(s) URL
   */
  public static HttpRegistryClient connect(String url, String actor) {
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
        || uri.getQuery() != null
        || uri.getFragment() != null) {
      throw InvalidInputException.of(
          "--url",
          url,
          "the http:// or https:// address of a Slipway server, e.g. http://127.0.0.1:8080");
    }
    String base = uri.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return new HttpRegistryClient(base, actor);
  }

  @Override
  public String where() {
    return base;
  }

  @Override
  public List<ModelSummary> models() {
    List<ModelSummary> out = new ArrayList<>();
    for (JsonNode m : get("/api/v1/models").path("models")) {
      String name = m.path("name").asText();
      JsonNode description = m.get("description");
      out.add(
          new ModelSummary(
              name,
              m.path("latest_version").asInt(),
              description == null || description.isNull() ? null : description.asText(),
              aliases(name)));
    }
    return out;
  }

  @Override
  public Map<String, Integer> aliases(String name) {
    Map<String, Integer> aliases = new TreeMap<>();
    get(model(name) + "/aliases")
        .path("aliases")
        .properties()
        .forEach(e -> aliases.put(e.getKey(), e.getValue().asInt()));
    return aliases;
  }

  @Override
  public List<VersionInfo> versions(String name) {
    JsonNode versions = get(model(name) + "/versions").path("versions");
    Map<String, Integer> aliases = aliases(name);
    List<VersionInfo> out = new ArrayList<>();
    for (JsonNode v : versions) {
      out.add(
          VersionInfo.fromJson(
              v, LocalRegistryClient.pointingAt(aliases, v.path("version").asInt())));
    }
    return out;
  }

  @Override
  public VersionInfo register(Upload upload) {
    Path file = upload.file();
    if (!Files.isRegularFile(file)) {
      throw InvalidInputException.of("FILE", file.toString(), "a readable model file");
    }
    // Always send a checksum, so a body damaged on the way is refused rather than registered.
    String sha256 = upload.sha256() != null ? upload.sha256() : upload.fileSha256();
    String path = model(upload.name()) + "/versions";
    HttpRequest.Builder request;
    if (upload.hasDocuments()) {
      request = form(path, upload, sha256);
    } else {
      StringBuilder query = new StringBuilder("?format=").append(query(upload.format()));
      query.append("&sha256=").append(query(sha256));
      if (upload.description() != null) {
        query.append("&description=").append(query(upload.description()));
      }
      request =
          request(path + query, SLOW_TIMEOUT)
              .header("Content-Type", "application/octet-stream")
              .POST(ofFile(file));
    }
    return VersionInfo.fromJson(send(request), List.of());
  }

  /** The {@code multipart/form-data} upload: the file as part {@code model}, and its documents. */
  private HttpRequest.Builder form(String path, Upload upload, String sha256) {
    String boundary = "slipway-" + java.util.UUID.randomUUID();
    List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
    String filename = upload.file().getFileName().toString().replace('"', '_');
    parts.add(
        text(
            "--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\""
                + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
    parts.add(ofFile(upload.file()));
    parts.add(text("\r\n"));
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("format", upload.format());
    fields.put("sha256", sha256);
    if (upload.description() != null) {
      fields.put("description", upload.description());
    }
    if (upload.manifest() != null) {
      fields.put("manifest", readText(upload.manifest(), "manifest"));
    }
    if (upload.golden() != null) {
      fields.put("golden", readText(upload.golden(), "golden"));
    }
    fields.forEach(
        (name, value) ->
            parts.add(
                text(
                    "--"
                        + boundary
                        + "\r\nContent-Disposition: form-data; name=\""
                        + name
                        + "\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                        + value
                        + "\r\n")));
    parts.add(text("--" + boundary + "--\r\n"));
    return request(path, SLOW_TIMEOUT)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.concat(parts.toArray(HttpRequest.BodyPublisher[]::new)));
  }

  private static HttpRequest.BodyPublisher text(String s) {
    return HttpRequest.BodyPublishers.ofString(s, StandardCharsets.UTF_8);
  }

  private static HttpRequest.BodyPublisher ofFile(Path file) {
    try {
      return HttpRequest.BodyPublishers.ofFile(file);
    } catch (FileNotFoundException e) {
      throw InvalidInputException.of("FILE", file.toString(), "a readable model file");
    }
  }

  private static String readText(Path file, String field) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw InvalidInputException.of(field, file.toString(), "a readable JSON file");
    }
  }

  @Override
  public AliasChange setAlias(
      String name, String alias, int version, String reason, boolean force) {
    ObjectNode body = JSON.createObjectNode().put("version", version).put("force", force);
    if (reason != null) {
      body.put("reason", reason);
    }
    return aliasChange(
        sendJson("PUT", model(name) + "/aliases/" + segment(alias), body, READ_TIMEOUT));
  }

  private static AliasChange aliasChange(JsonNode n) {
    return new AliasChange(
        n.path("model").asText(),
        n.path("alias").asText(),
        integer(n, "version"),
        integer(n, "previous_version"));
  }

  private static Integer integer(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asInt();
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  @Override
  public void removeAlias(String name, String alias, String reason) {
    String path = model(name) + "/aliases/" + segment(alias);
    if (reason != null) {
      path += "?reason=" + query(reason);
    }
    send(request(path, READ_TIMEOUT).DELETE());
  }

  @Override
  public AliasChange rollback(String name, String alias, String reason) {
    ObjectNode body = JSON.createObjectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    return aliasChange(
        sendJson(
            "POST", model(name) + "/aliases/" + segment(alias) + "/rollback", body, READ_TIMEOUT));
  }

  @Override
  public List<AuditEntry> audit(String name, int limit) {
    List<AuditEntry> out = new ArrayList<>();
    for (JsonNode e : get(model(name) + "/audit?limit=" + limit).path("entries")) {
      out.add(
          new AuditEntry(
              e.path("id").asLong(),
              Instant.parse(e.path("at").asText()),
              e.path("actor").asText(),
              e.path("action").asText(),
              name,
              integer(e, "version"),
              text(e, "alias"),
              e.path("detail").asText("{}"),
              text(e, "reason"),
              e.path("forced").asBoolean()));
    }
    return out;
  }

  @Override
  public void setTag(String name, int version, String key, String value) {
    ObjectNode body = JSON.createObjectNode().put("value", value);
    sendJson("PUT", tag(name, version, key), body, READ_TIMEOUT);
  }

  @Override
  public void removeTag(String name, int version, String key) {
    send(request(tag(name, version, key), READ_TIMEOUT).DELETE());
  }

  private static String tag(String name, int version, String key) {
    return model(name) + "/versions/" + version + "/tags/" + segment(key);
  }

  @Override
  public GateOutcome evaluate(
      String name, int version, HeldOut data, String label, String positive) {
    ObjectNode body = JSON.createObjectNode();
    if (data instanceof HeldOut.AdClick g) {
      body.putObject("generator")
          .put("name", "ad-click")
          .put("seed", g.seed())
          .put("rows", g.rows());
    } else {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Record r : ((HeldOut.Rows) data).records()) {
        rows.add(r.asMap());
      }
      body.set("records", JSON.valueToTree(rows));
    }
    if (label != null) {
      body.put("label", label);
    }
    if (positive != null) {
      body.put("positive", positive);
    }
    JsonNode n =
        sendJson("POST", model(name) + "/versions/" + version + "/evaluate", body, SLOW_TIMEOUT);
    List<String> failures = new ArrayList<>();
    n.path("failures").forEach(f -> failures.add(f.asText()));
    Map<String, Double> numbers = new LinkedHashMap<>();
    n.path("numbers").properties().forEach(e -> numbers.put(e.getKey(), e.getValue().asDouble()));
    return new GateOutcome(
        n.path("model").asText(name),
        n.path("version").asInt(version),
        n.path("verdict").asText(),
        failures,
        numbers,
        integer(n, "champion_version"));
  }

  @Override
  public JsonNode deployments() {
    return get("/api/v1/deployments");
  }

  @Override
  public void close() {
    // java.net.http.HttpClient holds no resources that need closing before Java 21.
  }

  // ------------------------------------------------------------------ HTTP

  /**
   * The path of a model. The name is checked here, with the registry's words, so that no name can
   * turn into another path (such as {@code ..}).
   */
  private static String model(String name) {
    if (name == null || !ModelRegistry.NAME_PATTERN.matcher(name).matches()) {
      throw InvalidInputException.of(
          "name",
          name,
          "a name of 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit");
    }
    return "/api/v1/models/" + segment(name);
  }

  private JsonNode get(String path) {
    return send(request(path, READ_TIMEOUT).GET());
  }

  /**
   * Sends {@code method path} with an optional JSON body to the server's API and returns its JSON
   * answer, with the errors of every other call: for API parts without a method of their own (e.g.
   * {@code /api/v1/jobs}). The caller encodes the path.
   */
  public JsonNode exchange(String method, String path, JsonNode body) {
    if (body == null) {
      return send(request(path, READ_TIMEOUT).method(method, HttpRequest.BodyPublishers.noBody()));
    }
    return sendJson(method, path, body, READ_TIMEOUT);
  }

  private HttpRequest.Builder request(String path, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(timeout)
        .header("Accept", "application/json")
        .header("x-slipway-actor", actor);
  }

  private JsonNode sendJson(String method, String path, JsonNode body, Duration timeout) {
    return send(
        request(path, timeout)
            .header("Content-Type", "application/json")
            .method(
                method,
                HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)));
  }

  /** Sends a request; the JSON answer, or an empty object for an answer without a body. */
  private JsonNode send(HttpRequest.Builder builder) {
    HttpRequest request = builder.build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw unreachable("no connection within " + CONNECT_TIMEOUT.toSeconds() + " s", e);
    } catch (HttpTimeoutException e) {
      throw new ModelUnavailableException(
          "the Slipway server at "
              + base
              + " did not answer "
              + request.method()
              + " "
              + request.uri().getRawPath()
              + " within "
              + request.timeout().map(Duration::toSeconds).orElse(0L)
              + " s",
          e);
    } catch (ConnectException e) {
      throw unreachable(e.getMessage() == null ? "connection refused" : e.getMessage(), e);
    } catch (IOException e) {
      throw unreachable(e.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelUnavailableException("interrupted while waiting for " + base, e);
    }
    String body = response.body();
    int status = response.statusCode();
    JsonNode json = null;
    if (body != null && !body.isBlank()) {
      try {
        json = JSON.readTree(body);
      } catch (JsonProcessingException e) {
        json = null;
      }
    }
    if (status >= 200 && status < 300) {
      if (json == null && body != null && !body.isBlank()) {
        throw new ServerError(
            status,
            base
                + " answered "
                + request.method()
                + " "
                + request.uri().getRawPath()
                + " with something that is not JSON; is it a Slipway server?");
      }
      return json == null ? JSON.createObjectNode() : json;
    }
    if (json != null && json.path("error").isTextual()) {
      throw new ServerError(status, json.get("error").asText());
    }
    String shown = body == null ? "" : body.strip();
    throw new ServerError(
        status,
        "HTTP "
            + status
            + " from "
            + request.method()
            + " "
            + request.uri()
            + (shown.isEmpty()
                ? ""
                : ": " + (shown.length() > 200 ? shown.substring(0, 197) + "..." : shown)));
  }

  private ModelUnavailableException unreachable(String why, Exception cause) {
    return new ModelUnavailableException(
        "cannot reach the Slipway server at "
            + base
            + " ("
            + why
            + "); is it running? Start one with 'slipway serve', or leave out --url (and"
            + " SLIPWAY_URL) to work on the local home",
        cause);
  }

  /** Percent-encodes a path segment: everything but RFC 3986's unreserved characters. */
  static String segment(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private static String query(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

package dev.slipway.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.Field;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.codec.TabularSpec;
import dev.slipway.registry.Lineage;
import dev.slipway.registry.ModelVersion;
import dev.slipway.serving.host.ModelManifest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One model version as the CLI shows it. Both modes fill the fields the REST API's version detail
 * has; fields the REST API does not return are {@code null} over HTTP (not known), and filled from
 * the registry on a local home. Immutable.
 *
 * @param name the model's name
 * @param version the version number
 * @param format the model format, e.g. {@code onnx}
 * @param sha256 the artifact's SHA-256
 * @param sizeBytes the artifact's size
 * @param metrics stored evaluation metrics, sorted by name
 * @param description free text, or {@code null}
 * @param createdBy who registered it
 * @param createdAt when, ISO-8601
 * @param tags tags sorted by key
 * @param verification {@code PENDING}, {@code VERIFIED} or {@code FAILED}
 * @param verificationMessage what the verifier reported, or {@code null}
 * @param gate the latest gate verdict, or {@code null} when never gated
 * @param gateNumbers the figures of the latest gate run, or {@code null} when not known
 * @param gateDetails the gate's explanation, or {@code null}
 * @param lineage training data and parameters, or {@code null} when not known
 * @param schema the input fields the manifest declares (empty when it declares none), or {@code
 *     null} when not known
 * @param aliases the aliases pointing to this version, sorted
 */
public record VersionInfo(
    String name,
    int version,
    String format,
    String sha256,
    long sizeBytes,
    Map<String, Double> metrics,
    String description,
    String createdBy,
    String createdAt,
    Map<String, String> tags,
    String verification,
    String verificationMessage,
    String gate,
    Map<String, Double> gateNumbers,
    String gateDetails,
    Lineage lineage,
    List<Field> schema,
    List<String> aliases) {

  public VersionInfo {
    metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    gateNumbers =
        gateNumbers == null ? null : Collections.unmodifiableMap(new TreeMap<>(gateNumbers));
    schema = schema == null ? null : List.copyOf(schema);
    aliases = aliases.stream().sorted().toList();
  }

  /** {@code name/version}, the reference that names exactly this version. */
  public String ref() {
    return name + "/" + version;
  }

  /** A version read from the registry, with everything the registry knows about it. */
  public static VersionInfo of(ModelVersion v, List<String> aliases) {
    return new VersionInfo(
        v.name(),
        v.version(),
        v.format(),
        v.sha256(),
        v.sizeBytes(),
        v.metrics(),
        v.description(),
        v.createdBy(),
        v.createdAt().toString(),
        v.tags(),
        v.verification().status().name(),
        v.verification().message(),
        v.gate() == null ? null : v.gate().verdict().name(),
        v.gate() == null ? null : v.gate().numbers(),
        v.gate() == null ? null : v.gate().details(),
        v.lineage(),
        schema(v.manifest()),
        aliases);
  }

  private static List<Field> schema(String manifest) {
    try {
      TabularSpec tabular = ModelManifest.fromJson(manifest).tabular();
      return tabular == null ? List.of() : tabular.fields();
    } catch (InvalidInputException e) {
      return null; // a manifest this build cannot read: schema unknown
    }
  }

  /** A version as the REST API describes it ({@code GET /api/v1/models/{name}/versions}). */
  public static VersionInfo fromJson(JsonNode n, List<String> aliases) {
    Map<String, Double> metrics = new TreeMap<>();
    n.path("metrics").properties().forEach(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
    Map<String, String> tags = new TreeMap<>();
    n.path("tags").properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
    return new VersionInfo(
        n.path("name").asText(),
        n.path("version").asInt(),
        n.path("format").asText(),
        n.path("sha256").asText(),
        n.path("size_bytes").asLong(),
        metrics,
        text(n, "description"),
        n.path("created_by").asText(),
        n.path("created_at").asText(),
        tags,
        n.path("verification").asText("PENDING"),
        text(n, "verification_message"),
        text(n, "gate"),
        null,
        null,
        null,
        null,
        aliases);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /**
   * The JSON form: the REST API's version detail (same names), plus {@code aliases}, plus the
   * fields only a local home knows when they are known.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("version", version);
    m.put("format", format);
    m.put("sha256", sha256);
    m.put("size_bytes", sizeBytes);
    m.put("metrics", metrics);
    m.put("description", description);
    m.put("created_by", createdBy);
    m.put("created_at", createdAt);
    m.put("tags", tags);
    m.put("verification", verification);
    m.put("gate", gate);
    m.put("aliases", aliases);
    if (verificationMessage != null) {
      m.put("verification_message", verificationMessage);
    }
    if (gateNumbers != null) {
      m.put("gate_numbers", gateNumbers);
    }
    if (gateDetails != null) {
      m.put("gate_details", gateDetails);
    }
    if (lineage != null) {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("training_data_ref", lineage.trainingDataRef());
      l.put("training_data_sha256", lineage.trainingDataSha256());
      l.put("parameters", lineage.parameters());
      m.put("lineage", l);
    }
    if (schema != null) {
      List<Map<String, Object>> fields = new ArrayList<>();
      for (Field f : schema) {
        fields.add(field(f));
      }
      m.put("schema", fields);
    }
    return m;
  }

  /** A field as the records API's model detail writes it. */
  static Map<String, Object> field(Field f) {
    Map<String, Object> fm = new LinkedHashMap<>();
    fm.put("name", f.name());
    fm.put("type", f.type().name());
    fm.put("nullable", f.nullable());
    if (f.min() != null) {
      fm.put("min", f.min());
    }
    if (f.max() != null) {
      fm.put("max", f.max());
    }
    if (!f.domain().isEmpty()) {
      fm.put("domain", f.domain());
    }
    return fm;
  }
}

package dev.slipway.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Record;
import dev.slipway.registry.AuditEntry;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.RegisteredModel;
import dev.slipway.registry.Registration;
import dev.slipway.server.gate.Evaluator;
import dev.slipway.server.gate.GatePolicy;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ModelManifest;
import dev.slipway.serving.host.Verifier;
import dev.slipway.train.data.AdClickGenerator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The registry of a Slipway home, opened in this process. The embedded database admits one process
 * at a time, so this fails (saying to use {@code --url}) while a server runs on the home.
 *
 * <p>Changes follow the same rules as over REST, with the same checks: an upload is loaded before
 * it is registered and verified after; the gate uses the server's {@link Evaluator} and {@link
 * GatePolicy#defaults()}; a rollback is not held to the gate. Not thread-safe.
 */
public final class LocalRegistryClient implements RegistryClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path home;
  private final ModelRegistry registry;
  private final String actor;
  private ModelHost host; // created when a command needs to load models

  private LocalRegistryClient(Path home, ModelRegistry registry, String actor) {
    this.home = home;
    this.registry = registry;
    this.actor = actor;
  }

  /**
   * Opens the home's registry.
   *
   * @param actor who makes the changes, for the audit log
   * @throws ModelUnavailableException when another process (typically a running server) holds the
   *     home, with a message that says to use {@code --url}
   */
  public static LocalRegistryClient open(Path home, String actor) {
    try {
      return new LocalRegistryClient(home, ModelRegistry.embedded(home), actor);
    } catch (ModelUnavailableException e) {
      throw new ModelUnavailableException(
          e.getMessage()
              + " If a Slipway server is running on this home, work through it with --url"
              + " http://HOST:PORT (or SLIPWAY_URL).",
          e);
    }
  }

  /** The registry itself, for the commands that run a server on it. */
  public ModelRegistry registry() {
    return registry;
  }

  @Override
  public String where() {
    return home.toString();
  }

  @Override
  public List<ModelSummary> models() {
    List<ModelSummary> out = new ArrayList<>();
    for (RegisteredModel m : registry.models()) {
      out.add(
          new ModelSummary(
              m.name(), m.latestVersion(), m.description(), registry.aliases(m.name())));
    }
    return out;
  }

  @Override
  public Map<String, Integer> aliases(String name) {
    return registry.aliases(name);
  }

  @Override
  public List<VersionInfo> versions(String name) {
    List<ModelVersion> versions = registry.versions(name);
    Map<String, Integer> aliases = registry.aliases(name);
    return versions.stream().map(v -> VersionInfo.of(v, pointingAt(aliases, v.version()))).toList();
  }

  static List<String> pointingAt(Map<String, Integer> aliases, int version) {
    List<String> out = new ArrayList<>();
    aliases.forEach(
        (alias, target) -> {
          if (target == version) {
            out.add(alias);
          }
        });
    return out;
  }

  @Override
  public VersionInfo register(Upload upload) {
    ModelFormat format = Verifier.format(upload.format());
    Path file = upload.file();
    if (!Files.isRegularFile(file)) {
      throw InvalidInputException.of("FILE", file.toString(), "a readable model file");
    }
    if (upload.sha256() != null) {
      String actual = upload.fileSha256();
      if (!upload.sha256().toLowerCase(Locale.ROOT).equals(actual)) {
        throw InvalidInputException.of(
            "sha256", upload.sha256(), "the sha256 of " + file + ", which is " + actual);
      }
    }
    // As the REST upload reads its form: golden records may come inside the manifest or apart.
    ModelManifest declared = null;
    JsonNode golden = null;
    if (upload.manifest() != null) {
      JsonNode m = readJson(upload.manifest(), "manifest");
      if (m.isObject() && m.has("golden")) {
        golden = ((ObjectNode) m).remove("golden");
      }
      declared = ModelManifest.fromJson(m.toString());
    }
    if (upload.golden() != null) {
      golden = readJson(upload.golden(), "golden");
    }
    // Loads it (a file the runtime refuses never becomes a version) and settles golden records.
    ModelManifest prepared = Verifier.prepare(format, file, declared, golden);
    ModelVersion v =
        registry.register(
            new Registration(
                upload.name(),
                file,
                format.name(),
                prepared.toJson(),
                Map.of(),
                upload.description() != null ? upload.description() : prepared.description(),
                actor));
    Verifier.verify(host(), registry, v);
    ModelVersion stored = registry.version(v.name(), v.version()).orElse(v);
    return VersionInfo.of(stored, pointingAt(registry.aliases(v.name()), v.version()));
  }

  private static JsonNode readJson(Path file, String field) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw InvalidInputException.of(field, file.toString(), "a readable JSON file");
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw InvalidInputException.of(
          field,
          text.length() <= 80 ? text : text.substring(0, 77) + "...",
          "JSON: " + e.getOriginalMessage());
    }
  }

  @Override
  public AliasChange setAlias(
      String name, String alias, int version, String reason, boolean force) {
    Integer before = registry.aliases(name).get(alias);
    registry.setAlias(name, alias, version, actor, reason, force);
    return new AliasChange(name, alias, registry.aliases(name).get(alias), before);
  }

  @Override
  public void removeAlias(String name, String alias, String reason) {
    registry.removeAlias(name, alias, actor, reason);
  }

  @Override
  public AliasChange rollback(String name, String alias, String reason) {
    Integer before = registry.aliases(name).get(alias);
    int previous =
        registry
            .previousVersion(name, alias)
            .orElseThrow(
                () ->
                    new dev.slipway.api.ConflictException(
                        "alias '"
                            + alias
                            + "' of model '"
                            + name
                            + "' has no previous version to roll back to"));
    // As over REST: a rollback restores what was serving before and is not held to the gate.
    registry.setAlias(
        name,
        alias,
        previous,
        actor,
        "rollback: " + Objects.requireNonNullElse(reason, "no reason given"),
        true);
    return new AliasChange(name, alias, registry.aliases(name).get(alias), before);
  }

  @Override
  public List<AuditEntry> audit(String name, int limit) {
    if (limit < 1 || limit > 10_000) {
      throw InvalidInputException.of("limit", limit, "a whole number from 1 to 10000");
    }
    return registry.audit(name, limit);
  }

  @Override
  public void setTag(String name, int version, String key, String value) {
    registry.setTag(name, version, key, value, actor);
  }

  @Override
  public void removeTag(String name, int version, String key) {
    registry.removeTag(name, version, key, actor);
  }

  @Override
  public GateOutcome evaluate(
      String name, int version, HeldOut data, String label, String positive) {
    registry
        .version(name, version)
        .orElseThrow(
            () ->
                new dev.slipway.api.ModelNotFoundException(
                    "model '" + name + "' has no version " + version));
    List<Record> rows = rows(data);
    String labelField = Objects.requireNonNullElse(label, AdClickGenerator.LABEL);
    String positiveLabel = Objects.requireNonNullElse(positive, AdClickGenerator.CLICK);
    Evaluator evaluator =
        new Evaluator(
            new Pipeline(host(), new SimpleMeterRegistry(), m -> null, Pipeline.Limits.defaults()));
    // The gate as RegistryService#evaluate runs it: candidate and champion on the same rows.
    Map<String, Double> candidate =
        evaluator.evaluate(name + "/" + version, rows, labelField, positiveLabel);
    Integer champion = registry.aliases(name).get(ModelRegistry.CHAMPION);
    boolean compare = champion != null && champion != version;
    Map<String, Double> championMetrics =
        compare ? evaluator.evaluate(name + "/" + champion, rows, labelField, positiveLabel) : null;
    GatePolicy.Decision d = GatePolicy.defaults().decide(candidate, championMetrics);
    String verdict = d.blessed() ? "BLESSED" : "NOT_BLESSED";
    String details =
        (d.blessed() ? "all checks passed" : String.join("; ", d.failures()))
            + (compare
                ? " (champion: version " + champion + ")"
                : " (no other champion to compare with)");
    registry.recordGate(name, version, verdict, d.numbers(), details, actor);
    return new GateOutcome(
        name, version, verdict, d.failures(), new LinkedHashMap<>(d.numbers()), champion);
  }

  private static List<Record> rows(HeldOut data) {
    if (data instanceof HeldOut.AdClick g) {
      if (g.rows() < 10 || g.rows() > 1_000_000) {
        throw InvalidInputException.of("generator.rows", g.rows(), "10 to 1000000 rows");
      }
      return new AdClickGenerator(g.seed()).generate(g.rows());
    }
    return ((HeldOut.Rows) data).records();
  }

  @Override
  public JsonNode deployments() {
    throw InvalidInputException.missing(
        "--url",
        "the address of a running server (or SLIPWAY_URL): deployments are what a server"
            + " serves, and a home on its own serves nothing");
  }

  private ModelHost host() {
    if (host == null) {
      host = new ModelHost(registry, ModelFormat.LoadOptions.defaults());
    }
    return host;
  }

  @Override
  public void close() {
    try {
      if (host != null) {
        host.close();
      }
    } finally {
      registry.close();
    }
  }
}

package dev.slipway.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.registry.AuditEntry;
import dev.slipway.registry.ModelRef;
import dev.slipway.registry.ModelRegistry;
import java.util.List;
import java.util.Map;

/**
 * The registry operations of the {@code slipway} command, against a running server ({@link
 * HttpRegistryClient}) or directly on a Slipway home ({@link LocalRegistryClient}).
 *
 * <p>Errors: the registry's own {@link dev.slipway.api.SlipwayException}s (unknown model, version
 * or alias: {@link ModelNotFoundException}; bad input: {@link
 * dev.slipway.api.InvalidInputException}; refused change: {@link
 * dev.slipway.api.ConflictException}); over HTTP the server's {@code {"error": "..."}} answers
 * arrive as {@link ServerError} with the same message, and an unreachable server as {@link
 * dev.slipway.api.ModelUnavailableException} naming the URL.
 *
 * <p>Not thread-safe: a client serves one command and is then closed.
 */
public interface RegistryClient extends AutoCloseable {

  /** Where the registry is, for messages: the server's URL or the home's path. */
  String where();

  /** Every registered model, sorted by name, with its aliases. */
  List<ModelSummary> models();

  /**
   * The aliases of a model and the versions they point to, sorted by alias.
   *
   * @throws ModelNotFoundException when no model has this name
   */
  Map<String, Integer> aliases(String name);

  /**
   * All versions of a model, oldest first, each with the aliases pointing to it.
   *
   * @throws ModelNotFoundException when no model has this name
   */
  List<VersionInfo> versions(String name);

  /**
   * Checks a model file (size, optional sha256, the runtime loads it), registers it as a new
   * version and verifies it (loads it as serving would and answers a warm-up request). A refused
   * file leaves the registry unchanged.
   */
  VersionInfo register(Upload upload);

  /**
   * Points an alias at a version; {@code champion} needs a BLESSED gate result unless forced (a
   * forced move is audited as forced).
   */
  AliasChange setAlias(String name, String alias, int version, String reason, boolean force);

  /** Removes an alias; {@link ModelNotFoundException} when it is not set. */
  void removeAlias(String name, String alias, String reason);

  /**
   * Moves an alias back to the version it pointed to before its last move; not held to the gate.
   */
  AliasChange rollback(String name, String alias, String reason);

  /** The newest {@code limit} audit entries of a model, newest first. */
  List<AuditEntry> audit(String name, int limit);

  /** Sets a tag on a version. */
  void setTag(String name, int version, String key, String value);

  /** Removes a tag from a version; {@link ModelNotFoundException} when it is not set. */
  void removeTag(String name, int version, String key);

  /**
   * Runs the evaluation gate: the candidate and the current champion are scored on the same
   * labelled held-out data, and the verdict is recorded on the candidate.
   *
   * @param label the label field, or {@code null} for the ad-click demo's {@code clicked}
   * @param positive the positive label value, or {@code null} for the demo's {@code click}
   */
  GateOutcome evaluate(String name, int version, HeldOut data, String label, String positive);

  /**
   * What a running server serves: routes and loaded versions, as the server reports them.
   *
   * @throws dev.slipway.api.InvalidInputException naming {@code --url} on a local home, which
   *     serves nothing
   */
  JsonNode deployments();

  @Override
  void close();

  /**
   * The version a reference names, resolved as serving resolves it ({@code
   * ModelHost.defaultResolver}): {@code name/3} and {@code name@v3} are version 3, {@code
   * name@alias} the alias's version, {@code name@latest} the highest version, and a bare {@code
   * name} the {@code champion} when it is set, else the highest version that did not fail
   * verification (the highest if all did).
   *
   * @throws dev.slipway.api.InvalidInputException naming {@code model} when the text is not a
   *     reference
   * @throws ModelNotFoundException naming the model, version or alias that does not exist
   */
  default VersionInfo resolve(String text) {
    ModelRef ref = ModelRef.parse(text);
    String name = ref.name();
    List<VersionInfo> versions = versions(name);
    Integer number;
    if (ref.version() != null) {
      number = ref.version();
    } else if (ref.alias() != null) {
      number = aliasTarget(versions, ref.alias());
      if (number == null) {
        throw new ModelNotFoundException(
            "alias '" + ref.alias() + "' of model '" + name + "' is not set");
      }
    } else if (versions.isEmpty()) {
      throw new ModelNotFoundException("model '" + name + "' has no versions");
    } else if (text.indexOf('@') >= 0) {
      number = versions.get(versions.size() - 1).version(); // name@latest
    } else {
      number = aliasTarget(versions, ModelRegistry.CHAMPION);
      if (number == null) {
        // The latest version that did not fail verification; if every one failed, the latest.
        number = versions.get(versions.size() - 1).version();
        for (int i = versions.size() - 1; i >= 0; i--) {
          if (!"FAILED".equals(versions.get(i).verification())) {
            number = versions.get(i).version();
            break;
          }
        }
      }
    }
    for (VersionInfo v : versions) {
      if (v.version() == number) {
        return v;
      }
    }
    throw new ModelNotFoundException(
        "version "
            + number
            + " of model '"
            + name
            + "' is not registered; registered versions: "
            + versions.stream().map(VersionInfo::version).toList());
  }

  private static Integer aliasTarget(List<VersionInfo> versions, String alias) {
    for (VersionInfo v : versions) {
      if (v.aliases().contains(alias)) {
        return v.version();
      }
    }
    return null;
  }
}

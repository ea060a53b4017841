package dev.slipway.registry;

import dev.slipway.api.InvalidInputException;
import java.util.regex.Pattern;

/**
 * A reference to a model version as users write it, resolved the same way everywhere (online,
 * batch, CLI) by {@link ModelRegistry#resolve(ModelRef)}:
 *
 * <ul>
 *   <li>{@code name}: the model's latest (highest-numbered) version; {@code name@latest} means the
 *       same;
 *   <li>{@code name@alias}: the version the alias points to, e.g. {@code fraud@champion};
 *   <li>{@code name/3}: version 3; {@code name@v3} means the same.
 * </ul>
 *
 * <p>At most one of {@link #alias()} and {@link #version()} is set; neither means "latest". {@link
 * #toString()} gives the canonical text, which {@link #parse} reads back to an equal reference.
 * Immutable.
 *
 * @param name the model's name, {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,127}}
 * @param alias the alias, {@code [A-Za-z0-9_-]{1,64}} and not reserved, or {@code null}
 * @param version the version number (1 or more), or {@code null}
 */
public record ModelRef(String name, String alias, Integer version) {

  static final String EXPECTED =
      "a model reference 'name', 'name@alias' or 'name/version' (e.g. fraud, fraud@champion,"
          + " fraud/3)";

  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,9}");
  private static final Pattern RESERVED_VERSION = Pattern.compile("v([0-9]+)");

  /**
   * @throws InvalidInputException naming {@code model} when the parts do not form a reference
   */
  public ModelRef {
    String shown = show(name, alias, version);
    if (name == null || !ModelRegistry.NAME_PATTERN.matcher(name).matches()) {
      throw InvalidInputException.of("model", shown, EXPECTED);
    }
    if (alias != null && version != null) {
      throw InvalidInputException.of("model", shown, "an alias or a version, not both");
    }
    if (alias != null
        && (!ModelRegistry.ALIAS_PATTERN.matcher(alias).matches()
            || RegistryChecks.isReservedAlias(alias))) {
      throw InvalidInputException.of(
          "model", shown, EXPECTED + "; " + ModelRegistry.ALIAS_EXPECTED);
    }
    if (version != null && version < 1) {
      throw InvalidInputException.of("model", shown, "a version number of 1 or more");
    }
  }

  /** The latest version of a model. */
  public static ModelRef ofLatest(String name) {
    return new ModelRef(name, null, null);
  }

  /** The version an alias of a model points to. */
  public static ModelRef ofAlias(String name, String alias) {
    return new ModelRef(name, alias, null);
  }

  /** One numbered version of a model. */
  public static ModelRef ofVersion(String name, int version) {
    return new ModelRef(name, null, version);
  }

  /**
   * Reads {@code name}, {@code name@alias} or {@code name/version}.
   *
   * @throws InvalidInputException naming {@code model} for anything else
   */
  public static ModelRef parse(String text) {
    if (text == null) {
      throw InvalidInputException.missing("model", EXPECTED);
    }
    int at = text.indexOf('@');
    int slash = text.indexOf('/');
    if (at < 0 && slash < 0) {
      return new ModelRef(text, null, null);
    }
    if (at >= 0 && slash >= 0) {
      throw InvalidInputException.of("model", text, EXPECTED);
    }
    int split = Math.max(at, slash);
    String name = text.substring(0, split);
    String rest = text.substring(split + 1);
    if (!ModelRegistry.NAME_PATTERN.matcher(name).matches()) {
      throw InvalidInputException.of("model", text, EXPECTED);
    }
    if (slash >= 0) {
      return new ModelRef(name, null, versionNumber(text, rest));
    }
    if (rest.equals(ModelRegistry.LATEST)) {
      return new ModelRef(name, null, null);
    }
    var reserved = RESERVED_VERSION.matcher(rest);
    if (reserved.matches()) {
      return new ModelRef(name, null, versionNumber(text, reserved.group(1)));
    }
    if (!ModelRegistry.ALIAS_PATTERN.matcher(rest).matches()
        || RegistryChecks.isReservedAlias(rest)) {
      throw InvalidInputException.of("model", text, EXPECTED + "; " + ModelRegistry.ALIAS_EXPECTED);
    }
    return new ModelRef(name, rest, null);
  }

  private static int versionNumber(String text, String digits) {
    if (VERSION.matcher(digits).matches()) {
      long v = Long.parseLong(digits);
      if (v <= Integer.MAX_VALUE) {
        return (int) v;
      }
    }
    throw InvalidInputException.of(
        "model",
        text,
        EXPECTED + ", where the version is 1 to " + Integer.MAX_VALUE + " without leading zeros");
  }

  /** Whether this reference means the latest version. */
  public boolean isLatest() {
    return alias == null && version == null;
  }

  /** The canonical text: {@code name}, {@code name@alias} or {@code name/version}. */
  @Override
  public String toString() {
    return show(name, alias, version);
  }

  private static String show(String name, String alias, Integer version) {
    if (alias != null) {
      return name + "@" + alias;
    }
    return version != null ? name + "/" + version : String.valueOf(name);
  }
}

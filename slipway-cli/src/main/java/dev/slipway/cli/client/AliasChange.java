package dev.slipway.cli.client;

/**
 * The outcome of setting, moving or rolling back an alias. Immutable.
 *
 * @param model the model's name
 * @param alias the alias
 * @param version the version it points to now
 * @param previousVersion the version it pointed to before, or {@code null} when it was not set
 */
public record AliasChange(String model, String alias, Integer version, Integer previousVersion) {

  /** Whether the alias points somewhere else than before. */
  public boolean changed() {
    return previousVersion == null || !previousVersion.equals(version);
  }
}

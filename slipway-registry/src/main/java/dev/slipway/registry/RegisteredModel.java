package dev.slipway.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * A named model in the registry.
 *
 * @param name the unique name, {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,127}}
 * @param description the description given when the model was first registered, or {@code null}
 * @param createdAt when the first version was registered
 * @param latestVersion the highest version number of the model
 */
public record RegisteredModel(
    String name, String description, Instant createdAt, int latestVersion) {

  public RegisteredModel {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}

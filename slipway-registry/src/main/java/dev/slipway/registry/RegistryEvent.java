package dev.slipway.registry;

import java.util.Objects;

/**
 * A committed change to the registry, as delivered to {@link RegistryListener}s. Immutable values.
 * Tag changes are audited but not announced.
 */
public sealed interface RegistryEvent
    permits RegistryEvent.VersionCreated,
        RegistryEvent.AliasMoved,
        RegistryEvent.AliasRemoved,
        RegistryEvent.GateRecorded,
        RegistryEvent.VerificationRecorded {

  /** The name of the model that changed. */
  String model();

  /** A version was registered. */
  record VersionCreated(ModelVersion version) implements RegistryEvent {
    public VersionCreated {
      Objects.requireNonNull(version, "version");
    }

    @Override
    public String model() {
      return version.name();
    }
  }

  /**
   * An alias was set or moved.
   *
   * @param from the version the alias pointed to before, or {@code null} when it is new
   * @param to the version it points to now
   * @param forced whether the move overrode the champion's gate rule
   */
  record AliasMoved(String model, String alias, Integer from, int to, boolean forced)
      implements RegistryEvent {
    public AliasMoved {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(alias, "alias");
    }
  }

  /**
   * An alias was removed.
   *
   * @param version the version it pointed to
   */
  record AliasRemoved(String model, String alias, int version) implements RegistryEvent {
    public AliasRemoved {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(alias, "alias");
    }
  }

  /** An evaluation-gate result was recorded on a version. */
  record GateRecorded(String model, int version, GateResult gate) implements RegistryEvent {
    public GateRecorded {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(gate, "gate");
    }
  }

  /** A verification result was recorded on a version. */
  record VerificationRecorded(String model, int version, Verification verification)
      implements RegistryEvent {
    public VerificationRecorded {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(verification, "verification");
    }
  }
}

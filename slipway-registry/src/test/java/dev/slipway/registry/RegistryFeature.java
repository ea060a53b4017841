package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.ConflictException;
import dev.slipway.api.ModelNotFoundException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * The base of a feature's contract: the feature's tests run inside a {@link ModelRegistryContract}
 * (as a {@code @Nested} class), on its database and its freshly opened {@link #registry()}.
 */
abstract class RegistryFeature {

  /** The enclosing contract, which owns the database and the registry under test. */
  abstract ModelRegistryContract kit();

  ModelRegistry registry() {
    return kit().registry;
  }

  /** Opens another registry on the same database, as another process would. */
  ModelRegistry open() {
    return kit().open();
  }

  ModelVersion register(String name, String content) {
    return kit().register(name, content);
  }

  Path file(String content) {
    return kit().file(content);
  }

  /** Registers a version and records a gate result of BLESSED on it. */
  ModelVersion registerBlessed(String name, String content) {
    ModelVersion v = register(name, content);
    registry().recordGate(name, v.version(), "BLESSED", Map.of("auc", 0.9), null);
    return v;
  }

  static void assertInvalid(String field, ThrowingCallable call) {
    ModelRegistryContract.assertInvalid(field, call);
  }

  static void assertNotFound(String naming, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining(naming);
  }

  static void assertConflict(String saying, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(ConflictException.class).hasMessageContaining(saying);
  }

  /** What must not change when a change is refused: aliases, audit log and change sequence. */
  record Snapshot(Map<String, Integer> aliases, List<AuditEntry> audit, long sequence) {}

  Snapshot snapshot(String model) {
    return new Snapshot(
        registry().aliases(model), registry().audit(model), registry().changeSequence());
  }

  void assertUnchanged(String model, Snapshot before) {
    assertThat(snapshot(model)).isEqualTo(before);
  }
}

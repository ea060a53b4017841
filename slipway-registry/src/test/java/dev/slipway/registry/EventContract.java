package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.registry.RegistryEvent.AliasMoved;
import dev.slipway.registry.RegistryEvent.AliasRemoved;
import dev.slipway.registry.RegistryEvent.GateRecorded;
import dev.slipway.registry.RegistryEvent.VerificationRecorded;
import dev.slipway.registry.RegistryEvent.VersionCreated;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Listeners hear of committed changes, after the commit, on the calling thread. */
abstract class EventContract extends RegistryFeature {
  private final List<RegistryEvent> heard = new CopyOnWriteArrayList<>();

  @BeforeEach
  void listen() {
    registry().addListener(heard::add);
  }

  @Test
  void aRegistrationAnnouncesTheNewVersion() {
    ModelVersion v = register("m", "1");

    assertThat(heard).containsExactly(new VersionCreated(v));
    assertThat(heard.get(0).model()).isEqualTo("m");
  }

  @Test
  void aliasChangesAreAnnouncedWithWhereTheAliasWasAndIsNow() {
    registerBlessed("m", "1");
    register("m", "2");
    heard.clear();

    registry().setAlias("m", "champion", 1, "ci", null, false);
    registry().setAlias("m", "champion", 2, "ci", "urgent", true);
    registry().setAlias("m", "staging", 2, "ci", null, false);
    registry().removeAlias("m", "staging", "ci", null);

    assertThat(heard)
        .containsExactly(
            new AliasMoved("m", "champion", null, 1, false),
            new AliasMoved("m", "champion", 1, 2, true),
            new AliasMoved("m", "staging", null, 2, false),
            new AliasRemoved("m", "staging", 2));
  }

  @Test
  void verificationAndGateResultsAreAnnounced() {
    register("m", "1");
    heard.clear();

    Verification verification = registry().recordVerification("m", 1, true, "ok");
    GateResult gate = registry().recordGate("m", 1, "BLESSED", Map.of("auc", 0.8), null);

    assertThat(heard)
        .containsExactly(
            new VerificationRecorded("m", 1, verification), new GateRecorded("m", 1, gate));
  }

  @Test
  void refusedAndEmptyChangesAndTagsAreNotAnnounced() {
    register("m", "1");
    registry().setAlias("m", "staging", 1, "ci", null, false);
    heard.clear();

    registry().setAlias("m", "staging", 1, "ci", null, false);
    assertConflict(
        "no gate result", () -> registry().setAlias("m", "champion", 1, "ci", null, false));
    assertNotFound("version 2", () -> registry().setAlias("m", "x", 2, "ci", null, false));
    registry().setTag("m", 1, "k", "v", "ci");
    registry().removeTag("m", 1, "k", "ci");

    assertThat(heard).isEmpty();
  }

  @Test
  void listenersAreCalledAfterCommitOnTheCallingThread() {
    ModelRegistry elsewhere = open();
    List<String> seen = new CopyOnWriteArrayList<>();
    Thread caller = Thread.currentThread();
    registry()
        .addListener(
            e -> {
              assertThat(Thread.currentThread()).isSameAs(caller);
              // Another connection sees the change: it has committed.
              seen.add(elsewhere.aliases(e.model()).toString());
            });
    register("m", "1");

    registry().setAlias("m", "staging", 1, "ci", null, false);

    assertThat(seen).containsExactly("{}", "{staging=1}");
  }

  @Test
  void aFailingListenerUndoesNothingAndTheOthersAreStillCalled() {
    List<RegistryEvent> after = new CopyOnWriteArrayList<>();
    registry()
        .addListener(
            e -> {
              throw new IllegalStateException("listener bug");
            });
    registry().addListener(after::add);

    ModelVersion v = register("m", "1");
    registry().setAlias("m", "staging", 1, "ci", null, false);

    assertThat(registry().latest("m")).isEqualTo(v);
    assertThat(registry().aliases("m")).containsKey("staging");
    assertThat(heard).hasSize(2);
    assertThat(after).hasSize(2);
  }

  @Test
  void aRemovedListenerHearsNothingMore() {
    RegistryListener listener = heard::add;
    registry().addListener(listener);
    register("m", "1");
    assertThat(heard).hasSize(2);

    registry().removeListener(listener);
    register("m", "2");

    assertThat(heard).hasSize(3);
  }

  @Test
  void listenersHearOnlyTheChangesOfTheirOwnRegistry() {
    ModelRegistry other = open();
    List<RegistryEvent> otherHeard = new CopyOnWriteArrayList<>();
    other.addListener(otherHeard::add);

    register("m", "1");

    assertThat(heard).hasSize(1);
    assertThat(otherHeard).isEmpty();
  }
}

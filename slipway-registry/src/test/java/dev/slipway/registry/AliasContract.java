package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Aliases: naming, setting, moving (with the previous version kept), removing, the rules. */
abstract class AliasContract extends RegistryFeature {

  @Test
  void anAliasPointsAtAVersionAndIsListedWithTheOthers() {
    registerBlessed("fraud", "1");
    register("fraud", "2");

    registry().setAlias("fraud", "champion", 1, "alice", "first champion", false);
    registry().setAlias("fraud", "challenger", 2, "alice", null, false);

    assertThat(registry().aliases("fraud"))
        .containsExactly(entry("challenger", 2), entry("champion", 1));
  }

  @Test
  void aModelWithoutAliasesHasNone() {
    register("m", "1");

    assertThat(registry().aliases("m")).isEmpty();
  }

  @Test
  void aliasesBelongToOneModel() {
    register("a", "1");
    register("a", "2");
    register("b", "3");

    registry().setAlias("a", "staging", 2, "ci", null, false);
    registry().setAlias("b", "staging", 1, "ci", null, false);

    assertThat(registry().aliases("a")).containsExactly(entry("staging", 2));
    assertThat(registry().aliases("b")).containsExactly(entry("staging", 1));
  }

  @Test
  void movingAnAliasKeepsTheVersionItPointedToBefore() {
    for (int i = 1; i <= 3; i++) {
      register("m", "content " + i);
    }

    registry().setAlias("m", "staging", 1, "ci", null, false);
    assertThat(registry().previousVersion("m", "staging")).isEmpty();

    registry().setAlias("m", "staging", 2, "ci", null, false);
    assertThat(registry().previousVersion("m", "staging")).contains(1);

    registry().setAlias("m", "staging", 3, "ci", null, false);
    assertThat(registry().aliases("m")).containsExactly(entry("staging", 3));
    assertThat(registry().previousVersion("m", "staging")).contains(2);
  }

  @Test
  void rollingBackIsMovingTheAliasToItsPreviousVersion() {
    registerBlessed("m", "1");
    registerBlessed("m", "2");
    registry().setAlias("m", "champion", 1, "ci", null, false);
    registry().setAlias("m", "champion", 2, "ci", "promote", false);

    Optional<Integer> previous = registry().previousVersion("m", "champion");
    registry().setAlias("m", "champion", previous.orElseThrow(), "bob", "roll back", false);

    assertThat(registry().aliases("m")).containsExactly(entry("champion", 1));
    assertThat(registry().previousVersion("m", "champion")).contains(2);
    assertThat(registry().resolve("m@champion").version()).isEqualTo(1);
  }

  @Test
  void pointingAnAliasAtTheVersionItAlreadyHasChangesNothing() {
    register("m", "1");
    registry().setAlias("m", "staging", 1, "ci", null, false);
    Snapshot before = snapshot("m");

    registry().setAlias("m", "staging", 1, "someone else", "again", true);

    assertUnchanged("m", before);
    assertThat(registry().previousVersion("m", "staging")).isEmpty();
  }

  @Test
  void aRemovedAliasIsGone() {
    register("m", "1");
    registry().setAlias("m", "staging", 1, "ci", null, false);
    registry().setAlias("m", "canary", 1, "ci", null, false);

    registry().removeAlias("m", "staging", "ci", "done");

    assertThat(registry().aliases("m")).containsExactly(entry("canary", 1));
    assertNotFound("'staging'", () -> registry().previousVersion("m", "staging"));
    assertNotFound("'staging'", () -> registry().resolve("m@staging"));
  }

  @Test
  void removingAnAliasThatIsNotSetIsNotFoundNamingIt() {
    register("m", "1");
    Snapshot before = snapshot("m");

    assertNotFound("alias 'staging'", () -> registry().removeAlias("m", "staging", "ci", null));
    assertNotFound(
        "alias 'staging' of model 'm'", () -> registry().previousVersion("m", "staging"));
    assertUnchanged("m", before);
  }

  @Test
  void aRemovedAliasCanBeSetAgain() {
    register("m", "1");
    register("m", "2");
    registry().setAlias("m", "staging", 1, "ci", null, false);
    registry().removeAlias("m", "staging", "ci", null);

    registry().setAlias("m", "staging", 2, "ci", null, false);

    assertThat(registry().aliases("m")).containsExactly(entry("staging", 2));
    assertThat(registry().previousVersion("m", "staging")).isEmpty();
  }

  // ------------------------------------------------------------------ names

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "has space",
        "a.b",
        "a/b",
        "a@b",
        "naïve",
        "latest",
        "LATEST",
        "Latest",
        "v1",
        "v007",
        "V12",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      })
  void invalidAndReservedAliasNamesAreRejectedNamingTheField(String alias) {
    register("m", "1");
    Snapshot before = snapshot("m");

    assertInvalid("alias", () -> registry().setAlias("m", alias, 1, "ci", null, false));
    assertInvalid("alias", () -> registry().removeAlias("m", alias, "ci", null));
    assertInvalid("alias", () -> registry().previousVersion("m", alias));
    assertUnchanged("m", before);
  }

  @Test
  void aMissingAliasIsRejected() {
    register("m", "1");

    assertInvalid("alias", () -> registry().setAlias("m", null, 1, "ci", null, false));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "9",
        "_",
        "-",
        "A_b-9",
        "v",
        "vx1",
        "v1a",
        "version2",
        "latest2",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      })
  void aliasesOfLettersDigitsUnderscoresAndDashesAreAccepted(String alias) {
    register("m", "1");

    registry().setAlias("m", alias, 1, "ci", null, false);

    assertThat(registry().aliases("m")).containsExactly(entry(alias, 1));
  }

  @Test
  void aliasNamesAreCaseSensitive() {
    register("m", "1");
    register("m", "2");

    registry().setAlias("m", "Staging", 1, "ci", null, false);
    registry().setAlias("m", "staging", 2, "ci", null, false);

    assertThat(registry().aliases("m")).containsExactly(entry("Staging", 1), entry("staging", 2));
  }

  // ------------------------------------------------------------------ unknown and invalid input

  @Test
  void anUnknownModelIsNotFoundNamingIt() {
    assertNotFound("'nope'", () -> registry().setAlias("nope", "staging", 1, "ci", null, false));
    assertNotFound("'nope'", () -> registry().removeAlias("nope", "staging", "ci", null));
    assertNotFound("'nope'", () -> registry().aliases("nope"));
    assertNotFound("'nope'", () -> registry().previousVersion("nope", "staging"));
    assertThat(registry().changeSequence()).isZero();
  }

  @Test
  void anUnknownVersionIsNotFoundNamingIt() {
    register("m", "1");
    Snapshot before = snapshot("m");

    assertNotFound(
        "version 7 of model 'm'", () -> registry().setAlias("m", "staging", 7, "ci", null, false));
    assertUnchanged("m", before);
  }

  @Test
  void otherInvalidInputIsRejectedNamingTheField() {
    register("m", "1");
    Snapshot before = snapshot("m");

    assertInvalid("version", () -> registry().setAlias("m", "staging", 0, "ci", null, false));
    assertInvalid("actor", () -> registry().setAlias("m", "staging", 1, " ", null, false));
    assertInvalid("actor", () -> registry().setAlias("m", "staging", 1, null, null, false));
    assertInvalid(
        "reason", () -> registry().setAlias("m", "staging", 1, "ci", "x".repeat(10_001), false));
    assertInvalid("name", () -> registry().setAlias("a/b", "staging", 1, "ci", null, false));
    assertInvalid("actor", () -> registry().removeAlias("m", "staging", "", null));
    assertUnchanged("m", before);
  }

  // ------------------------------------------------------------------ verification rule

  @Test
  void aVersionThatFailedVerificationCannotGetAnAliasEvenByForce() {
    registerBlessed("m", "1");
    register("m", "2");
    registry().recordVerification("m", 2, false, "golden record 3 differs by 0.4");
    registry().setAlias("m", "staging", 1, "ci", null, false);
    Snapshot before = snapshot("m");

    for (String alias : List.of("staging", "champion", "fresh")) {
      for (boolean force : new boolean[] {false, true}) {
        assertConflict(
            "failed verification (golden record 3 differs by 0.4)",
            () -> registry().setAlias("m", alias, 2, "ci", null, force));
      }
    }
    assertUnchanged("m", before);
  }

  @Test
  void pendingAndVerifiedVersionsCanGetAliases() {
    register("m", "1");
    register("m", "2");
    registry().recordVerification("m", 2, true, "ok");

    registry().setAlias("m", "pending", 1, "ci", null, false);
    registry().setAlias("m", "verified", 2, "ci", null, false);

    assertThat(registry().aliases("m")).containsExactly(entry("pending", 1), entry("verified", 2));
  }

  // ------------------------------------------------------------------ champion rule

  @Test
  void championMovesOnlyToABlessedVersion() {
    registerBlessed("m", "1");

    registry().setAlias("m", "champion", 1, "ci", null, false);

    assertThat(registry().aliases("m")).containsExactly(entry("champion", 1));
    assertThat(registry().audit("m").get(0).forced()).isFalse();
  }

  @Test
  void championDoesNotMoveToAVersionWithoutAGateResult() {
    registerBlessed("m", "1");
    register("m", "2");
    registry().setAlias("m", "champion", 1, "ci", null, false);
    Snapshot before = snapshot("m");

    assertConflict(
        "version 2 has no gate result",
        () -> registry().setAlias("m", "champion", 2, "ci", "try", false));
    assertUnchanged("m", before);
    assertThat(registry().previousVersion("m", "champion")).isEmpty();
  }

  @Test
  void aRefusedChampionMoveLeavesAliasesAndAuditAsTheyWere() {
    registerBlessed("m", "1");
    register("m", "2");
    registry().recordGate("m", 2, "NOT_BLESSED", Map.of("auc", 0.6), "auc below 0.7");
    registry().setAlias("m", "champion", 1, "ci", null, false);
    Snapshot before = snapshot("m");
    Optional<Integer> previous = registry().previousVersion("m", "champion");

    assertConflict(
        "is NOT_BLESSED", () -> registry().setAlias("m", "champion", 2, "ci", "try", false));

    assertUnchanged("m", before);
    assertThat(registry().previousVersion("m", "champion")).isEqualTo(previous);
    assertThat(registry().resolve("m@champion").version()).isEqualTo(1);
  }

  @Test
  void aForcedChampionMoveIsAuditedAsForced() {
    registerBlessed("m", "1");
    register("m", "2");
    registry().recordGate("m", 2, "NOT_BLESSED", Map.of("auc", 0.6), null);
    registry().setAlias("m", "champion", 1, "ci", null, false);

    registry().setAlias("m", "champion", 2, "carol", "hotfix for incident 42", true);

    assertThat(registry().aliases("m")).containsExactly(entry("champion", 2));
    AuditEntry move = registry().audit("m").get(0);
    assertThat(move.action()).isEqualTo(AuditEntry.ALIAS_MOVE);
    assertThat(move.forced()).isTrue();
    assertThat(move.actor()).isEqualTo("carol");
    assertThat(move.reason()).isEqualTo("hotfix for incident 42");
    assertThat(move.alias()).isEqualTo("champion");
    assertThat(move.version()).isEqualTo(2);
  }

  @Test
  void forceOnABlessedVersionOverridesNothingAndIsNotAuditedAsForced() {
    registerBlessed("m", "1");

    registry().setAlias("m", "champion", 1, "ci", null, true);

    assertThat(registry().audit("m").get(0).forced()).isFalse();
  }

  @Test
  void otherAliasesNeedNoBlessing() {
    register("m", "1");
    register("m", "2");
    registry().recordGate("m", 2, "NOT_BLESSED", Map.of(), null);

    registry().setAlias("m", "challenger", 1, "ci", null, false);
    registry().setAlias("m", "Champion", 2, "ci", null, false);

    assertThat(registry().aliases("m")).containsOnlyKeys("challenger", "Champion");
  }

  @Test
  void aRegatedVersionFollowsItsLatestVerdict() {
    registerBlessed("m", "1");
    registry().recordGate("m", 1, "NOT_BLESSED", Map.of(), "the new champion is better");

    assertConflict(
        "is NOT_BLESSED", () -> registry().setAlias("m", "champion", 1, "ci", null, false));
  }

  @Test
  void removingChampionNeedsNoBlessing() {
    registerBlessed("m", "1");
    registry().setAlias("m", "champion", 1, "ci", null, false);
    registry().recordGate("m", 1, "NOT_BLESSED", Map.of(), null);

    registry().removeAlias("m", "champion", "ci", "retire");

    assertThat(registry().aliases("m")).isEmpty();
  }

  // ------------------------------------------------------------------ persistence, concurrency

  @Test
  void aliasesSurviveReopening() {
    register("m", "1");
    register("m", "2");
    registry().setAlias("m", "staging", 1, "ci", null, false);
    registry().setAlias("m", "staging", 2, "ci", null, false);

    ModelRegistry other = open();

    assertThat(other.aliases("m")).containsExactly(entry("staging", 2));
    assertThat(other.previousVersion("m", "staging")).contains(1);
  }

  @Test
  void concurrentMovesOfOneAliasFormOneUnbrokenHistory() throws Exception {
    int versions = 4;
    for (int i = 1; i <= versions; i++) {
      register("m", "content " + i);
    }
    int threads = 6;
    int perThread = 15;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<Void> task =
            () -> {
              start.await();
              for (int i = 0; i < perThread; i++) {
                int target = 1 + (thread + i) % versions;
                registry().setAlias("m", "staging", target, "thread " + thread, null, false);
              }
              return null;
            };
        futures.add(pool.submit(task));
      }
      start.countDown();
      for (Future<Void> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    // Oldest first: each move starts where the one before it ended.
    List<AuditEntry> moves =
        new ArrayList<>(
            registry().audit("m").stream().filter(e -> "staging".equals(e.alias())).toList());
    Collections.reverse(moves);
    Integer at = null;
    for (AuditEntry move : moves) {
      String from = at == null ? "null" : at.toString();
      assertThat(move.detail()).isEqualTo("{\"from\":" + from + ",\"to\":" + move.version() + "}");
      at = move.version();
    }
    assertThat(registry().aliases("m")).containsExactly(entry("staging", at));
  }
}

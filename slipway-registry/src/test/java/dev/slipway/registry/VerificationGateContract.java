package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Verification and evaluation-gate results stored on a version. */
abstract class VerificationGateContract extends RegistryFeature {

  @Test
  void aNewVersionIsPendingAndUngated() {
    ModelVersion v = register("m", "1");

    assertThat(v.verification()).isEqualTo(Verification.PENDING);
    assertThat(v.gate()).isNull();
    assertThat(registry().latest("m").verification()).isEqualTo(Verification.PENDING);
    assertThat(registry().latest("m").gate()).isNull();
  }

  @Test
  void aPassedVerificationMakesTheVersionVerified() {
    register("m", "1");

    Verification recorded = registry().recordVerification("m", 1, true, "12 golden records ok");

    assertThat(recorded.status()).isEqualTo(Verification.Status.VERIFIED);
    assertThat(recorded.message()).isEqualTo("12 golden records ok");
    assertThat(recorded.at()).isAfter(ModelRegistryContract.T0);
    assertThat(registry().latest("m").verification()).isEqualTo(recorded);
    assertThat(open().latest("m").verification()).isEqualTo(recorded);
  }

  @Test
  void aFailedVerificationMakesTheVersionFailed() {
    register("m", "1");

    Verification recorded = registry().recordVerification("m", 1, false, null);

    assertThat(recorded.status()).isEqualTo(Verification.Status.FAILED);
    assertThat(recorded.failed()).isTrue();
    assertThat(recorded.message()).isNull();
    assertThat(registry().latest("m").verification()).isEqualTo(recorded);
  }

  @Test
  void verificationIsRecordedOnce() {
    register("m", "1");
    Verification first = registry().recordVerification("m", 1, true, "ok");
    Snapshot before = snapshot("m");

    assertConflict(
        "already verified (VERIFIED)",
        () -> registry().recordVerification("m", 1, false, "late failure"));

    assertThat(registry().latest("m").verification()).isEqualTo(first);
    assertUnchanged("m", before);
  }

  @Test
  void verificationOfAnUnknownModelOrVersionIsNotFound() {
    register("m", "1");

    assertNotFound("'nope'", () -> registry().recordVerification("nope", 1, true, null));
    assertNotFound(
        "version 3 of model 'm'", () -> registry().recordVerification("m", 3, true, null));
  }

  @Test
  void invalidVerificationInputIsRejectedNamingTheField() {
    register("m", "1");
    Snapshot before = snapshot("m");

    assertInvalid("message", () -> registry().recordVerification("m", 1, true, "x".repeat(10_001)));
    assertInvalid("version", () -> registry().recordVerification("m", 0, true, null));
    assertInvalid("actor", () -> registry().recordVerification("m", 1, true, null, " "));
    assertUnchanged("m", before);
    assertThat(registry().latest("m").verification()).isEqualTo(Verification.PENDING);
  }

  @Test
  void theVerifierIsTheDefaultActor() {
    register("m", "1");
    register("m", "2");

    registry().recordVerification("m", 1, true, null);
    registry().recordVerification("m", 2, true, null, "ci");

    assertThat(registry().audit("m"))
        .extracting(AuditEntry::actor)
        .startsWith("ci", "slipway-verifier");
  }

  // ------------------------------------------------------------------ gate

  @Test
  void aGateResultIsStoredWithItsNumbers() {
    register("m", "1");

    GateResult gate =
        registry()
            .recordGate(
                "m",
                1,
                "BLESSED",
                Map.of("auc", 0.82, "champion.auc", 0.8, "log_loss", 0.41),
                "auc >= 0.7; auc not worse than champion by 0.01");

    assertThat(gate.verdict()).isEqualTo(GateResult.Verdict.BLESSED);
    assertThat(gate.blessed()).isTrue();
    assertThat(gate.numbers().keySet()).containsExactly("auc", "champion.auc", "log_loss");
    assertThat(gate.details()).isEqualTo("auc >= 0.7; auc not worse than champion by 0.01");
    assertThat(registry().latest("m").gate()).isEqualTo(gate);
    assertThat(open().latest("m").gate()).isEqualTo(gate);
  }

  @Test
  void aNewGateResultReplacesTheOldOne() {
    register("m", "1");
    registry().recordGate("m", 1, "BLESSED", Map.of("auc", 0.8), null);

    GateResult second = registry().recordGate("m", 1, "NOT_BLESSED", null, "champion improved");

    assertThat(second.numbers()).isEmpty();
    assertThat(registry().latest("m").gate()).isEqualTo(second);
    assertThat(registry().latest("m").gate().blessed()).isFalse();
  }

  @Test
  void gateResultsBelongToOneVersion() {
    register("m", "1");
    register("m", "2");

    registry().recordGate("m", 2, "NOT_BLESSED", Map.of("auc", 0.5), null);

    assertThat(registry().version("m", 1).orElseThrow().gate()).isNull();
    assertThat(registry().version("m", 2).orElseThrow().gate().verdict())
        .isEqualTo(GateResult.Verdict.NOT_BLESSED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "blessed", "MAYBE", "BLESSED "})
  void anUnknownVerdictIsRejected(String verdict) {
    register("m", "1");
    Snapshot before = snapshot("m");

    assertInvalid("verdict", () -> registry().recordGate("m", 1, verdict, Map.of(), null));
    assertInvalid("verdict", () -> registry().recordGate("m", 1, null, Map.of(), null));
    assertUnchanged("m", before);
  }

  @Test
  void nonFiniteOrUnnamedGateNumbersAreRejected() {
    register("m", "1");
    Map<String, Double> numbers = new HashMap<>();
    numbers.put("auc", Double.POSITIVE_INFINITY);

    assertInvalid("numbers.auc", () -> registry().recordGate("m", 1, "BLESSED", numbers, null));
    numbers.put("auc", null);
    assertInvalid("numbers.auc", () -> registry().recordGate("m", 1, "BLESSED", numbers, null));
    assertInvalid("numbers", () -> registry().recordGate("m", 1, "BLESSED", Map.of("", 1.0), null));
    assertThat(registry().latest("m").gate()).isNull();
  }

  @Test
  void aGateOfAnUnknownModelOrVersionIsNotFound() {
    register("m", "1");

    assertNotFound("'nope'", () -> registry().recordGate("nope", 1, "BLESSED", null, null));
    assertNotFound(
        "version 2 of model 'm'", () -> registry().recordGate("m", 2, "BLESSED", null, null));
  }
}

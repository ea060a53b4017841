package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Resolving {@code name}, {@code name@alias} and {@code name/version} references. */
abstract class ResolveContract extends RegistryFeature {

  @Test
  void aNameAloneIsTheLatestVersion() {
    register("m", "1");
    ModelVersion two = register("m", "2");

    assertThat(registry().resolve(ModelRef.ofLatest("m"))).isEqualTo(two);
    assertThat(registry().resolve("m")).isEqualTo(two);
    assertThat(registry().resolve("m@latest")).isEqualTo(two);
  }

  @Test
  void aNumberedReferenceIsThatVersion() {
    ModelVersion one = register("m", "1");
    register("m", "2");

    assertThat(registry().resolve(ModelRef.ofVersion("m", 1))).isEqualTo(one);
    assertThat(registry().resolve("m/1")).isEqualTo(one);
    assertThat(registry().resolve("m@v1")).isEqualTo(one);
  }

  @Test
  void anAliasReferenceIsTheVersionTheAliasPointsTo() {
    register("m", "1");
    ModelVersion two = register("m", "2");
    register("m", "3");
    registry().setAlias("m", "staging", 2, "ci", null, false);

    assertThat(registry().resolve(ModelRef.ofAlias("m", "staging"))).isEqualTo(two);
    assertThat(registry().resolve("m@staging")).isEqualTo(two);
  }

  @Test
  void anAliasReferenceFollowsTheAliasWhenItMoves() {
    register("m", "1");
    register("m", "2");

    registry().setAlias("m", "staging", 1, "ci", null, false);
    assertThat(registry().resolve("m@staging").version()).isEqualTo(1);
    registry().setAlias("m", "staging", 2, "ci", null, false);
    assertThat(registry().resolve("m@staging").version()).isEqualTo(2);
    assertThat(open().resolve("m@staging").version()).isEqualTo(2);
  }

  @Test
  void theResolvedVersionCarriesItsTagsAndResults() {
    register("m", "1");
    registry().setTag("m", 1, "k", "v", "x");
    registry().recordVerification("m", 1, true, null);
    registry().setAlias("m", "staging", 1, "ci", null, false);

    assertThat(registry().resolve("m@staging")).isEqualTo(registry().version("m", 1).orElseThrow());
  }

  @Test
  void anUnknownModelIsNotFoundNamingIt() {
    register("other", "1");

    assertNotFound("model 'nope'", () -> registry().resolve("nope"));
    assertNotFound("model 'nope'", () -> registry().resolve("nope/1"));
    assertNotFound("model 'nope'", () -> registry().resolve("nope@champion"));
  }

  @Test
  void anUnknownVersionIsNotFoundNamingIt() {
    register("m", "1");

    assertNotFound("version 9 of model 'm'", () -> registry().resolve("m/9"));
    assertNotFound("version 9 of model 'm'", () -> registry().resolve("m@v9"));
  }

  @Test
  void anUnsetAliasIsNotFoundNamingIt() {
    register("m", "1");

    assertNotFound("alias 'champion' of model 'm'", () -> registry().resolve("m@champion"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "m@", "m/", "m/0", "m/01", "m@a/1", "m/1@a", "@a", "/1", "m@a b"})
  void aMalformedReferenceIsRejectedNamingTheModelField(String ref) {
    register("m", "1");

    assertInvalid("model", () -> registry().resolve(ref));
  }
}

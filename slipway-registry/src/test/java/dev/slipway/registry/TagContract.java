package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tags on versions: set, replace, remove, read back with the version. */
abstract class TagContract extends RegistryFeature {

  @Test
  void aTagAppearsOnTheVersionWhereverItIsRead() {
    register("m", "1");

    registry().setTag("m", 1, "team", "risk", "alice");

    Map<String, String> tags = Map.of("team", "risk");
    assertThat(registry().version("m", 1).orElseThrow().tags()).isEqualTo(tags);
    assertThat(registry().latest("m").tags()).isEqualTo(tags);
    assertThat(registry().versions("m").get(0).tags()).isEqualTo(tags);
    assertThat(registry().resolve("m/1").tags()).isEqualTo(tags);
  }

  @Test
  void aNewVersionHasNoTags() {
    assertThat(register("m", "1").tags()).isEmpty();
    assertThat(registry().latest("m").tags()).isEmpty();
  }

  @Test
  void tagsAreSortedByKeyAndBelongToOneVersion() {
    register("m", "1");
    register("m", "2");

    registry().setTag("m", 1, "zone", "eu", "a");
    registry().setTag("m", 1, "approved-by", "bob", "a");
    registry().setTag("m", 2, "zone", "us", "a");

    assertThat(registry().versions("m"))
        .extracting(ModelVersion::tags)
        .containsExactly(Map.of("approved-by", "bob", "zone", "eu"), Map.of("zone", "us"));
    assertThat(registry().version("m", 1).orElseThrow().tags().keySet())
        .containsExactly("approved-by", "zone");
  }

  @Test
  void settingATagAgainReplacesItsValue() {
    register("m", "1");
    registry().setTag("m", 1, "stage", "dev", "a");

    registry().setTag("m", 1, "stage", "prod", "b");

    assertThat(registry().latest("m").tags()).containsExactly(entry("stage", "prod"));
    AuditEntry last = registry().audit("m").get(0);
    assertThat(last.action()).isEqualTo(AuditEntry.TAG_SET);
    assertThat(last.actor()).isEqualTo("b");
    assertThat(last.detail())
        .isEqualTo("{\"key\":\"stage\",\"value\":\"prod\",\"previous\":\"dev\"}");
  }

  @Test
  void settingTheValueATagAlreadyHasChangesNothing() {
    register("m", "1");
    registry().setTag("m", 1, "stage", "dev", "a");
    Snapshot before = snapshot("m");

    registry().setTag("m", 1, "stage", "dev", "b");

    assertUnchanged("m", before);
  }

  @Test
  void emptyValuesAndValuesOf10000CharactersAreKept() {
    register("m", "1");

    registry().setTag("m", 1, "empty", "", "a");
    registry().setTag("m", 1, "long", "é".repeat(10_000), "a");

    assertThat(registry().latest("m").tags())
        .containsExactly(entry("empty", ""), entry("long", "é".repeat(10_000)));
  }

  @Test
  void aRemovedTagIsGone() {
    register("m", "1");
    registry().setTag("m", 1, "a", "1", "x");
    registry().setTag("m", 1, "b", "2", "x");

    registry().removeTag("m", 1, "a", "y");

    assertThat(registry().latest("m").tags()).containsExactly(entry("b", "2"));
    AuditEntry last = registry().audit("m").get(0);
    assertThat(last.action()).isEqualTo(AuditEntry.TAG_REMOVE);
    assertThat(last.detail()).isEqualTo("{\"key\":\"a\",\"previous\":\"1\"}");
  }

  @Test
  void removingATagThatIsNotSetIsNotFoundNamingIt() {
    register("m", "1");
    Snapshot before = snapshot("m");

    assertNotFound("tag 'a' is not set on version 1", () -> registry().removeTag("m", 1, "a", "x"));
    assertUnchanged("m", before);
  }

  @Test
  void anUnknownModelOrVersionIsNotFoundNamingIt() {
    register("m", "1");
    Snapshot before = snapshot("m");

    assertNotFound("'nope'", () -> registry().setTag("nope", 1, "k", "v", "x"));
    assertNotFound("version 2 of model 'm'", () -> registry().setTag("m", 2, "k", "v", "x"));
    assertNotFound("version 2 of model 'm'", () -> registry().removeTag("m", 2, "k", "x"));
    assertUnchanged("m", before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "-dash", "has space", "semi;colon", "naïve"})
  void invalidKeysAreRejectedNamingTheTag(String key) {
    register("m", "1");
    Snapshot before = snapshot("m");

    assertInvalid("tag", () -> registry().setTag("m", 1, key, "v", "x"));
    assertInvalid("tag", () -> registry().removeTag("m", 1, key, "x"));
    assertUnchanged("m", before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "team", "mlflow.source:git/commit-id", "A_1.b-c"})
  void keysOfLettersDigitsAndSeparatorsAreAccepted(String key) {
    register("m", "1");

    registry().setTag("m", 1, key, "v", "x");

    assertThat(registry().latest("m").tags()).containsOnlyKeys(key);
  }

  @Test
  void invalidValuesAndActorsAreRejectedNamingTheField() {
    register("m", "1");
    Snapshot before = snapshot("m");

    assertInvalid("tags.k", () -> registry().setTag("m", 1, "k", null, "x"));
    assertInvalid("tags.k", () -> registry().setTag("m", 1, "k", "v".repeat(10_001), "x"));
    assertInvalid("tag", () -> registry().setTag("m", 1, "k".repeat(129), "v", "x"));
    assertInvalid("actor", () -> registry().setTag("m", 1, "k", "v", ""));
    assertInvalid("version", () -> registry().setTag("m", 0, "k", "v", "x"));
    assertUnchanged("m", before);
  }

  @Test
  void tagsSurviveReopening() {
    register("m", "1");
    registry().setTag("m", 1, "k", "v", "x");

    assertThat(open().latest("m").tags()).containsExactly(entry("k", "v"));
  }
}

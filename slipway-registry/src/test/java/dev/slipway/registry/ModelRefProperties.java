package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties of {@link ModelRef#parse}: what it accepts, what it gives back, what it refuses. */
class ModelRefProperties {

  @Property
  void theCanonicalTextOfAReferenceParsesBackToIt(@ForAll("refs") ModelRef ref) {
    assertThat(ModelRef.parse(ref.toString())).isEqualTo(ref);
  }

  @Property
  void parsingIsIdempotentThroughTheCanonicalText(@ForAll("texts") String text) {
    ModelRef ref;
    try {
      ref = ModelRef.parse(text);
    } catch (InvalidInputException e) {
      return;
    }
    assertThat(ModelRef.parse(ref.toString())).isEqualTo(ref);
  }

  @Property
  void aNameAloneIsTheLatest(@ForAll("names") String name) {
    ModelRef ref = ModelRef.parse(name);

    assertThat(ref.name()).isEqualTo(name);
    assertThat(ref.isLatest()).isTrue();
  }

  @Property
  void aNameAndAVersionNumber(
      @ForAll("names") String name, @ForAll @IntRange(min = 1) int version) {
    assertThat(ModelRef.parse(name + "/" + version)).isEqualTo(ModelRef.ofVersion(name, version));
    assertThat(ModelRef.parse(name + "@v" + version)).isEqualTo(ModelRef.ofVersion(name, version));
  }

  @Property
  void aNameAndAnAlias(@ForAll("names") String name, @ForAll("aliases") String alias) {
    ModelRef ref = ModelRef.parse(name + "@" + alias);

    assertThat(ref.name()).isEqualTo(name);
    assertThat(ref.alias()).isEqualTo(alias);
    assertThat(ref.version()).isNull();
  }

  @Property
  void versionNumbersBelowOneOrWithLeadingZerosAreRefused(
      @ForAll("names") String name, @ForAll @IntRange(min = -1000, max = 0) int version) {
    assertRefused(name + "/" + version);
    assertRefused(name + "/0" + Math.abs(version));
  }

  @Property
  void anythingThatParsesFitsTheGrammar(@ForAll("texts") String text) {
    try {
      ModelRef.parse(text);
    } catch (InvalidInputException e) {
      assertThat(e.field()).isEqualTo("model");
      return;
    }
    assertThat(text).matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}([@/][A-Za-z0-9_-]{1,64})?");
  }

  @Property
  void aCharacterOutsideTheGrammarIsRefusedAnywhere(
      @ForAll("refs") ModelRef ref,
      @ForAll("foreign") char c,
      @ForAll @IntRange(min = 0, max = 300) int at) {
    String text = ref.toString();
    int position = Math.min(at, text.length());
    assertRefused(text.substring(0, position) + c + text.substring(position));
  }

  @Property
  void twoSeparatorsAreRefused(
      @ForAll("names") String name,
      @ForAll("aliases") String alias,
      @ForAll @IntRange(min = 1) int version) {
    assertRefused(name + "@" + alias + "/" + version);
    assertRefused(name + "/" + version + "@" + alias);
    assertRefused(name + "@" + alias + "@" + alias);
  }

  @Property
  void reservedAliasesInOtherLetterCasesAreRefused(
      @ForAll("names") String name, @ForAll @IntRange(min = 0) int version) {
    assertRefused(name + "@LATEST");
    assertRefused(name + "@V" + version);
  }

  private static void assertRefused(String text) {
    assertThatThrownBy(() -> ModelRef.parse(text))
        .as(text)
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"));
  }

  // ------------------------------------------------------------------ generators

  @Provide
  Arbitrary<String> names() {
    Arbitrary<Character> first =
        Arbitraries.chars().range('a', 'z').range('A', 'Z').range('0', '9');
    Arbitrary<String> rest =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withCharRange('A', 'Z')
            .withCharRange('0', '9')
            .withChars('_', '.', '-')
            .ofMaxLength(127);
    return Combinators.combine(first, rest).as((f, r) -> f + r);
  }

  @Provide
  Arbitrary<String> aliases() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('A', 'Z')
        .withCharRange('0', '9')
        .withChars('_', '-')
        .ofMinLength(1)
        .ofMaxLength(64)
        .filter(a -> !RegistryChecks.isReservedAlias(a));
  }

  @Provide
  Arbitrary<ModelRef> refs() {
    Arbitrary<ModelRef> latest = names().map(ModelRef::ofLatest);
    Arbitrary<ModelRef> aliased = Combinators.combine(names(), aliases()).as(ModelRef::ofAlias);
    Arbitrary<ModelRef> numbered =
        Combinators.combine(names(), Arbitraries.integers().greaterOrEqual(1))
            .as(ModelRef::ofVersion);
    return Arbitraries.oneOf(latest, aliased, numbered);
  }

  /** Mostly near-valid text: valid pieces, separators and a few odd characters. */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> pieces =
        Arbitraries.oneOf(
            names(),
            aliases(),
            Arbitraries.of("@", "/", "@latest", "@v", "/0", "/01", "latest", " ", "", "é", ".."),
            Arbitraries.integers().between(-5, 100).map(String::valueOf));
    return pieces.list().ofMaxSize(4).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<Character> foreign() {
    return Arbitraries.chars().filter(c -> !(Character.toString(c).matches("[A-Za-z0-9_.@/-]")));
  }
}

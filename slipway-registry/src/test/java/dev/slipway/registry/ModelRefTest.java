package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelRefTest {

  @Test
  void aNameAloneMeansTheLatestVersion() {
    ModelRef ref = ModelRef.parse("fraud");

    assertThat(ref).isEqualTo(ModelRef.ofLatest("fraud"));
    assertThat(ref.isLatest()).isTrue();
    assertThat(ref.alias()).isNull();
    assertThat(ref.version()).isNull();
    assertThat(ref).hasToString("fraud");
  }

  @Test
  void anAtSignIntroducesAnAlias() {
    ModelRef ref = ModelRef.parse("fraud@champion");

    assertThat(ref).isEqualTo(new ModelRef("fraud", "champion", null));
    assertThat(ref.isLatest()).isFalse();
    assertThat(ref).hasToString("fraud@champion");
  }

  @Test
  void aSlashIntroducesAVersionNumber() {
    ModelRef ref = ModelRef.parse("fraud-model_v2.onnx/3");

    assertThat(ref).isEqualTo(ModelRef.ofVersion("fraud-model_v2.onnx", 3));
    assertThat(ref).hasToString("fraud-model_v2.onnx/3");
    assertThat(ModelRef.parse("m/2147483647").version()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void theReservedAliasesMeanTheLatestAndANumberedVersion() {
    assertThat(ModelRef.parse("m@latest")).isEqualTo(ModelRef.ofLatest("m"));
    assertThat(ModelRef.parse("m@v12")).isEqualTo(ModelRef.ofVersion("m", 12));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "m ",
        "@alias",
        "/3",
        "m@",
        "m/",
        "m/0",
        "m/-1",
        "m/+1",
        "m/03",
        "m/2147483648",
        "m/99999999999",
        "m/1.0",
        "m/x",
        "m@a@b",
        "m@a/1",
        "m/1@a",
        "m//1",
        "m@has space",
        "m@a.b",
        "m@LATEST",
        "m@V3",
        "m@v0",
        "m@v03",
        "-m",
        "a/b/c",
        "naïve@x"
      })
  void anythingElseIsRejectedNamingTheModelField(String text) {
    assertThatThrownBy(() -> ModelRef.parse(text))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"))
        .hasMessageContaining("name@alias");
  }

  @Test
  void aMissingReferenceIsRejected() {
    assertThatThrownBy(() -> ModelRef.parse(null))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"));
  }

  @Test
  void theFactoriesCheckTheirParts() {
    for (Runnable bad :
        new Runnable[] {
          () -> ModelRef.ofLatest(null),
          () -> ModelRef.ofLatest("a b"),
          () -> ModelRef.ofAlias("m", "latest"),
          () -> ModelRef.ofAlias("m", "v2"),
          () -> ModelRef.ofAlias("m", ""),
          () -> ModelRef.ofVersion("m", 0),
          () -> new ModelRef("m", "a", 1)
        }) {
      assertThatThrownBy(bad::run)
          .isInstanceOfSatisfying(
              InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"));
    }
  }
}

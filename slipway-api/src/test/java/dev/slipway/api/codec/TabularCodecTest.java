package dev.slipway.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import dev.slipway.api.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TabularCodecTest {
  static final TabularSpec SPEC =
      new TabularSpec(
          "input",
          "output",
          List.of(
              Field.numeric("age", DataType.INT64, 18.0, 70.0, ""),
              Field.categorical("device", List.of("mobile", "desktop"), ""),
              Field.numeric("ctr", DataType.FP64, 0.0, 1.0, "").withNullable(true)),
          List.of(
              TabularSpec.Column.numeric("age", 40, 10),
              TabularSpec.Column.indicator("device", "desktop"),
              TabularSpec.Column.indicator("device", "mobile"),
              TabularSpec.Column.numeric("ctr", 0.1, 0.05)),
          List.of("click", "no_click"),
          "click");
  final TabularCodec codec = new TabularCodec(SPEC);

  @Test
  void standardisesNumbersAndOneHotsCategoriesInColumnOrder() {
    Tensor t =
        codec
            .encode(List.of(Record.of(Map.of("age", 50, "device", "mobile", "ctr", 0.2))))
            .get("input");
    assertThat(t.shape()).containsExactly(1, 4);
    assertThat((float[]) t.data()).containsExactly(1f, 0f, 1f, 2f);
  }

  @Test
  void rowsOfDifferentLayoutsInOneBatchEncodeAsEachAlone() {
    java.util.LinkedHashMap<String, Object> reordered = new java.util.LinkedHashMap<>();
    reordered.put("ctr", 0.3);
    reordered.put("extra", "x");
    reordered.put("device", "desktop");
    reordered.put("age", 30);
    List<Record> rows =
        List.of(
            Record.of(Map.of("age", 50, "device", "mobile", "ctr", 0.2)),
            Record.of(reordered),
            Record.of(Map.of("device", "mobile", "age", 61)),
            Record.of(Map.of("age", 50, "device", "mobile", "ctr", 0.2)));
    float[] all = (float[]) codec.encode(rows).get("input").data();
    for (int i = 0; i < rows.size(); i++) {
      float[] one = (float[]) codec.encode(List.of(rows.get(i))).get("input").data();
      assertThat(java.util.Arrays.copyOfRange(all, i * 4, i * 4 + 4)).containsExactly(one);
    }
  }

  @Test
  void aMissingNullableNumberTakesTheMeanAndAnUnseenCategorySetsNoIndicator() {
    Tensor t =
        codec.encode(List.of(Record.of(Map.of("age", 40, "device", "smart-tv")))).get("input");
    assertThat((float[]) t.data()).containsExactly(0f, 0f, 0f, 0f);
  }

  @Test
  void aMissingRequiredFieldNamesTheRecordAndField() {
    assertThatThrownBy(
            () ->
                codec.encode(
                    List.of(
                        Record.of(Map.of("age", 1, "device", "mobile")),
                        Record.of(Map.of("device", "mobile")))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("records[1].age")
        .hasMessageContaining("missing");
  }

  @Test
  void wrongTypesAreRefusedNamingValueAndExpectation() {
    assertThatThrownBy(
            () -> codec.encode(List.of(Record.of(Map.of("age", "old", "device", "mobile")))))
        .hasMessageContaining("records[0].age")
        .hasMessageContaining("\"old\"")
        .hasMessageContaining("a number");
    assertThatThrownBy(() -> codec.encode(List.of(Record.of(Map.of("age", 3, "device", 7)))))
        .hasMessageContaining("records[0].device")
        .hasMessageContaining("a string");
  }

  @Test
  void decodesProbabilitiesIntoLabelScoreAndProbabilities() {
    Tensor probs =
        new Tensor(
            "output", DataType.FP32, new long[] {2, 2}, new float[] {0.2f, 0.8f, 0.9f, 0.1f});
    Map<String, Tensor> out = codec.decode(Map.of("output", probs), 2);
    assertThat(out.keySet()).containsExactly("label", "score", "probabilities");
    assertThat((String[]) out.get("label").data()).containsExactly("no_click", "click");
    assertThat((float[]) out.get("score").data()).containsExactly(0.2f, 0.9f);
    assertThat(Columns.toPredictions(out, 2).get(1).get("probabilities"))
        .isEqualTo(List.of(0.9f, 0.1f));
  }
}

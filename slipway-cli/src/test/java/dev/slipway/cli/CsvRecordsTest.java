package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Held-out CSV files become records typed as the records API types JSON values. */
class CsvRecordsTest {
  @TempDir Path dir;

  @Test
  void valuesAreTypedAsJsonWouldTypeThem() throws Exception {
    Path csv =
        Files.writeString(
            dir.resolve("d.csv"),
            "hour,ctr,device,ad_size,clicked,note\n14,0.25,mobile,320x50,click,\n-3,1e-3,\"a,b\",7,no_click,x\n");
    List<Record> rows = CsvRecords.read(csv, "--data");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).get("hour")).isEqualTo(14L);
    assertThat(rows.get(0).get("ctr")).isEqualTo(0.25);
    assertThat(rows.get(0).get("device")).isEqualTo("mobile");
    assertThat(rows.get(0).get("ad_size")).isEqualTo("320x50");
    assertThat(rows.get(0).get("note")).isNull();
    assertThat(rows.get(1).get("hour")).isEqualTo(-3L);
    assertThat(rows.get(1).get("ctr")).isEqualTo(0.001);
    assertThat(rows.get(1).get("device")).isEqualTo("a,b");
    assertThat(rows.get(1).get("ad_size")).isEqualTo(7L);
  }

  @Test
  void aMissingFileNamesTheOption() {
    assertThatThrownBy(() -> CsvRecords.read(dir.resolve("nope.csv"), "--data"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("field '--data'")
        .hasMessageContaining("nope.csv");
  }

  @Test
  void outputNumbersKeepFourSignificantDigitsWithoutTrailingZeros() {
    assertThat(Output.number(0.95)).isEqualTo("0.95");
    assertThat(Output.number(0.7858220211161387)).isEqualTo("0.7858");
    assertThat(Output.number(4000.0)).isEqualTo("4000");
    assertThat(Output.number(0.00001234)).isEqualTo("1.234e-05");
    assertThat(Output.number(null)).isEqualTo("-");
  }
}

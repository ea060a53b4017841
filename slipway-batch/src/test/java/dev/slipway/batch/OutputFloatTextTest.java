package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Floats in batch outputs: the shortest text that reads back, the same in CSV and JSON Lines. */
class OutputFloatTextTest {
  @TempDir Path dir;

  // Java 17's Float.toString gives "1.18846831E13": one digit more than needed
  private static final float SCORE = 1.18846831E13f;

  private String written(DataFormat format, Map<String, Object> row) throws Exception {
    Path target = dir.resolve("out." + format.name());
    try (TextSink sink =
        new TextSink(dir.resolve(format.name() + ".part"), target, format, null, null)) {
      sink.write(row);
      sink.publish();
    }
    return Files.readString(target);
  }

  @Test
  void aFloatIsWrittenAsItsShortestTextInCsvAndJsonLinesAlike() throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("row", 1L);
    row.put("score", SCORE);
    row.put("probabilities", List.of(SCORE, 0.5f));
    assertThat(written(DataFormat.CSV, row))
        .isEqualTo("row,score,probabilities_0,probabilities_1\n1,1.1884683E13,1.1884683E13,0.5\n");
    assertThat(written(DataFormat.JSONL, row))
        .isEqualTo("{\"row\":1,\"score\":1.1884683E13,\"probabilities\":[1.1884683E13,0.5]}\n");
    assertThat(Float.parseFloat("1.1884683E13")).isEqualTo(SCORE);
  }

  private static String text(TextSink.Encoded e) {
    return new String(e.bytes(), 0, e.length(), StandardCharsets.UTF_8);
  }

  @Test
  void theChunkEncoderWritesTheSameText() throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("row", 1L);
    row.put("score", SCORE);
    assertThat(text(TextSink.encode(DataFormat.JSONL, List.of(row))))
        .isEqualTo("{\"row\":1,\"score\":1.1884683E13}\n");
    assertThat(text(TextSink.encode(DataFormat.CSV, List.of(row)))).isEqualTo("1,1.1884683E13\n");
  }
}

package dev.slipway.batch;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One CSV line (with its newline) from a list of cell values, by Jackson's CSV writer, with one
 * writer kept per line width. The engine's sinks and the Spark runner's output write their lines
 * here, so both files have the same bytes. Floats and doubles are written as the shortest decimal
 * that reads back to the same value (Jackson's Schubfach writer, as Java 19+ prints them). Not
 * thread-safe (one per sink or partition).
 */
public final class CsvLines {
  /** The CSV mapper of batch outputs: shortest round-tripping float and double text. */
  static final CsvMapper CSV =
      CsvMapper.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

  private final Map<Integer, ObjectWriter> writers = new HashMap<>();

  /** The line of these values. */
  public byte[] line(List<?> values) throws IOException {
    return writers
        .computeIfAbsent(
            values.size(),
            n -> {
              CsvSchema.Builder b = CsvSchema.builder();
              for (int i = 0; i < n; i++) {
                b.addColumn("c" + i);
              }
              return CSV.writer(b.build().withoutHeader());
            })
        .writeValueAsBytes(values);
  }
}

package dev.slipway.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The JSON text of one output row, as the engine's JSON Lines sinks and the Spark runner's output
 * write it: floats and doubles as the shortest decimal that reads back to the same value, the same
 * text as the CSV outputs ({@link CsvLines}). Thread-safe (Jackson's writers are).
 */
public final class JsonLine {
  private static final ObjectWriter JSON =
      JsonMapper.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build().writer();

  private JsonLine() {}

  /** The JSON of a value (a map or a tree of the row), without the newline. */
  public static byte[] of(Object row) throws JsonProcessingException {
    return JSON.writeValueAsBytes(row);
  }
}

package dev.slipway.batch;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a job's scored or rejected rows go. Rows are written between checkpoints; {@link
 * #prepare()} makes them durable (or, for a table, ready to commit with the checkpoint), and {@link
 * #publish()} puts the finished output under its final name. Not thread-safe: the engine writes
 * from one thread.
 */
interface RowSink extends AutoCloseable {

  /** Appends a row: column name to value (a list value is one column per element in flat sinks). */
  void write(Map<String, Object> row) throws IOException;

  /** Makes every row written so far durable; returns the state to keep in the checkpoint. */
  SinkState prepare() throws IOException;

  /** Puts the complete output under its final name. Called once, after the last prepare. */
  void publish() throws IOException;

  /** Releases resources; what is not prepared is dropped on resume. Never throws. */
  @Override
  void close();

  /** A row with list values spread over {@code name_0}, {@code name_1}, … columns. */
  static Map<String, Object> flatten(Map<String, Object> row) {
    boolean flat = true;
    for (Object v : row.values()) {
      if (v instanceof List<?>) {
        flat = false;
        break;
      }
    }
    if (flat) {
      return row;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : row.entrySet()) {
      if (e.getValue() instanceof List<?>) {
        List<?> list = (List<?>) e.getValue();
        for (int j = 0; j < list.size(); j++) {
          out.put(e.getKey() + "_" + j, list.get(j));
        }
      } else {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }
}

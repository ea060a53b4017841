package dev.slipway.spark;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Prediction;
import dev.slipway.batch.BatchEngine;
import dev.slipway.batch.CsvLines;
import dev.slipway.batch.DataFormat;
import dev.slipway.batch.JsonLine;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes scored and rejected rows byte for byte as {@link BatchEngine} writes them (same columns,
 * same Jackson writers): a scored row is the key, the model's outputs (a list output as one CSV
 * column per element), {@code model_version} and {@code scored_at}; a rejected row is {@code key},
 * {@code row}, {@code field} and {@code reason}. A CSV part file starts with its header. Not
 * thread-safe (one per partition).
 */
final class OutputRows {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The rejects file's CSV header. */
  static final List<String> REJECT_COLUMNS = List.of("key", "row", "field", "reason");

  private final DataFormat format;
  private final String keyName;
  private final int version;
  private final CsvLines csvLines = new CsvLines();
  private List<String> columns;

  OutputRows(DataFormat format, String keyColumn, int version) {
    this.format = format;
    this.keyName = keyColumn == null ? BatchEngine.ROW : keyColumn;
    this.version = version;
  }

  /** Writes the rejects header, when the format has one. */
  void rejectsHeader(OutputStream rej) throws IOException {
    if (format == DataFormat.CSV) {
      rej.write(csvLine(REJECT_COLUMNS));
    }
  }

  void scored(OutputStream out, Object key, Prediction p, String at) throws IOException {
    if (format == DataFormat.JSONL) {
      ObjectNode o = NODES.objectNode();
      o.putPOJO(keyName, key);
      p.values().forEach(o::putPOJO);
      o.put("model_version", version);
      o.put("scored_at", at);
      out.write(JsonLine.of(o));
      out.write('\n');
      return;
    }
    List<String> cols = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    cols.add(keyName);
    values.add(key);
    for (Map.Entry<String, Object> e : p.values().entrySet()) {
      if (e.getValue() instanceof List<?> list) {
        for (int j = 0; j < list.size(); j++) {
          cols.add(e.getKey() + "_" + j);
          values.add(list.get(j));
        }
      } else {
        cols.add(e.getKey());
        values.add(e.getValue());
      }
    }
    cols.add("model_version");
    values.add(version);
    cols.add("scored_at");
    values.add(at);
    if (columns == null) {
      columns = List.copyOf(cols);
      out.write(csvLine(new ArrayList<>(columns)));
    } else if (!columns.equals(cols)) {
      throw new IllegalStateException(
          "the model answered columns " + cols + " after " + columns + "; cannot write one CSV");
    }
    out.write(csvLine(values));
  }

  void rejected(OutputStream rej, Object key, long rowNo, InvalidInputException e)
      throws IOException {
    String field = e.field();
    if (field.startsWith("records[0]")) {
      field = field.substring("records[0]".length());
      field = field.startsWith(".") ? field.substring(1) : field;
    }
    if (format == DataFormat.JSONL) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("key", key);
      o.put("row", rowNo);
      o.put("field", field);
      o.put("reason", e.getMessage());
      rej.write(JsonLine.of(o));
      rej.write('\n');
    } else {
      rej.write(csvLine(List.of(key == null ? "" : key, rowNo, field, e.getMessage())));
    }
  }

  private byte[] csvLine(List<?> values) throws IOException {
    return csvLines.line(values);
  }
}

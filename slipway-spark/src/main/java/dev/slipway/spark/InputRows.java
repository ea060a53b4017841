package dev.slipway.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import dev.slipway.batch.DataFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one input line into a row typed as the embedded engine types it: CSV cells through {@link
 * DataFormat#csvCell} (the engine's own code), JSON values as the records API reads them. A JSON
 * Lines line that is not an object comes back as a row with the engine's error; a CSV line that
 * cannot be parsed stops the job, as it stops the engine. Not thread-safe (one per partition).
 */
final class InputRows {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CsvMapper CSV = new CsvMapper();

  /** One input row: a record, or the reason it could not be read. */
  record Row(long rowNo, Record record, InvalidInputException error) {}

  private final String file;
  private final DataFormat format;
  private final ObjectReader csvRow;

  InputRows(String file, DataFormat format, List<String> header) {
    this.file = file;
    this.format = format;
    if (format == DataFormat.CSV) {
      CsvSchema.Builder b = CsvSchema.builder();
      for (String c : header) {
        b.addColumn(c);
      }
      csvRow = CSV.readerForMapOf(String.class).with(b.build().withoutHeader());
    } else {
      csvRow = null;
    }
  }

  /**
   * The column names of a CSV header line as the engine reads them (trimmed), untrimmed.
   *
   * @throws InvalidInputException when the line is not a CSV header
   */
  static List<String> csvHeader(String file, String line) {
    try {
      String[] cells = CSV.readerFor(String[].class).readValue(line);
      if (cells == null || cells.length == 0) {
        throw new IOException("no header row");
      }
      return List.of(cells);
    } catch (IOException | RuntimeException e) {
      throw InvalidInputException.of(
          "input", file, "CSV (with a header row) (" + firstLine(e.getMessage()) + ")");
    }
  }

  /** The trimmed names, as the engine checks them against the model's schema. */
  static List<String> trimmed(List<String> header) {
    List<String> out = new ArrayList<>(header.size());
    for (String c : header) {
      out.add(c.trim());
    }
    return out;
  }

  /**
   * Reads one line.
   *
   * @param rowNo the row's number from 1
   */
  Row read(String line, long rowNo) {
    return format == DataFormat.CSV ? csv(line, rowNo) : json(line, rowNo);
  }

  private Row csv(String line, long rowNo) {
    Map<String, String> cells;
    try {
      cells = csvRow.readValue(line);
    } catch (IOException | RuntimeException e) {
      throw InvalidInputException.of(
          "input",
          file + " line " + (rowNo + 1),
          "CSV (" + firstLine(e.getMessage()) + "); the output so far is left unfinished");
    }
    Map<String, Object> values = new LinkedHashMap<>();
    cells.forEach((k, v) -> values.put(k.trim(), DataFormat.csvCell(v)));
    return new Row(rowNo, Record.of(values), null);
  }

  /** As the engine's JSON Lines reader, line for line (its messages included). */
  private Row json(String text, long rowNo) {
    JsonNode row;
    try {
      row = JSON.readTree(text);
    } catch (IOException e) {
      return new Row(
          rowNo,
          null,
          InvalidInputException.of(
              "records[0]",
              text,
              "an object of feature values (" + firstLine(e.getMessage()) + ")"));
    }
    if (!row.isObject()) {
      return new Row(
          rowNo, null, InvalidInputException.of("records[0]", text, "an object of feature values"));
    }
    try {
      return new Row(rowNo, DataFormat.jsonRecord(row), null);
    } catch (InvalidInputException e) {
      return new Row(rowNo, null, e);
    }
  }

  /**
   * Checks that the first line of a JSON Lines file is JSON, as the engine does before the job
   * starts.
   *
   * @throws InvalidInputException when it is not
   */
  static void checkFirstJsonLine(String file, String line) {
    try {
      JSON.readTree(line);
    } catch (IOException e) {
      throw InvalidInputException.of(
          "input", file, "JSON Lines (one object per line) (" + firstLine(e.getMessage()) + ")");
    }
  }

  static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}

package dev.slipway.cli;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a CSV file with a header row into records, typing each value as the records API would read
 * it from JSON: whole numbers as {@code Long}, other numbers as {@code Double}, an empty cell as
 * null, anything else as text. Stateless.
 */
final class CsvRecords {
  private static final Pattern WHOLE = Pattern.compile("-?[0-9]{1,18}");
  private static final Pattern DECIMAL =
      Pattern.compile("-?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?");

  private CsvRecords() {}

  /**
   * @param option the option that named the file, for error messages
   * @throws InvalidInputException naming the option when the file cannot be read as CSV
   */
  static List<Record> read(Path file, String option) {
    if (!Files.isRegularFile(file)) {
      throw InvalidInputException.of(option, file.toString(), "a CSV file with a header row");
    }
    List<Record> out = new ArrayList<>();
    try (MappingIterator<Map<String, String>> rows =
        new CsvMapper()
            .readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader())
            .readValues(file.toFile())) {
      while (rows.hasNext()) {
        Map<String, Object> values = new LinkedHashMap<>();
        rows.next().forEach((k, v) -> values.put(k.trim(), value(v)));
        out.add(Record.of(values));
      }
    } catch (IOException | RuntimeException e) {
      throw InvalidInputException.of(
          option,
          file.toString(),
          "a CSV file with a header row ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage()))
              + ")");
    }
    return out;
  }

  static Object value(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (WHOLE.matcher(text).matches()) {
      return Long.parseLong(text);
    }
    if (DECIMAL.matcher(text).matches()) {
      return Double.parseDouble(text);
    }
    return text;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}

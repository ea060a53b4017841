package dev.slipway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** Text tables and JSON for the commands' output. Stateless. */
final class Output {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Output() {}

  /** Prints a value (maps, lists, Jackson nodes) as indented JSON. */
  static void json(PrintWriter out, Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Prints rows under a header, each column as wide as its widest cell, two spaces apart. */
  static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
    table(out, "", header, rows);
  }

  /** As {@link #table(PrintWriter, List, List)}, each line starting with {@code indent}. */
  static void table(PrintWriter out, String indent, List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder(indent);
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          line.append("  ");
        }
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(width[i] - row.get(i).length()));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** {@code a=1 b=0.8123}: numbers to four significant digits, whole numbers without decimals. */
  static String numbers(Map<String, Double> numbers) {
    StringJoiner j = new StringJoiner(" ");
    numbers.forEach((k, v) -> j.add(k + "=" + number(v)));
    return j.length() == 0 ? "-" : j.toString();
  }

  static String number(Double v) {
    if (v == null) {
      return "-";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString(v.longValue());
    }
    double abs = Math.abs(v);
    if (Double.isNaN(v) || Double.isInfinite(v) || abs < 1e-4 || abs >= 1e7) {
      return String.format(Locale.ROOT, "%.4g", v);
    }
    // Four significant digits without trailing zeros: 0.95, not 0.9500.
    return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** {@code k=v, k2=v2}, or {@code -} when empty. */
  static String pairs(Map<String, ?> map) {
    StringJoiner j = new StringJoiner(", ");
    map.forEach((k, v) -> j.add(k + "=" + v));
    return j.length() == 0 ? "-" : j.toString();
  }

  /** An ISO-8601 instant to the second, as a table shows it. */
  static String instant(String iso) {
    try {
      return Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (DateTimeParseException e) {
      return iso;
    }
  }

  static String orDash(Object value) {
    return value == null || value.toString().isEmpty() ? "-" : value.toString();
  }
}

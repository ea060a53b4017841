package dev.slipway.batch;

import dev.slipway.api.InvalidInputException;
import java.nio.file.Path;
import java.util.Locale;

/** The file formats a batch job reads and writes. */
public enum DataFormat {
  /** Comma-separated values with a header row. */
  CSV,
  /** One JSON object per line. */
  JSONL,
  /**
   * Apache Parquet: typed columns. Read from a file or a directory of {@code .parquet} parts;
   * written as a directory of parts (see {@link BatchEngine}).
   */
  PARQUET;

  /**
   * The format named by a file's extension: {@code .csv}, or {@code .jsonl}/{@code .ndjson}.
   *
   * @param option the option that named the file, for the error message
   * @throws InvalidInputException when the extension names neither
   */
  public static DataFormat of(Path file, String option) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".csv")) {
      return CSV;
    }
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
      return JSONL;
    }
    if (n.endsWith(".parquet")) {
      return PARQUET;
    }
    throw InvalidInputException.of(
        option,
        file.toString(),
        "a file ending in .csv, .jsonl, .ndjson or .parquet (or give --format)");
  }

  /** Parses {@code csv}, {@code jsonl} or {@code parquet}, any case. */
  public static DataFormat parse(String name, String option) {
    for (DataFormat f : values()) {
      if (f.name().equalsIgnoreCase(name)) {
        return f;
      }
    }
    throw InvalidInputException.of(option, name, "csv, jsonl or parquet");
  }

  /**
   * A CSV cell typed as the batch engine (and the records API) types it: a whole number of up to 18
   * digits as {@code Long}, another number as {@code Double}, an empty cell as null, anything else
   * as its text. Other runners (Spark) call this so that their typing is this very code.
   */
  public static Object csvCell(String text) {
    return RowSource.csvValue(text);
  }

  /**
   * The batch engine's typing of one JSON Lines object: whole numbers as Long (BigInteger past 64
   * bits), other numbers as Double, strings, booleans and nulls as themselves. Other runners
   * (Spark) call this so that their typing is this very code.
   *
   * @throws InvalidInputException naming the field whose value is an array or an object
   */
  public static dev.slipway.api.Record jsonRecord(com.fasterxml.jackson.databind.JsonNode object) {
    return RowSource.jsonRecord(object);
  }

  /**
   * The same typing for an object that is not the first of its source: a bad field is named under
   * {@code at}, e.g. {@code records[3]} for the fourth record of an online request.
   */
  public static dev.slipway.api.Record jsonRecord(
      com.fasterxml.jackson.databind.JsonNode object, String at) {
    return RowSource.jsonRecord(object, at);
  }
}

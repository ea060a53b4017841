package dev.slipway.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.slipway.api.Record;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The records of a records request body, {@code {"records": [{...}, ...]}}, read straight from its
 * bytes with a streaming parser: no JSON tree and no map per record, typed as {@link
 * DataFormat#jsonRecord} types a record (whole numbers as Long or BigInteger, other numbers as
 * Double, strings, booleans, nulls). Only for the common case: a body that is anything else — a
 * syntax error, a repeated key, a nested value, a missing or non-list {@code records}, trailing
 * content — gives null, and the caller reads it as a tree, whose checks name what is wrong. So a
 * bad body gets exactly the answer it got before, and a good one the same records, faster.
 */
public final class JsonRecords {
  private JsonRecords() {}

  /**
   * The body's records, or null when it is not a well-formed body of plain records.
   *
   * @param json the factory the tree reading uses (same features: NaN literals, duplicate keys)
   */
  public static List<Record> readPlain(JsonFactory json, byte[] body) {
    try (JsonParser p = json.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      List<Record> records = null;
      String name;
      while ((name = p.nextFieldName()) != null) {
        JsonToken t = p.nextToken();
        if (name.equals("records")) {
          if (records != null || t != JsonToken.START_ARRAY) {
            return null;
          }
          records = new ArrayList<>();
          while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            Record r = record(p);
            if (r == null) {
              return null;
            }
            records.add(r);
          }
          if (t != JsonToken.END_ARRAY) {
            return null;
          }
        } else {
          p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
      return records;
    } catch (IOException | RuntimeException e) {
      return null; // the tree reading says what is wrong
    }
  }

  /** The object at the parser's START_OBJECT as a record, or null when a value is not plain. */
  private static Record record(JsonParser p) throws IOException {
    String[] names = new String[8];
    Object[] values = new Object[8];
    int n = 0;
    String name;
    while ((name = p.nextFieldName()) != null) {
      Object v;
      switch (p.nextToken()) {
        case VALUE_NULL -> v = null;
        case VALUE_STRING -> v = p.getText();
        case VALUE_TRUE -> v = Boolean.TRUE;
        case VALUE_FALSE -> v = Boolean.FALSE;
        case VALUE_NUMBER_INT ->
            v =
                p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? (Object) p.getBigIntegerValue()
                    : (Object) p.getLongValue();
        case VALUE_NUMBER_FLOAT -> v = p.getDoubleValue();
        default -> {
          return null; // nested values: the tree reading names the field
        }
      }
      if (n == names.length) {
        names = Arrays.copyOf(names, n * 2);
        values = Arrays.copyOf(values, n * 2);
      }
      names[n] = name;
      values[n] = v;
      n++;
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      return null;
    }
    return Record.of(
        n == names.length ? names : Arrays.copyOf(names, n),
        n == values.length ? values : Arrays.copyOf(values, n));
  }
}

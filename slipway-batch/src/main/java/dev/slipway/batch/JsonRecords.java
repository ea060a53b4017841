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
      // repeated keys are looked for here, without the parser's set per object: a record's by
      // Record.of, the body's among its few keys; a body with other containers goes to the tree
      p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      List<Record> records = null;
      List<String> keys = new ArrayList<>(2);
      Layout layout = new Layout();
      String name;
      while ((name = p.nextFieldName()) != null) {
        if (keys.contains(name)) {
          return null;
        }
        keys.add(name);
        JsonToken t = p.nextToken();
        if (name.equals("records")) {
          if (t != JsonToken.START_ARRAY) {
            return null;
          }
          records = new ArrayList<>();
          while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            Record r = record(p, layout);
            if (r == null) {
              return null;
            }
            records.add(r);
          }
          if (t != JsonToken.END_ARRAY) {
            return null;
          }
        } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          return null; // its repeated keys, if any, are for the tree reading to find
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

  /**
   * The layout of the last record read: the next record with the same names in the same order (the
   * common case, from one client) is made from it, sharing its names and skipping the check for
   * repeated names.
   */
  private static final class Layout {
    Record.Layout last;
  }

  /** The object at the parser's START_OBJECT as a record, or null when a value is not plain. */
  private static Record record(JsonParser p, Layout layout) throws IOException {
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
    Record.Layout l = layout.last;
    if (l == null || !l.hasNames(names, n)) {
      l = Record.Layout.of(Arrays.copyOf(names, n)); // a repeated name throws: the tree reads it
      layout.last = l;
    }
    return l.record(Arrays.copyOf(values, n));
  }
}

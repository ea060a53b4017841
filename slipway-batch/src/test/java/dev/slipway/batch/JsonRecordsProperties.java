package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.slipway.api.Record;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The streaming fast path for records bodies ({@link JsonRecords#readPlain}) gives exactly the
 * records the tree reading gives ({@link DataFormat#jsonRecord} over {@code records}), and gives up
 * (null) on every body the tree reading refuses — for generated bodies that mix plain values with
 * the things that make a body bad.
 */
class JsonRecordsProperties {
  /** The features of the server's body reader. */
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  /** A JSON text and whether it is plain (the fast path must take it). */
  record Piece(String json, boolean plain) {}

  @Provide
  Arbitrary<Piece> values() {
    Arbitrary<Piece> plain =
        Arbitraries.oneOf(
                Arbitraries.longs().map(Object::toString),
                Arbitraries.integers().between(-5, 5).map(Object::toString),
                Arbitraries.of(
                    "123456789012345678901234567890",
                    "-9223372036854775808",
                    "9223372036854775808",
                    "0.1",
                    "-0.0",
                    "1e300",
                    "1E-7",
                    "2.5e3",
                    "NaN",
                    "Infinity",
                    "-Infinity",
                    "true",
                    "false",
                    "null",
                    "\"\"",
                    "\"mobile\"",
                    "\"a\\\"b\\\\c\\u00e9\\n\"",
                    "\"\u65e5\u672c\""),
                Arbitraries.doubles().map(Object::toString).filter(t -> !t.contains("Infinity")),
                Arbitraries.strings().ofMaxLength(12).map(JsonRecordsProperties::quote))
            .map(t -> new Piece(t, true));
    Arbitrary<Piece> bad =
        Arbitraries.of("[1, 2]", "{\"x\": 1}", "[]", "{}", "01", "tru", "\"open", "1.", "+1")
            .map(t -> new Piece(t, false));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(12, plain), net.jqwik.api.Tuple.of(1, bad));
  }

  @Provide
  Arbitrary<Piece> records() {
    Arbitrary<String> names = Arbitraries.of("hour", "device", "user_age", "a", "b", "ü", "x y");
    Arbitrary<Piece> field =
        Combinators.combine(names, values())
            .as((n, v) -> new Piece(quote(n) + ": " + v.json(), v.plain()));
    return field
        .list()
        .ofMaxSize(7)
        .map(
            fs -> {
              List<String> seen = new ArrayList<>();
              boolean plain = true;
              StringBuilder b = new StringBuilder("{");
              for (Piece f : fs) {
                String name = f.json().substring(0, f.json().indexOf("\": ") + 1);
                plain &= f.plain() && !seen.contains(name); // a repeated key is refused
                seen.add(name);
                b.append(b.length() > 1 ? ", " : "").append(f.json());
              }
              return new Piece(b.append('}').toString(), plain);
            });
  }

  @Provide
  Arbitrary<Piece> bodies() {
    Arbitrary<Piece> list =
        records()
            .list()
            .ofMaxSize(5)
            .map(
                rs -> {
                  boolean plain = rs.stream().allMatch(Piece::plain);
                  StringBuilder b = new StringBuilder("[");
                  for (Piece r : rs) {
                    b.append(b.length() > 1 ? "," : "").append(r.json());
                  }
                  return new Piece(b.append(']').toString(), plain);
                });
    Arbitrary<Piece> recordsValue =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(10, list),
            net.jqwik.api.Tuple.of(
                1,
                Arbitraries.of("null", "{}", "[1]", "\"x\"", "[{\"a\": 1}, 2]")
                    .map(t -> new Piece(t, false))));
    Arbitrary<String> extra =
        Arbitraries.of("", "\"id\": \"r-1\", ", "\"meta\": {\"x\": [1, {}]}, ");
    Arbitrary<String> extra2 =
        Arbitraries.of("", "\"tag\": \"x\", ", "\"opts\": {\"y\": [null, 1.5]}, ");
    Arbitrary<String> tail = Arbitraries.of("", "", "", " ", "\n", " x", "}", "{}");
    Arbitrary<Integer> shape = Arbitraries.integers().between(0, 12);
    return Combinators.combine(recordsValue, extra, extra2, tail, shape)
        .as(
            (r, before, after, end, k) -> {
              String body;
              // other keys with nested values go to the tree reading (it looks for repeated keys
              // at any depth); the fast path takes scalar ones
              boolean plain = r.plain() && end.isBlank() && !(before + after).matches(".*[\\[{].*");
              if (k == 0) {
                body = "{" + before + "\"records\": " + r.json() + ", \"records\": []}";
                plain = false;
              } else if (k == 1) {
                body = "[" + r.json() + "]";
                plain = false;
              } else if (k == 2) {
                body = "{" + before + "\"rows\": " + r.json() + "}";
                plain = false;
              } else if (k == 3) {
                body = ("{\"records\": " + r.json() + "}");
                body = body.substring(0, body.length() / 2); // cut short
                plain = false;
              } else {
                String sep = after.isEmpty() ? "" : ", " + after.substring(0, after.length() - 2);
                body = "{" + before + "\"records\": " + r.json() + sep + "}";
              }
              return new Piece(body + end, plain);
            });
  }

  @Property(tries = 3000)
  void theFastPathGivesTheTreesRecordsOrGivesUp(@ForAll("bodies") Piece body) {
    byte[] bytes = body.json().getBytes(StandardCharsets.UTF_8);
    List<Record> fast = JsonRecords.readPlain(JSON.getFactory(), bytes);
    List<Record> tree = treeRecords(bytes);
    if (fast != null) {
      assertThat(tree).as("the tree reading refuses what the fast path took").isNotNull();
      assertThat(fast).isEqualTo(tree);
      assertThat(classes(fast)).isEqualTo(classes(tree)); // Long stays Long, Double Double
    }
    if (body.plain()) {
      assertThat(fast).as("a plain body takes the fast path: " + body.json()).isNotNull();
    }
  }

  static List<String> classes(List<Record> records) {
    List<String> out = new ArrayList<>();
    for (Record r : records) {
      r.asMap().values().forEach(v -> out.add(v == null ? "null" : v.getClass().getName()));
    }
    return out;
  }

  /** The tree reading: the records, or null when it refuses the body. */
  static List<Record> treeRecords(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      JsonNode root = JSON.readTree(p);
      if (p.nextToken() != null || root == null || !root.isObject()) {
        return null;
      }
      JsonNode rows = root.get("records");
      if (rows == null || !rows.isArray()) {
        return null;
      }
      List<Record> out = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        if (!rows.get(i).isObject()) {
          return null;
        }
        out.add(DataFormat.jsonRecord(rows.get(i), "records[" + i + "]"));
      }
      return out;
    } catch (Exception e) {
      return null;
    }
  }

  static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

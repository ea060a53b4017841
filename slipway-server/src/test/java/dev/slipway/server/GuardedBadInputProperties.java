package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.Record;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.train.data.AdClickGenerator;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The guardrails' bad-input requirement, over HTTP: thousands of generated bad records — missing
 * and extra fields, wrong types, extreme values, NaN and infinities, huge strings, nested garbage,
 * malformed bodies — go to the demo model (ad-click, guarded by {@link DemoModel#guardSpec()}: out
 * of range or domain is refused, {@code user_age} is imputed) through the records API and through
 * OIP v2 tensors. Never a 5xx; a 4xx is {@code {"error": "..."}} naming the offending field; a 200
 * only when every defect was answerable (an imputed {@code user_age}, an ignored extra field, a
 * lossless datatype), and then every row says which link answered it.
 *
 * <p>Each defect knows what the server must answer, so the property is exact: a request with a
 * defect that must be refused is a 4xx naming one of the refused fields; a request without one is a
 * 200. The two properties send more than 10,000 bad records between them (checked at the end).
 */
class GuardedBadInputProperties {
  static final String[] FIELDS = {
    "hour", "ad_position", "user_past_ctr", "user_age", "device", "site_category", "ad_size"
  };

  /** Imputed by the demo's guards when missing or odd: never a reason for a 4xx by itself. */
  static final String IMPUTED = "user_age";

  static final Pattern FIELD = Pattern.compile("^field '(.*?)'(?: is missing|: )", Pattern.DOTALL);
  static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();

  static final RandomDistribution UNIFORM = RandomDistribution.uniform();

  static TestServer s;

  /** Rows the served version's profile was computed from: each is within range and domain. */
  static List<Map<String, Object>> bases;

  static final AtomicLong badRecords = new AtomicLong();
  static final AtomicLong badRows = new AtomicLong();

  @BeforeContainer
  static void start() {
    s = new TestServer(c -> c.toBuilder().guard(DemoModel.NAME, DemoModel.guardSpec()).build());
    // TestServer registers seeds 7 and 8; version 2 (seed 8, 4000 rows) serves, with its profile
    bases = new ArrayList<>();
    for (Record r : new AdClickGenerator(8).generate(200)) {
      Map<String, Object> m = new LinkedHashMap<>(r.asMap());
      m.remove(AdClickGenerator.LABEL);
      bases.add(m);
    }
  }

  @AfterContainer
  static void stop() {
    try {
      System.out.printf(
          "bad records sent: %d through the records API, %d rows through OIP%n",
          badRecords.get(), badRows.get());
      assertThat(badRecords.get() + badRows.get())
          .as("bad records sent (records API + OIP rows)")
          .isGreaterThanOrEqualTo(10_000);
      HttpResponse<String> ok =
          s.post(
              "/api/v1/models/ad-click/predict",
              "{\"records\": [" + object(base(0, new ArrayList<>())) + "]}");
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(s.get("/metrics").body())
          .doesNotContain("kind=\"internal\"")
          .doesNotContain("kind=\"model_failure\"");
    } finally {
      s.close();
    }
  }

  // ---------------------------------------------------------------- what the server must answer

  /** The fields a 4xx may name, and whether some defect demands a 4xx. */
  static final class Expect {
    final List<Pattern> names = new ArrayList<>();
    final List<String> mentions = new ArrayList<>();
    boolean mustRefuse;

    /** Set when the body cannot be parsed at all: nothing else in it matters. */
    boolean bodyOnly;

    /** The server must refuse, naming {@code field}. */
    void refuse(String field) {
      refuseMatching(Pattern.quote(field), null);
    }

    /** The server must refuse, naming {@code field}, and the message must mention {@code text}. */
    void refuse(String field, String text) {
      refuseMatching(Pattern.quote(field), text);
    }

    void refuseMatching(String regex, String text) {
      if (bodyOnly) {
        return;
      }
      names.add(Pattern.compile(regex));
      mentions.add(text);
      mustRefuse = true;
    }

    /** Either answered or refused naming {@code regex}. */
    void either(String regex) {
      if (!bodyOnly) {
        names.add(Pattern.compile(regex));
        mentions.add(null);
      }
    }

    /** The body does not parse or is not an object: the error names the body, nothing else. */
    void body(String text) {
      if (!bodyOnly) {
        names.clear();
        mentions.clear();
      }
      bodyOnly = true;
      mustRefuse = true;
      names.add(Pattern.compile(Pattern.quote("body")));
      mentions.add(text);
    }

    /** Only this request-level field is at fault (checked before anything else in the body). */
    void only(String field) {
      if (bodyOnly) {
        return;
      }
      names.clear();
      mentions.clear();
      refuse(field);
    }

    boolean accepts(String field, String message) {
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).matcher(field).matches()
            && (mentions.get(i) == null || message.contains(mentions.get(i)))) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return (mustRefuse ? "a 4xx naming one of " : "a 200, or a 4xx naming one of ")
          + names
          + (mentions.stream().anyMatch(m -> m != null) ? " mentioning " + mentions : "");
    }
  }

  /** Checks one answer against what was expected. */
  static void check(HttpResponse<String> r, Expect expect, String body) {
    int status = r.statusCode();
    // described only when an assertion fails: shortening a large body is not free
    Function<String, Supplier<String>> why =
        detail ->
            () ->
                "request "
                    + shorten(body)
                    + "\nexpected "
                    + expect
                    + "\ngot "
                    + status
                    + " "
                    + detail;
    assertThat(status).as(why.apply(shorten(r.body()))).isLessThan(500);
    Statistics.label("status").collect(status);
    if (status == 200) {
      assertThat(expect.mustRefuse).as(why.apply(shorten(r.body()))).isFalse();
      return;
    }
    assertThat(status).as(why.apply(shorten(r.body()))).isBetween(400, 499);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).contains("json"));
    JsonNode json = TestServer.json(r);
    assertThat(json.isObject() && json.size() == 1 && json.has("error"))
        .as(why.apply(shorten(r.body())))
        .isTrue();
    String message = json.get("error").asText();
    Matcher m = FIELD.matcher(message);
    assertThat(m.find())
        .as(why.apply("an error that names no field: " + shorten(message)))
        .isTrue();
    assertThat(expect.accepts(m.group(1), message))
        .as(why.apply("an error naming '" + m.group(1) + "': " + shorten(message)))
        .isTrue();
  }

  /** Long strings and deep nesting cut short, so that a failing request can be read. */
  static String shorten(String s) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < s.length() && b.length() < 3000) {
      char c = s.charAt(i);
      if (c == '"') {
        int end = i + 1;
        while (end < s.length() && s.charAt(end) != '"') {
          end += s.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(end, s.length() - 1);
        b.append(
            end - i > 60
                ? s.substring(i, i + 40) + "...(" + (end - i) + " chars)\""
                : s.substring(i, end + 1));
        i = end + 1;
      } else if ((c == '[' || c == ']') && s.startsWith(String.valueOf(c).repeat(30), i)) {
        int end = i;
        while (end < s.length() && s.charAt(end) == c) {
          end++;
        }
        b.append(c).append("×").append(end - i);
        i = end;
      } else {
        b.append(c);
        i++;
      }
    }
    return i < s.length() ? b + "... (" + s.length() + " chars)" : b.toString();
  }

  static HttpResponse<String> post(String path, String body) {
    return s.send(
        HttpRequest.newBuilder(URI.create(s.base() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  // ---------------------------------------------------------------------------- raw JSON values

  static String quote(String s) {
    return "\"" + new String(QUOTE.quoteAsString(s)) + "\"";
  }

  static String raw(Object v) {
    return v instanceof String str ? quote(str) : String.valueOf(v);
  }

  static boolean integral(String f) {
    return f.equals("hour") || f.equals("ad_position") || f.equals("user_age");
  }

  static boolean numeric(String f) {
    return integral(f) || f.equals("user_past_ctr");
  }

  static String pick(int variant, String... options) {
    return options[Math.floorMod(variant, options.length)];
  }

  /** A value of the wrong JSON type for the field (never an object or array). */
  static String wrongType(String f, int variant) {
    if (integral(f)) {
      return pick(variant, "\"abc\"", "\"14\"", "\"\"", "true", "false", "14.5", "\"NaN\"", "0.1");
    }
    if (numeric(f)) {
      return pick(variant, "\"abc\"", "\"0.1\"", "\"\"", "true", "false", "\"Infinity\"");
    }
    return pick(variant, "1", "0.5", "true", "false", "-7", "1e400", "NaN");
  }

  /**
   * Objects and arrays where a scalar belongs; {@code deep} nests far beyond any parser's limit.
   */
  static String nested(int variant, boolean allowDeep) {
    int v = Math.floorMod(variant, 12);
    return switch (v) {
      case 0 -> allowDeep ? "[".repeat(3000) + "]".repeat(3000) : "[[[[[[1]]]]]]";
      case 1 -> "{}";
      case 2 -> "[]";
      case 3 -> "{\"a\": [1, {\"b\": null}], \"c\": {\"d\": NaN}}";
      case 4 -> "[1, 2, 3]";
      case 5 -> "[\"mobile\"]";
      case 6 -> "{\"value\": 14}";
      case 7 -> "[[], [[]], {\"\": []}]";
      case 8 -> "[null]";
      case 9 -> "{\"hour\": {\"hour\": {\"hour\": 1}}}";
      case 10 -> "[" + quote("x".repeat(5000)) + "]";
      default -> "[" + "{\"k\":".repeat(50) + "1" + "}".repeat(50) + "]";
    };
  }

  /** A number far outside the field's range or beyond what its type holds. */
  static String extreme(String f, int variant) {
    if (integral(f)) {
      return pick(
          variant,
          "1e308",
          "-1e308",
          "9223372036854775807",
          "-9223372036854775808",
          "123456789012345678901234567890",
          "-123456789012345678901234567890",
          "1e400",
          "-1e400",
          "1e20",
          "4.9e-324",
          "99999999");
    }
    if (numeric(f)) {
      return pick(
          variant,
          "1e308",
          "-1e308",
          "9223372036854775807",
          "-9223372036854775808",
          "123456789012345678901234567890",
          "1e400",
          "-1e400",
          "-4.9e-324",
          "1e20",
          "99999999");
    }
    return pick(variant, "1e308", "9223372036854775807", "123456789012345678901234567890");
  }

  static String nonFinite(int variant) {
    return pick(variant, "NaN", "Infinity", "-Infinity");
  }

  /** 10,001 to ~60,000 characters, escapes and characters outside the BMP included. */
  static String huge(int variant) {
    String unit = pick(variant, "x", "mobile", "ab\"\\/\u00e9\u4e2d\ud83d\ude00", "0", " ");
    int length = 10_001 + Math.floorMod(variant, 50) * 1000;
    return quote(unit.repeat(length / unit.length() + 1));
  }

  /** Just outside the training data: beyond the range or not in the domain. */
  static String outOfRange(String f, int variant) {
    return switch (f) {
      case "hour" -> pick(variant, "24", "-1", "100", "1000000");
      case "ad_position" -> pick(variant, "0", "6", "-3", "1000");
      case "user_past_ctr" -> pick(variant, "0.5", "1.5", "-0.01", "3");
      case "user_age" -> pick(variant, "0", "5", "150", "400", "-7");
      default -> pick(variant, "\"fridge\"", "\"MOBILE\"", "\"\"", "\" news\"", "\"news\\u0000\"");
    };
  }

  static final String[] EXTRA_NAMES = {
    "extra", "Hour", "user_age_2", "", "ключ", "\ud83d\ude00", "a.b", "records", "x".repeat(300)
  };

  static String extraValue(int variant) {
    return pick(
        variant,
        "1",
        "\"s\"",
        "true",
        "null",
        "NaN",
        "-Infinity",
        "1e400",
        "123456789012345678901234567890",
        huge(variant));
  }

  static String notAnObject(int variant) {
    return pick(variant, "1", "\"x\"", "null", "[]", "[{\"hour\": 1}]", "true", "NaN");
  }

  static List<String[]> base(int index, List<String[]> into) {
    for (Map.Entry<String, Object> e : bases.get(Math.floorMod(index, bases.size())).entrySet()) {
      into.add(new String[] {e.getKey(), raw(e.getValue())});
    }
    return into;
  }

  static String object(List<String[]> entries) {
    StringBuilder b = new StringBuilder("{");
    for (String[] e : entries) {
      if (b.length() > 1) {
        b.append(", ");
      }
      b.append(quote(e[0])).append(": ").append(e[1]);
    }
    return b.append('}').toString();
  }

  // --------------------------------------------------------------------------- the records API

  enum RKind {
    MISSING,
    NULL,
    WRONG_TYPE,
    NESTED,
    EXTREME,
    NON_FINITE,
    HUGE_STRING,
    OUT_OF_RANGE,
    EXTRA,
    EXTRA_NESTED,
    DUPLICATE_KEY,
    NOT_AN_OBJECT
  }

  /** A defect of one record: its kind, the schema field it hits, which variant of the value. */
  record RDefect(RKind kind, int field, int variant) {}

  record BadRecord(int base, List<RDefect> defects) {}

  enum BodyDefect {
    NONE,
    TRUNCATED,
    TRAILING,
    RECORDS_NOT_A_LIST,
    NOT_AN_OBJECT
  }

  record RecordsCase(List<BadRecord> records, BodyDefect body, int cut) {}

  static Arbitrary<RDefect> rDefects(Arbitrary<RKind> kinds, Arbitrary<Integer> fields) {
    return Combinators.combine(kinds, fields, Arbitraries.integers().between(0, 999))
        .as(RDefect::new);
  }

  @Provide
  Arbitrary<RecordsCase> recordsCases() {
    Arbitrary<RKind> anyKind =
        Arbitraries.frequency(
            Tuple.of(10, RKind.MISSING),
            Tuple.of(8, RKind.NULL),
            Tuple.of(10, RKind.WRONG_TYPE),
            Tuple.of(8, RKind.NESTED),
            Tuple.of(10, RKind.EXTREME),
            Tuple.of(8, RKind.NON_FINITE),
            Tuple.of(6, RKind.HUGE_STRING),
            Tuple.of(10, RKind.OUT_OF_RANGE),
            Tuple.of(8, RKind.EXTRA),
            Tuple.of(4, RKind.EXTRA_NESTED),
            Tuple.of(1, RKind.DUPLICATE_KEY),
            Tuple.of(2, RKind.NOT_AN_OBJECT));
    Arbitrary<RDefect> any = rDefects(anyKind, Arbitraries.integers().between(0, 6));
    // defects the guards answer: an odd user_age (imputed) and extra fields (ignored)
    Arbitrary<RDefect> answerable =
        Arbitraries.oneOf(
            rDefects(
                Arbitraries.of(
                    RKind.MISSING,
                    RKind.NULL,
                    RKind.WRONG_TYPE,
                    RKind.EXTREME,
                    RKind.NON_FINITE,
                    RKind.HUGE_STRING,
                    RKind.OUT_OF_RANGE),
                Arbitraries.just(3)),
            rDefects(Arbitraries.just(RKind.EXTRA), Arbitraries.integers().between(0, 6)));
    Arbitrary<Integer> baseRow = Arbitraries.integers().between(0, bases.size() - 1);
    Arbitrary<BadRecord> anyRecord =
        Combinators.combine(baseRow, any.list().ofMinSize(1).ofMaxSize(3)).as(BadRecord::new);
    Arbitrary<BadRecord> answerableRecord =
        Combinators.combine(baseRow, answerable.list().ofMinSize(1).ofMaxSize(2))
            .as(BadRecord::new);
    Arbitrary<List<BadRecord>> records =
        Arbitraries.frequencyOf(
            Tuple.of(3, anyRecord.list().ofMinSize(1).ofMaxSize(5).withSizeDistribution(UNIFORM)),
            Tuple.of(
                1,
                answerableRecord.list().ofMinSize(1).ofMaxSize(5).withSizeDistribution(UNIFORM)));
    Arbitrary<BodyDefect> body =
        Arbitraries.frequency(
            Tuple.of(40, BodyDefect.NONE),
            Tuple.of(2, BodyDefect.TRUNCATED),
            Tuple.of(1, BodyDefect.TRAILING),
            Tuple.of(1, BodyDefect.RECORDS_NOT_A_LIST),
            Tuple.of(1, BodyDefect.NOT_AN_OBJECT));
    return Combinators.combine(records, body, Arbitraries.integers().between(0, 1_000_000))
        .as(RecordsCase::new);
  }

  /** Renders a record with its defects, recording what the server must do about them. */
  static String render(int i, BadRecord r, Expect expect) {
    String at = "records[" + i + "]";
    List<String[]> entries = base(r.base(), new ArrayList<>());
    Set<String> touched = new LinkedHashSet<>();
    for (RDefect d : r.defects()) {
      Statistics.label("record defects").collect(d.kind());
      if (d.kind() == RKind.NOT_AN_OBJECT) {
        expect.refuse(at);
        return notAnObject(d.variant());
      }
    }
    for (RDefect d : r.defects()) {
      String f = FIELDS[d.field()];
      String extraName = EXTRA_NAMES[Math.floorMod(d.variant(), EXTRA_NAMES.length)];
      boolean extra = d.kind() == RKind.EXTRA || d.kind() == RKind.EXTRA_NESTED;
      if (!touched.add(extra ? "extra:" + extraName : f)) {
        continue; // one defect per field: the first
      }
      String path = at + "." + (extra ? extraName : f);
      boolean imputed = f.equals(IMPUTED);
      switch (d.kind()) {
        case MISSING -> {
          entries.removeIf(e -> e[0].equals(f));
          if (!imputed) {
            expect.refuse(path);
          }
        }
        case NULL -> {
          set(entries, f, "null");
          if (!imputed) {
            expect.refuse(path);
          }
        }
        case WRONG_TYPE -> {
          set(entries, f, wrongType(f, d.variant()));
          if (!imputed) {
            expect.refuse(path);
          }
        }
        case NESTED -> {
          String v = nested(d.variant(), true);
          set(entries, f, v);
          if (v.length() > 5000 && v.startsWith("[[[[")) {
            expect.body("nesting depth");
          } else {
            expect.refuse(path); // refused while parsing, before the guards: even user_age
          }
        }
        case EXTREME -> {
          set(entries, f, extreme(f, d.variant()));
          if (!imputed) {
            expect.refuse(path);
          }
        }
        case NON_FINITE -> {
          set(entries, f, nonFinite(d.variant()));
          if (!imputed) {
            expect.refuse(path);
          }
        }
        case HUGE_STRING -> {
          set(entries, f, huge(d.variant()));
          if (!imputed) {
            expect.refuse(path);
          }
        }
        case OUT_OF_RANGE -> {
          set(entries, f, outOfRange(f, d.variant()));
          if (!imputed) {
            expect.refuse(path);
          }
        }
        case EXTRA -> entries.add(new String[] {extraName, extraValue(d.variant())});
        case EXTRA_NESTED -> {
          entries.add(new String[] {extraName, nested(d.variant(), false)});
          expect.refuse(path); // a structured value is refused wherever it is
        }
        case DUPLICATE_KEY -> {
          entries.add(new String[] {f, raw(bases.get(0).get(f))});
          expect.body("Duplicate field '" + f + "'");
        }
        default -> throw new IllegalStateException(d.kind().name());
      }
    }
    return object(entries);
  }

  static void set(List<String[]> entries, String key, String value) {
    for (String[] e : entries) {
      if (e[0].equals(key)) {
        e[1] = value;
        return;
      }
    }
    entries.add(new String[] {key, value});
  }

  @Property(tries = 3000, edgeCases = EdgeCasesMode.NONE)
  void recordsApiNeverFailsAndNamesTheField(@ForAll("recordsCases") RecordsCase c) {
    Expect expect = new Expect();
    List<String> rendered = new ArrayList<>();
    for (int i = 0; i < c.records().size(); i++) {
      rendered.add(render(i, c.records().get(i), expect));
    }
    String list = "[" + String.join(", ", rendered) + "]";
    String body = "{\"records\": " + list + "}";
    Statistics.label("body defect").collect(c.body());
    switch (c.body()) {
      case TRUNCATED -> {
        body = body.substring(0, Math.floorMod(c.cut(), body.length() - 1));
        expect.body(null);
      }
      case TRAILING -> {
        body = body + (c.cut() % 2 == 0 ? " {}" : " x");
        expect.body(null);
      }
      case RECORDS_NOT_A_LIST -> {
        body = "{\"records\": " + pick(c.cut(), "{}", "\"x\"", "5", "true", "{\"hour\": 14}") + "}";
        expect = new Expect();
        expect.refuse("records");
      }
      case NOT_AN_OBJECT -> {
        body = list;
        expect.body(null);
      }
      default -> {
        // the records as rendered
      }
    }
    badRecords.addAndGet(c.records().size());
    HttpResponse<String> r = post("/api/v1/models/ad-click/predict", body);
    check(r, expect, body);
    if (r.statusCode() == 200) {
      JsonNode predictions = TestServer.json(r).get("predictions");
      assertThat(predictions.size()).isEqualTo(c.records().size());
      for (JsonNode p : predictions) {
        assertThat(p.path("served_by").asText()).as(r.body()).isIn("ad-click/2", "heuristic");
        assertThat(p.path("score").asDouble(-1)).isBetween(0.0, 1.0);
      }
    }
  }

  // --------------------------------------------------------------------------------- OIP v2

  enum TKind {
    // one element (a row of one input)
    NULL_ELEMENT,
    WRONG_TYPE_ELEMENT,
    NESTED_ELEMENT,
    NON_FINITE_ELEMENT,
    EXTREME_ELEMENT,
    HUGE_STRING_ELEMENT,
    OUT_OF_RANGE_ELEMENT,
    // a whole input tensor
    MISSING_TENSOR,
    EXTRA_TENSOR,
    DUPLICATE_TENSOR,
    DATATYPE,
    SHAPE,
    NESTED_DATA,
    DATA_NOT_A_LIST,
    TENSOR_NOT_AN_OBJECT,
    NAME_NOT_A_STRING,
    BINARY_DATA,
    DUPLICATE_KEY;

    boolean element() {
      return ordinal() <= OUT_OF_RANGE_ELEMENT.ordinal();
    }
  }

  record TDefect(TKind kind, int field, int row, int variant) {}

  enum OipBody {
    NONE,
    TRUNCATED,
    NOT_AN_OBJECT,
    INPUTS_NOT_A_LIST,
    INPUTS_EMPTY,
    INPUTS_MISSING,
    ID_NOT_A_STRING,
    OUTPUTS_NOT_A_LIST,
    OUTPUT_WITHOUT_NAME,
    UNKNOWN_OUTPUT,
    HARMLESS_EXTRAS
  }

  record OipCase(
      List<Integer> bases, boolean column, List<TDefect> defects, OipBody body, int cut) {}

  @Provide
  Arbitrary<OipCase> oipCases() {
    Arbitrary<TKind> kinds =
        Arbitraries.frequency(
            Tuple.of(6, TKind.NULL_ELEMENT),
            Tuple.of(6, TKind.WRONG_TYPE_ELEMENT),
            Tuple.of(5, TKind.NESTED_ELEMENT),
            Tuple.of(6, TKind.NON_FINITE_ELEMENT),
            Tuple.of(8, TKind.EXTREME_ELEMENT),
            Tuple.of(4, TKind.HUGE_STRING_ELEMENT),
            Tuple.of(8, TKind.OUT_OF_RANGE_ELEMENT),
            Tuple.of(4, TKind.MISSING_TENSOR),
            Tuple.of(3, TKind.EXTRA_TENSOR),
            Tuple.of(2, TKind.DUPLICATE_TENSOR),
            Tuple.of(6, TKind.DATATYPE),
            Tuple.of(8, TKind.SHAPE),
            Tuple.of(5, TKind.NESTED_DATA),
            Tuple.of(2, TKind.DATA_NOT_A_LIST),
            Tuple.of(2, TKind.TENSOR_NOT_AN_OBJECT),
            Tuple.of(2, TKind.NAME_NOT_A_STRING),
            Tuple.of(1, TKind.BINARY_DATA),
            Tuple.of(1, TKind.DUPLICATE_KEY));
    Arbitrary<TDefect> any =
        Combinators.combine(
                kinds,
                Arbitraries.integers().between(0, 6),
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 999))
            .as(TDefect::new);
    // defects the guards answer: odd or missing user_age, lossless datatypes, nested data, the
    // other shape of a column
    Arbitrary<TDefect> answerable =
        Arbitraries.oneOf(
            Combinators.combine(
                    Arbitraries.of(
                        TKind.EXTREME_ELEMENT, TKind.OUT_OF_RANGE_ELEMENT, TKind.MISSING_TENSOR),
                    Arbitraries.just(3),
                    Arbitraries.integers().between(0, 4),
                    Arbitraries.of(0, 2, 3))
                .as(TDefect::new),
            tensorDefect(TKind.DATATYPE, Arbitraries.integers().between(7, 11)),
            tensorDefect(TKind.NESTED_DATA, Arbitraries.integers().between(0, 3)),
            tensorDefect(TKind.SHAPE, Arbitraries.just(9)));
    Arbitrary<List<TDefect>> defects =
        Arbitraries.frequencyOf(
            Tuple.of(3, any.list().ofMinSize(1).ofMaxSize(4)),
            Tuple.of(1, answerable.list().ofMinSize(1).ofMaxSize(3)));
    Arbitrary<OipBody> body =
        Arbitraries.frequency(
            Tuple.of(40, OipBody.NONE),
            Tuple.of(2, OipBody.TRUNCATED),
            Tuple.of(1, OipBody.NOT_AN_OBJECT),
            Tuple.of(1, OipBody.INPUTS_NOT_A_LIST),
            Tuple.of(1, OipBody.INPUTS_EMPTY),
            Tuple.of(1, OipBody.INPUTS_MISSING),
            Tuple.of(1, OipBody.ID_NOT_A_STRING),
            Tuple.of(1, OipBody.OUTPUTS_NOT_A_LIST),
            Tuple.of(1, OipBody.OUTPUT_WITHOUT_NAME),
            Tuple.of(1, OipBody.UNKNOWN_OUTPUT),
            Tuple.of(3, OipBody.HARMLESS_EXTRAS));
    return Combinators.combine(
            Arbitraries.integers()
                .between(0, bases.size() - 1)
                .list()
                .ofMinSize(1)
                .ofMaxSize(4)
                .withSizeDistribution(UNIFORM),
            Arbitraries.of(true, false),
            defects,
            body,
            Arbitraries.integers().between(0, 1_000_000))
        .as(OipCase::new);
  }

  static Arbitrary<TDefect> tensorDefect(TKind kind, Arbitrary<Integer> variants) {
    return Combinators.combine(Arbitraries.integers().between(0, 6), variants)
        .as((f, v) -> new TDefect(kind, f, 0, v));
  }

  /** One input tensor as raw JSON parts; a null part is left out. */
  static final class Input {
    final String feature;
    String whole;
    String name;
    String datatype;
    String shape;
    final List<String> data = new ArrayList<>();
    String dataOverride;
    String parameters;
    String duplicateKey;

    Input(String feature) {
      this.feature = feature;
      this.name = quote(feature);
    }

    String render() {
      if (whole != null) {
        return whole;
      }
      List<String[]> parts = new ArrayList<>();
      add(parts, "name", name);
      add(parts, "datatype", datatype);
      add(parts, "shape", shape);
      add(parts, "data", dataOverride != null ? dataOverride : "[" + String.join(", ", data) + "]");
      add(parts, "parameters", parameters);
      if (duplicateKey != null) {
        parts.add(new String[] {duplicateKey, "\"again\""});
      }
      return object(parts);
    }

    static void add(List<String[]> parts, String key, String value) {
      if (value != null) {
        parts.add(new String[] {key, value});
      }
    }
  }

  static String datatypeOf(String f) {
    return integral(f) ? "INT64" : numeric(f) ? "FP64" : "BYTES";
  }

  @Property(tries = 2000, edgeCases = EdgeCasesMode.NONE)
  void oipNeverFailsAndNamesTheField(@ForAll("oipCases") OipCase c) {
    int n = c.bases().size();
    String rowsShape = c.column() ? "[" + n + ", 1]" : "[" + n + "]";
    List<Input> inputs = new ArrayList<>();
    for (String f : FIELDS) {
      Input in = new Input(f);
      in.datatype = quote(datatypeOf(f));
      in.shape = rowsShape;
      for (int b : c.bases()) {
        in.data.add(raw(bases.get(b).get(f)));
      }
      inputs.add(in);
    }
    Set<String> wholeTensor = new LinkedHashSet<>();
    Set<String> touched = new LinkedHashSet<>();
    // what the server must refuse depends on final positions: resolved after all defects
    List<Consumer<Expect>> pending = new ArrayList<>();
    Set<Input> countShifted = new LinkedHashSet<>();
    Set<Integer> badRowSet = new LinkedHashSet<>();
    boolean wholeRequestBad = false;
    Expect expect = new Expect();
    for (TDefect d : c.defects()) {
      Statistics.label("tensor defects").collect(d.kind());
      String f = FIELDS[d.field()];
      Input in = inputs.stream().filter(x -> x.feature.equals(f)).findFirst().orElse(null);
      if (in == null) {
        continue; // removed by an earlier defect
      }
      int row = Math.floorMod(d.row(), n);
      if (d.kind().element()) {
        if (wholeTensor.contains(f) || !touched.add(f + "/" + row)) {
          continue;
        }
        applyElement(d, in, row, inputs, pending, countShifted);
        badRowSet.add(row);
      } else {
        if (!wholeTensor.add(f) || touched.stream().anyMatch(t -> t.startsWith(f + "/"))) {
          continue;
        }
        applyTensor(d, in, inputs, n, pending, expect);
        wholeRequestBad = true;
      }
    }
    for (Consumer<Expect> p : pending) {
      p.accept(expect);
    }
    // extra and duplicate inputs sit anywhere in the list: expectations name the final positions
    String list = "[" + String.join(", ", inputs.stream().map(Input::render).toList()) + "]";
    String body = "{\"inputs\": " + list + "}";
    Statistics.label("body defect").collect(c.body());
    switch (c.body()) {
      case TRUNCATED -> {
        body = body.substring(0, Math.floorMod(c.cut(), body.length() - 1));
        expect.body(null);
      }
      case NOT_AN_OBJECT -> {
        body = list;
        expect.body(null);
      }
      case INPUTS_NOT_A_LIST -> {
        body = "{\"inputs\": " + pick(c.cut(), "{}", "\"x\"", "5", "true") + "}";
        expect = new Expect();
        expect.refuse("inputs");
      }
      case INPUTS_EMPTY -> {
        body = "{\"inputs\": []}";
        expect = new Expect();
        expect.refuse("inputs");
      }
      case INPUTS_MISSING -> {
        body = "{\"id\": \"no inputs\", \"outputs\": [{\"name\": \"score\"}]}";
        expect = new Expect();
        expect.refuse("inputs");
      }
      case ID_NOT_A_STRING -> {
        body =
            "{\"id\": "
                + pick(c.cut(), "5", "{}", "[\"a\"]", "true")
                + ", \"inputs\": "
                + list
                + "}";
        expect.only("id");
      }
      case OUTPUTS_NOT_A_LIST -> {
        body =
            "{\"inputs\": "
                + list
                + ", \"outputs\": "
                + pick(c.cut(), "\"score\"", "{}", "1")
                + "}";
        expect.refuse("outputs");
      }
      case OUTPUT_WITHOUT_NAME -> {
        body =
            "{\"inputs\": "
                + list
                + ", \"outputs\": ["
                + pick(c.cut(), "{\"nam\": \"score\"}", "{\"name\": 1}", "\"score\"", "null")
                + "]}";
        expect.refuse("outputs[0].name");
      }
      case UNKNOWN_OUTPUT -> {
        body = "{\"inputs\": " + list + ", \"outputs\": [{\"name\": \"nope\"}]}";
        expect.refuse("outputs", "nope");
      }
      case HARMLESS_EXTRAS ->
          body =
              "{\"id\": \"r-1\", \"parameters\": {\"x\": [1, {\"y\": null}]}, \"inputs\": "
                  + list
                  + ", \"outputs\": [{\"name\": \"score\"}], \"extra\": {\"deep\": [[[]]]}}";
      default -> {
        // the inputs as rendered
      }
    }
    if (c.body() != OipBody.NONE && c.body() != OipBody.HARMLESS_EXTRAS) {
      wholeRequestBad = true;
    }
    badRows.addAndGet(wholeRequestBad ? n : badRowSet.size());
    HttpResponse<String> r = post("/v2/models/ad-click/infer", body);
    check(r, expect, body);
    if (r.statusCode() == 200) {
      JsonNode json = TestServer.json(r);
      JsonNode servedBy = json.path("parameters").path("served_by");
      assertThat(servedBy.size()).as(r.body()).isEqualTo(n);
      for (JsonNode link : servedBy) {
        assertThat(link.asText()).isIn("ad-click/2", "heuristic");
      }
      assertThat(json.get("outputs").size()).isGreaterThanOrEqualTo(1);
    }
  }

  static String at(List<Input> inputs, Input in) {
    return "inputs[" + inputs.indexOf(in) + "]";
  }

  /** The element's own path, or any element of the input when values moved. */
  static String element(List<Input> inputs, Input in, int row, Set<Input> shifted) {
    String base = Pattern.quote(at(inputs, in) + ".data");
    return shifted.contains(in)
        ? base + "(\\[\\d+\\])?"
        : Pattern.quote(at(inputs, in) + ".data[" + row + "]");
  }

  static void applyElement(
      TDefect d,
      Input in,
      int row,
      List<Input> inputs,
      List<Consumer<Expect>> pending,
      Set<Input> shifted) {
    String f = in.feature;
    boolean imputed = f.equals(IMPUTED);
    String value;
    // guarded: the value parses and the guards check it (user_age is imputed); parsed: refused
    // while reading the tensor, whatever the feature
    boolean guarded;
    switch (d.kind()) {
      case NULL_ELEMENT -> {
        value = "null";
        guarded = false;
      }
      case WRONG_TYPE_ELEMENT -> {
        value =
            numeric(f)
                ? wrongType(f, d.variant())
                : pick(d.variant(), "1", "0.5", "true", "false", "-7");
        guarded = false;
      }
      case NESTED_ELEMENT -> {
        String v = pick(d.variant(), "{\"a\": 1}", "{}", "[1, 2]", "[]");
        value = v;
        guarded = false;
        if (v.startsWith("[")) {
          shifted.add(in);
        }
      }
      case NON_FINITE_ELEMENT -> {
        value = pick(d.variant(), "NaN", "Infinity", "-Infinity", "1e400", "-1e400");
        guarded = false;
      }
      case EXTREME_ELEMENT -> {
        if (integral(f)) {
          String v =
              pick(
                  d.variant(),
                  "9223372036854775807",
                  "-9223372036854775808",
                  "99999999",
                  "-5",
                  "123456789012345678901234567890",
                  "-123456789012345678901234567890",
                  "1e308",
                  "1e20",
                  "4.9e-324",
                  "14.5");
          value = v;
          guarded = !(v.length() > 25 || v.contains("e") || v.contains("."));
        } else if (numeric(f)) {
          value =
              pick(
                  d.variant(),
                  "1e308",
                  "-1e308",
                  "9223372036854775807",
                  "123456789012345678901234567890",
                  "-4.9e-324",
                  "99999999");
          guarded = true;
        } else {
          value = pick(d.variant(), "1e308", "9223372036854775807", "0");
          guarded = false;
        }
      }
      case HUGE_STRING_ELEMENT -> {
        value = huge(d.variant());
        guarded = !numeric(f);
      }
      case OUT_OF_RANGE_ELEMENT -> {
        value = outOfRange(f, d.variant());
        guarded = true;
      }
      default -> throw new IllegalStateException(d.kind().name());
    }
    in.data.set(row, value);
    if (guarded && imputed) {
      return; // imputed
    }
    pending.add(e -> e.refuseMatching(element(inputs, in, row, shifted), null));
  }

  static void applyTensor(
      TDefect d, Input in, List<Input> inputs, int n, List<Consumer<Expect>> pending, Expect now) {
    String f = in.feature;
    int v = d.variant();
    switch (d.kind()) {
      case MISSING_TENSOR -> {
        inputs.remove(in);
        if (!f.equals(IMPUTED)) {
          pending.add(e -> e.refuse("inputs", "'" + f + "'"));
        }
      }
      case EXTRA_TENSOR -> {
        Input extra = new Input("extra");
        extra.name = quote(pick(v, "extra", "Hour", "", "user age", "inputs", "ключ"));
        extra.datatype = quote("INT64");
        extra.shape = in.shape;
        for (int i = 0; i < n; i++) {
          extra.data.add("0");
        }
        inputs.add(Math.floorMod(v, inputs.size() + 1), extra);
        pending.add(e -> e.refuse(at(inputs, extra) + ".name"));
      }
      case DUPLICATE_TENSOR -> {
        Input copy = new Input(f);
        copy.datatype = in.datatype;
        copy.shape = in.shape;
        copy.data.addAll(in.data);
        inputs.add(Math.floorMod(v, inputs.size() + 1), copy);
        pending.add(
            e ->
                e.refuse(
                    "inputs[" + Math.max(inputs.indexOf(in), inputs.indexOf(copy)) + "].name"));
      }
      case DATATYPE -> {
        int kind = Math.floorMod(v, 12);
        switch (kind) {
          case 0, 1, 2, 3, 4 -> {
            in.datatype = kind == 4 ? null : pick(kind, "\"FLOAT\"", "\"\"", "5", "null");
            pending.add(e -> e.refuse(at(inputs, in) + ".datatype"));
          }
          case 5 -> {
            in.datatype = quote("BOOL");
            pending.add(e -> e.refuse(at(inputs, in) + ".data[0]"));
          }
          case 6 -> {
            in.datatype = quote(numeric(f) ? "BYTES" : "INT64");
            pending.add(e -> e.refuse(at(inputs, in) + ".data[0]"));
          }
          default -> {
            // lossless: the model's type in other words, or a type that holds every value
            if (integral(f)) {
              in.datatype = quote(pick(v, "INT32", "int64", " INT16 ", "UINT8", "FP64", "FP32"));
            } else if (numeric(f)) {
              in.datatype = quote(pick(v, "fp64", "FP32"));
              if (in.datatype.contains("FP32")) {
                // FP32 rounds: a value at the edge of the training range may fall outside it
                pending.add(e -> e.either(Pattern.quote(at(inputs, in)) + "\\.data\\[\\d+\\]"));
              }
            } else {
              in.datatype = quote("bytes");
            }
          }
        }
      }
      case SHAPE -> {
        int kind = Math.floorMod(v, 15);
        String self = "";
        switch (kind) {
          case 0 -> {
            in.shape = "[" + n + ", 2]";
            in.data.addAll(new ArrayList<>(in.data));
            self = ".shape";
          }
          case 1 -> {
            in.shape = "[" + (n + 1) + "]";
            self = ".data";
          }
          case 2 -> {
            in.shape = "[-1]";
            self = ".shape[0]";
          }
          case 3, 4, 5 -> {
            in.shape = kind == 5 ? null : pick(kind, "", "", "", "\"3\"", "{}");
            self = ".shape";
          }
          case 6 -> {
            in.shape = "[2147483647]";
            self = ".data";
          }
          case 7 -> {
            in.shape = pick(v, "[1000000000, 1000]", "[65536, 65536]", "[2147483648]");
            self = ".shape";
          }
          case 8 -> {
            in.shape = "[100000000]";
            self = ".data";
          }
          case 9 -> in.shape = in.shape.contains(",") ? "[" + n + "]" : "[" + n + ", 1]";
          case 10 -> {
            in.shape = "[]";
            pending.add(
                e -> e.refuseMatching(Pattern.quote(at(inputs, in)) + "\\.(shape|data)", null));
          }
          case 11 -> {
            in.shape = pick(v, "[1.5]", "[\"2\"]", "[null]");
            self = ".shape[0]";
          }
          case 12, 14 -> {
            // one input with another number of rows than the others: either may be named
            if (kind == 12) {
              in.shape = "[" + (n + 1) + "]";
              in.data.add(in.data.get(0));
            } else {
              in.shape = "[0]";
              in.data.clear();
            }
            pending.add(e -> e.refuseMatching("inputs\\[\\d+\\]\\.shape", null));
          }
          default -> {
            in.shape = "[" + n + ", 1, 1]";
            self = ".shape";
          }
        }
        if (!self.isEmpty()) {
          String field = self;
          pending.add(e -> e.refuse(at(inputs, in) + field));
        }
      }
      case NESTED_DATA -> {
        int kind = Math.floorMod(v, 6);
        List<String> d0 = new ArrayList<>(in.data);
        switch (kind) {
          case 0 -> in.dataOverride = "[" + String.join(", ", wrap(d0, "[", "]")) + "]";
          case 1 -> in.dataOverride = "[" + String.join(", ", wrap(d0, "[[[", "]]]")) + "]";
          case 2 -> {
            // ragged rows: only the number of values counts
            String first = "[" + d0.get(0) + "]";
            String rest = d0.size() > 1 ? ", [" + String.join(", ", d0.subList(1, n)) + "]" : "";
            in.dataOverride = "[" + first + rest + "]";
          }
          case 3 -> in.dataOverride = "[[], " + String.join(", [[]], ", d0) + ", [[[]]]]";
          case 4 -> {
            in.dataOverride = "[" + String.join(", ", d0) + ", [" + d0.get(0) + "]]";
            pending.add(e -> e.refuse(at(inputs, in) + ".data"));
          }
          default -> {
            in.dataOverride =
                "[" + "[".repeat(3000) + d0.get(0) + "]".repeat(3000) + "]"; // beyond any limit
            now.body("nesting depth");
          }
        }
      }
      case DATA_NOT_A_LIST -> {
        int kind = Math.floorMod(v, 6);
        if (kind == 5) {
          in.data.clear();
          in.dataOverride = null;
          // no "data" member at all
          in.whole = object(dropData(in));
        } else {
          in.dataOverride = pick(kind, "5", "\"x\"", "{}", "null", "true");
        }
        pending.add(e -> e.refuse(at(inputs, in) + ".data"));
      }
      case TENSOR_NOT_AN_OBJECT -> {
        in.whole = pick(v, "5", "\"x\"", "[]", "null", "[{\"name\": \"hour\"}]");
        pending.add(e -> e.refuse(at(inputs, in)));
      }
      case NAME_NOT_A_STRING -> {
        in.name = pick(v, "5", "null", null, "[\"" + f + "\"]", "{}");
        pending.add(e -> e.refuse(at(inputs, in) + ".name"));
      }
      case BINARY_DATA -> {
        in.parameters = "{\"binary_data_size\": " + (8 * n) + "}";
        pending.add(e -> e.refuse(at(inputs, in) + ".parameters.binary_data_size"));
      }
      case DUPLICATE_KEY -> {
        in.duplicateKey = pick(v, "name", "datatype", "data", "shape");
        now.body("Duplicate field '" + in.duplicateKey + "'");
      }
      default -> throw new IllegalStateException(d.kind().name());
    }
  }

  static List<String> wrap(List<String> values, String open, String close) {
    return values.stream().map(x -> open + x + close).toList();
  }

  static List<String[]> dropData(Input in) {
    List<String[]> parts = new ArrayList<>();
    Input.add(parts, "name", in.name);
    Input.add(parts, "datatype", in.datatype);
    Input.add(parts, "shape", in.shape);
    return parts;
  }
}

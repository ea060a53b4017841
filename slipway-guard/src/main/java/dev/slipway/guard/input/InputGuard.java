package dev.slipway.guard.input;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.codec.TypedArrays;
import dev.slipway.api.codec.ValueScreen;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.guard.profile.FeatureProfile;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one record against a model's input schema, in this order: every required feature is
 * present → each value has the feature's type (only lossless casts, such as a whole number for a
 * double) → each value lies within the feature's range or domain. What happens to a record that
 * fails a check is the feature's {@link Policy}: reject it, impute the value, or hand the record to
 * the model's heuristic. Fields the schema does not name are ignored.
 *
 * <p>Immutable and thread-safe.
 */
public final class InputGuard {
  /** Strings longer than this are refused for features without a domain. */
  public static final int MAX_STRING_LENGTH = 10_000;

  /** What to do when a feature fails a check. */
  public enum Policy {
    /** Refuse the record: a 400 naming the feature, the value and the expectation. */
    REJECT,
    /** Replace the value with the feature's imputation value and go on. */
    IMPUTE,
    /** Answer the record with the model's heuristic instead of the model. */
    HEURISTIC
  }

  /** The check a value failed. */
  public enum Check {
    PRESENCE,
    TYPE,
    RANGE,
    DOMAIN
  }

  /**
   * How one feature is guarded.
   *
   * @param field the feature's schema entry (type, nullable, range, domain)
   * @param policy what to do when it fails a check
   * @param impute the value to impute, of the feature's type; required for {@link Policy#IMPUTE}
   */
  public record Rule(Field field, Policy policy, Object impute) {
    public Rule {
      if (policy == Policy.IMPUTE && impute == null) {
        throw new IllegalArgumentException(
            "feature '" + field.name() + "' imputes but has no value to impute");
      }
    }
  }

  /**
   * One failed check.
   *
   * @param field the feature
   * @param check the check that failed
   * @param value the value as given (null when absent)
   * @param expected what the check expected
   * @param action what the feature's policy did about it
   */
  public record Finding(String field, Check check, Object value, String expected, Policy action) {}

  /** What became of a record. */
  public enum Outcome {
    /** Every check passed. */
    PASSED,
    /** Some values failed and were imputed; the record goes on with them. */
    IMPUTED,
    /** A feature's policy hands the record to the heuristic. */
    HEURISTIC,
    /** A feature's policy rejects the record. */
    REJECTED
  }

  /**
   * The guard's verdict on a record.
   *
   * @param outcome what became of it
   * @param record the record to go on with (imputed values in place); the input when rejected
   * @param findings every failed check, in schema order; the first decides a rejection
   */
  public record Verdict(Outcome outcome, Record record, List<Finding> findings) {
    /**
     * The error for a rejected record, naming the field (prefixed, e.g. {@code records[3].}), the
     * value and what was expected.
     */
    public InvalidInputException error(String prefix) {
      return error(feature -> prefix + feature);
    }

    /**
     * The error for a rejected record, naming the field by {@code path} (the feature's name to the
     * field as the caller wrote it, e.g. {@code inputs[4].data[2]} for a tensor element).
     */
    public InvalidInputException error(java.util.function.UnaryOperator<String> path) {
      Finding f =
          findings.stream().filter(x -> x.action() == Policy.REJECT).findFirst().orElseThrow();
      if (f.check() == Check.PRESENCE) {
        return InvalidInputException.missing(path.apply(f.field()), f.expected());
      }
      return InvalidInputException.of(path.apply(f.field()), f.value(), f.expected());
    }
  }

  private final List<Rule> rules;
  private final Map<String, Set<String>> domains = new HashMap<>();

  // The rules flattened into arrays for passes(), the per-record fast path: no map lookups but the
  // record's own, no boxing, no allocation.
  private final String[] names;
  private final byte[] kinds;
  private final boolean[] nullable;
  private final double[] mins;
  private final double[] maxs;
  private final Set<?>[] domainOf;
  // where each feature was found in the last record that moved one: records from one source share
  // a layout, so a feature is usually found at its guessed position with one comparison. Replaced
  // (never mutated) when a record moves a feature; a race only costs a lookup.
  private volatile int[] guess;

  private static final byte LONG = 0; // INT64, the value must be a Long
  private static final byte DOUBLE = 1; // FP64, the value must be a Double
  private static final byte STRING = 2; // BYTES, the value must be a String
  private static final byte OTHER = 3; // anything else: passes() leaves it to check()

  public InputGuard(List<Rule> rules) {
    this.rules = List.copyOf(rules);
    for (Rule r : this.rules) {
      if (!r.field().domain().isEmpty()) {
        domains.put(r.field().name(), new HashSet<>(r.field().domain()));
      }
    }
    int n = this.rules.size();
    names = new String[n];
    kinds = new byte[n];
    nullable = new boolean[n];
    mins = new double[n];
    maxs = new double[n];
    domainOf = new Set<?>[n];
    for (int k = 0; k < n; k++) {
      Field f = this.rules.get(k).field();
      names[k] = f.name().intern(); // parsers intern field names: most comparisons are identity
      DataType t = f.type();
      kinds[k] =
          t == DataType.INT64
              ? LONG
              : t == DataType.FP64 ? DOUBLE : t == DataType.BYTES ? STRING : OTHER;
      nullable[k] = f.nullable();
      mins[k] = f.min() == null ? Double.NEGATIVE_INFINITY : f.min();
      maxs[k] = f.max() == null ? Double.POSITIVE_INFINITY : f.max();
      domainOf[k] = domains.get(f.name());
    }
    guess = new int[n];
    for (int k = 0; k < n; k++) {
      guess[k] = k;
    }
  }

  /**
   * A guard for a schema: every feature gets the default policy, except those named in {@code
   * policies}. An imputing feature imputes its median (numbers) or its most frequent value
   * (categories) from the profile.
   *
   * @throws IllegalArgumentException when a feature imputes and the profile has no value for it
   */
  public static InputGuard of(
      Schema schema, DataProfile profile, Policy defaultPolicy, Map<String, Policy> policies) {
    List<Rule> rules = new ArrayList<>();
    for (Field f : schema.fields()) {
      Policy p = policies.getOrDefault(f.name(), defaultPolicy);
      Object impute = p == Policy.IMPUTE ? imputation(f, profile) : null;
      rules.add(new Rule(f, p, impute));
    }
    return new InputGuard(rules);
  }

  /** The median (numbers) or most frequent value (categories) of a feature in a profile. */
  public static Object imputation(Field f, DataProfile profile) {
    FeatureProfile fp =
        profile == null
            ? null
            : profile
                .feature(f.name())
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "feature '" + f.name() + "' imputes but the profile lacks it"));
    if (f.type().isNumeric()) {
      Double median = fp == null ? null : fp.quantile(0.5);
      if (median == null) {
        throw new IllegalArgumentException(
            "feature '" + f.name() + "' imputes its median but the profile has none");
      }
      return f.type().isIntegral() ? (Object) Math.round(median) : (Object) median;
    }
    if (fp == null || fp.frequencies().isEmpty()) {
      throw new IllegalArgumentException(
          "feature '" + f.name() + "' imputes its most frequent value but the profile has none");
    }
    String mode = fp.frequencies().keySet().iterator().next();
    return f.type() == DataType.BOOL ? (Object) Boolean.valueOf(mode) : mode;
  }

  public List<Rule> rules() {
    return rules;
  }

  /**
   * Whether a record passes every check, so that {@link #check} would find nothing: the per-record
   * fast path: each feature is looked for first where the last records had it, and nothing is
   * allocated unless a record moves a feature. False means "check it" (it may still pass).
   */
  public boolean passes(Record record) {
    int[] at = guess;
    int[] moved = null;
    int size = record.size();
    for (int k = 0; k < names.length; k++) {
      String name = names[k];
      int p = at[k];
      Object v;
      if (p < size && sameName(record.nameAt(p), name)) {
        v = record.valueAt(p);
      } else {
        p = record.position(name);
        if (p < 0) {
          v = null;
        } else {
          v = record.valueAt(p);
          if (moved == null) {
            moved = at.clone();
          }
          moved[k] = p;
          guess = moved;
        }
      }
      if (v == null) {
        if (!nullable[k]) {
          return false;
        }
        continue;
      }
      double d;
      switch (kinds[k]) {
        case LONG -> {
          if (!(v instanceof Long l)) {
            return false;
          }
          d = l;
        }
        case DOUBLE -> {
          if (!(v instanceof Double x) || !Double.isFinite(x)) {
            return false;
          }
          d = x;
        }
        case STRING -> {
          if (!(v instanceof String str)) {
            return false;
          }
          Set<?> domain = domainOf[k];
          if (domain == null ? str.length() > MAX_STRING_LENGTH : !domain.contains(str)) {
            return false;
          }
          continue;
        }
        default -> {
          return false;
        }
      }
      if (d < mins[k] || d > maxs[k]) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameName(String a, String b) {
    return a == b || a.equals(b);
  }

  /**
   * The checks of {@link #passes} as a codec's value screen: a record a codec's screened encoding
   * lets through is one {@link #passes} lets through (so {@link #check} finds nothing in it). With
   * a codec whose categories are each feature's domain the two agree exactly.
   */
  public ValueScreen screen() {
    List<ValueScreen.Limit> limits = new ArrayList<>(rules.size());
    for (int k = 0; k < rules.size(); k++) {
      Field f = rules.get(k).field();
      limits.add(
          new ValueScreen.Limit(
              f.name(),
              f.type(),
              f.nullable(),
              mins[k],
              maxs[k],
              domains.get(f.name()),
              MAX_STRING_LENGTH));
    }
    return new ValueScreen(limits);
  }

  /** Checks one record. */
  public Verdict check(Record record) {
    if (passes(record)) {
      return new Verdict(Outcome.PASSED, record, List.of());
    }
    List<Finding> findings = null;
    Map<String, Object> imputed = null;
    Outcome outcome = Outcome.PASSED;
    for (Rule rule : rules) {
      Field f = rule.field();
      Object v = record.get(f.name());
      Check failed = null;
      String expected = null;
      if (v == null) {
        if (!f.nullable()) {
          failed = Check.PRESENCE;
          expected = "a value for feature '" + f.name() + "' (" + describe(f) + ")";
        }
      } else {
        String typeProblem = typeProblem(f.type(), v);
        if (typeProblem != null) {
          failed = Check.TYPE;
          expected = typeProblem;
        } else {
          String rangeProblem = rangeProblem(f, v);
          if (rangeProblem != null) {
            failed = f.domain().isEmpty() ? Check.RANGE : Check.DOMAIN;
            expected = rangeProblem;
          }
        }
      }
      if (failed == null) {
        continue;
      }
      if (findings == null) {
        findings = new ArrayList<>(2);
      }
      findings.add(new Finding(f.name(), failed, v, expected, rule.policy()));
      switch (rule.policy()) {
        case REJECT -> outcome = Outcome.REJECTED;
        case HEURISTIC -> {
          if (outcome != Outcome.REJECTED) {
            outcome = Outcome.HEURISTIC;
          }
        }
        case IMPUTE -> {
          if (outcome == Outcome.PASSED) {
            outcome = Outcome.IMPUTED;
          }
          if (imputed == null) {
            imputed = new LinkedHashMap<>();
          }
          imputed.put(f.name(), rule.impute());
        }
      }
      if (outcome == Outcome.REJECTED) {
        break; // the first rejection is the answer
      }
    }
    if (findings == null) {
      return new Verdict(Outcome.PASSED, record, List.of());
    }
    Record out = outcome == Outcome.IMPUTED ? record.with(imputed) : record;
    return new Verdict(outcome, out, List.copyOf(findings));
  }

  /** Null when the value has the type or converts to it without loss; else what was expected. */
  static String typeProblem(DataType type, Object v) {
    if (type == DataType.BYTES) {
      return v instanceof String ? null : "a string";
    }
    if (type == DataType.BOOL) {
      return v instanceof Boolean ? null : "true or false";
    }
    if (!(v instanceof Number)) {
      return "a " + TypedArrays.describe(type);
    }
    if (v instanceof Double d && !Double.isFinite(d)) {
      return null; // a number; the range check refuses it
    }
    // the common cases need no probe: a long is an INT64, any double is an FP64
    if ((type == DataType.INT64 && v instanceof Long)
        || (type == DataType.FP64 && v instanceof Double)) {
      return null;
    }
    Object probe = TypedArrays.allocate(type, 1);
    return TypedArrays.store(type, probe, 0, v);
  }

  /** Null when within range and domain; else what was expected. */
  String rangeProblem(Field f, Object v) {
    if (f.type().isNumeric()) {
      double d = v instanceof BigInteger b ? b.doubleValue() : ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        return "a finite number" + rangeText(f);
      }
      if ((f.min() != null && d < f.min()) || (f.max() != null && d > f.max())) {
        return "a number" + rangeText(f);
      }
      return null;
    }
    if (f.type() == DataType.BYTES) {
      Set<String> domain = domains.get(f.name());
      if (domain != null) {
        return domain.contains(v) ? null : "one of " + f.domain();
      }
      String s = (String) v;
      return s.length() <= MAX_STRING_LENGTH
          ? null
          : "a string of at most " + MAX_STRING_LENGTH + " characters";
    }
    return null;
  }

  private static String rangeText(Field f) {
    if (f.min() == null && f.max() == null) {
      return "";
    }
    return " in ["
        + (f.min() == null ? "-∞" : plain(f.min()))
        + ", "
        + (f.max() == null ? "∞" : plain(f.max()))
        + "] (the training data's range)";
  }

  private static String plain(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  private static String describe(Field f) {
    if (!f.domain().isEmpty()) {
      return "one of " + f.domain();
    }
    return TypedArrays.describe(f.type()) + rangeText(f);
  }
}

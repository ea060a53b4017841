package dev.slipway.guard.heuristic;

import dev.slipway.api.Record;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An answer without a model, declared per model in configuration (no code): ordered rules over a
 * few features, each giving the output values when all its conditions hold, and an {@code
 * otherwise} answer (a constant such as the base rate). The first rule that matches answers.
 *
 * <p>Immutable and thread-safe.
 *
 * @param rules tried in order
 * @param otherwise the answer when no rule matches; never empty
 */
public record Heuristic(List<Rule> rules, Map<String, Object> otherwise) {

  public Heuristic {
    rules = rules == null ? List.of() : List.copyOf(rules);
    Objects.requireNonNull(otherwise, "otherwise");
    if (otherwise.isEmpty()) {
      throw new IllegalArgumentException("a heuristic needs an 'otherwise' answer");
    }
    otherwise = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(otherwise));
  }

  /** A heuristic that always gives the same answer. */
  public static Heuristic constant(Map<String, Object> answer) {
    return new Heuristic(List.of(), answer);
  }

  /**
   * A rule: when every condition holds, answer {@code then}.
   *
   * @param when the conditions, all of which must hold
   * @param then the output values
   */
  public record Rule(List<Condition> when, Map<String, Object> then) {
    public Rule {
      when = List.copyOf(when);
      then = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(then));
      if (then.isEmpty()) {
        throw new IllegalArgumentException("a heuristic rule needs a 'then' answer");
      }
    }
  }

  /** Comparison operators of a condition. */
  public enum Op {
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">="),
    EQ("=="),
    NE("!="),
    IN("in"),
    MISSING("missing");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    /** The operator written as in configuration ({@code <}, {@code >=}, {@code in}, ...). */
    public static Op parse(String s) {
      for (Op op : values()) {
        if (op.symbol.equals(s)) {
          return op;
        }
      }
      throw new IllegalArgumentException(
          "unknown operator '" + s + "'; one of <, <=, >, >=, ==, !=, in, missing");
    }
  }

  /**
   * A condition on one feature. Numbers compare as numbers, anything else by equality of text; a
   * feature that is absent satisfies only {@code missing}.
   *
   * @param feature the feature
   * @param op the comparison
   * @param value a number, a string, a boolean, or for {@code in} a list; ignored for {@code
   *     missing}
   */
  public record Condition(String feature, Op op, Object value) {
    public Condition {
      Objects.requireNonNull(feature, "feature");
      Objects.requireNonNull(op, "op");
      if (op == Op.IN && !(value instanceof List<?>)) {
        throw new IllegalArgumentException(
            "condition on '" + feature + "': 'in' needs a list of values");
      }
      if ((op == Op.LT || op == Op.LE || op == Op.GT || op == Op.GE)
          && !(value instanceof Number)) {
        throw new IllegalArgumentException(
            "condition on '" + feature + "': '" + op.symbol() + "' needs a number");
      }
      if (op == Op.IN) {
        value = new ArrayList<>((List<?>) value);
      }
    }

    public boolean test(Record r) {
      Object v = r.get(feature);
      if (op == Op.MISSING) {
        return v == null;
      }
      if (v == null) {
        return false;
      }
      return switch (op) {
        case LT -> number(v) != null && number(v) < number(value);
        case LE -> number(v) != null && number(v) <= number(value);
        case GT -> number(v) != null && number(v) > number(value);
        case GE -> number(v) != null && number(v) >= number(value);
        case EQ -> same(v, value);
        case NE -> !same(v, value);
        case IN -> ((List<?>) value).stream().anyMatch(x -> same(v, x));
        case MISSING -> false;
      };
    }

    private static Double number(Object v) {
      if (v instanceof BigInteger b) {
        return b.doubleValue();
      }
      return v instanceof Number n ? n.doubleValue() : null;
    }

    private static boolean same(Object a, Object b) {
      Double x = number(a);
      Double y = number(b);
      if (x != null && y != null) {
        return x.doubleValue() == y.doubleValue();
      }
      return String.valueOf(a).equals(String.valueOf(b));
    }
  }

  /** The answer for a record: the first matching rule's, or {@code otherwise}. */
  public Map<String, Object> answer(Record r) {
    for (Rule rule : rules) {
      if (rule.when().stream().allMatch(c -> c.test(r))) {
        return rule.then();
      }
    }
    return otherwise;
  }

  /** Every output name any answer gives. */
  public java.util.Set<String> outputs() {
    java.util.Set<String> out = new java.util.LinkedHashSet<>(otherwise.keySet());
    rules.forEach(r -> out.addAll(r.then().keySet()));
    return out;
  }
}

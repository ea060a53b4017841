package dev.slipway.runtime.lightgbm;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A LightGBM text model checked in Java before LightGBM parses it.
 *
 * <p>Why: LightGBM's own parser trusts its input. On a truncated or damaged file it reads past the
 * end of the text ({@code Tree::Tree} scans for {@code '='} without a bound; {@code tree_sizes}
 * offsets are not checked) and aborts the whole JVM (SIGSEGV, or {@code std::terminate} for an
 * error thrown inside its OpenMP loop). So this class checks everything the parser and the
 * predictor index by: every tree block is complete (key lines, closing blank line, arrays of the
 * declared lengths), child links form a tree over the declared nodes, split features and
 * categorical indices are in range, and {@code end of trees} follows the last tree. The {@code
 * tree_sizes} line is removed from the text handed to LightGBM so that it parses trees in its
 * sequential loop, whose errors come back as error codes.
 *
 * <p>Immutable.
 */
final class ModelText {
  private static final int MAX_TREE_LINES = 22; // Tree::Tree reads at most this many key lines
  private static final java.util.regex.Pattern OBJECTIVE_CLASSES =
      java.util.regex.Pattern.compile("num_class:(\\S*)");

  /** The text to hand to LightGBM: the file without its {@code tree_sizes} line. */
  final String text;

  /** Number of trees in the file. */
  final int trees;

  /** {@code max_feature_idx + 1}. */
  final int features;

  private ModelText(String text, int trees, int features) {
    this.text = text;
    this.trees = trees;
    this.features = features;
  }

  /** Thrown when the text is not a complete, well-formed LightGBM model. */
  static final class MalformedModelException extends Exception {
    MalformedModelException(String message) {
      super(message);
    }
  }

  /**
   * Checks a model's text.
   *
   * @param raw the file's bytes decoded as ISO-8859-1 (one char per byte, as LightGBM sees them)
   */
  static ModelText check(String raw) throws MalformedModelException {
    if (raw.indexOf('\0') >= 0) {
      throw new MalformedModelException("the file contains NUL bytes: not a text model");
    }
    Lines lines = new Lines(raw);
    String first = lines.next();
    if (!"tree".equals(first)) {
      throw new MalformedModelException("a LightGBM text model starts with the line 'tree'");
    }
    Map<String, String> header = new HashMap<>();
    StringBuilder out = new StringBuilder(raw.length());
    out.append(raw, 0, lines.pos);
    int treesStart = -1;
    while (lines.hasNext()) {
      int start = lines.pos;
      String line = lines.next();
      if (line.startsWith("Tree=")) {
        treesStart = start;
        break;
      }
      int eq = line.indexOf('=');
      if (eq > 0) {
        header.put(line.substring(0, eq), line.substring(eq + 1));
      }
      if (!line.startsWith("tree_sizes")) {
        out.append(raw, start, lines.pos);
      }
    }
    if (treesStart < 0) {
      throw new MalformedModelException("the model has no trees (no 'Tree=' line)");
    }
    int maxFeature = intValue(header, "max_feature_idx", 0, Integer.MAX_VALUE - 1);
    int numClass = intValue(header, "num_class", 1, Integer.MAX_VALUE);
    int perIteration =
        header.containsKey("num_tree_per_iteration")
            ? intValue(header, "num_tree_per_iteration", 1, Integer.MAX_VALUE)
            : numClass;
    // Tree i adds to output i % perIteration, sized by num_class: they must agree, and with the
    // objective's own num_class (which sizes its transform).
    if (perIteration != numClass) {
      throw new MalformedModelException(
          "num_tree_per_iteration " + perIteration + " differs from num_class " + numClass);
    }
    String objective = header.getOrDefault("objective", "");
    java.util.regex.Matcher m = OBJECTIVE_CLASSES.matcher(objective);
    if (m.find() && !m.group(1).equals(String.valueOf(numClass))) {
      throw new MalformedModelException(
          "objective '" + cut(objective) + "' differs from num_class " + numClass);
    }

    // Trees, each "Tree=i" then key=value lines then a blank line, until "end of trees".
    lines.pos = treesStart;
    int trees = 0;
    boolean ended = false;
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.isEmpty()) {
        continue;
      }
      if (line.equals("end of trees")) {
        ended = true;
        break;
      }
      if (!line.startsWith("Tree=")) {
        throw new MalformedModelException(
            "expected 'Tree=' or 'end of trees' after tree "
                + (trees - 1)
                + ", found: "
                + cut(line));
      }
      checkTree(lines, trees, maxFeature);
      trees++;
    }
    if (!ended) {
      throw new MalformedModelException(
          "the file ends before 'end of trees' (after " + trees + " trees): truncated?");
    }
    if (header.containsKey("tree_sizes")) {
      int declared =
          header.get("tree_sizes").isBlank() ? 0 : tokens(header.get("tree_sizes")).size();
      if (declared != trees) {
        throw new MalformedModelException(
            "tree_sizes declares " + declared + " trees but the file holds " + trees);
      }
    }
    if (trees % perIteration != 0) {
      throw new MalformedModelException(
          trees + " trees is not a multiple of num_tree_per_iteration " + perIteration);
    }
    out.append(raw, treesStart, raw.length());
    return new ModelText(out.toString(), trees, maxFeature + 1);
  }

  private static void checkTree(Lines lines, int index, int maxFeature)
      throws MalformedModelException {
    String where = "tree " + index;
    Map<String, String> kv = new HashMap<>();
    int read = 0;
    while (true) {
      if (!lines.hasNext()) {
        throw new MalformedModelException(where + " is cut off: truncated file?");
      }
      if (lines.atLineEnd()) {
        lines.skipNewline(); // the blank line that closes the block
        break;
      }
      if (read == MAX_TREE_LINES) {
        throw new MalformedModelException(where + " has more than " + MAX_TREE_LINES + " lines");
      }
      if (!lines.lineIsTerminated()) {
        throw new MalformedModelException(where + " is cut off: truncated file?");
      }
      String line = lines.next();
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new MalformedModelException(where + ": line without '=': " + cut(line));
      }
      kv.put(line.substring(0, eq), line.substring(eq + 1));
      read++;
    }
    int leaves = intValue(kv, "num_leaves", 1, Integer.MAX_VALUE, where);
    int numCat = intValue(kv, "num_cat", 0, Integer.MAX_VALUE, where);
    doubles(kv, "leaf_value", leaves, true, where);
    boolean linear = kv.containsKey("is_linear") && intValue(kv, "is_linear", 0, 1, where) == 1;
    if (leaves <= 1 && !linear) {
      return;
    }
    int internal = leaves - 1;
    int[] left = ints(kv, "left_child", internal, true, where);
    int[] right = ints(kv, "right_child", internal, true, where);
    int[] feature = ints(kv, "split_feature", internal, true, where);
    double[] threshold = doubles(kv, "threshold", internal, true, where);
    doubles(kv, "split_gain", internal, false, where);
    ints(kv, "internal_count", internal, false, where);
    doubles(kv, "internal_value", internal, false, where);
    doubles(kv, "internal_weight", internal, false, where);
    doubles(kv, "leaf_weight", leaves, false, where);
    ints(kv, "leaf_count", leaves, false, where);
    int[] decision = ints(kv, "decision_type", internal, false, where);
    checkStructure(left, right, leaves, where);
    for (int f : feature) {
      if (f < 0 || f > maxFeature) {
        throw new MalformedModelException(
            where + ": split on feature " + f + " of " + (maxFeature + 1));
      }
    }
    if (decision != null) {
      for (int node = 0; node < internal; node++) {
        if ((decision[node] & 1) != 0) { // categorical split: threshold indexes cat_boundaries
          double t = threshold[node];
          if (!(t >= 0 && t < numCat)) {
            throw new MalformedModelException(
                where + ": categorical split " + node + " out of range");
          }
        }
      }
    }
    if (numCat > 0) {
      int[] bounds = ints(kv, "cat_boundaries", numCat + 1, true, where);
      for (int i = 0; i < bounds.length; i++) {
        if (bounds[i] < (i == 0 ? 0 : bounds[i - 1])) {
          throw new MalformedModelException(where + ": cat_boundaries not increasing");
        }
      }
      ints(kv, "cat_threshold", bounds[numCat], true, where);
    }
    if (linear) {
      doubles(kv, "leaf_const", leaves, false, where);
      int[] counts = ints(kv, "num_features", leaves, false, where);
      if (counts != null) {
        long total = 0;
        for (int c : counts) {
          if (c < 0) {
            throw new MalformedModelException(where + ": negative num_features");
          }
          total += c;
        }
        if (total > Integer.MAX_VALUE) {
          throw new MalformedModelException(where + ": num_features too large");
        }
        int[] used = ints(kv, "leaf_features", (int) total, false, where);
        if (used != null) {
          for (int f : used) {
            if (f < 0 || f > maxFeature) {
              throw new MalformedModelException(where + ": linear leaf uses feature " + f);
            }
          }
        }
        doubles(kv, "leaf_coeff", (int) total, false, where);
      } else if (kv.containsKey("leaf_features") || kv.containsKey("leaf_coeff")) {
        throw new MalformedModelException(where + ": leaf_features without num_features");
      }
    }
  }

  /** Node 0 is the root; every other node and every leaf is the child of exactly one node. */
  private static void checkStructure(int[] left, int[] right, int leaves, String where)
      throws MalformedModelException {
    int internal = leaves - 1;
    boolean[] nodeSeen = new boolean[internal];
    boolean[] leafSeen = new boolean[leaves];
    for (int node = 0; node < internal; node++) {
      for (int child : new int[] {left[node], right[node]}) {
        boolean fresh;
        if (child >= 0) {
          fresh = child > 0 && child < internal && !nodeSeen[child];
          if (fresh) {
            nodeSeen[child] = true;
          }
        } else {
          int leaf = ~child;
          fresh = leaf < leaves && !leafSeen[leaf];
          if (fresh) {
            leafSeen[leaf] = true;
          }
        }
        if (!fresh) {
          throw new MalformedModelException(where + ": child links do not form a tree");
        }
      }
    }
  }

  private static int intValue(Map<String, String> kv, String key, int min, int max)
      throws MalformedModelException {
    return intValue(kv, key, min, max, "header");
  }

  private static int intValue(Map<String, String> kv, String key, int min, int max, String where)
      throws MalformedModelException {
    String v = kv.get(key);
    if (v == null) {
      throw new MalformedModelException(where + " has no " + key);
    }
    try {
      int i = Integer.parseInt(v.trim());
      if (i < min || i > max) {
        throw new MalformedModelException(where + ": " + key + "=" + i + " out of range");
      }
      return i;
    } catch (NumberFormatException e) {
      throw new MalformedModelException(where + ": " + key + " is not an integer: " + cut(v));
    }
  }

  private static int[] ints(
      Map<String, String> kv, String key, int n, boolean required, String where)
      throws MalformedModelException {
    List<String> t = array(kv, key, n, required, where);
    if (t == null) {
      return null;
    }
    int[] out = new int[n];
    try {
      for (int i = 0; i < n; i++) {
        out[i] = Integer.parseInt(t.get(i));
      }
    } catch (NumberFormatException e) {
      throw new MalformedModelException(where + ": " + key + " holds a non-integer");
    }
    return out;
  }

  private static double[] doubles(
      Map<String, String> kv, String key, int n, boolean required, String where)
      throws MalformedModelException {
    List<String> t = array(kv, key, n, required, where);
    if (t == null) {
      return null;
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = parseDouble(t.get(i), key, where);
    }
    return out;
  }

  private static double parseDouble(String s, String key, String where)
      throws MalformedModelException {
    switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "inf", "+inf", "infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf", "-infinity":
        return Double.NEGATIVE_INFINITY;
      case "nan", "-nan":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new MalformedModelException(where + ": " + key + " holds a non-number: " + cut(s));
        }
    }
  }

  private static List<String> array(
      Map<String, String> kv, String key, int n, boolean required, String where)
      throws MalformedModelException {
    String v = kv.get(key);
    if (v == null) {
      if (required) {
        throw new MalformedModelException(where + " has no " + key);
      }
      return null;
    }
    List<String> t = tokens(v);
    if (t.size() != n) {
      throw new MalformedModelException(
          where + ": " + key + " has " + t.size() + " values, expected " + n);
    }
    return t;
  }

  private static List<String> tokens(String v) {
    String s = v.strip();
    return s.isEmpty() ? List.of() : List.of(s.split(" +"));
  }

  private static String cut(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  /** Lines as LightGBM reads them: ended by '\n', '\r' or "\r\n". */
  private static final class Lines {
    private final String s;
    int pos;

    Lines(String s) {
      this.s = s;
    }

    boolean hasNext() {
      return pos < s.length();
    }

    boolean atLineEnd() {
      char c = s.charAt(pos);
      return c == '\n' || c == '\r';
    }

    /** Whether the line starting at pos has a newline after it (a cut-off line has none). */
    boolean lineIsTerminated() {
      int i = pos;
      while (i < s.length() && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
        i++;
      }
      return i < s.length();
    }

    void skipNewline() {
      if (pos < s.length() && s.charAt(pos) == '\r') {
        pos++;
      }
      if (pos < s.length() && s.charAt(pos) == '\n') {
        pos++;
      }
    }

    String next() {
      int start = pos;
      while (pos < s.length() && s.charAt(pos) != '\n' && s.charAt(pos) != '\r') {
        pos++;
      }
      String line = s.substring(start, pos);
      skipNewline();
      return line;
    }
  }
}

package dev.slipway.runtime.xgboost;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks the trees of a model XGBoost has loaded, read from XGBoost's own JSON dump of it.
 *
 * <p>Why: XGBoost checks a model's syntax on load but not its links. A model whose numbers are
 * damaged (a child index, a split feature, a tree's output group) loads, and then prediction reads
 * or writes outside its arrays and crashes the JVM (SIGSEGV in {@code PredictByAllTrees}, seen with
 * xgboost4j 3.0.4). This check makes sure that every index prediction follows stays in range: child
 * links form a tree below node 0, split features are below {@code num_feature}, categorical splits
 * point into the category list, {@code tree_info} names an existing output group, {@code
 * iteration_indptr} covers the trees, and a linear model has one weight per feature and group.
 *
 * <p>Stateless; thread-safe.
 */
final class ModelCheck {
  /** Categories are stored as a bit field of max + 1 bits: bound it. */
  private static final int MAX_CATEGORY = 1 << 24;

  /** What the checks learned: the booster kind ({@code gbtree}, {@code dart}, {@code gblinear}). */
  record Checked(String booster, int features, int groups) {}

  private ModelCheck() {}

  static Checked check(JsonNode root) throws DamagedModelException {
    JsonNode learner = root.path("learner");
    JsonNode param = learner.path("learner_model_param");
    int features = intOf(param.path("num_feature"), "num_feature");
    int numClass = param.has("num_class") ? intOf(param.path("num_class"), "num_class") : 0;
    int numTarget = param.has("num_target") ? intOf(param.path("num_target"), "num_target") : 1;
    if (features < 1) {
      throw new DamagedModelException("the model declares " + features + " features");
    }
    int groups = Math.max(1, Math.max(numClass, numTarget));
    JsonNode booster = learner.path("gradient_booster");
    String name = booster.path("name").asText();
    switch (name) {
      case "gbtree" -> checkTrees(booster.path("model"), features, groups, -1);
      case "dart" -> {
        JsonNode model = booster.path("gbtree").path("model");
        checkTrees(model, features, groups, booster.path("weight_drop").size());
        if (!booster.path("weight_drop").isArray()) {
          throw new DamagedModelException("a dart model without weight_drop");
        }
      }
      case "gblinear" -> {
        JsonNode weights = booster.path("model").path("weights");
        long expected = (long) (features + 1) * groups;
        if (!weights.isArray() || weights.size() != expected) {
          throw new DamagedModelException(
              "a linear model with " + weights.size() + " weights, expected " + expected);
        }
      }
      default -> throw new DamagedModelException("unknown booster '" + name + "'");
    }
    return new Checked(name, features, groups);
  }

  /**
   * @param weightDrops the number of dart weights, or -1 for gbtree
   */
  private static void checkTrees(JsonNode model, int features, int groups, int weightDrops)
      throws DamagedModelException {
    JsonNode trees = model.path("trees");
    JsonNode info = model.path("tree_info");
    if (!trees.isArray() || !info.isArray() || info.size() != trees.size()) {
      throw new DamagedModelException("trees and tree_info do not match");
    }
    int n = trees.size();
    if (weightDrops >= 0 && weightDrops != n) {
      throw new DamagedModelException(weightDrops + " dart weights for " + n + " trees");
    }
    for (int t = 0; t < n; t++) {
      int group = info.get(t).asInt(-1);
      if (group < 0 || group >= groups) {
        throw new DamagedModelException("tree " + t + " writes output group " + group);
      }
    }
    JsonNode indptr = model.path("iteration_indptr");
    if (indptr.isArray()) {
      long previous = 0;
      for (int i = 0; i < indptr.size(); i++) {
        long v = indptr.get(i).asLong(-1);
        if ((i == 0 && v != 0) || v < previous || v > n) {
          throw new DamagedModelException("iteration_indptr does not cover the trees");
        }
        previous = v;
      }
      if (indptr.size() > 0 && previous != n) {
        throw new DamagedModelException("iteration_indptr does not cover the trees");
      }
    }
    for (int t = 0; t < n; t++) {
      checkTree(trees.get(t), "tree " + t, features);
    }
  }

  private static void checkTree(JsonNode tree, String where, int features)
      throws DamagedModelException {
    JsonNode param = tree.path("tree_param");
    int nodes = intOf(param.path("num_nodes"), where + " num_nodes");
    if (nodes < 1) {
      throw new DamagedModelException(where + " has " + nodes + " nodes");
    }
    if (param.has("size_leaf_vector") && intOf(param.path("size_leaf_vector"), where) > 1) {
      throw new DamagedModelException(
          where + ": vector-leaf (multi_output_tree) trees are not supported");
    }
    int[] left = ints(tree, "left_children", nodes, where);
    int[] right = ints(tree, "right_children", nodes, where);
    int[] parent = ints(tree, "parents", nodes, where);
    int[] feature = ints(tree, "split_indices", nodes, where);
    length(tree, "split_conditions", nodes, where);
    length(tree, "base_weights", nodes, where);
    length(tree, "loss_changes", nodes, where);
    length(tree, "sum_hessian", nodes, where);
    length(tree, "default_left", nodes, where);
    for (int i = 1; i < nodes; i++) { // the root's parent (stored as 2^31 - 1) is never followed
      if (parent[i] < 0 || parent[i] >= nodes) {
        throw new DamagedModelException(where + ": node " + i + " has parent " + parent[i]);
      }
    }
    boolean categorical = tree.has("split_type");
    int[] type = categorical ? ints(tree, "split_type", nodes, where) : new int[nodes];
    // Walk from the root as prediction does; only reachable nodes matter (pruned ones may linger).
    boolean[] reached = new boolean[nodes];
    int[] stack = new int[nodes];
    int top = 0;
    stack[top++] = 0;
    reached[0] = true;
    while (top > 0) {
      int i = stack[--top];
      if (left[i] == -1) {
        continue; // a leaf
      }
      for (int child : new int[] {left[i], right[i]}) {
        if (child < 1 || child >= nodes || reached[child]) {
          throw new DamagedModelException(where + ": child links do not form a tree");
        }
        reached[child] = true;
        stack[top++] = child;
      }
      if (feature[i] < 0 || feature[i] >= features) {
        throw new DamagedModelException(
            where + ": node " + i + " splits on feature " + feature[i] + " of " + features);
      }
    }
    if (!categorical) {
      return;
    }
    int[] catNodes = ints(tree, "categories_nodes", tree.path("categories_nodes").size(), where);
    int[] segments = ints(tree, "categories_segments", catNodes.length, where);
    int[] sizes = ints(tree, "categories_sizes", catNodes.length, where);
    int[] categories = ints(tree, "categories", tree.path("categories").size(), where);
    for (int c : categories) {
      if (c < 0 || c >= MAX_CATEGORY) {
        throw new DamagedModelException(where + ": category " + c + " out of range");
      }
    }
    boolean[] hasCategories = new boolean[nodes];
    int previous = -1;
    for (int k = 0; k < catNodes.length; k++) {
      int node = catNodes[k];
      if (node <= previous
          || node >= nodes
          || segments[k] < 0
          || sizes[k] < 1
          || (long) segments[k] + sizes[k] > categories.length) {
        throw new DamagedModelException(where + ": categorical split " + k + " out of range");
      }
      previous = node;
      hasCategories[node] = true;
    }
    for (int i = 0; i < nodes; i++) {
      if (type[i] != 0 && (type[i] != 1 || !hasCategories[i])) {
        throw new DamagedModelException(where + ": node " + i + " has a bad split type");
      }
      if (hasCategories[i] && type[i] != 1) {
        throw new DamagedModelException(where + ": node " + i + " has categories but no split");
      }
    }
  }

  private static int[] ints(JsonNode tree, String key, int n, String where)
      throws DamagedModelException {
    JsonNode a = length(tree, key, n, where);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      JsonNode v = a.get(i);
      if (!v.canConvertToInt()) {
        throw new DamagedModelException(where + ": " + key + " holds a non-integer");
      }
      out[i] = v.asInt();
    }
    return out;
  }

  private static JsonNode length(JsonNode tree, String key, int n, String where)
      throws DamagedModelException {
    JsonNode a = tree.path(key);
    if (!a.isArray() || a.size() != n) {
      throw new DamagedModelException(
          where + ": " + key + " has " + a.size() + " entries, expected " + n);
    }
    return a;
  }

  /** XGBoost writes model parameters as strings ("5"), sometimes as numbers. */
  private static int intOf(JsonNode v, String what) throws DamagedModelException {
    try {
      if (v.isIntegralNumber() && v.canConvertToInt()) {
        return v.asInt();
      }
      if (v.isTextual()) {
        return Integer.parseInt(v.asText().trim());
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new DamagedModelException(what + " is not an integer: " + v);
  }
}

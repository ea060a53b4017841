package dev.slipway.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded random partition of rows into a training part and a held-out test part. Both lists keep
 * the rows' original relative order. Immutable and thread-safe when the rows are.
 *
 * @param <T> the row type
 */
public record TrainTestSplit<T>(List<T> train, List<T> test) {

  public TrainTestSplit {
    train = List.copyOf(train);
    test = List.copyOf(test);
  }

  /**
   * Splits {@code rows} so that {@code round(testFraction * size)} of them, chosen uniformly at
   * random by {@code seed}, are held out. The same rows and seed always give the same split.
   *
   * @throws IllegalArgumentException if {@code testFraction} is not in [0, 1]
   */
  public static <T> TrainTestSplit<T> of(List<T> rows, double testFraction, long seed) {
    if (!(testFraction >= 0 && testFraction <= 1)) {
      throw new IllegalArgumentException("testFraction must be in [0, 1], was " + testFraction);
    }
    int n = rows.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) { // Fisher-Yates
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int nTest = (int) Math.round(testFraction * n);
    boolean[] held = new boolean[n];
    for (int k = 0; k < nTest; k++) {
      held[order[k]] = true;
    }
    List<T> train = new ArrayList<>(n - nTest);
    List<T> test = new ArrayList<>(nTest);
    for (int i = 0; i < n; i++) {
      (held[i] ? test : train).add(rows.get(i));
    }
    return new TrainTestSplit<>(train, test);
  }

  @Override
  public String toString() {
    return "TrainTestSplit[train=" + train.size() + " rows, test=" + test.size() + " rows]";
  }
}

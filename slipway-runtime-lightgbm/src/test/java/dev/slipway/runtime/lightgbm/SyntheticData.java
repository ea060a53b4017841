package dev.slipway.runtime.lightgbm;

import java.util.Random;

/**
 * Seeded tabular data with a known rule: {@code y = 1} when {@code x0 + 2 x1 - x2 + 0.5 x3 x4 > 0},
 * features standard normal, about 2% of values missing (NaN). Row-major.
 */
record SyntheticData(int rows, int cols, float[] x, float[] y) {

  static SyntheticData generate(long seed, int rows) {
    int cols = 5;
    Random random = new Random(seed);
    float[] x = new float[rows * cols];
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      double[] v = new double[cols];
      for (int c = 0; c < cols; c++) {
        v[c] = random.nextGaussian();
        x[r * cols + c] = (float) v[c];
      }
      y[r] = v[0] + 2 * v[1] - v[2] + 0.5 * v[3] * v[4] > 0 ? 1 : 0;
      for (int c = 0; c < cols; c++) {
        if (random.nextDouble() < 0.02) {
          x[r * cols + c] = Float.NaN;
        }
      }
    }
    return new SyntheticData(rows, cols, x, y);
  }

  /**
   * A regression target from the same features: {@code 3 x0 - 2 x1 + x2 x3 + sin(x4)}, missing
   * values counted as 0.
   */
  float[] target() {
    float[] t = new float[rows];
    for (int r = 0; r < rows; r++) {
      double[] v = new double[cols];
      for (int c = 0; c < cols; c++) {
        float f = x[r * cols + c];
        v[c] = Float.isNaN(f) ? 0 : f;
      }
      t[r] = (float) (3 * v[0] - 2 * v[1] + v[2] * v[3] + Math.sin(v[4]));
    }
    return t;
  }

  /** Three classes from the same score: below -1, between -1 and 1, above 1. */
  float[] threeClasses() {
    float[] classes = new float[rows];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      double[] w = {1, 2, -1, 0, 0};
      for (int c = 0; c < cols; c++) {
        float v = x[r * cols + c];
        s += Float.isNaN(v) ? 0 : w[c] * v;
      }
      classes[r] = s < -1 ? 0 : s > 1 ? 2 : 1;
    }
    return classes;
  }

  /** Rows {@code from} (inclusive) to {@code to} (exclusive), row-major. */
  float[] rows(int from, int to) {
    float[] out = new float[(to - from) * cols];
    System.arraycopy(x, from * cols, out, 0, out.length);
    return out;
  }
}

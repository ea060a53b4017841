package dev.slipway.monitor.abtest;

/**
 * A confidence interval.
 *
 * @param lower the lower bound
 * @param upper the upper bound
 */
public record Interval(double lower, double upper) {
  public boolean contains(double x) {
    return lower <= x && x <= upper;
  }
}

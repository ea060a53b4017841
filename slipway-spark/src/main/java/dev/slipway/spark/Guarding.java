package dev.slipway.spark;

/**
 * The guards a Spark job applies to its model (the guard settings of {@code slipway.yaml} are not
 * read).
 */
public enum Guarding {
  /** None: the model is served unguarded, as {@code slipway batch score} without guards does. */
  NONE,
  /**
   * Input checks that reject, narrowed by the version's data profile, as {@code guards: {inputs:
   * {policy: reject}}} in {@code slipway.yaml} does; each output row then has {@code served_by}.
   */
  REJECT
}

package dev.slipway.spark;

/**
 * Guards a Spark job can apply without a {@code slipway.yaml} ({@code --guard}); with one, {@link
 * SparkGuards#fromConfig} applies the model's own guards section instead.
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

package dev.slipway.train;

import dev.slipway.api.Record;
import dev.slipway.train.data.AdClickGenerator;
import dev.slipway.train.data.TrainTestSplit;
import dev.slipway.train.logistic.LogisticRegressionTrainer;
import java.util.List;

/**
 * Trains the demo model: a logistic regression that predicts ad clicks on {@link AdClickGenerator}
 * data. Stateless and thread-safe.
 */
public final class AdClickDemo {
  /** The share of generated rows held out to measure the model. */
  public static final double TEST_FRACTION = 0.2;

  // The split draws from its own stream: with the generator's seed its draws would follow the
  // data's, and which rows are held out would depend on their features.
  private static final long SPLIT_SEED_MIX = 0x9E3779B97F4A7C15L;

  private AdClickDemo() {}

  /**
   * Generates {@code rows} records with {@code seed}, holds out 20% of them (chosen by the seed),
   * trains on the rest with {@link LogisticRegressionTrainer.Options#defaults} of {@code seed} and
   * measures the model on the held-out rows. The same arguments give the same model.
   *
   * @throws IllegalArgumentException if {@code rows} is too small for both parts to hold clicks
   */
  public static TrainedModel train(long seed, int rows) {
    AdClickGenerator generator = new AdClickGenerator(seed);
    List<Record> data = generator.generate(rows);
    TrainTestSplit<Record> split = TrainTestSplit.of(data, TEST_FRACTION, seed ^ SPLIT_SEED_MIX);
    return new LogisticRegressionTrainer(LogisticRegressionTrainer.Options.defaults(seed))
        .train(
            generator.schema(),
            AdClickGenerator.LABEL,
            AdClickGenerator.CLICK,
            split.train(),
            split.test());
  }
}

package dev.slipway.train.data;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates the ad-click demo data set: an ad agency wants to predict whether a user clicks an ad.
 *
 * <p>Each record holds the raw features of one ad impression and the label {@value #LABEL} ({@value
 * #CLICK} or {@value #NO_CLICK}). The label is drawn from a known logistic ground truth:
 *
 * <pre>
 * logit = -3.6
 *       + 0.03 * hour                    (0-23; evening impressions click more)
 *       - 0.30 * ad_position             (1-5; 1 is the top slot)
 *       + 9.0  * user_past_ctr           (0-0.3, skewed low: 0.3 * u^3)
 *       - 0.02 * user_age                (18-70, skewed young)
 *       + device:        mobile +0.35, desktop 0, tablet +0.15
 *       + site_category: news 0, sports +0.2, games +0.5, shopping +0.8, social +0.3, finance -0.5
 *       + ad_size:       300x250 0, 728x90 -0.4, 160x600 -0.6, 320x50 +0.25
 *       + noise,  noise ~ Normal(0, 0.5)
 * P(click) = 1 / (1 + exp(-logit))
 * </pre>
 *
 * The intercept makes about 4-5% of impressions clicks. Feature frequencies: hours weighted by
 * traffic (night 0.4, day 1.0, evening 1.4); positions 1-5 with weights 30/25/20/15/10; device
 * 60/30/10 (mobile/desktop/tablet); site category 20/15/15/15/25/10 (in the order above); ad size
 * 40/25/10/25.
 *
 * <p>Record {@code i} of {@link #generate} depends only on the seed and {@code i}: {@code
 * generate(100)} is a prefix of {@code generate(1000)}. Draws use {@link SplittableRandom} and
 * {@link StrictMath}, so the data are the same on every JVM. Immutable and thread-safe.
 */
public final class AdClickGenerator {
  /** The label field of generated records; it is not part of {@link #schema()}. */
  public static final String LABEL = "clicked";

  /** The positive label. */
  public static final String CLICK = "click";

  /** The negative label. */
  public static final String NO_CLICK = "no_click";

  static final double INTERCEPT = -3.6;

  private static final double W_HOUR = 0.03;
  private static final double W_POSITION = -0.30;
  private static final double W_CTR = 9.0;
  private static final double W_AGE = -0.02;
  private static final double NOISE_SD = 0.5;

  private static final double[] HOUR_WEIGHTS = hourWeights();
  private static final double[] POSITION_WEIGHTS = {30, 25, 20, 15, 10};

  private static final Categorical DEVICE =
      new Categorical(
          "device",
          List.of("mobile", "desktop", "tablet"),
          new double[] {60, 30, 10},
          new double[] {0.35, 0, 0.15});
  private static final Categorical SITE =
      new Categorical(
          "site_category",
          List.of("news", "sports", "games", "shopping", "social", "finance"),
          new double[] {20, 15, 15, 15, 25, 10},
          new double[] {0, 0.2, 0.5, 0.8, 0.3, -0.5});
  private static final Categorical SIZE =
      new Categorical(
          "ad_size",
          List.of("300x250", "728x90", "160x600", "320x50"),
          new double[] {40, 25, 10, 25},
          new double[] {0, -0.4, -0.6, 0.25});

  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.numeric("hour", DataType.INT64, 0.0, 23.0, "hour of day of the impression"),
              Field.numeric(
                  "ad_position", DataType.INT64, 1.0, 5.0, "slot of the ad on the page, 1 = top"),
              Field.numeric(
                  "user_past_ctr",
                  DataType.FP64,
                  0.0,
                  0.3,
                  "the user's click-through rate over past impressions"),
              Field.numeric("user_age", DataType.INT64, 18.0, 70.0, "age of the user in years"),
              Field.categorical(DEVICE.name(), DEVICE.values(), "device the ad is shown on"),
              Field.categorical(SITE.name(), SITE.values(), "category of the publishing site"),
              Field.categorical(SIZE.name(), SIZE.values(), "ad size in pixels")));

  /**
   * The market after a change, for drift and retraining scenarios: most impressions now come from
   * tablets (device weights 15/25/60) on games and social sites (site weights 10/10/35/10/30/5),
   * users are older (age drawn from the upper half of the range more often), and what drives clicks
   * changed: older users click more ({@code +0.03 * user_age} instead of {@code -0.02}), tablets
   * click less ({@code -0.6}), and the user's past click rate matters half as much ({@code 4.5}). A
   * model trained on the default market ranks these users worse; one trained on them recovers.
   */
  private static final Market SHIFTED_MARKET =
      new Market(
          -4.6,
          4.5,
          0.03,
          true,
          new Categorical(
              "device", DEVICE.values(), new double[] {15, 25, 60}, new double[] {0.35, 0, -0.6}),
          new Categorical(
              "site_category",
              SITE.values(),
              new double[] {10, 10, 35, 10, 30, 5},
              SITE.effects()));

  private static final Market DEFAULT_MARKET =
      new Market(INTERCEPT, W_CTR, W_AGE, false, DEVICE, SITE);

  /** What differs between the default market and the shifted one. */
  private record Market(
      double intercept,
      double ctrWeight,
      double ageWeight,
      boolean olderUsers,
      Categorical device,
      Categorical site) {}

  private final long seed;
  private final Market market;

  /** A generator whose data are fixed by {@code seed}. */
  public AdClickGenerator(long seed) {
    this(seed, DEFAULT_MARKET);
  }

  private AdClickGenerator(long seed, Market market) {
    this.seed = seed;
    this.market = market;
  }

  /**
   * A generator of the same schema for the market after a change (see {@code SHIFTED_MARKET} in the
   * source): other feature frequencies and another ground truth, fixed by {@code seed}.
   */
  public static AdClickGenerator shifted(long seed) {
    return new AdClickGenerator(seed, SHIFTED_MARKET);
  }

  /** Whether this generator draws the shifted market's data. */
  public boolean isShifted() {
    return market == SHIFTED_MARKET;
  }

  public long seed() {
    return seed;
  }

  /** The raw feature fields (with ranges and domains), without the label. */
  public Schema schema() {
    return SCHEMA;
  }

  /**
   * The first {@code n} records of this seed's data, each with the fields of {@link #schema()} in
   * schema order followed by {@value #LABEL}.
   *
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public List<Record> generate(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, was " + n);
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<Record> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      records.add(next(random));
    }
    return records;
  }

  /**
   * Writes the first {@code n} records (those of {@link #generate}) as UTF-8 CSV: a header row of
   * field names, then one row per record. No value contains a comma or a quote, so none is quoted.
   */
  public void writeCsv(Path file, int n) throws IOException {
    List<String> columns = new ArrayList<>(SCHEMA.names());
    columns.add(LABEL);
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(String.join(",", columns));
      out.write('\n');
      for (Record r : generate(n)) {
        for (int c = 0; c < columns.size(); c++) {
          if (c > 0) {
            out.write(',');
          }
          out.write(String.valueOf(r.get(columns.get(c))));
        }
        out.write('\n');
      }
    }
  }

  /**
   * The ground-truth logit of a record without its noise term: the best score any model can learn
   * from these features, useful as a ceiling for a trained model's AUC.
   *
   * @throws IllegalArgumentException if a category is not in the schema's domain
   * @throws NullPointerException if the record lacks a feature
   * @throws ClassCastException if a value is not of the Java type {@link #generate} gives
   */
  public static double groundTruthLogit(Record r) {
    return INTERCEPT
        + W_HOUR * (Long) r.get("hour")
        + W_POSITION * (Long) r.get("ad_position")
        + W_CTR * (Double) r.get("user_past_ctr")
        + W_AGE * (Long) r.get("user_age")
        + DEVICE.effect((String) r.get(DEVICE.name()))
        + SITE.effect((String) r.get(SITE.name()))
        + SIZE.effect((String) r.get(SIZE.name()));
  }

  private Record next(SplittableRandom random) {
    return next(random, market);
  }

  private static Record next(SplittableRandom random, Market m) {
    // The order of draws is part of the data's definition: changing it changes every data set.
    long hour = pick(random, HOUR_WEIGHTS);
    long position = 1 + pick(random, POSITION_WEIGHTS);
    double u = random.nextDouble();
    double ctr = Math.round(0.3 * u * u * u * 1e4) / 1e4;
    double a = random.nextDouble();
    long age = 18 + (long) Math.floor(53 * StrictMath.pow(m.olderUsers() ? 1 - a * a : a, 1.5));
    int device = pick(random, m.device().weights());
    int site = pick(random, m.site().weights());
    int size = pick(random, SIZE.weights());
    double noise = NOISE_SD * gaussian(random);
    double logit =
        m.intercept()
            + W_HOUR * hour
            + W_POSITION * position
            + m.ctrWeight() * ctr
            + m.ageWeight() * age
            + m.device().effects()[device]
            + m.site().effects()[site]
            + SIZE.effects()[size]
            + noise;
    double p = 1 / (1 + StrictMath.exp(-logit));
    boolean clicked = random.nextDouble() < p;

    Map<String, Object> values = new LinkedHashMap<>();
    values.put("hour", hour);
    values.put("ad_position", position);
    values.put("user_past_ctr", ctr);
    values.put("user_age", age);
    values.put(DEVICE.name(), DEVICE.values().get(device));
    values.put(SITE.name(), SITE.values().get(site));
    values.put(SIZE.name(), SIZE.values().get(size));
    values.put(LABEL, clicked ? CLICK : NO_CLICK);
    return Record.of(values);
  }

  /** A standard normal draw by Box-Muller, with StrictMath so every JVM draws the same value. */
  private static double gaussian(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble(); // in (0, 1]: log is finite
    double u2 = random.nextDouble();
    return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
  }

  /** An index drawn with probability proportional to its weight. */
  private static int pick(SplittableRandom random, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = random.nextDouble() * total;
    for (int i = 0; i < weights.length - 1; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  private static double[] hourWeights() {
    double[] w = new double[24];
    for (int h = 0; h < 24; h++) {
      w[h] = h < 7 ? 0.4 : h < 18 ? 1.0 : 1.4;
    }
    return w;
  }

  private record Categorical(String name, List<String> values, double[] weights, double[] effects) {
    double effect(String value) {
      int i = values.indexOf(value);
      if (i < 0) {
        throw new IllegalArgumentException(name + " '" + value + "' is not one of " + values);
      }
      return effects[i];
    }
  }
}

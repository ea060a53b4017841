package dev.slipway.runtime.xgboost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XgboostPredictorTest {
  private static final double PARITY = 1e-6;
  private static final SyntheticData DATA = SyntheticData.generate(42, 500);

  @TempDir Path dir;
  private final XgboostFormat format = new XgboostFormat();
  private Booster binary;
  private Booster multi;
  private Booster regression;

  @BeforeAll
  void train() throws XGBoostError {
    binary = train(Map.of("objective", "binary:logistic"), DATA.y(), 20);
    multi = train(Map.of("objective", "multi:softprob", "num_class", 3), DATA.threeClasses(), 10);
    regression = train(Map.of("objective", "reg:squarederror"), DATA.target(), 30);
  }

  @AfterAll
  void dispose() {
    binary.dispose();
    multi.dispose();
    regression.dispose();
  }

  private static Booster train(Map<String, Object> extra, float[] labels, int rounds)
      throws XGBoostError {
    DMatrix train = new DMatrix(DATA.x(), DATA.rows(), DATA.cols(), Float.NaN);
    try {
      train.setLabel(labels);
      Map<String, Object> params = new HashMap<>(extra);
      params.putIfAbsent("booster", "gbtree");
      params.put("max_depth", 3);
      params.put("eta", 0.3);
      params.put("seed", 7);
      params.put("nthread", 1);
      params.put("verbosity", 0);
      return XGBoost.train(train, params, rounds, Map.of(), null, null);
    } finally {
      train.dispose();
    }
  }

  /** XGBoost's own predictions for all rows, from the in-memory booster. */
  private static float[][] libraryPredictions(Booster booster) throws XGBoostError {
    DMatrix m = new DMatrix(DATA.x(), DATA.rows(), DATA.cols(), Float.NaN);
    try {
      return booster.predict(m);
    } finally {
      m.dispose();
    }
  }

  private Path save(Booster booster, String fileName) throws XGBoostError {
    Path file = dir.resolve(fileName);
    booster.saveModel(file.toString());
    return file;
  }

  private static Tensor input(float[] rows, int n) {
    return new Tensor(XgboostPredictor.INPUT, DataType.FP32, new long[] {n, 5}, rows);
  }

  private static float[] predict(Predictor p, float[] rows, int n) {
    return (float[]) p.infer(Map.of("input", input(rows, n)), Set.of()).get("output").data();
  }

  private static double maxError(float[][] expected, float[] actual) {
    int k = expected[0].length;
    assertThat(actual).hasSize(expected.length * k);
    double max = 0;
    for (int r = 0; r < expected.length; r++) {
      for (int c = 0; c < k; c++) {
        max = Math.max(max, Math.abs(expected[r][c] - actual[r * k + c]));
      }
    }
    return max;
  }

  @Test
  void isFoundByServiceLoaderAsXgboost() {
    assertThat(ServiceLoader.load(ModelFormat.class).stream().map(p -> p.get().name()))
        .contains("xgboost");
  }

  @Test
  void recognizesXgboostJsonAndUbjsonButNotOtherFiles() throws Exception {
    assertThat(format.recognizes(save(binary, "m.json"))).isTrue();
    assertThat(format.recognizes(save(binary, "m.ubj"))).isTrue();
    Path ubjAsModel = Files.copy(dir.resolve("m.ubj"), dir.resolve("m.model"));
    assertThat(format.recognizes(ubjAsModel)).isTrue();
    assertThat(format.recognizes(Files.writeString(dir.resolve("other.json"), "{\"a\": 1}")))
        .isFalse();
    assertThat(format.recognizes(Files.copy(dir.resolve("m.json"), dir.resolve("m.txt"))))
        .isFalse();
    assertThat(format.recognizes(dir.resolve("absent.json"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"binary.json", "binary.ubj"})
  void binaryClassifierMatchesXgboostsOwnPredictions(String fileName) throws Exception {
    float[][] expected = libraryPredictions(binary);
    try (Predictor p = format.load(save(binary, fileName), ModelFormat.LoadOptions.defaults())) {
      float[] actual = predict(p, DATA.x(), DATA.rows());
      double error = maxError(expected, actual);
      System.out.printf(
          "xgboost parity %s: max |error| = %.3e over %d rows%n", fileName, error, DATA.rows());
      assertThat(error).isLessThanOrEqualTo(PARITY);
      int correct = 0;
      for (int r = 0; r < DATA.rows(); r++) {
        correct += (actual[r] > 0.5f) == (DATA.y()[r] == 1) ? 1 : 0;
      }
      assertThat(correct).as("the model learned the rule").isGreaterThan(450);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"regression.json", "regression.ubj"})
  void regressionModelMatchesXgboostsOwnPredictions(String fileName) throws Exception {
    float[][] expected = libraryPredictions(regression);
    try (Predictor p =
        format.load(save(regression, fileName), ModelFormat.LoadOptions.defaults())) {
      assertThat(p.signature().outputs())
          .containsExactly(new TensorSpec("output", DataType.FP32, new long[] {-1, 1}));
      float[] actual = predict(p, DATA.x(), DATA.rows());
      double error = maxError(expected, actual);
      System.out.printf(
          "xgboost parity regression %s: max |error| = %.3e over %d rows%n",
          fileName, error, DATA.rows());
      assertThat(error).isLessThanOrEqualTo(PARITY);
      double sse = 0;
      double sst = 0;
      double mean = 0;
      for (float t : DATA.target()) {
        mean += t / DATA.rows();
      }
      for (int r = 0; r < DATA.rows(); r++) {
        sse += Math.pow(actual[r] - DATA.target()[r], 2);
        sst += Math.pow(DATA.target()[r] - mean, 2);
      }
      assertThat(1 - sse / sst).as("R^2 on the training rows").isGreaterThan(0.8);
    }
  }

  /** Files of other formats, under names XGBoost models have, are refused before XGBoost. */
  @ParameterizedTest
  @ValueSource(strings = {"lightgbm", "onnx", "empty", "other-json", "learner-only", "ubj-array"})
  void refusesAModelOfAnotherFormatWithAClearError(String kind) throws Exception {
    byte[] bytes =
        switch (kind) {
          case "lightgbm" ->
              "tree\nversion=v4\nnum_class=1\nmax_feature_idx=4\n\nTree=0\nnum_leaves=1\n"
                  .getBytes(StandardCharsets.UTF_8);
          case "onnx" -> new byte[] {0x08, 0x07, 0x12, 0x04, 't', 'e', 's', 't', 0x3a, 0x00};
          case "empty" -> new byte[0];
          case "other-json" -> "{\"weights\": [1, 2, 3]}".getBytes(StandardCharsets.UTF_8);
          case "learner-only" -> "{\"learner\": {}}".getBytes(StandardCharsets.UTF_8);
          default -> new byte[] {'[', '#', 'U', 2, 'i', 1, 'i', 2};
        };
    Path file = Files.write(dir.resolve("other-" + kind + ".json"), bytes);
    assertThatThrownBy(() -> format.load(file, ModelFormat.LoadOptions.defaults()))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"))
        .hasMessageContaining("other-" + kind + ".json")
        .hasMessageContaining("XGBoost model");
  }

  @Test
  void multiClassModelGivesOneProbabilityPerClassMatchingXgboost() throws Exception {
    float[][] expected = libraryPredictions(multi);
    try (Predictor p = format.load(save(multi, "multi.ubj"), new ModelFormat.LoadOptions(2))) {
      assertThat(p.signature().outputs())
          .containsExactly(new TensorSpec("output", DataType.FP32, new long[] {-1, 3}));
      float[] actual = predict(p, DATA.x(), DATA.rows());
      double error = maxError(expected, actual);
      System.out.printf("xgboost parity multi:softprob: max |error| = %.3e%n", error);
      assertThat(error).isLessThanOrEqualTo(PARITY);
      assertThat(actual[0] + actual[1] + actual[2])
          .isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void linearBoosterMatchesXgboostAndIsServedFromManyThreads() throws Exception {
    Booster linear =
        train(Map.of("objective", "binary:logistic", "booster", "gblinear"), DATA.y(), 10);
    try {
      float[][] expected = libraryPredictions(linear);
      try (Predictor p =
          format.load(save(linear, "linear.json"), ModelFormat.LoadOptions.defaults())) {
        assertThat(maxError(expected, predict(p, DATA.x(), DATA.rows())))
            .isLessThanOrEqualTo(PARITY);
        assertCorrectFromEightThreads(p, expected);
      }
    } finally {
      linear.dispose();
    }
  }

  @Test
  void readsTheSignatureFromTheModel() throws Exception {
    try (Predictor p = format.load(save(binary, "m.json"), ModelFormat.LoadOptions.defaults())) {
      assertThat(p.signature().inputs())
          .containsExactly(new TensorSpec("input", DataType.FP32, new long[] {-1, 5}));
      assertThat(p.signature().outputs())
          .containsExactly(new TensorSpec("output", DataType.FP32, new long[] {-1, 1}));
      Tensor out =
          p.infer(Map.of("input", input(DATA.rows(0, 3), 3)), Set.of("output")).get("output");
      assertThat(out.shape()).containsExactly(3, 1);
      assertThat(p.infer(Map.of("input", input(new float[0], 0)), Set.of()).get("output").shape())
          .containsExactly(0, 1);
    }
  }

  @Test
  void refusesAFileThatIsNotAModelWithAClearError() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.json"), "this is not a model");
    assertThatThrownBy(() -> format.load(junk, ModelFormat.LoadOptions.defaults()))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"))
        .hasMessageContaining("junk.json")
        .hasMessageContaining("XGBoost model");
  }

  /**
   * XGBoost's UBJSON reader copies past the end of a cut-off file and crashes the JVM; every prefix
   * of a model must instead be refused with a clear error.
   */
  @ParameterizedTest
  @ValueSource(strings = {"json", "ubj"})
  void refusesEveryTruncation(String encoding) throws Exception {
    byte[] whole = Files.readAllBytes(save(multi, "whole." + encoding));
    Path cut = dir.resolve("cut." + encoding);
    int refused = 0;
    for (int length = 0; length < whole.length; length += 1 + length / 50) {
      Files.write(cut, Arrays.copyOf(whole, length));
      assertThatThrownBy(() -> format.load(cut, ModelFormat.LoadOptions.defaults()))
          .as("cut at %d of %d", length, whole.length)
          .isInstanceOfSatisfying(
              InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"))
          .hasMessageContaining("cut." + encoding);
      refused++;
    }
    System.out.printf("xgboost truncation %s: %d cuts refused%n", encoding, refused);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"left_children\":\\[1,->\"left_children\":[0,", // a child link back to the root
        "\"split_indices\":\\[\\d+->\"split_indices\":[99", // a feature the model does not have
        "\"parents\":\\[2147483647,0->\"parents\":[2147483647,99", // a parent out of range
        "\"tree_info\":\\[0->\"tree_info\":[5", // an output group the model does not have
        "\"num_nodes\":\"\\d+\"->\"num_nodes\":\"1000\"", // arrays shorter than declared
        "\\{\"learner\"->xgboost binary{\"learner\"", // not JSON: like the legacy binary format
      })
  void refusesADamagedModelInsteadOfCrashing(String damage) throws Exception {
    String[] parts = damage.split("->", 2);
    String text = Files.readString(save(binary, "ok.json"));
    String broken = text.replaceFirst(parts[0], parts[1]);
    assertThat(broken).isNotEqualTo(text);
    Path file = Files.writeString(dir.resolve("damaged.json"), broken);
    assertThatThrownBy(() -> format.load(file, ModelFormat.LoadOptions.defaults()))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"))
        .hasMessageContaining("damaged.json");
  }

  /**
   * Random damage to a UBJSON model (seeded): each damaged file is refused, or loads and predicts
   * finite numbers (damage to a split value or a leaf weight is not detectable). Before the checks
   * in {@link Ubjson} and {@link ModelCheck}, such files crashed the JVM in XGBoost's loader or
   * predictor.
   */
  @Test
  void randomlyDamagedUbjsonIsRefusedOrServedNeverACrash() throws Exception {
    byte[] whole = Files.readAllBytes(save(multi, "whole.ubj"));
    java.util.Random random = new java.util.Random(20240611);
    Path file = dir.resolve("damaged.ubj");
    int refused = 0;
    int served = 0;
    for (int k = 0; k < 300; k++) {
      byte[] bad = whole.clone();
      for (int j = 0, n = 1 + random.nextInt(3); j < n; j++) {
        bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
      }
      Files.write(file, bad);
      try (Predictor p = format.load(file, ModelFormat.LoadOptions.defaults())) {
        float[] out = predict(p, DATA.x(), DATA.rows());
        assertThat(out).hasSize(DATA.rows() * 3);
        served++;
      } catch (InvalidInputException e) {
        assertThat(e.field()).isEqualTo("model");
        refused++;
      }
    }
    System.out.printf("xgboost random damage: %d refused, %d served%n", refused, served);
    assertThat(refused).isPositive();
  }

  @Test
  void loadsPrettyPrintedJsonWhateverTheFileName() throws Exception {
    String text = Files.readString(save(binary, "compact.json"));
    Path pretty =
        Files.writeString(
            dir.resolve("artifact-sha256"), "\n  " + text.replaceFirst("\\{", "{\n    "));
    float[][] expected = libraryPredictions(binary);
    try (Predictor p = format.load(pretty, ModelFormat.LoadOptions.defaults())) {
      assertThat(maxError(expected, predict(p, DATA.x(), DATA.rows()))).isLessThanOrEqualTo(PARITY);
    }
  }

  @Test
  void refusesAMissingFile() {
    assertThatThrownBy(
            () -> format.load(dir.resolve("absent.json"), ModelFormat.LoadOptions.defaults()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("absent.json");
  }

  @Test
  void refusesAnInputOfTheWrongShapeOrType() throws Exception {
    try (Predictor p = format.load(save(binary, "m.json"), ModelFormat.LoadOptions.defaults())) {
      Tensor fourColumns = new Tensor("input", DataType.FP32, new long[] {1, 4}, new float[4]);
      assertThatThrownBy(() -> p.infer(Map.of("input", fourColumns), Set.of()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("inputs.input.shape")
          .hasMessageContaining("[n, 5]");
      Tensor doubles = new Tensor("input", DataType.FP64, new long[] {1, 5}, new double[5]);
      assertThatThrownBy(() -> p.infer(Map.of("input", doubles), Set.of()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("FP32");
      assertThatThrownBy(() -> p.infer(Map.of("input", input(new float[5], 1)), Set.of("proba")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("proba");
    }
  }

  @Test
  void servesEightThreadsAtOnceWithCorrectResults() throws Exception {
    float[][] expected = libraryPredictions(binary);
    try (Predictor p = format.load(save(binary, "m.ubj"), new ModelFormat.LoadOptions(2))) {
      assertCorrectFromEightThreads(p, expected);
    }
  }

  private static void assertCorrectFromEightThreads(Predictor p, float[][] expected)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Double>> errors = new ArrayList<>();
      for (int i = 0; i < 800; i++) {
        int from = (i * 37) % (DATA.rows() - 10);
        int n = 1 + i % 10;
        errors.add(
            pool.submit(
                () ->
                    maxError(
                        Arrays.copyOfRange(expected, from, from + n),
                        predict(p, DATA.rows(from, from + n), n))));
      }
      for (Future<Double> e : errors) {
        assertThat(e.get()).isLessThanOrEqualTo(PARITY);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesCallsAfterClose() throws Exception {
    Predictor p = format.load(save(binary, "m.json"), ModelFormat.LoadOptions.defaults());
    p.close();
    p.close(); // idempotent
    assertThatThrownBy(() -> predict(p, DATA.rows(0, 1), 1))
        .isInstanceOf(ModelUnavailableException.class);
  }

  @Test
  void closingWhileCallsRunNeitherCrashesNorGivesWrongAnswers() throws Exception {
    float[][] expected = libraryPredictions(binary);
    Predictor p = format.load(save(binary, "m.json"), ModelFormat.LoadOptions.defaults());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch started = new CountDownLatch(8);
    List<Future<Integer>> served = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      served.add(
          pool.submit(
              () -> {
                started.countDown();
                int ok = 0;
                while (true) {
                  try {
                    float[] out = predict(p, DATA.x(), DATA.rows());
                    assertThat(maxError(expected, out)).isLessThanOrEqualTo(PARITY);
                    ok++;
                  } catch (ModelUnavailableException e) {
                    return ok;
                  }
                }
              }));
    }
    started.await();
    Thread.sleep(50);
    p.close();
    for (Future<Integer> f : served) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(0);
    }
    pool.shutdownNow();
  }
}

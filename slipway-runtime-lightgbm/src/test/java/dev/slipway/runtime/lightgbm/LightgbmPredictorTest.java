package dev.slipway.runtime.lightgbm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.ml.lightgbm.PredictionType;
import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMDataset;
import io.github.metarank.lightgbm4j.LGBMException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LightgbmPredictorTest {
  private static final double PARITY = 1e-6;
  private static final SyntheticData DATA = SyntheticData.generate(42, 500);
  private static final String COMMON =
      " num_leaves=8 learning_rate=0.3 min_data_in_leaf=10 seed=7 deterministic=true"
          + " num_threads=1 verbose=-1";

  @TempDir Path dir;
  private final LightgbmFormat format = new LightgbmFormat();
  // A booster keeps a pointer to its training data: the datasets must outlive the boosters.
  private final List<LGBMDataset> datasets = new ArrayList<>();
  private LGBMBooster binary;
  private LGBMBooster multi;
  private LGBMBooster regression;

  @BeforeAll
  void train() throws LGBMException {
    binary = train("objective=binary", DATA.y(), 20);
    multi = train("objective=multiclass num_class=3", DATA.threeClasses(), 10);
    regression = train("objective=regression", DATA.target(), 30);
  }

  @AfterAll
  void dispose() throws LGBMException {
    binary.close();
    multi.close();
    regression.close();
    for (LGBMDataset d : datasets) {
      d.close();
    }
  }

  private LGBMBooster train(String objective, float[] labels, int rounds) throws LGBMException {
    LGBMDataset train =
        LGBMDataset.createFromMat(
            DATA.x(), DATA.rows(), DATA.cols(), true, "max_bin=63 verbose=-1", null);
    datasets.add(train);
    train.setField("label", labels);
    LGBMBooster booster = LGBMBooster.create(train, objective + COMMON);
    for (int i = 0; i < rounds; i++) {
      booster.updateOneIter();
    }
    return booster;
  }

  /**
   * LightGBM's own predictions for all rows, from the in-memory booster through lightgbm4j's {@code
   * predictForMat}. Only for one-output models: for 3+ classes that method overruns its buffer.
   */
  private static double[] libraryPredictions(LGBMBooster booster) throws LGBMException {
    return booster.predictForMat(
        DATA.x(), DATA.rows(), DATA.cols(), true, PredictionType.C_API_PREDICT_NORMAL);
  }

  /**
   * LightGBM's own (transformed) scores of the training rows, kept by the booster while training,
   * turned from class-major to row-major.
   */
  private static double[] trainingPredictions(LGBMBooster booster, int classes)
      throws LGBMException {
    double[] classMajor = booster.getPredict(0);
    int n = DATA.rows();
    double[] out = new double[n * classes];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < classes; c++) {
        out[r * classes + c] = classMajor[c * n + r];
      }
    }
    return out;
  }

  private Path save(LGBMBooster booster, String fileName) throws Exception {
    String text = booster.saveModelToString(0, 0, LGBMBooster.FeatureImportanceType.SPLIT);
    return Files.writeString(dir.resolve(fileName), text, StandardCharsets.UTF_8);
  }

  private static Tensor input(float[] rows, int n) {
    return new Tensor(LightgbmPredictor.INPUT, DataType.FP32, new long[] {n, 5}, rows);
  }

  private static double[] predict(Predictor p, float[] rows, int n) {
    return (double[]) p.infer(Map.of("input", input(rows, n)), Set.of()).get("output").data();
  }

  private static double maxError(double[] expected, double[] actual) {
    assertThat(actual).hasSameSizeAs(expected);
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(expected[i] - actual[i]));
    }
    return max;
  }

  @Test
  void isFoundByServiceLoaderAsLightgbm() {
    assertThat(ServiceLoader.load(ModelFormat.class).stream().map(p -> p.get().name()))
        .contains("lightgbm");
  }

  @Test
  void recognizesLightgbmTextModelsButNotOtherFiles() throws Exception {
    assertThat(format.recognizes(save(binary, "m.txt"))).isTrue();
    assertThat(format.recognizes(save(binary, "m.lgbm"))).isTrue();
    assertThat(format.recognizes(Files.writeString(dir.resolve("notes.txt"), "hello"))).isFalse();
    assertThat(format.recognizes(Files.copy(dir.resolve("m.txt"), dir.resolve("m.json"))))
        .isFalse();
    assertThat(format.recognizes(dir.resolve("absent.txt"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void binaryClassifierMatchesLightgbmsOwnPredictions(int threads) throws Exception {
    double[] expected = libraryPredictions(binary);
    try (Predictor p =
        format.load(save(binary, "binary.txt"), new ModelFormat.LoadOptions(threads))) {
      double[] actual = predict(p, DATA.x(), DATA.rows());
      double error = maxError(expected, actual);
      System.out.printf(
          "lightgbm parity binary (%d threads): max |error| = %.3e over %d rows%n",
          threads, error, DATA.rows());
      assertThat(error).isLessThanOrEqualTo(PARITY);
      int correct = 0;
      for (int r = 0; r < DATA.rows(); r++) {
        correct += (actual[r] > 0.5) == (DATA.y()[r] == 1) ? 1 : 0;
      }
      assertThat(correct).as("the model learned the rule").isGreaterThan(450);
    }
  }

  @Test
  void regressionModelMatchesLightgbmsOwnPredictions() throws Exception {
    double[] expected = libraryPredictions(regression);
    try (Predictor p =
        format.load(save(regression, "regression.txt"), ModelFormat.LoadOptions.defaults())) {
      assertThat(p.signature().outputs())
          .containsExactly(new TensorSpec("output", DataType.FP64, new long[] {-1, 1}));
      double[] actual = predict(p, DATA.x(), DATA.rows());
      double error = maxError(expected, actual);
      System.out.printf(
          "lightgbm parity regression: max |error| = %.3e over %d rows%n", error, DATA.rows());
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

  @Test
  void multiClassModelGivesOneProbabilityPerClassMatchingLightgbm() throws Exception {
    double[] expected = trainingPredictions(multi, 3);
    try (Predictor p = format.load(save(multi, "multi.txt"), ModelFormat.LoadOptions.defaults())) {
      assertThat(p.signature().outputs())
          .containsExactly(new TensorSpec("output", DataType.FP64, new long[] {-1, 3}));
      double[] actual = predict(p, DATA.x(), DATA.rows());
      double error = maxError(expected, actual);
      System.out.printf("lightgbm parity multiclass: max |error| = %.3e%n", error);
      assertThat(error).isLessThanOrEqualTo(PARITY);
      assertThat(actual[0] + actual[1] + actual[2]).isCloseTo(1.0, Offset.offset(1e-9));
    }
  }

  @Test
  void readsTheSignatureFromTheModel() throws Exception {
    try (Predictor p = format.load(save(binary, "m.txt"), ModelFormat.LoadOptions.defaults())) {
      assertThat(p.signature().inputs())
          .containsExactly(new TensorSpec("input", DataType.FP32, new long[] {-1, 5}));
      assertThat(p.signature().outputs())
          .containsExactly(new TensorSpec("output", DataType.FP64, new long[] {-1, 1}));
      Tensor out =
          p.infer(Map.of("input", input(DATA.rows(0, 3), 3)), Set.of("output")).get("output");
      assertThat(out.shape()).containsExactly(3, 1);
      assertThat(p.infer(Map.of("input", input(new float[0], 0)), Set.of()).get("output").shape())
          .containsExactly(0, 1);
    }
  }

  @Test
  void refusesAFileThatIsNotAModelWithAClearError() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.txt"), "this is not a model");
    assertThatThrownBy(() -> format.load(junk, ModelFormat.LoadOptions.defaults()))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"))
        .hasMessageContaining("junk.txt")
        .hasMessageContaining("LightGBM");
  }

  /** Files of other formats, under names LightGBM would accept, are refused before LightGBM. */
  @ParameterizedTest
  @ValueSource(strings = {"xgboost-json", "onnx", "empty", "binary-junk", "csv"})
  void refusesAModelOfAnotherFormatWithAClearError(String kind) throws Exception {
    byte[] bytes =
        switch (kind) {
          case "xgboost-json" ->
              "{\"learner\":{\"learner_model_param\":{\"num_feature\":\"5\"}},\"version\":[3,0,4]}"
                  .getBytes(StandardCharsets.UTF_8);
          case "onnx" -> new byte[] {0x08, 0x07, 0x12, 0x04, 't', 'e', 's', 't', 0x3a, 0x00};
          case "empty" -> new byte[0];
          case "binary-junk" ->
              new java.util.Random(1)
                  .ints(4096, 0, 256)
                  .collect(java.io.ByteArrayOutputStream::new, (b, i) -> b.write(i), (a, b) -> {})
                  .toByteArray();
          default -> "x0,x1,x2,x3,x4,y\n1,2,3,4,5,1\n".getBytes(StandardCharsets.UTF_8);
        };
    Path file = Files.write(dir.resolve("other-" + kind + ".txt"), bytes);
    assertThat(format.recognizes(file)).isFalse();
    assertThatThrownBy(() -> format.load(file, ModelFormat.LoadOptions.defaults()))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"))
        .hasMessageContaining("other-" + kind + ".txt")
        .hasMessageContaining("LightGBM text model");
  }

  @Test
  void binaryModelAlsoMatchesLightgbmsTrainingScores() throws Exception {
    double[] expected = trainingPredictions(binary, 1);
    try (Predictor p = format.load(save(binary, "m.txt"), ModelFormat.LoadOptions.defaults())) {
      double error = maxError(expected, predict(p, DATA.x(), DATA.rows()));
      System.out.printf("lightgbm parity binary vs training scores: max |error| = %.3e%n", error);
      assertThat(error).isLessThanOrEqualTo(PARITY);
    }
  }

  /**
   * LightGBM's own parser reads past the end of a cut-off file and aborts the JVM; every prefix of
   * a model must instead be refused with a clear error, or (when only the trailing parameters are
   * cut) load and predict exactly as the whole model.
   */
  @ParameterizedTest
  @ValueSource(strings = {"binary", "multi"})
  void refusesEveryTruncationOrServesTheWholeModel(String which) throws Exception {
    LGBMBooster booster = which.equals("binary") ? binary : multi;
    byte[] whole = Files.readAllBytes(save(booster, "whole.txt"));
    double[] expected;
    try (Predictor p = format.load(dir.resolve("whole.txt"), ModelFormat.LoadOptions.defaults())) {
      expected = predict(p, DATA.x(), DATA.rows());
    }
    int refused = 0;
    int served = 0;
    for (int length = 0; length < whole.length; length += 1 + length / 50) {
      Path cut = Files.write(dir.resolve("cut.txt"), Arrays.copyOf(whole, length));
      try (Predictor p = format.load(cut, ModelFormat.LoadOptions.defaults())) {
        assertThat(predict(p, DATA.x(), DATA.rows())).as("cut at %d", length).isEqualTo(expected);
        served++;
      } catch (InvalidInputException e) {
        assertThat(e.field()).isEqualTo("model");
        assertThat(e.getMessage()).contains("cut.txt");
        refused++;
      }
    }
    System.out.printf(
        "lightgbm truncation %s: %d cuts refused, %d (parameters cut only) served%n",
        which, refused, served);
    assertThat(refused).isGreaterThan(100);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "left_child=([^\\n]*)->left_child=0 $1", // a node pointing at the root: a cycle
        "split_feature=\\d+->split_feature=99", // a feature the model does not have
        "leaf_value=\\S+ ->leaf_value=", // one leaf value missing
        "num_leaves=\\d+->num_leaves=x", // not a number
        "Tree=1->Tree-1", // a tree header damaged
        "end of trees->end of tree", // the end marker damaged
      })
  void refusesADamagedModelInsteadOfCrashing(String damage) throws Exception {
    String[] parts = damage.split("->", 2);
    String text = Files.readString(save(binary, "ok.txt"), StandardCharsets.ISO_8859_1);
    String broken = text.replaceFirst(parts[0], parts[1]);
    assertThat(broken).isNotEqualTo(text);
    Path file = Files.writeString(dir.resolve("damaged.txt"), broken, StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> format.load(file, ModelFormat.LoadOptions.defaults()))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("model"))
        .hasMessageContaining("damaged.txt");
  }

  @Test
  void refusesAMissingFile() {
    assertThatThrownBy(
            () -> format.load(dir.resolve("absent.txt"), ModelFormat.LoadOptions.defaults()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("absent.txt");
  }

  @Test
  void refusesAnInputOfTheWrongShapeOrType() throws Exception {
    try (Predictor p = format.load(save(binary, "m.txt"), ModelFormat.LoadOptions.defaults())) {
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
    double[] expected = libraryPredictions(binary);
    try (Predictor p = format.load(save(binary, "m.txt"), new ModelFormat.LoadOptions(2))) {
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
  }

  @Test
  void refusesCallsAfterClose() throws Exception {
    Predictor p = format.load(save(binary, "m.txt"), ModelFormat.LoadOptions.defaults());
    p.close();
    p.close(); // idempotent
    assertThatThrownBy(() -> predict(p, DATA.rows(0, 1), 1))
        .isInstanceOf(ModelUnavailableException.class);
  }

  @Test
  void closingWhileCallsRunNeitherCrashesNorGivesWrongAnswers() throws Exception {
    double[] expected = libraryPredictions(binary);
    Predictor p = format.load(save(binary, "m.txt"), ModelFormat.LoadOptions.defaults());
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
                    double[] out = predict(p, DATA.x(), DATA.rows());
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

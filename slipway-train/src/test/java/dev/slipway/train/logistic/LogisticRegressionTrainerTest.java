package dev.slipway.train.logistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import dev.slipway.api.codec.TabularSpec;
import dev.slipway.train.ServedModel;
import dev.slipway.train.TrainedModel;
import dev.slipway.train.data.AdClickGenerator;
import dev.slipway.train.data.TrainTestSplit;
import dev.slipway.train.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.ImmutableFeatureMap;

class LogisticRegressionTrainerTest {
  private static final AdClickGenerator GENERATOR = new AdClickGenerator(2024);
  private static TrainTestSplit<Record> split;
  private static LogisticRegressionTrainer.Fit fit;
  private static TrainedModel model;
  private static ServedModel served;

  @BeforeAll
  static void trainOnTwentyThousandDemoRows() {
    split = TrainTestSplit.of(GENERATOR.generate(20_000), 0.2, 1);
    LogisticRegressionTrainer trainer =
        new LogisticRegressionTrainer(LogisticRegressionTrainer.Options.defaults(2024));
    fit = trainer.fit(GENERATOR.schema(), AdClickGenerator.LABEL, "click", split.train());
    model = trainer.complete(fit, split.train(), split.test());
    served = new ServedModel(model);
  }

  @AfterAll
  static void close() {
    served.close();
  }

  @Test
  void heldOutAucIsWellAboveChanceAndNearTheGroundTruth() {
    double[] truth =
        split.test().stream().mapToDouble(AdClickGenerator::groundTruthLogit).toArray();
    double ceiling = Metrics.auc(truth, positives(split.test()));
    System.out.printf(
        "held-out AUC %.4f (ground-truth logit %.4f), log loss %.4f%n",
        model.metrics().get("auc"), ceiling, model.metrics().get("log_loss"));
    assertThat(model.metrics().get("auc")).isGreaterThan(0.7).isGreaterThan(ceiling - 0.02);
  }

  @Test
  void reportedMetricsAreWhatTheServedModelScores() {
    float[] scores = served.scores(split.test());
    double[] p = new double[scores.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = scores[i];
    }
    boolean[] actual = positives(split.test());
    assertThat(model.metrics().get("auc")).isEqualTo(Metrics.auc(p, actual));
    assertThat(model.metrics().get("log_loss")).isEqualTo(Metrics.logLoss(p, actual));
  }

  @Test
  void onnxRuntimeAgreesWithTribuosJavaPredictions() {
    double[] java = fit.javaScores(split.test());
    float[] onnx = served.scores(split.test());
    double maxError = 0;
    for (int i = 0; i < java.length; i++) {
      maxError = Math.max(maxError, Math.abs(java[i] - onnx[i]));
    }
    System.out.printf("max |Tribuo - ONNX Runtime| over %d rows: %.3g%n", java.length, maxError);
    assertThat(maxError).isLessThan(1e-5);
  }

  @Test
  void specColumnsFollowTheModelsFeatureIdsAndLabelsItsOutputIds() {
    ImmutableFeatureMap features = fit.model().getFeatureIDMap();
    List<String> byId = new ArrayList<>();
    for (int id = 0; id < features.size(); id++) {
      byId.add(features.get(id).getName());
    }
    assertThat(model.spec().columns().stream().map(LogisticRegressionTrainer::featureName))
        .containsExactlyElementsOf(byId);
    assertThat(model.spec().labels())
        .containsExactly(
            fit.model().getOutputIDInfo().getOutput(0).getLabel(),
            fit.model().getOutputIDInfo().getOutput(1).getLabel());
  }

  @Test
  void specDescribesTheExportedModelsInputAndOutput() {
    TabularSpec spec = model.spec();
    assertThat(served.predictor().signature().inputs())
        .containsExactly(new TensorSpec(spec.inputName(), DataType.FP32, new long[] {-1, 17}));
    assertThat(served.predictor().signature().outputs())
        .containsExactly(new TensorSpec(spec.outputName(), DataType.FP32, new long[] {-1, 2}));
    assertThat(spec.fields()).extracting(Field::name).isEqualTo(GENERATOR.schema().names());
    assertThat(spec.fields()).noneMatch(Field::nullable);
    assertThat(spec.positiveLabel()).isEqualTo("click");
    assertThat(spec.columns()).hasSize(4 + 3 + 6 + 4);
  }

  @Test
  void probabilitiesSumToOne() {
    Tensor probabilities = served.predict(split.test().subList(0, 100)).get("probabilities");
    float[] p = (float[]) probabilities.data();
    for (int i = 0; i < 100; i++) {
      assertThat(p[2 * i] + p[2 * i + 1])
          .isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-6f));
    }
  }

  @Test
  void aRecordWithAnUnseenCategoryStillPredicts() {
    Record known = split.test().get(0);
    Record unseen = known.with(Map.of("device", "smart_tv", "site_category", "travel"));
    Map<String, Tensor> out = served.predict(List.of(known, unseen));
    float score = ((float[]) out.get("score").data())[1];
    assertThat(score).isBetween(0f, 1f);
    assertThat(out.get("label").get(1)).isIn("click", "no_click");
  }

  @Test
  void trainingRowsWithOneLabelAreRefused() {
    List<Record> rows =
        List.of(Record.of(Map.of("x", 1.0, "y", "a")), Record.of(Map.of("x", 2.0, "y", "a")));
    Schema schema = new Schema(List.of(Field.numeric("x", DataType.FP64, null, null, "")));
    LogisticRegressionTrainer trainer =
        new LogisticRegressionTrainer(LogisticRegressionTrainer.Options.defaults(1));
    assertThatThrownBy(() -> trainer.train(schema, "y", "b", rows, rows))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly two");
  }

  @Test
  void aNonNumericValueInANumericFieldIsRefusedWithRowAndField() {
    List<Record> rows =
        List.of(Record.of(Map.of("x", 1.0, "y", "a")), Record.of(Map.of("x", "two", "y", "b")));
    Schema schema = new Schema(List.of(Field.numeric("x", DataType.FP64, null, null, "")));
    LogisticRegressionTrainer trainer =
        new LogisticRegressionTrainer(LogisticRegressionTrainer.Options.defaults(1));
    assertThatThrownBy(() -> trainer.train(schema, "y", "b", rows, rows))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("train[1].x");
  }

  @Test
  void categoricalFieldWithoutADomainLearnsItFromTheTrainingRows() {
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(Record.of(Map.of("c", i % 3 == 0 ? "red" : "blue", "y", i % 3 == 0 ? "yes" : "no")));
    }
    Schema schema = new Schema(List.of(new Field("c", DataType.BYTES, true, null, null, null, "")));
    TrainedModel small =
        new LogisticRegressionTrainer(LogisticRegressionTrainer.Options.defaults(1))
            .train(schema, "y", "yes", rows, rows);
    assertThat(small.spec().fields().get(0).domain()).containsExactly("blue", "red");
    assertThat(small.metrics().get("auc")).isEqualTo(1.0);
  }

  private static boolean[] positives(List<Record> records) {
    boolean[] b = new boolean[records.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = AdClickGenerator.CLICK.equals(records.get(i).get(AdClickGenerator.LABEL));
    }
    return b;
  }
}

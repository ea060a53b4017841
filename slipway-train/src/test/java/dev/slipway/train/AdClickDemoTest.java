package dev.slipway.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.Record;
import dev.slipway.train.data.AdClickGenerator;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdClickDemoTest {

  @Test
  void sameSeedTrainsAByteIdenticalModelWithIdenticalPredictions() {
    TrainedModel first = AdClickDemo.train(7, 20_000);
    TrainedModel second = AdClickDemo.train(7, 20_000);

    assertThat(second.onnx()).isEqualTo(first.onnx());
    assertThat(second).isEqualTo(first);
    List<Record> records = new AdClickGenerator(99).generate(1_000);
    try (ServedModel a = new ServedModel(first);
        ServedModel b = new ServedModel(second)) {
      assertThat(b.scores(records)).isEqualTo(a.scores(records));
    }
  }

  @Test
  void anotherSeedTrainsAnotherModel() {
    TrainedModel a = AdClickDemo.train(7, 5_000);
    TrainedModel b = AdClickDemo.train(8, 5_000);
    assertThat(b.onnx()).isNotEqualTo(a.onnx());
    assertThat(b.parameters().get("training_data_sha256"))
        .isNotEqualTo(a.parameters().get("training_data_sha256"));
  }

  @Test
  void holdsOutAFifthOfTheRowsAndReportsServingMetrics() {
    TrainedModel model = AdClickDemo.train(3, 20_000);
    assertThat(model.metrics())
        .containsEntry("train_rows", 16_000.0)
        .containsEntry("test_rows", 4_000.0)
        .containsKeys("auc", "log_loss", "accuracy", "positive_rate");
    assertThat(model.metrics().get("auc")).isGreaterThan(0.7);
    assertThat(model.metrics().get("positive_rate")).isBetween(0.02, 0.08);
    assertThat(model.parameters())
        .containsEntry("seed", "3")
        .containsEntry("epochs", "10")
        .containsEntry("learning_rate", "0.1")
        .containsEntry("rows", "16000")
        .containsKey("training_data_sha256");
    assertThat(model.spec().positiveLabel()).isEqualTo("click");
  }
}

package dev.slipway.api.codec;

import dev.slipway.api.Field;
import java.util.List;
import java.util.Objects;

/**
 * The declared preprocessing of a classifier over tabular records, stored with a model version: the
 * raw fields, the encoded columns in the order the model's single input expects them, and the class
 * labels in the order of the model's probability output.
 *
 * @param inputName the model's input tensor, FP32 {@code [n, columns.size()]}
 * @param outputName the model's output tensor of class probabilities, {@code [n, labels.size()]}
 * @param fields the raw record fields
 * @param columns the encoded columns
 * @param labels class labels, in output order
 * @param positiveLabel for a binary classifier, the label whose probability is the {@code score}
 */
public record TabularSpec(
    String inputName,
    String outputName,
    List<Field> fields,
    List<Column> columns,
    List<String> labels,
    String positiveLabel) {

  public TabularSpec {
    Objects.requireNonNull(inputName, "inputName");
    Objects.requireNonNull(outputName, "outputName");
    fields = List.copyOf(fields);
    columns = List.copyOf(columns);
    labels = List.copyOf(labels);
  }

  /**
   * One encoded column: a standardised number ({@code (x - mean) / scale}) when {@code category} is
   * null, else the indicator {@code field == category} (1 or 0).
   */
  public record Column(String field, String category, double mean, double scale) {
    public static Column numeric(String field, double mean, double scale) {
      return new Column(field, null, mean, scale);
    }

    public static Column indicator(String field, String category) {
      return new Column(field, category, 0, 1);
    }

    public boolean isIndicator() {
      return category != null;
    }
  }
}

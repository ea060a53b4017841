package dev.slipway.api.codec;

import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * The request check of a model that takes one FP32 feature matrix {@code [n, features]} and gives
 * one output (the tree-model runtimes). Stateless.
 */
public final class FeatureMatrix {
  private FeatureMatrix() {}

  /**
   * Checks that only {@code output} is asked for and that {@code input} is an FP32 {@code [n,
   * features]} matrix.
   *
   * @return the input matrix
   * @throws InvalidInputException naming {@code outputs}, or the input, its datatype or its shape
   */
  public static Tensor require(
      Map<String, Tensor> inputs, Set<String> outputs, String input, String output, int features) {
    for (String name : outputs) {
      if (!output.equals(name)) {
        throw InvalidInputException.of("outputs", name, "one of [" + output + "]");
      }
    }
    String shapeText = "[n, " + features + "]";
    Tensor x = inputs.get(input);
    if (x == null) {
      throw InvalidInputException.missing("inputs." + input, "FP32 " + shapeText);
    }
    if (x.type() != DataType.FP32) {
      throw InvalidInputException.of("inputs." + input + ".datatype", x.type().name(), "FP32");
    }
    long[] shape = x.shape();
    if (shape.length != 2 || shape[1] != features) {
      throw InvalidInputException.of(
          "inputs." + input + ".shape", Arrays.toString(shape), shapeText);
    }
    return x;
  }
}

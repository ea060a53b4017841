package dev.slipway.serving;

import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Tensor;
import dev.slipway.api.codec.TypedArrays;

/**
 * Casts a request tensor to the element type a model declares, only where no value changes: a wider
 * integer, an integer a float holds exactly, FP32 to FP64, and FP64 to FP32 when the value is
 * exactly representable. Stateless.
 */
final class TensorCasts {
  private TensorCasts() {}

  static Tensor cast(Tensor t, DataType target, String field) {
    if (t.type() == target) {
      return t;
    }
    boolean compatible =
        (t.type().isNumeric() && target.isNumeric())
            || t.type() == target; // BOOL, BYTES exact only
    if (!compatible) {
      throw InvalidInputException.of(field, t.type().name(), "datatype " + target);
    }
    int n = (int) t.size();
    Object out = TypedArrays.allocate(target, n);
    for (int i = 0; i < n; i++) {
      Object v = t.get(i);
      String problem = TypedArrays.store(target, out, i, v);
      if (problem == null
          && target == DataType.FP32
          && v instanceof Double d
          && (float) (double) d != d) {
        problem = "a value FP32 holds exactly";
      }
      if (problem != null) {
        throw InvalidInputException.of(
            field.replace(".datatype", ".data[" + i + "]"),
            v,
            problem + " (the model's input is " + target + ")");
      }
    }
    return new Tensor(t.name(), target, t.shape(), out);
  }
}

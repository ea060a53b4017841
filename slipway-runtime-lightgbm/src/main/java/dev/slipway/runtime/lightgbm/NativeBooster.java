package dev.slipway.runtime.lightgbm;

import com.microsoft.ml.lightgbm.SWIGTYPE_p_double;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_float;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_int;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_long_long;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_p_void;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_void;
import com.microsoft.ml.lightgbm.lightgbmlib;
import com.microsoft.ml.lightgbm.lightgbmlibConstants;
import dev.slipway.api.ModelFailureException;

/**
 * A LightGBM booster handle driven through LightGBM's C API (the SWIG bindings lightgbm4j ships),
 * not through {@code LGBMBooster.predictForMat}: that method sizes its output buffer as {@code 2 *
 * rows} whatever the number of classes, so a model with 3 or more classes overruns the native heap
 * and aborts the JVM (lightgbm4j 4.3.0-1). Here the buffer size comes from LightGBM ({@code
 * LGBM_BoosterCalcNumPredict}).
 *
 * <p>{@link #predict} may run on many threads at once (LightGBM takes a shared lock on the booster
 * and every call has its own buffers). {@link #free} must not overlap any other call: the caller
 * guarantees that.
 */
final class NativeBooster {
  private final SWIGTYPE_p_void handle;

  private NativeBooster(SWIGTYPE_p_void handle) {
    this.handle = handle;
  }

  /**
   * Loads a model from text that {@link ModelText} has checked.
   *
   * @throws NativeException when LightGBM refuses the model
   * @throws ModelFailureException when LightGBM's native library cannot be loaded on this machine
   */
  static NativeBooster load(ModelText model) throws NativeException {
    NativeLibrary.load(); // before any other LightGBM class, lightgbmlibConstants above all
    SWIGTYPE_p_p_void out = lightgbmlib.new_voidpp();
    SWIGTYPE_p_int iterations = lightgbmlib.new_intp();
    try {
      check(lightgbmlib.LGBM_BoosterLoadModelFromString(model.text, iterations, out));
      return new NativeBooster(lightgbmlib.voidpp_value(out));
    } finally {
      lightgbmlib.delete_intp(iterations);
      lightgbmlib.delete_voidpp(out);
    }
  }

  int numFeatures() throws NativeException {
    return intResult(Query.FEATURES);
  }

  int numClasses() throws NativeException {
    return intResult(Query.CLASSES);
  }

  int numTrees() throws NativeException {
    return intResult(Query.TREES);
  }

  private enum Query {
    FEATURES,
    CLASSES,
    TREES
  }

  private int intResult(Query query) throws NativeException {
    SWIGTYPE_p_int out = lightgbmlib.new_intp();
    try {
      check(
          switch (query) {
            case FEATURES -> lightgbmlib.LGBM_BoosterGetNumFeature(handle, out);
            case CLASSES -> lightgbmlib.LGBM_BoosterGetNumClasses(handle, out);
            case TREES -> lightgbmlib.LGBM_BoosterNumberOfTotalModel(handle, out);
          });
      return lightgbmlib.intp_value(out);
    } finally {
      lightgbmlib.delete_intp(out);
    }
  }

  /** The number of values a normal prediction gives for {@code rows} rows. */
  long outputSize(int rows) throws NativeException {
    SWIGTYPE_p_long_long out = lightgbmlib.new_int64_tp();
    try {
      check(
          lightgbmlib.LGBM_BoosterCalcNumPredict(
              handle, rows, lightgbmlibConstants.C_API_PREDICT_NORMAL, 0, -1, out));
      return lightgbmlib.int64_tp_value(out);
    } finally {
      lightgbmlib.delete_int64_tp(out);
    }
  }

  /**
   * Normal (transformed) predictions for a row-major matrix, row-major, all trees.
   *
   * @param parameters LightGBM prediction parameters, e.g. {@code num_threads=2}
   */
  double[] predict(float[] data, int rows, int cols, long size, String parameters)
      throws NativeException {
    SWIGTYPE_p_float input = lightgbmlib.new_floatArray(data.length);
    SWIGTYPE_p_double output = lightgbmlib.new_doubleArray(size);
    SWIGTYPE_p_long_long length = lightgbmlib.new_int64_tp();
    try {
      for (int i = 0; i < data.length; i++) {
        lightgbmlib.floatArray_setitem(input, i, data[i]);
      }
      check(
          lightgbmlib.LGBM_BoosterPredictForMat(
              handle,
              lightgbmlib.float_to_voidp_ptr(input),
              lightgbmlibConstants.C_API_DTYPE_FLOAT32,
              rows,
              cols,
              1,
              lightgbmlibConstants.C_API_PREDICT_NORMAL,
              0,
              -1,
              parameters,
              length,
              output));
      long n = lightgbmlib.int64_tp_value(length);
      if (n != size) {
        throw new NativeException("LightGBM returned " + n + " values, expected " + size);
      }
      double[] out = new double[(int) size];
      for (int i = 0; i < out.length; i++) {
        out[i] = lightgbmlib.doubleArray_getitem(output, i);
      }
      return out;
    } finally {
      lightgbmlib.delete_int64_tp(length);
      lightgbmlib.delete_doubleArray(output);
      lightgbmlib.delete_floatArray(input);
    }
  }

  void free() throws NativeException {
    check(lightgbmlib.LGBM_BoosterFree(handle));
  }

  private static void check(int code) throws NativeException {
    if (code != 0) {
      throw new NativeException(lightgbmlib.LGBM_GetLastError());
    }
  }

  /** LightGBM reported an error. */
  static final class NativeException extends Exception {
    NativeException(String message) {
      super(message);
    }
  }
}

package dev.slipway.runtime.xgboost;

import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFailureException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.Signature;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * An XGBoost booster behind Slipway's {@link Predictor}.
 *
 * <p>Signature: one input {@value #INPUT}, FP32 {@code [-1, nFeatures]} (nFeatures from the model;
 * NaN marks a missing value, as in XGBoost), and one output {@value #OUTPUT}, FP32 {@code [-1, k]}:
 * exactly what XGBoost's {@code predict} returns, so k = 1 for regression and {@code
 * binary:logistic} (the probability of class 1), k = the number of classes for {@code
 * multi:softprob}, 1 for {@code multi:softmax} (the class index). k is measured at load by
 * predicting one all-missing row.
 *
 * <p>Thread-safe. XGBoost (since 1.4) documents prediction on a tree booster ({@code gbtree},
 * {@code dart}) as safe to run concurrently, so those calls run in parallel; prediction on a {@code
 * gblinear} booster has no such guarantee, so those calls are serialised (and go through a DMatrix:
 * {@code gblinear} has no in-place prediction). {@link #close} waits for calls in flight, then
 * frees the native booster; later calls fail with {@link ModelUnavailableException}.
 */
public final class XgboostPredictor implements Predictor {
  /** The name of the one input. */
  public static final String INPUT = "input";

  /** The name of the one output. */
  public static final String OUTPUT = "output";

  private final Booster booster;
  private final int features;
  private final int width;
  private final Signature signature;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Lock serial; // null when predictions may run concurrently
  private volatile boolean closed;

  /**
   * Takes ownership of {@code booster}: it is disposed of on close.
   *
   * @param model what {@link ModelCheck} found in the file
   * @throws DamagedModelException when XGBoost disagrees with the file on the number of features
   */
  XgboostPredictor(Booster booster, ModelCheck.Checked model)
      throws XGBoostError, DamagedModelException {
    this.booster = booster;
    long n = booster.getNumFeature();
    if (n != model.features()) {
      throw new DamagedModelException(
          "XGBoost reports " + n + " features, the model " + model.features());
    }
    this.features = (int) n;
    this.serial = model.booster().equals("gblinear") ? new ReentrantLock() : null;
    float[] missingRow = new float[features];
    Arrays.fill(missingRow, Float.NaN);
    this.width = predictRows(missingRow, 1)[0].length;
    this.signature =
        new Signature(
            List.of(new TensorSpec(INPUT, DataType.FP32, new long[] {-1, features})),
            List.of(new TensorSpec(OUTPUT, DataType.FP32, new long[] {-1, width})));
  }

  @Override
  public Signature signature() {
    return signature;
  }

  /**
   * Predicts a batch.
   *
   * @throws InvalidInputException when {@value #INPUT} is missing, not FP32 or not {@code [n,
   *     nFeatures]}, or an unknown output is asked for
   * @throws ModelFailureException when XGBoost fails
   * @throws ModelUnavailableException after {@link #close}
   */
  @Override
  public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
    Tensor x =
        dev.slipway.api.codec.FeatureMatrix.require(inputs, outputs, INPUT, OUTPUT, features);
    int rows = (int) x.shape()[0];
    ReentrantReadWriteLock.ReadLock read = lifecycle.readLock();
    read.lock();
    try {
      if (closed) {
        throw new ModelUnavailableException("model is unloaded");
      }
      return Map.of(
          OUTPUT, new Tensor(OUTPUT, DataType.FP32, new long[] {rows, width}, run(x, rows)));
    } finally {
      read.unlock();
    }
  }

  private float[] run(Tensor x, int rows) {
    float[] out = new float[rows * width];
    if (rows == 0) {
      return out;
    }
    float[][] result;
    if (serial != null) {
      serial.lock();
    }
    try {
      result = predictRows((float[]) x.data(), rows);
    } catch (XGBoostError | RuntimeException e) {
      throw new ModelFailureException("XGBoost failed: " + e.getMessage(), e);
    } finally {
      if (serial != null) {
        serial.unlock();
      }
    }
    if (result.length != rows) {
      throw new ModelFailureException(
          "XGBoost returned " + result.length + " rows for " + rows + " inputs");
    }
    for (int r = 0; r < rows; r++) {
      if (result[r].length != width) {
        throw new ModelFailureException(
            "XGBoost returned " + result[r].length + " values per row, expected " + width);
      }
      System.arraycopy(result[r], 0, out, r * width, width);
    }
    return out;
  }

  /**
   * Tree boosters predict in place (no DMatrix copy); {@code gblinear} does not support that, so it
   * goes through a DMatrix, as XGBoost's own {@code predict} does.
   */
  private float[][] predictRows(float[] data, int rows) throws XGBoostError {
    if (serial == null) {
      return booster.inplace_predict(data, rows, features, Float.NaN);
    }
    DMatrix matrix = new DMatrix(data, rows, features, Float.NaN);
    try {
      return booster.predict(matrix);
    } finally {
      matrix.dispose();
    }
  }

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        booster.dispose();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }
}

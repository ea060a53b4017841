package dev.slipway.runtime.lightgbm;

import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFailureException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.Signature;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A LightGBM booster behind Slipway's {@link Predictor}.
 *
 * <p>Signature: one input {@value #INPUT}, FP32 {@code [-1, nFeatures]} (nFeatures from the model;
 * NaN marks a missing value, as in LightGBM), and one output {@value #OUTPUT}, FP64 {@code [-1,
 * k]}: exactly what LightGBM's normal prediction returns (doubles, no precision lost), so k = 1 for
 * regression and {@code binary} (the probability of class 1) and k = {@code num_class} for {@code
 * multiclass}; k is asked of LightGBM at load.
 *
 * <p>Thread-safe. LightGBM's C API takes a shared (reader) lock on the booster in {@code
 * LGBM_BoosterPredictForMat} and every call has its own native buffers, so calls run in parallel on
 * one booster, each with {@code intraOpThreads} OpenMP threads (LightGBM keeps that number in a
 * process-wide setting, so models loaded with different values race on it: a matter of speed, not
 * of results). {@link #close} waits for calls in flight, then frees the native booster; later calls
 * fail with {@link ModelUnavailableException}.
 */
public final class LightgbmPredictor implements Predictor {
  /** The name of the one input. */
  public static final String INPUT = "input";

  /** The name of the one output. */
  public static final String OUTPUT = "output";

  private final NativeBooster booster;
  private final int features;
  private final int width;
  private final String parameters;
  private final Signature signature;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /** Takes ownership of {@code booster}: it is freed on close. */
  LightgbmPredictor(NativeBooster booster, ModelText model, int threads)
      throws NativeBooster.NativeException {
    this.booster = booster;
    this.features = booster.numFeatures();
    int trees = booster.numTrees();
    if (features != model.features || trees != model.trees) {
      throw new NativeBooster.NativeException(
          "LightGBM read "
              + trees
              + " trees over "
              + features
              + " features, the file holds "
              + model.trees
              + " over "
              + model.features);
    }
    long perRow = booster.outputSize(1);
    if (perRow <= 0 || perRow > 1 << 20) {
      throw new NativeBooster.NativeException("LightGBM predicts " + perRow + " values per row");
    }
    this.width = (int) perRow;
    this.parameters = "num_threads=" + threads;
    this.signature =
        new Signature(
            List.of(new TensorSpec(INPUT, DataType.FP32, new long[] {-1, features})),
            List.of(new TensorSpec(OUTPUT, DataType.FP64, new long[] {-1, width})));
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
   * @throws ModelFailureException when LightGBM fails
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
          OUTPUT, new Tensor(OUTPUT, DataType.FP64, new long[] {rows, width}, run(x, rows)));
    } finally {
      read.unlock();
    }
  }

  private double[] run(Tensor x, int rows) {
    if (rows == 0) {
      return new double[0];
    }
    try {
      return booster.predict(
          (float[]) x.data(), rows, features, Math.multiplyExact((long) rows, width), parameters);
    } catch (NativeBooster.NativeException | RuntimeException e) {
      throw new ModelFailureException("LightGBM failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        try {
          booster.free();
        } catch (NativeBooster.NativeException e) {
          throw new ModelFailureException("could not free LightGBM booster: " + e.getMessage(), e);
        }
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }
}

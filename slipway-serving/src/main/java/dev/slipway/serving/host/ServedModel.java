package dev.slipway.serving.host;

import dev.slipway.api.DataType;
import dev.slipway.api.Field;
import dev.slipway.api.Predictor;
import dev.slipway.api.Record;
import dev.slipway.api.Schema;
import dev.slipway.api.Signature;
import dev.slipway.api.Tensor;
import dev.slipway.api.TensorSpec;
import dev.slipway.api.codec.RecordCodec;
import dev.slipway.api.codec.TypedArrays;
import dev.slipway.registry.ModelVersion;
import java.util.Optional;

/**
 * One loaded model version: its registry entry, its predictor and how it sees records. Thread-safe
 * (all parts are); closing it frees the predictor.
 */
public final class ServedModel implements AutoCloseable {
  private final ModelVersion version;
  private final String ref;
  private final Predictor predictor;
  private final RecordCodec codec;
  private final boolean tabular;

  private final Deployment deployment;
  private final java.util.concurrent.Semaphore slots;
  private final dev.slipway.serving.batching.DynamicBatcher batcher;

  ServedModel(ModelVersion version, Predictor predictor, RecordCodec codec, boolean tabular) {
    this(version, predictor, codec, tabular, Deployment.defaults());
  }

  ServedModel(
      ModelVersion version,
      Predictor predictor,
      RecordCodec codec,
      boolean tabular,
      Deployment deployment) {
    this.version = version;
    this.ref = version.name() + "/" + version.version();
    this.predictor = predictor;
    this.codec = codec;
    this.tabular = tabular;
    this.deployment = deployment;
    // Fair: first come, first served. A non-fair semaphore lets a thread that just released a slot
    // take it again ahead of parked waiters, which starved some callers for seconds under load.
    this.slots = new java.util.concurrent.Semaphore(deployment.instances(), true);
    boolean batchable =
        deployment.batching() != null
            && java.util.stream.Stream.concat(
                    predictor.signature().inputs().stream(),
                    predictor.signature().outputs().stream())
                .allMatch(s -> s.shape().length > 0 && s.shape()[0] < 0);
    this.batcher =
        batchable
            ? new dev.slipway.serving.batching.DynamicBatcher(
                predictor,
                deployment.batching().maxBatchSize(),
                deployment.batching().maxQueueDelay(),
                deployment.instances(),
                version.name() + "-" + version.version())
            : null;
  }

  private volatile long approxMemoryBytes = -1;

  /**
   * The growth of the process's resident memory while this version was loaded and warmed up: an
   * estimate of its native memory (ONNX Runtime allocates outside the Java heap), -1 if unknown.
   * Concurrent loads blur it.
   */
  public long approxMemoryBytes() {
    return approxMemoryBytes;
  }

  void approxMemoryBytes(long value) {
    approxMemoryBytes = value;
  }

  public Deployment deployment() {
    return deployment;
  }

  /** Whether calls go through the dynamic batcher (batching set and every dimension 0 dynamic). */
  public boolean batching() {
    return batcher != null;
  }

  /**
   * Runs the model under its deployment settings: through the dynamic batcher when it has one,
   * otherwise directly with at most {@code instances} calls at once.
   *
   * @throws dev.slipway.api.ModelUnavailableException when the latency budget runs out waiting
   */
  public java.util.Map<String, Tensor> infer(
      java.util.Map<String, Tensor> inputs, java.util.Set<String> outputs) {
    if (batcher != null) {
      java.util.Map<String, Tensor> all = batcher.infer(inputs, deployment.latencyBudget());
      if (outputs.isEmpty()) {
        return all;
      }
      java.util.Map<String, Tensor> selected = new java.util.LinkedHashMap<>();
      all.forEach(
          (k, v) -> {
            if (outputs.contains(k)) {
              selected.put(k, v);
            }
          });
      return selected;
    }
    try {
      if (!slots.tryAcquire(
          deployment.latencyBudget().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
        throw new dev.slipway.api.ModelUnavailableException(
            "model '"
                + name()
                + "' is busy: no free instance within its latency budget of "
                + deployment.latencyBudget().toMillis()
                + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new dev.slipway.api.ModelUnavailableException(
          "interrupted while waiting for the model", e);
    }
    try {
      return predictor.infer(inputs, outputs);
    } finally {
      slots.release();
    }
  }

  public String name() {
    return version.name();
  }

  public int number() {
    return version.version();
  }

  /** {@code name/number}, e.g. {@code ad-click/3}: made once, for the per-request lookups. */
  public String ref() {
    return ref;
  }

  public ModelVersion version() {
    return version;
  }

  public Predictor predictor() {
    return predictor;
  }

  /** How records map to this model, or empty when its inputs are not columns. */
  public Optional<RecordCodec> codec() {
    return Optional.ofNullable(codec);
  }

  /**
   * Whether the model declares a record preprocessing; then its public inputs are the record
   * fields, not the raw model inputs.
   */
  public boolean tabular() {
    return tabular;
  }

  /** The inputs and outputs a caller sees (the record columns for a tabular model). */
  public Signature publicSignature() {
    return tabular ? codec.columns() : predictor.signature();
  }

  /**
   * Runs one synthetic request (sample values from the schema, or zeros shaped like the inputs), so
   * that the first real request does not pay for ONNX Runtime's lazy initialisation.
   *
   * @throws RuntimeException when the model cannot answer it
   */
  void warmUp() {
    java.util.Map<String, Tensor> inputs;
    if (codec != null) {
      inputs = codec.encode(java.util.List.of(Record.of(sampleRecord(codec.schema()))));
    } else {
      inputs = zeros(predictor.signature());
    }
    predictor.infer(inputs, java.util.Set.of());
  }

  /** Zeros (empty strings) shaped like the inputs of a signature, dynamic dimensions as 1. */
  static java.util.Map<String, Tensor> zeros(Signature signature) {
    java.util.Map<String, Tensor> inputs = new java.util.LinkedHashMap<>();
    for (TensorSpec in : signature.inputs()) {
      long[] shape = in.shape();
      long n = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? 1 : shape[i];
        n *= shape[i];
      }
      Object data = TypedArrays.allocate(in.type(), (int) n);
      if (data instanceof String[] s) {
        java.util.Arrays.fill(s, "");
      }
      inputs.put(in.name(), new Tensor(in.name(), in.type(), shape, data));
    }
    return inputs;
  }

  /** A plausible record for a schema: the first category, the middle of a numeric range. */
  public static java.util.Map<String, Object> sampleRecord(Schema schema) {
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    for (Field f : schema.fields()) {
      out.put(f.name(), sampleValue(f));
    }
    return out;
  }

  /**
   * A plausible value of a field: its first category, the middle of its range, or 0/true/"text".
   */
  public static Object sampleValue(Field f) {
    if (!f.domain().isEmpty()) {
      return f.domain().get(0);
    }
    if (f.type() == DataType.BOOL) {
      return true;
    }
    if (f.type().isNumeric()) {
      double lo = f.min() == null ? 0 : f.min();
      double hi = f.max() == null ? lo + 1 : f.max();
      double mid = (lo + hi) / 2;
      return f.type().isIntegral() ? (Object) Math.round(mid) : (Object) mid;
    }
    return "text";
  }

  @Override
  public void close() {
    if (batcher != null) {
      batcher.close();
    }
    predictor.close();
  }
}

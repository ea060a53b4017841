package dev.slipway.serving.host;

import dev.slipway.api.Predictor;
import dev.slipway.api.Signature;
import dev.slipway.api.codec.RecordCodec;
import dev.slipway.registry.ModelVersion;
import java.util.Optional;

/**
 * One loaded model version: its registry entry, its predictor and how it sees records. Thread-safe
 * (all parts are); closing it frees the predictor.
 */
public final class ServedModel implements AutoCloseable {
  private final ModelVersion version;
  private final Predictor predictor;
  private final RecordCodec codec;
  private final boolean tabular;

  ServedModel(ModelVersion version, Predictor predictor, RecordCodec codec, boolean tabular) {
    this.version = version;
    this.predictor = predictor;
    this.codec = codec;
    this.tabular = tabular;
  }

  public String name() {
    return version.name();
  }

  public int number() {
    return version.version();
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

  @Override
  public void close() {
    predictor.close();
  }
}

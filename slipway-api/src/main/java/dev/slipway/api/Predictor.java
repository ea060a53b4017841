package dev.slipway.api;

import java.util.Map;
import java.util.Set;

/**
 * A loaded model that turns input tensors into output tensors.
 *
 * <p>Implementations are thread-safe: {@link #infer} may be called from many threads at once.
 * {@link #close} releases native resources; calls after it fail with {@link
 * ModelUnavailableException}.
 */
public interface Predictor extends AutoCloseable {

  /** The inputs and outputs this model declares. */
  Signature signature();

  /**
   * Runs the model.
   *
   * @param inputs one tensor per declared input, keyed by input name, already of the declared type
   *     and a fitting shape
   * @param outputs the names of the outputs wanted; empty means all
   * @return the requested outputs, keyed by name, in the model's order
   * @throws ModelFailureException when the runtime fails on these inputs
   */
  Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs);

  @Override
  void close();
}

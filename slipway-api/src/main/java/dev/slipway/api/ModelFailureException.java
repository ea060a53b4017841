package dev.slipway.api;

/**
 * The model itself failed on a valid request (runtime error, bad output). This is the trigger for a
 * fallback chain; without one it maps to HTTP 500 with a message that does not leak internals.
 */
public final class ModelFailureException extends SlipwayException {
  public ModelFailureException(String message, Throwable cause) {
    super(message, cause);
  }

  public ModelFailureException(String message) {
    super(message);
  }

  @Override
  public String kind() {
    return "model_failure";
  }
}

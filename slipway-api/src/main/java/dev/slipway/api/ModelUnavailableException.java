package dev.slipway.api;

/** The model exists but cannot answer now (loading, draining, overloaded); retriable. HTTP 503. */
public final class ModelUnavailableException extends SlipwayException {
  public ModelUnavailableException(String message) {
    super(message);
  }

  public ModelUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String kind() {
    return "unavailable";
  }
}

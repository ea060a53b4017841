package dev.slipway.api;

/** No model or version answers to the given reference. Maps to HTTP 404. */
public final class ModelNotFoundException extends SlipwayException {
  public ModelNotFoundException(String message) {
    super(message);
  }

  @Override
  public String kind() {
    return "not_found";
  }
}

package dev.slipway.api;

/** The request conflicts with stored state, e.g. a version that already exists. HTTP 409. */
public final class ConflictException extends SlipwayException {
  public ConflictException(String message) {
    super(message);
  }

  @Override
  public String kind() {
    return "conflict";
  }
}

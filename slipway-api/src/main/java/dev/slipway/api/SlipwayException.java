package dev.slipway.api;

/**
 * The one error hierarchy of Slipway. Each subtype tells the caller what to do: fix the request
 * ({@link InvalidInputException}), use another name ({@link ModelNotFoundException}), retry later
 * ({@link ModelUnavailableException}), fall back ({@link ModelFailureException}) or resolve a
 * conflict ({@link ConflictException}). Transports map these to status codes in exactly one place.
 */
public abstract sealed class SlipwayException extends RuntimeException
    permits InvalidInputException,
        ModelNotFoundException,
        ModelUnavailableException,
        ModelFailureException,
        ConflictException {

  protected SlipwayException(String message) {
    super(message);
  }

  protected SlipwayException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A short, stable name of the error kind, used as a metric label. */
  public abstract String kind();
}

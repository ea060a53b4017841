package dev.slipway.api;

/**
 * The caller sent something Slipway cannot use. The message names the field, the value received and
 * what was expected, so that the caller can fix the request. Maps to HTTP 400 (or 413 when {@link
 * #tooLarge()}).
 */
public final class InvalidInputException extends SlipwayException {
  private final String field;
  private final boolean tooLarge;

  private InvalidInputException(String field, String message, boolean tooLarge) {
    super(message);
    this.field = field;
    this.tooLarge = tooLarge;
  }

  /**
   * A field had a value that does not fit.
   *
   * @param field the field's path as the caller wrote it, e.g. {@code inputs[0].datatype}
   * @param value the offending value (shortened when long)
   * @param expected what would have been accepted
   */
  public static InvalidInputException of(String field, Object value, String expected) {
    return new InvalidInputException(
        field, "field '" + field + "': got " + describe(value) + ", expected " + expected, false);
  }

  /** A required field is absent. */
  public static InvalidInputException missing(String field, String expected) {
    return new InvalidInputException(
        field, "field '" + field + "' is missing, expected " + expected, false);
  }

  /** The request body is over the configured limit. */
  public static InvalidInputException tooLarge(long limitBytes) {
    return new InvalidInputException(
        "body",
        "field 'body': request body is larger than the limit of "
            + limitBytes
            + " bytes; send fewer records per request or raise server.maxRequestBytes",
        true);
  }

  /** The field path the error is about. */
  public String field() {
    return field;
  }

  public boolean tooLarge() {
    return tooLarge;
  }

  @Override
  public String kind() {
    return tooLarge ? "too_large" : "invalid_input";
  }

  /** Renders a value for an error message: quoted strings, shortened to 80 characters. */
  public static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    String s = value instanceof CharSequence ? "\"" + value + "\"" : String.valueOf(value);
    if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
      s = d.toString();
    }
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}

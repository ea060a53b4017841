package dev.slipway.cli.client;

/**
 * A Slipway server refused a request: its status code and the message of its {@code {"error":
 * "..."}} body, which says what to fix (the same message the registry gives locally).
 */
public final class ServerError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public ServerError(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status: 400 bad input, 404 unknown model/version/alias, 409 refused change, ... */
  public int status() {
    return status;
  }
}

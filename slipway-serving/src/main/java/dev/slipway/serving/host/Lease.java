package dev.slipway.serving.host;

/**
 * A model version held for the duration of one request: while any lease is open the version is not
 * unloaded, so a swap drains in-flight requests instead of failing them. Close exactly once.
 */
public interface Lease extends AutoCloseable {
  ServedModel model();

  @Override
  void close();
}

package dev.slipway.batch;

/**
 * A snapshot of a running job.
 *
 * @param rowsRead input rows read so far (including those still being scored)
 * @param rowsWritten rows whose verdict is written (scored or rejected)
 * @param rejected rows rejected so far
 * @param bytesRead input bytes consumed so far
 * @param bytesTotal the input's size in bytes
 * @param chunksInFlight chunks read but not yet written: never more than the job's bound
 */
public record BatchProgress(
    long rowsRead,
    long rowsWritten,
    long rejected,
    long bytesRead,
    long bytesTotal,
    int chunksInFlight) {

  /** Receives progress after every chunk written; called on the job's thread. */
  @FunctionalInterface
  public interface Listener {
    void update(BatchProgress progress);

    Listener NONE = p -> {};
  }
}

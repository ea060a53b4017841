package dev.slipway.batch;

import java.io.IOException;

/**
 * Where a job writes: its output and rejects sinks, and where its checkpoint lives. A checkpoint is
 * saved only after both sinks have made their rows durable, so that it never claims rows that are
 * not there; a resumed job cuts the sinks back to it. Not thread-safe.
 */
interface Target extends AutoCloseable {

  /**
   * The unfinished job's checkpoint, or null to start afresh.
   *
   * @throws dev.slipway.api.ConflictException when the output is a finished job's and may not be
   *     overwritten
   */
  Checkpoint checkpoint() throws IOException;

  /** Opens the sinks, cut back to the checkpoint (null: empty). */
  void open(Checkpoint resume) throws IOException;

  RowSink output();

  RowSink rejects();

  /** Saves a checkpoint (the sinks' states are in it) after the sinks were prepared. */
  void commit(Checkpoint cp) throws IOException;

  /** Publishes the finished output and rejects with the summary; the output comes last. */
  void finish(BatchSummary summary) throws IOException;

  /** The output, for messages. */
  String describe();

  @Override
  void close();
}

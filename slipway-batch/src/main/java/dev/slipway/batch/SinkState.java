package dev.slipway.batch;

import java.util.List;

/**
 * What a sink had made durable at a checkpoint, so that a resumed job can cut it back to exactly
 * that.
 *
 * @param at the sink's position: bytes for CSV and JSON Lines, committed part files for Parquet,
 *     rows for a table (informational: a table's rows commit with the checkpoint)
 * @param columns the columns written, or null while no row has been
 * @param types the columns' types ({@link ColumnType} names) for typed sinks, else null
 */
record SinkState(long at, List<String> columns, List<String> types) {
  static final SinkState EMPTY = new SinkState(0, null, null);
}

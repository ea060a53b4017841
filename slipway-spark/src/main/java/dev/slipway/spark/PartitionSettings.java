package dev.slipway.spark;

import dev.slipway.batch.DataFormat;
import java.io.Serializable;
import java.time.Clock;
import java.util.List;

/**
 * What every partition of one job needs besides the model, shipped to the executors with the task.
 * Immutable.
 *
 * @param input the input file, for error messages
 * @param inputFormat how input lines are read
 * @param header the CSV header's column names as written (untrimmed), or null for JSON Lines
 * @param outputFormat how output and rejects lines are written
 * @param keyColumn the key column, or null for the row number
 * @param chunkSize rows per pipeline call
 * @param guard the guards the model is served with
 * @param clock the source of {@code scored_at}
 * @param outputDir the directory the output part files go to
 * @param rejectsDir the directory the rejects part files go to
 */
record PartitionSettings(
    String input,
    DataFormat inputFormat,
    List<String> header,
    DataFormat outputFormat,
    String keyColumn,
    int chunkSize,
    SparkGuards guard,
    Clock clock,
    String outputDir,
    String rejectsDir)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** A part file's name: {@code part-00007.csv}. */
  String partName(int partition) {
    return String.format(
        java.util.Locale.ROOT,
        "part-%05d.%s",
        partition,
        outputFormat.name().toLowerCase(java.util.Locale.ROOT));
  }
}

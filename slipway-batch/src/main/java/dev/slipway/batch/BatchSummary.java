package dev.slipway.batch;

/**
 * The outcome of a finished job, also written as {@code <output>.summary.json}.
 *
 * @param model the model name
 * @param modelVersion the version that scored every row (pinned when the job started)
 * @param rowsIn input rows read
 * @param scored rows written to the output
 * @param rejected rows written to the rejects file
 * @param durationMillis wall time of this run (a resumed job: of the last run only)
 * @param resumedAtRow the row the last run started from (0 for a job that was never interrupted)
 * @param finished always true in a summary file: the output is complete
 */
public record BatchSummary(
    String model,
    int modelVersion,
    long rowsIn,
    long scored,
    long rejected,
    long durationMillis,
    long resumedAtRow,
    boolean finished) {}

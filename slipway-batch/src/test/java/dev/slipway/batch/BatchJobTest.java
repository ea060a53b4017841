package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BatchJobTest {
  @Test
  void eachOutputKindHasItsCheckpointInterval() {
    Path in = Path.of("in.csv");
    assertThat(BatchJob.of("m", in, Path.of("out.csv")).checkpointEvery())
        .isEqualTo(BatchJob.CHECKPOINT_EVERY);
    assertThat(BatchJob.of("m", in, Path.of("out.parquet")).checkpointEvery())
        .isEqualTo(BatchJob.PARQUET_CHECKPOINT_EVERY);
    // a table's rows wait in the driver's batch until their checkpoint: at most 8 chunks of them
    JdbcOutput table = JdbcOutput.of("jdbc:h2:mem:x", "scores");
    assertThat(BatchJob.of("m", in, Path.of("out.csv")).withJdbcOutput(table).checkpointEvery())
        .isEqualTo(BatchJob.TABLE_CHECKPOINT_EVERY);
    assertThat(
            BatchJob.of("m", in, Path.of("out.csv"))
                .withChunking(100, 2, 3)
                .withJdbcOutput(table)
                .checkpointEvery())
        .isEqualTo(3);
  }
}

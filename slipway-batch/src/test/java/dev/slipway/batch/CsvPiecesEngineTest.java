package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import dev.slipway.serving.Pipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CSV job on more than one thread has its file cut into pieces that the workers parse ({@link
 * CsvPieces}); its output, rejects and summary are those of the one-thread job that reads the file
 * row by row — with quoted cells, quoted line feeds, CRLF line ends and bad rows — and a job
 * stopped inside a piece resumes there.
 */
class CsvPiecesEngineTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-07T03:00:00Z"), ZoneOffset.UTC);

  @TempDir static Path dir;
  static Path home;
  static Path input;
  static String header;
  static List<String> rows;

  @BeforeAll
  static void setUp() throws Exception {
    home = dir.resolve("home");
    AdClickHome.create(home);
    Path plain = dir.resolve("plain.csv");
    new dev.slipway.train.data.AdClickGenerator(5).writeCsv(plain, 3_000);
    List<String> lines = Files.readAllLines(plain);
    header = lines.get(0);
    rows = new ArrayList<>(lines.subList(1, lines.size()));
    input = dir.resolve("in.csv");
    Files.writeString(input, text(rows), StandardCharsets.UTF_8);
  }

  /** The rows as a file: some cells quoted, some line ends CRLF, two bad rows (one multi-line). */
  static String text(List<String> rows) {
    StringBuilder out = new StringBuilder(header).append('\n');
    for (int i = 0; i < rows.size(); i++) {
      String[] cells = rows.get(i).split(",", -1);
      if (i % 7 == 3) {
        cells[1] = '"' + cells[1] + '"';
      }
      if (i == 500) {
        cells[2] = "\"two\nlines, \"\"quoted\"\"\""; // parsed as one cell, then rejected
      }
      if (i == 900) {
        cells[0] = "not a number";
      }
      out.append(String.join(",", cells)).append(i % 11 == 5 ? "\r\n" : "\n");
    }
    return out.toString();
  }

  private static BatchSummary run(BatchJob job) {
    try (AdClickHome h = AdClickHome.open(home)) {
      return new BatchEngine(h.pipeline, CLOCK).run(job, p -> {});
    }
  }

  private static BatchJob job(Path out, int chunk, int threads) {
    return BatchJob.of("ad-click@champion", input, out).withChunking(chunk, threads, 1);
  }

  @Test
  void piecesScoreAsTheRowByRowReaderDoes() throws Exception {
    Path serialOut = dir.resolve("serial.csv");
    BatchSummary serial = run(job(serialOut, 100, 1));
    assertThat(serial.rejected()).isGreaterThanOrEqualTo(2);
    for (int[] shape : new int[][] {{100, 2}, {97, 3}, {1, 2}}) {
      Path out = dir.resolve("pieces-" + shape[0] + "-" + shape[1] + ".csv");
      BatchSummary cut = run(job(out, shape[0], shape[1]));
      assertThat(cut.rowsIn()).isEqualTo(serial.rowsIn()).isEqualTo(3_000);
      assertThat(cut.scored()).isEqualTo(serial.scored());
      assertThat(cut.rejected()).isEqualTo(serial.rejected());
      assertThat(Files.readString(out)).isEqualTo(Files.readString(serialOut));
      assertThat(Files.readString(job(out, 1, 1).rejects()))
          .isEqualTo(Files.readString(job(serialOut, 1, 1).rejects()));
    }
    // the multi-line row is one rejected row, keyed by its row number
    assertThat(Files.readString(job(serialOut, 1, 1).rejects())).contains("\n501,");
  }

  @Test
  void aJobStoppedInsideAPieceResumesThere() throws Exception {
    // a row that stops the parser (text after a closing quote) fails the job with its checkpoint
    // left behind
    Path broken = dir.resolve("broken.csv");
    List<String> bad = new ArrayList<>(rows);
    bad.set(2_345, "\"1\" x," + bad.get(2_345));
    Files.writeString(broken, text(bad), StandardCharsets.UTF_8);
    Path out = dir.resolve("resumed.csv");
    BatchJob first = BatchJob.of("ad-click@champion", broken, out).withChunking(100, 2, 1);
    assertThatThrownBy(() -> run(first))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("line 2347");
    long done = Checkpoint.read(first.checkpointFile()).rows();
    assertThat(done).isPositive().isLessThan(2_345); // checkpointed before the bad row's piece

    // the file mended (same rows before the checkpoint), the job goes on with pieces of 97 rows:
    // it starts inside a piece
    Files.writeString(broken, text(rows), StandardCharsets.UTF_8);
    BatchJob again = BatchJob.of("ad-click@champion", broken, out).withChunking(97, 2, 1);
    BatchSummary resumed = run(again);
    assertThat(resumed.resumedAtRow()).isEqualTo(done);
    assertThat(done % 97).as("resumed inside a piece").isNotZero();

    Path reference = dir.resolve("reference.csv");
    run(job(reference, 100, 1));
    assertThat(Files.readString(out)).isEqualTo(Files.readString(reference));
    assertThat(Files.readString(again.rejects()))
        .isEqualTo(Files.readString(job(reference, 1, 1).rejects()));
  }

  @Test
  void aChunkLargerThanOnePipelineCallTakesIsScoredInCallsThePipelineTakes() throws Exception {
    // a pipeline that takes at most 50 records a call: a chunk of 1,000 was refused whole and its
    // rows then run one by one; now the job's chunks are the pipeline's size
    Path reference = dir.resolve("limited-reference.csv");
    try (AdClickHome h = AdClickHome.open(home)) {
      Pipeline limited =
          new Pipeline(
              h.host,
              new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
              n -> null,
              new Pipeline.Limits(50, 10_000_000));
      new BatchEngine(limited, CLOCK).run(job(reference, 50, 1), p -> {});
      for (int threads : new int[] {1, 2}) {
        Path out = dir.resolve("limited-" + threads + ".csv");
        List<Long> written = new ArrayList<>();
        BatchSummary s =
            new BatchEngine(limited, CLOCK)
                .run(job(out, 1_000, threads), p -> written.add(p.rowsWritten()));
        assertThat(s.rowsIn()).isEqualTo(3_000);
        long before = 0;
        for (long w : written) {
          assertThat(w - before).as("rows written by one chunk").isLessThanOrEqualTo(50);
          before = w;
        }
        assertThat(Files.readString(out)).isEqualTo(Files.readString(reference));
      }
    }
  }
}

package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Prediction;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
import dev.slipway.train.data.AdClickGenerator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's output, byte for byte, against the plainest way of making it: every row scored alone
 * through the pipeline and written as a map through the sink's own {@code write}. The engine
 * formats chunks on its workers, straight from the output columns for CSV; this pins that it writes
 * exactly what the row-by-row path writes.
 */
class BatchOutputParityTest {
  private static final Instant AT = Instant.parse("2026-11-23T18:00:00.123456Z");
  @TempDir static Path homeDir;
  @TempDir Path dir;
  private static AdClickHome home;
  private static Pipeline unguarded;

  @BeforeAll
  static void setUp() throws Exception {
    AdClickHome.create(homeDir);
    home = AdClickHome.open(homeDir);
    unguarded =
        new Pipeline(home.host, new SimpleMeterRegistry(), n -> null, Pipeline.Limits.defaults());
  }

  @AfterAll
  static void tearDown() {
    home.close();
  }

  /** A seeded file with bad cells: an unknown category, a number as text, a missing value. */
  private Path input() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(23).writeCsv(in, 2_500);
    List<String> lines = new ArrayList<>(Files.readAllLines(in));
    List<String> header = List.of(lines.get(0).split(","));
    setCell(lines, header, 17, "device", "fridge");
    setCell(lines, header, 900, "user_age", "old");
    setCell(lines, header, 901, "hour", "");
    setCell(lines, header, 2_499, "site_category", "a \"quoted\", odd one");
    Files.write(in, lines);
    return in;
  }

  private static void setCell(
      List<String> lines, List<String> header, int row, String column, String value) {
    String[] cells = lines.get(row).split(",", -1);
    cells[header.indexOf(column)] =
        value.contains(",") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    lines.set(row, String.join(",", cells));
  }

  /** The row-by-row path: one request per row, each row written as a map by the sink. */
  private void reference(Pipeline pipeline, BatchJob job, Path out, Path rejects) throws Exception {
    int version = home.host.get(job.model(), null).number();
    String keyName = job.keyColumn() == null ? BatchEngine.ROW : job.keyColumn();
    try (RowSource source = RowSource.open(job.input(), job.inputFormat());
        TextSink o =
            new TextSink(out.resolveSibling("ref.part"), out, job.outputFormat(), null, null);
        TextSink r =
            new TextSink(
                rejects.resolveSibling("ref-rejects.part"),
                rejects,
                job.outputFormat(),
                FileTarget.REJECT_COLUMNS,
                null)) {
      RowSource.Row row;
      long rowNo = 0;
      while ((row = source.next()) != null) {
        rowNo++;
        Object key = job.keyColumn() == null ? rowNo : row.record().get(job.keyColumn());
        try {
          InferenceResult res =
              pipeline.run(InferenceRequest.ofRecords(job.model(), version, List.of(row.record())));
          Prediction p = res.predictions().get(0);
          Map<String, Object> m = new LinkedHashMap<>();
          m.put(keyName, key);
          m.putAll(p.values());
          if (res.servedBy() != null) {
            m.put("served_by", res.servedBy().get(0));
          }
          m.put("model_version", version);
          m.put("scored_at", AT);
          o.write(m);
        } catch (InvalidInputException e) {
          String field = e.field().replaceFirst("^records\\[0\\]\\.?", "");
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("key", key);
          m.put("row", rowNo);
          m.put("field", field);
          m.put("reason", e.getMessage());
          r.write(m);
        }
      }
      o.publish();
      r.publish();
    }
  }

  private void assertSameAsRowByRow(Pipeline pipeline, DataFormat format, String key)
      throws Exception {
    Path in = input();
    String ext = format == DataFormat.CSV ? ".csv" : ".jsonl";
    Path out = dir.resolve("engine" + ext);
    BatchJob job = BatchJob.of("ad-click", in, DataFormat.CSV, out, format).withChunking(97, 2, 3);
    if (key != null) {
      job = job.withKey(key);
    }
    BatchSummary s = new BatchEngine(pipeline, Clock.fixed(AT, ZoneOffset.UTC)).run(job, p -> {});

    Path refOut = dir.resolve("ref" + ext);
    Path refRejects = dir.resolve("ref.rejects" + ext);
    reference(pipeline, job, refOut, refRejects);
    assertThat(s.rejected()).isGreaterThanOrEqualTo(2);
    assertThat(Files.readString(out)).isEqualTo(Files.readString(refOut));
    assertThat(Files.readString(job.rejects())).isEqualTo(Files.readString(refRejects));
    assertThat(Files.readAllLines(out))
        .hasSize((int) (format == DataFormat.CSV ? 2_501 : 2_500) - (int) s.rejected());
  }

  @Test
  void guardedCsvOutputIsByteForByteTheRowByRowOutput() throws Exception {
    assertSameAsRowByRow(home.pipeline, DataFormat.CSV, null);
  }

  @Test
  void unguardedCsvOutputKeyedByAColumnIsByteForByteTheRowByRowOutput() throws Exception {
    assertSameAsRowByRow(unguarded, DataFormat.CSV, "user_age");
  }

  @Test
  void jsonLinesOutputIsByteForByteTheRowByRowOutput() throws Exception {
    assertSameAsRowByRow(home.pipeline, DataFormat.JSONL, null);
  }
}

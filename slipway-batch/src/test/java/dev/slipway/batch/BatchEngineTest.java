package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.Record;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.train.data.AdClickGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchEngineTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path homeDir;
  @TempDir Path dir;
  private static AdClickHome home;

  @BeforeAll
  static void setUp() throws Exception {
    AdClickHome.create(homeDir);
    home = AdClickHome.open(homeDir);
  }

  @AfterAll
  static void tearDown() {
    home.close();
  }

  private Path csv(int rows) throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(11).writeCsv(in, rows);
    return in;
  }

  /** Replaces the value of a column on a data row (1-based) of a CSV file. */
  private static void setCell(Path csv, int row, String column, String value) throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(csv));
    List<String> header = List.of(lines.get(0).split(","));
    String[] cells = lines.get(row).split(",", -1);
    cells[header.indexOf(column)] = value;
    lines.set(row, String.join(",", cells));
    Files.write(csv, lines);
  }

  @Test
  void scoresCsvIntoCsvWithKeyOutputsVersionAndTimestampInInputOrder() throws Exception {
    Path in = csv(1_500);
    Path out = dir.resolve("out.csv");
    BatchSummary s =
        home.engine()
            .run(BatchJob.of("ad-click@champion", in, out).withChunking(100, 2, 3), p -> {});

    assertThat(s)
        .extracting(BatchSummary::rowsIn, BatchSummary::scored, BatchSummary::rejected)
        .containsExactly(1_500L, 1_500L, 0L);
    assertThat(s.finished()).isTrue();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(1_501);
    String header = lines.get(0);
    assertThat(header).startsWith("row,").endsWith(",served_by,model_version,scored_at");
    int link = List.of(header.split(",")).indexOf("served_by");
    for (int i = 1; i <= 1_500; i++) {
      assertThat(lines.get(i)).startsWith(i + ",");
      // the model is guarded: each row says which link answered it, as online
      assertThat(lines.get(i).split(",")[link]).startsWith("ad-click/");
    }
    // the same scores as one online request for the first rows
    List<Record> first = new AdClickGenerator(11).generate(3);
    var online =
        home.pipeline
            .run(InferenceRequest.ofRecords("ad-click", s.modelVersion(), first))
            .predictions();
    List<String> cols = List.of(header.split(","));
    for (int i = 0; i < 3; i++) {
      String[] cells = lines.get(i + 1).split(",");
      for (Map.Entry<String, Object> e : online.get(i).values().entrySet()) {
        if (e.getValue() instanceof List<?> l) {
          for (int j = 0; j < l.size(); j++) {
            assertThat(cells[cols.indexOf(e.getKey() + "_" + j)])
                .isEqualTo(String.valueOf(l.get(j)));
          }
        } else {
          assertThat(cells[cols.indexOf(e.getKey())]).isEqualTo(String.valueOf(e.getValue()));
        }
      }
      assertThat(cells[cols.indexOf("model_version")]).isEqualTo(String.valueOf(s.modelVersion()));
    }
    assertThat(Files.exists(BatchJob.defaultRejects(out, DataFormat.CSV))).isTrue();
    assertThat(Files.exists(dir.resolve("out.csv.part"))).isFalse();
    assertThat(Files.exists(dir.resolve("out.csv.checkpoint.json"))).isFalse();
    JsonNode summary = JSON.readTree(dir.resolve("out.csv.summary.json").toFile());
    assertThat(summary.get("finished").asBoolean()).isTrue();
    assertThat(summary.get("rowsIn").asLong()).isEqualTo(1_500);
  }

  @Test
  void scoresJsonLinesIntoJsonLinesKeyedByAColumn() throws Exception {
    Path in = dir.resolve("in.jsonl");
    StringBuilder b = new StringBuilder();
    List<Record> rows = new AdClickGenerator(12).generate(300);
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> m = new LinkedHashMap<>(rows.get(i).asMap());
      m.put("id", "u" + i);
      b.append(JSON.writeValueAsString(m)).append('\n');
    }
    Files.writeString(in, b);
    Path out = dir.resolve("out.jsonl");
    BatchSummary s =
        home.engine()
            .run(BatchJob.of("ad-click", in, out).withKey("id").withChunking(64, 2, 1), p -> {});

    assertThat(s.scored()).isEqualTo(300);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(300);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("id").asText()).isEqualTo("u0");
    assertThat(first.get("model_version").asInt()).isEqualTo(s.modelVersion());
    assertThat(first.get("scored_at").asText()).isNotEmpty();
    assertThat(JSON.readTree(lines.get(299)).get("id").asText()).isEqualTo("u299");
  }

  @Test
  void badRowsGoToRejectsWithTheOnlineMessageAndTheJobGoesOn() throws Exception {
    Path in = csv(1_000);
    setCell(in, 3, "hour", "99");
    setCell(in, 500, "user_age", "old");
    Path out = dir.resolve("out.csv");
    Path rejects = dir.resolve("bad.csv");
    BatchSummary s =
        home.engine()
            .run(
                BatchJob.of("ad-click@champion", in, out)
                    .withRejects(rejects)
                    .withChunking(128, 2, 2),
                p -> {});

    assertThat(s.rowsIn()).isEqualTo(1_000);
    assertThat(s.scored()).isEqualTo(998);
    assertThat(s.rejected()).isEqualTo(2);
    List<String> out1 = Files.readAllLines(out);
    assertThat(out1).hasSize(999).noneMatch(l -> l.startsWith("3,") || l.startsWith("500,"));
    assertThat(out1.get(3)).startsWith("4,");

    List<String> rej = Files.readAllLines(rejects);
    assertThat(rej.get(0)).isEqualTo("key,row,field,reason");
    assertThat(rej).hasSize(3);
    // the reason is what the records API answers (400) for that row
    List<Record> rows = new AdClickGenerator(11).generate(3);
    Record bad = rows.get(2).with(Map.of("hour", 99L));
    InvalidInputException online =
        org.junit.jupiter.api.Assertions.assertThrows(
            InvalidInputException.class,
            () ->
                home.pipeline.run(
                    InferenceRequest.ofRecords("ad-click", s.modelVersion(), List.of(bad))));
    assertThat(rej.get(1))
        .startsWith("3,3,hour,")
        .contains(online.getMessage().replace("\"", "\"\""));
    assertThat(rej.get(2)).startsWith("500,500,user_age,").contains("old");
  }

  @Test
  void aMissingInputFileIsAClearErrorAndLeavesNoOutput() {
    Path out = dir.resolve("out.csv");
    assertThatThrownBy(
            () -> home.engine().run(BatchJob.of("ad-click", dir.resolve("nope.csv"), out), p -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nope.csv")
        .hasMessageContaining("an existing CSV");
    assertThat(out).doesNotExist();
  }

  @Test
  void anUnreadableFormatIsAClearErrorAndLeavesNoOutput() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, new byte[] {0x50, 0x4b, 0x03, 0x04, 0, 1, 2, '\n'});
    Path out = dir.resolve("out.jsonl");
    assertThatThrownBy(() -> home.engine().run(BatchJob.of("ad-click", in, out), p -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("JSON Lines");
    assertThat(out).doesNotExist();
  }

  @Test
  void aColumnTheModelNeedsMissingFromTheSourceIsAClearError() throws Exception {
    Path in = dir.resolve("in.csv");
    Files.writeString(in, "hour,ad_position\n3,1\n", StandardCharsets.UTF_8);
    Path out = dir.resolve("out.csv");
    assertThatThrownBy(() -> home.engine().run(BatchJob.of("ad-click", in, out), p -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'user_past_ctr' (FP64)")
        .hasMessageContaining("device");
    assertThat(out).doesNotExist();
  }

  @Test
  void anUnknownModelReferenceIsAClearError() throws Exception {
    Path in = csv(10);
    Path out = dir.resolve("out.csv");
    assertThatThrownBy(() -> home.engine().run(BatchJob.of("ad-click@nope", in, out), p -> {}))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> home.engine().run(BatchJob.of("no-such-model", in, out), p -> {}))
        .isInstanceOf(ModelNotFoundException.class);
    assertThat(out).doesNotExist();
  }

  @Test
  void aFinishedOutputIsNeverOverwritten() throws Exception {
    Path in = csv(10);
    Path out = dir.resolve("out.csv");
    home.engine().run(BatchJob.of("ad-click", in, out), p -> {});
    assertThatThrownBy(() -> home.engine().run(BatchJob.of("ad-click", in, out), p -> {}))
        .isInstanceOf(dev.slipway.api.ConflictException.class)
        .hasMessageContaining("exists");
  }

  @Test
  void theEngineNeverHoldsMoreThanItsBoundOfChunks() throws Exception {
    Path in = csv(20_000);
    Path out = dir.resolve("out.csv");
    // chunks of 25 rows: below the small first chunks' size, so every chunk has 25
    BatchJob job = BatchJob.of("ad-click", in, out).withChunking(25, 2, 10);
    int bound = BatchEngine.maxInFlight(job);
    List<BatchProgress> seen = new ArrayList<>();
    BatchSummary s = home.engine().run(job, seen::add);

    assertThat(s.scored()).isEqualTo(20_000);
    assertThat(seen).hasSize(20_000 / 25);
    // rows read but not yet written: at most the bound's chunks plus the one being read
    assertThat(seen)
        .allSatisfy(
            p -> {
              assertThat(p.chunksInFlight()).isLessThan(bound);
              assertThat(p.rowsRead() - p.rowsWritten()).isLessThanOrEqualTo((long) bound * 25);
            });
    assertThat(seen.get(seen.size() - 1).bytesRead()).isEqualTo(Files.size(in));
  }

  @Test
  void aJobsFirstChunksAreSmallThenOfItsChunkSizeAndTheOutputIsTheSame() throws Exception {
    int warmRows = BatchEngine.WARM_CHUNKS * BatchEngine.WARM_ROWS;
    Path in = csv(warmRows + 5_000);
    for (int threads : new int[] {1, 2}) {
      Path out = dir.resolve("warm-" + threads + ".csv");
      List<BatchProgress> seen = new ArrayList<>();
      home.engine()
          .run(BatchJob.of("ad-click", in, out).withChunking(2048, threads, 10), seen::add);

      List<Long> sizes = new ArrayList<>();
      long before = 0;
      for (BatchProgress p : seen) {
        sizes.add(p.rowsWritten() - before);
        before = p.rowsWritten();
      }
      assertThat(sizes.subList(0, BatchEngine.WARM_CHUNKS))
          .containsOnly((long) BatchEngine.WARM_ROWS);
      assertThat(sizes.subList(BatchEngine.WARM_CHUNKS, sizes.size()))
          .containsExactly(2048L, 2048L, 5_000L - 4096);
      // the same rows as one chunk of everything would give, bar the scoring time
      Path whole = dir.resolve("whole-" + threads + ".csv");
      home.engine().run(BatchJob.of("ad-click", in, whole).withChunking(10_000, 1, 10), p -> {});
      assertThat(withoutScoredAt(out)).isEqualTo(withoutScoredAt(whole));
    }
  }

  /** A CSV output's lines without their last cell, scored_at (the time each chunk was scored). */
  private static List<String> withoutScoredAt(Path csv) throws java.io.IOException {
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      lines.add(line.substring(0, line.lastIndexOf(',')));
    }
    return lines;
  }

  @Test
  void aJsonLinesLineThatIsNotAnObjectIsRejectedAndTheJobGoesOn() throws Exception {
    Path in = dir.resolve("in.jsonl");
    List<Record> rows = new AdClickGenerator(13).generate(3);
    Files.writeString(
        in,
        JSON.writeValueAsString(rows.get(0).asMap())
            + "\n{not json\n[1,2]\n"
            + JSON.writeValueAsString(rows.get(1).asMap())
            + "\n");
    Path out = dir.resolve("out.jsonl");
    BatchSummary s = home.engine().run(BatchJob.of("ad-click", in, out), p -> {});

    assertThat(s)
        .extracting(BatchSummary::rowsIn, BatchSummary::scored, BatchSummary::rejected)
        .containsExactly(4L, 2L, 2L);
    List<String> rej = Files.readAllLines(dir.resolve("out.rejects.jsonl"));
    assertThat(rej).hasSize(2);
    JsonNode first = JSON.readTree(rej.get(0));
    assertThat(first.get("row").asLong()).isEqualTo(2);
    assertThat(first.get("reason").asText()).contains("an object of feature values");
    assertThat(JSON.readTree(Files.readAllLines(out).get(1)).get("row").asLong()).isEqualTo(4);
  }

  @Test
  void theOutputIsTheSameWhateverTheParallelismAndChunkSize() throws Exception {
    Path in = csv(3_000);
    setCell(in, 1_234, "device", "fridge");
    Path one = dir.resolve("one.csv");
    Path many = dir.resolve("many.csv");
    home.engine().run(BatchJob.of("ad-click", in, one).withChunking(3_000, 1, 1), p -> {});
    home.engine().run(BatchJob.of("ad-click", in, many).withChunking(37, 4, 5), p -> {});

    List<String> a = Files.readAllLines(one);
    List<String> b = Files.readAllLines(many);
    assertThat(b).hasSameSizeAs(a).hasSize(3_000);
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i).substring(0, b.get(i).lastIndexOf(',')))
          .isEqualTo(a.get(i).substring(0, a.get(i).lastIndexOf(',')));
    }
    assertThat(Files.readAllLines(dir.resolve("many.rejects.csv")))
        .isEqualTo(Files.readAllLines(dir.resolve("one.rejects.csv")))
        .hasSize(2);
  }
}

package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.Record;
import dev.slipway.batch.store.JdbcPredictionStore;
import dev.slipway.batch.store.PredictionStore;
import dev.slipway.batch.store.StoredPrediction;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.train.data.AdClickGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch job that writes its results to the prediction store too, keyed by its key column. */
class BatchToStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant MONDAY = Instant.parse("2026-03-02T02:00:00Z");
  @TempDir static Path homeDir;
  @TempDir Path dir;
  private static AdClickHome home;
  private static PredictionStore store;

  @BeforeAll
  static void setUp() throws Exception {
    AdClickHome.create(homeDir);
    home = AdClickHome.open(homeDir);
    store = new JdbcPredictionStore(home.registry.dataSource());
  }

  @AfterAll
  static void tearDown() {
    store.close();
    home.close();
  }

  private static com.fasterxml.jackson.databind.JsonNode tree(Object value) {
    return JSON.valueToTree(value);
  }

  private BatchEngine engine(Instant now) {
    return new BatchEngine(home.pipeline, Clock.fixed(now, ZoneOffset.UTC), store);
  }

  /**
   * JSON Lines of ad-click rows with an {@code id} column: the file's stem and the row index,
   * {@code in.jsonl} → {@code in-0, in-1, ...} (the store is shared by the tests).
   */
  private Path input(String name, int n, long seed, Map<Integer, Map<String, Object>> changes)
      throws Exception {
    StringBuilder b = new StringBuilder();
    List<Record> rows = new AdClickGenerator(seed).generate(n);
    for (int i = 0; i < n; i++) {
      Map<String, Object> m = new LinkedHashMap<>(rows.get(i).asMap());
      m.put("id", name.substring(0, name.indexOf('.')) + "-" + i);
      m.putAll(changes.getOrDefault(i, Map.of()));
      b.append(JSON.writeValueAsString(m)).append('\n');
    }
    return Files.writeString(dir.resolve(name), b);
  }

  @Test
  void scoredRowsAreStoredByKeyAndRejectedOnesAreNot() throws Exception {
    Path in = input("in.jsonl", 200, 21, Map.of(7, Map.of("hour", 99)));
    BatchSummary s =
        engine(MONDAY)
            .run(
                BatchJob.of("ad-click", in, dir.resolve("out.jsonl"))
                    .withKey("id")
                    .withChunking(50, 2, 1),
                p -> {});

    assertThat(s.scored()).isEqualTo(199);
    assertThat(s.rejected()).isEqualTo(1);
    assertThat(store.get("ad-click", "in-7")).isEmpty();
    StoredPrediction u3 = store.get("ad-click", "in-3").orElseThrow();
    assertThat(u3.version()).isEqualTo(s.modelVersion());
    assertThat(u3.scoredAt()).isEqualTo(MONDAY);
    // the stored outputs are what the job wrote for that row, and what the pipeline answers
    Map<?, ?> written =
        JSON.readValue(Files.readAllLines(dir.resolve("out.jsonl")).get(3), Map.class);
    assertThat(written.get("id")).isEqualTo("in-3");
    for (String output : u3.outputs().keySet()) {
      assertThat(tree(u3.outputs().get(output))).as(output).isEqualTo(tree(written.get(output)));
    }
    Record row3 = new AdClickGenerator(21).generate(4).get(3);
    Object live =
        home.pipeline
            .run(InferenceRequest.ofRecords("ad-click", s.modelVersion(), List.of(row3)))
            .predictions()
            .get(0)
            .values()
            .get("label");
    assertThat(tree(u3.outputs().get("label"))).isEqualTo(tree(live));
  }

  @Test
  void runningAgainOverwritesWithTheNewerResult() throws Exception {
    Path first = input("a.jsonl", 20, 31, Map.of());
    engine(MONDAY)
        .run(BatchJob.of("ad-click", first, dir.resolve("a.out.jsonl")).withKey("id"), p -> {});
    StoredPrediction before = store.get("ad-click", "a-5").orElseThrow();

    // the next day, other data for the same users
    Path second = input("a.next.jsonl", 20, 32, Map.of());
    Instant tuesday = MONDAY.plusSeconds(86_400);
    engine(tuesday)
        .run(BatchJob.of("ad-click", second, dir.resolve("b.out.jsonl")).withKey("id"), p -> {});

    StoredPrediction after = store.get("ad-click", "a-5").orElseThrow();
    assertThat(before.scoredAt()).isEqualTo(MONDAY);
    assertThat(after.scoredAt()).isEqualTo(tuesday);
    Map<?, ?> written =
        JSON.readValue(Files.readAllLines(dir.resolve("b.out.jsonl")).get(5), Map.class);
    assertThat(tree(after.outputs().get("probabilities")))
        .isEqualTo(tree(written.get("probabilities")));
  }

  @Test
  void aRowWhoseKeyCannotBeStoredIsRejectedWithTheReason() throws Exception {
    Path in =
        input("k.jsonl", 10, 41, Map.of(2, Map.of("id", " "), 4, Map.of("id", "x".repeat(300))));
    Path rejects = dir.resolve("k.out.rejects.jsonl");
    BatchSummary s =
        engine(MONDAY)
            .run(BatchJob.of("ad-click", in, dir.resolve("k.out.jsonl")).withKey("id"), p -> {});

    assertThat(s.scored()).isEqualTo(8);
    assertThat(s.rejected()).isEqualTo(2);
    List<String> rej = Files.readAllLines(rejects);
    assertThat(rej).hasSize(2);
    assertThat(rej.get(0)).contains("\"row\":3").contains("\"field\":\"id\"").contains("non-blank");
    assertThat(rej.get(1)).contains("\"row\":5").contains("at most 256 characters");
  }

  @Test
  void storingNeedsAKeyColumn() throws Exception {
    Path in = input("n.jsonl", 5, 51, Map.of());
    assertThatThrownBy(
            () ->
                engine(MONDAY)
                    .run(BatchJob.of("ad-click", in, dir.resolve("n.out.jsonl")), p -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("field 'key' is missing")
        .hasMessageContaining("--key");
  }
}

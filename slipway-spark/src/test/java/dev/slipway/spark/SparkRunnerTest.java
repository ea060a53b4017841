package dev.slipway.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.Record;
import dev.slipway.batch.BatchJob;
import dev.slipway.batch.BatchSummary;
import dev.slipway.batch.DataFormat;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.serving.guard.RegistryFailureFilters;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.train.data.AdClickGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark runner on local[2] against the embedded engine on the same job. */
class SparkRunnerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

  @TempDir static Path home;
  @TempDir Path dir;
  private static SparkSession session;
  private static JavaSparkContext sc;

  @BeforeAll
  static void setUp() throws Exception {
    AdClickHome.create(home); // version 1, the champion
    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      ModelVersion challenger = AdClickHome.register(registry, 8); // version 2
      registry.setAlias(
          AdClickHome.MODEL, "challenger", challenger.version(), "test", "test", false);
      // version 3, with a filtering model trained on rows it never saw
      AdClickHome.trainFilter(registry, AdClickHome.register(registry, 9), 1009);
    }
    session =
        SparkSession.builder()
            .master("local[2]")
            .appName("slipway-spark-test")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            // as clusters often set it: the broadcast model must not depend on the serializer
            .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
            .getOrCreate();
    sc = JavaSparkContext.fromSparkContext(session.sparkContext());
  }

  @AfterAll
  static void tearDown() {
    if (session != null) {
      session.stop();
    }
  }

  /**
   * A seeded CSV with bad rows: out of range, not a number, an empty required cell, a bad category.
   */
  private Path csvWithBadRows(int rows) throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(21).writeCsv(in, rows);
    List<String> lines = new ArrayList<>(Files.readAllLines(in));
    List<String> header = List.of(lines.get(0).split(","));
    setCell(lines, header, 3, "hour", "99");
    setCell(lines, header, 700, "user_age", "old");
    setCell(lines, header, 1_234, "user_past_ctr", "");
    setCell(lines, header, 2_001, "device", "toaster");
    setCell(lines, header, 2_002, "hour", "-1");
    Files.write(in, lines);
    return in;
  }

  private static void setCell(
      List<String> lines, List<String> header, int row, String column, String value) {
    String[] cells = lines.get(row).split(",", -1);
    cells[header.indexOf(column)] = value;
    lines.set(row, String.join(",", cells));
  }

  private BatchSummary embedded(BatchJob job, Guarding guarding) {
    try (ModelRegistry registry = ModelRegistry.embedded(home);
        ModelHost host = AdClickHome.host(registry)) {
      return AdClickHome.engine(registry, host, guarding, CLOCK).run(job, p -> {});
    }
  }

  private static SparkRunner spark(Guarding guarding) {
    return new SparkRunner(sc, home, guarding, CLOCK);
  }

  @Test
  void aSparkJobWritesWhatTheEmbeddedEngineWritesRowByRowRejectsIncluded() throws Exception {
    Path in = csvWithBadRows(3_000);
    BatchJob engineJob =
        BatchJob.of("ad-click@champion", in, dir.resolve("engine.csv")).withChunking(256, 2, 4);
    BatchJob sparkJob =
        BatchJob.of("ad-click@champion", in, dir.resolve("spark.csv")).withChunking(256, 1, 1);

    BatchSummary e = embedded(engineJob, Guarding.REJECT);
    BatchSummary s = spark(Guarding.REJECT).run(sparkJob, SparkRunner.Layout.SINGLE_FILE, 4);

    assertThat(s)
        .extracting(
            BatchSummary::model,
            BatchSummary::modelVersion,
            BatchSummary::rowsIn,
            BatchSummary::scored,
            BatchSummary::rejected)
        .containsExactly(e.model(), e.modelVersion(), 3_000L, 2_995L, 5L);
    // the rejects: same rows, same fields, same reasons, byte for byte
    assertThat(Files.readString(sparkJob.rejects()))
        .isEqualTo(Files.readString(engineJob.rejects()));
    assertThat(Files.readAllLines(sparkJob.rejects()))
        .hasSize(6)
        .anySatisfy(l -> assertThat(l).startsWith("3,3,hour,"))
        .anySatisfy(l -> assertThat(l).startsWith("2001,2001,device,").contains("toaster"));
    assertSameRows(readCsv(engineJob.output()), readCsv(sparkJob.output()));
    assertThat(JSON.readTree(sparkJob.summaryFile().toFile()).get("scored").asLong())
        .isEqualTo(2_995);
    assertThat(dir.resolve("spark.csv.parts")).doesNotExist();
  }

  /**
   * The guards section of the parity test: user_age imputed, device to the heuristic, every other
   * feature rejected; a score over 0.25 fails the output check and falls back to the heuristic.
   */
  private static final String GUARDS_YAML =
      """
      models:
        ad-click:
          guards:
            inputs:
              policy: reject
              features:
                user_age: impute
                device: heuristic
            outputs:
              ranges: {score: [0, 0.25]}
            fallback: [heuristic]
            heuristic:
              rules:
                - when: [{feature: user_past_ctr, op: ">=", value: 0.2}]
                  then: {label: click, score: 0.2}
              otherwise: {label: no_click, score: 0.046}
      """;

  @Test
  void withTheGuardsOfASlipwayYamlASparkJobWritesWhatTheEmbeddedEngineWrites() throws Exception {
    Path config = dir.resolve("slipway.yaml");
    Files.writeString(config, GUARDS_YAML);
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(26).writeCsv(in, 3_000);
    List<String> lines = new ArrayList<>(Files.readAllLines(in));
    List<String> header = List.of(lines.get(0).split(","));
    setCell(lines, header, 5, "hour", "99"); // rejected
    setCell(lines, header, 900, "user_past_ctr", ""); // rejected (missing)
    setCell(lines, header, 1_100, "user_age", "150"); // imputed
    setCell(lines, header, 1_101, "user_age", ""); // imputed (missing)
    setCell(lines, header, 2_500, "device", "toaster"); // heuristic
    Files.write(in, lines);
    BatchJob engineJob =
        BatchJob.of("ad-click@champion", in, dir.resolve("engine.csv")).withChunking(256, 2, 4);
    BatchJob sparkJob =
        BatchJob.of("ad-click@champion", in, dir.resolve("spark.csv")).withChunking(256, 1, 1);

    BatchSummary e;
    try (ModelRegistry registry = ModelRegistry.embedded(home);
        ModelHost host = AdClickHome.host(registry);
        RegistryFailureFilters filters = new RegistryFailureFilters(registry)) {
      e = AdClickHome.engine(registry, host, config, filters, CLOCK).run(engineJob, p -> {});
    }
    BatchSummary s =
        new SparkRunner(sc, home, SparkGuards.fromConfig(config), CLOCK)
            .run(sparkJob, SparkRunner.Layout.SINGLE_FILE, 4);

    assertThat(List.of(s.rowsIn(), s.scored(), s.rejected()))
        .isEqualTo(List.of(e.rowsIn(), e.scored(), e.rejected()))
        .isEqualTo(List.of(3_000L, 2_998L, 2L));
    assertThat(Files.readString(sparkJob.rejects()))
        .isEqualTo(Files.readString(engineJob.rejects()));
    assertThat(Files.readAllLines(sparkJob.rejects()))
        .hasSize(3)
        .anySatisfy(l -> assertThat(l).startsWith("5,5,hour,"))
        .anySatisfy(l -> assertThat(l).startsWith("900,900,user_past_ctr,"));
    List<Map<String, String>> engine = readCsv(engineJob.output());
    List<Map<String, String>> spark = readCsv(sparkJob.output());
    assertSameRows(engine, spark);
    Map<String, Map<String, String>> byRow = new LinkedHashMap<>();
    spark.forEach(r -> byRow.put(r.get("row"), r));
    assertThat(byRow.get("1100").get("served_by")).isEqualTo("ad-click/1");
    assertThat(byRow.get("1101").get("served_by")).isEqualTo("ad-click/1");
    assertThat(byRow.get("2500").get("served_by")).isEqualTo("heuristic");
    // the output check sent more rows than the one bad device to the heuristic
    assertThat(spark.stream().filter(r -> r.get("served_by").equals("heuristic")).count())
        .isGreaterThan(1);
  }

  /** The embedded engine's run of a job guarded by a slipway.yaml. */
  private static BatchSummary embedded(BatchJob job, Path config) throws Exception {
    try (ModelRegistry registry = ModelRegistry.embedded(home);
        ModelHost host = AdClickHome.host(registry);
        RegistryFailureFilters filters = new RegistryFailureFilters(registry)) {
      return AdClickHome.engine(registry, host, config, filters, CLOCK).run(job, p -> {});
    }
  }

  private static Map<String, Long> countServedBy(List<Map<String, String>> rows) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    rows.forEach(r -> counts.merge(r.get("served_by"), 1L, Long::sum));
    return counts;
  }

  @Test
  void rowsTheOutputCheckFailsFallBackToAnotherModelVersionAsInTheEmbeddedEngine()
      throws Exception {
    Path config = dir.resolve("slipway.yaml");
    Files.writeString(
        config,
        GUARDS_YAML.replace("fallback: [heuristic]", "fallback: [ad-click@challenger, heuristic]"));
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(28).writeCsv(in, 3_000);
    BatchJob engineJob =
        BatchJob.of("ad-click@champion", in, dir.resolve("engine.csv")).withChunking(256, 2, 4);
    BatchJob sparkJob =
        BatchJob.of("ad-click@champion", in, dir.resolve("spark.csv")).withChunking(256, 1, 1);

    BatchSummary e = embedded(engineJob, config);
    BatchSummary s =
        new SparkRunner(sc, home, SparkGuards.fromConfig(config), CLOCK)
            .run(sparkJob, SparkRunner.Layout.SINGLE_FILE, 4);

    assertThat(List.of(s.rowsIn(), s.scored(), s.rejected()))
        .isEqualTo(List.of(e.rowsIn(), e.scored(), e.rejected()));
    List<Map<String, String>> engine = readCsv(engineJob.output());
    List<Map<String, String>> spark = readCsv(sparkJob.output());
    assertSameRows(engine, spark);
    // the primary answered most rows; of those its output check failed, the challenger (version
    // 2) answered some and the heuristic the rest
    Map<String, Long> servedBy = countServedBy(spark);
    assertThat(servedBy).containsOnlyKeys("ad-click/1", "ad-click/2", "heuristic");
    assertThat(servedBy.get("ad-click/2")).isPositive();
    assertThat(servedBy.get("ad-click/1")).isGreaterThan(servedBy.get("ad-click/2"));
    // the summary says which version the alias was pinned to at start
    assertThat(JSON.readTree(sparkJob.summaryFile().toFile()).get("fallback_models").toString())
        .isEqualTo("{\"ad-click@challenger\":\"ad-click/2\"}");
  }

  @Test
  void aVersionsFilteringModelRoutesRowsToTheFallbackChainAsInTheEmbeddedEngine() throws Exception {
    Path config = dir.resolve("slipway.yaml");
    // no output check: only the filtering model sends rows away from version 3
    Files.writeString(
        config,
        """
        models:
          ad-click:
            guards:
              fallback: [ad-click/2]
        """);
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(29).writeCsv(in, 3_000);
    BatchJob engineJob =
        BatchJob.of("ad-click/3", in, dir.resolve("engine.csv")).withChunking(256, 2, 4);
    BatchJob sparkJob =
        BatchJob.of("ad-click/3", in, dir.resolve("spark.csv")).withChunking(256, 1, 1);

    BatchSummary e = embedded(engineJob, config);
    BatchSummary s =
        new SparkRunner(sc, home, SparkGuards.fromConfig(config), CLOCK)
            .run(sparkJob, SparkRunner.Layout.SINGLE_FILE, 4);

    assertThat(List.of(s.rowsIn(), s.scored(), s.rejected()))
        .isEqualTo(List.of(e.rowsIn(), e.scored(), e.rejected()))
        .isEqualTo(List.of(3_000L, 3_000L, 0L));
    List<Map<String, String>> engine = readCsv(engineJob.output());
    List<Map<String, String>> spark = readCsv(sparkJob.output());
    assertSameRows(engine, spark);
    Map<String, Long> servedBy = countServedBy(spark);
    assertThat(servedBy).containsOnlyKeys("ad-click/3", "ad-click/2");
    assertThat(servedBy.get("ad-click/2")).isPositive();
    assertThat(servedBy.get("ad-click/3")).isGreaterThan(servedBy.get("ad-click/2"));
  }

  @Test
  void aFallbackLinkThatResolvesToNothingFailsAtStartNamingItsKeyAndTheLink() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(27).writeCsv(in, 10);
    Path out = dir.resolve("out.csv");
    for (String link : List.of("ad-click/9", "ad-click@nosuch", "no-such-model")) {
      Path config = dir.resolve("slipway.yaml");
      Files.writeString(
          config,
          GUARDS_YAML.replace("fallback: [heuristic]", "fallback: [heuristic, " + link + "]"));
      // a Spark context that fails when asked for: the job must stop before it needs one
      SparkRunner runner =
          new SparkRunner(
              () -> {
                throw new AssertionError("Spark started");
              },
              home,
              SparkGuards.fromConfig(config),
              CLOCK);

      assertThatThrownBy(
              () -> runner.run(BatchJob.of("ad-click", in, out), SparkRunner.Layout.DIRECTORY, 2))
          .as(link)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("models.ad-click.guards.fallback[1]")
          .hasMessageContaining(link);
      assertThat(out).doesNotExist();
    }
  }

  @Test
  void jsonLinesKeyedByAColumnUnguardedMatchTheEngineToo() throws Exception {
    Path in = dir.resolve("in.jsonl");
    StringBuilder b = new StringBuilder();
    List<Record> rows = new AdClickGenerator(22).generate(1_000);
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> m = new LinkedHashMap<>(rows.get(i).asMap());
      m.put("id", "u" + i);
      if (i == 10) {
        m.put("hour", "noon");
      }
      b.append(JSON.writeValueAsString(m)).append('\n');
      if (i == 500) {
        b.append("[1,2]\n\n"); // not an object (rejected), then a blank line (skipped)
      }
    }
    Files.writeString(in, b);
    BatchJob engineJob =
        BatchJob.of("ad-click", in, dir.resolve("engine.jsonl"))
            .withKey("id")
            .withChunking(100, 2, 1);
    BatchJob sparkJob = BatchJob.of("ad-click", in, dir.resolve("spark.jsonl")).withKey("id");

    BatchSummary e = embedded(engineJob, Guarding.NONE);
    BatchSummary s = spark(Guarding.NONE).run(sparkJob, SparkRunner.Layout.SINGLE_FILE, 3);

    assertThat(s.rowsIn()).isEqualTo(e.rowsIn()).isEqualTo(1_001);
    assertThat(s.rejected()).isEqualTo(e.rejected()).isEqualTo(2);
    assertThat(Files.readString(sparkJob.rejects()))
        .isEqualTo(Files.readString(engineJob.rejects()));
    List<String> engineLines = Files.readAllLines(engineJob.output());
    List<String> sparkLines = Files.readAllLines(sparkJob.output());
    assertThat(sparkLines).hasSameSizeAs(engineLines).hasSize(999);
    for (int i = 0; i < engineLines.size(); i++) {
      assertSameRow(
          i,
          JSON.convertValue(JSON.readTree(engineLines.get(i)), Map.class),
          JSON.convertValue(JSON.readTree(sparkLines.get(i)), Map.class));
    }
  }

  @Test
  void theDirectoryLayoutHoldsOnePartFilePerPartitionInInputOrder() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(23).writeCsv(in, 2_000);
    Path out = dir.resolve("out.csv");
    BatchSummary s =
        spark(Guarding.REJECT)
            .run(BatchJob.of("ad-click", in, out), SparkRunner.Layout.DIRECTORY, 3);

    assertThat(out).isDirectory();
    assertThat(s.rowsIn()).isEqualTo(2_000);
    assertThat(s.scored() + s.rejected()).isEqualTo(2_000);
    List<Path> parts = PartFiles.parts(out);
    assertThat(parts.size()).isGreaterThanOrEqualTo(3);
    List<String> keys = new ArrayList<>();
    String header = null;
    for (Path p : parts) {
      List<String> lines = Files.readAllLines(p);
      // every part is a CSV file of its own, with the header
      header = header == null ? lines.get(0) : header;
      assertThat(lines.get(0)).isEqualTo(header).startsWith("row,");
      lines.stream().skip(1).map(l -> l.substring(0, l.indexOf(','))).forEach(keys::add);
    }
    // the row numbers of the input, in input order, less the rejected rows
    List<Long> rows = keys.stream().map(Long::valueOf).toList();
    assertThat(rows).hasSize((int) s.scored()).isSorted().doesNotHaveDuplicates();
    assertThat(rows.get(0)).isEqualTo(1L);
    assertThat(rows.get(rows.size() - 1)).isBetween(2_000L - s.rejected(), 2_000L);
    Path rejects = BatchJob.defaultRejects(out, DataFormat.CSV);
    assertThat(rejects).isDirectory();
    assertThat(PartFiles.parts(rejects)).hasSameSizeAs(parts);
  }

  @Test
  void aMissingInputFileIsAClearErrorAndLeavesNoOutput() {
    Path out = dir.resolve("out.csv");
    assertThatThrownBy(
            () ->
                spark(Guarding.NONE)
                    .run(
                        BatchJob.of("ad-click", dir.resolve("nope.csv"), out),
                        SparkRunner.Layout.DIRECTORY,
                        2))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nope.csv")
        .hasMessageContaining("an existing CSV");
    assertThat(out).doesNotExist();
  }

  @Test
  void anUnknownModelIsAClearErrorAndLeavesNoOutput() throws Exception {
    Path in = dir.resolve("in.csv");
    new AdClickGenerator(24).writeCsv(in, 10);
    Path out = dir.resolve("out.csv");
    assertThatThrownBy(
            () ->
                spark(Guarding.NONE)
                    .run(BatchJob.of("no-such-model", in, out), SparkRunner.Layout.DIRECTORY, 2))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("no-such-model");
    assertThatThrownBy(
            () ->
                spark(Guarding.NONE)
                    .run(BatchJob.of("ad-click@nope", in, out), SparkRunner.Layout.DIRECTORY, 2))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("nope");
    assertThat(out).doesNotExist();
  }

  @Test
  void aColumnTheModelNeedsMissingOrABrokenCsvLineIsAClearError() throws Exception {
    Path in = dir.resolve("in.csv");
    Files.writeString(in, "hour,ad_position\n3,1\n");
    Path out = dir.resolve("out.csv");
    assertThatThrownBy(
            () ->
                spark(Guarding.NONE)
                    .run(BatchJob.of("ad-click", in, out), SparkRunner.Layout.DIRECTORY, 2))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'user_past_ctr' (FP64)")
        .hasMessageContaining("device");

    // a line with more cells than the header stops the job on the executor; the driver says why
    Path broken = dir.resolve("broken.csv");
    new AdClickGenerator(25).writeCsv(broken, 50);
    List<String> lines = new ArrayList<>(Files.readAllLines(broken));
    lines.set(30, lines.get(30) + ",1,2");
    Files.write(broken, lines);
    assertThatThrownBy(
            () ->
                spark(Guarding.NONE)
                    .run(BatchJob.of("ad-click", broken, out), SparkRunner.Layout.DIRECTORY, 2))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("broken.csv line 31");
    assertThat(out).doesNotExist();
  }

  // ------------------------------------------------------------------ comparison

  private static List<Map<String, String>> readCsv(Path file) throws Exception {
    List<Map<String, String>> rows = new ArrayList<>();
    try (MappingIterator<Map<String, String>> it =
        new CsvMapper()
            .readerForMapOf(String.class)
            .with(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withHeader())
            .without(CsvParser.Feature.WRAP_AS_ARRAY)
            .readValues(file.toFile())) {
      it.forEachRemaining(rows::add);
    }
    return rows;
  }

  private static void assertSameRows(
      List<Map<String, String>> engine, List<Map<String, String>> spark) {
    assertThat(spark).hasSameSizeAs(engine);
    for (int i = 0; i < engine.size(); i++) {
      assertSameRow(i, engine.get(i), spark.get(i));
    }
  }

  /** Same columns in the same order; numbers equal to 1e-6, everything else equal. */
  private static void assertSameRow(int i, Map<?, ?> engine, Map<?, ?> spark) {
    assertThat(List.copyOf(spark.keySet()))
        .as("columns of row %d", i)
        .isEqualTo(List.copyOf(engine.keySet()));
    for (Object col : engine.keySet()) {
      Object a = engine.get(col);
      Object b = spark.get(col);
      if (a instanceof List<?> la && b instanceof List<?> lb) {
        assertThat(lb).as("row %d, %s", i, col).hasSameSizeAs(la);
        for (int j = 0; j < la.size(); j++) {
          assertThat(number(lb.get(j)))
              .as("row %d, %s[%d]", i, col, j)
              .isCloseTo(number(la.get(j)), within(1e-6));
        }
        continue;
      }
      Double x = number(a);
      Double y = number(b);
      if (x != null && y != null) {
        assertThat(y).as("row %d, %s", i, col).isCloseTo(x, within(1e-6));
      } else {
        assertThat(b).as("row %d, %s", i, col).isEqualTo(a);
      }
    }
  }

  private static Double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return v == null ? null : Double.valueOf(v.toString());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}

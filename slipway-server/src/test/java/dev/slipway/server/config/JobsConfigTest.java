package dev.slipway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.slipway.batch.DataFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code jobs:} section of slipway.yaml: read into jobs, or every problem reported at once. */
class JobsConfigTest {

  private static SlipwayConfig parse(String yaml) throws Exception {
    return SlipwayConfig.parse(SlipwayConfigTest.yaml(yaml), Map.of(), new ArrayList<>());
  }

  private static List<String> problems(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    assertThat(e).as("expected the configuration to be refused").isNotNull();
    return e.problems();
  }

  @Test
  void readsEveryJobSettingWithItsDefaults() throws Exception {
    SlipwayConfig c =
        parse(
            """
            jobs:
              extract:
                cron: "0 2 * * *"
                zone: Asia/Shanghai
                model: ad-click@champion
                input: data/{date}/in.csv
                output: out/{date}/scored.jsonl
                key: user_id
                chunk: 100
                threads: 2
                retries: 3
                retryDelay: 5m
                catchUp: false
              report:
                cron: "30 3 * * *"
                model: ad-click
                input: data/{date}/in.csv
                output: out/{date}/report.csv
                format: csv
                dependsOn: [extract]
                dependsOnPast: true
            """);
    assertThat(c.jobs()).extracting(JobConfig::name).containsExactly("extract", "report");
    JobConfig extract = c.jobs().get(0);
    assertThat(extract.cron()).isEqualTo("0 2 * * *");
    assertThat(extract.zone()).isEqualTo(ZoneId.of("Asia/Shanghai"));
    assertThat(extract.batch().model()).isEqualTo("ad-click@champion");
    assertThat(extract.batch().input()).isEqualTo(Path.of("data/{date}/in.csv"));
    assertThat(extract.batch().inputFormat()).isEqualTo(DataFormat.CSV);
    assertThat(extract.batch().outputFormat()).isEqualTo(DataFormat.JSONL);
    assertThat(extract.batch().rejects()).isEqualTo(Path.of("out/{date}/scored.rejects.jsonl"));
    assertThat(extract.batch().keyColumn()).isEqualTo("user_id");
    assertThat(extract.batch().chunkSize()).isEqualTo(100);
    assertThat(extract.batch().parallelism()).isEqualTo(2);
    assertThat(extract.retries()).isEqualTo(3);
    assertThat(extract.retryDelay()).isEqualTo(Duration.ofMinutes(5));
    assertThat(extract.catchUp()).isFalse();
    assertThat(extract.dependsOn()).isEmpty();

    JobConfig report = c.jobs().get(1);
    assertThat(report.zone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(report.dependsOn()).containsExactly("extract");
    assertThat(report.dependsOnPast()).isTrue();
    assertThat(report.retries()).isZero();
    assertThat(report.retryDelay()).isZero();
    assertThat(report.catchUp()).isTrue();
  }

  @Test
  void noJobsSectionMeansNoJobs() throws Exception {
    assertThat(parse("server: {port: 9000}").jobs()).isEmpty();
    assertThat(SlipwayConfig.defaults().jobs()).isEmpty();
  }

  @Test
  void everyProblemOfEveryJobIsReportedAtOnce() {
    List<String> problems =
        problems(
            """
            server: {port: 70000}
            jobs:
              bad-cron:
                cron: "0 25 * * *"
                model: ad-click
                input: in-{date}.csv
                output: out-{date}.csv
              bad-files:
                cron: "0 2 * * *"
                zone: Mars/Olympus
                model: "ad click"
                input: in-{date}.parquet
                output: out.csv
                format: xml
                retryDelay: soon
                retries: -1
                colour: blue
              orphan:
                cron: "0 2 * * *"
                model: ad-click
                input: in-{date}.csv
                output: orphan-{date}.csv
                dependsOn: [nowhere]
              missing: {cron: "0 2 * * *"}
            """);
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).startsWith("server.port"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("jobs.bad-cron.cron: got \"0 25 * * *\"")
                    .contains("does not parse"))
        .anySatisfy(p -> assertThat(p).startsWith("jobs.bad-files.zone").contains("Mars/Olympus"))
        .anySatisfy(p -> assertThat(p).startsWith("jobs.bad-files.model").contains("ad click"))
        .anySatisfy(p -> assertThat(p).startsWith("jobs.bad-files.output").contains("{date}"))
        .anySatisfy(p -> assertThat(p).startsWith("jobs.bad-files.format").contains("xml"))
        .anySatisfy(p -> assertThat(p).startsWith("jobs.bad-files.retryDelay").contains("soon"))
        .anySatisfy(p -> assertThat(p).startsWith("jobs.bad-files.retries").contains("-1"))
        .anySatisfy(p -> assertThat(p).startsWith("jobs.bad-files.colour: unknown setting"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("jobs.orphan.dependsOn: got \"nowhere\"")
                    .contains("known: bad-cron, bad-files, orphan, missing"))
        .anySatisfy(p -> assertThat(p).startsWith("jobs.missing.model: required"))
        .anySatisfy(p -> assertThat(p).startsWith("jobs.missing.input: required"))
        .anySatisfy(p -> assertThat(p).startsWith("jobs.missing.output: required"));
  }

  @Test
  void anUnknownFileExtensionIsNamedWhenNoFormatIsGiven() {
    assertThat(
            problems(
                """
                jobs:
                  j: {cron: "0 2 * * *", model: m, input: "in-{date}.xlsx", output: "o-{date}.csv"}
                """))
        .singleElement()
        .asString()
        .startsWith("jobs.j.input: got \"in-{date}.xlsx\"")
        .contains(".csv, .jsonl, .ndjson or .parquet")
        .contains("set format or inputFormat");
  }

  @Test
  void aDependencyCycleIsRefusedNamingTheWholeCycle() {
    String job =
        "{cron: \"0 2 * * *\", model: m, input: \"in-{date}.csv\", output: \"%s-{date}.csv\","
            + " dependsOn: [%s]}";
    List<String> problems =
        problems(
            "jobs:\n"
                + "  a: "
                + String.format(job, "a", "c")
                + "\n"
                + "  b: "
                + String.format(job, "b", "a")
                + "\n"
                + "  c: "
                + String.format(job, "c", "b")
                + "\n");
    assertThat(problems).singleElement().asString().contains("a → c → b → a");
  }

  @Test
  void durationsAreShortOrIso() {
    assertThat(JobConfig.duration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(JobConfig.duration("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(JobConfig.duration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(JobConfig.duration("PT10M")).isEqualTo(Duration.ofMinutes(10));
    assertThat(JobConfig.duration("-PT1M")).isNull();
    assertThat(JobConfig.duration("ten minutes")).isNull();
  }
}

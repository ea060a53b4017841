package dev.slipway.batch.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class JobDefinitionTest {

  private final Scheduler scheduler =
      new Scheduler(
          new MutableClock(Instant.parse("2026-01-01T00:00:00Z")),
          ZoneOffset.UTC,
          new InMemoryRunHistory());

  private static JobDefinition.Builder job(String name, String cron) {
    return JobDefinition.builder(name, cron, date -> 1);
  }

  @Test
  void aCronExpressionThatDoesNotParseIsRefusedNamingTheJobAndTheExpression() {
    assertThatThrownBy(() -> scheduler.define(job("nightly", "61 2 * * *").build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("jobs.nightly.cron")
        .hasMessageContaining("\"61 2 * * *\"")
        .hasMessageContaining("UNIX cron expression");
    assertThatThrownBy(() -> scheduler.define(job("nightly", "every day").build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("jobs.nightly.cron")
        .hasMessageContaining("\"every day\"");
    assertThat(scheduler.jobs()).isEmpty();
  }

  @Test
  void anUnknownDependencyIsRefusedNamingIt() {
    assertThatThrownBy(() -> scheduler.define(job("b", "0 2 * * *").dependsOn("a").build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("jobs.b.dependsOn")
        .hasMessageContaining("\"a\"");
  }

  @Test
  void aDependencyCycleIsRefusedNamingTheCycle() {
    assertThatThrownBy(
            () ->
                scheduler.define(
                    job("a", "0 2 * * *").dependsOn("c").build(),
                    job("b", "0 2 * * *").dependsOn("a").build(),
                    job("c", "0 2 * * *").dependsOn("b").build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a → c → b → a");
    assertThat(scheduler.jobs()).isEmpty();
  }

  @Test
  void redefiningAJobSoThatItClosesACycleIsRefusedAndChangesNothing() {
    scheduler.define(job("a", "0 2 * * *").build(), job("b", "0 3 * * *").dependsOn("a").build());

    assertThatThrownBy(() -> scheduler.define(job("a", "0 2 * * *").dependsOn("b").build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a → b → a");
    assertThatThrownBy(() -> scheduler.define(job("a", "0 2 * * *").dependsOn("a").build()))
        .hasMessageContaining("a → a");
    assertThat(scheduler.jobs())
        .extracting(JobDefinition::name, JobDefinition::dependsOn)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", java.util.List.of()),
            org.assertj.core.groups.Tuple.tuple("b", java.util.List.of("a")));
  }

  @Test
  void badFieldsAreRefusedWhenBuilt() {
    assertThatThrownBy(() -> job("a", "0 2 * * *").retries(-1, Duration.ZERO).build())
        .hasMessageContaining("jobs.a.retries");
    assertThatThrownBy(() -> job("a", "0 2 * * *").retries(1, Duration.ofSeconds(-1)).build())
        .hasMessageContaining("jobs.a.retryDelay");
    assertThatThrownBy(() -> job("bad name", "0 2 * * *").build())
        .hasMessageContaining("jobs.name");
    assertThatThrownBy(() -> job("a", " ").build()).hasMessageContaining("jobs.a.cron");
  }
}

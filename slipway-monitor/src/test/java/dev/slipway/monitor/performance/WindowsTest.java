package dev.slipway.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.api.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WindowsTest {
  @Test
  void parsesShortAndIsoLengths() {
    assertThat(Windows.parse("15m", "window")).isEqualTo(Duration.ofMinutes(15));
    assertThat(Windows.parse("1h", "window")).isEqualTo(Duration.ofHours(1));
    assertThat(Windows.parse("1d", "window")).isEqualTo(Duration.ofDays(1));
    assertThat(Windows.parse("PT6H", "window")).isEqualTo(Duration.ofHours(6));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1 hour", "0h", "30s", "PT1S", "32d", "-1h"})
  void rejectsOtherTextNamingTheField(String text) {
    assertThatThrownBy(() -> Windows.parse(text, "window"))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("window"));
  }

  @Test
  void windowsAreAlignedToTheEpochInUtc() {
    Instant t = Instant.parse("2026-03-02T10:42:17Z");
    assertThat(Windows.start(t, Duration.ofHours(1)))
        .isEqualTo(Instant.parse("2026-03-02T10:00:00Z"));
    assertThat(Windows.start(t, Duration.ofDays(1)))
        .isEqualTo(Instant.parse("2026-03-02T00:00:00Z"));
    assertThat(Windows.format(Duration.ofHours(1))).isEqualTo("1h");
    assertThat(Windows.format(Duration.ofMinutes(90))).isEqualTo("90m");
  }
}

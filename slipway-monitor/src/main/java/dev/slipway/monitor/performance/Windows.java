package dev.slipway.monitor.performance;

import dev.slipway.api.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Time windows of performance and drift series: a length such as {@code 15m}, {@code 1h} or {@code
 * 1d} (or ISO-8601, {@code PT1H}), aligned to the epoch in UTC, so that an hourly window starts on
 * the hour and a daily one at midnight UTC. Pure functions.
 */
public final class Windows {
  /** The shortest window. */
  public static final Duration MIN = Duration.ofMinutes(1);

  /** The longest window. */
  public static final Duration MAX = Duration.ofDays(31);

  private static final Pattern SHORT = Pattern.compile("(\\d{1,6})([mhd])");

  private Windows() {}

  /**
   * Parses a window length.
   *
   * @throws InvalidInputException naming {@code field} when the text is not a length from {@link
   *     #MIN} to {@link #MAX}
   */
  public static Duration parse(String text, String field) {
    String expected = "a window such as 15m, 1h or 1d (1 minute to 31 days)";
    if (text == null || text.isBlank()) {
      throw InvalidInputException.missing(field, expected);
    }
    Duration d;
    Matcher m = SHORT.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } else {
      try {
        d = Duration.parse(text.trim());
      } catch (DateTimeParseException e) {
        throw InvalidInputException.of(field, text, expected);
      }
    }
    if (d.compareTo(MIN) < 0 || d.compareTo(MAX) > 0) {
      throw InvalidInputException.of(field, text, expected);
    }
    return d;
  }

  /** The start of the window holding {@code t}. */
  public static Instant start(Instant t, Duration window) {
    long w = window.toMillis();
    return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), w) * w);
  }

  /** A window as text: {@code 15m}, {@code 1h}, {@code 1d} when it is whole, else ISO-8601. */
  public static String format(Duration window) {
    if (window.toDays() > 0 && window.equals(Duration.ofDays(window.toDays()))) {
      return window.toDays() + "d";
    }
    if (window.toHours() > 0 && window.equals(Duration.ofHours(window.toHours()))) {
      return window.toHours() + "h";
    }
    if (window.toMinutes() > 0 && window.equals(Duration.ofMinutes(window.toMinutes()))) {
      return window.toMinutes() + "m";
    }
    return window.toString();
  }
}

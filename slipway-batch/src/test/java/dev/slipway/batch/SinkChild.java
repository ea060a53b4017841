package dev.slipway.batch;

import java.nio.file.Path;

/**
 * A batch job in its own JVM, for the kill -9 tests of the Parquet and table sinks: {@code <home>
 * <input.csv> parquet <output>} or {@code <home> <input.csv> table <output table>}.
 */
public final class SinkChild {
  private SinkChild() {}

  public static void main(String[] args) {
    try (AdClickHome home = AdClickHome.open(Path.of(args[0]))) {
      home.engine().run(KillAndResumeSinksTest.job(Path.of(args[1]), args[2], args[3]), p -> {});
    }
  }
}

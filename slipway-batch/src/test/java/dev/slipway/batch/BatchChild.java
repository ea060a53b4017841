package dev.slipway.batch;

import java.nio.file.Path;

/** A batch job in its own JVM, for the kill -9 test: {@code <home> <input> <output>}. */
public final class BatchChild {
  private BatchChild() {}

  public static void main(String[] args) {
    try (AdClickHome home = AdClickHome.open(Path.of(args[0]))) {
      home.engine().run(KillAndResumeTest.job(Path.of(args[1]), Path.of(args[2])), p -> {});
    }
  }
}

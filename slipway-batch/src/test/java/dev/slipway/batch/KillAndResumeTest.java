package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job killed with -9 in another JVM resumes; every row is in the output exactly once. */
class KillAndResumeTest {
  private static final int ROWS = 200_000;

  @TempDir Path dir;

  static BatchJob job(Path in, Path out) {
    return BatchJob.of("ad-click@champion", in, out).withChunking(256, 2, 1);
  }

  @Test
  void aJobKilledWithSigkillResumesAndWritesEveryRowExactlyOnce() throws Exception {
    Path home = dir.resolve("home");
    AdClickHome.create(home);
    Path childHome = dir.resolve("child-home");
    copy(home, childHome); // an embedded database is held by one process at a time
    Path in = dir.resolve("in.csv");
    new dev.slipway.train.data.AdClickGenerator(21).writeCsv(in, ROWS);
    // a few bad rows, so rejects are resumed too
    List<String> lines = new ArrayList<>(Files.readAllLines(in));
    for (int row : new int[] {10, 90_000, 150_001}) {
      lines.set(row, lines.get(row).replaceFirst("^[0-9]+,", "77,"));
    }
    Files.write(in, lines);

    Path reference = dir.resolve("reference.csv");
    Path out = dir.resolve("out.csv");
    BatchSummary whole;
    try (AdClickHome h = AdClickHome.open(home)) {
      whole = h.engine().run(job(in, reference), p -> {});
    }
    // the three edited rows, and generated rows outside the training profile's ranges
    assertThat(whole.rejected()).isGreaterThanOrEqualTo(3);

    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                BatchChild.class.getName(),
                childHome.toString(),
                in.toString(),
                out.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    Path checkpoint = job(in, out).checkpointFile();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    long committed = 0;
    while (committed < 20_000 && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
      if (Files.exists(checkpoint)) {
        try {
          committed = Checkpoint.read(checkpoint).rows();
        } catch (RuntimeException racing) {
          // renamed under us; read again
        }
      }
    }
    assertThat(child.isAlive()).as("the child is still scoring (log: %s)", readLog()).isTrue();
    child.destroyForcibly(); // SIGKILL
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(out).doesNotExist();
    Checkpoint left = Checkpoint.read(checkpoint);
    assertThat(left.rows()).isBetween(1L, (long) ROWS - 1);

    BatchSummary resumed;
    try (AdClickHome h = AdClickHome.open(home)) {
      resumed = h.engine().run(job(in, out), p -> {});
    }
    assertThat(resumed.resumedAtRow()).isEqualTo(left.rows());
    assertThat(resumed.rowsIn()).isEqualTo(ROWS);
    assertThat(resumed.scored()).isEqualTo(whole.scored());
    assertThat(resumed.rejected()).isEqualTo(whole.rejected());

    List<String> got = Files.readAllLines(out);
    List<String> want = Files.readAllLines(reference);
    assertThat(got).hasSameSizeAs(want);
    assertThat(got.get(0)).isEqualTo(want.get(0));
    Set<String> keys = new HashSet<>();
    for (int i = 1; i < got.size(); i++) {
      String key = got.get(i).substring(0, got.get(i).indexOf(','));
      assertThat(keys.add(key)).as("key %s once", key).isTrue();
      // same row, same scores: everything but scored_at
      assertThat(withoutTimestamp(got.get(i))).isEqualTo(withoutTimestamp(want.get(i)));
    }
    assertThat(keys).hasSize((int) whole.scored());
    assertThat(Files.readAllLines(job(in, out).rejects()))
        .isEqualTo(Files.readAllLines(job(in, reference).rejects()));
  }

  private static String withoutTimestamp(String line) {
    return line.substring(0, line.lastIndexOf(','));
  }

  private String readLog() {
    try {
      return Files.readString(dir.resolve("child.log"));
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static void copy(Path from, Path to) throws Exception {
    try (var files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}

package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded home admits one process at a time: while {@code slipway serve} runs on it (another
 * process, as for a user), a local command says to use {@code --url}, and {@code --url} works.
 */
class HomeHeldByAServerTest {
  private static final Pattern SERVING = Pattern.compile("Slipway is serving on (http://[^/]+)/");

  @TempDir Path home;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aCommandOnAHomeHeldByARunningServerSaysToUseUrl() throws Exception {
    Process server =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Slipway.class.getName(),
                "serve",
                "--home",
                home.toString(),
                "--port",
                "0")
            .redirectErrorStream(true)
            .start();
    try {
      String url = awaitServing(server);

      CliRun local = CliRun.of("models", "list", "--home", home.toString());
      assertThat(local.code()).as(local.toString()).isEqualTo(2);
      assertThat(local.err().strip().lines()).hasSize(1);
      assertThat(local.err())
          .startsWith("slipway: cannot open the registry database")
          .contains("work through it with --url http://HOST:PORT", "SLIPWAY_URL");

      CliRun remote = CliRun.of("models", "list", "--url", url);
      assertThat(remote.code()).as(remote.toString()).isZero();
      assertThat(remote.out()).contains("No models registered in " + url);
    } finally {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static String awaitServing(Process p) throws Exception {
    StringBuilder seen = new StringBuilder();
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = lines.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = SERVING.matcher(line);
      if (m.find()) {
        // Keep draining the output so that the server never blocks on a full pipe.
        Thread drain =
            new Thread(
                () -> {
                  try {
                    lines.transferTo(java.io.Writer.nullWriter());
                  } catch (java.io.IOException ignored) {
                    // the process ended
                  }
                },
                "serve-output");
        drain.setDaemon(true);
        drain.start();
        return m.group(1);
      }
    }
    throw new AssertionError("slipway serve ended before serving:\n" + seen);
  }
}

package dev.slipway.bench.load;

import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.SlipwayServer;
import dev.slipway.server.config.SlipwayConfig;
import dev.slipway.server.demo.DemoModel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the real server for the load benchmarks, as {@code slipway demo} does but from the
 * benchmarks jar (one build, no second shaded jar): reads a {@code slipway.yaml}, optionally trains
 * and registers the ad-click demo model, starts {@link SlipwayServer} and prints {@code serving on
 * http://127.0.0.1:PORT/} once it listens. Stops on SIGTERM.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.slipway.bench.load.BenchServer --home DIR [--config
 * slipway.yaml] [--port 0] [--demo true]}.
 */
public final class BenchServer {
  private BenchServer() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> options = Options.parse(args);
    String configFile = options.get("config");
    SlipwayConfig config =
        SlipwayConfig.load(configFile == null ? null : Path.of(configFile), System.getenv())
            .withHome(Path.of(Options.required(options, "home")))
            .withPort(Options.integer(options, "port", 0));
    if (Boolean.parseBoolean(options.getOrDefault("demo", "true"))) {
      try (ModelRegistry registry = ModelRegistry.embedded(config.home())) {
        DemoModel.ensureRegistered(registry, 42, 50_000);
      }
    }
    SlipwayServer server = SlipwayServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "bench-server-shutdown"));
    System.out.println("serving on http://127.0.0.1:" + server.port() + "/");
    System.out.flush();
    stopped.await();
  }
}

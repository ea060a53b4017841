package dev.slipway.cli;

import dev.slipway.api.SlipwayException;
import dev.slipway.cli.client.ServerError;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.RegisteredModel;
import dev.slipway.server.SlipwayServer;
import dev.slipway.server.config.ConfigException;
import dev.slipway.server.config.SlipwayConfig;
import dev.slipway.server.demo.DemoModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code slipway} command. */
@Command(
    name = "slipway",
    mixinStandardHelpOptions = true,
    version = "slipway " + SlipwayServer.VERSION,
    description = "Take a trained model to production: serve, register, try.",
    subcommands = {
      Slipway.Demo.class,
      Slipway.Serve.class,
      ModelsCommand.class,
      DeploymentsCommand.class,
      BatchCommand.class,
      JobsCommand.class,
      ScenarioCommand.class
    })
public final class Slipway implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * Tribuo reports every training run through java.util.logging; the CLI prints its own summary.
   * Held here because java.util.logging keeps loggers weakly: a level set on a logger nobody
   * references is lost when it is collected.
   */
  private static final java.util.logging.Logger TRIBUO =
      java.util.logging.Logger.getLogger("org.tribuo");

  public static void main(String[] args) {
    TRIBUO.setLevel(java.util.logging.Level.WARNING);
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line with Slipway's error handling: known errors (the registry's, a server's {@code
   * {"error": ...}} answers, an unreachable server) print one line, {@code slipway: <message>}, and
   * exit 2.
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Slipway());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof ConfigException
              || e instanceof SlipwayException
              || e instanceof ServerError) {
            cmd.getErr().println(cmd.getColorScheme().errorText("slipway: " + e.getMessage()));
            return 2;
          }
          throw e;
        });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every server command shares. */
  static class ServerOptions {
    @Option(
        names = "--port",
        description = "HTTP port (default: ${DEFAULT-VALUE}; 0 picks a free one)",
        defaultValue = "8080")
    int port;

    @Option(
        names = "--home",
        description =
            "Slipway home: database and artifacts (default: ${DEFAULT-VALUE}, or SLIPWAY_HOME)",
        defaultValue = "${env:SLIPWAY_HOME:-slipway-home}")
    Path home;

    @Option(names = "--config", description = "a slipway.yaml file")
    Path config;

    SlipwayConfig config() {
      return SlipwayConfig.load(config, System.getenv()).withHome(home).withPort(port);
    }
  }

  static int serveUntilStopped(SlipwayConfig config, PrintWriter out) throws InterruptedException {
    SlipwayServer server = SlipwayServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "slipway-shutdown"));
    String base = "http://127.0.0.1:" + server.port();
    out.println("Slipway is serving on " + base + "/");
    for (RegisteredModel m : server.registry().models()) {
      out.println(
          "  "
              + m.name()
              + " (version "
              + m.latestVersion()
              + "): form and API console at "
              + base
              + "/ui/models/"
              + m.name());
    }
    out.println("  Open Inference Protocol: " + base + "/v2   metrics: " + base + "/metrics");
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return 0;
  }

  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      description =
          "Generate the ad-click data, train and register the model as 'ad-click' (once), then serve.")
  static final class Demo implements Callable<Integer> {
    @CommandLine.Mixin ServerOptions server = new ServerOptions();

    @Option(
        names = "--seed",
        description = "seed of the data and the training (default: ${DEFAULT-VALUE})",
        defaultValue = "42")
    long seed;

    @Option(
        names = "--rows",
        description = "rows of generated data (default: ${DEFAULT-VALUE})",
        defaultValue = "50000")
    int rows;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      SlipwayConfig config = server.config();
      if (config.guard(DemoModel.NAME) == null) {
        // the demo shows its guards unless slipway.yaml sets others
        config = config.toBuilder().guard(DemoModel.NAME, DemoModel.guardSpec()).build();
      }
      PrintWriter out = spec.commandLine().getOut();
      try (ModelRegistry registry = ModelRegistry.embedded(config.home())) {
        out.println("Preparing the demo model in " + config.home().toAbsolutePath() + " ...");
        out.flush();
        DemoModel.ensureRegistered(registry, seed, rows)
            .ifPresentOrElse(
                v ->
                    out.println(
                        "Trained and registered "
                            + v.name()
                            + " version "
                            + v.version()
                            + ": "
                            + metrics(v)),
                () -> out.println("The ad-click model is already registered; serving it."));
      }
      return serveUntilStopped(config, out);
    }
  }

  static String metrics(ModelVersion v) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Double> e : v.metrics().entrySet()) {
      b.append(e.getKey())
          .append('=')
          .append(String.format(java.util.Locale.ROOT, "%.4g", e.getValue()))
          .append(' ');
    }
    return b.toString().trim();
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = "Serve every registered model.")
  static final class Serve implements Callable<Integer> {
    @CommandLine.Mixin ServerOptions server = new ServerOptions();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      return serveUntilStopped(server.config(), spec.commandLine().getOut());
    }
  }
}

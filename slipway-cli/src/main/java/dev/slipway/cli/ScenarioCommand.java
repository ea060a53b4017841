package dev.slipway.cli;

import dev.slipway.server.demo.LifecycleScenario;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway scenario ...}: scripted end-to-end runs that show a feature at work. */
@Command(
    name = "scenario",
    mixinStandardHelpOptions = true,
    description = "Scripted end-to-end scenarios.",
    subcommands = {ScenarioCommand.Lifecycle.class})
final class ScenarioCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "lifecycle",
      mixinStandardHelpOptions = true,
      description = {
        "Serve the ad-click demo model with seeded traffic and feedback, then shift the market:",
        "the drift alert fires, the model is retrained on the latest labelled window, the gate",
        "blesses it and a canary releases it step by step until it is the champion.",
        "Prints the timeline; exits 0 when the new version is the champion, 1 naming the stage",
        "that did not happen in time."
      })
  static final class Lifecycle implements Callable<Integer> {
    @Option(
        names = "--home",
        description = "a fresh Slipway home for the run (default: a new temporary directory)")
    Path home;

    @Option(
        names = "--seed",
        description = "seed of the demo model and the traffic (default: ${DEFAULT-VALUE})",
        defaultValue = "42")
    long seed;

    @Option(
        names = "--time-limit",
        description = "seconds the whole run may take (default: ${DEFAULT-VALUE})",
        defaultValue = "180")
    long timeLimit;

    @Option(
        names = "--canary-metric",
        description =
            "the feedback metric the canary judges: accuracy, click_rate, log_loss, or 'none' for"
                + " errors and latency only (default: ${DEFAULT-VALUE})",
        defaultValue = "accuracy")
    String canaryMetric;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path h = home != null ? home : Files.createTempDirectory("slipway-lifecycle-");
      LifecycleScenario.Settings settings =
          LifecycleScenario.Settings.defaults(h)
              .withTimeLimit(Duration.ofSeconds(timeLimit))
              .withCanaryMetric(canaryMetric.equals("none") ? null : canaryMetric);
      settings =
          new LifecycleScenario.Settings(
              settings.home(),
              seed,
              settings.demoRows(),
              settings.rate(),
              settings.window(),
              settings.baselineWindows(),
              settings.canarySteps(),
              settings.canaryMetric(),
              settings.minSamples(),
              settings.minStep(),
              settings.timeLimit());
      out.println("Slipway lifecycle scenario in " + h.toAbsolutePath());
      LifecycleScenario.Result r;
      try {
        r = new LifecycleScenario(settings, out).run();
      } catch (IllegalStateException e) { // a home that is not fresh
        spec.commandLine().getErr().println("slipway: " + e.getMessage());
        return 2;
      }
      if (r.ok()) {
        out.println(
            "OK: version "
                + r.champion()
                + " is the champion; the home with its audit trail is "
                + h.toAbsolutePath());
        out.flush();
        return 0;
      }
      spec.commandLine()
          .getErr()
          .println(
              "slipway: the lifecycle scenario stopped: stage '"
                  + r.failedStage()
                  + "' did"
                  + " not happen within "
                  + timeLimit
                  + " s");
      return 1;
    }
  }
}

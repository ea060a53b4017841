package dev.slipway.cli;

import dev.slipway.cli.client.HttpRegistryClient;
import dev.slipway.cli.client.LocalRegistryClient;
import dev.slipway.cli.client.RegistryClient;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where a registry command works: a running server ({@code --url}, or {@code SLIPWAY_URL}) or the
 * local home ({@code --home}), and whether it prints JSON. A picocli mixin.
 */
final class RegistryOptions {
  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "a running Slipway server, e.g. http://127.0.0.1:8080 (default: SLIPWAY_URL); without"
              + " it, the command works on the local home",
      defaultValue = "${env:SLIPWAY_URL}")
  String url;

  @Option(
      names = "--home",
      paramLabel = "DIR",
      description =
          "Slipway home, when no server is given (default: ${DEFAULT-VALUE}, or SLIPWAY_HOME)",
      defaultValue = "${env:SLIPWAY_HOME:-slipway-home}")
  Path home;

  @Option(names = "--json", description = "print JSON instead of text")
  boolean json;

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec mixee;

  /** Who makes the changes, for the audit log. */
  static String actor() {
    return System.getProperty("user.name", "cli");
  }

  /**
   * The registry to work on: the server when a URL is given, else the home. An explicit {@code
   * --home} wins over {@code SLIPWAY_URL} from the environment; with both options it is an error.
   */
  RegistryClient open() {
    var parsed = mixee.commandLine().getParseResult();
    boolean homeGiven = parsed.hasMatchedOption("--home");
    boolean urlGiven = parsed.hasMatchedOption("--url");
    if (homeGiven && urlGiven) {
      throw new CommandLine.ParameterException(
          mixee.commandLine(), "give --url (a running server) or --home (a local home), not both");
    }
    if (url != null && !url.isBlank() && !homeGiven) {
      return HttpRegistryClient.connect(url, actor());
    }
    return LocalRegistryClient.open(home, actor());
  }
}

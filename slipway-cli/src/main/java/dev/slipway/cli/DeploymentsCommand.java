package dev.slipway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.cli.client.RegistryClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code slipway deployments}: what a running server serves (routes, loaded versions, memory). */
@Command(
    name = "deployments",
    mixinStandardHelpOptions = true,
    description = {
      "Show what a running server serves: each route and the version behind it, and the loaded"
          + " versions with their memory and settings.",
      "Needs a running server (--url or SLIPWAY_URL): a home on its own serves nothing."
    })
final class DeploymentsCommand extends ModelsCommand.RegistryCommand {
  @Override
  int run(RegistryClient client, PrintWriter out) {
    JsonNode d = client.deployments();
    if (registry.json) {
      Output.json(out, d);
      return 0;
    }
    List<List<String>> routes = new ArrayList<>();
    for (JsonNode r : d.path("routes")) {
      routes.add(
          List.of(r.path("ref").asText(), text(r.get("version")), text(r.get("last_error"))));
    }
    out.println("Routes on " + client.where() + ":");
    if (routes.isEmpty()) {
      out.println("  none yet (a model is routed on its first request)");
    } else {
      Output.table(out, "  ", List.of("REF", "VERSION", "LAST ERROR"), routes);
    }
    List<List<String>> loaded = new ArrayList<>();
    for (JsonNode m : d.path("loaded")) {
      loaded.add(
          List.of(
              m.path("model").asText(),
              text(m.get("version")),
              text(m.get("instances")),
              text(m.get("batching")),
              mib(m.get("artifact_bytes")),
              mib(m.get("approx_native_memory_bytes"))));
    }
    out.println("Loaded versions:");
    if (loaded.isEmpty()) {
      out.println("  none");
    } else {
      Output.table(
          out,
          "  ",
          List.of("MODEL", "VERSION", "INSTANCES", "BATCHING", "ARTIFACT", "NATIVE MEMORY"),
          loaded);
    }
    return 0;
  }

  private static String text(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "-";
    }
    return n.isValueNode() ? n.asText() : n.toString();
  }

  private static String mib(JsonNode n) {
    if (n == null || !n.isNumber()) {
      return "-";
    }
    return String.format(java.util.Locale.ROOT, "%.1f MiB", n.asDouble() / (1024 * 1024));
  }
}

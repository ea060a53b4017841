package dev.slipway.cli;

import dev.slipway.api.Field;
import dev.slipway.cli.client.AliasChange;
import dev.slipway.cli.client.GateOutcome;
import dev.slipway.cli.client.HeldOut;
import dev.slipway.cli.client.ModelSummary;
import dev.slipway.cli.client.RegistryClient;
import dev.slipway.cli.client.Upload;
import dev.slipway.cli.client.VersionInfo;
import dev.slipway.registry.AuditEntry;
import dev.slipway.registry.ModelRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code slipway models ...}: every registry operation of the REST API, on a running server ({@code
 * --url}) or on the local home ({@code --home}), written once over {@link RegistryClient}.
 */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = {
      "Registered models: versions, aliases, tags, the evaluation gate, the audit log.",
      "Every command works on a running server with --url (or SLIPWAY_URL), otherwise on the"
          + " local home (--home); the home can be opened by one process at a time, so while a"
          + " server runs on it, use --url.",
      "A model reference REF is 'name', 'name@alias' or 'name/version', resolved as serving"
          + " resolves it: a bare name is the champion when it is set, else the latest version"
          + " that did not fail verification."
    },
    subcommands = {
      ModelsCommand.ListModels.class,
      ModelsCommand.Show.class,
      ModelsCommand.Versions.class,
      ModelsCommand.Register.class,
      ModelsCommand.Alias.class,
      ModelsCommand.Rollback.class,
      ModelsCommand.Tag.class,
      ModelsCommand.Audit.class,
      ModelsCommand.Evaluate.class
    })
final class ModelsCommand implements Runnable {
  /** The exit code of {@code evaluate} when the candidate is not blessed. */
  static final int NOT_BLESSED = 3;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A command that works on a registry: opens it, runs, closes it. */
  abstract static class RegistryCommand implements Callable<Integer> {
    @Mixin RegistryOptions registry = new RegistryOptions();

    @Spec CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    @Override
    public final Integer call() {
      int code;
      try (RegistryClient client = registry.open()) {
        code = run(client, out());
      }
      out().flush();
      return code;
    }

    abstract int run(RegistryClient client, PrintWriter out);
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List registered models with their latest version and aliases.")
  static final class ListModels extends RegistryCommand {
    @Override
    int run(RegistryClient client, PrintWriter out) {
      List<ModelSummary> models = client.models();
      if (registry.json) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ModelSummary m : models) {
          Map<String, Object> item = new LinkedHashMap<>();
          item.put("name", m.name());
          item.put("latest_version", m.latestVersion());
          item.put("description", m.description());
          item.put("aliases", m.aliases());
          list.add(item);
        }
        Output.json(out, Map.of("models", list));
        return 0;
      }
      if (models.isEmpty()) {
        out.println(
            "No models registered in "
                + client.where()
                + ". Try: slipway demo, or slipway models register.");
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      for (ModelSummary m : models) {
        rows.add(
            List.of(
                m.name(),
                Integer.toString(m.latestVersion()),
                Output.pairs(m.aliases()),
                Output.orDash(m.description())));
      }
      Output.table(out, List.of("NAME", "LATEST", "ALIASES", "DESCRIPTION"), rows);
      return 0;
    }
  }

  @Command(
      name = "versions",
      mixinStandardHelpOptions = true,
      description = "List the versions of a model: aliases, verification, gate verdict, metrics.")
  static final class Versions extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "the model's name")
    String name;

    @Override
    int run(RegistryClient client, PrintWriter out) {
      List<VersionInfo> versions = client.versions(name);
      if (registry.json) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", name);
        body.put("versions", versions.stream().map(VersionInfo::toJson).toList());
        Output.json(out, body);
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      for (VersionInfo v : versions) {
        rows.add(
            List.of(
                Integer.toString(v.version()),
                v.aliases().isEmpty() ? "-" : String.join(",", v.aliases()),
                v.format(),
                v.sha256().substring(0, Math.min(12, v.sha256().length())),
                Output.instant(v.createdAt()),
                v.verification(),
                Output.orDash(v.gate()),
                Output.numbers(v.metrics())));
      }
      Output.table(
          out,
          List.of(
              "VERSION",
              "ALIASES",
              "FORMAT",
              "SHA256",
              "CREATED",
              "VERIFICATION",
              "GATE",
              "METRICS"),
          rows);
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Show a version: format, sha256, schema, metrics, lineage, tags, aliases, verification"
              + " and gate result.")
  static final class Show extends RegistryCommand {
    @Parameters(
        index = "0",
        paramLabel = "REF",
        description = "name, name@alias or name/version (a bare name: champion, else latest)")
    String ref;

    @Override
    int run(RegistryClient client, PrintWriter out) {
      VersionInfo v = client.resolve(ref);
      if (registry.json) {
        Output.json(out, v.toJson());
        return 0;
      }
      out.println(v.ref() + (ref.equals(v.ref()) ? "" : "  (" + ref + ")"));
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("format", v.format()));
      rows.add(List.of("sha256", v.sha256()));
      rows.add(List.of("size", v.sizeBytes() + " bytes"));
      rows.add(List.of("created", Output.instant(v.createdAt()) + " by " + v.createdBy()));
      rows.add(List.of("description", Output.orDash(v.description())));
      rows.add(List.of("aliases", v.aliases().isEmpty() ? "-" : String.join(", ", v.aliases())));
      rows.add(List.of("tags", Output.pairs(v.tags())));
      rows.add(List.of("metrics", Output.numbers(v.metrics())));
      rows.add(
          List.of(
              "verification",
              v.verification()
                  + (v.verificationMessage() == null ? "" : ": " + v.verificationMessage())));
      rows.add(
          List.of(
              "gate",
              v.gate() == null
                  ? "never evaluated"
                  : v.gate() + (v.gateDetails() == null ? "" : ": " + v.gateDetails())));
      if (v.gateNumbers() != null && !v.gateNumbers().isEmpty()) {
        rows.add(List.of("gate numbers", Output.numbers(v.gateNumbers())));
      }
      if (v.lineage() != null) {
        rows.add(List.of("lineage", lineage(v)));
      }
      for (List<String> row : rows) {
        out.printf("  %-14s%s%n", row.get(0), row.get(1));
      }
      if (v.schema() != null) {
        if (v.schema().isEmpty()) {
          out.printf("  %-14s%s%n", "schema", "none declared (the model takes its own inputs)");
        } else {
          out.println("  schema");
          List<List<String>> fields = new ArrayList<>();
          for (Field f : v.schema()) {
            fields.add(List.of(f.name(), f.type().name(), range(f)));
          }
          Output.table(out, "    ", List.of("FIELD", "TYPE", "VALUES"), fields);
        }
      }
      if (v.lineage() == null || v.schema() == null) {
        out.println(
            "  (schema, lineage, verification message and gate figures are not in the REST"
                + " API's version detail)");
      }
      return 0;
    }

    private static String lineage(VersionInfo v) {
      var l = v.lineage();
      if (l.trainingDataRef() == null
          && l.trainingDataSha256() == null
          && l.parameters().isEmpty()) {
        return "none recorded";
      }
      List<String> parts = new ArrayList<>();
      if (l.trainingDataRef() != null) {
        parts.add("training data " + l.trainingDataRef());
      }
      if (l.trainingDataSha256() != null) {
        parts.add("sha256 " + l.trainingDataSha256());
      }
      if (!l.parameters().isEmpty()) {
        parts.add("parameters " + Output.pairs(l.parameters()));
      }
      return String.join("; ", parts);
    }

    private static String range(Field f) {
      StringBuilder b = new StringBuilder();
      if (f.min() != null || f.max() != null) {
        b.append('[')
            .append(Output.number(f.min()))
            .append(", ")
            .append(Output.number(f.max()))
            .append(']');
      }
      if (!f.domain().isEmpty()) {
        b.append(b.length() == 0 ? "" : " ").append(String.join(" | ", f.domain()));
      }
      if (f.nullable()) {
        b.append(b.length() == 0 ? "" : " ").append("(nullable)");
      }
      return b.length() == 0 ? "-" : b.toString();
    }
  }

  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      description = {
        "Register a model file as a new version (over --url: upload it).",
        "The file is loaded before anything is stored, so a file the runtime refuses never"
            + " becomes a version; the new version is then verified: loaded as serving loads it,"
            + " replaying its golden records (VERIFIED, or FAILED with the first mismatch: a"
            + " FAILED version cannot get an alias)."
      })
  static final class Register extends RegistryCommand {
    @Option(
        names = "--name",
        required = true,
        description = "model name: letters, digits, '_', '-', '.'")
    String name;

    @Parameters(index = "0", paramLabel = "FILE", description = "the model file, e.g. model.onnx")
    Path file;

    @Option(
        names = "--format",
        description = "model format (default: ${DEFAULT-VALUE})",
        defaultValue = "onnx")
    String format;

    @Option(names = "--description", description = "a short description")
    String description;

    @Option(
        names = "--sha256",
        description = "the file's expected SHA-256: refuse the file when it differs")
    String sha256;

    @Option(
        names = "--manifest",
        paramLabel = "JSON",
        description =
            "a manifest file: record preprocessing ('tabular'), description, optionally 'golden'")
    Path manifest;

    @Option(
        names = "--golden",
        paramLabel = "JSON",
        description =
            "golden records the version must reproduce on every load ({\"cases\": [...]});"
                + " default: generated from the model's schema and answered by the model")
    Path golden;

    @Override
    int run(RegistryClient client, PrintWriter out) {
      VersionInfo v =
          client.register(new Upload(name, file, format, description, sha256, manifest, golden));
      if (registry.json) {
        Output.json(out, v.toJson());
        return 0;
      }
      out.println(
          "Registered "
              + v.name()
              + " version "
              + v.version()
              + " (sha256 "
              + v.sha256()
              + "); verification: "
              + v.verification()
              + (v.verificationMessage() == null ? "" : " (" + v.verificationMessage() + ")")
              + ".");
      return 0;
    }
  }

  @Command(
      name = "alias",
      mixinStandardHelpOptions = true,
      description =
          "Set, move, remove and list aliases. Moving 'champion' needs a BLESSED gate result"
              + " (slipway models evaluate) unless forced; a forced move is audited as forced.",
      subcommands = {Alias.SetAlias.class, Alias.RemoveAlias.class, Alias.ListAliases.class})
  static final class Alias implements Runnable {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
        name = "set",
        mixinStandardHelpOptions = true,
        description = "Point an alias at a version, creating or moving it.")
    static final class SetAlias extends RegistryCommand {
      @Parameters(index = "0", paramLabel = "NAME", description = "the model's name")
      String name;

      @Parameters(index = "1", paramLabel = "ALIAS", description = "e.g. champion, challenger")
      String alias;

      @Parameters(index = "2", paramLabel = "VERSION", description = "the version number")
      int version;

      @Option(
          names = "--force",
          description = "move 'champion' to a version that is not BLESSED (audited as forced)")
      boolean force;

      @Option(names = "--reason", description = "why, for the audit log")
      String reason;

      @Override
      int run(RegistryClient client, PrintWriter out) {
        // Whether the gate is being overridden, to say so: only champion is gated.
        boolean gated = force && ModelRegistry.CHAMPION.equals(alias);
        String gate = gated ? client.resolve(name + "/" + version).gate() : null;
        AliasChange c = client.setAlias(name, alias, version, reason, force);
        boolean forced = gated && c.changed() && !"BLESSED".equals(gate);
        if (registry.json) {
          Map<String, Object> body = change(c);
          body.put("forced", forced);
          Output.json(out, body);
          return 0;
        }
        if (!c.changed()) {
          out.println(
              "Alias '"
                  + alias
                  + "' of "
                  + name
                  + " already points to version "
                  + c.version()
                  + "; nothing changed.");
        } else if (c.previousVersion() == null) {
          out.println("Set alias '" + alias + "' of " + name + " to version " + c.version() + ".");
        } else {
          out.println(
              "Moved alias '"
                  + alias
                  + "' of "
                  + name
                  + " from version "
                  + c.previousVersion()
                  + " to version "
                  + c.version()
                  + ".");
        }
        if (forced) {
          out.println(
              "Forced past the gate: version "
                  + version
                  + (gate == null ? " has no gate result" : " is " + gate)
                  + "; the audit log records the move as forced.");
        }
        return 0;
      }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an alias.")
    static final class RemoveAlias extends RegistryCommand {
      @Parameters(index = "0", paramLabel = "NAME", description = "the model's name")
      String name;

      @Parameters(index = "1", paramLabel = "ALIAS", description = "the alias to remove")
      String alias;

      @Option(names = "--reason", description = "why, for the audit log")
      String reason;

      @Override
      int run(RegistryClient client, PrintWriter out) {
        Integer before = client.aliases(name).get(alias);
        client.removeAlias(name, alias, reason);
        if (registry.json) {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("model", name);
          body.put("alias", alias);
          body.put("removed_version", before);
          Output.json(out, body);
          return 0;
        }
        out.println(
            "Removed alias '"
                + alias
                + "' of "
                + name
                + (before == null ? "." : " (it pointed to version " + before + ")."));
        return 0;
      }
    }

    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "List a model's aliases.")
    static final class ListAliases extends RegistryCommand {
      @Parameters(index = "0", paramLabel = "NAME", description = "the model's name")
      String name;

      @Override
      int run(RegistryClient client, PrintWriter out) {
        Map<String, Integer> aliases = client.aliases(name);
        if (registry.json) {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("model", name);
          body.put("aliases", aliases);
          Output.json(out, body);
          return 0;
        }
        if (aliases.isEmpty()) {
          out.println("Model " + name + " has no aliases.");
          return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        aliases.forEach((a, v) -> rows.add(List.of(a, Integer.toString(v))));
        Output.table(out, List.of("ALIAS", "VERSION"), rows);
        return 0;
      }
    }
  }

  static Map<String, Object> change(AliasChange c) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", c.model());
    body.put("alias", c.alias());
    body.put("version", c.version());
    body.put("previous_version", c.previousVersion());
    return body;
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description =
          "Move an alias back to the version it pointed to before its last move (not held to the"
              + " gate: it restores what was serving).")
  static final class Rollback extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "the model's name")
    String name;

    @Option(
        names = "--alias",
        description = "the alias to roll back (default: ${DEFAULT-VALUE})",
        defaultValue = ModelRegistry.CHAMPION)
    String alias;

    @Option(names = "--reason", description = "why, for the audit log")
    String reason;

    @Override
    int run(RegistryClient client, PrintWriter out) {
      AliasChange c = client.rollback(name, alias, reason);
      if (registry.json) {
        Output.json(out, change(c));
        return 0;
      }
      out.println(
          "Rolled back alias '"
              + alias
              + "' of "
              + name
              + " from version "
              + c.previousVersion()
              + " to version "
              + c.version()
              + ".");
      return 0;
    }
  }

  @Command(
      name = "tag",
      mixinStandardHelpOptions = true,
      description = "Set and remove tags on a version.",
      subcommands = {Tag.SetTags.class, Tag.RemoveTags.class})
  static final class Tag implements Runnable {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }

    abstract static class TagCommand extends RegistryCommand {
      @Parameters(
          index = "0",
          paramLabel = "REF",
          description = "name, name@alias or name/version (a bare name: champion, else latest)")
      String ref;

      /** Prints the version's tags after the change. */
      int report(RegistryClient client, PrintWriter out, VersionInfo target) {
        VersionInfo after = client.resolve(target.ref());
        if (registry.json) {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("model", after.name());
          body.put("version", after.version());
          body.put("tags", after.tags());
          Output.json(out, body);
        } else {
          out.println(after.ref() + " tags: " + Output.pairs(after.tags()));
        }
        return 0;
      }
    }

    @Command(
        name = "set",
        mixinStandardHelpOptions = true,
        description = "Set tags (KEY=VALUE) on a version, replacing a tag's value if it has one.")
    static final class SetTags extends TagCommand {
      @Parameters(
          index = "1..*",
          arity = "1..*",
          paramLabel = "KEY=VALUE",
          description = "tags to set, e.g. team=ads")
      List<String> tags;

      @Override
      int run(RegistryClient client, PrintWriter out) {
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String t : tags) {
          int eq = t.indexOf('=');
          if (eq <= 0) {
            throw new CommandLine.ParameterException(
                spec.commandLine(), "expected KEY=VALUE, got '" + t + "'");
          }
          parsed.put(t.substring(0, eq), t.substring(eq + 1));
        }
        VersionInfo v = client.resolve(ref);
        parsed.forEach((k, value) -> client.setTag(v.name(), v.version(), k, value));
        return report(client, out, v);
      }
    }

    @Command(
        name = "remove",
        mixinStandardHelpOptions = true,
        description = "Remove tags from a version.")
    static final class RemoveTags extends TagCommand {
      @Parameters(
          index = "1..*",
          arity = "1..*",
          paramLabel = "KEY",
          description = "tags to remove")
      List<String> keys;

      @Override
      int run(RegistryClient client, PrintWriter out) {
        VersionInfo v = client.resolve(ref);
        for (String k : keys) {
          client.removeTag(v.name(), v.version(), k);
        }
        return report(client, out, v);
      }
    }
  }

  @Command(
      name = "audit",
      mixinStandardHelpOptions = true,
      description = "Who changed what in a model, when and why, newest first.")
  static final class Audit extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "the model's name")
    String name;

    @Option(
        names = "--limit",
        description = "the most entries to show, 1 to 10000 (default: ${DEFAULT-VALUE})",
        defaultValue = "100")
    int limit;

    @Override
    int run(RegistryClient client, PrintWriter out) {
      List<AuditEntry> entries = client.audit(name, limit);
      if (registry.json) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (AuditEntry e : entries) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("id", e.id());
          m.put("at", e.at().toString());
          m.put("actor", e.actor());
          m.put("action", e.action());
          m.put("version", e.version());
          m.put("alias", e.alias());
          m.put("reason", e.reason());
          m.put("forced", e.forced());
          m.put("detail", e.detail());
          list.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", name);
        body.put("entries", list);
        Output.json(out, body);
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      for (AuditEntry e : entries) {
        rows.add(
            List.of(
                Long.toString(e.id()),
                Output.instant(e.at().toString()),
                e.actor(),
                e.action(),
                Output.orDash(e.version()),
                Output.orDash(e.alias()),
                e.forced() ? "forced" : "-",
                Output.orDash(e.reason()),
                e.detail()));
      }
      Output.table(
          out,
          List.of("ID", "AT", "ACTOR", "ACTION", "VERSION", "ALIAS", "FORCED", "REASON", "DETAIL"),
          rows);
      return 0;
    }
  }

  @Command(
      name = "evaluate",
      mixinStandardHelpOptions = true,
      description = {
        "Run the evaluation gate: score a candidate version and the current champion on the same"
            + " labelled held-out data, and record BLESSED or NOT_BLESSED on the candidate.",
        "Default policy: AUC at least 0.7, AUC not worse than the champion's by more than 0.01,"
            + " log loss not worse. Exit code 0 when blessed, "
            + NOT_BLESSED
            + " when not."
      })
  static final class Evaluate extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "the model's name")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION", description = "the candidate version")
    int version;

    static final class Data {
      @Option(
          names = "--data",
          paramLabel = "CSV",
          description =
              "labelled rows: a CSV file with a header row, the features and the label column"
                  + " (over --url it is sent inline, so it must fit server.maxRequestBytes)")
      Path csv;

      @Option(
          names = "--generator",
          paramLabel = "NAME",
          description = "generated rows instead: 'ad-click' (the demo's seeded generator)")
      String generator;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Data data;

    @Option(
        names = "--seed",
        description = "with --generator: the seed (default: ${DEFAULT-VALUE})",
        defaultValue = "99")
    long seed;

    @Option(
        names = "--rows",
        description = "with --generator: how many rows (default: ${DEFAULT-VALUE})",
        defaultValue = "5000")
    int rows;

    @Option(names = "--label", description = "the label column (default: clicked)")
    String label;

    @Option(
        names = "--positive",
        description = "the label value of the positive class (default: click)")
    String positive;

    @Override
    int run(RegistryClient client, PrintWriter out) {
      HeldOut heldOut;
      if (data.csv != null) {
        heldOut = new HeldOut.Rows(CsvRecords.read(data.csv, "--data"));
      } else if ("ad-click".equals(data.generator)) {
        heldOut = new HeldOut.AdClick(seed, rows);
      } else {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--generator: got '" + data.generator + "', expected ad-click (or give --data CSV)");
      }
      GateOutcome g = client.evaluate(name, version, heldOut, label, positive);
      if (registry.json) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", g.model());
        body.put("version", g.version());
        body.put("verdict", g.verdict());
        body.put("failures", g.failures());
        body.put("numbers", g.numbers());
        body.put("champion_version", g.championVersion());
        Output.json(out, body);
      } else {
        boolean compared = g.championVersion() != null && g.championVersion() != g.version();
        out.println(
            g.model()
                + "/"
                + g.version()
                + ": "
                + g.verdict()
                + (compared
                    ? " (compared with the champion, version " + g.championVersion() + ")"
                    : " (no other champion to compare with)"));
        out.println("  " + Output.numbers(g.numbers()));
        for (String f : g.failures()) {
          out.println("  - " + f);
        }
      }
      return g.blessed() ? 0 : NOT_BLESSED;
    }
  }
}

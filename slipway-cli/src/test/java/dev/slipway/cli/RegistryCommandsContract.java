package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.DataType;
import dev.slipway.registry.AuditEntry;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import dev.slipway.server.demo.DemoModel;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.train.data.AdClickGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees from every registry command, and the registry's state after it. Run once on a
 * local home ({@link LocalRegistryCommandsTest}) and once against a running server ({@link
 * HttpRegistryCommandsTest}): both modes must behave the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RegistryCommandsContract {
  static final String ME = System.getProperty("user.name", "cli");
  private static final AtomicInteger NAMES = new AtomicInteger();

  Path identityModel;

  /** The options that point a command at the registry under test, e.g. {@code --home DIR}. */
  abstract List<String> target();

  /** The registry under test, to arrange models and check state after a command. */
  abstract ModelRegistry registry();

  @BeforeAll
  void writeModelFile(@TempDir Path dir) throws IOException {
    identityModel =
        Files.write(dir.resolve("id.onnx"), OnnxModelBuilder.identity(DataType.FP32, -1));
  }

  /** Runs {@code slipway ARGS} against the registry under test. */
  CliRun slipway(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(target());
    return CliRun.of(all.toArray(String[]::new));
  }

  /** A new model with {@code versions} versions, none aliased, gated or verified. */
  String model(int versions) {
    String name = "m" + NAMES.incrementAndGet();
    for (int i = 0; i < versions; i++) {
      registry()
          .register(
              new Registration(name, identityModel, "onnx", null, Map.of(), "v" + (i + 1), "test"));
    }
    return name;
  }

  static void assertOneLineError(CliRun r, String... contains) {
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).startsWith("slipway: ").contains(contains);
    assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
    assertThat(r.out()).isEmpty();
  }

  AuditEntry lastAudit(String model) {
    return registry().audit(model, 1).get(0);
  }

  // ------------------------------------------------------------------ list, versions, show

  @Test
  void listShowsEachModelWithItsLatestVersionAndAliases() {
    String m = model(2);
    registry().setAlias(m, "staging", 1, "test", null, false);
    CliRun r = slipway("models", "list");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("NAME", "LATEST", "ALIASES");
    assertThat(r.out().lines().filter(l -> l.startsWith(m + " ")).findFirst())
        .hasValueSatisfying(l -> assertThat(l).contains(" 2 ").contains("staging=1"));

    JsonNode json = slipway("models", "list", "--json").json();
    JsonNode entry = null;
    for (JsonNode e : json.get("models")) {
      if (e.get("name").asText().equals(m)) {
        entry = e;
      }
    }
    assertThat(entry).isNotNull();
    assertThat(entry.get("latest_version").asInt()).isEqualTo(2);
    assertThat(entry.get("aliases").get("staging").asInt()).isEqualTo(1);
  }

  @Test
  void versionsListsEveryVersionWithAliasesVerificationAndGate() {
    String m = model(2);
    registry().setAlias(m, "staging", 2, "test", null, false);
    registry().recordGate(m, 2, "NOT_BLESSED", Map.of("auc", 0.5), "auc too low", "test");
    CliRun r = slipway("models", "versions", m);
    assertThat(r.code()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).contains("VERSION", "ALIASES", "SHA256", "VERIFICATION", "GATE");
    assertThat(lines).hasSize(3);
    assertThat(lines.get(1)).startsWith("1 ").contains("onnx", "PENDING");
    assertThat(lines.get(2)).startsWith("2 ").contains("staging", "NOT_BLESSED");

    JsonNode json = slipway("models", "versions", m, "--json").json();
    assertThat(json.get("model").asText()).isEqualTo(m);
    assertThat(json.get("versions")).hasSize(2);
    assertThat(json.get("versions").get(1).get("aliases").get(0).asText()).isEqualTo("staging");
    assertThat(json.get("versions").get(1).get("gate").asText()).isEqualTo("NOT_BLESSED");
  }

  @Test
  void showPrintsAVersionsDetail() {
    String m = model(2);
    registry().setTag(m, 1, "team", "ads", "test");
    registry().setAlias(m, "staging", 1, "test", null, false);
    registry().recordGate(m, 1, "BLESSED", Map.of("candidate_auc", 0.81), "all checks passed", "t");
    ModelVersion v1 = registry().version(m, 1).orElseThrow();

    CliRun r = slipway("models", "show", m + "/1");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out().lines().findFirst()).hasValue(m + "/1");
    assertThat(r.out())
        .containsPattern("format +onnx")
        .containsPattern("sha256 +" + v1.sha256())
        .containsPattern("aliases +staging")
        .containsPattern("tags +team=ads")
        .containsPattern("verification +PENDING")
        .containsPattern("gate +BLESSED");

    JsonNode json = slipway("models", "show", m + "@staging", "--json").json();
    assertThat(json.get("name").asText()).isEqualTo(m);
    assertThat(json.get("version").asInt()).isEqualTo(1);
    assertThat(json.get("sha256").asText()).isEqualTo(v1.sha256());
    assertThat(json.get("format").asText()).isEqualTo("onnx");
    assertThat(json.get("tags").get("team").asText()).isEqualTo("ads");
    assertThat(json.get("aliases").get(0).asText()).isEqualTo("staging");
    assertThat(json.get("gate").asText()).isEqualTo("BLESSED");
    assertThat(json.get("verification").asText()).isEqualTo("PENDING");
  }

  @Test
  void referencesResolveAsServingResolvesThem() {
    String m = model(3);
    registry().setAlias(m, "staging", 2, "test", null, false);
    registry().setAlias(m, ModelRegistry.CHAMPION, 1, "test", null, true);
    Function<String, ModelVersion> serving = ModelHost.defaultResolver(registry());
    for (String ref :
        List.of(m, m + "@latest", m + "/2", m + "@v3", m + "@staging", m + "@champion")) {
      CliRun r = slipway("models", "show", ref, "--json");
      assertThat(r.code()).as(ref + ": " + r).isZero();
      assertThat(r.json().get("version").asInt()).as(ref).isEqualTo(serving.apply(ref).version());
    }
    assertThat(slipway("models", "show", m).out().lines().findFirst())
        .as("a bare name is the champion, and the header says how it was reached")
        .hasValue(m + "/1  (" + m + ")");

    String noChampion = model(3);
    registry().recordVerification(noChampion, 3, false, "broken on purpose");
    Function<String, ModelVersion> resolver = ModelHost.defaultResolver(registry());
    for (String ref : List.of(noChampion, noChampion + "@latest")) {
      CliRun r = slipway("models", "show", ref, "--json");
      assertThat(r.json().get("version").asInt())
          .as(ref + ": without a champion, the latest version that did not fail verification")
          .isEqualTo(resolver.apply(ref).version());
    }
    assertThat(slipway("models", "show", noChampion, "--json").json().get("version").asInt())
        .isEqualTo(2);
  }

  @Test
  void unknownModelsVersionsAndAliasesAreOneLineErrors() {
    String m = model(1);
    assertOneLineError(slipway("models", "show", "nope"), "model 'nope' is not registered");
    assertOneLineError(slipway("models", "versions", "nope"), "model 'nope' is not registered");
    assertOneLineError(slipway("models", "show", m + "/9"), "version 9", m);
    assertOneLineError(
        slipway("models", "show", m + "@ghost"), "alias 'ghost' of model '" + m + "' is not set");
    assertOneLineError(slipway("models", "show", m + "@x/1"), "field 'model'");
    assertOneLineError(slipway("models", "audit", "nope"), "model 'nope' is not registered");
  }

  // ------------------------------------------------------------------ aliases

  @Test
  void aliasesAreSetMovedListedAndRemoved() {
    String m = model(2);
    CliRun set = slipway("models", "alias", "set", m, "staging", "1", "--reason", "try it");
    assertThat(set.out())
        .as(set.toString())
        .contains("Set alias 'staging' of " + m + " to version 1.");
    assertThat(registry().aliases(m)).containsEntry("staging", 1);
    assertThat(lastAudit(m).reason()).isEqualTo("try it");
    assertThat(lastAudit(m).actor()).isEqualTo(ME);

    CliRun move = slipway("models", "alias", "set", m, "staging", "2", "--json");
    assertThat(move.code()).as(move.toString()).isZero();
    assertThat(move.json().get("version").asInt()).isEqualTo(2);
    assertThat(move.json().get("previous_version").asInt()).isEqualTo(1);
    assertThat(move.json().get("forced").asBoolean()).isFalse();
    assertThat(slipway("models", "alias", "set", m, "staging", "2").out())
        .contains("already points to version 2; nothing changed");

    CliRun list = slipway("models", "alias", "list", m);
    assertThat(list.out().lines()).containsExactly("ALIAS    VERSION", "staging  2");
    assertThat(
            slipway("models", "alias", "list", m, "--json")
                .json()
                .get("aliases")
                .get("staging")
                .asInt())
        .isEqualTo(2);

    CliRun remove = slipway("models", "alias", "remove", m, "staging", "--reason", "done");
    assertThat(remove.out())
        .as(remove.toString())
        .contains("Removed alias 'staging' of " + m + " (it pointed to version 2).");
    assertThat(registry().aliases(m)).isEmpty();
    assertThat(lastAudit(m).action()).isEqualTo(AuditEntry.ALIAS_REMOVE);
    assertThat(lastAudit(m).reason()).isEqualTo("done");
    assertThat(slipway("models", "alias", "list", m).out()).contains("has no aliases");

    assertOneLineError(
        slipway("models", "alias", "remove", m, "staging"),
        "alias 'staging' of model '" + m + "' is not set");
  }

  @Test
  void invalidAliasNamesAreRefused() {
    String m = model(1);
    assertOneLineError(
        slipway("models", "alias", "set", m, "bad-name!", "1"), "field 'alias'", "bad-name!");
    assertOneLineError(
        slipway("models", "alias", "set", m, "latest", "1"), "field 'alias'", "latest");
    assertOneLineError(slipway("models", "alias", "set", m, "staging", "7"), "version 7");
    assertThat(registry().aliases(m)).isEmpty();
  }

  @Test
  void championWithoutABlessingIsRefusedAndNothingChanges() {
    String m = model(2);
    long before = registry().audit(m).size();
    CliRun r = slipway("models", "alias", "set", m, "champion", "2");
    assertOneLineError(r, "can only move to a BLESSED version", "has no gate result", "force");
    assertThat(registry().aliases(m)).doesNotContainKey("champion");
    assertThat(registry().audit(m)).hasSize((int) before);
  }

  @Test
  void aForcedChampionIsAuditedAsForced() {
    String m = model(2);
    CliRun r =
        slipway("models", "alias", "set", m, "champion", "2", "--force", "--reason", "hotfix");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("Set alias 'champion' of " + m + " to version 2.")
        .contains("Forced past the gate: version 2 has no gate result");
    assertThat(registry().aliases(m)).containsEntry("champion", 2);
    AuditEntry e = lastAudit(m);
    assertThat(e.forced()).isTrue();
    assertThat(e.reason()).isEqualTo("hotfix");
    assertThat(e.actor()).isEqualTo(ME);

    JsonNode audit = slipway("models", "audit", m, "--limit", "1", "--json").json();
    assertThat(audit.get("entries")).hasSize(1);
    assertThat(audit.get("entries").get(0).get("forced").asBoolean()).isTrue();
    assertThat(audit.get("entries").get(0).get("action").asText()).isEqualTo(AuditEntry.ALIAS_SET);
  }

  @Test
  void aBlessedVersionBecomesChampionWithoutForce() {
    String m = model(2);
    registry().recordGate(m, 2, "BLESSED", Map.of(), "all checks passed", "test");
    CliRun r = slipway("models", "alias", "set", m, "champion", "2", "--force", "--json");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.json().get("forced").asBoolean())
        .as("blessed: --force overrode nothing")
        .isFalse();
    assertThat(lastAudit(m).forced()).isFalse();
    assertThat(registry().aliases(m)).containsEntry("champion", 2);
  }

  @Test
  void rollbackMovesAnAliasBackToItsPreviousVersion() {
    String m = model(2);
    registry().setAlias(m, "champion", 1, "test", null, true);
    registry().setAlias(m, "champion", 2, "test", null, true);
    CliRun r = slipway("models", "rollback", m, "--reason", "worse");
    assertThat(r.out())
        .as(r.toString())
        .contains("Rolled back alias 'champion' of " + m + " from version 2 to version 1.");
    assertThat(registry().aliases(m)).containsEntry("champion", 1);
    assertThat(lastAudit(m).reason()).isEqualTo("rollback: worse");

    registry().setAlias(m, "staging", 1, "test", null, false);
    assertOneLineError(
        slipway("models", "rollback", m, "--alias", "staging"),
        "no previous version to roll back to");
    assertOneLineError(slipway("models", "rollback", m, "--alias", "ghost"), "alias 'ghost'");
  }

  // ------------------------------------------------------------------ tags, audit

  @Test
  void tagsAreSetAndRemovedOnTheReferencedVersion() {
    String m = model(2);
    registry().setAlias(m, "staging", 1, "test", null, false);
    CliRun set =
        slipway("models", "tag", "set", m + "@staging", "team=ads", "stage=prod", "note=a=b");
    assertThat(set.out())
        .as(set.toString())
        .contains(m + "/1 tags: note=a=b, stage=prod, team=ads");
    assertThat(registry().version(m, 1).orElseThrow().tags())
        .containsExactlyInAnyOrderEntriesOf(Map.of("team", "ads", "stage", "prod", "note", "a=b"));
    assertThat(registry().version(m, 2).orElseThrow().tags()).isEmpty();

    JsonNode removed =
        slipway("models", "tag", "remove", m + "/1", "stage", "note", "--json").json();
    assertThat(removed.get("tags").size()).isEqualTo(1);
    assertThat(registry().version(m, 1).orElseThrow().tags()).containsOnlyKeys("team");
    assertThat(lastAudit(m).action()).isEqualTo(AuditEntry.TAG_REMOVE);

    CliRun noValue = slipway("models", "tag", "set", m + "/1", "novalue");
    assertThat(noValue.code()).isEqualTo(2);
    assertThat(noValue.err()).contains("expected KEY=VALUE, got 'novalue'");
    assertOneLineError(slipway("models", "tag", "remove", m + "/1", "ghost"), "ghost");
    assertOneLineError(slipway("models", "tag", "set", m + "/1", "bad key=x"), "field 'tag'");
  }

  @Test
  void auditShowsWhoChangedWhatNewestFirst() {
    String m = model(1);
    slipway("models", "alias", "set", m, "staging", "1", "--reason", "first");
    slipway("models", "tag", "set", m + "/1", "team=ads");
    CliRun r = slipway("models", "audit", m);
    assertThat(r.code()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).contains("ID", "AT", "ACTOR", "ACTION", "REASON");
    assertThat(lines).hasSize(4);
    assertThat(lines.get(1)).contains(ME, AuditEntry.TAG_SET);
    assertThat(lines.get(2)).contains(ME, AuditEntry.ALIAS_SET, "staging", "first");
    assertThat(lines.get(3)).contains("test", AuditEntry.REGISTER);

    JsonNode json = slipway("models", "audit", m, "--limit", "2", "--json").json();
    assertThat(json.get("entries")).hasSize(2);
    assertThat(json.get("entries").get(0).get("action").asText()).isEqualTo(AuditEntry.TAG_SET);
    assertOneLineError(slipway("models", "audit", m, "--limit", "0"), "field 'limit'");
  }

  // ------------------------------------------------------------------ register

  @Test
  void registerLoadsStoresAndVerifiesAFile() throws Exception {
    String name = "reg" + NAMES.incrementAndGet();
    CliRun r =
        slipway(
            "models",
            "register",
            "--name",
            name,
            "--description",
            "first",
            identityModel.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("Registered " + name + " version 1")
        .contains("verification: VERIFIED");
    ModelVersion v = registry().version(name, 1).orElseThrow();
    assertThat(v.description()).isEqualTo("first");
    assertThat(v.verification().status().name()).isEqualTo("VERIFIED");
    assertThat(v.createdBy()).isEqualTo(ME);

    JsonNode again =
        slipway("models", "register", "--name", name, identityModel.toString(), "--json").json();
    assertThat(again.get("version").asInt()).isEqualTo(2);
    assertThat(again.get("sha256").asText()).isEqualTo(v.sha256());
  }

  @Test
  void registerReplaysGoldenRecordsAndFailsAVersionThatDoesNotReproduceThem(@TempDir Path files)
      throws Exception {
    String name = "golden" + NAMES.incrementAndGet();
    String input = "{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [2], \"data\": [1.5, -3]}";
    Path right =
        Files.writeString(
            files.resolve("right.json"),
            "{\"cases\": [{\"inputs\": ["
                + input
                + "], \"outputs\": ["
                + input.replace("\"x\"", "\"y\"")
                + "]}]}");
    Path wrong =
        Files.writeString(
            files.resolve("wrong.json"), Files.readString(right).replace("-3]}]}]", "-3.5]}]}]"));
    Path manifest =
        Files.writeString(files.resolve("manifest.json"), "{\"description\": \"echoes x\"}");

    CliRun ok =
        slipway(
            "models",
            "register",
            "--name",
            name,
            "--golden",
            right.toString(),
            "--manifest",
            manifest.toString(),
            identityModel.toString());
    assertThat(ok.code()).as(ok.toString()).isZero();
    assertThat(ok.out())
        .contains("verification: VERIFIED (loaded and reproduced its 1 golden record)");
    assertThat(registry().version(name, 1).orElseThrow().description()).isEqualTo("echoes x");

    CliRun bad =
        slipway(
            "models",
            "register",
            "--name",
            name,
            "--golden",
            wrong.toString(),
            identityModel.toString());
    assertThat(bad.code()).as(bad.toString()).isZero();
    assertThat(bad.out())
        .contains("version 2")
        .contains("verification: FAILED (")
        .contains("golden record 1 of 1");
    assertThat(registry().version(name, 2).orElseThrow().verification().failed()).isTrue();
    assertOneLineError(
        slipway("models", "alias", "set", name, "staging", "2"),
        "failed verification",
        "cannot get alias");
    assertThat(slipway("models", "show", name, "--json").json().get("version").asInt())
        .as("a bare name skips the FAILED version")
        .isEqualTo(1);
    assertOneLineError(
        slipway("models", "register", "--name", name, "--format", "pmml", identityModel.toString()),
        "field 'format'",
        "pmml");
  }

  @Test
  void registerRefusesWhatIsNotAModelAndStoresNothing(@TempDir Path files) throws Exception {
    String name = "junk" + NAMES.incrementAndGet();
    Path junk = Files.writeString(files.resolve("junk.onnx"), "not a model");
    assertOneLineError(slipway("models", "register", "--name", name, junk.toString()), "ONNX");
    assertOneLineError(
        slipway(
            "models",
            "register",
            "--name",
            name,
            "--sha256",
            "0".repeat(64),
            identityModel.toString()),
        "field 'sha256'");
    assertOneLineError(
        slipway("models", "register", "--name", "../etc", identityModel.toString()),
        "field 'name'",
        "../etc");
    assertThat(registry().models()).noneMatch(m -> m.name().equals(name));
  }

  // ------------------------------------------------------------------ the gate

  @Test
  void evaluateBlessesAGoodCandidateAndRefusesAWorseOne(@TempDir Path files) throws Exception {
    ModelVersion good = DemoModel.register(registry(), 7, 4000);
    String name = good.name();
    Path csv = files.resolve("held-out.csv");
    new AdClickGenerator(99).writeCsv(csv, 2000);

    CliRun r =
        slipway(
            "models", "evaluate", name, Integer.toString(good.version()), "--data", csv.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains(name + "/" + good.version() + ": BLESSED")
        .contains("candidate_auc=");
    assertThat(registry().version(name, good.version()).orElseThrow().gate().blessed()).isTrue();
    assertThat(
            slipway("models", "alias", "set", name, "champion", Integer.toString(good.version()))
                .code())
        .isZero();

    ModelVersion weak = DemoModel.register(registry(), 3, 300);
    CliRun w =
        slipway(
            "models",
            "evaluate",
            name,
            Integer.toString(weak.version()),
            "--generator",
            "ad-click",
            "--rows",
            "2000",
            "--json");
    assertThat(w.code()).as(w.toString()).isEqualTo(ModelsCommand.NOT_BLESSED);
    assertThat(w.json().get("verdict").asText()).isEqualTo("NOT_BLESSED");
    assertThat(w.json().get("champion_version").asInt()).isEqualTo(good.version());
    assertThat(w.json().get("failures").size()).isPositive();
    assertThat(registry().version(name, weak.version()).orElseThrow().gate().blessed()).isFalse();
    assertOneLineError(
        slipway("models", "alias", "set", name, "champion", Integer.toString(weak.version())),
        "is NOT_BLESSED");
  }
}

package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.DataType;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlipwayCommandTest {
  @TempDir Path home;

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "demo",
        "serve",
        "deployments",
        "models",
        "models list",
        "models show",
        "models versions",
        "models register",
        "models alias",
        "models alias set",
        "models alias remove",
        "models alias list",
        "models rollback",
        "models tag",
        "models tag set",
        "models tag remove",
        "models audit",
        "models evaluate",
        "scenario",
        "scenario lifecycle"
      })
  void everyCommandHasHelp(String command) {
    String[] args = (command + " --help").trim().split(" ");
    CliRun r = run(args);
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: slipway").contains("--help");
  }

  @Test
  void demoAndServeTakePortAndHome() {
    assertThat(run("demo", "--help").out())
        .contains("--port")
        .contains("--home")
        .contains("8080")
        .contains("slipway-home");
    assertThat(run("serve", "--help").out()).contains("--port").contains("--home");
  }

  @Test
  void registersAndListsAModel() throws Exception {
    Path model = Files.write(home.resolve("m.onnx"), OnnxModelBuilder.identity(DataType.FP32, -1));
    CliRun reg =
        run("models", "register", "--home", home.toString(), "--name", "echo", model.toString());
    assertThat(reg.code()).as(reg.err()).isZero();
    assertThat(reg.out()).contains("Registered echo version 1");
    CliRun again =
        run("models", "register", "--home", home.toString(), "--name", "echo", model.toString());
    assertThat(again.out()).contains("Registered echo version 2");
    CliRun list = run("models", "list", "--home", home.toString());
    assertThat(list.out()).containsPattern("(?m)^echo +2 ");
    CliRun versions = run("models", "versions", "echo", "--home", home.toString());
    assertThat(versions.out()).containsPattern("(?m)^1 .*onnx").containsPattern("(?m)^2 .*onnx");
  }

  @Test
  void refusesAFileThatIsNotAModelAndRegistersNothing() throws Exception {
    Path junk = Files.writeString(home.resolve("junk.onnx"), "not a model");
    CliRun r =
        run("models", "register", "--home", home.toString(), "--name", "junk", junk.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("junk.onnx").contains("ONNX");
    assertThat(run("models", "list", "--home", home.toString()).out())
        .contains("No models registered");
  }

  @Test
  void refusesABadModelName() throws Exception {
    Path model = Files.write(home.resolve("m.onnx"), OnnxModelBuilder.identity(DataType.FP32, -1));
    CliRun r =
        run("models", "register", "--home", home.toString(), "--name", "../etc", model.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("name").contains("../etc");
  }

  @Test
  void registryCommandsTakeUrlHomeAndJson() {
    for (String command : new String[] {"list", "show", "alias set", "audit", "evaluate"}) {
      String[] args = ("models " + command + " --help").split(" ");
      assertThat(run(args).out()).contains("--url", "SLIPWAY_URL", "--home", "--json");
    }
  }
}

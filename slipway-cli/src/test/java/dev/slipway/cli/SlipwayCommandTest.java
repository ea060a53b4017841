package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.api.DataType;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class SlipwayCommandTest {
  @TempDir Path home;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = Slipway.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "demo", "serve", "models", "models list", "models register"})
  void everyCommandHasHelp(String command) {
    String[] args = (command + " --help").trim().split(" ");
    Run r = run(args);
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
    Run reg =
        run("models", "register", "--home", home.toString(), "--name", "echo", model.toString());
    assertThat(reg.code()).as(reg.err()).isZero();
    assertThat(reg.out()).contains("Registered echo version 1");
    Run again =
        run("models", "register", "--home", home.toString(), "--name", "echo", model.toString());
    assertThat(again.out()).contains("Registered echo version 2");
    Run list = run("models", "list", "--home", home.toString());
    assertThat(list.out())
        .contains("echo")
        .contains("version 1")
        .contains("version 2")
        .contains("onnx");
  }

  @Test
  void refusesAFileThatIsNotAModelAndRegistersNothing() throws Exception {
    Path junk = Files.writeString(home.resolve("junk.onnx"), "not a model");
    Run r = run("models", "register", "--home", home.toString(), "--name", "junk", junk.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("junk.onnx").contains("ONNX");
    assertThat(run("models", "list", "--home", home.toString()).out())
        .contains("No models registered");
  }

  @Test
  void refusesABadModelName() throws Exception {
    Path model = Files.write(home.resolve("m.onnx"), OnnxModelBuilder.identity(DataType.FP32, -1));
    Run r =
        run("models", "register", "--home", home.toString(), "--name", "../etc", model.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("name").contains("../etc");
  }
}

package dev.slipway.cli;

import dev.slipway.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry commands on a local home ({@code --home}). */
class LocalRegistryCommandsTest extends RegistryCommandsContract {
  Path home;
  ModelRegistry registry;

  @BeforeAll
  void open(@TempDir Path dir) {
    home = dir;
    // The commands open the same home again; H2 shares one database within a process.
    registry = ModelRegistry.embedded(home);
  }

  @AfterAll
  void close() {
    registry.close();
  }

  @Override
  List<String> target() {
    return List.of("--home", home.toString());
  }

  @Override
  ModelRegistry registry() {
    return registry;
  }

  @Test
  void deploymentsNeedARunningServer() {
    CliRun r = slipway("deployments");
    assertOneLineError(r, "--url", "running server");
  }
}

package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.server.SlipwayServer;
import dev.slipway.server.config.SlipwayConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry commands against a running server ({@code --url}), on a free port. */
class HttpRegistryCommandsTest extends RegistryCommandsContract {
  Path home;
  SlipwayServer server;

  @BeforeAll
  void start(@TempDir Path dir) {
    home = dir;
    server = SlipwayServer.start(SlipwayConfig.defaults().withHome(home).withPort(0));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  String url() {
    return "http://127.0.0.1:" + server.port();
  }

  @Override
  List<String> target() {
    return List.of("--url", url());
  }

  @Override
  ModelRegistry registry() {
    return server.registry();
  }

  @Test
  void deploymentsShowWhatTheServerServes() {
    String m = model(1);
    registry().setAlias(m, "staging", 1, "test", null, false);
    server.host().get(m + "@staging", null); // routed once served
    CliRun r = slipway("deployments");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("Routes on " + url())
        .contains(m + "@staging")
        .contains("Loaded versions:");
    JsonNode json = slipway("deployments", "--json").json();
    assertThat(json.get("routes").isArray()).isTrue();
    assertThat(json.get("loaded").isArray()).isTrue();
  }

  @Test
  void anUnreachableServerIsOneLineNamingTheUrl() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closed;
    CliRun r = CliRun.of("models", "list", "--url", url);
    assertOneLineError(r, "cannot reach the Slipway server at " + url, "is it running?");
  }

  @Test
  void aUrlThatIsNotHttpIsRefused() {
    assertOneLineError(CliRun.of("models", "list", "--url", "ftp://x"), "field '--url'", "ftp://x");
  }

  @Test
  void urlAndHomeTogetherAreRefused() {
    CliRun r = CliRun.of("models", "list", "--url", url(), "--home", home.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("give --url (a running server) or --home (a local home), not both");
  }

  @Test
  void anAliasMovedOverTheApiIsWhatTheServerServes() {
    String m = model(2);
    slipway("models", "alias", "set", m, "champion", "1", "--force");
    assertThat(server.host().get(m, null).number()).isEqualTo(1);
    slipway("models", "alias", "set", m, "champion", "2", "--force");
    assertThat(server.host().get(m, null).number()).isEqualTo(2);
    slipway("models", "rollback", m);
    assertThat(server.host().get(m, null).number()).isEqualTo(1);
  }
}

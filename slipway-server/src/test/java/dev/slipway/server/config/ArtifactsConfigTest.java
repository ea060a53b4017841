package dev.slipway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.server.config.SlipwayConfig.Artifacts;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code artifacts} section of slipway.yaml: where model files are kept. */
class ArtifactsConfigTest {
  @TempDir Path dir;

  static SlipwayConfig parse(String yaml) throws Exception {
    return SlipwayConfig.parse(
        new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of(), new ArrayList<>());
  }

  static List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      return e.problems();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no problem reported for:\n" + yaml);
  }

  @Test
  void theDefaultIsTheHomesArtifactDirectory() throws Exception {
    assertThat(SlipwayConfig.defaults().artifacts()).isEqualTo(Artifacts.local());
    assertThat(parse("home: /tmp/h").artifacts().type()).isEqualTo(Artifacts.Type.LOCAL);
    assertThat(parse("artifacts: {type: local}").artifacts()).isEqualTo(Artifacts.local());
  }

  @Test
  void readsAnS3Section() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret"), "s3cr3t");

    Artifacts a =
        parse(
                """
                artifacts:
                  type: s3
                  bucket: models
                  prefix: slipway/
                  region: eu-west-1
                  endpoint: http://127.0.0.1:9000
                  pathStyle: true
                  accessKeyId: AKIDEXAMPLE
                  secretAccessKeyFile: %s
                  cacheDir: /var/cache/slipway
                """
                    .formatted(secret))
            .artifacts();

    assertThat(a)
        .isEqualTo(
            new Artifacts(
                Artifacts.Type.S3,
                "models",
                "slipway/",
                "eu-west-1",
                URI.create("http://127.0.0.1:9000"),
                true,
                "AKIDEXAMPLE",
                secret,
                Path.of("/var/cache/slipway")));
  }

  @Test
  void onlyTheBucketIsRequired() throws Exception {
    Artifacts a = parse("artifacts: {type: s3, bucket: models}").artifacts();

    assertThat(a.prefix()).isEmpty();
    assertThat(a.region()).isNull();
    assertThat(a.endpoint()).isNull();
    assertThat(a.pathStyle()).isFalse();
    assertThat(a.accessKeyId()).isNull();
    assertThat(a.cacheDir()).isNull();
  }

  @Test
  void reportsEveryArtifactsProblemWithTheRestOfTheFile() {
    List<String> problems =
        problems(
            """
            server: {port: -1}
            artifacts:
              type: s3
              prefix: /models
              region: "US EAST"
              endpoint: "ftp://store:21"
              pathStyle: maybe
              accessKeyId: AKIDEXAMPLE
              secretAccessKey: do-not-put-me-here
              colour: blue
            """);

    assertThat(problems)
        .anySatisfy(p -> assertThat(p).startsWith("server.port"))
        .anySatisfy(p -> assertThat(p).startsWith("artifacts.bucket").contains("required"))
        .anySatisfy(p -> assertThat(p).startsWith("artifacts.prefix").contains("/models"))
        .anySatisfy(p -> assertThat(p).startsWith("artifacts.region").contains("US EAST"))
        .anySatisfy(p -> assertThat(p).startsWith("artifacts.endpoint").contains("ftp://store:21"))
        .anySatisfy(p -> assertThat(p).startsWith("artifacts.pathStyle").contains("maybe"))
        .anySatisfy(
            p -> assertThat(p).startsWith("artifacts.accessKeyId").contains("secretAccessKeyFile"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("artifacts.secretAccessKey:")
                    .contains("AWS_SECRET_ACCESS_KEY")
                    .doesNotContain("do-not-put-me-here"))
        .anySatisfy(p -> assertThat(p).startsWith("artifacts.colour").contains("unknown"));
  }

  @Test
  void anUnknownTypeIsReported() {
    assertThat(problems("artifacts: {type: gcs, bucket: models}"))
        .containsExactly("artifacts.type: got \"gcs\", expected local or s3");
  }

  @Test
  void endpointsThatAreNotHttpUrlsAreReported() {
    for (String bad : List.of("127.0.0.1:9000", "http://", "not a url", "http://h:9000/?x=1")) {
      assertThat(problems("artifacts: {type: s3, bucket: models, endpoint: \"" + bad + "\"}"))
          .as(bad)
          .singleElement()
          .satisfies(p -> assertThat(p).startsWith("artifacts.endpoint").contains("http://"));
    }
  }

  @Test
  void badBucketNamesAreReported() {
    for (String bad : List.of("ab", "Models", "models_1", "-models", "m".repeat(64))) {
      assertThat(problems("artifacts: {type: s3, bucket: \"" + bad + "\"}"))
          .as(bad)
          .singleElement()
          .satisfies(p -> assertThat(p).startsWith("artifacts.bucket").contains(bad));
    }
  }

  @Test
  void aSecretFileThatCannotBeReadIsReported() {
    assertThat(
            problems(
                """
                artifacts:
                  type: s3
                  bucket: models
                  accessKeyId: AKIDEXAMPLE
                  secretAccessKeyFile: /no/such/file
                """))
        .singleElement()
        .satisfies(
            p -> assertThat(p).startsWith("artifacts.secretAccessKeyFile").contains("/no/such"));
  }

  @Test
  void s3SettingsWithoutTypeS3AreReported() {
    assertThat(problems("artifacts: {bucket: models, endpoint: \"http://127.0.0.1:9000\"}"))
        .containsExactlyInAnyOrder(
            "artifacts.bucket: only used with artifacts.type s3 (type is local)",
            "artifacts.endpoint: only used with artifacts.type s3 (type is local)");
  }
}

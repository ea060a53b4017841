package dev.slipway.serving.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.api.DataType;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelUnavailableException;
import dev.slipway.api.Predictor;
import dev.slipway.api.Tensor;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.registry.Verification;
import dev.slipway.runtime.onnx.OnnxFormat;
import dev.slipway.runtime.onnx.OnnxModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden records: captured on registration, replayed on every load. */
class GoldenRecordsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  Path doubler() throws Exception {
    return Files.write(
        dir.resolve("doubler.onnx"),
        new OnnxModelBuilder()
            .input("x", DataType.FP32, -1)
            .output("y", DataType.FP32, -1)
            .node("Add", List.of("x", "x"), List.of("y"), null)
            .build());
  }

  static GoldenRecords golden(String json) throws Exception {
    return GoldenRecords.parse(JSON.readTree(json), null);
  }

  static final String ONE_CASE =
      "{\"cases\": [{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [3],"
          + " \"data\": [1.5, -2, 0.25]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\","
          + " \"shape\": [3], \"data\": [%s]}]}]%s}";

  @Test
  void expectedOutputsThatTheModelGivesReplayWithoutMismatch() throws Exception {
    try (Predictor p =
        new OnnxFormat().load(doubler(), dev.slipway.api.ModelFormat.LoadOptions.defaults())) {
      assertThat(golden(ONE_CASE.formatted("3, -4, 0.5", "")).replay(p)).isEmpty();
    }
  }

  @Test
  void aWrongExpectedValueIsReportedWithRecordOutputElementAndBothValues() throws Exception {
    try (Predictor p =
        new OnnxFormat().load(doubler(), dev.slipway.api.ModelFormat.LoadOptions.defaults())) {
      Optional<String> mismatch = golden(ONE_CASE.formatted("3, -4.01, 0.5", "")).replay(p);
      assertThat(mismatch)
          .hasValueSatisfying(
              m ->
                  assertThat(m)
                      .contains("golden record 1 of 1")
                      .contains("output 'y'")
                      .contains("element 1")
                      .contains("expected -4.01")
                      .contains("got -4.0"));
    }
  }

  @Test
  void differencesWithinTheToleranceMatchAndBeyondItDoNot() throws Exception {
    try (Predictor p =
        new OnnxFormat().load(doubler(), dev.slipway.api.ModelFormat.LoadOptions.defaults())) {
      String loose = ", \"tolerance\": {\"absolute\": 0.02, \"relative\": 0}";
      assertThat(golden(ONE_CASE.formatted("3, -4.01, 0.5", loose)).replay(p)).isEmpty();
      String tight = ", \"tolerance\": {\"absolute\": 0.001, \"relative\": 0}";
      assertThat(golden(ONE_CASE.formatted("3, -4.01, 0.5", tight)).replay(p)).isPresent();
      // relative: 0.01 of 4.01 is 0.0401, enough for a difference of 0.01
      String relative = ", \"tolerance\": {\"absolute\": 0, \"relative\": 0.01}";
      assertThat(golden(ONE_CASE.formatted("3, -4.01, 0.5", relative)).replay(p)).isEmpty();
    }
  }

  @Test
  void aShapeOrTypeChangeIsAMismatch() throws Exception {
    try (Predictor p =
        new OnnxFormat().load(doubler(), dev.slipway.api.ModelFormat.LoadOptions.defaults())) {
      String wrongShape =
          "{\"cases\": [{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1],"
              + " \"data\": [1]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\","
              + " \"shape\": [1, 1], \"data\": [2]}]}]}";
      assertThat(golden(wrongShape).replay(p))
          .hasValueSatisfying(m -> assertThat(m).contains("shape"));
      GoldenRecords g =
          golden(
              "{\"cases\": [{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1],"
                  + " \"data\": [1]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"BOOL\","
                  + " \"shape\": [1], \"data\": [true]}]}]}");
      assertThat(g.replay(p)).hasValueSatisfying(m -> assertThat(m).contains("type FP32"));
    }
  }

  @Test
  void capturedRecordsReplayOnTheSameModelAndSurviveTheManifestRoundTrip() throws Exception {
    Path file = doubler();
    ModelManifest m = Verifier.prepare(new OnnxFormat(), file, null, null);
    assertThat(m.golden().cases()).isNotEmpty();
    assertThat(m.golden().complete()).isTrue();
    ModelManifest back = ModelManifest.fromJson(m.toJson());
    assertThat(back.golden().cases()).isEqualTo(m.golden().cases());
    assertThat(back.golden().tolerance()).isEqualTo(GoldenRecords.DEFAULT_TOLERANCE);
    try (Predictor p =
        new OnnxFormat().load(file, dev.slipway.api.ModelFormat.LoadOptions.defaults())) {
      assertThat(back.golden().replay(p)).isEmpty();
    }
  }

  @Test
  void nonFiniteNumbersRoundTripAndNaNMatchesOnlyNaN() throws Exception {
    GoldenRecords g =
        new GoldenRecords(
            null,
            List.of(
                new GoldenRecords.Case(
                    Map.of(
                        "x",
                        new Tensor(
                            "x",
                            DataType.FP32,
                            new long[] {3},
                            new float[] {
                              Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY
                            })),
                    Map.of())));
    ModelManifest back = ModelManifest.fromJson(ModelManifest.none().withGolden(g).toJson());
    float[] x = (float[]) back.golden().cases().get(0).inputs().get("x").data();
    assertThat(x[0]).isNaN();
    assertThat(x[1]).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(x[2]).isEqualTo(Float.NEGATIVE_INFINITY);
    try (Predictor p =
        new OnnxFormat().load(doubler(), dev.slipway.api.ModelFormat.LoadOptions.defaults())) {
      GoldenRecords captured = g.capture(p);
      assertThat(captured.replay(p)).isEmpty();
      float[] y = (float[]) captured.cases().get(0).outputs().get("y").data();
      assertThat(y[0]).isNaN();
    }
  }

  @Test
  void inputsGivenWithoutOutputsAreCapturedAndRecordsNeedARecordModel() throws Exception {
    Path file = doubler();
    JsonNode given =
        JSON.readTree(
            "{\"cases\": [{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [2],"
                + " \"data\": [10, 20]}]}]}");
    ModelManifest m = Verifier.prepare(new OnnxFormat(), file, null, given);
    Tensor y = m.golden().cases().get(0).outputs().get("y");
    assertThat((float[]) y.data()).containsExactly(20f, 40f);
  }

  @Test
  void malformedGoldenRecordsNameTheField() {
    assertThatThrownBy(() -> golden("{\"cases\": []}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("golden.cases");
    assertThatThrownBy(
            () ->
                golden(
                    "{\"cases\": [{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP33\","
                        + " \"shape\": [1], \"data\": [1]}]}]}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("golden.cases[0].inputs[0].datatype")
        .hasMessageContaining("FP33");
    assertThatThrownBy(
            () ->
                golden(
                    "{\"cases\": [{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\","
                        + " \"shape\": [2], \"data\": [1]}]}]}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("golden.cases[0].inputs[0].data")
        .hasMessageContaining("2 values");
    assertThatThrownBy(
            () ->
                golden(
                    "{\"cases\": [{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT8\","
                        + " \"shape\": [1], \"data\": [300]}]}]}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("golden.cases[0].inputs[0].data[0]");
    assertThatThrownBy(() -> golden("{\"cases\": [{\"record\": {\"a\": 1}}]}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("golden.cases[0].record");
    assertThatThrownBy(
            () -> golden("{\"cases\": [{\"inputs\": []}], \"tolerance\": {\"absolute\": -1}}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("golden.tolerance.absolute");
  }

  @Test
  void inputsTheModelRefusesAreBadInputAtPreparation() throws Exception {
    JsonNode given =
        JSON.readTree(
            "{\"cases\": [{\"inputs\": [{\"name\": \"nope\", \"datatype\": \"FP32\","
                + " \"shape\": [1], \"data\": [1]}]}]}");
    assertThatThrownBy(() -> Verifier.prepare(new OnnxFormat(), doubler(), null, given))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("golden");
  }

  @Test
  void recordModelsGetGeneratedRecordsFromTheirSchema() throws Exception {
    // A column model (one input per column): the generated golden records cover it.
    Path file =
        Files.write(
            dir.resolve("cols.onnx"),
            new OnnxModelBuilder()
                .input("a", DataType.FP64, -1)
                .output("b", DataType.FP64, -1)
                .node("Add", List.of("a", "a"), List.of("b"), null)
                .build());
    ModelManifest m = Verifier.prepare(new OnnxFormat(), file, null, null);
    assertThat(m.golden().cases()).isNotEmpty();
    for (GoldenRecords.Case c : m.golden().cases()) {
      double a = ((double[]) c.inputs().get("a").data())[0];
      assertThat(((double[]) c.outputs().get("b").data())[0]).isEqualTo(2 * a);
    }
  }

  @Test
  void aVersionThatNoLongerReproducesItsGoldenRecordsFailsToLoadAndFailsVerification()
      throws Exception {
    try (ModelRegistry registry = ModelRegistry.embedded(dir.resolve("home"))) {
      Path file = doubler();
      String honest = Verifier.prepare(new OnnxFormat(), file, null, null).toJson();
      String lying =
          ModelManifest.none().withGolden(golden(ONE_CASE.formatted("3, -4, 0.75", ""))).toJson();
      ModelVersion good =
          registry.register(new Registration("m", file, "onnx", honest, Map.of(), null, "t"));
      ModelVersion bad =
          registry.register(new Registration("m", file, "onnx", lying, Map.of(), null, "t"));
      try (ModelHost host =
          new ModelHost(
              registry,
              ModelHost.defaultResolver(registry),
              n -> Deployment.defaults(),
              Duration.ZERO,
              System::nanoTime)) {
        assertThat(Verifier.verify(host, registry, good).status())
            .isEqualTo(Verification.Status.VERIFIED);
        assertThat(registry.version("m", 1).orElseThrow().verification().message())
            .contains("reproduced its 3 golden records");
        Verification v = Verifier.verify(host, registry, bad);
        assertThat(v.status()).isEqualTo(Verification.Status.FAILED);
        assertThat(v.message()).contains("golden record 1 of 1").contains("element 2");
        assertThatThrownBy(() -> host.load("m", 2))
            .isInstanceOf(ModelUnavailableException.class)
            .hasMessageContaining("does not reproduce its golden records");
        // a bare name does not serve a version that failed, while another one did not
        assertThat(ModelHost.defaultResolver(registry).apply("m").version()).isEqualTo(1);
        assertThat(ModelHost.defaultResolver(registry).apply("m/2").version()).isEqualTo(2);
        // a version that failed cannot get an alias
        assertThatThrownBy(() -> registry.setAlias("m", "challenger", 2, "t", null, false))
            .isInstanceOf(dev.slipway.api.SlipwayException.class);
      }
    }
  }
}

package dev.slipway.serving.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Predictor;
import dev.slipway.api.codec.ColumnCodec;
import dev.slipway.api.codec.RecordCodec;
import dev.slipway.api.codec.TabularCodec;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Verification;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * Verification on registration, shared by the REST upload, the CLI and the demo.
 *
 * <ol>
 *   <li>Before the version exists, {@link #prepare} loads the file with its format (a file the
 *       runtime refuses never becomes a version), checks that the declared record preprocessing
 *       fits the model, and settles the golden records: the ones given with expected outputs are
 *       kept as they are; inputs given without outputs, or generated ones when none are given, get
 *       the model's own answers.
 *   <li>Once it is registered, {@link #verify} loads it as serving does, which replays every golden
 *       record, and records VERIFIED or FAILED on the version. A FAILED version cannot get an
 *       alias.
 * </ol>
 */
public final class Verifier {
  private Verifier() {}

  /** The format with this short name, among those on the class path. */
  public static ModelFormat format(String name) {
    java.util.List<ModelFormat> known =
        ServiceLoader.load(ModelFormat.class).stream().map(ServiceLoader.Provider::get).toList();
    return known.stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                InvalidInputException.of(
                    "format", name, "one of " + known.stream().map(ModelFormat::name).toList()));
  }

  /**
   * Loads the model file and returns the manifest to register it with, golden records included.
   *
   * @param manifest what the user declared (record preprocessing, description); may be null
   * @param golden golden records as the user gives them (see {@link GoldenRecords#parse}), or null
   *     to generate inputs from the model's schema
   * @throws InvalidInputException when the runtime refuses the file, the preprocessing does not fit
   *     the model, or the golden records are malformed or do not fit the model's inputs
   */
  public static ModelManifest prepare(
      ModelFormat format, Path file, ModelManifest manifest, JsonNode golden) {
    ModelManifest m = manifest == null ? ModelManifest.none() : manifest;
    try (Predictor p = format.load(file, ModelFormat.LoadOptions.defaults())) {
      RecordCodec codec;
      try {
        codec =
            m.tabular() != null
                ? new TabularCodec(m.tabular())
                : ColumnCodec.forSignature(p.signature()).orElse(null);
        if (m.tabular() != null) {
          // Encode one sample record: the preprocessing must produce what the model takes.
          p.infer(
              codec.encode(
                  java.util.List.of(
                      dev.slipway.api.Record.of(ServedModel.sampleRecord(codec.schema())))),
              java.util.Set.of());
        }
      } catch (RuntimeException e) {
        throw InvalidInputException.of(
            "manifest.tabular",
            String.valueOf(m.tabular()),
            "a record preprocessing that fits the model: " + e.getMessage());
      }
      GoldenRecords given =
          golden == null || golden.isNull()
              ? GoldenRecords.generated(p, codec)
              : GoldenRecords.parse(golden, codec);
      GoldenRecords captured;
      try {
        captured = given.capture(p);
      } catch (InvalidInputException | dev.slipway.api.ModelFailureException e) {
        throw InvalidInputException.of(
            "golden", "inputs", "inputs the model accepts: " + e.getMessage());
      }
      return m.withGolden(captured);
    }
  }

  /**
   * Loads a registered version as serving does (replaying its golden records) and records the
   * outcome on the version.
   *
   * @return the recorded verification
   */
  public static Verification verify(ModelHost host, ModelRegistry registry, ModelVersion v) {
    try {
      host.load(v.name(), v.version());
      int n = ModelManifest.fromJson(v.manifest()).golden() == null ? 0 : goldenCount(v);
      return registry.recordVerification(
          v.name(),
          v.version(),
          true,
          n == 0
              ? "loaded and answered a warm-up request"
              : "loaded and reproduced its " + n + " golden record" + (n == 1 ? "" : "s"));
    } catch (RuntimeException e) {
      return registry.recordVerification(v.name(), v.version(), false, e.getMessage());
    }
  }

  private static int goldenCount(ModelVersion v) {
    return ModelManifest.fromJson(v.manifest()).golden().cases().size();
  }
}

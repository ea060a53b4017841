package dev.slipway.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.api.ModelFormat;
import dev.slipway.api.Record;
import dev.slipway.api.codec.RecordCodec;
import dev.slipway.batch.BatchEngine;
import dev.slipway.guard.profile.DataProfile;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.registry.Registration;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.guard.FilterDocument;
import dev.slipway.serving.guard.GuardConfig;
import dev.slipway.serving.guard.GuardSpec;
import dev.slipway.serving.guard.Guards;
import dev.slipway.serving.guard.RegistryFailureFilters;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.serving.host.ModelManifest;
import dev.slipway.serving.host.ServedModel;
import dev.slipway.serving.host.Verifier;
import dev.slipway.train.AdClickDemo;
import dev.slipway.train.TrainedModel;
import dev.slipway.train.data.AdClickGenerator;
import dev.slipway.train.filter.FilterModel;
import dev.slipway.train.filter.FilterTrainer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Slipway home holding the ad-click model as {@code ad-click@champion} with its data profile, and
 * the embedded batch engine over it guarded as {@link Guarding#REJECT} guards it on Spark.
 */
final class AdClickHome {
  static final String MODEL = "ad-click";
  static final long SEED = 7;

  private AdClickHome() {}

  /** Trains and registers the model in a new home. */
  static void create(Path home) throws Exception {
    try (ModelRegistry registry = ModelRegistry.embedded(home)) {
      ModelVersion v = register(registry, SEED);
      registry.setAlias(MODEL, ModelRegistry.CHAMPION, v.version(), "test", "spark test", true);
    }
  }

  /** Trains the model on seeded rows and registers it as a new version, with its data profile. */
  static ModelVersion register(ModelRegistry registry, long seed) throws Exception {
    TrainedModel trained = AdClickDemo.train(seed, 4_000);
    Path file = Files.createTempFile("ad-click", ".onnx");
    Files.write(file, trained.onnx());
    String manifest =
        Verifier.prepare(
                Verifier.format("onnx"), file, new ModelManifest(trained.spec(), "test"), null)
            .toJson();
    ModelVersion v =
        registry.register(
            new Registration(
                MODEL, file, "onnx", manifest, trained.metrics(), "spark test", "test"));
    AdClickGenerator g = new AdClickGenerator(seed);
    registry.putDocument(
        MODEL,
        v.version(),
        Guards.PROFILE,
        DataProfile.of(g.schema(), g.generate(4_000)).toYaml(),
        "test");
    Files.delete(file);
    return v;
  }

  /**
   * Gives a version a filtering model, trained as the server trains one (the demo's way): on fresh
   * seeded rows labelled by whether the version's model got each one wrong; its ONNX file goes to
   * the artifact store and its {@value FilterDocument#KIND} document to the version.
   */
  static FilterDocument trainFilter(ModelRegistry registry, ModelVersion v, long seed) {
    List<Record> rows = new AdClickGenerator(seed).generate(6_000);
    List<Object> predicted = new ArrayList<>();
    List<Object> truth = new ArrayList<>();
    try (ModelHost host = host(registry)) {
      ServedModel model = host.load(v.name(), v.version());
      RecordCodec codec = model.codec().orElseThrow();
      Object[] labels =
          (Object[])
              codec
                  .decode(model.infer(codec.encode(rows), Set.of()), rows.size())
                  .get("label")
                  .data();
      for (int i = 0; i < rows.size(); i++) {
        predicted.add(labels[i]);
        truth.add(rows.get(i).get(AdClickGenerator.LABEL));
      }
      FilterModel filter =
          new FilterTrainer(FilterTrainer.Options.defaults(seed))
              .train(codec.schema(), rows, FilterTrainer.failures(predicted, truth));
      FilterDocument doc =
          new FilterDocument(
              registry.storeArtifact(filter.onnx()),
              "onnx",
              filter.spec(),
              filter.threshold(),
              filter.thresholdChoice(),
              Map.of(),
              seed,
              "2026-01-01T00:00:00Z",
              filter.parameters());
      registry.putDocument(v.name(), v.version(), FilterDocument.KIND, doc.toJson(), "test");
      return doc;
    }
  }

  /** The embedded engine on an open registry, with rejecting input checks (or none). */
  static BatchEngine engine(
      ModelRegistry registry, ModelHost host, Guarding guarding, Clock clock) {
    Guards guards = null;
    if (guarding == Guarding.REJECT) {
      guards =
          new Guards(
                  n -> n.equals(MODEL) ? GuardSpec.rejecting() : null,
                  v -> Optional.empty(),
                  new SimpleMeterRegistry())
              .documents((v, kind) -> registry.document(v.name(), v.version(), kind));
    }
    Pipeline pipeline =
        new Pipeline(
            host, new SimpleMeterRegistry(), n -> null, Pipeline.Limits.defaults(), guards);
    return new BatchEngine(pipeline, clock);
  }

  /**
   * The embedded engine guarded by the {@code guards} sections of a slipway.yaml, built as {@code
   * slipway batch score --config} builds them (the server's config reads a section with the same
   * {@link GuardConfig}).
   */
  static BatchEngine engine(
      ModelRegistry registry,
      ModelHost host,
      Path slipwayYaml,
      RegistryFailureFilters filters,
      Clock clock)
      throws Exception {
    JsonNode models =
        new ObjectMapper(new YAMLFactory()).readTree(slipwayYaml.toFile()).get("models");
    Map<String, GuardSpec> specs = new HashMap<>();
    List<String> problems = new ArrayList<>();
    models
        .properties()
        .forEach(
            m ->
                specs.put(
                    m.getKey(),
                    GuardConfig.parse(
                        m.getValue().get("guards"), "models." + m.getKey() + ".guards", problems)));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.toString());
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Guards guards =
        new Guards(
                specs::get,
                v -> {
                  GuardSpec s = specs.get(v.name());
                  return s != null && !s.fallback().isEmpty() ? filters.apply(v) : Optional.empty();
                },
                meters)
            .documents((v, kind) -> registry.document(v.name(), v.version(), kind));
    Pipeline pipeline = new Pipeline(host, meters, n -> null, Pipeline.Limits.defaults(), guards);
    return new BatchEngine(pipeline, clock);
  }

  static ModelHost host(ModelRegistry registry) {
    return new ModelHost(registry, ModelFormat.LoadOptions.defaults());
  }
}

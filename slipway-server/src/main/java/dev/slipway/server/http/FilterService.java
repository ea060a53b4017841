package dev.slipway.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.api.Record;
import dev.slipway.registry.ModelRegistry;
import dev.slipway.registry.ModelVersion;
import dev.slipway.server.filter.FilterTraining;
import dev.slipway.serving.guard.FilterDocument;
import dev.slipway.serving.host.Lease;
import dev.slipway.serving.host.ModelHost;
import dev.slipway.train.data.AdClickGenerator;
import dev.slipway.train.filter.FilterTrainer;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * A version's filtering model over REST. {@code POST
 * /api/v1/models/{name}/versions/{version}/filter} takes held-out data as {@code evaluate} does
 * (inline {@code records} or the seeded {@code generator}, and {@code label}), runs the version on
 * it without guards, trains the filter and stores it with the version; optional {@code seed}
 * (default 42), {@code threshold} (default: the one with the best F1 on the training part), {@code
 * balance} (default true) and, for a regressor, {@code tolerance} and {@code output}. It answers
 * the filter's numbers on the rows it was not trained on; {@code GET} of the same path answers the
 * stored ones (404 when the version has no filter). Thread-safe.
 */
public final class FilterService {
  /** The seed of the split and the training when the request gives none. */
  public static final long DEFAULT_SEED = 42;

  private final ModelHost host;
  private final Handlers handlers;
  private final Clock clock;
  private final Runnable onChange;

  /**
   * @param onChange called after a filter is stored, so that guards are rebuilt with it
   */
  public FilterService(ModelHost host, Handlers handlers, Clock clock, Runnable onChange) {
    this.host = host;
    this.handlers = handlers;
    this.clock = clock;
    this.onChange = onChange;
  }

  public void bind(ServerBuilder sb) {
    sb.route()
        .post("/api/v1/models/{name}/versions/{version}/filter")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> train(ctx, agg)));
    sb.route()
        .get("/api/v1/models/{name}/versions/{version}/filter")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> stored(ctx)));
  }

  private ModelRegistry registry() {
    return host.registry();
  }

  private ModelVersion version(String name, int version) {
    return registry()
        .version(name, version)
        .orElseThrow(
            () -> new ModelNotFoundException("model '" + name + "' has no version " + version));
  }

  private HttpResponse train(ServiceRequestContext ctx, AggregatedHttpRequest agg)
      throws IOException {
    String name = ctx.pathParam("name");
    int version = Handlers.version(ctx);
    ModelVersion main = version(name, version);
    JsonNode body = Bodies.object(agg);
    List<Record> rows = RegistryService.dataset(body);
    String label =
        Objects.requireNonNullElse(RegistryService.text(body, "label"), AdClickGenerator.LABEL);
    Double tolerance = number(body, "tolerance");
    if (tolerance != null && !(tolerance >= 0 && Double.isFinite(tolerance))) {
      throw InvalidInputException.of("tolerance", tolerance, "a number >= 0");
    }
    Double threshold = number(body, "threshold");
    if (threshold != null && !(threshold > 0 && threshold <= 1)) {
      throw InvalidInputException.of("threshold", threshold, "a probability in (0, 1]");
    }
    long seed = DEFAULT_SEED;
    if (body.hasNonNull("seed")) {
      if (!body.get("seed").canConvertToLong() || !body.get("seed").isIntegralNumber()) {
        throw InvalidInputException.of("seed", body.get("seed").toString(), "a whole number");
      }
      seed = body.get("seed").asLong();
    }
    boolean balance = true;
    if (body.hasNonNull("balance")) {
      if (!body.get("balance").isBoolean()) {
        throw InvalidInputException.of("balance", body.get("balance").toString(), "true or false");
      }
      balance = body.get("balance").asBoolean();
    }
    FilterTrainer.Options options =
        FilterTrainer.Options.defaults(seed)
            .withBalance(balance)
            .withThreshold(threshold == null ? Double.NaN : threshold);
    FilterTraining.Labelling how =
        new FilterTraining.Labelling(label, tolerance, RegistryService.text(body, "output"));
    FilterDocument doc;
    try (Lease lease = host.acquire(name, version)) {
      boolean[] failed =
          FilterTraining.failures(FilterTraining.unguarded(lease.model()), rows, how);
      doc =
          FilterTraining.trainAndStore(
              registry(),
              main,
              lease.model().codec().orElseThrow().schema(),
              rows,
              failed,
              options,
              clock,
              RegistryService.actor(agg));
    }
    onChange.run();
    return Handlers.json(OipJson.object(FilterTraining.describe(name, version, doc)));
  }

  private HttpResponse stored(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    int version = Handlers.version(ctx);
    version(name, version);
    String text =
        registry()
            .document(name, version, FilterDocument.KIND)
            .orElseThrow(
                () ->
                    new ModelNotFoundException(
                        "model '" + name + "' version " + version + " has no filtering model"));
    return Handlers.json(
        OipJson.object(FilterTraining.describe(name, version, FilterDocument.fromJson(text))));
  }

  private static Double number(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber()) {
      throw InvalidInputException.of(field, n.toString(), "a number");
    }
    return n.asDouble();
  }
}

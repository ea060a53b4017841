package dev.slipway.server.http;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.api.InvalidInputException;
import dev.slipway.api.ModelNotFoundException;
import dev.slipway.batch.store.PredictionStore;
import dev.slipway.batch.store.StoredPrediction;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stored predictions by key: {@code GET /api/v1/models/{m}/predictions/{key}} answers {@code
 * {"model", "key", "version", "scored_at", "outputs", "age_seconds"}} from the {@link
 * PredictionStore}; 404 naming the key when nothing is stored for it, 400 for a blank or too long
 * key. Thread-safe.
 */
public final class PredictionStoreService {
  private final PredictionStore store;
  private final Handlers handlers;
  private final Clock clock;

  /**
   * @param clock the time {@code age_seconds} is measured to
   */
  public PredictionStoreService(PredictionStore store, Handlers handlers, Clock clock) {
    this.store = store;
    this.handlers = handlers;
    this.clock = clock;
  }

  public void bind(ServerBuilder sb) {
    sb.route()
        .get("/api/v1/models/{name}/predictions/{key}")
        .build((ctx, req) -> handlers.run(ctx, req, agg -> get(ctx)));
    // an empty key segment gets a 400 that says what is missing rather than a bare 404 (without
    // the slash, GET .../predictions lists the prediction log: MonitoringService)
    for (String p : new String[] {"/api/v1/models/{name}/predictions/"}) {
      sb.route()
          .get(p)
          .build(
              (ctx, req) ->
                  handlers.run(
                      ctx,
                      req,
                      agg -> {
                        throw InvalidInputException.missing(
                            "key", "an entity key: GET /api/v1/models/{model}/predictions/{key}");
                      }));
    }
  }

  private HttpResponse get(ServiceRequestContext ctx) {
    String model = ctx.pathParam("name");
    String key = PredictionStore.checkKey(ctx.pathParam("key"));
    StoredPrediction p =
        store
            .get(model, key)
            .orElseThrow(
                () ->
                    new ModelNotFoundException(
                        "no stored prediction for key '"
                            + key
                            + "' of model '"
                            + model
                            + "'; a batch job with --store writes them"));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", p.model());
    body.put("key", p.key());
    body.put("version", p.version());
    body.put("scored_at", p.scoredAt().toString());
    body.put("outputs", p.outputs());
    body.put(
        "age_seconds", Math.max(0, Duration.between(p.scoredAt(), clock.instant()).toSeconds()));
    return Handlers.json(OipJson.object(body));
  }
}

package dev.slipway.server.http;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.registry.ModelVersion;
import dev.slipway.serving.InferenceRequest;
import dev.slipway.serving.InferenceResult;
import dev.slipway.serving.Pipeline;
import dev.slipway.serving.host.ServedModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The KServe Open Inference Protocol v2 over REST: server and model health and metadata, and
 * inference on a model's latest or a given version. JSON tensor data only (no binary extension).
 */
public final class OipService {
  private final Pipeline pipeline;
  private final Handlers handlers;
  private final RequestMetrics metrics;
  private final BooleanSupplier ready;
  private final String serverVersion;

  public OipService(
      Pipeline pipeline,
      Handlers handlers,
      RequestMetrics metrics,
      BooleanSupplier ready,
      String serverVersion) {
    this.pipeline = pipeline;
    this.handlers = handlers;
    this.metrics = metrics;
    this.ready = ready;
    this.serverVersion = serverVersion;
  }

  public void bind(ServerBuilder sb) {
    sb.route().get("/v2").build((ctx, req) -> Handlers.json(OipJson.object(serverMetadata())));
    sb.route()
        .get("/v2/health/live")
        .build((ctx, req) -> Handlers.json(OipJson.object(Map.of("live", true))));
    sb.route()
        .get("/v2/health/ready")
        .build(
            (ctx, req) -> {
              boolean r = ready.getAsBoolean();
              return HttpResponse.of(
                  r ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE,
                  com.linecorp.armeria.common.MediaType.JSON_UTF_8,
                  OipJson.object(Map.of("ready", r)));
            });
    for (String base : List.of("/v2/models/{name}", "/v2/models/{name}/versions/{version}")) {
      sb.route().get(base).build((ctx, req) -> handlers.run(ctx, req, agg -> metadata(ctx)));
      sb.route()
          .get(base + "/ready")
          .build((ctx, req) -> handlers.run(ctx, req, agg -> modelReady(ctx)));
      sb.route()
          .post(base + "/infer")
          .build(
              (ctx, req) ->
                  handlers.run(
                      ctx,
                      req,
                      agg -> {
                        long start = System.nanoTime();
                        InferenceRequest ir =
                            OipJson.parseInfer(
                                Bodies.object(agg), ctx.pathParam("name"), Handlers.version(ctx));
                        String headerId = RequestIds.of(agg);
                        if (ir.id() == null && headerId != null) {
                          ir = ir.withId(headerId);
                        }
                        InferenceResult result = pipeline.run(ir);
                        // The body echoes the caller's id only (as OIP says); the header always
                        // carries it, generated when the caller gave none.
                        byte[] body =
                            OipJson.inferResponse(
                                ir.id() != null
                                    ? result
                                    : new InferenceResult(
                                        result.model(),
                                        result.version(),
                                        null,
                                        result.rows(),
                                        result.outputs(),
                                        result.servedBy()));
                        metrics.record("oip", result, start);
                        return RequestIds.with(Handlers.json(body), result.id());
                      }));
    }
  }

  private Map<String, Object> serverMetadata() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "slipway");
    m.put("version", serverVersion);
    m.put("extensions", List.of());
    return m;
  }

  private HttpResponse metadata(ServiceRequestContext ctx) {
    ServedModel m = pipeline.host().get(ctx.pathParam("name"), Handlers.version(ctx));
    List<Integer> versions =
        pipeline.host().registry().versions(m.name()).stream().map(ModelVersion::version).toList();
    var sig = m.publicSignature();
    return Handlers.json(
        OipJson.modelMetadata(m.name(), versions, platform(m), sig.inputs(), sig.outputs()));
  }

  static String platform(ServedModel m) {
    return "onnx".equals(m.version().format()) ? "onnxruntime_onnx" : m.version().format();
  }

  private HttpResponse modelReady(ServiceRequestContext ctx) {
    ServedModel m = pipeline.host().get(ctx.pathParam("name"), Handlers.version(ctx));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", m.name());
    body.put("version", Integer.toString(m.number()));
    body.put("ready", true);
    return Handlers.json(OipJson.object(body));
  }
}

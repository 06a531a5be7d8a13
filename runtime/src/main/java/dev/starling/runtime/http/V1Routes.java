package dev.starling.runtime.http;

import dev.starling.runtime.model.ServedModel;
import io.javalin.config.RoutesConfig;

/**
 * KServe V1: {@code POST /v1/models/{m}:predict} (answered by {@link InferenceService}) and {@code
 * GET /v1/models/{m}}.
 */
final class V1Routes {
  private final InferenceService inference;

  V1Routes(InferenceService inference) {
    this.inference = inference;
  }

  void register(RoutesConfig r) {
    r.post(
        "/v1/models/{model}:predict",
        ctx ->
            V2Routes.send(
                ctx, inference.predictV1(ctx.pathParam("model"), V2Routes.body(ctx), ctx.path())));
    r.get(
        "/v1/models/{model}",
        ctx -> {
          ServedModel m = inference.find(ctx.pathParam("model"), null);
          V2Routes.json(
              ctx,
              200,
              g -> {
                g.writeStartObject();
                g.writeStringField("name", m.name());
                g.writeBooleanField("ready", m.ready());
                g.writeEndObject();
              });
        });
  }
}

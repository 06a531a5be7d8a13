package dev.starling.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.starling.runtime.Version;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.model.TensorSpec;
import dev.starling.runtime.pipeline.ApiException;
import dev.starling.runtime.pipeline.Predictor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.function.IntSupplier;

/** Open Inference Protocol v2 REST: server and model health, metadata, and inference. */
final class V2Routes {
  private final ModelRegistry models;
  private final Predictor predictor;
  private final Lifecycle lifecycle;
  private final long maxBodyBytes;
  private final IntSupplier maxInflight;

  /** {@code maxInflight} is read per request: a reloaded config changes it live. */
  V2Routes(
      ModelRegistry models,
      Predictor predictor,
      Lifecycle lifecycle,
      long maxBodyBytes,
      IntSupplier maxInflight) {
    this.models = models;
    this.predictor = predictor;
    this.lifecycle = lifecycle;
    this.maxBodyBytes = maxBodyBytes;
    this.maxInflight = maxInflight;
  }

  void register(RoutesConfig r) {
    r.get("/v2", this::server);
    r.get("/v2/health/live", ctx -> json(ctx, 200, g -> bool(g, "live", true)));
    r.get("/v2/health/ready", this::serverReady);
    r.get("/v2/models/{model}", ctx -> metadata(ctx, find(ctx, null)));
    r.get(
        "/v2/models/{model}/versions/{version}",
        ctx -> metadata(ctx, find(ctx, ctx.pathParam("version"))));
    r.get("/v2/models/{model}/ready", ctx -> modelReady(ctx, find(ctx, null)));
    r.get(
        "/v2/models/{model}/versions/{version}/ready",
        ctx -> modelReady(ctx, find(ctx, ctx.pathParam("version"))));
    r.post("/v2/models/{model}/infer", ctx -> infer(ctx, find(ctx, null)));
    r.post(
        "/v2/models/{model}/versions/{version}/infer",
        ctx -> infer(ctx, find(ctx, ctx.pathParam("version"))));
  }

  private void server(Context ctx) {
    json(
        ctx,
        200,
        g -> {
          g.writeStartObject();
          g.writeStringField("name", "starling");
          g.writeStringField("version", Version.get());
          g.writeArrayFieldStart("extensions");
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private void serverReady(Context ctx) {
    boolean ready = !lifecycle.shuttingDown() && models.allReady();
    json(
        ctx,
        ready ? 200 : 503,
        g -> {
          g.writeStartObject();
          g.writeBooleanField("ready", ready);
          if (!ready) {
            g.writeStringField("error", notReadyReason());
          }
          g.writeEndObject();
        });
  }

  private String notReadyReason() {
    if (lifecycle.shuttingDown()) {
      return "the server is shutting down";
    }
    for (ServedModel m : models.all()) {
      if (!m.ready()) {
        return "model '"
            + m.name()
            + "' is "
            + m.state().name().toLowerCase()
            + (m.failure() != null ? ": " + m.failure() : "");
      }
    }
    return "no models";
  }

  private void modelReady(Context ctx, ServedModel m) {
    boolean ready = m.ready() && !lifecycle.shuttingDown();
    json(
        ctx,
        ready ? 200 : 503,
        g -> {
          g.writeStartObject();
          g.writeStringField("name", m.name());
          g.writeBooleanField("ready", ready);
          if (!ready) {
            g.writeStringField(
                "error", "model '" + m.name() + "' is " + m.state().name().toLowerCase());
          }
          g.writeEndObject();
        });
  }

  private void metadata(Context ctx, ServedModel m) {
    if (m.model() == null) {
      throw ApiException.unavailable("model '" + m.name() + "' is not loaded yet");
    }
    json(
        ctx,
        200,
        g -> {
          g.writeStartObject();
          g.writeStringField("name", m.name());
          g.writeArrayFieldStart("versions");
          g.writeString(m.version());
          g.writeEndArray();
          g.writeStringField("platform", "onnxruntime_onnx");
          tensors(g, "inputs", m.model().signature().inputs());
          tensors(g, "outputs", m.model().signature().outputs());
          g.writeEndObject();
        });
  }

  private void infer(Context ctx, ServedModel m) throws Exception {
    track(
        ctx,
        m,
        "v2",
        () -> {
          byte[] body = Bodies.readJson(ctx, maxBodyBytes);
          ctx.contentType("application/json").result(predictor.inferV2(m, body));
        });
  }

  /** Work on one inference request. */
  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  /**
   * Runs an inference request with its bookkeeping: readiness, in-flight counts (for draining and
   * the gauge), {@code Connection: close} once the server drains, and the request metrics by
   * outcome.
   */
  void track(Context ctx, ServedModel m, String protocol, Work work) throws Exception {
    if (!m.ready()) {
      throw ApiException.unavailable("model '" + m.name() + "' is not ready");
    }
    long t0 = System.nanoTime();
    int status = 500;
    lifecycle.enter();
    int inflight = m.meters().inflight().incrementAndGet();
    int bound = maxInflight.getAsInt();
    try {
      if (inflight > bound) {
        // Shed at once: a fast 503 lets the client (or the router) go elsewhere, where queueing
        // would only make every request late.
        m.meters().rejected("overload");
        throw new ApiException(
            503,
            "model '" + m.name() + "' is overloaded (" + bound + " requests in flight); retry",
            1);
      }
      if (lifecycle.closeConnections()) {
        ctx.header("Connection", "close");
      }
      work.run();
      status = 200;
    } catch (ApiException e) {
      status = e.status();
      throw e;
    } finally {
      m.meters().inflight().decrementAndGet();
      lifecycle.leave();
      m.meters().request(protocol, status, System.nanoTime() - t0);
    }
  }

  /**
   * The served model named in the path (404 if none), at the version asked for (404 if another).
   */
  ServedModel find(Context ctx, String version) {
    String name = ctx.pathParam("model");
    ServedModel m = models.get(name);
    if (m == null) {
      throw ApiException.notFound(
          "unknown model '"
              + clip(name)
              + "'; this server serves "
              + models.all().stream().map(ServedModel::name).toList());
    }
    if (version != null && !version.equals(m.version())) {
      throw ApiException.notFound(
          "model '"
              + name
              + "' has no version '"
              + clip(version)
              + "' here (serving "
              + m.version()
              + ")");
    }
    return m;
  }

  static void tensors(JsonGenerator g, String field, List<TensorSpec> specs) throws IOException {
    g.writeArrayFieldStart(field);
    for (TensorSpec t : specs) {
      g.writeStartObject();
      g.writeStringField("name", t.name());
      g.writeStringField("datatype", t.datatype().name());
      g.writeArrayFieldStart("shape");
      for (long d : t.shape()) {
        g.writeNumber(d < 0 ? -1 : d);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  static void json(Context ctx, int status, JsonBodies.Writer w) {
    ctx.status(status).contentType("application/json").result(JsonBodies.of(w));
  }

  private static void bool(JsonGenerator g, String field, boolean value) throws IOException {
    g.writeStartObject();
    g.writeBooleanField(field, value);
    g.writeEndObject();
  }

  static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}

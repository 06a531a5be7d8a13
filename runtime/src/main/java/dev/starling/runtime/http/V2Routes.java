package dev.starling.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.starling.runtime.Version;
import dev.starling.runtime.model.ModelRegistry;
import dev.starling.runtime.model.ServedModel;
import dev.starling.runtime.model.TensorSpec;
import dev.starling.runtime.pipeline.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Open Inference Protocol v2 REST: server and model health, metadata, and inference. */
final class V2Routes {
  private final ModelRegistry models;
  private final Lifecycle lifecycle;
  private final InferenceService inference;

  V2Routes(ModelRegistry models, Lifecycle lifecycle, InferenceService inference) {
    this.models = models;
    this.lifecycle = lifecycle;
    this.inference = inference;
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
    r.post("/v2/models/{model}/infer", ctx -> infer(ctx, null));
    r.post(
        "/v2/models/{model}/versions/{version}/infer", ctx -> infer(ctx, ctx.pathParam("version")));
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

  private void infer(Context ctx, String version) {
    send(ctx, inference.inferV2(ctx.pathParam("model"), version, body(ctx), ctx.path()));
  }

  private ServedModel find(Context ctx, String version) {
    return inference.find(ctx.pathParam("model"), version);
  }

  /** Writes an inference answer: the same status, headers and body the fast path writes. */
  static void send(Context ctx, Answer a) {
    if (a.retryAfterSeconds() > 0) {
      ctx.header("Retry-After", Integer.toString(a.retryAfterSeconds()));
    }
    if (a.challenge() != null) {
      ctx.header("WWW-Authenticate", a.challenge());
    }
    if (a.close()) {
      ctx.header("Connection", "close");
    }
    ctx.status(a.status()).contentType("application/json").result(a.body());
  }

  /** The servlet request's body, for {@link InferenceService}. */
  static RequestBody body(Context ctx) {
    return new RequestBody() {
      @Override
      public String contentType() {
        return ctx.req().getContentType();
      }

      @Override
      public long contentLength() {
        return ctx.req().getContentLengthLong();
      }

      @Override
      public InputStream stream() throws IOException {
        return ctx.req().getInputStream();
      }
    };
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
